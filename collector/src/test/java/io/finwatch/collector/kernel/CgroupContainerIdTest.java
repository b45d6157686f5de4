package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class CgroupContainerIdTest {

    private static String fixture(String name) throws IOException {
        String resource = "/fixtures/procfs-procs/cgroup/" + name;
        try (InputStream in = CgroupContainerIdTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/fixtures/procfs-procs/cgroup/expected.csv")
    void recognisesTheContainerRuntimesCgroupLayouts(String file, String expectedId) throws IOException {
        assertThat(CgroupContainerId.parse(fixture(file))).isEqualTo(expectedId);
    }

    @Test
    void takesTheFirstLineThatNamesAContainer() {
        String id = "0123456789abcdef".repeat(4);
        String mixed = "12:pids:/\n11:memory:/system.slice/docker-" + id + ".scope\n0::/\n";
        assertThat(CgroupContainerId.parse(mixed)).isEqualTo(id);
    }

    @Test
    void ignoresIdsOfTheWrongLengthOrCase() {
        String upper = "0123456789ABCDEF".repeat(4);
        String short63 = "0123456789abcdef".repeat(4).substring(1);
        assertThat(CgroupContainerId.parse("0::/docker/" + upper + "\n")).isNull();
        assertThat(CgroupContainerId.parse("0::/system.slice/docker-" + short63 + ".scope\n")).isNull();
        assertThat(CgroupContainerId.parse("0::/somewhere/" + "0123456789abcdef".repeat(4) + "\n"))
                .as("a bare id outside docker/ and kubepods").isNull();
    }

    @Test
    void noFileMeansNoContainer() {
        assertThat(CgroupContainerId.parse(null)).isNull();
        assertThat(CgroupContainerId.parse("")).isNull();
    }
}
