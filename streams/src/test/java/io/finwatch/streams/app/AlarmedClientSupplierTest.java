package io.finwatch.streams.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.streams.config.PunctuationAlarm;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

class AlarmedClientSupplierTest {

    private static Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "alarmed-test");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }

    @Test
    void theConsumersAnswerAsThemselvesAndTheirExceptionsComeThroughUnwrapped() {
        AlarmedClientSupplier supplier = new AlarmedClientSupplier(new PunctuationAlarm());
        for (Consumer<byte[], byte[]> consumer : List.of(supplier.getConsumer(config()), supplier.getRestoreConsumer(config()))) {
            try (consumer) {
                assertThat(consumer.subscription()).isEmpty();
                // Not subscribed: the consumer's own exception, not the proxy's UndeclaredThrowableException.
                assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(IllegalStateException.class);
            }
        }
    }
}
