package io.finwatch.streams.cli.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.streams.cli.query.Table.Column;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAreAsWideAsTheirWidestCellNumbersRightTextLeft() {
        Table t = new Table(Column.text("HOST"), Column.number("OPEN"), Column.text("COMM"))
                .row("node-17", "3", "kube-proxy")
                .row("a", "1234567", "");

        assertThat(t.render()).isEqualTo("""
                HOST        OPEN  COMM
                node-17        3  kube-proxy
                a        1234567
                """);
    }

    @Test
    void drainPrintsTheHeaderOnceAndOnlyNewRowsWithColumnsThatOnlyWiden() {
        Table t = new Table(Column.text("K"), Column.number("N"));

        assertThat(t.row("ab", "1").drain()).isEqualTo("K   N\nab  1\n");
        assertThat(t.drain()).isEmpty();
        assertThat(t.row("a", "22").drain()).isEqualTo("a   22\n");
        assertThat(t.row("b", "3").drain()).as("N stays 2 wide").isEqualTo("b    3\n");
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRefused() {
        Table t = new Table(Column.text("A"), Column.text("B"));

        assertThatThrownBy(() -> t.row("only one")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells for 2 columns");
    }
}
