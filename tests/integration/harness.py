"""Starting and stopping the real httpserve binary (and python -m http.server) for integration tests.

Every process started here is stopped by its own process group, never by name.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BINARY = os.environ.get("HTTPSERVE_BIN", os.path.join(REPO, "build", "daemon", "httpserve"))
PYTHON = os.environ.get("HTTPSERVE_PYTHON", sys.executable)

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
SERVING_RE = re.compile(r"Serving HTTP on (.+) port (\d+) ")


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    """A port that was free a moment ago (bind to 0, read it, close)."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Server:
    """A server process started in its own process group, read until its 'Serving HTTP on' line."""

    def __init__(self, argv, cwd=None, env=None, expect_serving=True, timeout=10.0, preexec_fn=None):
        self.argv = argv
        self.stderr_file = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.stderr_file, start_new_session=True, preexec_fn=preexec_fn)
        self.pid = self.proc.pid
        self.host = None
        self.port = None
        self.first_line = None
        self._stderr_text = ""
        if expect_serving:
            self._wait_serving(timeout)

    def _wait_serving(self, timeout):
        deadline = time.monotonic() + timeout
        os.set_blocking(self.proc.stdout.fileno(), False)
        buf = b""
        while time.monotonic() < deadline:
            chunk = self.proc.stdout.read()
            if chunk:
                buf += chunk
                if b"\n" in buf:
                    self.first_line = buf.split(b"\n", 1)[0].decode()
                    m = SERVING_RE.search(self.first_line)
                    if not m:
                        self.stop()
                        raise RuntimeError("unexpected first line: %r" % self.first_line)
                    self.host, self.port = m.group(1), int(m.group(2))
                    return
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s before serving; stderr:\n%s"
                                   % (self.proc.returncode, self.stderr()))
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("server did not print its Serving line in %.0fs" % timeout)

    def stderr(self):
        if self.stderr_file is None:
            return self._stderr_text
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def send_signal(self, sig):
        os.kill(self.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Stops the whole process group; returns the exit status of the main process."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait()
        # Workers left behind by a crashed master must not outlive the test.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.stdout:
            self.proc.stdout.close()
        # Under the ASan+UBSan build a sanitizer report anywhere in the server's stderr fails the test.
        text = self.stderr()
        if self.stderr_file is not None:
            self.stderr_file.close()
            self.stderr_file = None
        self._stderr_text = text
        report = [m for m in SANITIZER_MARKERS if m in text]
        if report:
            raise AssertionError("sanitizer report in server stderr (%s):\n%s" % (report, self.stderr()[-4000:]))
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_httpserve(args, cwd=None, **kw):
    """httpserve with command-line arguments, e.g. ['-b', '127.0.0.1', '0', '-d', root]."""
    return Server([BINARY] + list(args), cwd=cwd, **kw)


def start_python(args, cwd=None, **kw):
    """python -m http.server, unbuffered so that its first line arrives at once."""
    return Server([PYTHON, "-u", "-m", "http.server"] + list(args), cwd=cwd, **kw)


def write_config(directory, text, name="httpserve.toml"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def raw_request(port, data, host="127.0.0.1", timeout=5.0, read_until_close=True):
    """Sends raw bytes and returns everything the server sent until it closed (or the timeout)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
                if not read_until_close:
                    break
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def read_head(f):
    """Reads a status line and header block from `f`: (status, reason, headers_dict_lowercase,
    raw_head); the first of repeated headers wins."""
    status_line = f.readline()
    if not status_line:
        raise ConnectionError("connection closed before a status line")
    parts = status_line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    headers = {}
    head = [status_line]
    while True:
        line = f.readline()
        head.append(line)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers, b"".join(head)


def read_response(f, method="GET"):
    """Reads exactly one HTTP/1.x response from `f = sock.makefile("rb")` (make it once per socket:
    it buffers, so pipelined responses stay readable). Framing: Content-Length, chunked, or close.
    Returns (status, reason, headers_dict_lowercase, body, raw_head)."""
    status, reason, headers, raw_head = read_head(f)
    body = b""
    if method != "HEAD" and status not in (204, 304) and not 100 <= status < 200:
        if "content-length" in headers:
            body = f.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int(f.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while f.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += f.read(size)
                f.readline()
        else:
            body = f.read()
    return status, reason, headers, body, raw_head
