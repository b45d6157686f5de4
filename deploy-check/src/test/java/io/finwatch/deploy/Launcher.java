package io.finwatch.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@code ./finwatch} launcher runs, read from the script itself so that the images cannot drift from it:
 * its JVM flags and, per subcommand, the module and main class.
 */
final class Launcher {
    private static final Pattern FLAGS = Pattern.compile("(?m)^CHRONICLE_FLAGS=\"([^\"]*)\"");
    private static final Pattern COLLECT_FLAGS = Pattern.compile("(?m)^COLLECT_FLAGS=\"([^\"]*)\"");
    /** A case branch such as {@code snapshot|collect|tail) module=collector; main=io.finwatch...CollectorMain ;;}. */
    private static final Pattern BRANCH = Pattern.compile("(?m)^\\s*([a-z|]+)\\)\\s*module=(\\w+);\\s*main=([\\w.]+)");

    record Target(String module, String mainClass) {
    }

    private final String script;

    private Launcher(String script) {
        this.script = script;
    }

    static Launcher read() {
        return new Launcher(Repo.read("finwatch"));
    }

    List<String> chronicleFlags() {
        Matcher m = FLAGS.matcher(script);
        if (!m.find()) {
            throw new IllegalStateException("no CHRONICLE_FLAGS=\"...\" line in the finwatch launcher");
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** The JVM flags the launcher adds for the collector daemon only. */
    List<String> collectFlags() {
        Matcher m = COLLECT_FLAGS.matcher(script);
        if (!m.find()) {
            throw new IllegalStateException("no COLLECT_FLAGS=\"...\" line in the finwatch launcher");
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }

    Map<String, Target> subcommands() {
        Map<String, Target> out = new LinkedHashMap<>();
        Matcher m = BRANCH.matcher(script);
        while (m.find()) {
            for (String sub : m.group(1).split("\\|")) {
                out.put(sub, new Target(m.group(2), m.group(3)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no 'cmd) module=...; main=...' branch in the finwatch launcher");
        }
        return out;
    }
}
