package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import io.finwatch.schemas.TransitionSource;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code tail}'s table line for a transition: the kernel's facts, and where the transition came from. */
class TailFormatTest {

    @Test
    void aPolledTransitionShowsTheKernelsFactsAndNoSource() {
        String line = TailCommand.TailFormat.line(transition(TcpState.FIN_WAIT2, TransitionSource.POLL, false)
                .setShutdown(ShutdownFlags.WR).setStateSinceMs(1_700_000_000_000L)
                .setStateSinceSource(StateSinceSource.KERNEL).setRecvQ(0L).setSendQ(0L).build());
        assertThat(line).contains("shutdown=WR", "since=2023-11-14T22:13:20Z KERNEL", "recv_q=0 send_q=0")
                .doesNotContain("source=");
    }

    @Test
    void anEndToldByTheKernelSaysSo() {
        String destroyed = TailCommand.TailFormat.line(transition(TcpState.GONE, TransitionSource.DESTROY, false)
                .build());
        assertThat(destroyed).contains("-> GONE", "source=DESTROY").doesNotContain("seen_only");
        String seenOnly = TailCommand.TailFormat.line(transition(TcpState.GONE, TransitionSource.DESTROY, true)
                .setFromState(TcpState.CLOSE).build());
        assertThat(seenOnly).contains("CLOSE -> GONE", "source=DESTROY seen_only_at_destruction");
    }

    private static SocketTransition.Builder transition(TcpState to, TransitionSource source, boolean seenOnly) {
        return SocketTransition.newBuilder()
                .setHost("web-1").setCollectorId("web-1-abcd").setSeq(3).setObservedAt(Instant.parse("2026-11-21T10:00:00Z"))
                .setNetns(4026531840L).setFamily(4).setLocalIp("10.0.0.5").setLocalPort(40000)
                .setRemoteIp("10.0.0.9").setRemotePort(8080).setFromState(TcpState.ESTABLISHED).setToState(to)
                .setInode(0).setUid(0).setOrphaned(true).setTimer(TimerKind.OFF).setTimerMs(0)
                .setFinTimeoutS(60).setFinTimeoutSource(FinTimeoutSource.NAMESPACE)
                .setSource(source).setSeenOnlyAtDestruction(seenOnly);
    }
}
