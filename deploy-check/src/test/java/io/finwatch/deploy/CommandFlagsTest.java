package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.config.KafkaStreamsProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Every option and FINWATCH_* / KAFKA_STREAMS_* variable the manifests (of every overlay) and the compose file give a
 * command is one that command has: the arguments are parsed by the command's own picocli model, with its converters.
 */
class CommandFlagsTest {
    private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    @ParameterizedTest(name = "{0}")
    @EnumSource(Overlay.class)
    void daemonSetArgumentsParseAsCollect(Overlay overlay) {
        JsonNode c = Manifests.container(overlay.one("DaemonSet", "finwatch-collector"), "collector");
        checkContainer(c, Commands.collect());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Overlay.class)
    void statefulSetArgumentsParseAsStreams(Overlay overlay) {
        JsonNode c = Manifests.container(overlay.one("StatefulSet", "finwatch-streams"), "streams");
        checkContainer(c, Commands.streams());
        assertThat(Manifests.env(c).keySet()).filteredOn(k -> k.startsWith(KafkaStreamsProperties.ENV_PREFIX))
                .allSatisfy(k -> assertThat(StreamsConfig.configDef().names())
                        .as("Kafka Streams property of %s", k)
                        .containsAll(KafkaStreamsProperties.fromEnvironment(Map.of(k, "")).keySet()));
    }

    @Test
    void composeCommandsParseAsTheirSubcommands() {
        JsonNode services = Manifests.compose().path("services");
        checkCompose(services.path("collector"), Commands.collect());
        checkCompose(services.path("streams"), Commands.streams());
    }

    @Test
    void aMisspelledOptionIsCaught() {
        // The check above is only as good as the parse: an option the command lacks must fail it.
        assertThatCode(() -> Commands.parse(Commands.collect(), List.of("--procfs=/host/proc"), Map.of()))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
        assertThatCode(() -> Commands.parse(Commands.streams(), List.of("--http=0.0.0.0"), Map.of()))
                .isInstanceOf(CommandLine.ParameterException.class);
    }

    private static void checkContainer(JsonNode container, CommandLine command) {
        List<String> args = Manifests.strings(container.path("args"));
        assertThat(container.has("command")).as("command would replace the image's ENTRYPOINT").isFalse();
        Map<String, JsonNode> env = Manifests.env(container);
        Map<String, String> samples = new LinkedHashMap<>();
        for (String a : args) {
            Matcher m = VAR_REF.matcher(a);
            while (m.find()) {
                // Kubernetes leaves $(X) as it is when the container defines no X.
                assertThat(env).as("env of %s for %s", container.path("name").asText(), a).containsKey(m.group(1));
                samples.put(m.group(1), "sample-" + m.group(1).toLowerCase());
            }
        }
        Commands.parse(command, args, samples);
        assertFinwatchEnv(env.keySet(), command);
    }

    private static void checkCompose(JsonNode service, CommandLine command) {
        List<String> args = Manifests.strings(service.path("command"));
        assertThat(args).isNotEmpty();
        Commands.parse(command, args, Map.of());
        assertFinwatchEnv(Manifests.stringMap(service.path("environment")).keySet(), command);
    }

    private static void assertFinwatchEnv(Iterable<String> names, CommandLine command) {
        assertThat(names).filteredOn(k -> k.startsWith("FINWATCH_"))
                .allSatisfy(k -> assertThat(Commands.envNames(command.getCommandSpec())).contains(k));
    }
}
