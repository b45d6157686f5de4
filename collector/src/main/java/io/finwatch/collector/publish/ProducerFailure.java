package io.finwatch.collector.publish;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownProducerIdException;

/** What a failure of the producer means for the publisher, and how to say it in one line. */
final class ProducerFailure {
    private ProducerFailure() {
    }

    /**
     * Retriable for us: Kafka's retriable errors, plus the idempotent producer's sequence errors, which a re-send
     * from the acknowledged position resolves (the producer bumps its epoch).
     */
    static boolean isRetriable(Exception e) {
        return e instanceof RetriableException || e.getCause() instanceof RetriableException
                || e instanceof OutOfOrderSequenceException || e instanceof UnknownProducerIdException;
    }

    /**
     * Why the producer could not be made, from the innermost cause ("Failed to construct kafka producer" alone
     * names neither the address nor the reason): e.g. {@code No resolvable bootstrap urls given in
     * bootstrap.servers (nohost:9092)}.
     */
    static String describeCreation(Throwable e, String bootstrapServers) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.contains(bootstrapServers) ? message : message + " (" + bootstrapServers + ")";
    }
}
