package io.finwatch.streams.cli.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table whose columns are as wide as their widest cell: numbers right-aligned so their digits line
 * up, text left-aligned, two spaces between columns, no trailing blanks.
 */
public final class Table {

    /** A column: its header and whether its cells are numbers (right-aligned). */
    public record Column(String header, boolean numeric) {
        public static Column text(String header) {
            return new Column(header, false);
        }

        public static Column number(String header) {
            return new Column(header, true);
        }
    }

    private final List<Column> columns;
    private final List<String[]> rows = new ArrayList<>();
    private final int[] width;
    private boolean headerPrinted;

    public Table(Column... columns) {
        this.columns = List.of(columns);
        this.width = new int[columns.length];
    }

    public Table row(String... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells for " + columns.size() + " columns: " + Arrays.toString(cells));
        }
        rows.add(cells.clone());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The header line and the rows, each ending in a newline. */
    public String render() {
        StringBuilder out = new StringBuilder();
        widen();
        line(out, headers());
        rows.forEach(r -> line(out, r));
        return out.toString();
    }

    /**
     * For output that grows (a followed feed): the header on the first call, then only the rows added since the
     * previous call, which are then forgotten. Columns only ever widen, so earlier lines stay aligned as far as
     * the widths they were printed with allow.
     */
    public String drain() {
        StringBuilder out = new StringBuilder();
        widen();
        if (!headerPrinted) {
            line(out, headers());
            headerPrinted = true;
        }
        rows.forEach(r -> line(out, r));
        rows.clear();
        return out.toString();
    }

    private String[] headers() {
        return columns.stream().map(Column::header).toArray(String[]::new);
    }

    private void widen() {
        for (int c = 0; c < width.length; c++) {
            width[c] = Math.max(width[c], columns.get(c).header().length());
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
    }

    private void line(StringBuilder out, String[] cells) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                l.append("  ");
            }
            String pad = " ".repeat(width[c] - cells[c].length());
            l.append(columns.get(c).numeric() ? pad + cells[c] : cells[c] + pad);
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }
}
