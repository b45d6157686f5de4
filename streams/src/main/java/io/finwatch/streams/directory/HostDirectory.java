package io.finwatch.streams.directory;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.state.StoreKeys;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads the host directory: which host has an address, and when a host was last heard. */
public final class HostDirectory {

    /**
     * @param host       the host
     * @param heardAt    observed_at of its newest heartbeat in the directory (epoch ms; the directory is refreshed
     *                   every few seconds, so this can lag the host's last heartbeat by that much)
     * @param intervalMs its poll interval
     */
    public record Heard(String host, long heardAt, long intervalMs) {
    }

    private final ReadOnlyKeyValueStore<String, byte[]> store;

    public HostDirectory(ReadOnlyKeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    /** The host that has {@code address} in one of its namespaces, or null when no monitored host has it. */
    public String hostOf(String address) {
        byte[] host = store.get(StoreKeys.directoryAddress(address));
        return host == null ? null : new String(host, StandardCharsets.UTF_8);
    }

    /** When {@code host} was last heard, or null when it never was. */
    public Heard heard(String host) {
        byte[] bytes = store.get(StoreKeys.directoryHost(host));
        if (bytes == null) {
            return null;
        }
        CollectorHeartbeat hb = FinwatchSerde.shared().decode(bytes, CollectorHeartbeat.class);
        return new Heard(host, hb.getObservedAt().toEpochMilli(), hb.getIntervalMs());
    }
}
