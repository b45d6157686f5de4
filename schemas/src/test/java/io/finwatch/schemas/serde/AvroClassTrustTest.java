package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SocketTransition;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Avro 1.12.2 refuses to load classes by name unless they are allow-listed through the system
 * properties org.apache.avro.SERIALIZABLE_CLASSES / SERIALIZABLE_PACKAGES or a JVM-wide validator.
 * finwatch's decoding must work with neither, and without changing the JVM-wide validator.
 */
class AvroClassTrustTest {

    @BeforeAll
    static void noAllowListIsConfigured() {
        assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_CLASSES")).isNull();
        assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES")).isNull();
        assertThat(ClassSecurityValidator.getGlobal()).isSameAs(ClassSecurityValidator.DEFAULT);
    }

    /** The check is live in this JVM: Avro's own model, used by the generated classes' decoders, is refused. */
    @Test
    void avroStockModelRefusesOurGeneratedClasses() {
        byte[] bytes = FinwatchSerde.shared().encode(SampleEvents.transition());

        assertThatThrownBy(() -> SocketTransition.getDecoder().decode(bytes))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("io.finwatch.schemas.SocketTransition");
    }

    @Test
    void serdeDecodesEveryRecordWithNestedRecordsAndEnums() {
        FinwatchSerde serde = FinwatchSerde.shared();
        assertThat(serde.decode(serde.encode(SampleEvents.transition()), SocketTransition.class)).isEqualTo(SampleEvents.transition());
        assertThat(serde.decode(serde.encode(SampleEvents.heartbeat()), CollectorHeartbeat.class)).isEqualTo(SampleEvents.heartbeat());
        assertThat(serde.decode(serde.encode(SampleEvents.anomaly()), FinWait2Anomaly.class)).isEqualTo(SampleEvents.anomaly());
        assertThat(ClassSecurityValidator.getGlobal()).isSameAs(ClassSecurityValidator.DEFAULT);
    }

    /** Avro has two read paths (its fast reader, default on, and the resolving datum reader); both must work. */
    @Test
    void bothAvroReadPathsDecode() {
        for (boolean fast : new boolean[] {true, false}) {
            FinwatchSerde serde = new FinwatchSerde(FinwatchSchemaStore.shared(), new FinwatchData(fast));
            byte[] bytes = serde.encode(SampleEvents.heartbeat());
            assertThat(serde.decodeAny(bytes)).as("fast reader %s", fast).isEqualTo(SampleEvents.heartbeat());
        }
    }
}
