package io.finwatch.streams.app;

import io.finwatch.streams.config.PunctuationAlarm;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * Kafka Streams' own clients, but a stream thread's main consumer waits in an idle poll no longer than the
 * {@link PunctuationAlarm} allows, so that wall-clock punctuations with work to do run on time however long
 * {@code poll.ms} is, and its restore consumer no longer than Kafka Streams' default {@code poll.ms}. Every other
 * call goes to the consumer unchanged; a poll that finds records returns at once as before.
 */
final class AlarmedClientSupplier implements KafkaClientSupplier {
    private final KafkaClientSupplier clients = new DefaultKafkaClientSupplier();
    private final PunctuationAlarm alarm;

    AlarmedClientSupplier(PunctuationAlarm alarm) {
        this.alarm = alarm;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return clients.getAdmin(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return clients.getProducer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return polling(clients.getConsumer(config), requested -> alarm.pollWaitMs(requested, System.currentTimeMillis()));
    }

    /**
     * The restore consumer is polled with {@code poll.ms} too (by the state updater, while stores are restored at a
     * start): it keeps Kafka Streams' default wait, so that a restart restores as fast as before.
     */
    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return polling(clients.getRestoreConsumer(config), requested -> Math.min(requested, PunctuationAlarm.FLOOR_MS));
    }

    /** {@code consumer}, its {@code poll(Duration)} waiting {@code wait} of the requested milliseconds instead. */
    @SuppressWarnings("unchecked")
    private static Consumer<byte[], byte[]> polling(Consumer<byte[], byte[]> consumer, LongUnaryOperator wait) {
        return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
                new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
                    if (args != null && args.length == 1 && args[0] instanceof Duration timeout
                            && method.getName().equals("poll")) {
                        long requested = timeout.toMillis();
                        long ms = wait.applyAsLong(requested);
                        return consumer.poll(ms == requested ? timeout : Duration.ofMillis(ms));
                    }
                    try {
                        return method.invoke(consumer, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return clients.getGlobalConsumer(config);
    }
}
