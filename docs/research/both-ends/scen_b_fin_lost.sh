#!/usr/bin/env bash
# Issue 17 verdict scenario (b) FIN_LOST on the two-host bed: the server in B has shut down its sending side and
# holds (FIN_WAIT2); the client in A (CLOSE_WAIT) close()s while an nft rule drops its FIN.
#
#   scen_b_fin_lost.sh [--where b|a|r] [--orphan-retries N] [--keepalive] [--lift S]
#   --where b           the drop rule sits in B's input hook (the FIN crossed the wire and was lost: default)
#   --where a           the drop rule sits in A's output hook (the peer's own namespace)
#   --where r           the NAT bed instead (client -> VIP, DNAT in R); the drop rule in R's forward hook
#   --orphan-retries N  A's net.ipv4.tcp_orphan_retries (default: leave the kernel's 0, i.e. 8 retries)
#   --keepalive         SO_KEEPALIVE on the server (idle 2 s, interval 1 s, 3 probes)
#   --lift S            remove the drop rule S seconds after the close (default: never)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"; source "$HERE/lib.sh"
where=b oretries="" ka="" lift=""
while (($#)); do case "$1" in --where) where=$2; shift ;; --orphan-retries) oretries=$2; shift ;;
    --keepalive) ka=--keepalive ;; --lift) lift=$2; shift ;; *) echo "unknown option $1" >&2; exit 2 ;; esac; shift; done
if [[ $where == r ]]; then
    ENV=$(bed_upnat)
    trap 'bed_down "$ENV"; rm -rf "$LOGDIR"' EXIT
    source "$ENV"
    for ns in $NS_A $NS_B; do ip netns exec "$ns" sysctl -qw net.ipv4.tcp_fin_timeout=3; done
    log "bed $BED_ID: A=$NS_A $IP_A -> VIP $VIP:$VPORT, R DNATs to B=$NS_B $IP_B:$SPORT; tcp_fin_timeout=3 in A, B"
    TARGET=$VIP TPORT=$VPORT
else
    two_host_bed
    TARGET=$IP_B TPORT=$SPORT
fi
[[ -n $oretries ]] && ip netns exec "$NS_A" sysctl -qw net.ipv4.tcp_orphan_retries="$oretries"
log "A: tcp_orphan_retries=$(ip netns exec "$NS_A" sysctl -n net.ipv4.tcp_orphan_retries)" \
    "tcp_retries2=$(ip netns exec "$NS_A" sysctl -n net.ipv4.tcp_retries2)"
start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT" --shutdown $ka
start_peer "$NS_A" client client --addr "$TARGET" --port "$TPORT"
wait_state "$NS_A" CLOSE-WAIT 5; wait_state "$NS_B" FIN-WAIT-2 5
if [[ $where == b ]]; then
    DROP_NS=$NS_B
    hook=input rule="ip saddr $IP_A tcp flags & fin == fin counter drop"
elif [[ $where == r ]]; then
    DROP_NS=$NS_R
    hook=forward rule="ip saddr $IP_A tcp flags & fin == fin counter drop"
else
    DROP_NS=$NS_A
    hook=output rule="ip daddr $IP_B tcp flags & fin == fin counter drop"
fi
ip netns exec "$DROP_NS" nft -f - <<NFT
table inet fw17drop {
    chain c_$hook {
        type filter hook $hook priority 0; policy accept;
        $rule
    }
}
NFT
log "drop rule in ${DROP_NS%-*}: $(ip netns exec "$DROP_NS" nft list table inet fw17drop | grep counter | sed 's/^[[:space:]]*//')"
follow "$NS_A" "$NS_B" 1 true
log "the client (pid $client_PID) close()s"
kill -USR1 "$client_PID"
T_CLOSE=$(t)
if [[ -n $lift ]]; then
    ( sleep "$lift"; ip netns exec "$DROP_NS" nft delete table inet fw17drop; log "drop rule lifted" ) &
fi
if [[ $where == r ]]; then
    sleep 0.3
    log "R's conntrack entry after the close (conntrack saw the FIN in prerouting, before the forward drop):"
    ip netns exec "$NS_R" conntrack -L 2>/dev/null | sed 's/^/        /'
fi
follow "$NS_A" "$NS_B" 200 '[[ -z "$a" ]]'
log "A's socket gone $(awk -v a="$(t)" -v b="$T_CLOSE" 'BEGIN{printf "%.1f", a-b}') s after the close"
log "FINs dropped: $(ip netns exec "$DROP_NS" nft list table inet fw17drop 2>/dev/null | grep -o 'packets [0-9]*' || echo 'rule lifted')"
log "A's TCP counters (nstat): $(ip netns exec "$NS_A" nstat -az 2>/dev/null | awk '$1 ~ /TcpExtTCPAbortOnTimeout|TcpRetransSegs|TcpExtTCPLossProbes|TcpOutRsts/ {printf "%s=%s ", $1, $2}')"
follow "$NS_A" "$NS_B" 3 false || true
