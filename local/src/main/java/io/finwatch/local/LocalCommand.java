package io.finwatch.local;

import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.ChroniclePosix;
import io.finwatch.collector.cli.CollectCommand;
import io.finwatch.collector.cli.HostName;
import io.finwatch.collector.cli.SocketReadOptions;
import io.finwatch.collector.cli.Version;
import io.finwatch.collector.daemon.CollectorDaemon;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.publish.PublisherSettings;
import io.finwatch.common.config.Cli;
import io.finwatch.common.config.Converters;
import io.finwatch.common.config.HostPort;
import io.finwatch.streams.app.StreamsApp;
import io.finwatch.streams.app.StreamsAppConfig;
import io.finwatch.streams.cli.DetectorOptions;
import io.finwatch.streams.config.BoundedRocksDb;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.query.ApiSecurity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code finwatch local}: the whole pipeline on this machine in one process. A single-node broker, the collector
 * on this host's /proc and the detector with its API and dashboard, all keeping their data under one home
 * directory, so that stopping and starting again resumes with the same history.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Runs finwatch on this machine alone: an embedded single-node Kafka broker, the collector on this "
                + "host's /proc and the detector with its query API and dashboard, all in one process, with their data "
                + "under --home. Prints where to look, then one line per anomaly as it happens. Ctrl-C stops it; the "
                + "next start resumes with the same history.")
final class LocalCommand implements Callable<Integer> {
    /** The startup steps wait for the broker and Kafka Streams; a slow first start (formatting, topics) fits. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Streams commits within its own 60 s close timeout; past this the process ends regardless. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(90);
    private static final String APPLICATION_ID = "finwatch-local";

    @Spec
    CommandSpec spec;

    @Option(names = "--home", defaultValue = "${sys:user.home}/.finwatch", paramLabel = "DIR",
            description = "Where the broker log, the collector buffer, the detector state and the log file live "
                    + "(also FINWATCH_HOME; default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT",
            description = "Port of the embedded broker on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--http", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
            description = "Where the dashboard, the query API, /metrics and /healthz listen (default: ${DEFAULT-VALUE}).")
    HostPort http;

    @Option(names = "--http-token", paramLabel = "TOKEN",
            description = "Require Authorization: Bearer TOKEN on every HTTP path but /healthz and the dashboard page, as "
                    + "'finwatch streams' does (also FINWATCH_HTTP_TOKEN, which keeps it out of ps; ./finwatch query reads "
                    + "the same variable). Default: none.")
    String httpToken;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "How often the collector polls /proc (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Mixin
    SocketReadOptions read;

    @Mixin
    DetectorOptions detector;

    @Option(names = "--host", paramLabel = "NAME", description = "Host name on the events (default: this machine's name).")
    String host;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with option defaults.")
    Path config;

    @Override
    public Integer call() throws Exception {
        // As collect does: the buffer never calls Chronicle's native POSIX binding, and loading it costs ~3 MB.
        ChroniclePosix.skipNativeBinding();
        Converters.requirePositive(interval, "--interval");
        if (kafkaPort < 1 || kafkaPort > 65535) {
            throw Cli.usageError(spec, "--kafka-port must be a port from 1 to 65535, not " + kafkaPort);
        }
        String token = httpToken == null || httpToken.isEmpty() ? null : httpToken;
        StreamsSettings settings;
        try {
            settings = detector.applyTo(StreamsSettings.builder()).build();
        } catch (IllegalArgumentException e) {
            throw Cli.usageError(spec, e.getMessage());
        }
        // Before anything starts: a wrong procfs root is one clear line, not a broker to stop again.
        Procfs proc = read.procfs();
        SocketSource.Kind source = read.source();
        long t0 = System.nanoTime();
        FinwatchHome dir = FinwatchHome.open(home);
        Lifecycle lifecycle = new Lifecycle();
        try {
            Ports.requireFree("127.0.0.1", kafkaPort, "--kafka-port");
            Ports.requireFree(http.host(), http.port(), "--http");
            Files.createDirectories(dir.logs());
            Path logFile = dir.logs().resolve("local.log");
            LocalLog.toFile(logFile);
            Logger log = LoggerFactory.getLogger(LocalCommand.class);
            Cli.logEffectiveConfig(spec, log, Map.of("--source", source));

            String hostName = host != null ? host : HostName.detect(proc);
            LocalBroker broker = lifecycle.started("broker", LocalBroker.start(dir.kafka(), kafkaPort, START_TIMEOUT));
            StreamsApp streams = lifecycle.started("detector", StreamsApp.start(streamsConfig(settings, broker, dir, token),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
            lifecycle.started("anomaly printer", AnomalyPrinter.start(broker.bootstrapServers(), settings.anomaliesTopic(),
                    System.out, ZoneId.systemDefault()));
            Files.createDirectories(dir.buffer());
            lifecycle.started("collector", new CollectorDaemon(new CollectorDaemon.Settings(proc, source, interval,
                    CollectorDaemon.DEFAULT_FULL_SCAN_EVERY, read.owners(), hostName,
                    CollectCommand.defaultCollectorId(hostName, dir.buffer()), BufferSettings.defaults(dir.buffer()),
                    PublisherSettings.defaults(broker.bootstrapServers()), new HostPort("127.0.0.1", 0), Version.current(),
                    true, read.netns()),
                    Clock.systemUTC()).start());
            awaitRunning(streams);

            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(lifecycle, dir, log), "finwatch-shutdown"));
            printBanner(System.out, (System.nanoTime() - t0) / 1e9, broker.bootstrapServers(), dir, logFile, hostName, token != null);
            // Returns when the hook closed the detector, or when a stream thread failed (then the exit runs the hook).
            return streams.awaitTermination() ? 1 : 0;
        } catch (Exception | Error e) {
            lifecycle.stopAll();
            dir.close();
            throw e;
        }
    }

    /**
     * One host's detector: its stores hold one host's sockets, so the record cache and RocksDB's shared budget are
     * a quarter of a fleet instance's. {@code KAFKA_STREAMS_*} variables still override them.
     */
    static final Map<String, String> ONE_HOST_STREAMS = Map.of(
            // One partition: one task per sub-topology, which one thread runs; a second would only poll.
            StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1",
            StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(16L << 20),
            BoundedRocksDb.MEMORY_BYTES_CONFIG, Long.toString(16L << 20),
            // Idle, the detector still runs a punctuation every second, and each one makes Streams commit: a
            // transaction per second was most of local's CPU at rest. Every 10 s instead; an anomaly asks for
            // its own commit (DetectorProcessor), so it is printed at once all the same.
            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "10000",
            // One heartbeat a second arrives anyway; a fetch waiting for data need not be renewed twice a second.
            StreamsConfig.MAIN_CONSUMER_PREFIX + ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5000",
            // An idle stream thread woke every 100 ms (Kafka Streams' default) to find nothing to do. It now waits up
            // to a second, or until a punctuation has work (a deadline, a silence, a held heartbeat, a fold), which
            // the processors tell the main consumer through a PunctuationAlarm: a STUCK is as prompt as before.
            StreamsConfig.POLL_MS_CONFIG, "1000");

    private StreamsAppConfig streamsConfig(StreamsSettings settings, LocalBroker broker, FinwatchHome dir, String token) {
        Map<String, String> owned = Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID,
                StreamsConfig.STATE_DIR_CONFIG, dir.streams().toString(),
                StreamsConfig.APPLICATION_SERVER_CONFIG, http.toString(),
                // One detector per home (FinwatchHome's lock): a static member, so a start after a crash takes its task
                // back at once instead of waiting for the dead member's session to time out.
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, APPLICATION_ID);
        return StreamsAppConfig.builder(settings, KafkaStreamsProperties.assemble(ONE_HOST_STREAMS, "local's defaults",
                        KafkaStreamsProperties.fromEnvironment(System.getenv()), owned))
                .http(http)
                // One partition: one host's events, one stream thread.
                .topics(true, 1, (short) 1)
                .security(token == null ? ApiSecurity.NONE : new ApiSecurity(token, null, null, null, null))
                .build();
    }

    private static void awaitRunning(StreamsApp streams) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the detector stopped while starting (" + streams.state() + "); see the log");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the detector did not reach RUNNING within " + START_TIMEOUT.toSeconds()
                        + " s (still " + streams.state() + "); see the log");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** Runs on SIGINT/SIGTERM and on exit; a watchdog bounds it, so a hung component cannot keep the process. */
    private static void stop(Lifecycle lifecycle, FinwatchHome dir, Logger log) {
        Thread watchdog = new Thread(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(STOP_BOUND.toMillis());
                log.error("stopping took longer than {} s; exiting without waiting further", STOP_BOUND.toSeconds());
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException done) {
                // stopped in time
            }
        }, "finwatch-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.println("finwatch local: stopping (collector, anomaly printer, detector, broker)...");
        lifecycle.stopAll();
        try {
            dir.close();
        } catch (java.io.IOException e) {
            log.warn("releasing the lock on {}: {}", dir.root(), e.toString());
        }
        watchdog.interrupt();
        System.out.println("finwatch local: stopped; data kept in " + dir.root());
        System.out.flush();
    }

    private void printBanner(PrintStream out, double seconds, String bootstrap, FinwatchHome dir, Path logFile, String hostName,
                             boolean tokenRequired) {
        String base = "http://" + http;
        out.printf("finwatch local ready in %.1f s%n", seconds);
        out.println("  dashboard  " + base + "/" + (tokenRequired ? "   (asks for the token)" : ""));
        if (tokenRequired) {
            out.println("  token      required on the API and /metrics: Authorization: Bearer, or FINWATCH_HTTP_TOKEN for ./finwatch query");
        }
        out.println("  API        " + base + "/api/anomalies   (also /api/hosts, /api/top/processes; see docs/api.md)");
        out.println("  query      ./finwatch query anomalies --url " + base + "   (also hosts, finwait2 HOST, processes HOST, top)");
        out.println("  kafka      " + bootstrap + "   (./finwatch tail --bootstrap-servers " + bootstrap + ")");
        out.println("  home       " + dir.root() + "   (log: " + logFile + ")");
        out.println("watching host '" + hostName + "' every " + interval.toMillis() + " ms; anomalies appear below as they "
                + "happen. Try: " + sudoUnlessRoot(System.getProperty("user.name")) + "./finwatch repro --netns   (Ctrl-C stops)");
        out.flush();
    }

    /**
     * {@code repro --netns} creates a network namespace, which needs root; a root shell (a container, a CI machine)
     * often has no sudo at all, so it is suggested only to other users.
     */
    static String sudoUnlessRoot(String user) {
        return "root".equals(user) ? "" : "sudo ";
    }
}
