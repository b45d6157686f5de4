#!/usr/bin/env bash
# Issue 17 verdict scenario (c) PEER_GONE on the two-host bed: the server in B has shut down its sending side and
# holds (FIN_WAIT2); the client host A disappears: its link goes down, the client is killed with -9, and its
# namespace is deleted. What does the FIN_WAIT2 end see, and when is A's namespace really gone?
#
#   scen_c_peer_gone.sh [--orphan-retries N] [--keepalive] [--unread N]
#   --orphan-retries N  A's net.ipv4.tcp_orphan_retries (default: the kernel's 0, i.e. 8 retries)
#   --keepalive         SO_KEEPALIVE on the server (idle 2 s, interval 1 s, 3 probes)
#   --unread N          the server writes N bytes first that the client never reads (kill -9 then sends RST, not FIN)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"; source "$HERE/lib.sh"
oretries="" ka="" unread=0
while (($#)); do case "$1" in --orphan-retries) oretries=$2; shift ;; --keepalive) ka=--keepalive ;;
    --unread) unread=$2; shift ;; *) echo "unknown option $1" >&2; exit 2 ;; esac; shift; done
two_host_bed
[[ -n $oretries ]] && ip netns exec "$NS_A" sysctl -qw net.ipv4.tcp_orphan_retries="$oretries"
start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT" --shutdown --send "$unread" $ka
start_peer "$NS_A" client client --addr "$IP_B" --port "$SPORT"
wait_state "$NS_A" CLOSE-WAIT 5; wait_state "$NS_B" FIN-WAIT-2 5
follow "$NS_A" "$NS_B" 1 true
NETNS_INO=$(ip netns exec "$NS_A" stat -L -c %i /proc/self/ns/net)
ip -n "$NS_A" link set "$IF_A" down
log "A's link $IF_A is down; B's $IF_B: $(ip -n "$NS_B" -br link show "$IF_B" | awk '{print $2}')"
kill -9 "$client_PID"
while [[ -e /proc/$client_PID ]]; do sleep 0.02; done
log "client pid $client_PID killed with -9 and gone"
follow "$NS_A" "$NS_B" 0.5 true || true
ip netns del "$NS_A"
T_DEL=$(t)
log "namespace $NS_A (netns inode $NETNS_INO) deleted (ip netns del: its name is gone)"
log "following B, B's veth end (it lives exactly as long as A's network namespace) and the route to A"
last=""
set +e  # the link and the route vanish under the probes below
for _ in $(seq 1 1500); do
    b=$(ss1 "$NS_B")
    l=$(ip -n "$NS_B" -br link show "$IF_B" 2>/dev/null | awk '{print $1" "$2}' | sed 's/@.*/ /' || true)
    r=$(ip -n "$NS_B" route get "$IP_A" 2>&1 | head -1)
    cur="B: ${b:-<none>} | link: ${l:-<gone>} | route to A: $r"
    key=$(echo "$cur" | sed 's/timer:(\([a-z]*\),[^,]*,/timer:(\1,/g')
    [[ "$key" != "$last" ]] && { log "$cur"; last=$key; }
    # done when A's namespace is gone and, with keepalive, B's socket too
    if [[ -z "$l" ]] && [[ -z "$ka" || -z "$b" ]]; then break; fi
    sleep 0.2
done
set -e
log "A's namespace gone $(awk -v a="$(t)" -v b="$T_DEL" 'BEGIN{printf "%.1f", a-b}') s after ip netns del (B's veth end vanished)"
follow "$NS_B" "$NS_B" 3 false || true
