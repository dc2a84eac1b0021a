"""Helpers for test_differential.py and test_static.py: raw exchanges, response parsing, configs,
multipart/byteranges. Standard library only."""
import os
import re
import socket
import time

import harness


class Response:
    """One parsed HTTP/1.x response (or a bare HTTP/0.9-style body when there is no status line)."""

    def __init__(self, raw, method="GET", closed=True):
        self.raw = raw
        self.closed = closed          # the server closed the connection (as opposed to our timeout)
        self.version = None
        self.status = None
        self.reason = None
        self.headers = []             # [(name as sent, value)]
        self.body = raw
        self.head = b""
        if not raw.startswith(b"HTTP/"):
            return
        end = raw.find(b"\r\n\r\n")
        sep = 4
        if end < 0:
            end, sep = raw.find(b"\n\n"), 2
        if end < 0:
            end, sep = len(raw), 0
        self.head = raw[:end]
        self.body = raw[end + sep:]
        lines = self.head.decode("latin-1").split("\n")
        parts = lines[0].rstrip("\r").split(" ", 2)
        self.version = parts[0]
        self.status = int(parts[1])
        self.reason = parts[2] if len(parts) > 2 else ""
        for line in lines[1:]:
            line = line.rstrip("\r")
            name, _, value = line.partition(":")
            self.headers.append((name, value.strip()))

    @property
    def has_status_line(self):
        return self.status is not None

    def header(self, name, default=None):
        """First value of a header, name compared case-insensitively."""
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return default

    def header_names(self):
        return [n for n, _ in self.headers]

    def __repr__(self):
        head = self.head[:400].decode("latin-1") if self.head else "(no status line)"
        return "<Response %s; body %d bytes: %r>" % (head.replace("\r\n", " | "), len(self.body),
                                                     self.body[:120])


def exchange(port, data, host="127.0.0.1", timeout=5.0, method="GET", pause=None):
    """Sends `data` (bytes, or a list of byte strings sent `pause` seconds apart), reads until the server
    closes or `timeout` passes, and returns a Response. A reset after the answer (the server closed
    with unread bytes) is not an error: what arrived before it is kept."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    chunks = []
    closed = False
    try:
        s.connect((host, port))
        for i, piece in enumerate([data] if isinstance(data, bytes) else data):
            if i and pause:
                time.sleep(pause)
            try:
                s.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                c = s.recv(1 << 20)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not c:
                closed = True
                break
            chunks.append(c)
    finally:
        s.close()
    return Response(b"".join(chunks), method, closed)


def build_request(method, target, headers=(), version="HTTP/1.1", host="127.0.0.1", close=True,
                  body=b""):
    """Raw request bytes. Adds Host (HTTP/1.1) and Connection: close unless given in `headers`.
    `target` may be str (sent as Latin-1) or bytes."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    names = {h.split(":", 1)[0].strip().lower() for h in headers}
    lines = [method.encode("latin-1") + b" " + target + b" " + version.encode("latin-1")]
    if version == "HTTP/1.1" and "host" not in names:
        lines.append(b"Host: " + host.encode())
    if close and "connection" not in names:
        lines.append(b"Connection: close")
    for h in headers:
        lines.append(h.encode("latin-1") if isinstance(h, str) else h)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def request(port, method, target, headers=(), version="HTTP/1.1", host="127.0.0.1", timeout=5.0,
            **kw):
    data = build_request(method, target, headers, version, host=host if ":" not in host else "[%s]" % host,
                         **kw)
    return exchange(port, data, host=host, timeout=timeout, method=method)


class Conn:
    """A persistent connection: send requests, read one response at a time with harness.read_response."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.f = self.sock.makefile("rb")
        self.host = host

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, target, headers=(), version="HTTP/1.1"):
        self.send(build_request(method, target, headers, version, close=False))
        return self.read(method)

    def read(self, method="GET"):
        """(status, reason, headers_lowercase, body, raw_head)."""
        return harness.read_response(self.f, method)

    def at_eof(self, timeout=2.0):
        """True when the server has closed its side (and sent nothing more)."""
        self.sock.settimeout(timeout)
        try:
            return self.f.read(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def close(self):
        try:
            self.f.close()
        finally:
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def config_text(port, root, files="", top="", address="127.0.0.1", extra=""):
    """A config for `httpserve -c`: one listener, [files] root plus the given [files] lines.
    Workers run as nobody/nogroup when the tests run as root."""
    return (
        'workers = 1\n'
        'user = "nobody"\n'
        'group = "nogroup"\n'
        '%s\n'
        '[[listen]]\n'
        'address = "%s"\n'
        'port = %d\n'
        '\n'
        '[files]\n'
        'root = "%s"\n'
        '%s\n'
        '%s\n' % (top, address, port, root, files, extra))


def start_config_server(workdir, root, files="", top="", extra=""):
    """Writes a config into `workdir` and starts `httpserve -c FILE`. Returns the harness.Server."""
    port = harness.free_port()
    path = harness.write_config(workdir, config_text(port, root, files, top, extra=extra))
    server = harness.start_httpserve(["-c", path])
    if server.port != port:
        server.stop()
        raise AssertionError("config listener on port %d, Serving line says %s" % (port, server.port))
    return server


CONTENT_RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def parse_content_range(value):
    """'bytes 0-99/1234' -> (0, 99, 1234); anything else -> None."""
    m = CONTENT_RANGE_RE.match(value or "")
    return tuple(int(g) for g in m.groups()) if m else None


def parse_byteranges(content_type, body):
    """Parses a multipart/byteranges body strictly (RFC 9110 §14.6, RFC 2046 §5.1.1) and returns
    [(headers_lowercase, (first, last, size), data)]. Part lengths come from each Content-Range, so
    random bytes in the data cannot confuse the parser. Raises ValueError on any framing error."""
    m = re.match(r'^multipart/byteranges\s*;\s*boundary=("?)([^";]+)\1\s*$', content_type or "", re.I)
    if not m:
        raise ValueError("not multipart/byteranges with a boundary: %r" % content_type)
    delim = b"--" + m.group(2).encode("latin-1")
    pos = 0
    # A preamble is allowed; the first delimiter is at the start or after CRLF.
    if body.startswith(delim):
        pos = 0
    else:
        i = body.find(b"\r\n" + delim)
        if i < 0:
            raise ValueError("no first delimiter")
        pos = i + 2
    parts = []
    while True:
        if not body.startswith(delim, pos):
            raise ValueError("expected delimiter at %d: %r" % (pos, body[pos:pos + 40]))
        pos += len(delim)
        if body.startswith(b"--", pos):
            break   # close delimiter; an epilogue may follow
        if not body.startswith(b"\r\n", pos):
            raise ValueError("no CRLF after delimiter at %d" % pos)
        pos += 2
        end = body.find(b"\r\n\r\n", pos)
        if end < 0:
            raise ValueError("part headers do not end")
        headers = {}
        for line in body[pos:end].decode("latin-1").split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise ValueError("bad part header line %r" % line)
            headers[name.strip().lower()] = value.strip()
        pos = end + 4
        cr = parse_content_range(headers.get("content-range"))
        if not cr:
            raise ValueError("part without a valid Content-Range: %r" % headers)
        n = cr[1] - cr[0] + 1
        data = body[pos:pos + n]
        if len(data) != n:
            raise ValueError("part data truncated")
        pos += n
        if not body.startswith(b"\r\n", pos):
            raise ValueError("no CRLF after part data at %d" % pos)
        pos += 2
        parts.append((headers, cr, data))
    return parts


def http_date(t):
    import email.utils
    return email.utils.formatdate(t, usegmt=True)


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def free_dual_port():
    """A port free on both 127.0.0.1 and ::1 a moment ago."""
    for _ in range(50):
        port = harness.free_port()
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                s.bind(("::", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on both families")


def binary_exists():
    return os.access(harness.BINARY, os.X_OK)
