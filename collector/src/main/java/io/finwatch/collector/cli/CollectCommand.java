package io.finwatch.collector.cli;

import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.ChroniclePosix;
import io.finwatch.collector.buffer.EventKind;
import io.finwatch.collector.daemon.CollectorDaemon;
import io.finwatch.collector.kube.KubernetesAccess;
import io.finwatch.collector.kube.NodePods;
import io.finwatch.collector.track.PodPort;
import io.finwatch.collector.publish.PublisherSettings;
import io.finwatch.common.config.Cli;
import io.finwatch.common.config.Converters;
import io.finwatch.common.config.HostPort;
import io.finwatch.common.config.KafkaConnectionOptions;
import io.finwatch.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code finwatch collect}: the collector daemon. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Polls every network namespace's TCP table, buffers the changes in a local Chronicle Queue and "
                + "publishes them to Kafka. Survives Kafka outages (the buffer grows, up to --buffer-max-bytes) and "
                + "crashes (it resumes from the last acknowledged event). Every option can also be set in the --config "
                + "file or as FINWATCH_<OPTION> in the environment (e.g. FINWATCH_BOOTSTRAP_SERVERS).")
public final class CollectCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(CollectCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    SocketReadOptions read;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "Poll interval, e.g. 500ms, 1s, 5s (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--full-scan-every", defaultValue = "10s", paramLabel = "DURATION",
            description = "How often ESTABLISHED and LISTEN sockets are read too. In between, a poll asks the kernel "
                    + "(netlink) only for sockets in the other states, those opening or closing, FIN_WAIT2 among "
                    + "them, which costs a fraction of a whole table on a busy host. So a new connection is reported "
                    + "up to this late, and an orphan's last owner is known only if the connection was seen before "
                    + "it was closed. 0 reads every socket at every poll; the /proc text source always does "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration fullScanEvery;

    @Mixin
    KafkaConnectionOptions kafka;

    // Declared by its positive name, as --owners is (picocli would give --no-destroy-events the opposite meaning).
    @Option(names = "--destroy-events", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Listen to the kernel's TCP destroy notifications in every namespace (netlink source only): "
                    + "a socket's end gets its exact time, and a socket that lived and died between two polls is "
                    + "reported. --no-destroy-events leaves ends to polling (default: on).")
    boolean destroyEvents;

    // Declared by its positive name, as --destroy-events is.
    @Option(names = "--state-feed", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Read the kernel's TCP state changes (tracepoint sock:inet_sock_set_state through "
                    + "perf_event_open; netlink source only), so that a poll between whole reads skips every "
                    + "namespace where no socket entered or left a closing state: at 200k quiet sockets a poll "
                    + "then costs no walk of the kernel's tables. Needs CAP_PERFMON (or CAP_SYS_ADMIN) and tracefs "
                    + "at /sys/kernel/tracing; without them, one warning, finwatch_state_feed_active 0, and every "
                    + "namespace is read at every poll. --no-state-feed turns it off (default: on).")
    boolean stateFeed;


    @Option(names = "--transitions-topic", defaultValue = Topics.TRANSITIONS,
            description = "Topic for socket transitions (default: ${DEFAULT-VALUE}).")
    String transitionsTopic;

    @Option(names = "--heartbeats-topic", paramLabel = "TOPIC",
            description = "Topic for collector heartbeats (default: the transitions topic, where each heartbeat follows "
                    + "the transitions of its poll in the host's partition). Detectors of releases before heartbeats "
                    + "moved there read them only from " + Topics.HEARTBEATS + ": name it while such detectors run.")
    String heartbeatsTopic;

    @Option(names = "--buffer-dir", defaultValue = "${sys:user.home}/.finwatch/buffer", paramLabel = "DIR",
            description = "Chronicle Queue directory; one per collector (default: ${DEFAULT-VALUE}).")
    Path bufferDir;

    @Option(names = "--buffer-max-bytes", defaultValue = "256m", paramLabel = "SIZE",
            description = "Cap on unacknowledged events on disk. Past it, new transitions are dropped, counted, and "
                    + "reported as a gap in the next heartbeat (default: ${DEFAULT-VALUE}).")
    String bufferMaxBytes;

    @Option(names = "--host", paramLabel = "NAME",
            description = "Host name put on every event and used as the Kafka key (default: this machine's name; "
                    + "in Kubernetes set FINWATCH_HOST from spec.nodeName).")
    String host;

    @Option(names = "--collector-id", paramLabel = "ID",
            description = "Stable collector identity (default: derived from the host name and the buffer dir).")
    String collectorId;

    @Option(names = "--metrics", defaultValue = "127.0.0.1:9404", paramLabel = "HOST:PORT",
            description = "Where /metrics and /healthz are served (default: ${DEFAULT-VALUE}).")
    HostPort metrics;

    // Declared by its positive name, as --owners is (picocli would give a switch declared as --no-conntrack the
    // opposite meaning). Also FINWATCH_CONNTRACK=false, or conntrack=false in a --config file.
    @Option(names = "--conntrack", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Look up each socket newly seen in a closing state (FIN_WAIT1 to LAST_ACK, CLOSE_WAIT) in "
                    + "conntrack, in its own namespace and the host's, so its peer can be paired through NAT; needs "
                    + "CAP_NET_ADMIN (without it, one warning and finwatch_conntrack_lookups_denied). --no-conntrack "
                    + "turns the lookups off (default: on).")
    boolean conntrack;
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "kubeconfig for reaching the Kubernetes API, to name pods, containers and workloads and read "
                    + "pods' own tcp_fin_timeout. Without it, the pod's service account is used when running in a "
                    + "cluster; outside one, pods are known by the UIDs of their cgroups only.")
    Path kubeconfig;

    @Option(names = "--node-name", defaultValue = "${env:NODE_NAME}", paramLabel = "NAME",
            description = "The Kubernetes node whose pods are watched (default: NODE_NAME, which the DaemonSet sets "
                    + "from spec.nodeName through the downward API).")
    String nodeName;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with option defaults.")
    Path config;

    @Override
    public Integer call() throws Exception {
        ChroniclePosix.skipNativeBinding();
        Converters.requirePositive(interval, "--interval");
        Converters.requireNotNegative(fullScanEvery, "--full-scan-every");
        long maxBytes = Converters.bytes(bufferMaxBytes);
        String hostName = host != null ? host : HostName.detect(read.procfs());
        Path dir = bufferDir.toAbsolutePath().normalize();
        String id = collectorId != null ? collectorId : defaultCollectorId(hostName, dir);
        String heartbeats = heartbeatsTopic != null ? heartbeatsTopic : transitionsTopic;
        Cli.logEffectiveConfig(spec, log, Map.of("--source", read.source(), "--heartbeats-topic", heartbeats));

        Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        topics.put(EventKind.TRANSITION, transitionsTopic);
        topics.put(EventKind.HEARTBEAT, heartbeats);
        PublisherSettings publisher = PublisherSettings.defaults(kafka.bootstrapServers())
                .withProducerOverrides(kafka.clientProperties())
                .withTopics(topics);
        BufferSettings buffer = BufferSettings.defaults(dir).withMaxBytes(maxBytes, BufferSettings.DEFAULT_HEARTBEAT_HEADROOM_BYTES);
        Files.createDirectories(dir);

        NodePods pods = KubernetesAccess.open(kubeconfig, nodeName, System.getenv());
        CollectorDaemon daemon = new CollectorDaemon(new CollectorDaemon.Settings(read.procfs(),
                read.source(), interval, fullScanEvery, read.owners(),
                hostName, id, buffer, publisher, metrics, Version.current(), conntrack, read.netns(),
                pods == null ? PodPort.NONE : pods, destroyEvents, stateFeed),
                Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("stopping (signal)");
            daemon.close();
            stopped.countDown();
        }, "finwatch-shutdown");
        daemon.start();
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    /** host + a digest of the buffer dir: stable across restarts, distinct for two collectors on one host. */
    public static String defaultCollectorId(String host, Path bufferDir) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bufferDir.toString().getBytes(StandardCharsets.UTF_8));
            return host + "-" + HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
