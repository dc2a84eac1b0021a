#!/usr/bin/env python3
"""Markdown report for bench/run.sh: medians over rounds, ratios, targets, machine facts.

usage: report.py RAW.tsv FACTS.txt WRK_CMDS.txt ROUNDS DURATION "SERVERS"
"""
import csv
import os
import statistics
import sys

TITLES = {
    "1": "1 KiB file, keep-alive",
    "2": "1 KiB file, `Connection: close`",
    "3": "64 MiB file",
    "4": "listing, 1,000 entries",
    "5": "404 (missing file)",
}
# scenario -> (reference server, minimum httpserve/reference ratio)
TARGETS = {"1": ("lighttpd", 1.0), "2": ("nginx", 1.0), "3": ("nginx", 1.0)}
ORDER = ["httpserve", "lighttpd", "nginx"]


def main():
    raw, facts_path, cmds_path, rounds, duration, servers = sys.argv[1:7]
    servers = [s for s in ORDER if s in servers.split()]
    rows = list(csv.DictReader(open(raw), delimiter="\t"))
    facts, status = [], {}
    for line in open(facts_path):
        parts = line.rstrip("\n").split("\t")
        if parts[0] == "server":
            status[parts[1]] = parts[2]
        else:
            facts.append(parts)
    cmds = dict(line.rstrip("\n").split("\t", 1) for line in open(cmds_path) if "\t" in line)

    runs = {}  # (scenario, server) -> list of dicts
    for r in rows:
        sec = int(r["duration_us"]) / 1e6
        runs.setdefault((r["scenario"], r["server"]), []).append({
            "round": r["round"],
            "rps": int(r["requests"]) / sec,
            "mbps": int(r["bytes"]) / sec / 1e6,
            "p50": int(r["p50_us"]) / 1000,
            "p99": int(r["p99_us"]) / 1000,
            "errors": {k: int(r[k]) for k in ("connect", "read", "write", "status", "timeout")},
        })
    scenarios = [s for s in TITLES if s in cmds]

    def med(s, srv, key):
        v = runs.get((s, srv))
        return statistics.median(x[key] for x in v) if v else None

    def fmt(v, digits=0):
        return "n/a" if v is None else f"{v:,.{digits}f}"

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    def fr(v):
        return "n/a" if v is None else f"{v:.2f}×"

    out = []
    w = out.append
    w("# httpserve benchmark")
    w("")
    warm = os.environ.get("WARMUP", "1")
    warm = "no warm-up" if warm == "0" else f"each after a {warm} s warm-up run"
    w(f"Median of {rounds} round(s) of {duration} s per server and scenario ({warm}; "
      "server order rotated each round). One worker per server, all on loopback.")
    w("")
    w("## Requests per second (median)")
    w("")
    w("| # | scenario | wrk | " + " | ".join(f"{s} req/s" for s in servers)
      + " | httpserve/lighttpd | httpserve/nginx | target |")
    w("|---|---|---|" + "---:|" * len(servers) + "---:|---:|---|")
    for s in scenarios:
        m = {srv: med(s, srv, "rps") for srv in servers}
        hl = ratio(m.get("httpserve"), m.get("lighttpd"))
        hn = ratio(m.get("httpserve"), m.get("nginx"))
        target = ""
        if s in TARGETS:
            ref, want = TARGETS[s]
            got = hl if ref == "lighttpd" else hn
            verdict = "n/a" if got is None else ("met" if got >= want else "**not met**")
            target = f"≥ {want:.1f}× {ref}: {verdict}"
        conns = "-c8" if s == "3" else "-c64"
        w(f"| {s} | {TITLES[s]} | {conns} | " + " | ".join(fmt(m[srv]) for srv in servers)
          + f" | {fr(hl)} | {fr(hn)} | {target} |")
    w("")
    w("## Transfer (MB/s, 1 MB = 10^6 bytes, headers included; median)")
    w("")
    w("| # | scenario | " + " | ".join(servers) + " | httpserve/lighttpd | httpserve/nginx |")
    w("|---|---|" + "---:|" * len(servers) + "---:|---:|")
    for s in scenarios:
        m = {srv: med(s, srv, "mbps") for srv in servers}
        w(f"| {s} | {TITLES[s]} | " + " | ".join(fmt(m[srv], 1) for srv in servers)
          + f" | {fr(ratio(m.get('httpserve'), m.get('lighttpd')))}"
          + f" | {fr(ratio(m.get('httpserve'), m.get('nginx')))} |")
    w("")
    w("## Latency (median of the per-run p50 / p99, ms)")
    w("")
    w("| # | scenario | " + " | ".join(servers) + " |")
    w("|---|---|" + "---:|" * len(servers))
    for s in scenarios:
        cells = []
        for srv in servers:
            p50, p99 = med(s, srv, "p50"), med(s, srv, "p99")
            cells.append("n/a" if p50 is None else f"{p50:.2f} / {p99:.2f}")
        w(f"| {s} | {TITLES[s]} | " + " | ".join(cells) + " |")
    w("")

    problems = []
    for (s, srv), v in sorted(runs.items()):
        for x in v:
            e = dict(x["errors"])
            if s == "5":
                e.pop("status")  # 404s are the point of scenario 5
            bad = {k: n for k, n in e.items() if n}
            if bad:
                problems.append(f"- scenario {s}, {srv}, round {x['round']}: "
                                + ", ".join(f"{k} {n}" for k, n in bad.items()))
    w("## wrk errors")
    w("")
    w("\n".join(problems) if problems else "None (socket errors, timeouts, and non-2xx/3xx statuses "
      "outside scenario 5 are all zero).")
    w("")
    w("## Servers")
    w("")
    for srv in servers:
        w(f"- {srv}: {status.get(srv, 'not run')}")
    w("")
    w("## Machine and command")
    w("")
    for k, *v in facts:
        val = "\t".join(v)
        w(f"- {k}: `{val}`" if k == "command" else f"- {k}: {val}")
    w("- wrk per scenario (PORT = the server's port; warm-up uses the same command with "
      "`-d<WARMUP>s` and no script):")
    for s in scenarios:
        w(f"  - ({s}) `{cmds[s]}`")
    w("")
    w("## All runs (req/s)")
    w("")
    w("| # | server | " + " | ".join(f"round {i}" for i in range(1, int(rounds) + 1)) + " |")
    w("|---|---|" + "---:|" * int(rounds))
    for s in scenarios:
        for srv in servers:
            v = {x["round"]: x["rps"] for x in runs.get((s, srv), [])}
            w(f"| {s} | {srv} | " + " | ".join(fmt(v.get(str(i)))
                                               for i in range(1, int(rounds) + 1)) + " |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
