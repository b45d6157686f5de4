package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Each way bytes can fail to be a finwatch record gets its own exception, with what a person needs to act. */
class SerdeErrorsTest {

    private final FinwatchSerde serde = FinwatchSerde.shared();
    private final byte[] transition = serde.encode(SampleEvents.transition());

    @Test
    void headerCarriesTheCurrentVersionsFingerprint() {
        Identified id = serde.identify(transition).orElseThrow();
        SchemaVersion current = serde.store().current("SocketTransition");

        assertThat(id).isEqualTo(new Identified("SocketTransition", current.version(), true, current.fingerprint()));
        assertThat(serde.identifyOrThrow(transition)).isEqualTo(id);
        assertThat(id.label()).isEqualTo("SocketTransition v" + current.version());
    }

    @Test
    void jsonTextIsNotAFinwatchRecord() {
        byte[] json = "{\"host\":\"node-17\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(serde.identify(json)).isEmpty();
        assertThatThrownBy(() -> serde.identifyOrThrow(json))
                .isInstanceOf(NotFinwatchRecordException.class)
                .hasMessageContaining("0x7b 0x22");
        assertThatThrownBy(() -> serde.decodeAny(json)).isInstanceOf(NotFinwatchRecordException.class);
        assertThatThrownBy(() -> serde.decode(json, SocketTransition.class)).isInstanceOf(NotFinwatchRecordException.class);
    }

    @Test
    void bytesShorterThanTheHeaderAreNotAFinwatchRecord() {
        for (int length = 0; length < SingleObjectHeader.LENGTH; length++) {
            byte[] cut = Arrays.copyOf(transition, length);
            assertThat(serde.identify(cut)).as("%d bytes", length).isEmpty();
            assertThatThrownBy(() -> serde.decodeAny(cut)).as("%d bytes", length)
                    .isInstanceOf(NotFinwatchRecordException.class)
                    .hasMessageContaining("only " + length + " byte(s)");
        }
    }

    @Test
    void nullIsNotAFinwatchRecord() {
        assertThat(serde.identify(null)).isEmpty();
        assertThatThrownBy(() -> serde.decodeAny(null)).isInstanceOf(NotFinwatchRecordException.class).hasMessageContaining("null");
    }

    @Test
    void unknownFingerprintIsReportedInHex() {
        byte[] foreign = transition.clone();
        long unknown = 0x00c0ffee_0badf00dL;
        for (int i = 0; i < 8; i++) {
            foreign[2 + i] = (byte) (unknown >>> (8 * i));
        }

        assertThatThrownBy(() -> serde.identify(foreign))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("00c0ffee0badf00d")
                .satisfies(e -> assertThat(((UnknownSchemaException) e).fingerprint()).isEqualTo(unknown));
        assertThatThrownBy(() -> serde.decodeAny(foreign)).isInstanceOf(UnknownSchemaException.class);
        assertThatThrownBy(() -> serde.decode(foreign, SocketTransition.class)).isInstanceOf(UnknownSchemaException.class);
    }

    @Test
    void truncatedBodyIsCorruptAtEveryCut() {
        for (int length = SingleObjectHeader.LENGTH; length < transition.length; length++) {
            byte[] cut = Arrays.copyOf(transition, length);
            assertThat(serde.identify(cut)).as("%d bytes", length).isPresent();
            assertThatThrownBy(() -> serde.decodeAny(cut)).as("%d of %d bytes", length, transition.length)
                    .isInstanceOf(CorruptRecordException.class)
                    .hasMessageContaining(serde.identifyOrThrow(transition).label())
                    .hasMessageContaining(serde.identifyOrThrow(transition).fingerprintHex());
        }
    }

    @Test
    void bytesAfterTheRecordAreCorruption() {
        byte[] padded = Arrays.copyOf(transition, transition.length + 3);

        assertThatThrownBy(() -> serde.decode(padded, SocketTransition.class))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("3 bytes follow the record")
                .satisfies(e -> assertThat(((CorruptRecordException) e).writer().recordName()).isEqualTo("SocketTransition"));
    }

    @Test
    void recordOfAnotherTypeIsNamed() {
        assertThatThrownBy(() -> serde.decode(transition, CollectorHeartbeat.class))
                .isInstanceOf(WrongRecordTypeException.class)
                .hasMessageContaining("expected a CollectorHeartbeat")
                .hasMessageContaining(serde.identifyOrThrow(transition).label());
    }

    @Test
    void aTopicOfTwoRecordTypesTakesEitherAndNamesBothWhenItIsNeither() {
        byte[] heartbeat = serde.encode(SampleEvents.heartbeat());
        assertThat(serde.decodeEither(transition, SocketTransition.class, CollectorHeartbeat.class)).isEqualTo(SampleEvents.transition());
        assertThat(serde.decodeEither(heartbeat, SocketTransition.class, CollectorHeartbeat.class)).isEqualTo(SampleEvents.heartbeat());
        byte[] anomaly = serde.encode(SampleEvents.anomaly());
        assertThatThrownBy(() -> serde.decodeEither(anomaly, SocketTransition.class, CollectorHeartbeat.class))
                .isInstanceOf(WrongRecordTypeException.class)
                .hasMessageContaining("expected a SocketTransition or CollectorHeartbeat")
                .hasMessageContaining(serde.identifyOrThrow(anomaly).label());
    }

    @Test
    void onlyTopLevelRecordsAreEncoded() {
        assertThatThrownBy(() -> serde.encode(SampleEvents.transition().getLastOwner()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io.finwatch.schemas.Owner");
    }

    @Test
    void decodeAnyPicksTheClassFromTheHeader() {
        assertThat(serde.decodeAny(serde.encode(SampleEvents.heartbeat()))).isInstanceOf(CollectorHeartbeat.class).isEqualTo(SampleEvents.heartbeat());
        assertThat(serde.decodeAny(transition)).isEqualTo(SampleEvents.transition());
    }
}
