#!/usr/bin/env bash
# Memory cost of idle keep-alive connections in one httpserve worker.
#
#   bench/idle_memory.sh            # 10,000 connections; target <= 2 KiB (2,048 bytes) per connection
#
# Environment: HTTPSERVE (binary, default <repo>/build/daemon/httpserve), CONNS (10000), PORT (28090),
# KEEP_SCRATCH=1. Exit status: 0 within target, 1 over target, 2 could not measure.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
HTTPSERVE=${HTTPSERVE:-$REPO/build/daemon/httpserve}
CONNS=${CONNS:-10000}
PORT=${PORT:-28090}
PY=/usr/bin/python3; [[ -x $PY ]] || PY=python3

log() { printf '[idle] %s\n' "$*" >&2; }
die() { printf '[idle] error: %s\n' "$*" >&2; exit 2; }

[[ -x $HTTPSERVE ]] || die "httpserve: not available (no binary at $HTTPSERVE)"
# Client and server both need > CONNS descriptors (the server inherits this limit). Ask for 65536;
# where the hard limit is lower and cannot be raised (no CAP_SYS_RESOURCE), use the hard limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
lim=$(ulimit -n)
[[ $lim == unlimited ]] || ((lim >= CONNS + 64)) || die "RLIMIT_NOFILE is $(ulimit -n), need > $CONNS + 64 (run as root)"
ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q . && die "port $PORT already in use (set PORT=...)"

SCRATCH=$(mktemp -d /tmp/httpserve-idle.XXXXXX)
chmod 755 "$SCRATCH"   # the worker runs as nobody
MASTER=
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    if [[ -n $MASTER ]] && kill -0 "$MASTER" 2>/dev/null; then
        kill -TERM "$MASTER" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$MASTER" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$MASTER" 2>/dev/null && { log "master $MASTER ignored SIGTERM; SIGKILL"; kill -KILL "$MASTER" 2>/dev/null || true; }
        wait "$MASTER" 2>/dev/null || true
    fi
    if [[ ${KEEP_SCRATCH:-0} == 1 ]]; then log "scratch kept: $SCRATCH"; else rm -rf "$SCRATCH"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$SCRATCH/www"
head -c 1024 /dev/zero | tr '\0' 'x' >"$SCRATCH/www/1k.txt"
chmod -R a+rX "$SCRATCH/www"
cat >"$SCRATCH/httpserve.toml" <<CONF
workers = 1
user = "nobody"
group = "nogroup"

[[listen]]
address = "127.0.0.1"
port = $PORT

[files]
root = "$SCRATCH/www"

[http]
max_connections = 20000
keepalive_timeout = "300s"
header_timeout = "300s"

[log]
access = "off"
CONF

"$HTTPSERVE" -c "$SCRATCH/httpserve.toml" >"$SCRATCH/stdout.log" 2>"$SCRATCH/stderr.log" &
MASTER=$!
for ((i = 0; i < 100; i++)); do
    grep -q 'Serving HTTP on' "$SCRATCH/stdout.log" 2>/dev/null && break
    kill -0 "$MASTER" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$MASTER" 2>/dev/null || die "httpserve did not start: $(tail -n 5 "$SCRATCH/stderr.log" | tr '\n' ' ')"
if ! grep -q 'Serving HTTP on' "$SCRATCH/stdout.log" 2>/dev/null; then
    # not printed (or not flushed) yet: accept a server that answers
    for ((i = 0; i < 50; i++)); do
        [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$PORT/1k.txt" || true) == 200 ]] && break
        sleep 0.1
    done
    ((i < 50)) || die "httpserve did not print 'Serving HTTP on' nor answer on port $PORT"
    log "no 'Serving HTTP on' line on stdout (not flushed when not a tty?), but it answers"
fi

# The worker is the master's (only) child.
WORKER=
for ((i = 0; i < 50; i++)); do
    mapfile -t kids < <(ps -o pid= --ppid "$MASTER" | tr -d ' ')
    if ((${#kids[@]} == 1)); then WORKER=${kids[0]}; break; fi
    sleep 0.1
done
[[ -n $WORKER ]] || die "expected one worker under master $MASTER, found: ${kids[*]:-none}"
log "master $MASTER, worker $WORKER ($(awk '/^Uid:/{print "uid " $2}' /proc/"$WORKER"/status))"

set +e
"$PY" "$BENCH_DIR/idle_clients.py" "$WORKER" "$PORT" "$CONNS" /1k.txt
rc=$?
set -e
if ! kill -0 "$WORKER" 2>/dev/null; then
    log "worker $WORKER is gone after the test (crashed?); stderr: $(tail -n 5 "$SCRATCH/stderr.log" | tr '\n' ' ')"
    rc=2
fi
exit "$rc"
