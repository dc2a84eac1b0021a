"""The HTTP/1.1 engine over raw sockets: persistence, pipelining, limits, malformed input, timeouts,
body limits and the connection limit.

Run: cd /work/main && python3 -m unittest discover -s tests/integration -t tests/integration \
         -p 'test_http_engine.py' -v
"""
import os
import select
import socket
import tempfile
import time
import unittest

import client
import servers
import trees
from trees import ROOT_A_TXT as A_TXT, ROOT_B_TXT as B_TXT, ROOT_BIG as BIG, ROOT_C_TXT as C_TXT

HOST_HDR = b"Host: 127.0.0.1\r\n"


def get(path, version=b"HTTP/1.1", extra=b""):
    return b"GET " + path + b" " + version + b"\r\n" + HOST_HDR + extra + b"\r\n"


class ServerCase(unittest.TestCase):
    """One httpserve per class, started in setUpClass with `server_args()` and a fresh served folder."""

    @classmethod
    def server_args(cls, root):
        return ["-b", "127.0.0.1", "0", "-d", root]

    @classmethod
    def start_server(cls, root):
        return servers.start_httpserve(cls.server_args(root))

    @classmethod
    def setUpClass(cls):
        cls.root = trees.make_root()
        cls.confdir = None
        cls.server = None
        try:
            cls.server = cls.start_server(cls.root)
        except Exception:
            trees.remove_tree(cls.root)
            raise
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
        trees.remove_tree(cls.root)
        if cls.confdir:
            trees.remove_tree(cls.confdir)

    def conn(self, timeout=5.0):
        s = client.connect(self.port, timeout)
        self.addCleanup(s.close)
        return s

    def assert_served_normally(self):
        """A fresh connection after a bad one: GET /a.txt → 200 with the file."""
        with client.connect(self.port) as s:
            s.sendall(get(b"/a.txt", extra=b"Connection: close\r\n"))
            f = s.makefile("rb")
            status, reason, headers, body, head = client.read_response(f)
        self.assertEqual(status, 200, head)
        self.assertEqual(body, A_TXT)

    def assert_closed_soon(self, sock, timeout=3.0):
        data, closed, _ = client.read_until_close(sock, timeout)
        self.assertTrue(closed, "server did not close the connection within %.0fs" % timeout)
        return data

    def assert_rejected(self, data, status, reason=None, reason_prefix=None):
        """Sends `data` on a new connection: the answer is one error response with a status line,
        `status` (and `reason`), an error page, Connection: close, and the server closes. A fresh
        connection is then served normally."""
        got, closed, reset = client.exchange_bytes(self.port, data)
        self.assertTrue(got, "no answer at all to %r (reset=%s)" % (data[:200], reset))
        self.assertTrue(got.startswith(b"HTTP/1."), "no status line: %r" % got[:300])
        r = client.Parsed(got)
        self.assertEqual(r.status, status, "request %r answered %r" % (data[:200], r.status_line))
        if reason is not None:
            self.assertEqual(r.reason, reason)
        if reason_prefix is not None:
            self.assertTrue(r.reason.startswith(reason_prefix), r.status_line)
        self.assertIn(b"<p>Error code: %d</p>" % status, r.body)
        self.assertEqual(r.headers.get("connection", "").lower(), "close", r.raw[:500])
        self.assertTrue(closed, "connection left open after %d" % status)
        self.assertFalse(reset, "connection reset after %d (response may be lost)" % status)
        self.assertEqual(r.rest, b"", "more than one response: %r" % r.rest[:300])
        self.assert_served_normally()
        return r


# ==================================================================================================
class PersistentConnectionTest(ServerCase):
    """Default protocol HTTP/1.1: keep-alive, pipelining, Connection handling, bodies, 100-continue."""

    def test_keepalive_ten_sequential_requests(self):
        s = self.conn()
        f = s.makefile("rb")
        for i in range(10):
            path, content = [(b"/a.txt", A_TXT), (b"/b.txt", B_TXT)][i % 2]
            s.sendall(get(path))
            status, reason, headers, body, head = client.read_response(f)
            self.assertEqual(status, 200, head)
            self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head)
            self.assertEqual(body, content, "request %d" % i)
            self.assertIn("content-length", headers)
            self.assertNotEqual(headers.get("connection", "").lower(), "close", head)

    def test_pipelining_five_requests_in_one_write(self):
        s = self.conn()
        s.sendall(get(b"/a.txt") + get(b"/b.txt") + get(b"/c.txt")
                  + b"HEAD /a.txt HTTP/1.1\r\n" + HOST_HDR + b"\r\n" + get(b"/b.txt"))
        f = s.makefile("rb")
        expected = [(b"/a.txt", "GET", A_TXT), (b"/b.txt", "GET", B_TXT), (b"/c.txt", "GET", C_TXT),
                    (b"/a.txt", "HEAD", b""), (b"/b.txt", "GET", B_TXT)]
        for i, (path, method, content) in enumerate(expected):
            status, reason, headers, body, head = client.read_response(f, method)
            self.assertEqual(status, 200, "response %d: %r" % (i, head))
            self.assertEqual(body, content, "response %d (%s %s) out of order?" % (i, method, path))
            if method == "HEAD":
                self.assertEqual(headers.get("content-length"), str(len(A_TXT)))
        # Nothing more: the connection is still open and idle.
        r, _, _ = select.select([s], [], [], 0.3)
        self.assertFalse(r, "unexpected extra bytes after the fifth response")

    def test_pipelining_with_large_response_in_between(self):
        # big.bin is larger than the socket buffers: the responses behind it must wait their turn.
        s = self.conn()
        s.sendall(get(b"/a.txt") + get(b"/big.bin") + get(b"/b.txt") + get(b"/big.bin") + get(b"/c.txt"))
        f = s.makefile("rb")
        for i, content in enumerate((A_TXT, BIG, B_TXT, BIG, C_TXT)):
            status, _, _, body, head = client.read_response(f)
            self.assertEqual(status, 200, "response %d: %r" % (i, head))
            self.assertTrue(body == content, "response %d: wrong body (%d bytes)" % (i, len(body)))

    def test_pipelining_100_requests_read_after_sending(self):
        s = self.conn(timeout=10.0)
        paths = [(b"/a.txt", A_TXT), (b"/b.txt", B_TXT), (b"/c.txt", C_TXT), (b"/missing", None)]
        order = [paths[i % 4] for i in range(100)]
        s.sendall(b"".join(get(p) for p, _ in order))
        f = s.makefile("rb")
        for i, (path, content) in enumerate(order):
            status, _, _, body, head = client.read_response(f)
            if content is None:
                self.assertEqual(status, 404, "response %d" % i)
            else:
                self.assertEqual((status, body), (200, content), "response %d (%s)" % (i, path))

    def test_request_arriving_byte_by_byte(self):
        s = self.conn()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in get(b"/a.txt"):
            s.sendall(bytes([b]))
            time.sleep(0.002)
        status, _, _, body, head = client.read_response(s.makefile("rb"))
        self.assertEqual((status, body), (200, A_TXT), head)

    def test_error_404_keeps_connection_open(self):
        # compat.md: 404 etc. keep the connection (only 400/408/413/414/431/501/505 close it).
        s = self.conn()
        f = s.makefile("rb")
        s.sendall(get(b"/no-such-file") + get(b"/a.txt"))
        status, _, headers, body, head = client.read_response(f)
        self.assertEqual(status, 404, head)
        status, _, _, body, head = client.read_response(f)
        self.assertEqual(status, 200, head)
        self.assertEqual(body, A_TXT)

    def test_http10_closes_by_default(self):
        s = self.conn()
        s.sendall(get(b"/a.txt", b"HTTP/1.0"))
        data = self.assert_closed_soon(s)
        r = client.Parsed(data)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, A_TXT)
        self.assertEqual(r.rest, b"")
        self.assertNotEqual(r.headers.get("connection", "").lower(), "keep-alive", r.raw[:400])

    def test_http10_keepalive_stays_open(self):
        s = self.conn()
        f = s.makefile("rb")
        for i in range(3):
            s.sendall(get(b"/a.txt", b"HTTP/1.0", b"Connection: keep-alive\r\n"))
            status, _, headers, body, head = client.read_response(f)
            self.assertEqual(status, 200, head)
            self.assertEqual(body, A_TXT)
            self.assertEqual(headers.get("connection", "").lower(), "keep-alive",
                             "request %d: %r" % (i, head))
            self.assertIn("content-length", headers)

    def test_connection_close_honoured(self):
        s = self.conn()
        s.sendall(get(b"/a.txt", extra=b"Connection: close\r\n") + get(b"/b.txt"))
        data = self.assert_closed_soon(s)
        r = client.Parsed(data)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, A_TXT)
        self.assertEqual(r.rest, b"", "a request after Connection: close was answered")

    def test_connection_close_case_insensitive(self):
        s = self.conn()
        s.sendall(get(b"/a.txt", extra=b"Connection: CLOSE\r\n") + get(b"/b.txt"))
        r = client.Parsed(self.assert_closed_soon(s))
        self.assertEqual((r.status, r.body, r.rest), (200, A_TXT, b""))

    def test_get_body_skipped_then_next_pipelined_request(self):
        s = self.conn()
        s.sendall(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Content-Length: 10\r\n\r\n0123456789"
                  + get(b"/b.txt"))
        f = s.makefile("rb")
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, A_TXT), head)
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, B_TXT), head)

    def test_chunked_get_body_skipped_then_next_request(self):
        s = self.conn()
        s.sendall(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Transfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\n\r\n" + get(b"/c.txt"))
        f = s.makefile("rb")
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, A_TXT), head)
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, C_TXT), head)

    def test_expect_100_continue(self):
        s = self.conn()
        s.sendall(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR
                  + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        f = s.makefile("rb")
        status, reason, _, _, head = client.read_response(f)
        self.assertEqual(status, 100, head)
        self.assertTrue(head.startswith(b"HTTP/1.1 100 Continue\r\n"), head)
        s.sendall(b"hello" + get(b"/b.txt"))
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, A_TXT), head)
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, B_TXT), head)

    def test_expect_100_continue_ignored_for_http10(self):
        # Python sends 100 Continue only when the request is HTTP/1.1 or later.
        s = self.conn()
        s.sendall(b"GET /a.txt HTTP/1.0\r\n" + HOST_HDR
                  + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\nhello")
        data = self.assert_closed_soon(s)
        self.assertFalse(data.startswith(b"HTTP/1.1 100") or data.startswith(b"HTTP/1.0 100"), data[:100])
        r = client.Parsed(data)
        self.assertEqual((r.status, r.body), (200, A_TXT))

    def test_http09_request_gets_body_only_then_close(self):
        data, closed, reset = client.exchange_bytes(self.port, b"GET /a.txt\r\n", timeout=4.0)
        self.assertTrue(closed, "HTTP/0.9 request: connection not closed (server waiting for headers?)")
        self.assertEqual(data, A_TXT)

    def test_percent_00_is_404(self):
        s = self.conn()
        s.sendall(get(b"/%00"))
        status, _, _, _, head = client.read_response(s.makefile("rb"))
        self.assertEqual(status, 404, head)

    def test_date_header_is_imf_fixdate(self):
        s = self.conn()
        f = s.makefile("rb")
        s.sendall(get(b"/a.txt") + get(b"/missing"))
        for expected in (200, 404):
            status, _, headers, _, head = client.read_response(f)
            self.assertEqual(status, expected)
            self.assertIn("date", headers, head)
            ts = client.parse_date(headers["date"])
            self.assertLess(abs(ts - time.time()), 60, headers["date"])
        self.assertRegex(headers.get("server", ""), r"^httpserve/\d")


# ==================================================================================================
class Protocol10Test(ServerCase):
    """`-p HTTP/1.0`: HTTP/1.0 status lines, one response per connection."""

    @classmethod
    def server_args(cls, root):
        return ["-b", "127.0.0.1", "0", "-d", root, "-p", "HTTP/1.0"]

    def check_single_response(self, request):
        s = self.conn()
        s.sendall(request)
        data = self.assert_closed_soon(s)
        self.assertTrue(data.startswith(b"HTTP/1.0 200 "), data[:200])
        r = client.Parsed(data)
        self.assertEqual(r.body, A_TXT)
        self.assertEqual(r.rest, b"", "more than one response on an HTTP/1.0 server")

    def test_http11_request(self):
        self.check_single_response(get(b"/a.txt") + get(b"/b.txt"))

    def test_http11_keepalive_request(self):
        self.check_single_response(get(b"/a.txt", extra=b"Connection: keep-alive\r\n") + get(b"/b.txt"))

    def test_http10_keepalive_request(self):
        self.check_single_response(get(b"/a.txt", b"HTTP/1.0", b"Connection: keep-alive\r\n")
                                   + get(b"/b.txt", b"HTTP/1.0"))

    def test_error_status_line(self):
        got, closed, _ = client.exchange_bytes(self.port, get(b"/missing"))
        self.assertTrue(got.startswith(b"HTTP/1.0 404 File not found\r\n"), got[:200])
        self.assertTrue(closed)


# ==================================================================================================
class LimitsTest(ServerCase):
    """Request-line, header-line and header-count limits (Python's numbers)."""

    def request_line(self, total):
        """A request line of exactly `total` bytes including CRLF."""
        prefix, suffix = b"GET /", b" HTTP/1.1\r\n"
        line = prefix + b"a" * (total - len(prefix) - len(suffix)) + suffix
        self.assertEqual(len(line), total)
        return line

    def header_line(self, total):
        prefix = b"X-Long: "
        line = prefix + b"b" * (total - len(prefix) - 2) + b"\r\n"
        self.assertEqual(len(line), total)
        return line

    def test_request_line_65536_accepted(self):
        got, closed, reset = client.exchange_bytes(self.port, self.request_line(65536) + HOST_HDR
                                        + b"Connection: close\r\n\r\n")
        r = client.Parsed(got)
        self.assertEqual(r.status, 404, r.status_line)

    def test_request_line_65537_is_414(self):
        r = self.assert_rejected(self.request_line(65537) + HOST_HDR + b"\r\n", 414, "URI Too Long")

    def test_header_line_65536_accepted(self):
        got, closed, reset = client.exchange_bytes(self.port, b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR
                                        + self.header_line(65536) + b"Connection: close\r\n\r\n")
        r = client.Parsed(got)
        self.assertEqual(r.status, 200, r.status_line)
        self.assertEqual(r.body, A_TXT)

    def test_header_line_65537_is_431(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + self.header_line(65537) + b"\r\n",
                             431, "Line too long")

    def headers(self, n):
        """`n` header lines in all (Host, Connection: close and fillers)."""
        lines = [HOST_HDR, b"Connection: close\r\n"]
        lines += [b"X-H%d: v\r\n" % i for i in range(n - 2)]
        self.assertEqual(len(lines), n)
        return b"".join(lines)

    def test_99_header_lines_accepted(self):
        got, closed, reset = client.exchange_bytes(self.port, b"GET /a.txt HTTP/1.1\r\n" + self.headers(99) + b"\r\n")
        r = client.Parsed(got)
        self.assertEqual(r.status, 200, r.status_line)

    def test_100_header_lines_is_431(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + self.headers(100) + b"\r\n",
                             431, "Too many headers")

    def test_whole_head_over_1mib_is_431(self):
        # Each line is within its limit, but 20 lines of 60 KB exceed the 1 MiB bound on a whole head.
        lines = b"".join(b"X-Big%d: " % i + b"c" * 60000 + b"\r\n" for i in range(20))
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + lines + b"\r\n",
                             431, "Request header fields too large")

    def test_head_sent_one_byte_at_a_time_is_served(self):
        # A partial head is parsed again only when a line completes; the answer is still right.
        data = b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"X-Pad: " + b"p" * 3000 + b"\r\nConnection: close\r\n\r\n"
        with client.connect(self.port) as s:
            for i in range(0, len(data), 7):
                s.sendall(data[i:i + 7])
            f = s.makefile("rb")
            status, reason, headers, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, A_TXT))


# ==================================================================================================
class BadInputTest(ServerCase):
    """Each malformed request gets its status (with a status line), the connection is closed, and the
    server goes on serving."""

    def test_bad_version(self):
        self.assert_rejected(b"GET / FOO/1.0\r\n\r\n", 400, "Bad request version ('FOO/1.0')")

    def test_http2_version(self):
        self.assert_rejected(b"GET / HTTP/2.0\r\n\r\n", 505, "Invalid HTTP version (2.0)")

    def test_space_in_target(self):
        self.assert_rejected(b"GET /sp ace/ HTTP/1.0\r\n\r\n", 400,
                             "Bad request syntax ('GET /sp ace/ HTTP/1.0')")

    def test_method_not_a_token(self):
        self.assert_rejected(b"G<T / HTTP/1.1\r\n" + HOST_HDR + b"\r\n", 400,
                             reason_prefix="Bad request syntax")

    def test_put_unsupported(self):
        self.assert_rejected(b"PUT /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Content-Length: 0\r\n\r\n",
                             501, "Unsupported method ('PUT')")

    def test_header_without_colon(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"NoColonHere\r\n\r\n", 400)

    def test_obs_fold(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"X-A: b\r\n  c\r\n\r\n", 400)

    def test_bare_cr_in_header(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"X-A: b\rc\r\n\r\n", 400)

    def test_space_before_colon(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"X-A : b\r\n\r\n", 400)

    def test_content_length_and_chunked(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR
                             + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + get(b"/b.txt"), 400)

    def test_two_different_content_lengths(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR
                             + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" + get(b"/b.txt"), 400)

    def test_unknown_transfer_coding(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR
                             + b"Transfer-Encoding: gzip\r\n\r\n", 501)

    def test_invalid_chunk_size(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR
                             + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400)

    def test_content_length_not_a_number(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Content-Length: 5x\r\n\r\nhello", 400)

    def test_negative_content_length(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Content-Length: -1\r\n\r\n", 400)

    def test_chunk_size_overflow(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Transfer-Encoding: chunked\r\n\r\n"
                             + b"1" + b"0" * 20 + b"\r\n", 400)

    def test_nul_in_target(self):
        self.assert_rejected(b"GET /a\x00.txt HTTP/1.1\r\n" + HOST_HDR + b"\r\n", 400)


# ==================================================================================================
class ConfigServerCase(ServerCase):
    WORKERS = 2
    SECTIONS = ""

    @classmethod
    def start_server(cls, root):
        cls.confdir = tempfile.mkdtemp(prefix="httpserve-conf-")
        os.chmod(cls.confdir, 0o755)
        return servers.start_config_server(cls.confdir, root, workers=cls.WORKERS, sections=cls.SECTIONS)


class HeaderTimeoutAndBodyLimitTest(ConfigServerCase):
    SECTIONS = '[http]\nheader_timeout = "1s"\nmax_body = 100\n'

    def check_slow_client(self, first_bytes, within=5.0, at_most=3.5):
        slow = self.conn(timeout=within + 1.0)
        t0 = time.monotonic()
        if first_bytes:
            slow.sendall(first_bytes)
        # Meanwhile another client is served at once.
        time.sleep(0.3)
        t1 = time.monotonic()
        self.assert_served_normally()
        self.assertLess(time.monotonic() - t1, 1.0, "other client not served promptly")
        data, closed, reset = client.read_until_close(slow, within)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "slow client not dropped within %.0f s (header_timeout = 1s)" % within)
        self.assertGreater(elapsed, 0.5, "dropped too early")
        self.assertLess(elapsed, at_most, "dropped only after %.1fs" % elapsed)
        if data:
            r = client.Parsed(data)
            self.assertEqual(r.status, 408, r.status_line)

    def test_client_sends_nothing(self):
        # Not handed to a worker until it speaks (TCP_DEFER_ACCEPT: 5 s of the kernel's SYN-ACK
        # retries, about 7 s), then header_timeout. Meanwhile other clients are served at once.
        self.check_slow_client(b"", within=14.0, at_most=14.0)

    def test_client_sends_half_a_request_line(self):
        self.check_slow_client(b"GET /a.t")

    def test_client_sends_half_the_headers(self):
        self.check_slow_client(b"GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b")

    def test_client_dribbles_the_head(self):
        # header_timeout bounds the whole head, not the pause between bytes.
        slow = self.conn(timeout=6.0)
        slow.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t0 = time.monotonic()
        closed = False
        for b in b"GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"z" * 40:
            if not client.send_quietly(slow, bytes([b])):
                closed = True
                break
            r, _, _ = select.select([slow], [], [], 0.25)
            if r:
                closed = True
                break
            if time.monotonic() - t0 > 5:
                break
        if not closed:
            _, closed, _ = client.read_until_close(slow, 0.5)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "a client sending one byte every 0.25 s kept the connection for %.1fs"
                        % elapsed)
        self.assertLess(elapsed, 3.5)

    def test_chunked_body_over_max_body_is_413(self):
        s = self.conn()
        s.sendall(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Transfer-Encoding: chunked\r\n\r\n"
                  + b"40\r\n" + b"x" * 64 + b"\r\n" + b"40\r\n" + b"y" * 64 + b"\r\n0\r\n\r\n")
        data = self.assert_closed_soon(s)
        r = client.Parsed(data)
        self.assertEqual(r.status, 413, r.status_line)
        self.assertEqual(r.rest, b"")

    def test_post_over_max_body_is_413(self):
        r = self.assert_rejected(b"POST /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Content-Length: 1000\r\n\r\n", 413)

    def test_get_over_max_body_is_413(self):
        self.assert_rejected(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Content-Length: 1000\r\n\r\n", 413)

    def test_get_body_at_max_body_accepted(self):
        s = self.conn()
        s.sendall(b"GET /a.txt HTTP/1.1\r\n" + HOST_HDR + b"Content-Length: 100\r\n\r\n" + b"x" * 100
                  + get(b"/b.txt"))
        f = s.makefile("rb")
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, A_TXT), head)
        status, _, _, body, head = client.read_response(f)
        self.assertEqual((status, body), (200, B_TXT), head)


class KeepaliveTimeoutTest(ConfigServerCase):
    SECTIONS = '[http]\nkeepalive_timeout = "1s"\n'

    def test_idle_keepalive_connection_closed(self):
        s = self.conn(timeout=6.0)
        f = s.makefile("rb")
        s.sendall(get(b"/a.txt"))
        status, _, _, _, head = client.read_response(f)
        self.assertEqual(status, 200, head)
        t0 = time.monotonic()
        data, closed, reset = client.read_until_close(s, 5.0)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "idle keep-alive connection still open after 5 s (keepalive_timeout = 1s)")
        self.assertGreater(elapsed, 0.5, "closed too early")
        self.assertLess(elapsed, 3.5, "closed only after %.1fs" % elapsed)
        self.assertEqual(data, b"", "bytes sent on an idle keep-alive connection")

    def test_active_connection_not_closed(self):
        s = self.conn()
        f = s.makefile("rb")
        for i in range(6):  # 6 × 0.4 s: longer than keepalive_timeout, never idle for that long
            s.sendall(get(b"/a.txt"))
            status, _, _, body, head = client.read_response(f)
            self.assertEqual((status, body), (200, A_TXT), "request %d" % i)
            time.sleep(0.4)


class MaxConnectionsTest(ConfigServerCase):
    WORKERS = 1
    SECTIONS = '[http]\nmax_connections = 2\n'

    def test_third_connection_waits(self):
        first = []
        for i in range(2):
            s = self.conn()
            f = s.makefile("rb")
            s.sendall(get(b"/a.txt"))
            status, _, _, _, head = client.read_response(f)
            self.assertEqual(status, 200, head)
            first.append(s)
        third = self.conn(timeout=5.0)
        third.sendall(get(b"/b.txt", extra=b"Connection: close\r\n"))
        r, _, _ = select.select([third], [], [], 1.0)
        self.assertFalse(r, "third connection served although max_connections = 2")
        first[0].close()
        data, closed, reset = client.read_until_close(third, 3.0)
        self.assertTrue(data, "third connection not served after one of the first two closed")
        resp = client.Parsed(data)
        self.assertEqual((resp.status, resp.body), (200, B_TXT))
        # The remaining first connection still works.
        first[1].sendall(get(b"/c.txt"))
        status, _, _, body, _ = client.read_response(first[1].makefile("rb"))
        self.assertEqual((status, body), (200, C_TXT))

    def test_silent_connections_hold_no_slot(self):
        # Connections that send nothing are not handed to a worker (TCP_DEFER_ACCEPT), so they do not
        # count against max_connections: a client that does send is served at once.
        silent = [self.conn() for _ in range(3)]
        for s in silent:
            self.addCleanup(s.close)
        talker = self.conn(timeout=5.0)
        talker.sendall(get(b"/b.txt", extra=b"Connection: close\r\n"))
        data, closed, reset = client.read_until_close(talker, 3.0)
        resp = client.Parsed(data)
        self.assertEqual((resp.status, resp.body), (200, B_TXT))
        # And a silent one that speaks up later is served too.
        silent[0].sendall(get(b"/c.txt", extra=b"Connection: close\r\n"))
        data, closed, reset = client.read_until_close(silent[0], 3.0)
        resp = client.Parsed(data)
        self.assertEqual((resp.status, resp.body), (200, C_TXT))


if __name__ == "__main__":
    unittest.main()
