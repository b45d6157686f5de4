#!/usr/bin/env bash
# Issue 17 verdict scenario (a) PEER_NEVER_CLOSED on the two-host bed: the server in B calls shutdown(SHUT_WR)
# and holds its socket; the client in A never closes. Then, for contrast, the server close()s (its FIN_WAIT2
# becomes an orphan that tcp_fin_timeout reaps) and finally the client close()s.
#
#   scen_a_never_closed.sh [--unread N] [--keepalive] [--hold S]
#   --unread N    the server writes N bytes before shutdown that the client never reads (CLOSE_WAIT Recv-Q)
#   --keepalive   SO_KEEPALIVE on the server (idle 2 s, interval 1 s, 3 probes): the CLOSE_WAIT peer answers
#   --hold S      how long to watch the stuck pair (default 8 s, > tcp_fin_timeout)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"; source "$HERE/lib.sh"
unread=0 ka="" hold=8
while (($#)); do case "$1" in --unread) unread=$2; shift ;; --keepalive) ka=--keepalive ;; --hold) hold=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;; esac; shift; done
two_host_bed
start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT" --shutdown --send "$unread" $ka
start_peer "$NS_A" client client --addr "$IP_B" --port "$SPORT"
wait_state "$NS_A" CLOSE-WAIT 5; wait_state "$NS_B" FIN-WAIT-2 5
log "server pid $server_PID shut down its sending side and holds; client pid $client_PID never closes"
echo "--- ss -tanoie in A (client)"; ip netns exec "$NS_A" ss -tanoie 2>/dev/null | sed 1d
echo "--- ss -tanoie in B (server)"; ip netns exec "$NS_B" ss -tanoie 2>/dev/null | sed 1d
log "watching for ${hold}s (tcp_fin_timeout is 3 s; neither socket is an orphan):"
follow "$NS_A" "$NS_B" "$hold" false || true
log "contrast 1: the server close()s: its FIN_WAIT2 socket becomes an orphan"
kill -USR1 "$server_PID"
sleep 0.2
echo "--- ss -tanoie in B (server) after its close(): the orphan is a timewait sock in substate FIN_WAIT2, inode 0"
ip netns exec "$NS_B" ss -tanoie 2>/dev/null | sed 1d
follow "$NS_A" "$NS_B" 10 '[[ -z "$b" ]]'
log "contrast 2: the client close()s its CLOSE_WAIT socket: its FIN meets no socket in B"
kill -USR1 "$client_PID"
follow "$NS_A" "$NS_B" 5 '[[ -z "$a" ]]'
log "B sent RSTs: $(ip netns exec "$NS_B" nstat -az TcpOutRsts 2>/dev/null | awk '$1=="TcpOutRsts"{print $2}');" \
    "A's connections reset: $(ip netns exec "$NS_A" nstat -az TcpEstabResets 2>/dev/null | awk '$1=="TcpEstabResets"{print $2}')"
