#!/usr/bin/env bash
# Runs every issue-17 research script and keeps its output in results/<name>.txt. The scenarios that wait for
# the kernel's default retry budgets (~107 s) run in parallel with the rest. Each script builds and removes its
# own namespaces (fw17-*-<random>).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/results
mkdir -p "$OUT"
run() { local name=$1; shift; "$HERE/$@" >"$OUT/$name.txt" 2>&1; echo "$name: exit $?"; }
run b_fin_lost_default scen_b_fin_lost.sh &
run c_peer_gone_default scen_c_peer_gone.sh &
run nat_dnat nat_demo.sh
run nat_snat nat_demo.sh --snat
run nat_local_dnat_v6mapped nat_demo.sh --local-dnat --v6mapped
run nat_server_dnat nat_demo.sh --server-dnat
run ct_caps ct_caps.sh
run ct_zone ct_zone.sh
run ct_expiry_close ct_expiry.sh --orphan-retries 3
run ct_expiry_write_close ct_expiry.sh --then write-close
run ct_expiry_snat_write_close ct_expiry.sh --snat --then write-close
run ct_expiry_loose0 ct_expiry.sh --then write-close --loose 0 --orphan-retries 3
run a_never_closed scen_a_never_closed.sh --unread 200
run a_never_closed_nounread scen_a_never_closed.sh --hold 4
run a_never_closed_keepalive scen_a_never_closed.sh --keepalive
run b_fin_lost_b_in scen_b_fin_lost.sh --orphan-retries 3
run b_fin_lost_a_out scen_b_fin_lost.sh --where a --orphan-retries 3
run b_fin_lost_router scen_b_fin_lost.sh --where r --orphan-retries 3
run b_fin_lost_keepalive scen_b_fin_lost.sh --keepalive --orphan-retries 3
run c_peer_gone_unread scen_c_peer_gone.sh --unread 100
run c_peer_gone_r3 scen_c_peer_gone.sh --orphan-retries 3
run c_peer_gone_keepalive scen_c_peer_gone.sh --keepalive --orphan-retries 3
run ct_bench ct_bench.sh
wait
ip netns list | grep -q '^fw17-' && echo "LEFTOVER namespaces: $(ip netns list | grep '^fw17-')" || echo "no fw17 namespace left"
