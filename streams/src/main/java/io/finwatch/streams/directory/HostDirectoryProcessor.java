package io.finwatch.streams.directory;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the host directory from the host-directory topic, which the detector writes to every partition, so every
 * detector task holds the whole fleet's: each host's newest heartbeat there, and for each address of its namespaces,
 * the host that has it. A regular changelogged store, so it is restored with the task under exactly-once (a global
 * store would wait at every start for the killed instance's open transaction on its topic). An address that moves to another host (a pod
 * IP reused) belongs to the host that reported it last; a host that stops reporting an address gives it up.
 */
public final class HostDirectoryProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(HostDirectoryProcessor.class);

    private KeyValueStore<String, byte[]> store;
    private long undecodable;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(StoreNames.HOST_DIRECTORY);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        CollectorHeartbeat hb;
        try {
            hb = record.value() == null ? null : FinwatchSerde.shared().decode(record.value(), CollectorHeartbeat.class);
        } catch (RuntimeException e) {
            hb = null;
        }
        if (hb == null) {
            // Written only by the detector itself, so this is a damaged or foreign record: said once in a while.
            if (undecodable++ % 1000 == 0) {
                LOG.warn("host directory: {} record(s) that are not a heartbeat skipped, key {}", undecodable, record.key());
            }
            return;
        }
        String host = hb.getHost();
        byte[] prevBytes = store.get(StoreKeys.directoryHost(host));
        CollectorHeartbeat prev = prevBytes == null ? null : FinwatchSerde.shared().decode(prevBytes, CollectorHeartbeat.class);
        if (prev != null && prev.getObservedAt().isAfter(hb.getObservedAt())) {
            return;
        }
        Set<String> now = addresses(hb);
        if (prev != null) {
            for (String gone : addresses(prev)) {
                if (!now.contains(gone)) {
                    String k = StoreKeys.directoryAddress(gone);
                    byte[] owner = store.get(k);
                    if (owner != null && host.equals(new String(owner, StandardCharsets.UTF_8))) {
                        store.delete(k);
                    }
                }
            }
        }
        byte[] hostBytes = host.getBytes(StandardCharsets.UTF_8);
        for (String a : now) {
            store.put(StoreKeys.directoryAddress(a), hostBytes);
        }
        store.put(StoreKeys.directoryHost(host), record.value());
    }

    static Set<String> addresses(CollectorHeartbeat hb) {
        Set<String> out = new HashSet<>();
        for (NamespaceInfo ns : hb.getNamespaces()) {
            if (ns.getAddresses() != null) {
                out.addAll(ns.getAddresses());
            }
        }
        return out;
    }
}
