package io.finwatch.collector.events;

import io.finwatch.collector.track.ConntrackEntry;
import io.finwatch.schemas.ConntrackScope;
import java.util.ArrayList;
import java.util.List;

/** A socket's conntrack entries as the schema's {@code ConntrackEntry} records. */
final class ConntrackEvents {
    private ConntrackEvents() {
    }

    /** null stays null: no lookup was made, which the event says apart from "looked up, none found" (empty). */
    static List<io.finwatch.schemas.ConntrackEntry> of(List<ConntrackEntry> entries) {
        if (entries == null) {
            return null;
        }
        List<io.finwatch.schemas.ConntrackEntry> out = new ArrayList<>(entries.size());
        for (ConntrackEntry e : entries) {
            out.add(io.finwatch.schemas.ConntrackEntry.newBuilder()
                    .setScope(e.scope() == ConntrackEntry.Scope.HOST_NAMESPACE ? ConntrackScope.HOST_NAMESPACE
                            : ConntrackScope.SOCKET_NAMESPACE)
                    .setZone(e.zone())
                    .setOrigSrcIp(e.orig().srcIp())
                    .setOrigSrcPort(e.orig().srcPort())
                    .setOrigDstIp(e.orig().dstIp())
                    .setOrigDstPort(e.orig().dstPort())
                    .setReplySrcIp(e.reply().srcIp())
                    .setReplySrcPort(e.reply().srcPort())
                    .setReplyDstIp(e.reply().dstIp())
                    .setReplyDstPort(e.reply().dstPort())
                    .setTranslated(e.translated())
                    .build());
        }
        return out;
    }
}
