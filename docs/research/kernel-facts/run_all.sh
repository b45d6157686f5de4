#!/usr/bin/env bash
# Re-runs every issue-14 experiment into $RESULTS (default results/; root; ~7 minutes); makes and deletes its own
# namespaces. Usage: RESULTS=/tmp/r14 ./run_all.sh [SUFFIX]   (RESULTS keeps the saved results/ intact)
set -u
cd "$(dirname "$0")"
sfx=${1:-$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')}
r=${RESULTS:-results}; mkdir -p $r
./topo.sh up $sfx >/dev/null
ip netns add fwr14r-$sfx; ip -n fwr14r-$sfx link set lo up; ip netns exec fwr14r-$sfx sysctl -qw net.ipv4.tcp_fin_timeout=3
trap './topo.sh down '$sfx' >/dev/null; ip netns del fwr14r-'$sfx' 2>/dev/null' EXIT
uptime > $r/load_start.txt
RTO=1 python3 exp1_timing.py $sfx > $r/exp1_timing.txt 2>&1
LOOP=1 python3 exp1_timing.py $sfx quiet > $r/exp1_timing_loopback.txt 2>&1
SFX=$sfx python3 exp1b_nodata.py > $r/exp1b_nodata.txt 2>&1
python3 exp2_layout.py $sfx > $r/exp2_layout.txt 2>&1
python3 exp2c_shutdown_bits.py fwr14r-$sfx > $r/exp2c_shutdown_bits.txt 2>&1
python3 exp2_reap.py fwr14s-$sfx 20 > $r/exp2_reap_fin3.txt 2>&1
python3 exp2_reap.py fwr14s-$sfx 20 > $r/exp2_reap_fin3_run2.txt 2>&1
for f in 1 2; do ip netns exec fwr14r-$sfx sysctl -qw net.ipv4.tcp_fin_timeout=$f; python3 exp2_reap.py fwr14r-$sfx 15 > $r/exp2_reap_fin$f.txt 2>&1; done
python3 exp2b_long_fin.py fwr14r-$sfx 65 > $r/exp2b_long_fin65.txt 2>&1
ip netns exec fwr14r-$sfx sysctl -qw net.ipv4.tcp_fin_timeout=3
python3 exp2d_tw_entry.py fwr14r-$sfx > $r/exp2d_tw_entry.txt 2>&1
./exp2e_ss_arrows.sh > $r/exp2e_ss_arrows.txt 2>&1
python3 exp2f_orphan_fw1.py fwr14r-$sfx 2>&1 | grep -v cgroup2 > $r/exp2f_orphan_fw1.txt
python3 exp3_destroy.py $sfx lifecycle > $r/exp3_lifecycle.txt 2>&1
python3 exp3_destroy.py $sfx scope > $r/exp3_scope.txt 2>&1
python3 exp3b_rst_cookie.py $sfx > $r/exp3b_rst_cookie.txt 2>&1
python3 exp3c_rst.py $sfx > $r/exp3c_rst.txt 2>&1
for a in "0 1000" "1048576 3000" "2097152 6000"; do python3 exp3_destroy.py $sfx overflow $a; done > $r/exp3_overflow.txt 2>&1
for n in 1 2000; do python3 exp3_destroy.py $sfx latency $n; done > $r/exp3_latency.txt 2>&1
python3 exp3d_nsid_nobody.py fwr14r-$sfx all_nsid > $r/exp3d_nsid.txt 2>&1
python3 exp3d_nsid_nobody.py fwr14s-$sfx all_nsid >> $r/exp3d_nsid.txt 2>&1
ip netns exec fwr14r-$sfx setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all /usr/bin/python3 exp3d_nsid_nobody.py fwr14r-$sfx nobody > $r/exp3d_nobody.txt 2>&1
python3 exp3e_timestamp.py fwr14r-$sfx > $r/exp3e_timestamp.txt 2>&1
python3 exp3f_attached_end.py fwr14r-$sfx > $r/exp3f_attached_end.txt 2>&1
uptime > $r/load_end.txt
