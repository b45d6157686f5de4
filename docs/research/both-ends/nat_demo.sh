#!/usr/bin/env bash
# Issue 17, items 1-3: a client in A connects to a virtual IP that a DNAT maps to the server in B; the server
# calls shutdown(SHUT_WR) and holds, the client never closes. Shows ss at both ends, where the conntrack entry
# lives, ctnetlink lookups of each end's view (checked against conntrack -L / -G) and the canonical keys.
#
#   nat_demo.sh                 A -- R(DNAT) -- B          (kube-proxy ClusterIP, client pod on node R)
#   nat_demo.sh --snat          A -- R(DNAT+masquerade) -- B
#   nat_demo.sh --local-dnat    A(DNAT in its own nat/output hook) -- B
#   nat_demo.sh --server-dnat   A -- B(DNAT in the server's own nat/prerouting hook)
#   add --v6mapped to make the client an AF_INET6 socket to ::ffff:VIP (what a Java client does)
#   add --keep to leave the bed up (prints its env file; tear down with bed.sh down <env>)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"
source "$HERE/lib.sh"

mode=nat snat="" v6="" keep=0
for a in "$@"; do
    case "$a" in
    --snat) snat=--snat ;;
    --local-dnat) mode=local ;;
    --server-dnat) mode=server ;;
    --v6mapped) v6=--v6mapped ;;
    --keep) keep=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
    esac
done

case $mode in
local) ENV=$(bed_up2 --local-dnat) ;;
server) ENV=$(bed_up2 --server-dnat) ;;
*) ENV=$(bed_upnat $snat) ;;
esac
((keep)) || trap 'bed_down "$ENV"; rm -rf "$LOGDIR"' EXIT
source "$ENV"
log "bed $BED_ID ($BED_KIND${SNAT:+ snat=$SNAT}${LOCAL_DNAT:+ local_dnat=$LOCAL_DNAT}${SERVER_DNAT:+ server_dnat=$SERVER_DNAT}) env=$ENV"

start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT" --shutdown
start_peer "$NS_A" client client --addr "$VIP" --port "$VPORT" $v6 --send 100
wait_line "$LOGDIR/server.log" SHUT_WR
wait_state "$NS_A" CLOSE-WAIT 5
wait_state "$NS_B" FIN-WAIT-2 5
C_LOCAL=$(field "$LOGDIR/client.log" local); C_REMOTE=$(field "$LOGDIR/client.log" remote)
S_LOCAL=$(field "$LOGDIR/server.log" local); S_REMOTE=$(field "$LOGDIR/server.log" remote)
log "client (A, pid $client_PID) getsockname=$C_LOCAL getpeername=$C_REMOTE"
log "server (B, pid $server_PID) getsockname=$S_LOCAL getpeername=$S_REMOTE"
echo "--- ss -tanoi in A"; ssn "$NS_A"
echo "--- ss -tanoi in B"; ssn "$NS_B"

# Java-style sockets print as [::ffff:a.b.c.d]:port; the lookup unmaps them
norm() { echo "$1" | sed 's/^\[::ffff:\(.*\)\]:\([0-9]*\)$/\1:\2/'; }
CL=$(norm "$C_LOCAL"); CR=$(norm "$C_REMOTE")
for ns in $NS_A $NS_B ${NS_R:-}; do
    echo "--- conntrack -L in ${ns%-*}"
    ip netns exec "$ns" conntrack -L 2>&1 | sed 's/^/    /'
done
NAT_NS=$NS_R; [[ $mode == local ]] && NAT_NS=$NS_A; [[ $mode == server ]] && NAT_NS=$NS_B
echo "--- conntrack -G in ${NAT_NS%-*} for the client's view"
ip netns exec "$NAT_NS" conntrack -G -p tcp -s "${CL%:*}" -d "${CR%:*}" --sport "${CL##*:}" --dport "${CR##*:}" 2>&1 | sed 's/^/    /' || true
echo "--- ctlookup (ctnetlink GET) in ${NAT_NS%-*}, client's view $C_LOCAL -> $C_REMOTE"
$PY "$HERE/ctlookup.py" --netns "$NAT_NS" --local "$C_LOCAL" --remote "$C_REMOTE" | sed 's/^/    /' || true
echo "--- ctlookup in ${NAT_NS%-*}, server's view $S_LOCAL -> $S_REMOTE (as CTA_TUPLE_ORIG, then as CTA_TUPLE_REPLY)"
$PY "$HERE/ctlookup.py" --netns "$NAT_NS" --local "$S_LOCAL" --remote "$S_REMOTE" | sed 's/^/    /' || true
$PY "$HERE/ctlookup.py" --netns "$NAT_NS" --local "$S_LOCAL" --remote "$S_REMOTE" --as-reply | sed 's/^/    /' || true
if [[ $mode != server ]]; then
    echo "--- ctlookup in B (server's own namespace): no conntrack there, nothing NATs"
    $PY "$HERE/ctlookup.py" --netns "$NS_B" --local "$S_LOCAL" --remote "$S_REMOTE" | sed 's/^/    /' || true
fi
if [[ $C_LOCAL == \[::ffff:* ]]; then
    echo "--- the v4-mapped view looked up as AF_INET6 with ::ffff: addresses (not unmapped): conntrack has no such entry"
    $PY "$HERE/ctlookup.py" --netns "$NAT_NS" --local "$C_LOCAL" --remote "$C_REMOTE" --no-unmap | sed 's/^/    /' || true
fi

echo "--- canonical keys"
if [[ $mode == local || $mode == server ]]; then
    CA=(--lookup-ns "$NS_A"); CB=(--lookup-ns "$NS_B"); CB_SAME=()
else
    # client pod A on node R: lookups in its own ns and its host's (R). Server B on another host: its own ns only.
    CA=(--lookup-ns "$NS_A" --lookup-ns "$NS_R"); CB=(--lookup-ns "$NS_B"); CB_SAME=(--lookup-ns "$NS_B" --lookup-ns "$NS_R")
fi
$PY "$HERE/canon.py" --local "$C_LOCAL" --remote "$C_REMOTE" "${CA[@]}" >"$LOGDIR/ka.json"
$PY "$HERE/canon.py" --local "$S_LOCAL" --remote "$S_REMOTE" "${CB[@]}" >"$LOGDIR/kb.json"
pairing() {
    $PY - "$1" "$2" "$3" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
common = sorted(set(a["keys"]) & set(b["keys"]))
print(f"    client keys: {a['keys']}")
print(f"    server keys: {b['keys']}   ({sys.argv[3]})")
print(f"    common: {common} -> pair owner: {common[0] if common else 'NONE: the ends do not pair'}")
EOF
}
pairing "$LOGDIR/ka.json" "$LOGDIR/kb.json" "server on another host: lookups in its own ns"
if [[ $mode == nat ]]; then
    $PY "$HERE/canon.py" --local "$S_LOCAL" --remote "$S_REMOTE" "${CB_SAME[@]}" >"$LOGDIR/kb2.json"
    pairing "$LOGDIR/ka.json" "$LOGDIR/kb2.json" "server pod on the same node R: lookups in its own ns and R"
fi
if ((keep)); then echo "kept: $ENV  (client pid $client_PID, server pid $server_PID)"; rm -rf "$LOGDIR"; fi
