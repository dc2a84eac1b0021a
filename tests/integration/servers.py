"""Starting and stopping the real httpserve binary: a Server read until its 'Serving HTTP(S) on' line,
one-shot command-line runs, config files for `httpserve -c`, free ports. Standard library only.

Every process started here is stopped by its own process group, never by name.
"""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BINARY = os.environ.get("HTTPSERVE_BIN", os.path.join(REPO, "build", "daemon", "httpserve"))

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
SERVING_RE = re.compile(r"Serving HTTPS? on (.+) port (\d+) ")


def binary_exists():
    return os.access(BINARY, os.X_OK)


# --------------------------------------------------------------------------------------------------
# Ports

def free_port(family=socket.AF_INET, host="127.0.0.1"):
    """A port that was free a moment ago (bind to 0, read it, close)."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_dual_port():
    """A port free on both 127.0.0.1 and ::1 a moment ago."""
    for _ in range(50):
        port = free_port()
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                s.bind(("::", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on both families")


def ipv6_loopback_available():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------------------------------
# Processes

class Server:
    """A server process started in its own process group, read until its 'Serving HTTP(S) on' line."""

    def __init__(self, argv, cwd=None, env=None, expect_serving=True, timeout=10.0, preexec_fn=None,
                 stderr_to_stdout=False, pass_fds=()):
        """`stderr_to_stdout`: one stream, as CPython's own tests read `python -m http.server` (then
        first_line is the first line of both). `pass_fds`: descriptors the server inherits."""
        self.argv = argv
        self.stderr_file = None if stderr_to_stdout else tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if stderr_to_stdout else self.stderr_file, start_new_session=True,
            preexec_fn=preexec_fn, pass_fds=pass_fds)
        self.pid = self.proc.pid
        self.host = None
        self.port = None
        self.first_line = None
        self._stderr_bytes = b""
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

    def stderr_bytes(self):
        """Everything the server wrote to stderr so far, as bytes (what log checks look at)."""
        if self.stderr_file is None:
            return self._stderr_bytes
        self.stderr_file.seek(0)
        return self.stderr_file.read()

    def stderr(self):
        return self.stderr_bytes().decode("utf-8", "replace")

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
        self._stderr_bytes = self.stderr_bytes()
        if self.stderr_file is not None:
            self.stderr_file.close()
            self.stderr_file = None
        text = self.stderr()
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


def start_httpserve_cgi(root, env=None, prefix=()):
    """httpserve --cgi in command-line mode; `prefix` (e.g. setpriv ...) runs before the binary."""
    argv = list(prefix) + [BINARY, "--cgi", "-b", "127.0.0.1", "0", "-d", root]
    return Server(argv, cwd=root, env=env)


def server_env(**extra):
    """The test's environment plus `extra` (e.g. canaries a server must not hand to its scripts)."""
    env = dict(os.environ)
    env.update(extra)
    return env


def run_cli(args, timeout=15.0):
    """Runs httpserve to completion: (returncode, stdout, stderr, seconds). A process that does not
    exit within `timeout` (e.g. it started serving) is killed by its process group and reported."""
    started = time.monotonic()
    p = subprocess.Popen([BINARY] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise AssertionError("httpserve %s did not exit within %.0fs; stdout=%r stderr=%r"
                             % (" ".join(args), timeout, out[:300], err[-2000:]))
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.monotonic() - started


# --------------------------------------------------------------------------------------------------
# Config files for `httpserve -c`

def write_config(directory, text, name="httpserve.toml"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def config_text(port, root, workers=2, top="", files="", sections="", address="127.0.0.1", users=True):
    """A config file: top-level keys, one listener, [files] root plus the `files` lines, then extra
    tables (`sections`). With `users`, user/group are nobody/nogroup so that a root test run can drop
    privileges."""
    return (
        'workers = {workers}\n'
        '{users}'
        '{top}\n'
        '[[listen]]\n'
        'address = "{address}"\n'
        'port = {port}\n'
        '\n'
        '[files]\n'
        'root = "{root}"\n'
        '{files}\n'
        '{sections}\n'
    ).format(workers=workers, users='user = "nobody"\ngroup = "nogroup"\n' if users else "", top=top,
             address=address, port=port, root=root, files=files, sections=sections)


def cgi_sections(cgi="", http=""):
    """The [cgi] table (enabled, plus the given lines) and the [http] table, for config_text."""
    return '[cgi]\nenabled = true\n%s\n[http]\n%s' % (cgi, http)


def start_config_server(confdir, root, name="httpserve.toml", prefix=(), env=None, cwd=None, **config):
    """Writes config_text(free port, root, **config) to confdir/name (0644) and starts
    `httpserve -c FILE` (after `prefix`, e.g. setpriv ...). Returns the Server, whose Serving line
    must name the configured port."""
    port = free_port()
    path = write_config(confdir, config_text(port, root, **config), name=name)
    os.chmod(path, 0o644)
    server = Server(list(prefix) + [BINARY, "-c", path], cwd=cwd, env=env)
    if server.port != port:
        server.stop()
        raise AssertionError("config listener on port %d, Serving line says %s" % (port, server.port))
    return server


def start_cgi_config_server(tree, name, cgi="", http="", top="", files="", prefix=(), run_as_nobody=True, env=None):
    """One worker serving tree.root with [cgi] enabled (plus `cgi` lines), `http` lines and extra
    [files] lines; the config goes to tree.conf (a cgi_scripts.CgiTree)."""
    return start_config_server(tree.conf, tree.root, name=name, prefix=prefix, env=env, cwd=tree.conf,
                               workers=1, top=top, files=files, sections=cgi_sections(cgi, http),
                               users=run_as_nobody)
