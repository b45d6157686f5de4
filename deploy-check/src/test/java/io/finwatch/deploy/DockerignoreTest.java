package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The build context keeps what Maven reads and what the images copy, and leaves out build output. */
class DockerignoreTest {
    private final List<String> patterns = Repo.read(".dockerignore").lines().map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

    @Test
    void leavesOutBuildOutputAndGitData() {
        assertThat(patterns).contains("**/target", ".git");
    }

    @Test
    void keepsEveryMavenModule() {
        // `mvn -pl <module> -am` reads every module's pom of the reactor.
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Repo.read("pom.xml"));
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertThat(modules).isNotEmpty().allSatisfy(module -> assertThat(excluded(module)).as(module).isFalse());
    }

    @Test
    void keepsTheFilesTheRuntimeStagesCopyFromTheContext() {
        for (String module : List.of("collector", "streams")) {
            String name = "docker/" + module + ".Dockerfile";
            Dockerfile d = Dockerfile.parse(name, Repo.read(name));
            d.inStage(d.lastStage(), "COPY").stream().map(Dockerfile.Instruction::args)
                    .filter(a -> !a.startsWith("--from="))
                    .forEach(a -> assertThat(excluded(a.split("\\s+")[0])).as("%s: COPY %s", name, a).isFalse());
        }
    }

    /** Whether the last matching pattern excludes {@code path}; plain names and directory prefixes only. */
    private boolean excluded(String path) {
        boolean out = false;
        for (String p : patterns) {
            boolean negate = p.startsWith("!");
            String pat = negate ? p.substring(1) : p;
            pat = pat.endsWith("/") ? pat.substring(0, pat.length() - 1) : pat;
            if (path.equals(pat) || path.startsWith(pat + "/")) {
                out = !negate;
            }
        }
        return out;
    }
}
