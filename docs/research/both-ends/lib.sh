# Shared helpers of the issue-17 scenario scripts (sourced). Requires bed.sh sourced first.
PY=/usr/bin/python3
LOGDIR=${LOGDIR:-$(mktemp -d /tmp/fw17-logs.XXXXXX)}
T0=$(date +%s.%N)

# seconds since the script started, 3 decimals
t() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%7.3f", b-a}'; }
log() { echo "[$(t)] $*"; }

# ss of one namespace, TCP, no header; 'ss' on cgroup-v1 hosts complains about cgroup2 on stderr
ssn() { local ns=$1; shift; ip netns exec "$ns" ss -tanoi "$@" 2>/dev/null | sed '1d'; }
# one line per socket: state recvq sendq local peer [timer]
ss1() { ip netns exec "$1" ss -tanoH 2>/dev/null | awk '{t=""; for(i=6;i<=NF;i++) if ($i ~ /^timer:/) t=$i; printf "%s rq=%s sq=%s %s -> %s %s\n",$1,$2,$3,$4,$5,t}'; }
show() { # label ns...
    local label=$1; shift
    for ns in "$@"; do
        local s; s=$(ss1 "$ns")
        log "$label ${ns%%-*}-${ns#*-}: ${s:-<no TCP sockets>}" | sed 's/-[0-9a-f]\{6\}:/:/'
    done
}

# start_peer ns name args... -> runs peer.py in ns, waits for its READY/LISTEN line; PID in ${name}_PID
start_peer() {
    local ns=$1 name=$2; shift 2
    local out=$LOGDIR/$name.log
    ip netns exec "$ns" $PY -u "$HERE/peer.py" "$@" >"$out" 2>&1 &
    local pid=$!
    disown "$pid"  # the teardown kills it with -9; no job-control noise
    local want=READY; [[ "$1" == server ]] && want=LISTEN
    for _ in $(seq 1 100); do grep -q "$want" "$out" && break; sleep 0.05; done
    grep -q "$want" "$out" || { cat "$out"; return 1; }
    # the pid of python inside the namespace (ip netns exec execs, so $! is it)
    printf -v "${name}_PID" '%s' "$pid"
}
wait_line() { # file pattern [tries]
    for _ in $(seq 1 "${3:-100}"); do grep -q "$2" "$1" && return 0; sleep 0.05; done
    return 1
}
field() { grep READY "$1" | head -1 | sed "s/.* $2=\([^ ]*\).*/\1/"; }

# poll until the state of the first TCP socket in ns is $2 (or 'none'), at most $3 seconds
wait_state() {
    local ns=$1 want=$2 max=${3:-10} end
    end=$(awk -v a="$(date +%s.%N)" -v m="$max" 'BEGIN{printf "%.3f", a+m}')
    while :; do
        local s; s=$(ip netns exec "$ns" ss -tanH 2>/dev/null | awk 'NR==1{print $1}')
        [[ "${s:-none}" == "$want" ]] && return 0
        awk -v e="$end" -v n="$(date +%s.%N)" 'BEGIN{exit !(n>e)}' && return 1
        sleep 0.05
    done
}

# follow NS_X NS_Y MAX_S STOP: prints both ends' sockets whenever they change, until STOP (a bash test on $a/$b,
# the one-line summaries of X and Y; "" = no socket) holds or MAX_S seconds pass. Timer countdowns are masked so
# only real changes print.
follow() {
    local x=$1 y=$2 max=$3 stop=$4 last="" a b key end
    end=$(awk -v a="$(date +%s.%N)" -v m="$max" 'BEGIN{printf "%.3f", a+m}')
    while :; do
        a=$(ss1 "$x"); b=$(ss1 "$y")
        key=$(echo "$a|$b" | sed 's/timer:([a-z_]*,[^,]*,/timer:(T,/g; s/timer:(\([a-z]*\),[^,]*,/timer:(\1,/g')
        if [[ "$key" != "$last" ]]; then
            log "  ${x%-*}: ${a:-<none>}"; log "  ${y%-*}: ${b:-<none>}"
            last=$key
        fi
        eval "$stop" && return 0
        awk -v e="$end" -v n="$(date +%s.%N)" 'BEGIN{exit !(n>e)}' && { log "  (stopped following after ${max}s)"; return 1; }
        sleep 0.1
    done
}
two_host_bed() { # -> ENV, sources it, fin_timeout 3 at both ends
    ENV=$(bed_up2)
    trap 'bed_down "$ENV"; rm -rf "$LOGDIR"' EXIT
    source "$ENV"
    for ns in $NS_A $NS_B; do ip netns exec "$ns" sysctl -qw net.ipv4.tcp_fin_timeout=3; done
    log "bed $BED_ID: A=$NS_A $IP_A  B=$NS_B $IP_B; tcp_fin_timeout=3 in both"
}
