package io.finwatch.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One scrape of a Prometheus text endpoint, enough to read the collector's own gauges and counters back: sample
 * lines are {@code name{labels} value [timestamp]}, and only the name, the raw label text and the value are kept.
 */
final class MetricsPage {
    private record Sample(String name, String labels, double value) {
    }

    private final List<Sample> samples;

    private MetricsPage(List<Sample> samples) {
        this.samples = samples;
    }

    static MetricsPage parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name;
            String labels = "";
            String rest;
            if (brace >= 0 && (space < 0 || brace < space)) {
                // Label values may hold spaces (id="G1 Eden Space"), so the value starts after the last brace.
                int close = line.lastIndexOf('}');
                name = line.substring(0, brace);
                labels = line.substring(brace + 1, close);
                rest = line.substring(close + 1).trim();
            } else {
                name = line.substring(0, space);
                rest = line.substring(space + 1).trim();
            }
            samples.add(new Sample(name, labels, value(rest.split(" ")[0])));
        }
        return new MetricsPage(samples);
    }

    /** The sum of every sample of {@code name} whose labels contain {@code labelText}; empty when there is none. */
    OptionalDouble sum(String name, String labelText) {
        double sum = 0;
        boolean found = false;
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().contains(labelText)) {
                sum += s.value();
                found = true;
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    /** How many samples {@code name} has, e.g. one per namespace for a per-namespace gauge. */
    int count(String name) {
        int n = 0;
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                n++;
            }
        }
        return n;
    }

    OptionalDouble sum(String name) {
        return sum(name, "");
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
