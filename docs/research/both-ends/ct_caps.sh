#!/usr/bin/env bash
# Issue 17, item 2: what a ctnetlink lookup needs. Runs the same IPCTNL_MSG_CT_GET as root, as an unprivileged
# user, as that user with only CAP_NET_ADMIN (ambient), as root of a fresh user namespace, and with --netns
# (setns) holding CAP_NET_ADMIN only.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"
source "$HERE/lib.sh"
ENV=$(bed_upnat)
trap 'bed_down "$ENV"; rm -rf "$LOGDIR"' EXIT
source "$ENV"
start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT" --shutdown
start_peer "$NS_A" client client --addr "$VIP" --port "$VPORT"
wait_state "$NS_A" CLOSE-WAIT 5
C_LOCAL=$(field "$LOGDIR/client.log" local); C_REMOTE=$(field "$LOGDIR/client.log" remote)
Q=("$HERE/ctlookup.py" --local "$C_LOCAL" --remote "$C_REMOTE")
try() { # label command...
    local label=$1; shift
    local out; out=$("$@" 2>&1 | tail -1) || true
    printf '  %-58s %s\n' "$label" "$(echo "$out" | cut -c1-110)"
}
echo "ctnetlink GET of $C_LOCAL -> $C_REMOTE in R ($NS_R):"
try "root (ip netns exec R)" ip netns exec "$NS_R" $PY "${Q[@]}"
try "uid 65534, no capabilities" ip netns exec "$NS_R" setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all --bounding-set=-all $PY "${Q[@]}"
try "uid 65534 + CAP_NET_ADMIN (ambient)" ip netns exec "$NS_R" setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all,+net_admin --ambient-caps=+net_admin $PY "${Q[@]}"
try "uid 0 with every capability but CAP_NET_ADMIN" ip netns exec "$NS_R" setpriv --inh-caps=-net_admin \
    --bounding-set=-net_admin $PY "${Q[@]}"
try "root of a new user namespace (unshare -Ur), same netns" ip netns exec "$NS_R" unshare -Ur $PY "${Q[@]}"
try "uid 65534 + CAP_NET_ADMIN, --netns R via setns(2)" setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all,+net_admin --ambient-caps=+net_admin $PY "${Q[@]}" --netns "$NS_R"
try "uid 65534 + NET_ADMIN + SYS_ADMIN, --netns R via setns" setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all,+net_admin,+sys_admin --ambient-caps=+net_admin,+sys_admin $PY "${Q[@]}" --netns "$NS_R"
echo "/proc/net/nf_conntrack in R: $(ip netns exec "$NS_R" stat -c '%A %U' /proc/net/nf_conntrack)"
try "uid 65534 reads /proc/net/nf_conntrack" ip netns exec "$NS_R" setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all cat /proc/net/nf_conntrack
try "root reads /proc/net/nf_conntrack" ip netns exec "$NS_R" cat /proc/net/nf_conntrack
