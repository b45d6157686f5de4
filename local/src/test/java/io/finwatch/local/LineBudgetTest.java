package io.finwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LineBudgetTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final LineBudget budget = new LineBudget(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3, nanos::get);

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aBurstShowsTheBudgetThenSaysHowManyWereHeldBackOnceItsSecondIsOver() {
        for (int i = 0; i < 10; i++) {
            budget.print("anomaly " + i);
        }
        budget.roll();
        assertThat(lines()).containsExactly("anomaly 0", "anomaly 1", "anomaly 2");

        nanos.addAndGet(1_000_000_000L);
        budget.roll();
        budget.print("anomaly 10");
        assertThat(lines()).containsExactly("anomaly 0", "anomaly 1", "anomaly 2",
                "... 7 more anomalies in that second not shown: ./finwatch query anomalies, or the dashboard", "anomaly 10");
    }

    @Test
    void aSteadyTrickleIsAllShown() {
        for (int i = 0; i < 6; i++) {
            budget.print("anomaly " + i);
            nanos.addAndGet(400_000_000L);
        }
        assertThat(lines()).hasSize(6).allMatch(l -> l.startsWith("anomaly "));
    }
}
