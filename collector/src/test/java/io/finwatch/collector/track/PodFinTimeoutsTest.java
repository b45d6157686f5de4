package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pod's namespace takes the fin timeout its spec sets when the collector could not read the namespace itself
 * (no CAP_SYS_ADMIN: the host's value stood in), found through a process of the pod in it; the host's namespace,
 * shared by hostNetwork pods, keeps the host's value.
 */
class PodFinTimeoutsTest {
    private static final long HOST = 4026531840L;
    private static final long TUNED = 4026532601L;
    private static final long UNTUNED = 4026532602L;
    private static final long NO_POD = 4026532603L;
    private static final long READ_INSIDE = 4026532604L;
    private static final String TUNED_UID = "0a1b2c3d-0000-4111-8222-333344445555";
    private static final String UNTUNED_UID = "0a1b2c3d-0000-4111-8222-666677778888";
    private static final String HOST_NET_UID = "0a1b2c3d-0000-4111-8222-999900001111";
    private static final String INSIDE_UID = "0a1b2c3d-0000-4111-8222-aaaabbbbcccc";

    /** Processes by pid; the pid's pod is in its cgroup. */
    private static final class FakeProcesses implements ProcessPort {
        final Map<Integer, ProcessInfo> byPid = new HashMap<>();
        int stats;

        void add(int pid, String podUid) {
            byPid.put(pid, new ProcessInfo(pid, 100 + pid, "p" + pid, 0, null, podUid));
        }

        @Override
        public ProcessStat stat(int pid) {
            stats++;
            ProcessInfo p = byPid.get(pid);
            return p == null ? null : new ProcessStat(p.comm(), p.startTimeTicks());
        }

        @Override
        public ProcessInfo describe(int pid, ProcessStat stat) {
            return byPid.get(pid);
        }

        @Override
        public SocketFds socketFds(int pid) {
            return null;
        }

        @Override
        public long socketInode(int pid, int fd) {
            return -1;
        }
    }

    private static Pod pod(String uid, boolean hostNetwork, Integer finTimeout) {
        return new Pod(uid, "pod-" + uid.substring(uid.length() - 4), "shop", new Pod.Workload("Deployment", "web"),
                hostNetwork, finTimeout, Map.of());
    }

    private static PodPort pods(Pod... known) {
        Map<String, Pod> byUid = new HashMap<>();
        for (Pod p : known) {
            byUid.put(p.uid(), p);
        }
        return new PodPort() {
            @Override
            public Pod pod(String uid) {
                return byUid.get(uid);
            }

            @Override
            public KubernetesView view() {
                return KubernetesView.SYNCED;
            }
        };
    }

    @Test
    void aPodsNamespaceTakesTheValueItsSpecSetsWhereOnlyTheHostsCouldBeRead() {
        FakeProcesses host = new FakeProcesses();
        host.add(1, null);
        host.add(2, HOST_NET_UID);          // a hostNetwork pod's process, in the host's namespace
        host.add(10, null);                 // a pause-less runtime's first process: not in the pod's cgroup yet
        host.add(11, TUNED_UID);
        host.add(20, UNTUNED_UID);
        host.add(30, null);
        host.add(40, INSIDE_UID);
        NamespaceSet scanned = new NamespaceSet(Map.of(
                HOST, new NetNamespace(HOST, 1, List.of(1, 2)),
                TUNED, new NetNamespace(TUNED, 10, List.of(10, 11)),
                UNTUNED, new NetNamespace(UNTUNED, 20, List.of(20)),
                NO_POD, new NetNamespace(NO_POD, 30, List.of(30)),
                READ_INSIDE, new NetNamespace(READ_INSIDE, 40, List.of(40))), HOST, 0, 0, 0);
        FinTimeout hostValue = new FinTimeout(60, FinTimeout.Source.HOST_FALLBACK);
        Map<Long, FinTimeout> read = Map.of(
                HOST, new FinTimeout(60, FinTimeout.Source.NAMESPACE),
                TUNED, hostValue, UNTUNED, hostValue, NO_POD, hostValue,
                READ_INSIDE, new FinTimeout(5, FinTimeout.Source.NAMESPACE));
        PodPort port = pods(pod(TUNED_UID, false, 7), pod(UNTUNED_UID, false, null), pod(HOST_NET_UID, true, 9),
                pod(INSIDE_UID, false, 8));

        Map<Long, String> podOf = new NamespacePods().update(scanned, new ProcessTable(host));
        assertThat(podOf).containsOnly(Map.entry(TUNED, TUNED_UID), Map.entry(UNTUNED, UNTUNED_UID),
                Map.entry(READ_INSIDE, INSIDE_UID));

        Map<Long, FinTimeout> decided = PodFinTimeouts.apply(read, podOf, port);
        assertThat(decided.get(TUNED)).isEqualTo(new FinTimeout(7, FinTimeout.Source.POD_SPEC));
        assertThat(decided.get(UNTUNED)).as("the spec sets none").isEqualTo(hostValue);
        assertThat(decided.get(NO_POD)).isEqualTo(hostValue);
        assertThat(decided.get(HOST)).as("hostNetwork pods share it").isEqualTo(read.get(HOST));
        assertThat(decided.get(READ_INSIDE)).as("the kernel's own value stays")
                .isEqualTo(new FinTimeout(5, FinTimeout.Source.NAMESPACE));
    }

    @Test
    void aNamespacesPodOnceFoundIsNotAskedAgainAndIsForgottenWithTheNamespace() {
        FakeProcesses host = new FakeProcesses();
        host.add(11, TUNED_UID);
        ProcessTable table = new ProcessTable(host);
        NamespacePods pods = new NamespacePods();
        NamespaceSet scanned = new NamespaceSet(Map.of(TUNED, new NetNamespace(TUNED, 11, List.of(11))), HOST, 0, 0, 0);
        assertThat(pods.update(scanned, table)).containsEntry(TUNED, TUNED_UID);
        int stats = host.stats;
        assertThat(pods.update(scanned, table)).containsEntry(TUNED, TUNED_UID);
        assertThat(host.stats).as("no read for a namespace whose pod is known").isEqualTo(stats);
        assertThat(pods.update(new NamespaceSet(Map.of(), HOST, 0, 0, 0), table)).isEmpty();
    }

    @Test
    void withoutTheApiNothingChanges() {
        Map<Long, FinTimeout> read = Map.of(TUNED, new FinTimeout(60, FinTimeout.Source.HOST_FALLBACK));
        assertThat(PodFinTimeouts.apply(read, Map.of(TUNED, TUNED_UID), PodPort.NONE)).isSameAs(read);
    }
}
