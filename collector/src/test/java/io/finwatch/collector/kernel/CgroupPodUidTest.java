package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class CgroupPodUidTest {

    private static String fixture(String name) throws IOException {
        try (InputStream in = CgroupPodUidTest.class.getResourceAsStream("/fixtures/procfs-procs/cgroup/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/fixtures/procfs-procs/cgroup/pods.csv")
    void recognisesTheKubeletsPodCgroupUnderEveryRuntimeAndDriver(String file, String expectedUid)
            throws IOException {
        assertThat(CgroupPodUid.parse(fixture(file))).isEqualTo(expectedUid);
    }

    @Test
    void takesTheFirstLineThatNamesAPod() {
        String uid = "0a1b2c3d-0000-4111-8222-333344445555";
        String v1 = "12:pids:/\n11:memory:/kubepods/pod" + uid + "/abc\n0::/\n";
        assertThat(CgroupPodUid.parse(v1)).isEqualTo(uid);
    }

    @Test
    void aPodSegmentCountsOnlyUnderTheKubeletsHierarchy() {
        String uid = "0a1b2c3d-0000-4111-8222-333344445555";
        assertThat(CgroupPodUid.parse("0::/system.slice/pod" + uid + "\n")).isNull();
        assertThat(CgroupPodUid.parse("0::/kubepods/burstable/pod" + uid.toUpperCase() + "\n"))
                .as("the kubelet writes lowercase hex").isNull();
        assertThat(CgroupPodUid.parse("0::/kubepods/burstable/pod" + uid.substring(1) + "\n")).isNull();
        assertThat(CgroupPodUid.parse(null)).isNull();
        assertThat(CgroupPodUid.parse("")).isNull();
    }
}
