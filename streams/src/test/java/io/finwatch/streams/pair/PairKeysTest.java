package io.finwatch.streams.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.schemas.ConntrackScope;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Key sets of the real tuples of docs/research/both-ends/FINDINGS.md section 3 (nat_demo.sh): each pair meets under
 * exactly the key the table names as its owner.
 */
class PairKeysTest {

    static ConntrackEntry entry(ConntrackScope scope, String os, int osp, String od, int odp, String rs, int rsp, String rd, int rdp) {
        return ConntrackEntry.newBuilder().setScope(scope).setZone(0).setOrigSrcIp(os).setOrigSrcPort(osp).setOrigDstIp(od).setOrigDstPort(odp)
                .setReplySrcIp(rs).setReplySrcPort(rsp).setReplyDstIp(rd).setReplyDstPort(rdp).setTranslated(true).build();
    }

    static List<String> keys(List<PairKeys.Keyed> ks) {
        return ks.stream().map(PairKeys.Keyed::key).toList();
    }

    static void assertPair(List<PairKeys.Keyed> client, List<PairKeys.Keyed> server, String owner) {
        assertThat(PairKeys.owner(client, server)).isEqualTo(owner);
        assertThat(PairKeys.owner(server, client)).isEqualTo(owner);
        assertThat(PairKeys.find(client, owner).opposite(PairKeys.find(server, owner))).isTrue();
    }

    @Test
    void dnatInARouter() {
        ConntrackEntry r = entry(ConntrackScope.HOST_NAMESPACE, "10.217.1.2", 51746, "10.217.99.10", 80, "10.217.2.2", 8080, "10.217.1.2", 51746);
        // The entry as the NATing namespace holds it: the client node's host namespace, as kube-proxy's would be.
        List<PairKeys.Keyed> client = PairKeys.of("a", 1, "10.217.1.2", 51746, "10.217.99.10", 80, List.of(r));
        List<PairKeys.Keyed> server = PairKeys.of("b", 2, "10.217.2.2", 8080, "10.217.1.2", 51746, null);
        assertThat(keys(client)).containsExactly("10.217.1.2|51746|10.217.99.10|80", "10.217.1.2|51746|10.217.2.2|8080");
        assertThat(keys(server)).containsExactly("10.217.1.2|51746|10.217.2.2|8080");
        assertPair(client, server, "10.217.1.2|51746|10.217.2.2|8080");
    }

    @Test
    void dnatAndSnat() {
        ConntrackEntry r = entry(ConntrackScope.HOST_NAMESPACE, "10.217.1.2", 53104, "10.217.99.10", 80, "10.217.2.2", 8080, "10.217.2.1", 53104);
        List<PairKeys.Keyed> client = PairKeys.of("a", 1, "10.217.1.2", 53104, "10.217.99.10", 80, List.of(r));
        List<PairKeys.Keyed> server = PairKeys.of("b", 2, "10.217.2.2", 8080, "10.217.2.1", 53104, null);
        assertThat(keys(client)).containsExactly("10.217.1.2|53104|10.217.99.10|80", "10.217.2.1|53104|10.217.2.2|8080");
        assertPair(client, server, "10.217.2.1|53104|10.217.2.2|8080");
        // The brief's single key (ORIG src, REPLY src) would not meet the server's view here.
        assertThat(keys(server)).doesNotContain("10.217.1.2|53104|10.217.2.2|8080");
    }

    @Test
    void sameNodeServerFindsTheEntryThroughItsReplyTupleAndThePairIsOwnedOnce() {
        ConntrackEntry r = entry(ConntrackScope.HOST_NAMESPACE, "10.217.1.2", 53104, "10.217.99.10", 80, "10.217.2.2", 8080, "10.217.2.1", 53104);
        List<PairKeys.Keyed> client = PairKeys.of("r", 1, "10.217.1.2", 53104, "10.217.99.10", 80, List.of(r));
        List<PairKeys.Keyed> server = PairKeys.of("r", 2, "10.217.2.2", 8080, "10.217.2.1", 53104, List.of(r));
        assertThat(keys(server)).containsExactlyInAnyOrder("10.217.2.1|53104|10.217.2.2|8080", "10.217.1.2|53104|10.217.99.10|80");
        // Both keys are shared: the smaller owns the pair, so it is reported once.
        assertPair(client, server, "10.217.1.2|53104|10.217.99.10|80");
        assertThat(PairKeys.find(client, "10.217.2.1|53104|10.217.2.2|8080").opposite(PairKeys.find(server, "10.217.2.1|53104|10.217.2.2|8080")))
                .isTrue();
    }

    @Test
    void dnatInTheClientsOwnNamespaceWithAJavaClientsMappedAddresses() {
        ConntrackEntry a = entry(ConntrackScope.SOCKET_NAMESPACE, "10.217.0.1", 53996, "10.217.99.10", 80, "10.217.0.2", 8080, "10.217.0.1", 53996);
        List<PairKeys.Keyed> client = PairKeys.of("a", 1, "::ffff:10.217.0.1", 53996, "::ffff:10.217.99.10", 80, List.of(a));
        List<PairKeys.Keyed> server = PairKeys.of("b", 2, "10.217.0.2", 8080, "10.217.0.1", 53996, null);
        assertThat(keys(client)).containsExactly("10.217.0.1|53996|10.217.99.10|80", "10.217.0.1|53996|10.217.0.2|8080");
        assertPair(client, server, "10.217.0.1|53996|10.217.0.2|8080");
    }

    @Test
    void dnatInTheServersOwnNamespace() {
        ConntrackEntry b = entry(ConntrackScope.SOCKET_NAMESPACE, "10.217.0.1", 33978, "10.217.99.10", 80, "10.217.0.2", 8080, "10.217.0.1", 33978);
        List<PairKeys.Keyed> client = PairKeys.of("a", 1, "10.217.0.1", 33978, "10.217.99.10", 80, null);
        List<PairKeys.Keyed> server = PairKeys.of("b", 2, "10.217.0.2", 8080, "10.217.0.1", 33978, List.of(b));
        assertThat(keys(server)).containsExactly("10.217.0.1|33978|10.217.0.2|8080", "10.217.0.1|33978|10.217.99.10|80");
        // "Always the reply tuple" would give the server only its own view here, which the client never sees.
        assertPair(client, server, "10.217.0.1|33978|10.217.99.10|80");
    }

    @Test
    void loopbackAndLinkLocalKeysAreScopedByHostAndNamespace() {
        List<PairKeys.Keyed> a = PairKeys.of("h1", 7, "127.0.0.1", 40000, "127.0.0.1", 8080, null);
        List<PairKeys.Keyed> b = PairKeys.of("h1", 7, "127.0.0.1", 8080, "127.0.0.1", 40000, null);
        List<PairKeys.Keyed> elsewhere = PairKeys.of("h2", 7, "127.0.0.1", 8080, "127.0.0.1", 40000, null);
        List<PairKeys.Keyed> otherNs = PairKeys.of("h1", 8, "127.0.0.1", 8080, "127.0.0.1", 40000, null);
        assertThat(keys(a)).containsExactly("127.0.0.1|8080|127.0.0.1|40000|h1|7");
        assertPair(a, b, "127.0.0.1|8080|127.0.0.1|40000|h1|7");
        assertThat(PairKeys.owner(a, elsewhere)).isNull();
        assertThat(PairKeys.owner(a, otherNs)).isNull();
        assertThat(keys(PairKeys.of("h1", 7, "fe80::1", 1, "fe80::2", 2, null)).get(0)).endsWith("|h1|7");
        assertThat(keys(PairKeys.of("h1", 7, "::1", 1, "::1", 2, null)).get(0)).endsWith("|h1|7");
        assertThat(keys(PairKeys.of("h1", 7, "10.0.0.1", 1, "10.0.0.2", 2, null)).get(0)).isEqualTo("10.0.0.1|1|10.0.0.2|2");
    }

    @Test
    void twoSocketsWithTheSameViewAreNotOnePair() {
        // Overlapping private ranges: two hosts each with a socket 10.0.0.1:5000 -> 10.0.0.2:80.
        List<PairKeys.Keyed> one = PairKeys.of("h1", 1, "10.0.0.1", 5000, "10.0.0.2", 80, null);
        List<PairKeys.Keyed> two = PairKeys.of("h2", 1, "10.0.0.1", 5000, "10.0.0.2", 80, null);
        String shared = PairKeys.owner(one, two);
        assertThat(shared).isNotNull();
        assertThat(PairKeys.find(one, shared).opposite(PairKeys.find(two, shared))).isFalse();
    }

    @Test
    void untranslatedEntriesAddNoKey() {
        ConntrackEntry plain = ConntrackEntry.newBuilder().setScope(ConntrackScope.HOST_NAMESPACE).setZone(0)
                .setOrigSrcIp("10.0.0.1").setOrigSrcPort(5000).setOrigDstIp("10.0.0.2").setOrigDstPort(80)
                .setReplySrcIp("10.0.0.2").setReplySrcPort(80).setReplyDstIp("10.0.0.1").setReplyDstPort(5000).setTranslated(false).build();
        assertThat(PairKeys.of("h", 1, "10.0.0.1", 5000, "10.0.0.2", 80, List.of(plain))).hasSize(1);
    }
}
