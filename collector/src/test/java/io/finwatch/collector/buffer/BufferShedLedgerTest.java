package io.finwatch.collector.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BufferShedLedgerTest {
    @Test
    void coalescesConsecutiveSeqsAndKeepsTheTotalAcrossDrains() {
        ShedLedger ledger = new ShedLedger();
        for (long s : new long[] {5, 6, 7, 9, 12, 13}) {
            ledger.shed(s);
        }
        assertThat(ledger.drain()).containsExactly(new SeqRange(5, 7), new SeqRange(9, 9), new SeqRange(12, 13));
        ledger.shed(14);
        assertThat(ledger.drain()).as("a new drain starts a new range").containsExactly(new SeqRange(14, 14));
        assertThat(ledger.total()).isEqualTo(7);
    }
}
