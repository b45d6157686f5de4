package io.finwatch.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.streams.aggregate.DwellHistogramCodec;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A workload's dwell over hosts in several partitions: each instance sends its partitions' histograms, and the asked
 * instance merges them exactly (percentiles of the union, not of the parts), then leaves the histograms out.
 */
class WorkloadDwellTest {

    @Test
    void partitionsHistogramsAreMergedBeforeThePercentilesAndLeftOutOfTheAnswer() throws Exception {
        Histogram onA = DwellHistogramCodec.empty();
        for (int i = 0; i < 98; i++) {
            onA.recordValue(1_000);
        }
        Histogram onB = DwellHistogramCodec.empty();
        onB.recordValue(600_000);
        onB.recordValue(600_000);
        WorkloadView a = new WorkloadView("shop", "Deployment", "web", 1, 0, 0, 0, 1, false).withDwell("1h", onA, true);
        WorkloadView b = new WorkloadView("shop", "Deployment", "web", 0, 0, 0, 0, 0, false).withDwell("1h", onB, true);
        // As one instance reads another's answer: through the API's JSON.
        List<WorkloadView> sent = ApiJson.readList(ApiJson.write(List.of(a, b)), WorkloadView.class);
        assertThat(sent).allSatisfy(v -> assertThat(v.dwellHistogram()).isNotNull());

        WorkloadView web = WorkloadReader.combine(sent, 10).get(0);
        assertThat(web.count()).isEqualTo(100);
        assertThat(web.p50Ms()).isBetween(1_000L, 1_010L);
        // The 99th of the union lies in the slow host's part: no part alone, nor any mean of the parts, gives it.
        assertThat(web.p99Ms()).isBetween(600_000L, 606_000L);
        assertThat(web.maxMs()).isBetween(600_000L, 606_000L);
        assertThat(web.window()).isEqualTo("1h");
        assertThat(web.dwellHistogram()).isNull();
        assertThat(ApiJson.write(web)).doesNotContain("dwell_histogram").contains("\"p99_ms\"");
    }

    @Test
    void aWorkloadWithNoEndedEpisodeHasNoPercentiles() {
        WorkloadView idle = new WorkloadView("", "", "envoy", 2, 0, 0, 0, 1, false).withDwell("15m", null, true);
        WorkloadView out = WorkloadReader.combine(List.of(idle), 10).get(0);
        assertThat(out.count()).isZero();
        assertThat(out.p99Ms()).isNull();
        assertThat(out.dwellHistogram()).isNull();
    }
}
