package io.finwatch.local;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} anomaly lines a second on the terminal, shared among the owners of the anomalies (a
 * process, a host's orphaned sockets, a collector). A host with thousands of leaking sockets would otherwise scroll
 * everything else away; and a budget spent in order of arrival would let one noisy process hide another's single
 * leak, which on a busy host is the line its user is waiting for.
 *
 * <p>The first half of a second's lines are printed as they come, so a quiet host sees every anomaly at once. Past
 * that, lines wait for the end of their second; the other half then goes to the owners with the fewest anomalies in
 * that second first, one line per owner in turn, printed in the order they arrived. The lines still left are counted
 * by owner and said in one line naming the noisiest. Every anomaly stays in the API and the dashboard.
 */
final class LineBudget {
    private static final long SECOND_NANOS = 1_000_000_000L;
    /** Owners whose lines are kept to the end of a second; the lines of any further owner are counted only. */
    static final int MAX_OWNERS = 1000;
    /** Owners named in the summary line; the rest are counted together. */
    private static final int NAMED_IN_SUMMARY = 3;

    private final PrintStream out;
    private final int perSecond;
    private final int atOnce;
    private final LongSupplier nanoTime;
    private long windowStart;
    private int shown;
    private long arrivals;
    /** This second's owners, in the order of their first line. */
    private final Map<String, Owner> owners = new LinkedHashMap<>();
    /** Lines of owners past {@link #MAX_OWNERS} in this second. */
    private long untracked;

    private static final class Owner {
        final String name;
        final List<Waiting> waiting = new ArrayList<>();
        long lines;
        long shown;

        Owner(String name) {
            this.name = name;
        }
    }

    private record Waiting(long arrival, String line) {
    }

    LineBudget(PrintStream out, int perSecond, LongSupplier nanoTime) {
        if (perSecond < 2) {
            throw new IllegalArgumentException("perSecond must be at least 2 (half at once, half shared), not " + perSecond);
        }
        this.out = out;
        this.perSecond = perSecond;
        this.atOnce = perSecond / 2;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    /** {@code owner} names who the anomaly belongs to, as the summary line says it, e.g. {@code pid 4242 (java) on node}. */
    void print(String owner, String line) {
        roll();
        long arrival = arrivals++;
        Owner o = owners.get(owner);
        if (o == null && owners.size() < MAX_OWNERS) {
            o = new Owner(owner);
            owners.put(owner, o);
        }
        if (shown < atOnce) {
            out.println(line);
            shown++;
            if (o != null) {
                o.lines++;
                o.shown++;
            }
            return;
        }
        if (o == null) {
            untracked++;
            return;
        }
        o.lines++;
        if (o.waiting.size() < perSecond - atOnce) {
            // More could never be chosen: the shared half is given out one line per owner in turn.
            o.waiting.add(new Waiting(arrival, line));
        }
    }

    /**
     * Once the current second is over, prints its waiting lines that fit and says how many were not shown; called after
     * every poll, even an empty one.
     */
    void roll() {
        long now = nanoTime.getAsLong();
        if (now - windowStart < SECOND_NANOS) {
            return;
        }
        printShared();
        summarize();
        windowStart = now;
        shown = 0;
        owners.clear();
        untracked = 0;
    }

    private void printShared() {
        // Stable sort: among owners with as many lines, the one seen first comes first.
        List<Owner> rarestFirst = owners.values().stream().filter(o -> !o.waiting.isEmpty())
                .sorted(Comparator.comparingLong(o -> o.lines)).toList();
        List<Waiting> chosen = new ArrayList<>();
        int room = perSecond - shown;
        for (int turn = 0; room > 0; turn++) {
            boolean any = false;
            for (Owner o : rarestFirst) {
                if (room == 0) {
                    break;
                }
                if (turn < o.waiting.size()) {
                    chosen.add(o.waiting.get(turn));
                    o.shown++;
                    room--;
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        chosen.sort(Comparator.comparingLong(Waiting::arrival));
        chosen.forEach(w -> out.println(w.line()));
        shown += chosen.size();
    }

    private void summarize() {
        List<Owner> notShown = owners.values().stream().filter(o -> o.lines > o.shown)
                .sorted(Comparator.comparingLong((Owner o) -> o.lines - o.shown).reversed()).toList();
        long total = untracked + notShown.stream().mapToLong(o -> o.lines - o.shown).sum();
        if (total == 0) {
            return;
        }
        StringBuilder b = new StringBuilder("... ").append(total).append(" more anomalies in that second not shown (");
        for (int i = 0; i < Math.min(NAMED_IN_SUMMARY, notShown.size()); i++) {
            Owner o = notShown.get(i);
            b.append(i == 0 ? "" : ", ").append(o.lines - o.shown).append(" of ").append(o.name);
        }
        long othersLines = untracked;
        for (int i = NAMED_IN_SUMMARY; i < notShown.size(); i++) {
            othersLines += notShown.get(i).lines - notShown.get(i).shown;
        }
        if (othersLines > 0) {
            int othersTracked = Math.max(0, notShown.size() - NAMED_IN_SUMMARY);
            b.append(notShown.isEmpty() ? "" : ", ").append(othersLines).append(" of ")
                    .append(untracked > 0 ? "other owners" : othersTracked + (othersTracked == 1 ? " other owner" : " other owners"));
        }
        out.println(b.append("): ./finwatch query anomalies, or the dashboard"));
    }
}
