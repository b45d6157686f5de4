#!/usr/bin/env bash
# Two namespaces joined by a veth pair, fin timeout 3 s in both:
#   topo.sh up SUFFIX    -> fwr14c-SUFFIX (10.14.0.1, client) and fwr14s-SUFFIX (10.14.0.2, server)
#   topo.sh down SUFFIX
set -eu
cmd=$1; sfx=$2; c=fwr14c-$sfx; s=fwr14s-$sfx
if [ "$cmd" = up ]; then
  ip netns add $c; ip netns add $s
  ip link add vc$sfx type veth peer name vs$sfx
  ip link set vc$sfx netns $c; ip link set vs$sfx netns $s
  ip -n $c addr add 10.14.0.1/24 dev vc$sfx; ip -n $s addr add 10.14.0.2/24 dev vs$sfx
  for n in $c $s; do ip -n $n link set lo up; ip netns exec $n sysctl -qw net.ipv4.tcp_fin_timeout=${FIN:-3}; done
  ip -n $c link set vc$sfx up; ip -n $s link set vs$sfx up
  echo "$c $s"
else
  ip netns del $c 2>/dev/null || true; ip netns del $s 2>/dev/null || true
  echo down
fi
