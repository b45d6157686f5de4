package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finwatch.common.config.Cli;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.LossCause;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import io.finwatch.schemas.Topics;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.testkit.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code finwatch tail} against a real broker: finwatch records decoded, anything else named and skipped. */
class TailCommandTest {
    private static final String TOPIC = Topics.TRANSITIONS;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void produce() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(TOPIC, 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, transition(1, TcpState.FIN_WAIT2)));
            producer.send(new ProducerRecord<>(TOPIC, "hello, not avro".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(TOPIC, transition(2, TcpState.GONE))).get();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    static byte[] transition(long seq, TcpState to) {
        return FinwatchSerde.shared().encode(SocketTransition.newBuilder()
                .setHost("web-1").setCollectorId("web-1-abcd").setSeq(seq).setObservedAt(Instant.parse("2026-11-21T10:00:00Z"))
                .setNetns(4026531840L).setFamily(4).setLocalIp("10.0.0.5").setLocalPort(40000)
                .setRemoteIp("10.0.0.9").setRemotePort(8080).setFromState(TcpState.FIN_WAIT1).setToState(to)
                .setInode(5003).setUid(0).setOrphaned(false).setTimer(TimerKind.OFF).setTimerMs(0)
                .setPid(700).setComm("kube-proxy").setFinTimeoutS(60).setFinTimeoutSource(FinTimeoutSource.NAMESPACE)
                .build());
    }

    record Run(int status, String out, String err) {
    }

    private static Run tail(String... extra) {
        return tailTopic(TOPIC, extra);
    }

    private static Run tailTopic(String topic, String... extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            List<String> args = new java.util.ArrayList<>(List.of("tail", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic", topic, "--from-beginning", "--idle-exit", "3s"));
            args.addAll(List.of(extra));
            int status = Cli.run(new CollectorMain(), args.toArray(String[]::new));
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void jsonLinesCarryTheDecodedRecordsAndTheForeignRecordIsNamedOnStderr() throws Exception {
        Run run = tail("--json");
        assertThat(run.status()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("seq").asLong()).isEqualTo(1);
        assertThat(first.get("to_state").asText()).isEqualTo("FIN_WAIT2");
        assertThat(first.get("comm").asText()).isEqualTo("kube-proxy");
        assertThat(first.get("observed_at").asText()).isEqualTo("2026-11-21T10:00:00Z");
        assertThat(json.readTree(lines.get(1)).get("to_state").asText()).isEqualTo("GONE");
        assertThat(run.err()).contains(TOPIC + " partition 0 offset 1: not a finwatch record");
    }

    @Test
    void tableLinesAreReadable() {
        Run run = tail("--max-records", "1");
        assertThat(run.out().lines().toList()).singleElement().asString()
                .contains("web-1", "epoch=0 seq=1", "10.0.0.5:40000 -> 10.0.0.9:8080", "FIN_WAIT1 -> FIN_WAIT2", "pid=700 comm=kube-proxy");
    }

    @Test
    void heartbeatLinesNameTheRunAndWhatWasShedOrLost() {
        CollectorHeartbeat hb = CollectorHeartbeat.newBuilder()
                .setHost("web-1").setCollectorId("web-1-abcd").setEpoch(1_764_000_000_123L).setEpochFirstSeq(4_000)
                .setSeq(4_711).setObservedAt(Instant.parse("2026-11-21T10:00:00Z"))
                .setStartedAt(Instant.parse("2026-11-21T09:00:00Z")).setCollectorVersion("t").setIntervalMs(1_000)
                .setNamespaces(List.of()).setStateCounts(java.util.Map.of()).setFinWait2Attached(0)
                .setFinWait2Orphaned(0).setSocketsSeen(3).setPollDurationUs(1_000).setParseErrors(0).setReadErrors(0)
                .setShedEvents(3).setShedRanges(List.of(new SeqRange(4_100L, 4_102L)))
                .setBufferCorruptRecords(2)
                .setLostRanges(List.of(new LostRange(1_763_000_000_000L, 3_990L, 3_991L, LossCause.BUFFER_CORRUPT),
                        new LostRange(1_764_000_000_123L, 4_000L, 4_000L, LossCause.BUFFER_MISSING)))
                .build();
        assertThat(TailCommand.TailFormat.line(hb)).contains("epoch=1764000000123 seq=4711", "SHED 4100..4102",
                "LOST epoch=1763000000000 3990..3991 BUFFER_CORRUPT,epoch=1764000000123 4000 BUFFER_MISSING");
    }

    @Test
    void aMissingTopicIsAClearError() {
        Run run = tailTopic("no.such.topic");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("topic 'no.such.topic' does not exist");
    }
}
