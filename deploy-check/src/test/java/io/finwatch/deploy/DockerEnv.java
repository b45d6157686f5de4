package io.finwatch.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code ENV key=value ...} defaults of one stage of a Dockerfile. */
final class DockerEnv {
    private static final Pattern PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");

    private DockerEnv() {
    }

    static Map<String, String> of(Dockerfile d, int stage) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Dockerfile.Instruction i : d.inStage(stage, "ENV")) {
            Matcher m = PAIR.matcher(i.args());
            boolean any = false;
            while (m.find()) {
                String v = m.group(2);
                env.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
                any = true;
            }
            if (!any) {
                throw new AssertionError(d.name() + ":" + i.line() + ": ENV is not in key=value form: " + i.args());
            }
        }
        return env;
    }
}
