package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The format file of sock:inet_sock_set_state as Linux 6.18 writes it, and damaged ones. */
class TracepointFormatTest {
    private static final String FILE = "inet_sock_set_state.format";

    private static String fixture() throws IOException {
        try (InputStream in = TracepointFormatTest.class.getResourceAsStream("/tracepoints/" + FILE)) {
            assertThat(in).as(FILE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheIdAndEveryFieldOfTheRealFormat() throws IOException {
        TracepointFormat f = TracepointFormat.parse(FILE, fixture());

        assertThat(f.id()).isEqualTo(2287);
        assertThat(f.field("common_type")).isEqualTo(new TracepointFormat.Field(0, 2));
        assertThat(f.field("common_pid")).isEqualTo(new TracepointFormat.Field(4, 4));
        assertThat(f.field("skaddr")).as("a pointer: the name follows the '*'")
                .isEqualTo(new TracepointFormat.Field(8, 8));
        assertThat(f.field("oldstate")).isEqualTo(new TracepointFormat.Field(16, 4));
        assertThat(f.field("newstate")).isEqualTo(new TracepointFormat.Field(20, 4));
        assertThat(f.field("sport")).isEqualTo(new TracepointFormat.Field(24, 2));
        assertThat(f.field("dport")).isEqualTo(new TracepointFormat.Field(26, 2));
        assertThat(f.field("family")).isEqualTo(new TracepointFormat.Field(28, 2));
        assertThat(f.field("protocol")).isEqualTo(new TracepointFormat.Field(30, 2));
        assertThat(f.field("saddr")).as("an array: the name is before the '['")
                .isEqualTo(new TracepointFormat.Field(32, 4));
        assertThat(f.field("daddr")).isEqualTo(new TracepointFormat.Field(36, 4));
        assertThat(f.field("saddr_v6")).isEqualTo(new TracepointFormat.Field(40, 16));
        assertThat(f.field("daddr_v6")).isEqualTo(new TracepointFormat.Field(56, 16));
        assertThat(f.field("print")).as("the print fmt line is no field").isNull();
        assertThat(f.offset("daddr_v6", 16)).isEqualTo(56);
    }

    @Test
    void aNeededFieldThatIsAbsentIsNamedWithTheFile() throws IOException {
        String withoutNewstate = fixture().lines()
                .filter(line -> !line.contains(" newstate;"))
                .reduce("", (a, b) -> a + b + "\n");
        TracepointFormat f = TracepointFormat.parse("/host/sys/kernel/tracing/x/format", withoutNewstate);

        assertThat(f.offset("oldstate", 4)).isEqualTo(16);
        assertThatThrownBy(() -> f.offset("newstate", 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tracepoint format /host/sys/kernel/tracing/x/format: no field newstate");
    }

    @Test
    void aFieldOfAnotherSizeThanTheReaderDecodesIsRefused() throws IOException {
        TracepointFormat f = TracepointFormat.parse(FILE, fixture());

        assertThatThrownBy(() -> f.offset("sport", 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tracepoint format " + FILE + ": field sport has size 2, expected 4");
    }

    @Test
    void malformedLinesAreRefusedWithTheirLineNumber() {
        String badOffset = "name: x\nID: 7\nformat:\n\tfield:int oldstate;\toffset:sixteen;\tsize:4;\tsigned:1;\n";
        assertThatThrownBy(() -> TracepointFormat.parse("f", badOffset))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tracepoint format f line 4: not a number: sixteen");

        String noSize = "ID: 7\n\tfield:int oldstate;\toffset:16;\n";
        assertThatThrownBy(() -> TracepointFormat.parse("f", noSize))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tracepoint format f line 2: a field without offset or size:");

        assertThatThrownBy(() -> TracepointFormat.parse("f", "name: x\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tracepoint format f: no ID line");
    }
}
