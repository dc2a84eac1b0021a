"""CGI containment, as a hostile script would test it: a script can signal nothing but its own
descendants (workers, the launcher and the master run in the same account as scripts in
command-line mode), and every process a script starts dies with its request: when the script ends,
when it times out, and when the server stops, whether it went into the background, into a session of
its own (setsid) or held the script's stdout open.

Runs as root (the account switch and the launcher's namespaces are what is tested); each test's
stray processes are found by a marker in their command line and killed by pid.
Run: python3 tests/run_all.py --build plain=build --pattern test_cgi_containment.py
"""
import os
import random
import signal
import socket
import time
import unittest

import cgi_scripts
import client
import procs
import servers

TREE = None

SCRIPTS = {
    # Sends SIGSTOP, then SIGCONT, to every pid named in the query (a+b+c) and prints each STOP's status.
    "cgi-bin/signal.sh": """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
for pid in $(echo "$QUERY_STRING" | tr '+' ' '); do
    kill -STOP "$pid" 2>/dev/null
    echo "$pid $?"
    kill -CONT "$pid" 2>/dev/null
done
""",
    # Leaves three kinds of background process, stdout closed, then answers and ends.
    "cgi-bin/leave.sh": """#!/bin/sh
sleep "$QUERY_STRING" </dev/null >/dev/null 2>&1 &
setsid sleep "$QUERY_STRING" </dev/null >/dev/null 2>&1 &
(sleep "$QUERY_STRING" </dev/null >/dev/null 2>&1 &)
printf 'Content-Type: text/plain\\r\\n\\r\\nleft\\n'
""",
    # A child that keeps the script's stdout open after the script has ended.
    "cgi-bin/holder.sh": """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\nheld\\n'
sleep "$QUERY_STRING" &
""",
    # Runs on (silent) with a child in a session of its own.
    "cgi-bin/linger.sh": """#!/bin/sh
setsid sleep "$QUERY_STRING" </dev/null >/dev/null 2>&1 &
sleep "$QUERY_STRING"
""",
    # Tries to read, then to write, the memory of each pid in the query (a+b+c) through /proc, and
    # to read its environment; prints what each attempt gave.
    "cgi-bin/peek.sh": """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
for pid in $(echo "$QUERY_STRING" | tr '+' ' '); do
    if head -c 1 /proc/$pid/environ >/dev/null 2>&1; then echo "$pid environ readable"; else echo "$pid environ refused"; fi
    if (exec 3<>/proc/$pid/mem) 2>/dev/null; then echo "$pid mem open"; else echo "$pid mem refused"; fi
done
""",
    # Prints the limits it runs under.
    "cgi-bin/limits.sh": """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
cat /proc/self/limits
""",
    # Spins on the CPU until it is stopped.
    "cgi-bin/spin.sh": """#!/bin/sh
while :; do :; done
""",
    # Asks for 512 MiB.
    "cgi-bin/hog.py": """#!/usr/bin/python3
import sys
try:
    block = bytearray(512 << 20)
except MemoryError:
    sys.stdout.write("Content-Type: text/plain\\r\\n\\r\\nMemoryError\\n")
else:
    sys.stdout.write("Content-Type: text/plain\\r\\n\\r\\ngot %d bytes\\n" % len(block))
""",
}


def setUpModule():
    global TREE
    TREE = cgi_scripts.CgiTree()
    for name, text in SCRIPTS.items():
        TREE.write(name, text.encode(), 0o755)


def tearDownModule():
    if TREE:
        TREE.cleanup()


def marker_seconds():
    """A sleep duration no other process on the machine uses: its text marks a test's processes."""
    return "%d.%04d" % (random.randint(500, 900), random.randint(1, 9999))


def marked(marker):
    """Live processes whose command line holds `marker`."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if marker.encode() in argv and procs.alive(int(name)):
            out.append(int(name))
    return out


@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
@unittest.skipUnless(os.geteuid() == 0, "needs root: scripts and workers switch accounts")
class ContainmentTest(unittest.TestCase):
    def setUp(self):
        self.markers = []

    def tearDown(self):
        for marker in self.markers:
            for pid in marked(marker):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def marker(self):
        m = marker_seconds()
        self.markers.append(m)
        return m

    def start_cli(self):
        server = servers.start_httpserve_cgi(TREE.root)
        self.addCleanup(server.stop)
        return server

    def assert_all_gone(self, marker, timeout=10.0):
        left = procs.wait_until(lambda: not marked(marker), timeout)
        self.assertTrue(left, "processes a script started are still running: %s" % marked(marker))

    def test_a_script_cannot_reach_the_servers_memory_through_proc_when_they_share_an_account(self):
        # Started without root, workers, the launcher and scripts are one account, and the PID
        # namespace does not hide /proc. What keeps a script from /proc/<worker>/mem (another
        # request's data, a TLS key) and from the server's environment is the launcher's user
        # namespace: a process in it has no ptrace rights over one outside it, whatever its uid.
        server = servers.start_httpserve_cgi(TREE.root, prefix=procs.setpriv_prefix())
        self.addCleanup(server.stop)
        self.assertEqual(client.request(server.port, "GET", "/a.txt").status, 200)
        targets = [server.pid] + procs.children(server.pid)
        self.assertGreaterEqual(len(targets), 3)  # master, worker, launcher
        r = client.request(server.port, "GET", "/cgi-bin/peek.sh?" + "+".join(map(str, targets)))
        self.assertEqual(r.status, 200, r)
        lines = r.body.decode().split("\n")
        for pid in targets:
            self.assertIn("%d environ refused" % pid, lines, r.body)
            self.assertIn("%d mem refused" % pid, lines, r.body)

    def test_a_script_cannot_signal_workers_launcher_or_master(self):
        # Finding: in command-line mode workers and scripts are both 'nobody', and a script's
        # kill -STOP froze a worker.
        server = self.start_cli()
        self.assertEqual(client.request(server.port, "GET", "/a.txt").status, 200)
        targets = [server.pid] + procs.children(server.pid)
        self.assertGreaterEqual(len(targets), 3, "master, launcher and workers expected: %s" % targets)
        r = client.request(server.port, "GET", "/cgi-bin/signal.sh?" + "+".join(map(str, targets)))
        self.assertEqual(r.status, 200, r)
        results = dict(line.split() for line in r.body.decode().splitlines())
        self.assertEqual(sorted(results), sorted(map(str, targets)), r.body)
        for pid, status in results.items():
            self.assertNotEqual(status, "0", "the script could signal pid %s (%s)" % (pid, r.body))
        for pid in targets:
            self.assertNotEqual(procs.proc_stat_fields(pid)[0], "T", "pid %d is stopped" % pid)
        for _ in range(4):  # every worker still answers
            self.assertEqual(client.request(server.port, "GET", "/a.txt").status, 200)

    def test_background_processes_die_when_the_script_ends(self):
        # Finding: `sleep &`, setsid and a double fork outlived the request, reparented to PID 1.
        server = self.start_cli()
        marker = self.marker()
        r = client.request(server.port, "GET", "/cgi-bin/leave.sh?" + marker)
        self.assertEqual((r.status, r.body), (200, b"left\n"), r)
        self.assert_all_gone(marker)

    def test_a_child_holding_stdout_does_not_hold_the_response(self):
        # Finding: a child that kept stdout open held the response open until it exited.
        server = self.start_cli()
        marker = self.marker()
        started = time.monotonic()
        r = client.request(server.port, "GET", "/cgi-bin/holder.sh?" + marker, timeout=30.0)
        self.assertEqual((r.status, r.body), (200, b"held\n"), r)
        self.assertLess(time.monotonic() - started, 10.0)
        self.assert_all_gone(marker)

    def test_a_timed_out_script_takes_its_session_escapee_with_it(self):
        tree_server = servers.start_cgi_config_server(TREE, "containment-timeout.toml", cgi='timeout = "1s"\n')
        self.addCleanup(tree_server.stop)
        marker = self.marker()
        r = client.request(tree_server.port, "GET", "/cgi-bin/linger.sh?" + marker, timeout=30.0)
        self.assertEqual(r.status, 504, r)
        self.assert_all_gone(marker)

    def test_stopping_the_server_stops_every_script_process(self):
        server = self.start_cli()
        marker = self.marker()
        sock = socket.create_connection(("127.0.0.1", server.port))
        self.addCleanup(sock.close)
        sock.sendall(client.build_request("GET", "/cgi-bin/linger.sh?" + marker))
        self.assertTrue(procs.wait_until(lambda: len(marked(marker)) >= 2, 10.0),
                        "the script and its child did not start")
        self.assertEqual(server.stop(), 0)
        self.assert_all_gone(marker)


def limit_line(limits_text, name):
    """(soft, hard) of one row of /proc/PID/limits, e.g. 'Max processes'."""
    for line in limits_text.splitlines():
        if line.startswith(name):
            return tuple(line[len(name):].split()[:2])
    raise AssertionError("no %r in %r" % (name, limits_text))


@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
@unittest.skipUnless(os.geteuid() == 0, "needs root: scripts switch accounts")
class ResourceLimitsTest(unittest.TestCase):
    """cgi.max_memory and cgi.max_cpu_time, and the ceiling on the CGI account's processes."""

    @classmethod
    def setUpClass(cls):
        cls.hs = servers.start_cgi_config_server(TREE, "containment-limits.toml",
                                                 cgi='max_memory = "128MiB"\nmax_cpu_time = "1s"\n')
        cls.addClassCleanup(cls.hs.stop)

    def test_a_script_starts_under_the_configured_limits(self):
        r = client.request(self.hs.port, "GET", "/cgi-bin/limits.sh")
        self.assertEqual(r.status, 200, r)
        text = r.body.decode()
        self.assertEqual(limit_line(text, "Max cpu time"), ("1", "1"))
        self.assertEqual(limit_line(text, "Max address space"), (str(128 << 20),) * 2)
        self.assertEqual(limit_line(text, "Max data size"), (str(128 << 20),) * 2)
        self.assertEqual(limit_line(text, "Max processes"), ("4096", "4096"))

    def test_memory_beyond_max_memory_is_refused_to_the_script(self):
        r = client.request(self.hs.port, "GET", "/cgi-bin/hog.py")
        self.assertEqual((r.status, r.body), (200, b"MemoryError\n"), r)

    def test_a_script_past_max_cpu_time_is_killed(self):
        # It has sent nothing: the answer is the one for a script that ends before its header block.
        started = time.monotonic()
        r = client.request(self.hs.port, "GET", "/cgi-bin/spin.sh", timeout=30.0)
        self.assertEqual(r.status, 502, r)
        self.assertLess(time.monotonic() - started, 15.0)
        self.assertTrue(procs.wait_until(lambda: b"spin.sh" in self.hs.stderr_bytes() and
                                         b"killed by signal 9" in self.hs.stderr_bytes(), 10.0),
                        self.hs.stderr()[-2000:])

    def test_without_limits_a_script_gets_none(self):
        server = servers.start_httpserve_cgi(TREE.root)
        self.addCleanup(server.stop)
        text = client.request(server.port, "GET", "/cgi-bin/limits.sh").body.decode()
        self.assertEqual(limit_line(text, "Max cpu time"), ("unlimited", "unlimited"))
        self.assertEqual(limit_line(text, "Max address space"), ("unlimited", "unlimited"))
        self.assertEqual(limit_line(text, "Max processes"), ("4096", "4096"))


if __name__ == "__main__":
    unittest.main()
