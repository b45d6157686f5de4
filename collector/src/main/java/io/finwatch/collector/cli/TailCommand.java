package io.finwatch.collector.cli;

import io.finwatch.common.config.KafkaConnectionOptions;
import io.finwatch.common.kafka.BrokerUnreachable;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.Topics;
import io.finwatch.schemas.TransitionSource;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.serde.FinwatchSerdeException;
import io.finwatch.schemas.serde.RecordJson;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code finwatch tail}: finwatch records from Kafka, decoded. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints the records of finwatch topics decoded, as a readable table or JSON lines. Reads every "
                + "partition directly (no consumer group, no committed offsets). Records that are not finwatch records "
                + "are reported on stderr with their topic, partition and offset.")
public final class TailCommand implements Callable<Integer> {

    @Mixin
    KafkaConnectionOptions kafka;

    @Option(names = "--topic", paramLabel = "TOPIC", split = ",",
            defaultValue = Topics.TRANSITIONS + "," + Topics.HEARTBEATS + "," + Topics.ANOMALIES,
            description = "Topics to read (default: ${DEFAULT-VALUE}).")
    List<String> topics;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of the newest.")
    boolean fromBeginning;

    @Option(names = "--json", description = "One JSON object per record per line.")
    boolean json;

    @Option(names = "--max-records", paramLabel = "N", description = "Exit after printing N records.")
    Long maxRecords;

    @Option(names = "--idle-exit", paramLabel = "DURATION",
            description = "Exit once no record arrived for this long, e.g. 5s (default: follow forever).")
    Duration idleExit;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with option defaults.")
    Path config;

    @Override
    public Integer call() throws Exception {
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Looking a topic up must not create it on brokers that auto-create topics.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // Anomalies are written in transactions (exactly-once); show only committed ones.
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "finwatch-tail");
        FinwatchSerde serde = FinwatchSerde.shared();
        PrintStream out = System.out;
        AtomicBoolean stop = new AtomicBoolean();
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos;
                try {
                    infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                } catch (org.apache.kafka.common.errors.TimeoutException | org.apache.kafka.common.errors.AuthenticationException e) {
                    throw new IllegalStateException(BrokerUnreachable.explain(kafka.bootstrapServers(), "--bootstrap-servers", e), e);
                }
                if (infos == null || infos.isEmpty()) {
                    System.err.println("finwatch tail: topic '" + topic + "' does not exist (yet) at " + kafka.bootstrapServers());
                    continue;
                }
                infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
            if (partitions.isEmpty()) {
                return 2;
            }
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.set(true);
                consumer.wakeup();
            }));
            Instant lastRecord = Instant.now();
            while (!stop.get()) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    if (idleExit != null && Duration.between(lastRecord, Instant.now()).compareTo(idleExit) >= 0) {
                        break;
                    }
                    continue;
                }
                lastRecord = Instant.now();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    print(serde, r, out);
                    if (maxRecords != null && ++printed >= maxRecords) {
                        out.flush();
                        return 0;
                    }
                }
                out.flush();
            }
        } catch (org.apache.kafka.common.errors.WakeupException stopping) {
            // Ctrl-C
        }
        return 0;
    }

    /** An unresolvable broker name fails already here ("Failed to construct kafka consumer"): say which and why. */
    private KafkaConsumer<byte[], byte[]> consumer(Properties props) {
        try {
            return new KafkaConsumer<>(props);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException(BrokerUnreachable.explain(kafka.bootstrapServers(), "--bootstrap-servers", e), e);
        }
    }

    private void print(FinwatchSerde serde, ConsumerRecord<byte[], byte[]> r, PrintStream out) {
        SpecificRecord rec;
        try {
            rec = serde.decodeAny(r.value());
        } catch (FinwatchSerdeException e) {
            // The message says what the bytes are not: a finwatch record at all, one of a schema this build lacks, whole.
            System.err.printf("finwatch tail: %s partition %d offset %d: %s%n",
                    r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        out.println(json ? RecordJson.toJsonString(rec) : TailFormat.line(rec));
    }

    /** One readable line per record. */
    static final class TailFormat {
        private TailFormat() {
        }

        static String line(SpecificRecord rec) {
            if (rec instanceof SocketTransition t) {
                return String.format("%s %-12s transition %s netns=%d %s -> %s  %s -> %s%s%s%s",
                        t.getObservedAt(), t.getHost(), identity(t.getEpoch(), t.getSeq()), t.getNetns(),
                        endpoint(t.getFamily(), t.getLocalIp(), t.getLocalPort()),
                        endpoint(t.getFamily(), t.getRemoteIp(), t.getRemotePort()),
                        t.getFromState() == null ? "(new)" : t.getFromState(), t.getToState(),
                        t.getOrphaned() ? " orphaned" : "",
                        t.getPid() != null ? " pid=" + t.getPid() + " comm=" + t.getComm()
                                : t.getLastOwner() != null ? " was pid=" + t.getLastOwner().getPid() + " comm=" + t.getLastOwner().getComm() : "",
                        kernelFacts(t));
            }
            if (rec instanceof CollectorHeartbeat h) {
                return String.format("%s %-12s heartbeat  %s sockets=%d fin_wait2 attached=%d orphaned=%d poll=%dms namespaces=%d%s%s",
                        h.getObservedAt(), h.getHost(), identity(h.getEpoch(), h.getSeq()), h.getSocketsSeen(),
                        h.getFinWait2Attached(), h.getFinWait2Orphaned(), h.getPollDurationUs() / 1000,
                        h.getNamespaces().size(), shed(h), lost(h));
            }
            if (rec instanceof FinWait2Anomaly a) {
                return String.format("%s %-12s %-16s %s%s%s%s",
                        a.getDetectedAt(), a.getHost(), a.getKind(), a.getReason(),
                        a.getLocalIp() == null ? "" : " " + endpoint(a.getFamily() == null ? 4 : a.getFamily(), a.getLocalIp(), a.getLocalPort())
                                + " -> " + endpoint(a.getFamily() == null ? 4 : a.getFamily(), a.getRemoteIp(), a.getRemotePort()),
                        a.getPid() == null ? "" : " pid=" + a.getPid() + " comm=" + a.getComm(),
                        a.getDwellMs() == null ? "" : " dwell=" + a.getDwellMs() + "ms");
            }
            return RecordJson.toJsonString(rec);
        }

        /** The event's name, (epoch, seq): a run's numbers are only unique within its epoch. */
        private static String identity(long epoch, long seq) {
            return String.format("epoch=%d seq=%-8d", epoch, seq);
        }

        private static String shed(CollectorHeartbeat h) {
            StringBuilder sb = new StringBuilder();
            for (SeqRange r : h.getShedRanges()) {
                sb.append(sb.length() == 0 ? " SHED " : ",").append(range(r.getFirst(), r.getLast()));
            }
            return sb.toString();
        }

        /** Numbers lost from the collector's buffer, by run: "LOST epoch 17..20 BUFFER_CORRUPT". */
        private static String lost(CollectorHeartbeat h) {
            if (h.getLostRanges() == null) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            for (LostRange r : h.getLostRanges()) {
                sb.append(sb.length() == 0 ? " LOST " : ",").append("epoch=").append(r.getEpoch()).append(' ')
                        .append(range(r.getFirst(), r.getLast())).append(' ').append(r.getCause());
            }
            return sb.toString();
        }

        private static String range(long first, long last) {
            return first == last ? Long.toString(first) : first + ".." + last;
        }

        /** The kernel's facts a transition carries (collectors from SocketTransition v3 on); empty before. */
        private static String kernelFacts(SocketTransition t) {
            StringBuilder b = new StringBuilder();
            if (t.getShutdown() != null) {
                b.append(" shutdown=").append(t.getShutdown());
            }
            if (t.getStateSinceMs() != null) {
                b.append(" since=").append(Instant.ofEpochMilli(t.getStateSinceMs())).append(' ')
                        .append(t.getStateSinceSource());
            }
            if (t.getRecvQ() != null) {
                b.append(" recv_q=").append(t.getRecvQ()).append(" send_q=").append(t.getSendQ());
            }
            if (t.getReapAtMs() != null) {
                b.append(" reap_at=").append(Instant.ofEpochMilli(t.getReapAtMs()));
            }
            if (t.getSource() == TransitionSource.DESTROY) {
                // The time on the line is then the socket's end, told by the kernel as it happened.
                b.append(t.getSeenOnlyAtDestruction() ? " source=DESTROY seen_only_at_destruction" : " source=DESTROY");
            }
            return b.toString();
        }

        private static String endpoint(int family, String ip, Integer port) {
            return (family == 6 ? "[" + ip + "]" : ip) + ":" + port;
        }
    }
}
