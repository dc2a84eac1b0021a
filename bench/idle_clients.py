#!/usr/bin/env python3
"""Idle keep-alive connection cost for bench/idle_memory.sh.

usage: idle_clients.py WORKER_PID PORT N PATH
Opens N connections to 127.0.0.1:PORT; on each sends one GET PATH (HTTP/1.1, keep-alive) and reads the
whole response, then leaves it open. Reads the worker's VmRSS before and after and prints
(after - before) / N. Exit 0: within the target; 1: over it; 2: something went wrong.
"""
import os
import select
import socket
import sys
import time

TARGET = 2048  # bytes per idle connection


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(v.split()[0]) * 1024  # kB -> bytes
    return out


def request(sock, path):
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: idle-bench\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    code = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
        if k.strip().lower() == "connection" and "close" in v.lower():
            raise ConnectionError("server answered Connection: close")
    if length is None:
        raise ConnectionError("no Content-Length in the response")
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        body += chunk
    return code


def kib(n):
    return f"{n / 1024:,.0f} KiB"


def main():
    pid, port, n, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

    # Warm-up: one request on a connection of its own (first-request lazy initialisation is not a
    # per-connection cost), then let the worker settle.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        if request(s, path) != 200:
            print(f"warm-up GET {path} did not answer 200", file=sys.stderr)
            return 2
    time.sleep(0.5)
    before = status(pid)

    socks = []
    t0 = time.monotonic()
    try:
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            code = request(s, path)
            if code != 200:
                raise ConnectionError(f"status {code}")
            socks.append(s)
    except (OSError, ConnectionError, ValueError) as e:
        print(f"connection {len(socks) + 1} of {n} failed: {e}", file=sys.stderr)
        for s in socks:
            s.close()
        return 2
    t_open = time.monotonic() - t0
    time.sleep(1.0)
    after = status(pid)

    # Still open? A closed (or reset) connection is readable (EOF) or reports POLLHUP/POLLERR.
    poller = select.poll()
    for s in socks:
        poller.register(s.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
    closed = len(poller.poll(0))

    per_conn = (after["VmRSS"] - before["VmRSS"]) / n
    anon_per_conn = (after.get("RssAnon", 0) - before.get("RssAnon", 0)) / n
    print(f"worker pid {pid}; {n:,} idle keep-alive connections (one GET {path} each), opened in {t_open:.1f} s")
    print(f"VmRSS before: {kib(before['VmRSS'])} (RssAnon {kib(before.get('RssAnon', 0))}, "
          f"RssFile {kib(before.get('RssFile', 0))})")
    print(f"VmRSS after:  {kib(after['VmRSS'])} (RssAnon {kib(after.get('RssAnon', 0))}, "
          f"RssFile {kib(after.get('RssFile', 0))})")
    print(f"still open when measured: {n - closed:,} of {n:,}")
    print(f"per connection: {per_conn:,.0f} bytes VmRSS ({anon_per_conn:,.0f} bytes RssAnon); "
          f"target <= {TARGET:,}: {'PASS' if per_conn <= TARGET else 'FAIL'}")
    for s in socks:
        s.close()
    if closed:
        print(f"warning: the server had closed {closed} connections before the measurement", file=sys.stderr)
        return 2
    return 0 if per_conn <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
