package io.finwatch.streams.detect;

import io.finwatch.schemas.FinWait2Anomaly;

/** Where decided anomalies go: the anomalies topic, the recent-anomalies store and the counters. */
interface AnomalyOutput {
    void emit(FinWait2Anomaly anomaly);
}
