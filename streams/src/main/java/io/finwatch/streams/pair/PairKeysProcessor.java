package io.finwatch.streams.pair;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.streams.config.PromptCommits;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Puts the deduplicated events on the pairing path. A transition into or out of a closing state goes to the pairing
 * topic once per key of its key set, so that both ends of a connection meet in the task of every key they share,
 * whichever hosts and partitions they came from; settled states stay off it. A heartbeat goes to the host directory
 * when the host's addresses changed, or every {@link #DIRECTORY_REFRESH_MS} of its clock, so every instance knows
 * which host has an address and when it was last heard.
 */
public final class PairKeysProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    /** How stale a host's entry in the directory may get: bounds how late a PEER_GONE can be told. */
    public static final long DIRECTORY_REFRESH_MS = 5_000L;

    private final String pairingChild;
    private final String directoryChild;
    private final Map<String, Forwarded> directory = new HashMap<>();
    private ProcessorContext<String, SpecificRecord> context;
    private PromptCommits commits;

    private record Forwarded(long observedAt, TreeSet<String> addresses) {
    }

    public PairKeysProcessor(String pairingChild, String directoryChild) {
        this.pairingChild = pairingChild;
        this.directoryChild = directoryChild;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.commits = PromptCommits.of(context);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof SocketTransition t) {
            if (PairingEnds.onPath(t)) {
                PairingEnd end = PairingEnds.of(t);
                for (PairKeys.Keyed k : PairingEnds.keys(end)) {
                    context.forward(new Record<String, SpecificRecord>(k.key(), end, record.timestamp()), pairingChild);
                }
                commits.request();
            }
        } else if (record.value() instanceof CollectorHeartbeat hb) {
            TreeSet<String> addresses = new TreeSet<>();
            for (NamespaceInfo ns : hb.getNamespaces()) {
                if (ns.getAddresses() != null) {
                    addresses.addAll(ns.getAddresses());
                }
            }
            long observed = hb.getObservedAt().toEpochMilli();
            Forwarded last = directory.get(hb.getHost());
            boolean moved = last == null || !last.addresses().equals(addresses);
            if (moved || observed - last.observedAt() >= DIRECTORY_REFRESH_MS) {
                directory.put(hb.getHost(), new Forwarded(observed, addresses));
                context.forward(new Record<String, SpecificRecord>(hb.getHost(), hb, record.timestamp()), directoryChild);
                // A new host or address is what a verdict needs soon (else PEER_UNMONITORED); a refresh is not.
                if (moved) {
                    commits.request();
                }
            }
        }
    }

    @Override
    public void close() {
        if (commits != null) {
            commits.close();
        }
    }
}
