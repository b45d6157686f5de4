package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.collector.track.ProcessStat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Parsing a process's stat and status as the kernel writes them (reading them is in track/ProcessTableTest). */
class ProcessFilesTest {

    @Test
    void statFieldsAreCountedFromTheLastParenthesis() throws Exception {
        Path src = Path.of("/proc/7/stat");
        String tail = " S 1 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5555 0 0\n";
        // A comm that looks like fields, then closes and reopens: 15 bytes, as the kernel allows.
        assertThat(ProcessFiles.parseStat("7 (x) 1 2 3 (y)" + tail, src))
                .isEqualTo(new ProcessStat("x) 1 2 3 (y", 5555));
        assertThat(ProcessFiles.parseStat("7 ())))" + tail, src)).isEqualTo(new ProcessStat(")))", 5555));
        assertThat(ProcessFiles.parseStat("7 ()" + tail, src)).isEqualTo(new ProcessStat("", 5555));
        assertThatThrownBy(() -> ProcessFiles.parseStat("7 (x S 1 2", src))
                .hasMessageContaining("/proc/7/stat").hasMessageContaining("no (comm)");
        assertThatThrownBy(() -> ProcessFiles.parseStat("7 (x) S 1 2\n", src))
                .hasMessageContaining("/proc/7/stat").hasMessageContaining("fewer than 22 fields");
        assertThatThrownBy(() -> ProcessFiles.parseStat("7 (x)" + tail.replace("5555", "55x5"), src))
                .hasMessageContaining("field 22 is not a number");
    }

    @Test
    void uidIsTheEffectiveOne() throws Exception {
        Path src = Path.of("/proc/7/status");
        assertThat(ProcessFiles.parseEffectiveUid("Name:\tx\nUid:\t0\t65534\t0\t65534\nGid:\t0\t0\t0\t0\n", src))
                .isEqualTo(65534);
        assertThatThrownBy(() -> ProcessFiles.parseEffectiveUid("Name:\tx\n", src))
                .hasMessageContaining("/proc/7/status").hasMessageContaining("no Uid: line");
        assertThatThrownBy(() -> ProcessFiles.parseEffectiveUid("Uid:\t0\n", src))
                .hasMessageContaining("without an effective uid");
    }
}
