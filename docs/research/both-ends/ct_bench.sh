#!/usr/bin/env bash
# Issue 17, item 2: the cost of one ctnetlink lookup (GET hit, GET miss) beside an anchor of the same shape
# (RTM_GETLINK of lo: one netlink request, one reply datagram), in a table of 1 entry and of --fill entries, and
# the cost of a whole-table dump for comparison. Figures are per call of the python prototype; the ratios to the
# anchor are what to compare. Prints the load average (other builds run on this machine).
#
#   ct_bench.sh [--n 20000] [--fill 100000]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"
source "$HERE/lib.sh"
n=20000 fill=100000
while (($#)); do case "$1" in --n) n=$2; shift ;; --fill) fill=$2; shift ;; *) exit 2 ;; esac; shift; done
ENV=$(bed_upnat)
trap 'bed_down "$ENV"; rm -rf "$LOGDIR"' EXIT
source "$ENV"
ip netns exec "$NS_R" sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_close_wait=3600
start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT" --shutdown
start_peer "$NS_A" client client --addr "$VIP" --port "$VPORT"
wait_state "$NS_A" CLOSE-WAIT 5
C_LOCAL=$(field "$LOGDIR/client.log" local); C_REMOTE=$(field "$LOGDIR/client.log" remote)
JNA=${JNA:-$HOME/.m2/repository/net/java/dev/jna/jna/5.18.1/jna-5.18.1.jar}
gcc -O2 -o "$LOGDIR/ctbench" "$HERE/ctbench.c"
bench() {
    log "table of $(ip netns exec "$NS_R" conntrack -C) entries; load $(cut -d' ' -f1-3 /proc/loadavg)"
    log "  C (no runtime), $((n * 10)) calls per figure:"
    ip netns exec "$NS_R" "$LOGDIR/ctbench" "${C_LOCAL%:*}" "${C_LOCAL##*:}" "${C_REMOTE%:*}" "${C_REMOTE##*:}" $((n * 10)) | sed 's/^/        /'
    log "  python prototype: $($PY "$HERE/ctlookup.py" --netns "$NS_R" --local "$C_LOCAL" --remote "$C_REMOTE" --bench "$n")"
    if [[ -f $JNA ]]; then
        log "  Java 17 + JNA prototype (decodes the entry into records):"
        java -cp "$JNA" "$HERE/java/CtLookup.java" --netns "/run/netns/$NS_R" "$C_LOCAL" "$C_REMOTE" --bench "$n" | sed 's/^/        /'
    fi
}
bench
$PY "$HERE/ctfill.py" --netns "$NS_R" --count "$fill" | sed 's/^/        /'
bench
for i in 1 2 3; do
    s=$(date +%s%N); c=$($PY "$HERE/ctlookup.py" --netns "$NS_R" --dump | wc -l); e=$(date +%s%N)
    s2=$(date +%s%N); c2=$(ip netns exec "$NS_R" conntrack -L 2>/dev/null | wc -l); e2=$(date +%s%N)
    log "full dump: python prototype $c entries in $(((e - s) / 1000000)) ms; conntrack -L $c2 entries in $(((e2 - s2) / 1000000)) ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
done
log "one GET in the filled table, checked against conntrack -G:"
$PY "$HERE/ctlookup.py" --netns "$NS_R" --local "$C_LOCAL" --remote "$C_REMOTE" | sed 's/^/        /'
ip netns exec "$NS_R" conntrack -G -p tcp -s "${C_LOCAL%:*}" -d "${C_REMOTE%:*}" --sport "${C_LOCAL##*:}" --dport "${C_REMOTE##*:}" 2>/dev/null | sed 's/^/        /'
