package io.finwatch.collector.buffer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a test main in a separate JVM with this JVM's classpath and Chronicle flags, so it can be kill -9'd. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** Logs INFO and up to stderr, keeping stdout for the child's protocol lines. */
    private static final String LOGBACK = """
            <configuration>
              <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
                <target>System.err</target>
                <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} -- %msg%n</pattern></encoder>
              </appender>
              <logger name="org.apache.kafka" level="WARN"/>
              <logger name="net.openhft" level="WARN"/>
              <root level="INFO"><appender-ref ref="ERR"/></root>
            </configuration>
            """;

    /** {@code stderr} receives the child's log; its directory also holds the child's logback config. */
    public static Process start(Class<?> main, Path stderr, String... args) throws IOException {
        return start(main, stderr, List.of(), args);
    }

    /** As {@link #start(Class, Path, String...)}, with extra JVM options (system properties) for the child. */
    public static Process start(Class<?> main, Path stderr, List<String> jvmOptions, String... args) throws IOException {
        Path logConfig = stderr.resolveSibling("child-logback.xml");
        Files.writeString(logConfig, LOGBACK);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dlogback.configurationFile=" + logConfig);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .start();
    }
}
