package io.finwatch.testkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine a benchmark ran on, as one line. The detector's default benchmark gave 72-89k transitions/s on one
 * 2-core VM and 47-53k on another of the same size, the same code (docs/benchmarks.md, session 15): a figure is
 * comparable only beside its anchor of the same run, and a reader needs the CPU to tell why two sessions' anchors differ.
 */
public final class Machine {

    private Machine() {
    }

    /** E.g. "AMD EPYC (family 23, model 1), 2 CPUs, 23.4 GiB memory"; parts that cannot be read are left out. */
    public static String describe() {
        List<String> cpu = lines(Path.of("/proc/cpuinfo"));
        StringBuilder s = new StringBuilder(field(cpu, "model name").orElse("unknown CPU"));
        Optional<String> family = field(cpu, "cpu family");
        Optional<String> model = field(cpu, "model");
        if (family.isPresent() && model.isPresent()) {
            s.append(" (family ").append(family.get()).append(", model ").append(model.get()).append(')');
        }
        s.append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs");
        field(lines(Path.of("/proc/meminfo")), "MemTotal").ifPresent(kb -> s.append(String.format(", %.1f GiB memory",
                Long.parseLong(kb.replaceAll("[^0-9]", "")) / (1024.0 * 1024.0))));
        return s.toString();
    }

    private static Optional<String> field(List<String> lines, String name) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return Optional.of(line.substring(colon + 1).trim());
            }
        }
        return Optional.empty();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
