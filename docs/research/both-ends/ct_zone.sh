#!/usr/bin/env bash
# Issue 17, item 2: conntrack zones. R puts every packet in zone 7 (as OVS-based CNIs put their NAT in zones);
# a GET without a zone looks in zone 0 and misses; with CTA_ZONE it hits.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bed.sh"; source "$HERE/lib.sh"
ENV=$(bed_upnat)
trap 'bed_down "$ENV"; rm -rf "$LOGDIR"' EXIT
source "$ENV"
ip netns exec "$NS_R" nft -f - <<NFT
table ip fw17z {
    chain raw_pre {
        type filter hook prerouting priority -300; policy accept;
        ct zone set 7
    }
}
NFT
start_peer "$NS_B" server server --addr "$IP_B" --port "$SPORT" --shutdown
start_peer "$NS_A" client client --addr "$VIP" --port "$VPORT"
wait_state "$NS_A" CLOSE-WAIT 5
C_LOCAL=$(field "$LOGDIR/client.log" local); C_REMOTE=$(field "$LOGDIR/client.log" remote)
echo "--- conntrack -L in R"; ip netns exec "$NS_R" conntrack -L 2>/dev/null | sed 's/^/    /'
echo "--- GET without a zone"; $PY "$HERE/ctlookup.py" --netns "$NS_R" --local "$C_LOCAL" --remote "$C_REMOTE" | sed 's/^/    /' || true
echo "--- GET with CTA_ZONE 7"; $PY "$HERE/ctlookup.py" --netns "$NS_R" --local "$C_LOCAL" --remote "$C_REMOTE" --zone 7 | sed 's/^/    /'
ip netns exec "$NS_R" nft delete table ip fw17z
