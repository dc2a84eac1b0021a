# Shared by bench/run.sh and bench/cgi_run.sh (sourced, not run): logging, the common knobs, tools
# from Debian, the scratch folder with its servers and their clean-up, and the machine facts for the
# report. The caller sets BENCH_TAG (the log prefix), BENCH_DIR and REPO before sourcing it.

log() { printf '[%s] %s\n' "$BENCH_TAG" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$BENCH_TAG" "$*" >&2; exit 1; }

# Prints the knobs among NAME... that were given in the environment, for the report's command line.
# Call it before giving the knobs their defaults.
env_knobs() {
    local v out=""
    for v in "$@"; do [[ -z ${!v+x} ]] || out+="$v='${!v}' "; done
    printf '%s' "$out"
}

# The knobs both benchmarks have, with their defaults, checked.
common_knobs() {
    ROUNDS=${ROUNDS:-3}
    DURATION=${DURATION:-5}
    WARMUP=${WARMUP:-1}
    HTTPSERVE=${HTTPSERVE:-$REPO/build/daemon/httpserve}
    SERVER_CPU=${SERVER_CPU:-0}
    CLIENT_CPU=${CLIENT_CPU:-1}
    RESULTS_DIR=$BENCH_DIR/results
    [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
    [[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive integer (seconds)"
    [[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be an integer (seconds)"
}

# Installs the Debian packages named (none: nothing to do), then makes sbin and python3 reachable.
# They are never started as services here (policy-rc.d on these machines keeps postinst from it).
install_packages() {
    if (($#)); then
        [[ $(id -u) -eq 0 ]] || die "missing $*; run as root or install them"
        log "installing $*"
        [[ -x /usr/sbin/policy-rc.d ]] ||
            log "note: no /usr/sbin/policy-rc.d; the packages' postinst may start system services"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
    fi
    export PATH=$PATH:/usr/sbin:/sbin
    PY=/usr/bin/python3; [[ -x $PY ]] || PY=python3
}

# The packages every benchmark needs and this machine lacks, one per line.
missing_common_packages() {
    command -v wrk >/dev/null || echo wrk
    command -v curl >/dev/null || echo curl
    command -v taskset >/dev/null || echo util-linux
    [[ -x /usr/bin/python3 ]] || command -v python3 >/dev/null || echo python3
}

# A scratch folder (SCRATCH, readable by nobody) and PID (server name -> master or parent pid); on
# exit every server is stopped and the folder removed (kept with KEEP_SCRATCH=1).
make_scratch() {   # name prefix
    SCRATCH=$(mktemp -d "/tmp/$1.XXXXXX")
    chmod 755 "$SCRATCH"   # servers run as nobody
    declare -gA PID=()
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    log "scratch dir $SCRATCH"
}

# Stop one server: SIGTERM to its master/parent pid and wait for it; then make sure none of the
# children it had just before (workers, launcher, prefork children, CGI processes) is left.
stop_server() {
    local name=$1 p=${PID[$1]} i kids k
    kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }
    kids=$(pgrep -P "$p" 2>/dev/null | tr '\n' ' ' || true)
    kill -TERM "$p" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then
        log "$name (pid $p) did not stop on SIGTERM within 10 s; sending SIGKILL"
        kill -KILL "$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
    for k in $kids; do   # children of the stopped parent: gone within a few seconds, else killed
        for ((i = 0; i < 30; i++)); do kill -0 "$k" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$k" 2>/dev/null; then
            log "$name: child pid $k still running after its parent stopped; sending SIGKILL"
            kill -KILL "$k" 2>/dev/null || true
        fi
    done
}

cleanup() {
    local rc=$? name
    trap - EXIT INT TERM
    for name in "${!PID[@]}"; do stop_server "$name"; done
    if [[ ${KEEP_SCRATCH:-0} == 1 ]]; then log "scratch kept: $SCRATCH"; else rm -rf "$SCRATCH"; fi
    exit "$rc"
}

deb() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }

# Report facts (tab-separated lines) about the machine, wrk and the httpserve binary.
machine_facts() {
    local dirty newer
    echo "date	$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "nproc	$(nproc)"
    echo "cpu	$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
    echo "kernel	$(uname -sr)"
    echo "load average at the end	$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "wrk	$(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}') (deb $(deb wrk))"
    if [[ -x $HTTPSERVE ]]; then
        dirty=""   # uncommitted changes outside bench/; sources newer than the binary
        [[ -z $(git -C "$REPO" status --porcelain --untracked-files=no -- . ':!bench' 2>/dev/null) ]] || dirty=" + uncommitted changes"
        newer=$(cd "$REPO" && find common config ipc daemon launcher worker -name '*.[ch]pp' -newer "$HTTPSERVE" 2>/dev/null | head -n 3 | tr '\n' ' ')
        [[ -z $newer ]] || dirty+="; **binary older than ${newer% }**"
        echo "httpserve	$("$HTTPSERVE" --version 2>&1 | head -n1) ($HTTPSERVE, built $(date -u -r "$HTTPSERVE" '+%Y-%m-%d %H:%M UTC'), git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo none)$dirty)"
    else
        echo "httpserve	not built ($HTTPSERVE)"
    fi
}
