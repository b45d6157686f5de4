package io.finwatch.collector.track;

import java.util.List;

/**
 * What the conntrack lookups of one socket gave: one GET in its own namespace and one in the host's (one only when
 * the two are the same namespace).
 *
 * @param found    the entries found, own namespace first
 * @param asked    GETs sent
 * @param answered GETs the kernel answered with an entry or with "no such entry"
 * @param denied   GETs the kernel refused (EPERM: no CAP_NET_ADMIN in the namespace's user namespace)
 * @param failed   GETs that failed otherwise, or could not be made (the namespace could not be entered)
 */
public record ConntrackLookup(List<ConntrackEntry> found, int asked, int answered, int denied, int failed) {

    public ConntrackLookup {
        found = List.copyOf(found);
    }

    /** The entries as the event reports them: null when no table answered, so nothing is known. */
    public List<ConntrackEntry> reported() {
        return answered == 0 ? null : found;
    }
}
