package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.common.config.LayeredDefaults;
import io.finwatch.deploy.Dockerfile.Instruction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The images run what the launcher runs, are built the way the launcher builds, and describe themselves. */
class ImagesTest {

    private static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";

    static Stream<Arguments> images() {
        return Stream.of(Arguments.of("collector", "collect"), Arguments.of("streams", "streams"));
    }

    private static Dockerfile dockerfile(String module) {
        String name = "docker/" + module + ".Dockerfile";
        return Dockerfile.parse(name, Repo.read(name));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void entrypointIsTheLaunchersJvmFlagsMainClassAndSubcommand(String module, String subcommand) {
        Launcher launcher = Launcher.read();
        Launcher.Target target = launcher.subcommands().get(subcommand);
        assertThat(target).as("launcher branch for %s", subcommand).isNotNull();
        assertThat(target.module()).isEqualTo(module);

        List<String> entry = dockerfile(module).entrypoint();
        int cp = entry.indexOf("-cp");
        assertThat(entry.get(0)).isEqualTo("java");
        assertThat(cp).as("-cp in %s", entry).isPositive();
        assertThat(entry.subList(1, cp).stream().filter(f -> !f.startsWith(SHARED_ARCHIVE)).toList()).as("JVM flags")
                .containsExactlyElementsOf(launcher.chronicleFlags());
        assertThat(entry.subList(cp + 2, entry.size())).as("main class and subcommand")
                .containsExactly(target.mainClass(), subcommand);
        // The subcommand must exist in that main class's command tree.
        assertThat(Commands.root(target.mainClass()).getSubcommands()).containsKey(subcommand);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void buildsTheModuleWithMavenAndCopiesItsJarAndLibraries(String module, String subcommand) {
        Dockerfile d = dockerfile(module);
        List<Instruction> froms = d.all("FROM");
        assertThat(froms).hasSize(2);
        assertThat(froms.get(0).args()).isEqualTo("maven:3.9-eclipse-temurin-17 AS build");
        assertThat(froms.get(1).args()).isEqualTo("eclipse-temurin:17-jre");
        assertThat(d.inStage(0, "RUN")).extracting(Instruction::args)
                .anySatisfy(run -> assertThat(run).contains("mvn -B -DskipTests package -pl " + module + " -am"));

        String jar = "/opt/finwatch/finwatch-" + module + ".jar";
        List<String> copies = d.inStage(1, "COPY").stream().map(Instruction::args).toList();
        assertThat(copies).contains("--from=build /src/" + module + "/target/finwatch-" + module + ".jar " + jar,
                "--from=build /src/" + module + "/target/lib/ /opt/finwatch/lib/");
        List<String> entry = d.entrypoint();
        assertThat(entry.get(entry.indexOf("-cp") + 1)).isEqualTo(jar + ":/opt/finwatch/lib/*");
    }

    @Test
    void collectorImageRunsWithTheLaunchersDaemonJvmFlags() {
        Dockerfile d = dockerfile("collector");
        String options = DockerEnv.of(d, d.lastStage()).get("JDK_JAVA_OPTIONS");
        assertThat(options).as("JDK_JAVA_OPTIONS of the collector image").isNotNull();
        assertThat(List.of(options.trim().split("\\s+"))).containsExactlyElementsOf(Launcher.read().collectFlags());
    }

    /**
     * The collector image maps the class archive its own final stage wrote (collector/class-archive), with the
     * ENTRYPOINT's class path and other JVM flags, after the jars and JDK_JAVA_OPTIONS are in place: an archive
     * written for another class path or JVM would be refused at every start.
     */
    @Test
    void collectorImageMapsTheClassArchiveItsFinalStageWrote() {
        Dockerfile d = dockerfile("collector");
        int last = d.lastStage();
        List<String> entry = d.entrypoint();
        int cp = entry.indexOf("-cp");
        List<String> archives = entry.subList(1, cp).stream().filter(f -> f.startsWith(SHARED_ARCHIVE)).toList();
        assertThat(archives).as("ENTRYPOINT's class archive").hasSize(1);
        String archive = archives.get(0).substring(SHARED_ARCHIVE.length());
        List<String> otherFlags = entry.subList(1, cp).stream().filter(f -> !f.startsWith(SHARED_ARCHIVE)).toList();

        assertThat(d.inStage(last, "COPY")).extracting(Instruction::args).contains("collector/class-archive /opt/finwatch/class-archive");
        List<Instruction> runs = d.inStage(last, "RUN").stream().filter(r -> r.args().startsWith("/opt/finwatch/class-archive ")).toList();
        assertThat(runs).as("RUN of the class archive script").hasSize(1);
        Instruction run = runs.get(0);
        List<String> words = List.of(run.args().split("\\s+"));
        assertThat(words.get(1)).as("the archive written").isEqualTo(archive);
        assertThat(words.get(2)).as("its class path").isEqualTo("\"" + entry.get(cp + 1) + "\"");
        assertThat(words.subList(3, words.size())).as("its JVM flags").containsExactlyElementsOf(otherFlags);
        int jars = d.inStage(last, "COPY").stream().filter(c -> c.args().contains("/opt/finwatch/")).mapToInt(Instruction::line)
                .max().orElseThrow();
        int options = d.inStage(last, "ENV").stream().filter(e -> e.args().contains("JDK_JAVA_OPTIONS=")).mapToInt(Instruction::line)
                .max().orElseThrow();
        assertThat(run.line()).as("after the jars, the script and JDK_JAVA_OPTIONS").isGreaterThan(jars).isGreaterThan(options);
    }

    /** The DaemonSet (of every overlay) and compose replace the image's JDK_JAVA_OPTIONS; all but its heap sizes must stay. */
    @Test
    void collectorDeploymentsKeepTheLaunchersJitAndGcFlags() {
        List<String> jitAndGc = Launcher.read().collectFlags().stream().filter(f -> !f.startsWith("-Xm")).toList();
        assertThat(jitAndGc).isNotEmpty();
        List<String> all = new ArrayList<>();
        for (Overlay overlay : Overlay.values()) {
            JsonNode ds = Manifests.container(overlay.one("DaemonSet", "finwatch-collector"), "collector");
            all.add(Manifests.env(ds).get("JDK_JAVA_OPTIONS").path("value").asText());
        }
        all.add(Manifests.compose().path("services").path("collector").path("environment").path("JDK_JAVA_OPTIONS").asText());
        for (String options : all) {
            assertThat(List.of(options.trim().split("\\s+"))).containsAll(jitAndGc);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void healthcheckProbesTheListenAddressItExposes(String module, String subcommand) {
        Dockerfile d = dockerfile(module);
        int last = d.lastStage();
        CommandLine command = subcommand.equals("collect") ? Commands.collect() : Commands.streams();
        String option = subcommand.equals("collect") ? "--metrics" : "--http";
        String envName = LayeredDefaults.envName(command.getCommandSpec().findOption(option));

        Map<String, String> env = DockerEnv.of(d, last);
        assertThat(env).containsKey(envName);
        String healthcheck = d.lastInStage(last, "HEALTHCHECK").orElseThrow().args();
        assertThat(healthcheck).contains("CMD /opt/finwatch/healthz \"$" + envName + "\"");
        assertThat(d.inStage(last, "EXPOSE")).extracting(Instruction::args)
                .containsExactly(String.valueOf(Args.port(env.get(envName))));
        // The probe script comes from the build context, so .dockerignore must let it through.
        assertThat(d.inStage(last, "COPY")).extracting(Instruction::args).contains("docker/healthz /opt/finwatch/healthz");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void everyFinwatchEnvDefaultIsAnOptionOfTheCommand(String module, String subcommand) {
        Dockerfile d = dockerfile(module);
        CommandLine command = subcommand.equals("collect") ? Commands.collect() : Commands.streams();
        assertThat(DockerEnv.of(d, d.lastStage()).keySet()).filteredOn(k -> k.startsWith("FINWATCH_"))
                .isNotEmpty()
                .allSatisfy(k -> assertThat(Commands.envNames(command.getCommandSpec())).contains(k));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void carriesOciLabels(String module, String subcommand) {
        Dockerfile d = dockerfile(module);
        String labels = String.join(" ", d.inStage(d.lastStage(), "LABEL").stream().map(Instruction::args).toList());
        assertThat(labels).contains("org.opencontainers.image.title=\"finwatch-" + module + "\"",
                "org.opencontainers.image.version=", "org.opencontainers.image.description=",
                "org.opencontainers.image.revision=");
    }

    @Test
    void streamsRunsAsANumericNonRootUserAndTheCollectorAsUid0() {
        Dockerfile streams = dockerfile("streams");
        String user = streams.lastInStage(streams.lastStage(), "USER").orElseThrow().args();
        assertThat(user).matches("\\d+:\\d+");
        assertThat(Integer.parseInt(user.substring(0, user.indexOf(':')))).isPositive();

        Dockerfile collector = dockerfile("collector");
        assertThat(collector.lastInStage(collector.lastStage(), "USER").orElseThrow().args()).isEqualTo("0:0");
    }
}
