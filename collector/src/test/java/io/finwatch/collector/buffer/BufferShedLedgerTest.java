package io.finwatch.collector.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BufferShedLedgerTest {
    @Test
    void coalescesConsecutiveSeqsAndKeepsTheTotalAcrossDrains() {
        ShedLedger ledger = new ShedLedger("/buffer", 100);
        for (long s : new long[] {5, 6, 7, 9, 12, 13}) {
            ledger.shed(s);
        }
        assertThat(ledger.drain()).containsExactly(new SeqRange(5, 7), new SeqRange(9, 9), new SeqRange(12, 13));
        ledger.shed(14);
        assertThat(ledger.drain()).as("a new drain starts a new range").containsExactly(new SeqRange(14, 14));
        assertThat(ledger.total()).isEqualTo(7);
    }

    @Test
    void sheddingIsLoggedWhenItStartsAndWhenItEndsNotPerEvent() {
        ShedLedger ledger = new ShedLedger("/buffer", 100);
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer")) {
            for (long s = 5; s < 50; s++) {
                ledger.shed(s);
            }
            ledger.fitted(50);
            ledger.fitted(51);
            // Full again at once (a table larger than the cap, re-sent): within the minute that is not logged again.
            ledger.shed(52);
            ledger.fitted(53);
            assertThat(log.atLeast(ch.qos.logback.classic.Level.INFO)).containsExactly(
                    "WARN buffer /buffer is full (100 bytes of events Kafka has not acknowledged, --buffer-max-bytes): "
                            + "dropping new events from seq 5 on (DROP-NEWEST); every heartbeat declares the dropped "
                            + "numbers in shed_ranges",
                    "INFO buffer /buffer has room again at seq 50: 45 events dropped since seq 5");
            assertThat(ledger.total()).isEqualTo(46);
        }
    }
}
