package io.finwatch.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.internals.TaskMetadataImpl;
import org.apache.kafka.streams.processor.internals.ThreadMetadataImpl;
import org.junit.jupiter.api.Test;

/**
 * A fleet-wide answer covers the partitions whose detector task runs here, and no other: Kafka Streams does not keep
 * a partition's tasks of different sub-topologies (detector, pairing, host directory) on one instance.
 */
class DetectorPartitionsTest {

    @Test
    void onlyTheDetectorsTasksNameTheInstancesPartitions() {
        // The detector's sub-topology reads transitions, heartbeats and pair facts; the pairing one the pairing topic.
        TaskMetadata detector1 = task(0, 1, "t.transitions", "t.heartbeats", "t.pair-facts");
        TaskMetadata detector5 = task(0, 5, "t.transitions", "t.heartbeats", "t.pair-facts");
        TaskMetadata pairing3 = task(1, 3, "t.pairing");
        TaskMetadata directory2 = task(2, 2, "t.host-directory");
        ThreadMetadataImpl thread = new ThreadMetadataImpl("StreamThread-1", "RUNNING", "main", "restore", "producer", "admin",
                Set.of(detector1, pairing3, directory2, detector5), Set.of(task(0, 3, "t.transitions")));

        assertThat(QueryRouter.detectorPartitions(List.of(thread), "t.transitions")).containsExactly(1, 5);
    }

    private static TaskMetadata task(int subtopology, int partition, String... topics) {
        Set<TopicPartition> inputs = Arrays.stream(topics).map(t -> new TopicPartition(t, partition)).collect(Collectors.toSet());
        return new TaskMetadataImpl(new TaskId(subtopology, partition), inputs, Map.of(), Map.of(), Optional.empty());
    }
}
