"""Helpers for test_cgi.py: the served tree and its CGI scripts (written at run time into temporary
folders, never committed), requests with bodies, what the scripts print, config files for `[cgi]`,
/proc checks (worker RSS, process groups). Standard library only."""
import hashlib
import os
import pwd
import grp
import shutil
import socket
import tempfile
import threading
import time

import harness
import util_static as U

IS_ROOT = os.geteuid() == 0
SETPRIV = shutil.which("setpriv")


def _uid(name, default=65534):
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return default


def _gid(name, default=65534):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return default


NOBODY_UID = _uid("nobody")
NOGROUP_GID = _gid("nogroup")

A_TXT = b"hello from a.txt\n"

# The meta-variables whose values must be Python's (README, "CGI" under the compatibility table). SERVER_SOFTWARE,
# SERVER_PROTOCOL and SERVER_NAME differ on purpose; SERVER_PORT is compared with each server's port.
COMPARED_KEYS = (
    "GATEWAY_INTERFACE", "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING",
    "REMOTE_ADDR", "REMOTE_HOST", "AUTH_TYPE", "REMOTE_USER", "CONTENT_TYPE", "CONTENT_LENGTH",
    "HTTP_ACCEPT", "HTTP_COOKIE", "HTTP_USER_AGENT", "HTTP_REFERER",
)
# Everything httpserve may put in a script's environment besides HTTP_* (environment.hpp), plus what
# the interpreters add themselves (dash exports PWD; Python's PEP 538 coercion sets LC_CTYPE).
ALLOWED_NON_HTTP_KEYS = {
    "PATH", "GATEWAY_INTERFACE", "SERVER_SOFTWARE", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
    "REQUEST_METHOD", "PATH_INFO", "PATH_TRANSLATED", "SCRIPT_NAME", "QUERY_STRING", "REMOTE_ADDR",
    "REMOTE_HOST", "AUTH_TYPE", "REMOTE_USER", "CONTENT_TYPE", "CONTENT_LENGTH",
    "PWD", "SHLVL", "_", "LC_CTYPE",
}
FIXED_PATH = "/usr/local/bin:/usr/bin:/bin"
BIG_OUTPUT = 52428800  # 50 MiB

# ---------------------------------------------------------------------------------------------------
# Scripts. "@STATE@" is replaced by the world-writable state folder (scripts run as nobody).

ENV_PY = r'''#!/usr/bin/env python3
# Prints its environment (sorted KEY=value lines), its arguments, and what it read from stdin
# (exactly CONTENT_LENGTH bytes, as Python's server leaves the socket open).
import hashlib, json, os, sys
body = b""
n = os.environ.get("CONTENT_LENGTH", "")
if n.isdigit():
    body = sys.stdin.buffer.read(int(n))
out = sys.stdout.buffer
out.write(b"Content-Type: text/plain\r\n\r\n")
lines = [k + b"=" + v for k, v in os.environb.items()]
lines.append(b"X_ARGV=" + json.dumps(sys.argv[1:]).encode())
lines.append(b"X_BODY_LEN=%d" % len(body))
lines.append(b"X_BODY_SHA256=" + hashlib.sha256(body).hexdigest().encode())
out.write(b"\n".join(sorted(lines)) + b"\n")
'''

ARGV_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
printf '%s\n' "$#"
for a in "$@"; do printf '[%s]\n' "$a"; done
'''

ENV_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
env | sort
'''

IDS_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
id -u; id -g; id -G
'''

HELLO_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nhello from a script\n'
'''

SCRIPTS = {
    # name (under the root): (mode, text)
    "cgi-bin/env.py": (0o755, ENV_PY),
    "cgi-bin/argv.sh": (0o755, ARGV_SH),
    "cgi-bin/env.sh": (0o755, ENV_SH),
    "cgi-bin/ids.sh": (0o755, IDS_SH),
    "cgi-bin/hello.sh": (0o755, HELLO_SH),
    "cgi-bin/noexec.py": (0o644, ENV_PY),
    "cgi-bin/child-dir/file3.py": (0o755, ENV_PY),
    "cgi-bin/child-dir/grandchild/deep.sh": (0o755, HELLO_SH),
    "htbin/env.py": (0o755, ENV_PY),
    "htbin/hello.sh": (0o755, HELLO_SH),
    # --- httpserve only: the response head is parsed ---
    "cgi-bin/status.sh": (0o755, "#!/bin/sh\nprintf 'Status: 404 Nope\\r\\nContent-Type: text/plain\\r\\n\\r\\nnot here\\n'\n"),
    "cgi-bin/abs_location.sh": (0o755, "#!/bin/sh\nprintf 'Location: http://example.com/elsewhere?x=1\\r\\n\\r\\n'\n"),
    "cgi-bin/abs_location_301.sh": (0o755, "#!/bin/sh\nprintf 'Status: 301 Moved Permanently\\r\\n"
                                           "Location: http://example.com/moved\\r\\n\\r\\n'\n"),
    "cgi-bin/local_location.sh": (0o755, "#!/bin/sh\nprintf 'Location: /a.txt\\r\\n\\r\\nignored body\\n'\n"),
    "cgi-bin/local_cgi_location.sh": (0o755, "#!/bin/sh\nprintf 'Location: /cgi-bin/env.py?via=redirect\\r\\n\\r\\n'\n"),
    "cgi-bin/loop.sh": (0o755, "#!/bin/sh\nprintf 'Location: /cgi-bin/loop.sh\\r\\n\\r\\n'\n"),
    "cgi-bin/headers.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/html; charset=utf-8\\r\\nX-Custom: yes\\r\\n"
                                  "Set-Cookie: a=1\\r\\nSet-Cookie: b=2\\r\\nCache-Control: no-store\\r\\n\\r\\n"
                                  "<p>hi</p>\\n'\n"),
    "cgi-bin/lf_only.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\nX-Lf: 1\\n\\nlf body\\n'\n"),
    "cgi-bin/withlen.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nContent-Length: 6\\r\\n\\r\\nsized\\n'\n"),
    "cgi-bin/overlong.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nContent-Length: 3\\r\\n\\r\\nabcdef'\n"),
    "cgi-bin/short.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nContent-Length: 10\\r\\n\\r\\nabcd'\n"),
    "cgi-bin/nolen.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                                "printf 'part one\\n'\nsleep 0.1\nprintf 'part two\\n'\n"),
    "cgi-bin/big.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\n"
                              "exec head -c %d /dev/zero\n" % BIG_OUTPUT),
    "cgi-bin/cat.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\n"
                              "X-Content-Length: %s\\r\\n\\r\\n' \"$CONTENT_LENGTH\"\nexec cat\n"),
    "cgi-bin/headmark.sh": (0o755, "#!/bin/sh\nprintf '%s' \"$REQUEST_METHOD\" > @STATE@/head.\"$QUERY_STRING\"\n"
                                   "printf 'Content-Type: text/plain\\r\\n\\r\\nbody of headmark\\n'\n"),
    "cgi-bin/crash.sh": (0o755, "#!/bin/sh\nexit 1\n"),
    "cgi-bin/garbage.sh": (0o755, "#!/bin/sh\nprintf 'garbage line without colon\\r\\n\\r\\nbody\\n'\n"),
    "cgi-bin/noend.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nX-A: b\\r\\n'\n"),
    "cgi-bin/notype.sh": (0o755, "#!/bin/sh\nprintf 'X-Only: this\\r\\n\\r\\nbody without a type\\n'\n"),
    # Records "$$ child pgrp", then stays silent: killed by cgi.timeout.
    "cgi-bin/timeout.sh": (0o755, "#!/bin/sh\nsleep 60 &\nchild=$!\nset -- $(cat /proc/$$/stat)\n"
                                  "echo \"$$ $child $5\" > @STATE@/timeout.\"$QUERY_STRING\".tmp\n"
                                  "mv @STATE@/timeout.\"$QUERY_STRING\".tmp @STATE@/timeout.\"$QUERY_STRING\"\n"
                                  "sleep 60\n"),
    # Sends its head and a first piece of body, then stays silent: cut by cgi.timeout.
    "cgi-bin/silent_after_head.sh": (0o755, "#!/bin/sh\nset -- $(cat /proc/$$/stat)\n"
                                            "echo \"$$ $5\" > @STATE@/silent.\"$QUERY_STRING\"\n"
                                            "printf 'Content-Type: text/plain\\r\\n\\r\\npartial\\n'\n"
                                            "exec sleep 60\n"),
    # Holds a process slot until @STATE@/release exists (at most ~15 s).
    "cgi-bin/hold.sh": (0o755, "#!/bin/sh\n: > @STATE@/hold.\"$QUERY_STRING\"\ni=0\n"
                               "while [ ! -e @STATE@/release ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done\n"
                               "printf 'Content-Type: text/plain\\r\\n\\r\\nreleased\\n'\n"),
}


class CgiTree:
    """A served folder (0755, readable by nobody) with cgi-bin/, htbin/, cgi-bin/child-dir/, an empty
    sub-directory, static files, and a world-writable state folder for the scripts' marker files."""

    def __init__(self):
        self.base = os.path.realpath(tempfile.mkdtemp(prefix="httpserve-cgi-"))
        os.chmod(self.base, 0o755)
        self.root = os.path.join(self.base, "root")
        self.state = os.path.join(self.base, "state")
        self.conf = os.path.join(self.base, "conf")
        os.mkdir(self.root, 0o755)
        os.mkdir(self.state)
        os.chmod(self.state, 0o1777)
        os.mkdir(self.conf, 0o755)
        self.write("a.txt", A_TXT, 0o644)
        self.write("nocgi.py", b"print('static, not a script')\n", 0o644)
        for name, (mode, text) in SCRIPTS.items():
            self.write(name, text.replace("@STATE@", self.state).encode(), mode)
        os.makedirs(os.path.join(self.root, "cgi-bin", "emptydir"), 0o755, exist_ok=True)
        for dirpath, dirnames, _ in os.walk(self.root):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)

    def write(self, rel, data, mode):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def state_path(self, name):
        return os.path.join(self.state, name)

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# Servers

def server_env(**extra):
    """The test's environment plus canaries a server must not hand to its scripts."""
    env = dict(os.environ)
    env.update(extra)
    return env


def python_env():
    """A small environment for python -m http.server (it copies its environment into every script's):
    no proxy variables or anything else from the test runner's environment."""
    return {"PATH": FIXED_PATH, "PYTHONDONTWRITEBYTECODE": "1"}


def start_python_cgi(root):
    return harness.start_python(["--cgi", "-b", "127.0.0.1", "0", "-d", root], env=python_env(),
                                cwd=root)


def start_httpserve_cgi(root, env=None, prefix=()):
    """httpserve --cgi in command-line mode; `prefix` (e.g. setpriv ...) runs before the binary."""
    argv = list(prefix) + [harness.BINARY, "--cgi", "-b", "127.0.0.1", "0", "-d", root]
    return harness.Server(argv, cwd=root, env=env)


def setpriv_prefix(uid=NOBODY_UID, gid=NOGROUP_GID):
    return [SETPRIV, "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups"]


def config_text(port, root, cgi="", http="", top="", run_as_nobody=True):
    """A config for `httpserve -c`: one worker, one listener, [cgi] enabled plus the given lines."""
    users = 'user = "nobody"\ngroup = "nogroup"\n' if run_as_nobody else ""
    return ('workers = 1\n%s%s\n'
            '[[listen]]\naddress = "127.0.0.1"\nport = %d\n\n'
            '[files]\nroot = "%s"\n\n'
            '[cgi]\nenabled = true\n%s\n'
            '[http]\n%s\n' % (users, top, port, root, cgi, http))


def start_config_cgi(tree, name, cgi="", http="", top="", prefix=(), run_as_nobody=True, env=None):
    port = harness.free_port()
    path = harness.write_config(tree.conf, config_text(port, tree.root, cgi, http, top, run_as_nobody),
                                name=name)
    os.chmod(path, 0o644)
    server = harness.Server(list(prefix) + [harness.BINARY, "-c", path], cwd=tree.conf, env=env)
    if server.port != port:
        server.stop()
        raise AssertionError("config listener on port %d, Serving line says %s" % (port, server.port))
    return server


# ---------------------------------------------------------------------------------------------------
# Requests

def build(method, target, headers=(), body=None, version="HTTP/1.1", close=True):
    """Raw request bytes; a Content-Length is added for a body unless the headers frame it."""
    headers = list(headers)
    names = {h.split(":", 1)[0].strip().lower() for h in headers}
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        headers.append("Content-Length: %d" % len(body))
    return U.build_request(method, target, headers, version, close=close, body=body or b"")


def dechunk(data):
    """(decoded, complete) for a chunked body; `complete` is False when the last chunk is missing."""
    out, pos = [], 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return b"".join(out), False
        size = int(data[pos:eol].split(b";")[0].strip() or b"0", 16)
        pos = eol + 2
        if size == 0:
            return b"".join(out), data.find(b"\r\n", pos) >= 0
        if len(data) < pos + size + 2:
            out.append(data[pos:pos + size])
            return b"".join(out), False
        if data[pos + size:pos + size + 2] != b"\r\n":
            raise ValueError("no CRLF after a chunk at %d" % (pos + size))
        out.append(data[pos:pos + size])
        pos += size + 2


def request(port, method, target, headers=(), body=None, version="HTTP/1.1", timeout=10.0):
    """One request on a new connection (Connection: close); the Response as util_static parses it,
    with a chunked body decoded (the bytes as sent stay in .wire_body, .chunks_complete tells whether
    the last chunk arrived)."""
    r = U.exchange(port, build(method, target, headers, body, version), timeout=timeout, method=method)
    r.wire_body = r.body
    r.chunks_complete = None
    if method != "HEAD" and (r.header("Transfer-Encoding") or "").lower() == "chunked":
        r.body, r.chunks_complete = dechunk(r.body)
    return r


def chunk_encode(pieces, ext=False):
    out = b""
    for i, p in enumerate(pieces):
        if p:
            out += b"%x%s\r\n" % (len(p), b";ext=%d" % i if ext else b"") + p + b"\r\n"
    return out + b"0\r\n\r\n"


def send_in_thread(sock, data):
    """sendall() in a thread (the response may arrive while the body is still being sent); returns the
    thread and a list that receives an exception if the send fails."""
    errors = []

    def run():
        try:
            view = memoryview(data)
            for i in range(0, len(view), 1 << 20):
                sock.sendall(view[i:i + (1 << 20)])
        except OSError as e:
            errors.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, errors


def parse_env(body):
    """KEY=value lines -> dict (str, Latin-1)."""
    env = {}
    for line in body.decode("latin-1").split("\n"):
        if "=" in line:
            k, _, v = line.partition("=")
            env[k] = v
    return env


def iter_body(f, headers, method="GET", piece=1 << 17):
    """Yields the body of a response whose head was read (headers as harness.read_response gives
    them) in pieces of at most `piece` bytes: Content-Length, chunked, or until close."""
    if method == "HEAD":
        return
    if "content-length" in headers:
        left = int(headers["content-length"])
        while left:
            data = f.read(min(left, piece))
            if not data:
                raise ConnectionError("closed with %d body bytes missing" % left)
            left -= len(data)
            yield data
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            line = f.readline()
            if not line:
                raise ConnectionError("closed inside chunked body")
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while f.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return
            while size:
                data = f.read(min(size, piece))
                if not data:
                    raise ConnectionError("closed inside a chunk")
                size -= len(data)
                yield data
            f.readline()
    else:
        while True:
            data = f.read1(piece) if hasattr(f, "read1") else f.read(piece)
            if not data:
                return
            yield data


read_head = harness.read_head  # (status, reason, headers_lowercase_first, raw_head)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------------
# /proc

# Process inspection shared with the engine and daemon tests.
from util_engine import (alive, children, group_members, holds_socket, listening_inodes,  # noqa: E402,F401
                         proc_stat_fields, workers)


def vm_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def wait_until(predicate, timeout, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def wait_file(path, timeout):
    """The file's text once it exists (scripts write then rename), else None."""
    def read():
        try:
            with open(path) as f:
                return f.read()
        except FileNotFoundError:
            return None
    return wait_until(read, timeout)


def connect(port, timeout=10.0, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def binary_exists():
    return os.access(harness.BINARY, os.X_OK)
