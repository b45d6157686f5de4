package io.finwatch.bench;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * JMH's own command line, plus a closing table that puts each result next to its class's {@link Anchor} run with
 * the same mode and parameters: on a shared machine a ratio measured in one run means more than a time.
 */
public final class JmhMain {
    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            Main.main(args); // reports the bad option the way JMH does
            return;
        }
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams()
                || options.shouldListProfilers() || options.shouldListResultFormats()) {
            Main.main(args);
            return;
        }
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (RunnerException e) {
            System.err.println("benchmark run failed: " + e.getMessage());
            System.exit(1);
            return;
        }
        printRatios(results);
    }

    static void printRatios(Collection<RunResult> results) throws ClassNotFoundException {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult r : results) {
            groups.computeIfAbsent(groupOf(r.getParams()), k -> new ArrayList<>()).add(r);
        }
        System.out.println();
        System.out.println("Ratios to the anchor of the same class, mode and parameters (score / anchor score):");
        for (Map.Entry<String, List<RunResult>> group : groups.entrySet()) {
            RunResult anchor = null;
            for (RunResult r : group.getValue()) {
                if (isAnchor(r.getParams().getBenchmark())) {
                    anchor = r;
                }
            }
            System.out.println("  " + group.getKey());
            for (RunResult r : group.getValue()) {
                Result<?> score = r.getPrimaryResult();
                String method = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
                String ratio = anchor == null ? "no @Anchor in this class"
                        : r == anchor ? "anchor"
                        : String.format("%.2f", score.getScore() / anchor.getPrimaryResult().getScore());
                System.out.printf("    %-24s %12.3f ± %9.3f %-8s %s%n", method, score.getScore(),
                        score.getScoreError(), score.getScoreUnit(), ratio);
            }
        }
    }

    private static String groupOf(BenchmarkParams p) {
        String benchmark = p.getBenchmark();
        StringBuilder key = new StringBuilder(benchmark.substring(0, benchmark.lastIndexOf('.')))
                .append(' ').append(p.getMode());
        for (String name : p.getParamsKeys()) {
            key.append(' ').append(name).append('=').append(p.getParam(name));
        }
        return key.toString();
    }

    private static boolean isAnchor(String benchmark) throws ClassNotFoundException {
        int dot = benchmark.lastIndexOf('.');
        Class<?> type = Class.forName(benchmark.substring(0, dot));
        for (Method m : type.getMethods()) {
            if (m.getName().equals(benchmark.substring(dot + 1)) && m.isAnnotationPresent(Anchor.class)) {
                return true;
            }
        }
        return false;
    }
}
