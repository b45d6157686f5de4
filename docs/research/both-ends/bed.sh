#!/usr/bin/env bash
# finwatch issue 17 test-bed: "hosts" as network namespaces joined by veth pairs; traffic never leaves them.
#
#   bed.sh up2                 two hosts A -- B on one veth pair (10.217.0.1 / 10.217.0.2)
#   bed.sh up2 --local-dnat    same, plus a DNAT in A's OWN namespace (nat output hook): VIP:80 -> B:8080
#   bed.sh up2 --server-dnat   same, the DNAT in B's namespace (nat prerouting): NAT on the SERVER's side, as a
#                              NodePort to a local pod or a sidecar's inbound redirect does
#   bed.sh upnat [--snat]      A -- R -- B, R routes and DNATs VIP 10.217.99.10:80 -> B 10.217.2.2:8080
#                              (kube-proxy's Service rule); --snat adds masquerade toward B (kube-proxy's
#                              KUBE-MARK-MASQ case) so B sees R's address
#   bed.sh down <envfile>      kills every process inside the bed's namespaces (by pid), deletes its nft
#                              tables and namespaces
#   bed.sh downall             tears down every bed whose env file is in run/ (only beds this script made)
#
# 'up*' prints the path of an env file (shell assignments) describing the bed; scenario scripts source it.
# Namespace names carry a random suffix: fw17-<role>-<6 hex>.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_DIR=${FW17_RUN:-$HERE/run}

VIP=10.217.99.10
VPORT=80
SPORT=8080

_rand() { od -An -N3 -tx1 /dev/urandom | tr -d ' \n'; }

_ns_common() { # ns
    ip -n "$1" link set lo up
}

bed_up2() {
    local local_dnat=0 server_dnat=0
    [[ "${1:-}" == --local-dnat ]] && local_dnat=1
    [[ "${1:-}" == --server-dnat ]] && server_dnat=1
    local id; id=$(_rand)
    local A=fw17-a-$id B=fw17-b-$id
    mkdir -p "$RUN_DIR"
    local env=$RUN_DIR/bed-$id.env
    # The env file is written first so that a failure half-way can still be torn down.
    printf 'BED_ID=%s\nBED_KIND=2host\nNS_A=%s\nNS_B=%s\nNS_R=\n' "$id" "$A" "$B" >"$env"
    ip netns add "$A"
    ip netns add "$B"
    _ns_common "$A"; _ns_common "$B"
    ip link add "va-$id" netns "$A" type veth peer name "vb-$id" netns "$B"
    ip -n "$A" addr add 10.217.0.1/24 dev "va-$id"
    ip -n "$B" addr add 10.217.0.2/24 dev "vb-$id"
    ip -n "$A" link set "va-$id" up
    ip -n "$B" link set "vb-$id" up
    cat >>"$env" <<EOF
IF_A=va-$id
IF_B=vb-$id
IP_A=10.217.0.1
IP_B=10.217.0.2
SPORT=$SPORT
LOCAL_DNAT=$local_dnat
SERVER_DNAT=$server_dnat
EOF
    if ((local_dnat)); then
        # DNAT of locally generated traffic happens in the nat OUTPUT hook of the sender's own namespace: the
        # conntrack entry then lives in A's table (the "socket's own namespace" case of the issue).
        ip -n "$A" route add default via 10.217.0.2
        ip netns exec "$A" nft -f - <<EOF
table ip fw17 {
    chain out {
        type nat hook output priority -100; policy accept;
        ip daddr $VIP tcp dport $VPORT dnat to 10.217.0.2:$SPORT
    }
}
EOF
        printf 'VIP=%s\nVPORT=%s\n' "$VIP" "$VPORT" >>"$env"
    fi
    if ((server_dnat)); then
        ip -n "$A" route add "$VIP/32" via 10.217.0.2
        ip netns exec "$B" nft -f - <<EOF
table ip fw17 {
    chain pre {
        type nat hook prerouting priority -100; policy accept;
        ip daddr $VIP tcp dport $VPORT dnat to 10.217.0.2:$SPORT
    }
}
EOF
        printf 'VIP=%s\nVPORT=%s\n' "$VIP" "$VPORT" >>"$env"
    fi
    echo "$env"
}

bed_upnat() {
    local snat=0
    [[ "${1:-}" == --snat ]] && snat=1
    local id; id=$(_rand)
    local A=fw17-a-$id B=fw17-b-$id R=fw17-r-$id
    mkdir -p "$RUN_DIR"
    local env=$RUN_DIR/bed-$id.env
    printf 'BED_ID=%s\nBED_KIND=nat\nNS_A=%s\nNS_B=%s\nNS_R=%s\n' "$id" "$A" "$B" "$R" >"$env"
    ip netns add "$A"; ip netns add "$B"; ip netns add "$R"
    _ns_common "$A"; _ns_common "$B"; _ns_common "$R"
    ip link add "va-$id" netns "$A" type veth peer name "ra-$id" netns "$R"
    ip link add "vb-$id" netns "$B" type veth peer name "rb-$id" netns "$R"
    ip -n "$A" addr add 10.217.1.2/24 dev "va-$id"
    ip -n "$R" addr add 10.217.1.1/24 dev "ra-$id"
    ip -n "$R" addr add 10.217.2.1/24 dev "rb-$id"
    ip -n "$B" addr add 10.217.2.2/24 dev "vb-$id"
    for l in "$A va-$id" "$R ra-$id" "$R rb-$id" "$B vb-$id"; do
        set -- $l
        ip -n "$1" link set "$2" up
    done
    ip -n "$A" route add default via 10.217.1.1
    ip -n "$B" route add default via 10.217.2.1
    ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
    local masq=""
    ((snat)) && masq="ip daddr 10.217.2.2 tcp dport $SPORT ct status dnat masquerade"
    # prerouting DNAT (the Service rule) and, optionally, masquerade of DNAT-ed traffic toward the backend
    ip netns exec "$R" nft -f - <<EOF
table ip fw17 {
    chain pre {
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr $VIP tcp dport $VPORT dnat to 10.217.2.2:$SPORT
    }
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        $masq
    }
}
EOF
    cat >>"$env" <<EOF
IF_A=va-$id
IF_B=vb-$id
IF_RA=ra-$id
IF_RB=rb-$id
IP_A=10.217.1.2
IP_B=10.217.2.2
IP_RA=10.217.1.1
IP_RB=10.217.2.1
VIP=$VIP
VPORT=$VPORT
SPORT=$SPORT
SNAT=$snat
EOF
    echo "$env"
}

bed_down() { # envfile
    local env=$1
    [[ -f "$env" ]] || { echo "bed.sh: no env file $env" >&2; return 1; }
    (
        NS_A= NS_B= NS_R=
        # shellcheck disable=SC1090
        source "$env"
        for ns in $NS_A $NS_B $NS_R; do
            ip netns list | grep -qw "^$ns" || continue
            # Everything running inside a bed namespace was started by these scripts.
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
            ip netns exec "$ns" nft delete table ip fw17 2>/dev/null || true
            ip netns exec "$ns" nft delete table inet fw17drop 2>/dev/null || true
            ip netns del "$ns" 2>/dev/null || true
        done
    )
    rm -f "$env"
    rmdir "$RUN_DIR" 2>/dev/null || true
}

bed_downall() {
    local e
    for e in "$RUN_DIR"/bed-*.env; do
        [[ -f "$e" ]] && bed_down "$e"
    done
    return 0
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    cmd=${1:-}; shift || true
    case "$cmd" in
    up2) bed_up2 "$@" ;;
    upnat) bed_upnat "$@" ;;
    down) bed_down "$@" ;;
    downall) bed_downall ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
    esac
fi
