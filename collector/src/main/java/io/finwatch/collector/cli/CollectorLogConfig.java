package io.finwatch.collector.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The collector's logging, set up in code (found by logback as a service) rather than from a logback.xml.
 *
 * <p>Reading an XML configuration loads logback's Joran interpreter and the JDK's XML parser, ~600 classes that
 * stay loaded for the life of a daemon whose class metadata is half its memory (docs/benchmarks.md, "Session 11").
 * What it sets up is what the logback.xml it replaces did: one console appender on stderr, so that stdout carries
 * only data (snapshot tables, JSON lines); the root level from {@code FINWATCH_LOG_LEVEL} (default INFO) and the
 * Kafka clients' from {@code FINWATCH_KAFKA_LOG_LEVEL} (default WARN), each a system property or else an
 * environment variable, as logback's {@code ${NAME:-default}} looks them up; one line per failed connection
 * attempt of the Kafka network client only at ERROR (the publisher reports outages itself); Chronicle and the
 * HTTP server's start and stop lines at WARN.
 *
 * <p>An explicit configuration still wins: with {@code -Dlogback.configurationFile} (as {@code finwatch local}
 * and the tests' child JVMs set) or a {@code logback-test.xml} on the class path, this steps aside and logback
 * reads that file.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class CollectorLogConfig extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || CollectorLogConfig.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        context.getLogger("org.apache.kafka").setLevel(level("FINWATCH_KAFKA_LOG_LEVEL", Level.WARN));
        context.getLogger("org.apache.kafka.clients.NetworkClient").setLevel(Level.ERROR);
        context.getLogger("net.openhft").setLevel(Level.WARN);
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level("FINWATCH_LOG_LEVEL", Level.INFO));
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * A system property, else the environment variable, of that name. A value that is no level is said once on stderr
     * (there is no logger yet) and the default is used: logback itself would have made it DEBUG without a word.
     */
    static Level level(String name, Level unset) {
        String value = System.getProperty(name);
        if (value == null) {
            value = System.getenv(name);
        }
        if (value == null || value.isBlank()) {
            return unset;
        }
        Level level = Level.toLevel(value.trim(), null);
        if (level == null) {
            System.err.println("finwatch: " + name + "=" + value.trim() + " is not a log level (TRACE, DEBUG, INFO, WARN, "
                    + "ERROR, OFF); using " + unset);
            return unset;
        }
        return level;
    }
}
