package io.finwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LineBudgetTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String WHERE = "): ./finwatch query anomalies, or the dashboard";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong nanos = new AtomicLong(5 * SECOND);
    private final LineBudget budget = new LineBudget(new PrintStream(bytes, true, StandardCharsets.UTF_8), 4, nanos::get);

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private void nextSecond() {
        nanos.addAndGet(SECOND);
        budget.roll();
    }

    @Test
    void aTrickleWithinHalfTheBudgetIsAllShownAtOnce() {
        for (int i = 0; i < 12; i++) {
            budget.print("pid " + (i % 3), "anomaly " + i);
            assertThat(lines()).as("printed as it came").hasSize(i + 1).last().isEqualTo("anomaly " + i);
            nanos.addAndGet(600_000_000L);
            budget.roll();
        }
    }

    @Test
    void oneProcessFloodingDoesNotHideAnothersLeakThatCameAfterIt() {
        for (int i = 0; i < 500; i++) {
            budget.print("pid 1 (noisy)", "noisy " + i);
        }
        budget.print("pid 2 (mine)", "my leak");
        for (int i = 500; i < 600; i++) {
            budget.print("pid 1 (noisy)", "noisy " + i);
        }
        List<String> atOnce = lines();

        nextSecond();
        assertThat(lines()).as("the other process's one line is shown").contains("my leak");
        assertThat(atOnce).as("half the budget at once, the rest waits for the second's end").containsExactly("noisy 0", "noisy 1");
        assertThat(lines()).containsExactly("noisy 0", "noisy 1", "noisy 2", "my leak",
                "... 597 more anomalies in that second not shown (597 of pid 1 (noisy)" + WHERE);
    }

    @Test
    void theSharedHalfGoesToTheRarestOwnersFirstAndIsPrintedInArrivalOrder() {
        budget.print("pid 1", "a0");
        budget.print("pid 1", "a1");
        budget.print("pid 1", "a2");
        budget.print("pid 2", "b0");
        budget.print("pid 3", "c0");
        budget.print("pid 2", "b1");
        budget.print("pid 4", "d0");
        budget.print("pid 1", "a3");
        // pid 3 and pid 4 have one line each, pid 2 two, pid 1 four (two of them shown at once).
        nextSecond();
        assertThat(lines()).containsExactly("a0", "a1", "c0", "d0",
                "... 4 more anomalies in that second not shown (2 of pid 1, 2 of pid 2" + WHERE);
    }

    @Test
    void manyOwnersAreSummarisedByTheNoisiestAndACountOfTheRest() {
        for (int p = 1; p <= 6; p++) {
            for (int i = 0; i < p * 10; i++) {
                budget.print("pid " + p, "pid " + p + " line " + i);
            }
        }
        nextSecond();
        List<String> out = lines();
        assertThat(out).hasSize(5);
        assertThat(out.get(4)).isEqualTo("... 206 more anomalies in that second not shown (60 of pid 6, 50 of pid 5, 40 of pid 4, "
                + "56 of 3 other owners" + WHERE);
        assertThat(out.subList(0, 4)).containsExactly("pid 1 line 0", "pid 1 line 1", "pid 1 line 2", "pid 2 line 0");
    }

    @Test
    void eachSecondHasItsOwnBudgetAndAQuietSecondSaysNothing() {
        for (int i = 0; i < 6; i++) {
            budget.print("pid 1", "first " + i);
        }
        nextSecond();
        budget.print("pid 1", "second 0");
        nextSecond();
        nextSecond();
        assertThat(lines()).containsExactly("first 0", "first 1", "first 2", "first 3",
                "... 2 more anomalies in that second not shown (2 of pid 1" + WHERE, "second 0");
    }

    @Test
    void ownersPastTheTrackedNumberAreCountedNotKept() {
        for (int p = 0; p < LineBudget.MAX_OWNERS + 5; p++) {
            budget.print("pid " + p, "line of " + p);
        }
        nextSecond();
        List<String> out = lines();
        assertThat(out).hasSize(5);
        assertThat(out.subList(0, 4)).containsExactly("line of 0", "line of 1", "line of 2", "line of 3");
        assertThat(out.get(4)).startsWith("... " + (LineBudget.MAX_OWNERS + 1) + " more anomalies in that second not shown (1 of pid 4, 1 of pid 5, 1 of pid 6, ")
                .endsWith((LineBudget.MAX_OWNERS + 1 - 3) + " of other owners" + WHERE);
    }
}
