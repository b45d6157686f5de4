package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.track.AddressPort;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.testkit.net.NetBed;
import io.finwatch.testkit.net.Netns;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A namespace's interface addresses from a real RTM_GETADDR dump inside it. */
class AddressReaderTest {

    @Test
    void theNamespacesOwnAddressesOfBothFamiliesWithoutLoopbackOrLinkLocal() throws Exception {
        try (NetBed bed = NetBed.create(); NetnsThread thread = new NetnsThread("test-netns");
             AddressReader reader = new AddressReader(Procfs.system(), LibC.load(), thread)) {
            Netns a = bed.namespace("a");
            Netns b = bed.namespace("b");
            List<String> links = bed.link(a, "10.217.0.1/24", b, "10.217.0.2/24");
            a.exec("ip", "addr", "add", "2001:db8::5/64", "dev", links.get(0), "nodad");
            a.exec("ip", "addr", "add", "10.217.7.7/32", "dev", "lo");
            long pid = a.start("sleep", "300").pid();
            long inode = a.inode();
            NetNamespace ns = org.awaitility.Awaitility.await().until(
                    () -> new NetNamespace(inode, childInNamespace(pid, inode), List.of(childInNamespace(pid, inode))),
                    n -> n.representativePid() > 0);

            List<AddressPort.Read> read = reader.read(List.of(ns));
            assertThat(read).singleElement().satisfies(r -> {
                assertThat(r.failure()).isNull();
                // lo's own 127.0.0.1 and ::1, and the veth's fe80:: address, are left out; an address added to lo
                // with global scope is the namespace's as much as any.
                assertThat(r.addresses()).containsExactly("10.217.0.1", "10.217.7.7", "2001:db8::5");
            });
        }
    }

    /** The pid inside the namespace: {@code ip netns exec} execs the command in place once it joined it. */
    private static int childInNamespace(long pid, long inode) {
        return TestNetns.netnsOf(pid) == inode ? (int) pid : 0;
    }
}
