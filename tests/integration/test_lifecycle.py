"""The master's lifecycle: reload (HUP) under load and with changes, a refused reload, log reopening
(USR1), graceful (QUIT) and fast (TERM) stops, a crash loop, pid_file and `-s`, sd_notify through a
NOTIFY_SOCKET the test binds, and socket activation with systemd-socket-activate. Loopback only;
every process is stopped by its process group (servers.Server).

Run: cd /work/main && python3 tests/run_all.py --build plain=build --pattern test_lifecycle.py
"""
import hashlib
import os
import re
import signal
import socket
import tempfile
import threading
import time
import unittest

import client
import procs
import servers
import trees
from servers import run_cli
from trees import ROOT_A_TXT as A_TXT

SOCKET_ACTIVATE = "/usr/bin/systemd-socket-activate"
SERVING_GENERATION_RE = re.compile(r"generation (\d+) serving with (\d+) worker")


def refused(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2.0):
            return False
    except ConnectionRefusedError:
        return True


# --------------------------------------------------------------------------------------------------
# A keep-alive client that knows exactly what it received: RFC 9112 section 9.3.1 lets it retry an
# idempotent request whose reused connection closed before any byte of the answer; nothing else.

class NoAnswer(Exception):
    """The connection ended (EOF or reset) before any byte of the response."""


class Broken(Exception):
    """Anything else: a reset or EOF inside a response, a malformed response, a timeout."""


class KeepAliveConnection:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.answered = 0  # responses received on this connection

    def close(self):
        self.sock.close()

    def _recv(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Broken("timeout")
        except (ConnectionResetError, ConnectionAbortedError) as e:
            if self.buf:
                raise Broken("reset inside a response")
            raise NoAnswer(str(e))
        if not data:
            if self.buf:
                raise Broken("end of file inside a response after %d bytes" % len(self.buf))
            raise NoAnswer("end of file")
        self.buf += data

    def get(self, path):
        """(status, headers, body)."""
        try:
            self.sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError) as e:
            raise NoAnswer("send: %s" % e)
        while b"\r\n\r\n" not in self.buf:
            self._recv()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.1 (\d{3}) ", lines[0])
        if not m:
            raise Broken("bad status line %r" % lines[0])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "-1"))
        if length < 0:
            raise Broken("no Content-Length")
        while len(self.buf) < length:
            self._recv_body(length)
        body, self.buf = self.buf[:length], self.buf[length:]
        self.answered += 1
        return int(m.group(1)), headers, body

    def _recv_body(self, length):
        try:
            self._recv()
        except NoAnswer as e:
            raise Broken("body truncated at %d of %d bytes (%s)" % (len(self.buf), length, e))


class LoadClient(threading.Thread):
    """Fetches `path` in a loop over keep-alive connections until stopped."""

    def __init__(self, port, path, expected):
        super().__init__(daemon=True)
        self.port, self.path, self.expected = port, path, expected
        self.stop_event = threading.Event()
        self.served = 0
        self.retries = 0
        self.failures = []

    def check(self, status, body):
        if status != 200 or body != self.expected:
            self.failures.append("status %d, %d body bytes" % (status, len(body)))
            return False
        self.served += 1
        return True

    def run(self):
        conn = None
        while not self.stop_event.is_set() and len(self.failures) < 5:
            try:
                if conn is None:
                    conn = KeepAliveConnection(self.port)
            except OSError as e:
                self.failures.append("new connection: %r" % e)
                continue
            try:
                status, headers, body = conn.get(self.path)
            except NoAnswer as e:
                reused = conn.answered > 0
                conn.close()
                conn = None
                if not reused:
                    self.failures.append("new connection closed without an answer: %s" % e)
                    continue
                # The one retry RFC 9112 allows, on a new connection; it must succeed.
                self.retries += 1
                try:
                    conn = KeepAliveConnection(self.port)
                    status, headers, body = conn.get(self.path)
                except (OSError, NoAnswer, Broken) as e2:
                    self.failures.append("retry failed: %r" % e2)
                    if conn:
                        conn.close()
                    conn = None
                    continue
            except (Broken, OSError) as e:
                self.failures.append("%s: %r" % (type(e).__name__, e))
                conn.close()
                conn = None
                continue
            self.check(status, body)
            if headers.get("connection", "").lower() == "close":
                conn.close()
                conn = None
        if conn:
            conn.close()


# --------------------------------------------------------------------------------------------------

class LifecycleTest(trees.RootAndTmpCase):
    tmp_prefix = "httpserve-life-"

    def setUp(self):
        super().setUp()
        self.conf = os.path.join(self.tmp, "httpserve.toml")

    def config(self, ports, root=None, workers=2, top="", sections=""):
        """Writes self.conf: one [[listen]] per port on 127.0.0.1."""
        text = 'workers = %d\nuser = "nobody"\ngroup = "nogroup"\n%s\n' % (workers, top)
        for port in ports:
            text += '[[listen]]\naddress = "127.0.0.1"\nport = %d\n\n' % port
        text += '[files]\nroot = "%s"\n\n%s\n' % (root or self.root, sections)
        with open(self.conf, "w") as f:
            f.write(text)
        return self.conf

    def start(self, env=None):
        server = servers.start_httpserve(["-c", self.conf], env=env)
        self.addCleanup(server.stop)
        self.wait_generation(server, 1)
        return server

    def error_log(self, server, path=None):
        if path is None:
            return server.stderr()
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, server, pattern, timeout=10.0, path=None):
        found = procs.wait_until(lambda: re.search(pattern, self.error_log(server, path)), timeout)
        if not found:
            self.fail("no %r in the error log within %.0fs:\n%s" % (pattern, timeout,
                                                                   self.error_log(server, path)[-3000:]))
        return found

    def wait_generation(self, server, number, timeout=10.0, path=None):
        return self.wait_log(server, r"generation %d serving with" % number, timeout, path)

    def reload(self, server, number):
        """HUP, then waits until generation `number` serves."""
        server.send_signal(signal.SIGHUP)
        self.wait_generation(server, number)

    def wait_workers(self, server, port, n, timeout=10.0):
        ws = procs.wait_until(lambda: (lambda w: w if len(w) == n else None)(procs.workers(server.pid, port)), timeout)
        self.assertTrue(ws, "expected %d workers on port %d, have %r" % (n, port, procs.workers(server.pid, port)))
        return ws

    def assert_all_gone(self, family, timeout=2.0):
        gone = procs.wait_until(lambda: not [p for p in family if procs.alive(p)], timeout)
        self.assertTrue(gone, "processes left: %r" % [p for p in family if procs.alive(p)])

    # ---- reload ----------------------------------------------------------------------------------

    def test_reload_under_load_fails_no_request(self):
        port = servers.free_port()
        payload = bytes(range(256)) * 64  # 16 KiB: some responses are in flight when a reload comes
        with open(os.path.join(self.root, "mid.bin"), "wb") as f:
            f.write(payload)
        os.chmod(os.path.join(self.root, "mid.bin"), 0o644)
        self.config([port], top='shutdown_timeout = "20s"', sections='[log]\naccess = "off"\n')
        server = self.start()
        fds_before = procs.open_fds(server.pid)
        clients = [LoadClient(port, b"/mid.bin", payload) for _ in range(8)]
        for c in clients:
            c.start()
        try:
            reloads = 20
            for i in range(reloads):
                # Let some requests through between reloads, then reload and wait for the new generation.
                before = sum(c.served for c in clients)
                procs.wait_until(lambda: sum(c.served for c in clients) >= before + 40, 5.0, interval=0.005)
                self.reload(server, i + 2)
            before = sum(c.served for c in clients)
            procs.wait_until(lambda: sum(c.served for c in clients) >= before + 40, 5.0, interval=0.005)
        finally:
            for c in clients:
                c.stop_event.set()
            for c in clients:
                c.join(15)
        served = sum(c.served for c in clients)
        retries = sum(c.retries for c in clients)
        failures = [f for c in clients for f in c.failures]
        print("\n[reload under load] %d reloads, %d requests served by 8 keep-alive clients, %d failed, %d retried"
              % (reloads, served, len(failures), retries))
        self.assertEqual(failures, [], "failed requests during reloads")
        self.assertGreater(served, reloads * 40)
        # Every old generation drains and exits, and the master holds what it held before.
        self.wait_workers(server, port, 2)
        self.assertNotIn("killing them", server.stderr())
        self.assertTrue(procs.wait_until(lambda: procs.open_fds(server.pid) == fds_before, 5.0),
                        "the master's descriptors changed: %r -> %r" % (fds_before, procs.open_fds(server.pid)))

    def test_reload_changes_root(self):
        port = servers.free_port()
        self.config([port])
        server = self.start()
        self.assertEqual(client.fetch(port), (200, A_TXT))
        root2 = tempfile.mkdtemp(prefix="httpserve-root2-")
        self.addCleanup(trees.remove_tree, root2)
        os.chmod(root2, 0o755)
        with open(os.path.join(root2, "a.txt"), "wb") as f:
            f.write(b"the second root\n")
        os.chmod(os.path.join(root2, "a.txt"), 0o644)
        self.config([port], root=root2)
        self.reload(server, 2)
        got = procs.wait_until(lambda: client.fetch(port) == (200, b"the second root\n"), 5.0)
        self.assertTrue(got, "still serving the old root: %r" % (client.fetch(port),))

    def test_reload_adds_and_removes_listeners(self):
        a, b = servers.free_port(), servers.free_port()
        self.config([a])
        server = self.start()
        inode_a = procs.listening_inodes(a)
        self.assertEqual(len(inode_a), 1)
        self.assertTrue(refused(b))

        self.config([a, b])
        self.reload(server, 2)
        self.assertEqual(client.fetch(b), (200, A_TXT))
        self.assertEqual(client.fetch(a), (200, A_TXT))
        self.assertEqual(procs.listening_inodes(a), inode_a, "the unchanged listener was not kept")
        inode_b = procs.listening_inodes(b)

        self.config([b])
        self.reload(server, 3)
        self.assertEqual(client.fetch(b), (200, A_TXT))
        self.assertEqual(procs.listening_inodes(b), inode_b, "the unchanged listener was not kept")
        # Closed once the old generations are gone.
        self.assertTrue(procs.wait_until(lambda: refused(a), 5.0), "port %d still accepts" % a)
        self.assertEqual(procs.listening_inodes(a), set())
        self.wait_log(server, r"no longer listening on 127\.0\.0\.1:%d" % a)

    def test_reload_changes_worker_count(self):
        port = servers.free_port()
        self.config([port], workers=2)
        server = self.start()
        first = self.wait_workers(server, port, 2)
        self.config([port], workers=3)
        self.reload(server, 2)
        second = self.wait_workers(server, port, 3)
        self.assertFalse(set(first) & set(second), "old workers still running: %r / %r" % (first, second))
        self.config([port], workers=1)
        self.reload(server, 3)
        self.wait_workers(server, port, 1)
        self.assertEqual(client.fetch(port), (200, A_TXT))

    def test_reload_changes_limits_and_user(self):
        port = servers.free_port()
        self.config([port])
        server = self.start()
        long_path = b"/a.txt?" + b"x" * 400
        self.assertEqual(client.fetch(port, long_path)[0], 200)
        user = "daemon" if procs.IS_ROOT else None
        top = 'user = "daemon"\ngroup = "daemon"' if user else ""
        access = os.path.join(self.tmp, "access.log")
        text = ('workers = 2\n%s\n[[listen]]\naddress = "127.0.0.1"\nport = %d\n[files]\nroot = "%s"\n'
                '[http]\nmax_request_line = 300\n[log]\naccess = "%s"\naccess_format = "common"\n'
                % (top or 'user = "nobody"\ngroup = "nogroup"', port, self.root, access))
        with open(self.conf, "w") as f:
            f.write(text)
        self.reload(server, 2)
        self.assertTrue(procs.wait_until(lambda: client.fetch(port, long_path)[0] == 414, 5.0), "the new limit is not applied")
        self.assertTrue(procs.wait_until(lambda: os.path.exists(access) and " 414 " in open(access).read(), 5.0),
                        "the access log did not move to %s" % access)
        if user:
            import pwd
            uid = pwd.getpwnam(user).pw_uid
            ws = self.wait_workers(server, port, 2)
            for w in ws:
                self.assertEqual(procs.ids(w)["Uid"], [uid] * 4, "worker %d does not run as %s" % (w, user))

    def test_broken_config_changes_nothing(self):
        port = servers.free_port()
        self.config([port])
        server = self.start()
        before = self.wait_workers(server, port, 2)
        with open(self.conf, "a") as f:
            f.write('[http]\nmax_body = "lots"\n')
        line = open(self.conf).read().count("\n")
        server.send_signal(signal.SIGHUP)
        self.wait_log(server, r"reloading the configuration failed, nothing changed: %s:%d: http\.max_body: "
                      % (re.escape(self.conf), line))
        self.assertEqual(client.fetch(port), (200, A_TXT))
        self.assertEqual(sorted(procs.workers(server.pid, port)), sorted(before), "the workers were replaced")
        # Fixed, the next reload goes through.
        self.config([port])
        self.reload(server, 2)
        self.assertEqual(client.fetch(port), (200, A_TXT))

    def test_reload_whose_workers_cannot_start_keeps_the_old_generation(self):
        port = servers.free_port()
        self.config([port])
        server = self.start()
        locked = tempfile.mkdtemp(prefix="httpserve-locked-")
        self.addCleanup(trees.remove_tree, locked)
        os.chmod(locked, 0o000)  # unreadable by the workers (nobody, or this user when not root)
        self.config([port], root=locked)
        server.send_signal(signal.SIGHUP)
        self.wait_log(server, r"reload failed, generation 1 keeps serving: the workers of generation 2 cannot "
                      r"start: cannot read the root folder %s" % re.escape(locked))
        self.assertEqual(client.fetch(port), (200, A_TXT))
        self.wait_workers(server, port, 2)
        self.assertTrue(procs.alive(server.pid))

    # ---- logs ------------------------------------------------------------------------------------

    def test_usr1_reopens_logs_without_losing_lines(self):
        port = servers.free_port()
        logs = os.path.join(self.tmp, "logs")
        os.mkdir(logs)
        os.chmod(logs, 0o700)  # only the master (root) may write here; workers never open a log
        access, error = os.path.join(logs, "access.log"), os.path.join(logs, "error.log")
        self.config([port], sections='[log]\naccess = "%s"\nerror = "%s"\naccess_format = "common"\n'
                    % (access, error))
        server = servers.start_httpserve(["-c", self.conf])
        self.addCleanup(server.stop)
        self.wait_generation(server, 1, path=error)
        old_workers = self.wait_workers(server, port, 2)
        fds_before = procs.open_fds(server.pid)
        self.assertIn(access, fds_before)
        self.assertIn(error, fds_before)

        # A keep-alive client busy across the rotation: its lines may land in either file.
        busy = LoadClient(port, b"/b.txt", trees.ROOT_B_TXT)
        busy.start()
        for _ in range(10):
            self.assertEqual(client.fetch(port, b"/a.txt"), (200, A_TXT))
        os.rename(access, access + ".1")
        os.rename(error, error + ".1")
        server.send_signal(signal.SIGUSR1)
        self.wait_generation(server, 2, path=error)
        procs.wait_until(lambda: not [w for w in old_workers if procs.alive(w)], 5.0)
        for _ in range(10):
            self.assertEqual(client.fetch(port, b"/c.txt"), (200, trees.ROOT_C_TXT))
        busy.stop_event.set()
        busy.join(10)
        self.assertEqual(busy.failures, [])

        def lines(path):
            try:
                with open(path) as f:
                    return [l for l in f.read().splitlines() if l]
            except FileNotFoundError:
                return []

        def counts():
            both = lines(access + ".1") + lines(access)
            return (sum('"GET /a.txt ' in l for l in both), sum('"GET /b.txt ' in l for l in both),
                    sum('"GET /c.txt ' in l for l in both))
        expected = (10, busy.served, 10)
        self.assertTrue(procs.wait_until(lambda: counts() == expected, 5.0),
                        "lines lost or doubled: %r, expected %r" % (counts(), expected))
        self.assertEqual(sum('"GET /a.txt ' in l for l in lines(access + ".1")), 10)
        self.assertEqual(sum('"GET /c.txt ' in l for l in lines(access)), 10, "new requests not in the new file")
        self.assertIn("reopening the logs", self.error_log(server, error + ".1"))
        self.assertIn("generation 2 serving", self.error_log(server, error))
        # The master holds the new files only (the old ones went with the old generation).
        self.assertTrue(procs.wait_until(lambda: procs.open_fds(server.pid) == fds_before, 5.0),
                        "%r -> %r" % (fds_before, procs.open_fds(server.pid)))

    # ---- stopping --------------------------------------------------------------------------------

    def test_quit_lets_a_slow_download_finish(self):
        port = servers.free_port()
        big = os.urandom(1 << 20) * 8  # 8 MiB
        with open(os.path.join(self.root, "huge.bin"), "wb") as f:
            f.write(big)
        os.chmod(os.path.join(self.root, "huge.bin"), 0o644)
        self.config([port], top='shutdown_timeout = "30s"')
        server = self.start()
        family = procs.descendants(server.pid)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
        s.settimeout(10)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while len(received) < 256 * 1024:
            received += s.recv(65536)
        server.send_signal(signal.SIGQUIT)
        self.wait_log(server, r"stopping \(graceful")
        still_running_midway = False
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            received += chunk
            if not still_running_midway and len(received) > 4 << 20:
                still_running_midway = procs.alive(server.pid)
            time.sleep(0.002)  # a slow reader: the download lasts well over a second
        head, _, body = received.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head[:100])
        self.assertEqual(len(body), len(big))
        self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(big).digest())
        self.assertTrue(still_running_midway, "the master exited during the download")
        rc = server.proc.wait(10)
        self.assertEqual(rc, 0, server.stderr()[-2000:])
        self.assert_all_gone(family)
        self.assertNotIn("killing them", server.stderr())

    def test_quit_lets_a_cgi_script_finish_its_answer(self):
        # A CGI request in progress is a request in progress: a graceful stop waits for the script.
        port = servers.free_port()
        script = os.path.join(self.root, "cgi-bin", "slow.sh")
        os.makedirs(os.path.dirname(script), 0o755, exist_ok=True)
        with open(script, "w") as f:
            f.write("#!/bin/sh\nsleep 2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nfinished\\n'\n")
        os.chmod(script, 0o755)
        os.chmod(os.path.dirname(script), 0o755)
        self.config([port], top='shutdown_timeout = "30s"', sections="[cgi]\nenabled = true\n")
        server = self.start()
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.addCleanup(s.close)
        s.sendall(b"GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)  # the script is running
        server.send_signal(signal.SIGQUIT)
        self.wait_log(server, r"stopping \(graceful")
        received, closed, reset = client.read_until_close(s, timeout=15)
        self.assertEqual((True, False), (closed, reset))
        self.assertTrue(received.startswith(b"HTTP/1.1 200 "), received[:200])
        self.assertIn(b"finished\n", received)
        self.assertEqual(server.proc.wait(10), 0, server.stderr()[-2000:])
        self.assertNotIn("killing them", server.stderr())

    def test_term_stops_everything_within_the_bound(self):
        port = servers.free_port()
        with open(os.path.join(self.root, "huge.bin"), "wb") as f:
            f.write(b"\0" * (16 << 20))
        os.chmod(os.path.join(self.root, "huge.bin"), 0o644)
        self.config([port], workers=3, top='shutdown_timeout = "30s"')
        server = self.start()
        self.wait_workers(server, port, 3)
        family = procs.descendants(server.pid)
        # A download nobody reads, an idle keep-alive connection and a half-sent request.
        stalled = client.connect(port)
        self.addCleanup(stalled.close)
        stalled.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        idle = client.connect(port)
        self.addCleanup(idle.close)
        idle.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(client.read_response(idle.makefile("rb"))[0], 200)
        half = client.connect(port)
        self.addCleanup(half.close)
        half.sendall(b"GET /a.t")
        time.sleep(0.1)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        rc = server.proc.wait(10)
        self.assertLess(time.monotonic() - started, 5.0)
        self.assertEqual(rc, 0)
        self.assert_all_gone(family, 1.0)

    # ---- supervision -----------------------------------------------------------------------------

    def test_workers_that_cannot_start_make_the_master_exit(self):
        port = servers.free_port()
        locked = os.path.join(self.tmp, "locked")
        os.mkdir(locked, 0o000)
        self.config([port], root=locked)
        rc, out, err, seconds = run_cli(["-c", self.conf], timeout=20)
        self.assertEqual(rc, 1, "exit status; stderr:\n%s" % err[-3000:])
        self.assertIn("no worker can stay up", err)
        self.assertIn("cannot read the root folder %s" % locked, err)
        self.assertLess(seconds, 10.0)
        # Back-off, not a fork storm: a handful of attempts per worker.
        attempts = len(re.findall(r"could not start", err))
        self.assertGreaterEqual(attempts, 5)
        self.assertLessEqual(attempts, 2 * 6, "respawned too often: %d attempts" % attempts)

    def test_crashed_worker_is_replaced(self):
        port = servers.free_port()
        self.config([port], workers=2)
        server = self.start()
        ws = self.wait_workers(server, port, 2)
        # SIGKILL stands for any crash (a sanitizer build turns SIGSEGV into its own report and exit 1).
        os.kill(ws[0], signal.SIGKILL)
        self.wait_log(server, r"worker \d \(pid %d\) was killed by signal %d" % (ws[0], signal.SIGKILL))
        new = self.wait_workers(server, port, 2)
        self.assertNotIn(ws[0], new)
        self.assertEqual(client.fetch(port), (200, A_TXT))

    # ---- pid_file and -s -------------------------------------------------------------------------

    def test_signal_commands_through_pid_file(self):
        port = servers.free_port()
        pid_file = os.path.join(self.tmp, "httpserve.pid")
        self.config([port], top='pid_file = "%s"' % pid_file)
        server = self.start()
        with open(pid_file) as f:
            self.assertEqual(f.read().strip(), str(server.pid))
        rc, out, err, _ = run_cli(["-s", "reload", "-c", self.conf])
        self.assertEqual((rc, err), (0, ""))
        self.wait_generation(server, 2)
        rc, out, err, _ = run_cli(["-s", "reopen", "-c", self.conf])
        self.assertEqual((rc, err), (0, ""))
        self.wait_generation(server, 3)
        self.wait_log(server, r"reopening the logs")
        self.assertEqual(client.fetch(port), (200, A_TXT))
        rc, out, err, _ = run_cli(["-s", "quit", "-c", self.conf])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(server.proc.wait(10), 0)
        self.assertFalse(os.path.exists(pid_file), "pid_file left behind")

        server = self.start()
        rc, out, err, _ = run_cli(["-s", "stop", "-c", self.conf])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(server.proc.wait(10), 0)
        self.assertFalse(os.path.exists(pid_file))

        # Errors: the master is gone, the file is missing, no pid_file at all, a bad choice.
        with open(pid_file, "w") as f:
            f.write("%d\n" % server.pid)
        rc, out, err, _ = run_cli(["-s", "reload", "-c", self.conf])
        self.assertEqual(rc, 1)
        self.assertIn("-s reload: the master named in %s (pid %d) is not running" % (pid_file, server.pid), err)
        os.unlink(pid_file)
        rc, out, err, _ = run_cli(["-s", "reload", "-c", self.conf])
        self.assertEqual(rc, 1)
        self.assertIn("cannot read pid_file %s: No such file or directory" % pid_file, err)
        self.config([port])
        rc, out, err, _ = run_cli(["-s", "stop", "-c", self.conf])
        self.assertEqual(rc, 1)
        self.assertIn("no pid_file is set in %s" % self.conf, err)
        rc, out, err, _ = run_cli(["-s", "restart", "-c", self.conf])
        self.assertEqual(rc, 2)
        self.assertIn("usage:", err)
        self.assertIn("argument -s: invalid choice: 'restart' (choose from 'reload', 'stop', 'quit', 'reopen')", err)

    def test_second_master_is_refused(self):
        a, b = servers.free_port(), servers.free_port()
        pid_file = os.path.join(self.tmp, "httpserve.pid")
        self.config([a], top='pid_file = "%s"' % pid_file)
        first = self.start()
        other_conf = os.path.join(self.tmp, "other.toml")
        with open(other_conf, "w") as f:
            f.write(open(self.conf).read().replace("port = %d" % a, "port = %d" % b))
        rc, out, err, _ = run_cli(["-c", other_conf])
        self.assertEqual(rc, 1, err)
        self.assertIn("another httpserve master is running (pid %d, named in %s)" % (first.pid, pid_file), err)
        self.assertNotIn("Serving HTTP", out)
        self.assertTrue(refused(b))
        with open(pid_file) as f:
            self.assertEqual(f.read().strip(), str(first.pid))
        first.stop()
        # A stale pid_file (its process is gone) does not stop a new master.
        with open(pid_file, "w") as f:
            f.write("%d\n" % first.pid)
        second = servers.start_httpserve(["-c", other_conf])
        self.addCleanup(second.stop)
        self.assertEqual(client.fetch(b), (200, A_TXT))
        with open(pid_file) as f:
            self.assertEqual(f.read().strip(), str(second.pid))

    # ---- systemd ---------------------------------------------------------------------------------

    def notify_socket(self):
        path = os.path.join(self.tmp, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        self.addCleanup(sock.close)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        messages = []

        def next_with(field, timeout=10.0):
            """The next message that has `field` (e.g. "READY=1"), as a dict."""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                sock.settimeout(max(deadline - time.monotonic(), 0.01))
                try:
                    data = sock.recv(4096).decode()
                except socket.timeout:
                    break
                fields = dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
                messages.append(fields)
                key, _, value = field.partition("=")
                if fields.get(key) == value:
                    return fields
            self.fail("no %s from the master; got %r" % (field, messages))
        return env, next_with

    def test_sd_notify(self):
        port = servers.free_port()
        self.config([port])
        env, next_with = self.notify_socket()
        server = servers.start_httpserve(["-c", self.conf], env=env)
        self.addCleanup(server.stop)
        ready = next_with("READY=1")
        self.assertRegex(ready["STATUS"], r"^generation 1, 2 of 2 workers ready; last reload: none$")
        self.assertEqual(client.fetch(port), (200, A_TXT))

        server.send_signal(signal.SIGHUP)
        reloading = next_with("RELOADING=1")
        now_us = time.monotonic() * 1e6
        self.assertLess(abs(int(reloading["MONOTONIC_USEC"]) - now_us), 5e6, reloading)
        ready = next_with("READY=1")
        self.assertEqual(ready["STATUS"], "generation 2, 2 of 2 workers ready; last reload: ok (generation 2)")

        with open(self.conf, "a") as f:
            f.write('[http]\nmax_body = "lots"\n')
        line = open(self.conf).read().count("\n")
        server.send_signal(signal.SIGHUP)
        next_with("RELOADING=1")
        ready = next_with("READY=1")
        self.assertIn("last reload: failed: %s:%d: http.max_body: " % (self.conf, line), ready["STATUS"])
        self.assertTrue(ready["STATUS"].startswith("generation 2, "), ready)

        server.send_signal(signal.SIGTERM)
        next_with("STOPPING=1")
        self.assertEqual(server.proc.wait(10), 0)

    def test_unread_notify_socket_never_blocks_the_master(self):
        # Nobody reads the notify socket (a busy PID 1): it holds net.unix.max_dgram_qlen (10)
        # datagrams. Through 20 reloads the master must go on reloading, stopping old workers after
        # shutdown_timeout and handling signals; what waited arrives, in order, once it is read.
        port = servers.free_port()
        with open(os.path.join(self.root, "huge.bin"), "wb") as f:
            f.truncate(64 << 20)
        os.chmod(os.path.join(self.root, "huge.bin"), 0o644)
        self.config([port], top='shutdown_timeout = "1s"')
        path = os.path.join(self.tmp, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        self.addCleanup(sock.close)
        server = servers.start_httpserve(["-c", self.conf], env=dict(os.environ, NOTIFY_SOCKET=path))
        self.addCleanup(server.stop)
        self.wait_generation(server, 1)
        reloads = 20
        for number in range(2, reloads + 2):
            old = self.wait_workers(server, port, 2)
            stuck = None
            if number == reloads // 2:
                # A download nobody reads holds an old worker until the master kills it.
                stuck = socket.create_connection(("127.0.0.1", port), timeout=10)
                self.addCleanup(stuck.close)
                stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                stuck.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(stuck.recv(1024).startswith(b"HTTP/1.1 200 "))
            self.reload(server, number)
            self.assertEqual(client.fetch(port), (200, A_TXT))
            if stuck:
                self.wait_log(server, r"generation %d: 1 worker\(s\) still running after the stop timeout; "
                              r"killing them" % (number - 1))
                self.assert_all_gone(old, timeout=10.0)

        # Read it now: every message, in order, the newest status on the last READY.
        messages = []
        sock.settimeout(10.0)
        while len(messages) < 1 + 2 * reloads:
            data = sock.recv(4096).decode()
            messages.append(dict(line.split("=", 1) for line in data.split("\n") if "=" in line))
        states = ["READY" if "READY" in m else "RELOADING" if "RELOADING" in m else "other" for m in messages]
        self.assertEqual(states, ["READY"] + ["RELOADING", "READY"] * reloads, messages)
        stamps = [int(m["MONOTONIC_USEC"]) for m in messages if "RELOADING" in m]
        self.assertEqual(stamps, sorted(stamps))
        self.assertEqual(messages[-1]["STATUS"], "generation %d, 2 of 2 workers ready; last reload: ok (generation %d)"
                         % (reloads + 1, reloads + 1))
        server.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(10), 0)
        self.assertEqual(sock.recv(4096).decode().split("\n")[0], "STOPPING=1")

    @unittest.skipUnless(os.access(SOCKET_ACTIVATE, os.X_OK), "needs systemd-socket-activate")
    def test_socket_activation(self):
        port, other = servers.free_port(), servers.free_port()
        self.config([port, other])  # `port` comes from systemd, `other` is bound by httpserve
        server = servers.Server([SOCKET_ACTIVATE, "-l", "127.0.0.1:%d" % port, servers.BINARY, "-c", self.conf],
                                expect_serving=False)
        self.addCleanup(server.stop)
        inodes = procs.wait_until(lambda: procs.listening_inodes(port), 5.0)
        self.assertTrue(inodes, "systemd-socket-activate is not listening")
        self.assertTrue(refused(other))
        # The first connection makes systemd-socket-activate exec httpserve with the socket as fd 3.
        self.assertEqual(client.fetch(port), (200, A_TXT))
        server._wait_serving(10)
        self.assertEqual(server.port, port)
        self.wait_log(server, r"using the socket passed by systemd \(fd 3\) for 127\.0\.0\.1:%d" % port)
        self.wait_generation(server, 1)
        self.assertEqual(procs.listening_inodes(port), inodes, "httpserve bound its own socket")
        self.assertEqual(client.fetch(other), (200, A_TXT))
        # Kept across a reload that drops and re-adds the other address.
        self.config([port])
        self.reload(server, 2)
        self.assertEqual(client.fetch(port), (200, A_TXT))
        self.assertEqual(procs.listening_inodes(port), inodes)
        self.assertTrue(procs.wait_until(lambda: refused(other), 5.0))
        self.assertTrue(procs.holds_socket(server.pid, inodes))
        self.assertEqual(server.stop(), 0)

    @unittest.skipUnless(os.access(SOCKET_ACTIVATE, os.X_OK), "needs systemd-socket-activate")
    def test_socket_activation_unmatched_socket_is_served(self):
        port, configured = servers.free_port(), servers.free_port()
        self.config([configured])
        server = servers.Server([SOCKET_ACTIVATE, "-l", "127.0.0.1:%d" % port, servers.BINARY, "-c", self.conf],
                                expect_serving=False)
        self.addCleanup(server.stop)
        self.assertTrue(procs.wait_until(lambda: procs.listening_inodes(port), 5.0))
        self.assertEqual(client.fetch(port), (200, A_TXT))
        self.wait_log(server, r"the socket passed by systemd for 127\.0\.0\.1:%d matches no \[\[listen\]\] entry; "
                      r"serving on it anyway" % port)
        self.assertEqual(client.fetch(configured), (200, A_TXT))


if __name__ == "__main__":
    unittest.main()
