"""Helpers for test_http_engine.py and test_daemon.py: served folders, configs, raw exchanges,
/proc inspection. Standard library only. Processes are found by pid / parent pid, never by name."""
import email.utils
import os
import re
import select
import shutil
import socket
import tempfile
import time
import unittest


import harness  # noqa: E402  (tests/integration is on sys.path)

A_TXT = b"hello, world\n"
B_TXT = b"second file, b\n"
C_TXT = b"third file: c c c\n"
BIG = bytes(range(256)) * 1024 * 3  # 768 KiB, big.bin: more than a socket buffer

IMF_FIXDATE_RE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$")

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


class RootAndTmpCase(unittest.TestCase):
    """A test with a served folder (make_root) in self.root and a scratch folder (0755) in self.tmp,
    both removed afterwards."""

    tmp_prefix = "httpserve-tmp-"

    def setUp(self):
        self.root = make_root()
        self.addCleanup(remove_tree, self.root)
        self.tmp = tempfile.mkdtemp(prefix=self.tmp_prefix)
        os.chmod(self.tmp, 0o755)
        self.addCleanup(remove_tree, self.tmp)


def make_root():
    """A served folder readable by `nobody`: a.txt, b.txt, c.txt, big.bin, sub/d.txt. Returns its path."""
    root = tempfile.mkdtemp(prefix="httpserve-it-")
    os.chmod(root, 0o755)
    for name, data in (("a.txt", A_TXT), ("b.txt", B_TXT), ("c.txt", C_TXT)):
        path = os.path.join(root, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
    with open(os.path.join(root, "big.bin"), "wb") as f:
        f.write(BIG)
    os.chmod(os.path.join(root, "big.bin"), 0o644)
    sub = os.path.join(root, "sub")
    os.mkdir(sub)
    os.chmod(sub, 0o755)
    with open(os.path.join(sub, "d.txt"), "wb") as f:
        f.write(b"d\n")
    os.chmod(os.path.join(sub, "d.txt"), 0o644)
    return root


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


def config_text(port, root, workers=2, top="", sections="", address="127.0.0.1"):
    """A config file: top-level keys, one listener, [files] root, then extra tables (`sections`).
    `user`/`group` are nobody/nogroup so that a root test run can drop privileges."""
    return (
        'workers = {workers}\n'
        'user = "nobody"\n'
        'group = "nogroup"\n'
        '{top}\n'
        '[[listen]]\n'
        'address = "{address}"\n'
        'port = {port}\n'
        '\n'
        '[files]\n'
        'root = "{root}"\n'
        '\n'
        '{sections}\n'
    ).format(workers=workers, top=top, address=address, port=port, root=root, sections=sections)


def start_config_server(root, workers=2, top="", sections="", confdir=None):
    """Writes a config into `confdir` (default: a new temp folder) and starts httpserve -c on it.
    Returns (server, confdir)."""
    confdir = confdir or tempfile.mkdtemp(prefix="httpserve-conf-")
    os.chmod(confdir, 0o755)
    path = harness.write_config(confdir, config_text(harness.free_port(), root, workers, top, sections))
    return harness.start_httpserve(["-c", path]), confdir


# --------------------------------------------------------------------------------------------------
# Sockets

def connect(port, timeout=5.0, host="127.0.0.1"):
    return socket.create_connection((host, port), timeout=timeout)


def send_quietly(sock, data):
    """sendall that tolerates the server closing early (it may answer 414/431 before reading it all)."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def read_until_close(sock, timeout=5.0):
    """Reads until EOF. Returns (data, closed, reset): closed is False if `timeout` passed first,
    reset is True if the connection ended with a RST (data received before it is kept)."""
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False, False
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            continue
        try:
            c = sock.recv(65536)
        except ConnectionResetError:
            return b"".join(chunks), True, True
        except socket.timeout:
            continue
        if not c:
            return b"".join(chunks), True, False
        chunks.append(c)


def exchange(port, data, timeout=5.0):
    """Sends `data` on a new connection and reads until the server closes.
    Returns (data, closed, reset)."""
    with connect(port, timeout) as s:
        send_quietly(s, data)
        return read_until_close(s, timeout)


class Parsed:
    """One response parsed out of bytes already received (status line, headers, body by
    Content-Length)."""

    def __init__(self, raw, method="GET"):
        self.raw = raw
        head, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            raise AssertionError("no complete response head in %r" % raw[:300])
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        m = re.match(r"^(HTTP/\d\.\d) (\d{3}) ?(.*)$", self.status_line)
        if not m:
            raise AssertionError("not a status line: %r" % self.status_line)
        self.version, self.status, self.reason = m.group(1), int(m.group(2)), m.group(3)
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.setdefault(name.strip().lower(), value.strip())
        n = int(self.headers.get("content-length", len(rest)))
        if method == "HEAD" or self.status in (204, 304) or 100 <= self.status < 200:
            n = 0
        self.body = rest[:n]
        self.rest = rest[n:]


def parse_date(value):
    """Checks an IMF-fixdate (RFC 9110 §5.6.7) and returns it as a POSIX timestamp, else raises."""
    if not IMF_FIXDATE_RE.match(value):
        raise AssertionError("not an IMF-fixdate: %r" % value)
    t = email.utils.parsedate_tz(value)
    ts = email.utils.mktime_tz(t)
    # The weekday must be the real one for the date.
    expected = time.strftime("%a", time.gmtime(ts))
    if value[:3] != expected:
        raise AssertionError("wrong weekday in %r (should be %s)" % (value, expected))
    return ts


# --------------------------------------------------------------------------------------------------
# /proc

def proc_stat_fields(pid):
    """Fields after the command name of /proc/PID/stat: [state, ppid, pgrp, ...], or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    return data.rsplit(")", 1)[1].split()


def alive(pid):
    fields = proc_stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def live_processes(match):
    """Sorted pids of the live (non-zombie) processes whose /proc/PID/stat fields satisfy `match`."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = proc_stat_fields(int(name))
        if fields and fields[0] not in ("Z", "X") and match(fields):
            out.append(int(name))
    return sorted(out)


def children(pid):
    """Live (non-zombie) children of `pid`."""
    return live_processes(lambda fields: int(fields[1]) == pid)


def group_members(pgid):
    """Live (non-zombie) processes of process group `pgid`."""
    return live_processes(lambda fields: int(fields[2]) == pgid)


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


def ids(pid):
    """{'Uid': [real, effective, saved, fs], 'Gid': [...], 'Groups': [...]} from /proc/<pid>/status."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid", "Groups"):
                out[key] = [int(x) for x in value.split()]
    return out


def listening_inodes(port):
    """Socket inodes of the TCP sockets listening on `port` (IPv4 and IPv6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, st, inode = fields[1], fields[3], fields[9]
                    if st == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(inode)
        except FileNotFoundError:
            pass
    return inodes


def holds_socket(pid, inodes):
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return True
    except OSError:
        pass
    return False


def workers(master_pid, port):
    """Worker processes: live children of the master that hold a socket listening on `port` (the
    master may have other children, e.g. the CGI launcher)."""
    inodes = listening_inodes(port)
    return [c for c in children(master_pid) if holds_socket(c, inodes)]


def wait_until(predicate, timeout, interval=0.05):
    """Polls predicate() until it returns something truthy or `timeout` passes; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
