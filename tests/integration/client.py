"""A raw HTTP/1.x client for the integration tests: request bytes, connections, exchanges, and reading
or parsing responses (heads, bodies by Content-Length, chunked or close, multipart/byteranges, dates).
Standard library only."""
import email.utils
import re
import select
import socket
import threading
import time

# --------------------------------------------------------------------------------------------------
# Request bytes

def build_request(method, target, headers=(), version="HTTP/1.1", host="127.0.0.1", close=True,
                  body=b""):
    """Raw request bytes. Adds Host (HTTP/1.1) and Connection: close unless given in `headers`.
    `target` may be str (sent as Latin-1) or bytes. `body` is appended as it is (no framing added)."""
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


def build_framed(method, target, headers=(), body=None, version="HTTP/1.1", close=True, host="127.0.0.1"):
    """Raw request bytes (as build_request); a Content-Length is added for a body unless the headers
    frame it."""
    headers = list(headers)
    names = {h.split(":", 1)[0].strip().lower() for h in headers}
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        headers.append("Content-Length: %d" % len(body))
    return build_request(method, target, headers, version, host=host, close=close, body=body or b"")


def chunk_encode(pieces, ext=False):
    out = b""
    for i, p in enumerate(pieces):
        if p:
            out += b"%x%s\r\n" % (len(p), b";ext=%d" % i if ext else b"") + p + b"\r\n"
    return out + b"0\r\n\r\n"


# --------------------------------------------------------------------------------------------------
# Sockets

def connect(port, timeout=5.0, host="127.0.0.1", rcvbuf=None):
    """A connected TCP socket with `timeout`; `rcvbuf` (SO_RCVBUF) is set before connecting."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(timeout)
        s.connect((host, port))
    except BaseException:
        s.close()
        raise
    return s


def send_quietly(sock, data):
    """sendall that tolerates the server closing early (it may answer 414/431 before reading it all)."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


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


# --------------------------------------------------------------------------------------------------
# One exchange per connection

def exchange_bytes(port, data, timeout=5.0):
    """Sends `data` on a new connection and reads until the server closes.
    Returns (data, closed, reset)."""
    with connect(port, timeout) as s:
        send_quietly(s, data)
        return read_until_close(s, timeout)


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


def request(port, method, target, headers=(), body=None, version="HTTP/1.1", host="127.0.0.1",
            timeout=10.0, close=True):
    """One request on a new connection (Connection: close unless `close` is False; a body gets a
    Content-Length unless the headers frame it); the Response, with a chunked body decoded (the bytes
    as sent stay in .wire_body, .chunks_complete tells whether the last chunk arrived)."""
    data = build_framed(method, target, headers, body, version, close=close,
                        host=host if ":" not in host else "[%s]" % host)
    r = exchange(port, data, host=host, timeout=timeout, method=method)
    r.wire_body = r.body
    r.chunks_complete = None
    if method != "HEAD" and (r.header("Transfer-Encoding") or "").lower() == "chunked":
        r.body, r.chunks_complete = dechunk(r.body)
    return r


def fetch(port, path=b"/a.txt", host="127.0.0.1", extra=b"", timeout=5.0):
    """GET `path` on a new connection (Host: x, Connection: close, then the `extra` header lines):
    (status, body)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra + b"\r\n")
        status, _, _, body, _ = read_response(s.makefile("rb"))
    return status, body


class Parsed:
    """One response parsed strictly out of bytes already received (a complete CRLF head is required;
    body by Content-Length; what follows stays in .rest)."""

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


# --------------------------------------------------------------------------------------------------
# Reading responses from a socket file (sock.makefile("rb"), made once per socket: it buffers, so
# pipelined responses stay readable)

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
    """Reads exactly one HTTP/1.x response from `f`. Framing: Content-Length, chunked, or close.
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


def iter_body(f, headers, method="GET", piece=1 << 17):
    """Yields the body of a response whose head was read (headers as read_head gives them) in pieces
    of at most `piece` bytes: Content-Length, chunked, or until close."""
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


class Conn:
    """A persistent connection: send requests, read one response at a time with read_response."""

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
        return read_response(self.f, method)

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


# --------------------------------------------------------------------------------------------------
# Header values and bodies

IMF_FIXDATE_RE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$")


def http_date(t):
    return email.utils.formatdate(t, usegmt=True)


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
