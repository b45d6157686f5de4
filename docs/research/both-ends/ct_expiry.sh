#!/usr/bin/env bash
# Issue 17, item 2: the life of the conntrack entry of a half-closed connection through a DNAT, and what happens
# when it expires while both sockets live on.
#
#   ct_expiry.sh [--snat] [--cw SECONDS] [--then close|write-close] [--loose 0|1] [--orphan-retries N]
#
# --cw        R's nf_conntrack_tcp_timeout_close_wait (per network namespace; default here 5, kernel 60)
# --then      close:        after expiry the client close()s: its FIN reaches R with no entry
#             write-close:  after expiry the client writes 10 bytes, then close()s
# --loose     R's nf_conntrack_tcp_loose (kernel default 1: pick up mid-stream connections)
# --orphan-retries  A's net.ipv4.tcp_orphan_retries (0 = kernel default, 8 retries when the RTO is small)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"
source "$HERE/lib.sh"

snat="" cw=5 then=close loose=1 oretries=0
while (($#)); do
    case "$1" in
    --snat) snat=--snat ;;
    --cw) cw=$2; shift ;;
    --then) then=$2; shift ;;
    --loose) loose=$2; shift ;;
    --orphan-retries) oretries=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

ENV=$(bed_upnat $snat)
trap 'bed_down "$ENV"; rm -rf "$LOGDIR"' EXIT
source "$ENV"
log "bed $BED_ID (nat snat=$SNAT) cw=$cw then=$then loose=$loose orphan_retries=$oretries"
ip netns exec "$NS_R" sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_close_wait="$cw" \
    net.netfilter.nf_conntrack_tcp_loose="$loose"
ip netns exec "$NS_A" sysctl -qw net.ipv4.tcp_orphan_retries="$oretries"
log "R: close_wait timeout $(ip netns exec "$NS_R" sysctl -n net.netfilter.nf_conntrack_tcp_timeout_close_wait)" \
    "fin_wait $(ip netns exec "$NS_R" sysctl -n net.netfilter.nf_conntrack_tcp_timeout_fin_wait);" \
    "initial namespace keeps close_wait $(sysctl -n net.netfilter.nf_conntrack_tcp_timeout_close_wait)"
# event log of R's table: NEW / UPDATE (state changes) / DESTROY, with kernel-side timestamps
ip netns exec "$NS_R" stdbuf -oL conntrack -E -o timestamp >"$LOGDIR/events.log" 2>&1 &
EV=$!; disown $EV
sleep 0.3
ip netns exec "$NS_R" nstat -n >/dev/null 2>&1

ct() { ip netns exec "$NS_R" conntrack -L 2>/dev/null | sed 's/^/        /'; }
start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT"
start_peer "$NS_A" client client --addr "$VIP" --port "$VPORT"
wait_line "$LOGDIR/server.log" READY
show "connected" "$NS_A" "$NS_B"; log "R's table:"; ct
kill -HUP "$server_PID"; wait_line "$LOGDIR/server.log" SHUT_WR
wait_state "$NS_A" CLOSE-WAIT 5; wait_state "$NS_B" FIN-WAIT-2 5
show "server shutdown(SHUT_WR)" "$NS_A" "$NS_B"; log "R's table:"; ct
C_LOCAL=$(field "$LOGDIR/client.log" local); C_REMOTE=$(field "$LOGDIR/client.log" remote)
log "waiting for the entry to expire ($cw s): polling a ctnetlink GET of the client's view"
while $PY "$HERE/ctlookup.py" --netns "$NS_R" --local "$C_LOCAL" --remote "$C_REMOTE" >/dev/null; do sleep 0.1; done
log "GET answers ENOENT now. R's table (conntrack -L):"; ct
for _ in $(seq 1 1400); do grep -q DESTROY "$LOGDIR/events.log" && break; sleep 0.05; done
log "the DESTROY event (emitted when the conntrack GC worker reaps it, later): $(grep DESTROY "$LOGDIR/events.log" | head -1 | cut -c1-60)"
show "after expiry" "$NS_A" "$NS_B"

if [[ $then == write-close ]]; then
    kill -USR2 "$client_PID"; sleep 0.5
    log "client wrote 10 bytes. R's table:"; ct
    show "after the write" "$NS_A" "$NS_B"
fi
kill -USR1 "$client_PID"
sleep 1
log "client close()d 1 s ago. R's table:"; ct
show "after close" "$NS_A" "$NS_B"
log "R's counters since start (nstat, non-zero):"
ip netns exec "$NS_R" nstat 2>/dev/null | awk 'NR>1 && $2!=0 {printf "        %s %s\n",$1,$2}'
log "following A's socket until it is gone (B's is held by the server process)"
last=""
while :; do
    s=$(ss1 "$NS_A"); b=$(ss1 "$NS_B")
    [[ "$s|$b" != "$last" ]] && { log "A: ${s:-<gone>}   B: ${b:-<gone>}"; last="$s|$b"; }
    [[ -z "$s" ]] && break
    sleep 0.2
done
show "final" "$NS_A" "$NS_B"
log "conntrack events in R:"; sed 's/^/        /' "$LOGDIR/events.log"
