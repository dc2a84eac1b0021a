#!/usr/bin/env bash
# HTTPS: httpserve vs nginx vs lighttpd (mod_openssl), one worker / process each on one CPU, the
# clients on another, the same ECDSA P-256 certificate for all three, TLS 1.3 negotiated:
#   ka      1 KiB file, keep-alive              wrk -t1 -c50                      (requests/s)
#   full    new connections, full handshakes    P × bench/tls/handshakes full     (connections/s)
#   resumed new connections, resumed sessions   P × bench/tls/handshakes resume   (connections/s)
#   big     64 MiB file                         wrk -t1 -c4                       (MiB/s)
#
#   bench/tls_run.sh                          # ROUNDS=3 DURATION=5 (about 4 minutes)
#   DURATION=1 ROUNDS=1 bench/tls_run.sh      # smoke run
#
# Environment: ROUNDS (3), DURATION (5), WARMUP (1), HTTPSERVE (binary), BASE_PORT (28381; 3 ports),
# SERVERS ("httpserve nginx lighttpd"), SCENARIOS ("ka full resumed big"), SERVER_CPU (0),
# CLIENT_CPU (1), HANDSHAKE_CLIENTS (4, parallel handshake clients), KEEP_SCRATCH=1.
# The Markdown report goes to stdout and bench/results/tls-latest.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
TPL=$BENCH_DIR/tls
BENCH_TAG=tls-bench
source "$BENCH_DIR/lib.sh"
ENV_SET=$(env_knobs HTTPSERVE SERVERS SCENARIOS BASE_PORT SERVER_CPU CLIENT_CPU HANDSHAKE_CLIENTS)
common_knobs
BASE_PORT=${BASE_PORT:-28381}
SERVERS=${SERVERS:-"httpserve nginx lighttpd"}
SCENARIOS=${SCENARIOS:-"ka full resumed big"}
HANDSHAKE_CLIENTS=${HANDSHAKE_CLIENTS:-4}
[[ $HANDSHAKE_CLIENTS =~ ^[1-9][0-9]*$ ]] || die "HANDSHAKE_CLIENTS must be a positive integer"
CMDLINE="${ENV_SET}ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP $(printf '%q ' "$0" "$@")"
CMDLINE=${CMDLINE% }

need_pkgs=($(missing_common_packages))
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need_pkgs+=(nginx-light)
command -v lighttpd >/dev/null || [[ -x /usr/sbin/lighttpd ]] || need_pkgs+=(lighttpd)
[[ -f /usr/lib/lighttpd/mod_openssl.so ]] || need_pkgs+=(lighttpd-mod-openssl)
command -v gcc >/dev/null || need_pkgs+=(gcc libc6-dev)
[[ -f /usr/include/openssl/ssl.h ]] || need_pkgs+=(libssl-dev)
install_packages "${need_pkgs[@]}"

make_scratch httpserve-tlsbench
mkdir -p "$SCRATCH/www" "$SCRATCH/tls"
head -c 1024 /dev/zero | tr '\0' 'x' >"$SCRATCH/www/1k.txt"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$SCRATCH/www/64m.bin"
chmod -R a+rX "$SCRATCH/www"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$SCRATCH/tls/key.pem" -out "$SCRATCH/tls/cert.pem" 2>/dev/null
chmod 644 "$SCRATCH/tls/cert.pem"
chmod 600 "$SCRATCH/tls/key.pem"   # read by each master as root, before it drops privileges
HANDSHAKES=$SCRATCH/handshakes
gcc -O2 -o "$HANDSHAKES" "$TPL/handshakes.c" -lssl -lcrypto || die "could not compile $TPL/handshakes.c"

declare -A PORT=() STATUS=()
fill() { sed -e "s|@SCRATCH@|$SCRATCH|g" -e "s|@PORT@|$2|g" "$1" >"$3"; }
wait_https() {   # port pid seconds -> 0 when /1k.txt answers 200 over TLS
    local port=$1 pid=$2 t=$(($3 * 10)) i code
    for ((i = 0; i < t; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        code=$(curl -s -o /dev/null -m 2 --cacert "$SCRATCH/tls/cert.pem" -w '%{http_code}' \
            "https://127.0.0.1:$port/1k.txt" || true)
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

start_httpserve() {
    local port=$1 d=$SCRATCH/httpserve
    mkdir -p "$d"
    [[ -x $HTTPSERVE ]] || { STATUS[httpserve]="no binary at $HTTPSERVE"; return 1; }
    fill "$TPL/httpserve.toml.in" "$port" "$d/httpserve.toml"
    "$HTTPSERVE" -t -c "$d/httpserve.toml" >"$d/check.log" 2>&1 ||
        { STATUS[httpserve]="config check failed: $(tr '\n' ' ' <"$d/check.log" | cut -c1-300)"; return 1; }
    taskset -c "$SERVER_CPU" "$HTTPSERVE" -c "$d/httpserve.toml" >"$d/stdout.log" 2>"$d/stderr.log" &
    PID[httpserve]=$!
    wait_https "$port" "${PID[httpserve]}" 10 ||
        { STATUS[httpserve]="did not answer ($(tail -n 3 "$d/stderr.log" | tr '\n' ' ' | cut -c1-200))"; return 1; }
}

start_nginx() {
    local port=$1 d=$SCRATCH/nginx
    mkdir -p "$d/logs" "$d/tmp"
    fill "$TPL/nginx.conf.in" "$port" "$d/nginx.conf"
    nginx -t -q -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" 2>"$d/check.log" ||
        { STATUS[nginx]="config check failed: $(tr '\n' ' ' <"$d/check.log")"; return 1; }
    taskset -c "$SERVER_CPU" nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" \
        -g 'daemon off;' >"$d/stdout.log" 2>&1 &
    PID[nginx]=$!
    wait_https "$port" "${PID[nginx]}" 10 || { STATUS[nginx]="did not answer (see $d/logs/error.log)"; return 1; }
}

start_lighttpd() {
    local port=$1 d=$SCRATCH/lighttpd
    mkdir -p "$d/logs"
    chown nobody:nogroup "$d/logs" 2>/dev/null || chmod 777 "$d/logs"
    fill "$TPL/lighttpd.conf.in" "$port" "$d/lighttpd.conf"
    lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 ||
        { STATUS[lighttpd]="config check failed: $(tr '\n' ' ' <"$d/check.log")"; return 1; }
    taskset -c "$SERVER_CPU" lighttpd -D -f "$d/lighttpd.conf" >"$d/stdout.log" 2>&1 &
    PID[lighttpd]=$!
    wait_https "$port" "${PID[lighttpd]}" 10 ||
        { STATUS[lighttpd]="did not answer ($(tail -n 2 "$d/logs/error.log" 2>/dev/null | tr '\n' ' ' | cut -c1-200))"; return 1; }
}

# What each server negotiates, so that the report says what was measured.
declare -A NEGOTIATED=()
describe_tls() {   # name port
    NEGOTIATED[$1]=$(openssl s_client -connect "127.0.0.1:$2" -alpn http/1.1 </dev/null 2>/dev/null |
        awk '/^New, /{p=$2" "$5} /^ALPN protocol/{a=$3} /Server Temp Key/{k=$4$5} END{print p", ALPN "(a?a:"none")", key "k}')
}

AVAILABLE=()
port=$BASE_PORT
for name in $SERVERS; do
    case $name in httpserve | nginx | lighttpd) ;; *) die "unknown server '$name'" ;; esac
    PORT[$name]=$port
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
        STATUS[$name]="port $port already in use"
    elif "start_$name" "$port"; then
        STATUS[$name]=ok
        AVAILABLE+=("$name")
        describe_tls "$name" "$port"
        log "$name: up on 127.0.0.1:$port (pid ${PID[$name]}): ${NEGOTIATED[$name]}"
    fi
    [[ ${STATUS[$name]} == ok ]] || log "$name: not available (${STATUS[$name]})"
    port=$((port + 1))
done
((${#AVAILABLE[@]})) || die "no server available"

# CPU time (clock ticks, user + system) used so far by a server: its first process and its children.
server_ticks() {   # pid
    local total=0 p
    for p in "$1" $(pgrep -P "$1"); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
TICKS_PER_SECOND=$(getconf CLK_TCK)

# One measurement: prints "<value>" (requests/s, connections/s or MiB/s), empty on failure. For the
# handshake scenarios also the connections per second of the server's CPU time (the clients, on one
# CPU, may be the limit: then this says what the server itself can do), as "<value> <per CPU s>".
measure() {   # scenario port seconds [server pid]
    local s=$1 port=$2 secs=$3 url out i total n c
    case $s in
        ka | big)
            if [[ $s == ka ]]; then url="https://127.0.0.1:$port/1k.txt" c=50; else url="https://127.0.0.1:$port/64m.bin" c=4; fi
            out=$(taskset -c "$CLIENT_CPU" wrk -t1 "-c$c" "-d${secs}s" --timeout 20s -s "$BENCH_DIR/summary.lua" "$url" 2>&1) || true
            grep '^BENCH ' <<<"$out" | sed -e 's/^BENCH //' | awk -v s="$s" '{
                for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                sec = v["duration_us"] / 1e6
                if (s == "ka") printf "%.0f\n", v["requests"] / sec; else printf "%.1f\n", v["bytes"] / sec / 1048576 }'
            ;;
        full | resumed)
            local mode=full
            [[ $s == resumed ]] && mode=resume
            total=0
            local clients=() before=0 after=0
            [[ -n ${4:-} ]] && before=$(server_ticks "$4")
            for ((i = 0; i < HANDSHAKE_CLIENTS; i++)); do
                taskset -c "$CLIENT_CPU" "$HANDSHAKES" "$port" /1k.txt "$secs" "$mode" >"$SCRATCH/hs.$i" 2>&1 &
                clients+=($!)
            done
            wait "${clients[@]}"   # these only: the servers are this shell's children too
            for ((i = 0; i < HANDSHAKE_CLIENTS; i++)); do
                # "<connections> <seconds> <resumed>"; a resumed run that did not resume is no result.
                n=$(awk -v m="$mode" 'NF == 3 && $2 > 0 && (m == "full" || $3 * 10 >= $1 * 9) {printf "%.0f", $1 / $2}' "$SCRATCH/hs.$i")
                [[ -n $n ]] || { log "$s: a client failed: $(head -c 200 "$SCRATCH/hs.$i")"; return 0; }
                total=$((total + n))
            done
            [[ -n ${4:-} ]] && after=$(server_ticks "$4")
            if ((total > 0 && after > before)); then
                echo "$total $((total * secs * TICKS_PER_SECOND / (after - before)))"
            elif ((total > 0)); then
                echo "$total"
            fi
            ;;
    esac
}

RAW=$SCRATCH/raw.tsv
printf 'scenario\tround\tserver\tvalue\tper_cpu\n' >"$RAW"
n=${#AVAILABLE[@]}
for s in $SCENARIOS; do
    case $s in ka | full | resumed | big) ;; *) die "unknown scenario '$s'" ;; esac
    for ((r = 0; r < ROUNDS; r++)); do
        for ((k = 0; k < n; k++)); do
            name=${AVAILABLE[$(((k + r) % n))]}   # rotate the order each round
            kill -0 "${PID[$name]}" 2>/dev/null || { log "$s: $name is no longer running"; continue; }
            ((WARMUP > 0)) && measure "$s" "${PORT[$name]}" "$WARMUP" >/dev/null
            v=$(measure "$s" "${PORT[$name]}" "$DURATION" "${PID[$name]}")
            [[ -n $v ]] || { log "$s round $((r + 1)) $name: no result"; continue; }
            read -r value per_cpu <<<"$v"
            printf '%s\t%s\t%s\t%s\t%s\n' "$s" "$((r + 1))" "$name" "$value" "${per_cpu:-}" >>"$RAW"
            log "$s round $((r + 1)) $name: $v"
        done
    done
done

FACTS=$SCRATCH/facts.txt
{
    machine_facts
    echo "openssl	$(openssl version) (deb $(deb libssl3))"
    echo "nginx	$(nginx -v 2>&1 | sed 's/^nginx version: //') (deb $(deb nginx-light))"
    echo "lighttpd	$(lighttpd -v 2>&1 | head -n1 | awk '{print $1}') (deb $(deb lighttpd-mod-openssl))"
    echo "kernel TLS	$(grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null && echo 'the tls ULP is available' || echo 'no tls ULP in this kernel: large files go through the read/write path')"
    echo "pinning	servers on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU"
    echo "command	$CMDLINE"
    for name in $SERVERS; do
        if [[ ${STATUS[$name]} == ok ]]; then
            echo "server	$name	127.0.0.1:${PORT[$name]}, ${NEGOTIATED[$name]}"
        else
            echo "server	$name	not available (${STATUS[$name]})"
        fi
    done
} >"$FACTS"

mkdir -p "$RESULTS_DIR"
"$PY" - "$RAW" "$FACTS" "$ROUNDS" "$DURATION" "$HANDSHAKE_CLIENTS" >"$RESULTS_DIR/tls-latest.md" <<'PYEOF'
import csv, statistics, sys

raw, facts_path, rounds, duration, clients = sys.argv[1:6]
ORDER = ["httpserve", "nginx", "lighttpd"]
TITLES = {"ka": ("1 KiB, keep-alive (wrk -t1 -c50)", "req/s"),
          "full": ("new connections, full handshake (%s clients)" % clients, "conn/s"),
          "resumed": ("new connections, resumed session (%s clients)" % clients, "conn/s"),
          "big": ("64 MiB file (wrk -t1 -c4)", "MiB/s")}
runs, per_cpu = {}, {}
for r in csv.DictReader(open(raw), delimiter="\t"):
    runs.setdefault((r["scenario"], r["server"]), []).append((r["round"], float(r["value"])))
    if r.get("per_cpu"):
        per_cpu.setdefault((r["scenario"], r["server"]), []).append(float(r["per_cpu"]))
facts, status = [], {}
for line in open(facts_path):
    parts = line.rstrip("\n").split("\t")
    if parts[0] == "server":
        status[parts[1]] = parts[2]
    else:
        facts.append(parts)
servers = [s for s in ORDER if any(k[1] == s for k in runs)]
scenarios = [s for s in TITLES if any(k[0] == s for k in runs)]
med = lambda s, srv: statistics.median(v for _, v in runs[(s, srv)]) if (s, srv) in runs else None
out = ["# httpserve HTTPS benchmark", "",
       f"Median of {rounds} round(s) of {duration} s per server and scenario (order rotated each round), "
       "loopback, one worker / process per server, the same ECDSA P-256 certificate.", "",
       "| scenario | unit | " + " | ".join(servers) + " | " +
       " | ".join(f"httpserve/{s}" for s in servers if s != "httpserve") + " |",
       "|---|---|" + "---:|" * (2 * len(servers) - 1)]
for s in scenarios:
    title, unit = TITLES[s]
    m = {srv: med(s, srv) for srv in servers}
    cells = ["n/a" if m[srv] is None else f"{m[srv]:,.1f}" for srv in servers]
    ratios = []
    for srv in servers:
        if srv == "httpserve":
            continue
        a, b = m.get("httpserve"), m[srv]
        ratios.append("n/a" if a is None or not b else f"{a / b:.2f}×")
    out.append(f"| {title} | {unit} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
if per_cpu:
    out += ["", "Handshakes per second of the server's own CPU time (user + system, all its processes; "
            "what one CPU of the server can do when the clients are the limit):", "",
            "| scenario | " + " | ".join(servers) + " | " +
            " | ".join(f"httpserve/{s}" for s in servers if s != "httpserve") + " |",
            "|---|" + "---:|" * (2 * len(servers) - 1)]
    for s in ("full", "resumed"):
        m = {srv: statistics.median(per_cpu[(s, srv)]) if (s, srv) in per_cpu else None for srv in servers}
        if all(v is None for v in m.values()):
            continue
        cells = ["n/a" if m[srv] is None else f"{m[srv]:,.0f}" for srv in servers]
        ratios = ["n/a" if not m.get("httpserve") or not m[srv] else f"{m['httpserve'] / m[srv]:.2f}×"
                  for srv in servers if srv != "httpserve"]
        out.append(f"| {s} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
out += ["", "## Servers and machine", ""]
out += [f"- {s}: {status.get(s, 'not run')}" for s in ORDER]
out += [f"- {k}: {chr(9).join(v)}" for k, *v in facts]
out += ["", "## All runs", "", "| scenario | server | values |", "|---|---|---|"]
for (s, srv), v in sorted(runs.items()):
    out.append(f"| {s} | {srv} | " + ", ".join(f"{x:,.1f}" for _, x in v) + " |")
print("\n".join(out))
PYEOF
cp "$RAW" "$RESULTS_DIR/tls-latest.tsv"
cat "$RESULTS_DIR/tls-latest.md"
log "report written to $RESULTS_DIR/tls-latest.md"
