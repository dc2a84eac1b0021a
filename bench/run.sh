#!/usr/bin/env bash
# httpserve vs nginx vs lighttpd on loopback, one worker each, wrk on another CPU.
#
#   bench/run.sh                       # ROUNDS=3 DURATION=5 (about 5 minutes)
#   DURATION=1 ROUNDS=1 bench/run.sh   # smoke run
#
# Environment: ROUNDS (3), DURATION (5, seconds per measured run), WARMUP (1, seconds),
# HTTPSERVE (binary, default <repo>/build/daemon/httpserve), BASE_PORT (28081; uses 3 ports),
# SERVERS ("httpserve nginx lighttpd"), SCENARIOS ("1 2 3 4 5"), SERVER_CPU (0), CLIENT_CPU (1),
# KEEP_SCRATCH=1 (keep the scratch dir for inspection).
# Progress goes to stderr; the Markdown report goes to stdout and bench/results/latest.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
BENCH_TAG=bench
source "$BENCH_DIR/lib.sh"
ENV_SET=$(env_knobs HTTPSERVE SERVERS SCENARIOS BASE_PORT SERVER_CPU CLIENT_CPU)
common_knobs
BASE_PORT=${BASE_PORT:-28081}
SERVERS=${SERVERS:-"httpserve nginx lighttpd"}
SCENARIOS=${SCENARIOS:-"1 2 3 4 5"}

CMDLINE="${ENV_SET}ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP $(printf '%q ' "$0" "$@")"
CMDLINE=${CMDLINE% }

# ---------------------------------------------------------------------------------------------
# Tools (Debian packages; installed only when missing, never started as services)
# ---------------------------------------------------------------------------------------------
need_pkgs=($(missing_common_packages))
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need_pkgs+=(nginx-light)
command -v lighttpd >/dev/null || [[ -x /usr/sbin/lighttpd ]] || need_pkgs+=(lighttpd)
install_packages "${need_pkgs[@]}"

# ---------------------------------------------------------------------------------------------
# Scratch dir, test data, cleanup
# ---------------------------------------------------------------------------------------------
make_scratch httpserve-bench
mkdir -p "$SCRATCH/www/dir"
head -c 1024 /dev/zero | tr '\0' 'x' >"$SCRATCH/www/1k.txt"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$SCRATCH/www/64m.bin"
for i in $(seq -w 1 1000); do : >"$SCRATCH/www/dir/f$i.txt"; done   # f0001.txt .. f1000.txt
chmod -R a+rX "$SCRATCH/www"

URL_PATH=([1]=/1k.txt [2]=/1k.txt [3]=/64m.bin [4]=/dir/ [5]=/does-not-exist.txt)
CONNS=([1]=64 [2]=64 [3]=8 [4]=64 [5]=64)
EXTRA=([1]="" [2]="Connection: close" [3]="" [4]="" [5]="")

# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------
declare -A PORT=() STATUS=()
fill() {   # template -> file
    sed -e "s|@SCRATCH@|$SCRATCH|g" -e "s|@PORT@|$2|g" "$1" >"$3"
}
wait_http() {   # port pid seconds -> 0 when /1k.txt answers 200
    local port=$1 pid=$2 t=$(($3 * 10)) i code
    for ((i = 0; i < t; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/1k.txt" || true)
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

start_nginx() {
    local port=$1 d=$SCRATCH/nginx
    mkdir -p "$d/logs" "$d/tmp"
    fill "$BENCH_DIR/nginx.conf.in" "$port" "$d/nginx.conf"
    nginx -t -q -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" 2>"$d/check.log" ||
        { STATUS[nginx]="config check failed: $(tr '\n' ' ' <"$d/check.log")"; return 1; }
    taskset -c "$SERVER_CPU" nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" \
        -g 'daemon off;' >"$d/stdout.log" 2>&1 &
    PID[nginx]=$!
    wait_http "$port" "${PID[nginx]}" 10 || { STATUS[nginx]="did not answer (see $d/logs/error.log)"; return 1; }
}

start_lighttpd() {
    local port=$1 d=$SCRATCH/lighttpd
    mkdir -p "$d/logs"
    chown nobody:nogroup "$d/logs" 2>/dev/null || chmod 777 "$d/logs"  # errorlog opened after setuid
    fill "$BENCH_DIR/lighttpd.conf.in" "$port" "$d/lighttpd.conf"
    lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 ||
        { STATUS[lighttpd]="config check failed: $(tr '\n' ' ' <"$d/check.log")"; return 1; }
    taskset -c "$SERVER_CPU" lighttpd -D -f "$d/lighttpd.conf" >"$d/stdout.log" 2>&1 &
    PID[lighttpd]=$!
    wait_http "$port" "${PID[lighttpd]}" 10 || { STATUS[lighttpd]="did not answer"; return 1; }
}

start_httpserve() {
    local port=$1 d=$SCRATCH/httpserve i
    mkdir -p "$d"
    [[ -x $HTTPSERVE ]] || { STATUS[httpserve]="no binary at $HTTPSERVE"; return 1; }
    fill "$BENCH_DIR/httpserve.toml.in" "$port" "$d/httpserve.toml"
    "$HTTPSERVE" -t -c "$d/httpserve.toml" >"$d/check.log" 2>&1 ||
        { STATUS[httpserve]="config check failed: $(tr '\n' ' ' <"$d/check.log" | cut -c1-300)"; return 1; }
    taskset -c "$SERVER_CPU" "$HTTPSERVE" -c "$d/httpserve.toml" >"$d/stdout.log" 2>"$d/stderr.log" &
    PID[httpserve]=$!
    for ((i = 0; i < 100; i++)); do
        grep -q 'Serving HTTP on' "$d/stdout.log" 2>/dev/null && break
        kill -0 "${PID[httpserve]}" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "${PID[httpserve]}" 2>/dev/null ||
        { STATUS[httpserve]="exited at start: $(tail -n 3 "$d/stderr.log" | tr '\n' ' ' | cut -c1-300)"; return 1; }
    wait_http "$port" "${PID[httpserve]}" 10 || { STATUS[httpserve]="did not answer GET /1k.txt with 200"; return 1; }
    grep -q 'Serving HTTP on' "$d/stdout.log" 2>/dev/null ||
        log "httpserve: answers, but no 'Serving HTTP on' line on stdout yet (stdout not flushed when not a tty?)"
}

# Functional check of each scenario's URL, so a fast wrong answer is not mistaken for a fast server.
check_answers() {   # name port -> notes on stdout (empty if all fine)
    local name=$1 port=$2 base="http://127.0.0.1:$2" out code size
    out=$SCRATCH/check.$name
    read -r code size < <(curl -s -o "$out" -m 20 -w '%{http_code} %{size_download}\n' "$base/1k.txt" || echo "000 0")
    [[ $code == 200 && $size == 1024 ]] || echo "1k.txt: $code/$size bytes;"
    read -r code size < <(curl -s -o /dev/null -m 60 -w '%{http_code} %{size_download}\n' "$base/64m.bin" || echo "000 0")
    [[ $code == 200 && $size == $((64 * 1024 * 1024)) ]] || echo "64m.bin: $code/$size bytes;"
    read -r code size < <(curl -s -o "$out" -m 20 -w '%{http_code} %{size_download}\n' "$base/dir/" || echo "000 0")
    { [[ $code == 200 ]] && grep -q 'f0001\.txt' "$out" && grep -q 'f1000\.txt' "$out"; } ||
        echo "dir/: $code/$size bytes, entries missing?;"
    read -r code size < <(curl -s -o /dev/null -m 20 -w '%{http_code} %{size_download}\n' "$base/does-not-exist.txt" || echo "000 0")
    [[ $code == 404 ]] || echo "missing path: $code (want 404);"
    rm -f "$out"
}

AVAILABLE=()
declare -A CHECK=()
port=$BASE_PORT
for name in $SERVERS; do
    case $name in httpserve | nginx | lighttpd) ;; *) die "unknown server '$name'" ;; esac
    PORT[$name]=$port
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
        STATUS[$name]="port $port already in use"
    elif "start_$name" "$port"; then
        STATUS[$name]=ok
        AVAILABLE+=("$name")
        CHECK[$name]=$(check_answers "$name" "$port" | tr '\n' ' ')
        log "$name: up on 127.0.0.1:$port (pid ${PID[$name]})${CHECK[$name]:+; answer check: ${CHECK[$name]}}"
    fi
    [[ ${STATUS[$name]} == ok ]] || log "$name: not available (${STATUS[$name]})"
    port=$((port + 1))
done
((${#AVAILABLE[@]})) || die "no server available"

# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------
wrk_args() {   # scenario duration -> args (one per line)
    local s=$1
    printf '%s\n' -t1 "-c${CONNS[$s]}" "-d${2}s" --timeout 10s
    [[ -z ${EXTRA[$s]} ]] || printf '%s\n' -H "${EXTRA[$s]}"
}
RAW=$SCRATCH/raw.tsv
printf 'scenario\tround\tserver\trequests\tbytes\tduration_us\tconnect\tread\twrite\tstatus\ttimeout\tp50_us\tp99_us\n' >"$RAW"
WRK_CMDS=$SCRATCH/wrk_cmds.txt
: >"$WRK_CMDS"

n=${#AVAILABLE[@]}
for s in $SCENARIOS; do
    [[ -n ${URL_PATH[$s]:-} ]] || die "unknown scenario '$s'"
    mapfile -t args < <(wrk_args "$s" "$DURATION")
    mapfile -t wargs < <(wrk_args "$s" "$WARMUP")
    hdr=""; [[ -z ${EXTRA[$s]} ]] || hdr="-H '${EXTRA[$s]}' "
    printf '%s\t%s\n' "$s" "taskset -c $CLIENT_CPU wrk -t1 -c${CONNS[$s]} -d${DURATION}s --timeout 10s ${hdr}-s bench/summary.lua http://127.0.0.1:PORT${URL_PATH[$s]}" >>"$WRK_CMDS"
    for ((r = 0; r < ROUNDS; r++)); do
        for ((k = 0; k < n; k++)); do
            name=${AVAILABLE[$(((k + r) % n))]}   # rotate the order each round
            url="http://127.0.0.1:${PORT[$name]}${URL_PATH[$s]}"
            if ! kill -0 "${PID[$name]}" 2>/dev/null; then
                log "scenario $s round $((r + 1)): $name is no longer running; skipped"
                continue
            fi
            if ((WARMUP > 0)); then
                taskset -c "$CLIENT_CPU" wrk "${wargs[@]}" "$url" >/dev/null 2>&1 || true
            fi
            out=$(taskset -c "$CLIENT_CPU" wrk "${args[@]}" -s "$BENCH_DIR/summary.lua" "$url" 2>&1) || true
            line=$(grep '^BENCH ' <<<"$out" || true)
            if [[ -z $line ]]; then
                log "scenario $s round $((r + 1)) $name: wrk gave no result: $(tr '\n' ' ' <<<"$out" | cut -c1-200)"
                continue
            fi
            # BENCH requests=.. bytes=.. ... -> tab-separated values
            vals=$(sed -e 's/^BENCH //' -e 's/[a-z0-9_]*=//g' -e 's/ /\t/g' <<<"$line")
            printf '%s\t%s\t%s\t%s\n' "$s" "$((r + 1))" "$name" "$vals" >>"$RAW"
            log "scenario $s round $((r + 1)) $name: $(awk -F'\t' '{printf "%.0f req/s, %.1f MB/s, errors c/r/w/status/timeout %s/%s/%s/%s/%s", $1/($3/1e6), $2/($3/1e6)/1e6, $4,$5,$6,$7,$8}' <<<"$vals")"
        done
    done
done

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
FACTS=$SCRATCH/facts.txt
{
    machine_facts
    echo "nginx	$(nginx -v 2>&1 | sed 's/^nginx version: //') (deb $(deb nginx))"
    echo "lighttpd	$(lighttpd -v 2>&1 | head -n1 | awk '{print $1}') (deb $(deb lighttpd))"
    echo "pinning	servers on CPU $SERVER_CPU (taskset -c $SERVER_CPU), wrk on CPU $CLIENT_CPU (taskset -c $CLIENT_CPU)"
    echo "command	$CMDLINE"
    for name in $SERVERS; do
        st=${STATUS[$name]}
        if [[ $st == ok ]]; then
            st="127.0.0.1:${PORT[$name]}${CHECK[$name]:+; answer check FAILED: ${CHECK[$name]}}"
            kill -0 "${PID[$name]}" 2>/dev/null || st="$st; **died during the run**"
        else
            st="not available ($st)"
        fi
        echo "server	$name	$st"
    done
} >"$FACTS"

mkdir -p "$RESULTS_DIR"
WARMUP=$WARMUP "$PY" "$BENCH_DIR/report.py" "$RAW" "$FACTS" "$WRK_CMDS" "$ROUNDS" "$DURATION" "$SERVERS" >"$RESULTS_DIR/latest.md"
cp "$RAW" "$RESULTS_DIR/latest.tsv"
cat "$RESULTS_DIR/latest.md"
log "report written to $RESULTS_DIR/latest.md (raw runs: $RESULTS_DIR/latest.tsv)"
