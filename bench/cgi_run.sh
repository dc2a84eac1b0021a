#!/usr/bin/env bash
# CGI requests per second: httpserve vs lighttpd (mod_cgi) vs apache2 (prefork + mod_cgi), on
# loopback, for the same tiny shell script (/cgi-bin/hello.sh) and tiny compiled program
# (/cgi-bin/hello). One worker / process each on one CPU, wrk on another CPU.
#
#   bench/cgi_run.sh                       # ROUNDS=3 DURATION=5 (about 2 minutes)
#   DURATION=1 ROUNDS=1 bench/cgi_run.sh   # smoke run (about 15 s)
#
# Environment: ROUNDS (3), DURATION (5, seconds per measured run), WARMUP (1, seconds),
# HTTPSERVE (binary, default <repo>/build/daemon/httpserve), BASE_PORT (28181; uses 3 ports),
# SERVERS ("httpserve lighttpd apache"), SERVER_CPU (0), CLIENT_CPU (1), CONNS (8),
# KEEP_SCRATCH=1 (keep the scratch dir for inspection).
# Progress goes to stderr; the Markdown report goes to stdout and bench/results/cgi-latest.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
TPL=$BENCH_DIR/cgi
BENCH_TAG=cgi-bench
source "$BENCH_DIR/lib.sh"
ENV_SET=$(env_knobs HTTPSERVE SERVERS BASE_PORT SERVER_CPU CLIENT_CPU CONNS)
common_knobs
CONNS=${CONNS:-8}
BASE_PORT=${BASE_PORT:-28181}
SERVERS=${SERVERS:-"httpserve lighttpd apache"}
[[ $CONNS =~ ^[1-9][0-9]*$ ]] || die "CONNS must be a positive integer"

CMDLINE="${ENV_SET}ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP $(printf '%q ' "$0" "$@")"
CMDLINE=${CMDLINE% }

# ---------------------------------------------------------------------------------------------
# Tools (Debian packages; installed only when missing, never started as services)
# ---------------------------------------------------------------------------------------------
APACHE=/usr/sbin/apache2
APACHE_MODS=/usr/lib/apache2/modules
need_pkgs=($(missing_common_packages))
command -v lighttpd >/dev/null || [[ -x /usr/sbin/lighttpd ]] || need_pkgs+=(lighttpd)
[[ -x $APACHE && -f $APACHE_MODS/mod_cgi.so && -f $APACHE_MODS/mod_mpm_prefork.so ]] || need_pkgs+=(apache2)
command -v gcc >/dev/null || need_pkgs+=(gcc libc6-dev)
install_packages "${need_pkgs[@]}"

# ---------------------------------------------------------------------------------------------
# Scratch dir, CGI programs, cleanup
# ---------------------------------------------------------------------------------------------
make_scratch httpserve-cgibench
mkdir -p "$SCRATCH/www/cgi-bin"
cp "$TPL/hello.sh" "$SCRATCH/www/cgi-bin/hello.sh"
gcc -O2 -o "$SCRATCH/www/cgi-bin/hello" "$TPL/hello.c" || die "could not compile $TPL/hello.c"
chmod 755 "$SCRATCH/www" "$SCRATCH/www/cgi-bin" "$SCRATCH/www/cgi-bin/hello.sh" "$SCRATCH/www/cgi-bin/hello"

URLS=(/cgi-bin/hello.sh /cgi-bin/hello)

# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------
declare -A PORT=() STATUS=()
fill() {   # template port file
    sed -e "s|@SCRATCH@|$SCRATCH|g" -e "s|@PORT@|$2|g" "$1" >"$3"
}
wait_http() {   # port pid seconds -> 0 when /cgi-bin/hello answers 200
    local port=$1 pid=$2 t=$(($3 * 10)) i code
    for ((i = 0; i < t; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/cgi-bin/hello" || true)
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

start_httpserve() {
    local port=$1 d=$SCRATCH/httpserve i
    mkdir -p "$d"
    [[ -x $HTTPSERVE ]] || { STATUS[httpserve]="no binary at $HTTPSERVE"; return 1; }
    fill "$TPL/httpserve.toml.in" "$port" "$d/httpserve.toml"
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
    wait_http "$port" "${PID[httpserve]}" 10 ||
        { STATUS[httpserve]="did not answer /cgi-bin/hello with 200 ($(tail -n 3 "$d/stderr.log" | tr '\n' ' ' | cut -c1-200))"; return 1; }
    grep -q 'Serving HTTP on' "$d/stdout.log" 2>/dev/null ||
        log "httpserve: answers, but no 'Serving HTTP on' line on stdout yet (stdout not flushed when not a tty?)"
}

start_lighttpd() {
    local port=$1 d=$SCRATCH/lighttpd
    mkdir -p "$d/logs"
    chown nobody:nogroup "$d/logs" 2>/dev/null || chmod 777 "$d/logs"  # errorlog opened after setuid
    fill "$TPL/lighttpd.conf.in" "$port" "$d/lighttpd.conf"
    lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 ||
        { STATUS[lighttpd]="config check failed: $(tr '\n' ' ' <"$d/check.log")"; return 1; }
    taskset -c "$SERVER_CPU" lighttpd -D -f "$d/lighttpd.conf" >"$d/stdout.log" 2>&1 &
    PID[lighttpd]=$!
    wait_http "$port" "${PID[lighttpd]}" 10 ||
        { STATUS[lighttpd]="did not answer ($(tail -n 2 "$d/logs/error.log" 2>/dev/null | tr '\n' ' ' | cut -c1-200))"; return 1; }
}

start_apache() {
    local port=$1 d=$SCRATCH/apache i n
    mkdir -p "$d/logs" "$d/run"
    fill "$TPL/apache2.conf.in" "$port" "$d/httpd.conf"
    "$APACHE" -t -f "$d/httpd.conf" >"$d/check.log" 2>&1 ||
        { STATUS[apache]="config check failed: $(tr '\n' ' ' <"$d/check.log")"; return 1; }
    # Not apache2ctl (it wants Debian's envvars); -DFOREGROUND so $! is the parent (root) process.
    # setsid: on SIGTERM the prefork parent signals its whole process group (killpg(getpgrp())),
    # which without -DFOREGROUND's daemonizing would be this script's group (us, wrk, the other
    # servers). A background job of a script is not a group leader, so setsid execs in place and
    # $! stays apache's pid (checked against its PidFile below).
    setsid taskset -c "$SERVER_CPU" "$APACHE" -f "$d/httpd.conf" -DFOREGROUND >"$d/stdout.log" 2>&1 </dev/null &
    PID[apache]=$!
    wait_http "$port" "${PID[apache]}" 10 ||
        { STATUS[apache]="did not answer ($(tail -n 2 "$d/logs/error.log" 2>/dev/null | tr '\n' ' ' | cut -c1-200))"; return 1; }
    [[ $(cat "$d/run/httpd.pid" 2>/dev/null) == "${PID[apache]}" ]] ||
        log "apache: PidFile says $(cat "$d/run/httpd.pid" 2>/dev/null || echo '?'), \$! is ${PID[apache]}"
    [[ $(ps -o pgid= -p "${PID[apache]}" | tr -d ' ') == "${PID[apache]}" ]] ||
        {
            STATUS[apache]="not in its own process group; not measured (its SIGTERM would hit this script)"
            kill -KILL $(pgrep -P "${PID[apache]}") "${PID[apache]}" 2>/dev/null || true   # no SIGTERM, see above
            wait "${PID[apache]}" 2>/dev/null || true
            unset 'PID[apache]'
            return 1
        }
    # Let StartServers come up so no child is forked during the measurement.
    for ((i = 0; i < 50; i++)); do
        n=$(pgrep -c -P "${PID[apache]}" 2>/dev/null || true)
        ((${n:-0} >= CONNS)) && break
        sleep 0.1
    done
}

# Functional check, so a fast wrong answer is not mistaken for a fast server.
# Prints notes (empty if all fine) and sets KA[name] to whether the connection is kept alive.
declare -A CHECK=() KA=()
check_answers() {   # name port
    local name=$1 base="http://127.0.0.1:$2" u out code body conns notes=""
    for u in "${URLS[@]}"; do
        out=$SCRATCH/check.$name
        code=$(curl -s -o "$out" -m 20 -w '%{http_code}' "$base$u" || echo 000)
        body=$(cat "$out" 2>/dev/null || true)
        [[ $code == 200 && $body == hello ]] ||
            notes+="$u: $code, body '$(head -c 60 "$out" 2>/dev/null | tr '\n' ' ')'; "
        rm -f "$out"
    done
    # Two requests over one curl handle: num_connects of the second is 0 when the connection was reused.
    conns=$(curl -s -m 20 -o /dev/null -o /dev/null -w '%{num_connects}\n' "$base${URLS[0]}" "$base${URLS[1]}" |
        tail -n 1 || echo '?')
    case $conns in 0) KA[$name]=yes ;; 1) KA[$name]=no ;; *) KA[$name]="?" ;; esac
    CHECK[$name]=$notes
}

AVAILABLE=()
port=$BASE_PORT
for name in $SERVERS; do
    case $name in httpserve | lighttpd | apache) ;; *) die "unknown server '$name'" ;; esac
    PORT[$name]=$port
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
        STATUS[$name]="port $port already in use"
    elif "start_$name" "$port"; then
        STATUS[$name]=ok
        AVAILABLE+=("$name")
        check_answers "$name" "$port"
        log "$name: up on 127.0.0.1:$port (pid ${PID[$name]}), keep-alive after CGI: ${KA[$name]}${CHECK[$name]:+; answer check: ${CHECK[$name]}}"
    fi
    [[ ${STATUS[$name]} == ok ]] || log "$name: not available (${STATUS[$name]})"
    port=$((port + 1))
done
((${#AVAILABLE[@]})) || die "no server available"

# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------
RAW=$SCRATCH/raw.tsv
printf 'url\tround\tserver\trequests\tbytes\tduration_us\tconnect\tread\twrite\tstatus\ttimeout\tp50_us\tp99_us\n' >"$RAW"
WRK_CMD="taskset -c $CLIENT_CPU wrk -t1 -c$CONNS -d${DURATION}s --timeout 10s -s bench/summary.lua http://127.0.0.1:PORT/cgi-bin/…"

n=${#AVAILABLE[@]}
for u in "${URLS[@]}"; do
    for ((r = 0; r < ROUNDS; r++)); do
        for ((k = 0; k < n; k++)); do
            name=${AVAILABLE[$(((k + r) % n))]}   # rotate the order each round
            url="http://127.0.0.1:${PORT[$name]}$u"
            if ! kill -0 "${PID[$name]}" 2>/dev/null; then
                log "$u round $((r + 1)): $name is no longer running; skipped"
                continue
            fi
            if ((WARMUP > 0)); then
                taskset -c "$CLIENT_CPU" wrk -t1 "-c$CONNS" "-d${WARMUP}s" --timeout 10s "$url" >/dev/null 2>&1 || true
            fi
            out=$(taskset -c "$CLIENT_CPU" wrk -t1 "-c$CONNS" "-d${DURATION}s" --timeout 10s \
                -s "$BENCH_DIR/summary.lua" "$url" 2>&1) || true
            line=$(grep '^BENCH ' <<<"$out" || true)
            if [[ -z $line ]]; then
                log "$u round $((r + 1)) $name: wrk gave no result: $(tr '\n' ' ' <<<"$out" | cut -c1-200)"
                continue
            fi
            vals=$(sed -e 's/^BENCH //' -e 's/[a-z0-9_]*=//g' -e 's/ /\t/g' <<<"$line")
            printf '%s\t%s\t%s\t%s\n' "$u" "$((r + 1))" "$name" "$vals" >>"$RAW"
            log "$u round $((r + 1)) $name: $(awk -F'\t' '{printf "%.0f req/s, p50 %.2f ms, errors c/r/w/status/timeout %s/%s/%s/%s/%s", $1/($3/1e6), $9/1000, $4,$5,$6,$7,$8}' <<<"$vals")"
        done
    done
done

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
FACTS=$SCRATCH/facts.txt
{
    machine_facts
    echo "lighttpd	$(lighttpd -v 2>&1 | head -n1 | awk '{print $1}') (deb $(deb lighttpd))"
    echo "apache2	$("$APACHE" -v 2>/dev/null | sed -n 's/^Server version: //p') (deb $(deb apache2-bin)), prefork MPM + mod_cgi"
    echo "CGI programs	/bin/sh = $(readlink -f /bin/sh); hello compiled with $(gcc --version | head -n1) -O2 (dynamic)"
    echo "pinning	servers and their CGI processes on CPU $SERVER_CPU (taskset -c $SERVER_CPU), wrk on CPU $CLIENT_CPU (taskset -c $CLIENT_CPU)"
    echo "command	$CMDLINE"
    echo "wrk command	$WRK_CMD (warm-up: same with -d${WARMUP}s, no script)"
    for name in $SERVERS; do
        st=${STATUS[$name]}
        if [[ $st == ok ]]; then
            st="127.0.0.1:${PORT[$name]}, keep-alive after a CGI answer: ${KA[$name]}${CHECK[$name]:+; answer check FAILED: ${CHECK[$name]}}"
            kill -0 "${PID[$name]}" 2>/dev/null || st="$st; **died during the run**"
        else
            st="not available ($st)"
        fi
        echo "server	$name	$st"
    done
} >"$FACTS"

mkdir -p "$RESULTS_DIR"
"$PY" - "$RAW" "$FACTS" "$ROUNDS" "$DURATION" "$WARMUP" "$CONNS" "$SERVERS" >"$RESULTS_DIR/cgi-latest.md" <<'PYEOF'
import csv, statistics, sys

raw, facts_path, rounds, duration, warmup, conns, servers = sys.argv[1:8]
ORDER = ["httpserve", "lighttpd", "apache"]
servers = [s for s in ORDER if s in servers.split()]
URLS = [("/cgi-bin/hello.sh", "shell script (`#!/bin/sh`)"), ("/cgi-bin/hello", "compiled C program")]
TARGETS = {"lighttpd": 1.0, "apache": 1.5}  # minimum httpserve/reference ratio

runs = {}
for r in csv.DictReader(open(raw), delimiter="\t"):
    sec = int(r["duration_us"]) / 1e6
    runs.setdefault((r["url"], r["server"]), []).append({
        "round": r["round"], "rps": int(r["requests"]) / sec,
        "p50": int(r["p50_us"]) / 1000, "p99": int(r["p99_us"]) / 1000,
        "errors": {k: int(r[k]) for k in ("connect", "read", "write", "status", "timeout")},
    })
facts, status = [], {}
for line in open(facts_path):
    parts = line.rstrip("\n").split("\t")
    if parts[0] == "server":
        status[parts[1]] = parts[2]
    else:
        facts.append(parts)

def med(u, srv, key):
    v = runs.get((u, srv))
    return statistics.median(x[key] for x in v) if v else None

def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b

fmt = lambda v, d=0: "n/a" if v is None else f"{v:,.{d}f}"
fr = lambda v: "n/a" if v is None else f"{v:.2f}×"

out = []
w = out.append
w("# httpserve CGI benchmark")
w("")
warm = "no warm-up" if warmup == "0" else f"each after a {warmup} s warm-up run"
w(f"Median of {rounds} round(s) of {duration} s per server and URL ({warm}; server order rotated "
  f"each round); `wrk -t1 -c{conns}`, keep-alive, loopback. httpserve `workers = 1`, lighttpd single "
  "process, apache2 prefork (children pre-started); each request forks and execs one CGI process.")
w("")
w("## CGI requests per second (median)")
w("")
refs = [s for s in ("lighttpd", "apache") if s in servers]
w("| URL | program | " + " | ".join(f"{s} req/s" for s in servers) + " | "
  + " | ".join(f"httpserve/{s}" for s in refs) + " | target |")
w("|---|---|" + "---:|" * (len(servers) + len(refs)) + "---|")
for u, title in URLS:
    m = {s: med(u, s, "rps") for s in servers}
    rs, verdicts = [], []
    for ref in refs:
        got = ratio(m.get("httpserve"), m.get(ref))
        rs.append(fr(got))
        want = TARGETS[ref]
        verdicts.append(f"≥ {want:.1f}× {ref}: " + ("n/a" if got is None else ("met" if got >= want else "**not met**")))
    w(f"| `{u}` | {title} | " + " | ".join(fmt(m[s]) for s in servers) + " | "
      + " | ".join(rs) + " | " + "; ".join(verdicts) + " |")
w("")
w("## Latency (median of the per-run p50 / p99, ms)")
w("")
w("| URL | " + " | ".join(servers) + " |")
w("|---|" + "---:|" * len(servers))
for u, _ in URLS:
    cells = []
    for s in servers:
        p50, p99 = med(u, s, "p50"), med(u, s, "p99")
        cells.append("n/a" if p50 is None else f"{p50:.2f} / {p99:.2f}")
    w(f"| `{u}` | " + " | ".join(cells) + " |")
w("")
problems = []
for (u, s), v in sorted(runs.items()):
    for x in v:
        bad = {k: n for k, n in x["errors"].items() if n}
        if bad:
            problems.append(f"- `{u}`, {s}, round {x['round']}: " + ", ".join(f"{k} {n}" for k, n in bad.items()))
w("## wrk errors")
w("")
w("\n".join(problems) if problems else "None (no socket errors, timeouts or non-2xx/3xx statuses).")
w("")
w("## Servers")
w("")
for s in servers:
    w(f"- {s}: {status.get(s, 'not run')}")
w("")
w("## Machine and command")
w("")
for k, *v in facts:
    val = "\t".join(v)
    w(f"- {k}: `{val}`" if k in ("command", "wrk command") else f"- {k}: {val}")
w("")
w("## All runs (req/s)")
w("")
n = int(rounds)
w("| URL | server | " + " | ".join(f"round {i}" for i in range(1, n + 1)) + " |")
w("|---|---|" + "---:|" * n)
for u, _ in URLS:
    for s in servers:
        v = {x["round"]: x["rps"] for x in runs.get((u, s), [])}
        w(f"| `{u}` | {s} | " + " | ".join(fmt(v.get(str(i))) for i in range(1, n + 1)) + " |")
print("\n".join(out))
PYEOF
cp "$RAW" "$RESULTS_DIR/cgi-latest.tsv"
cat "$RESULTS_DIR/cgi-latest.md"
log "report written to $RESULTS_DIR/cgi-latest.md (raw runs: $RESULTS_DIR/cgi-latest.tsv)"
