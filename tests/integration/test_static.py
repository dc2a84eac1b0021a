"""httpserve alone, static files: Range, conditional requests, HEAD, big downloads (http.client, curl,
resumed curl), connection handling per status, traversal attempts, the [files] policies of the config
file, IPv6 and dual stack.

Run: cd tests/integration && python3 -m unittest test_static -v
  or: python3 -m unittest discover -s tests/integration -t tests/integration -p 'test_*.py'
"""
import hashlib
import http.client
import os
import shutil
import struct
import subprocess
import time
import unittest

import client
import procs
import servers
import trees

A = trees.A_TXT
SIZE_1M = trees.SIZE_1M
SIZE_64M = trees.SIZE_64M
CURL = shutil.which("curl")


class _OneServer(unittest.TestCase):
    """httpserve -b 127.0.0.1 0 -d ROOT, once per class."""
    maxDiff = 2000
    extra_args = []

    @classmethod
    def setUpClass(cls):
        cls.fx = trees.get()
        cls.hs = servers.start_httpserve(["-b", "127.0.0.1", "0", "-d", cls.fx.root] + cls.extra_args,
                                         cwd=cls.fx.work)
        cls.addClassCleanup(cls.hs.stop)
        cls.port = cls.hs.port
        cls.big1m = cls.fx.data("big1m.bin")

    def get(self, target, headers=(), method="GET", **kw):
        return client.request(self.port, method, target, headers, **kw)

    def assertStillServing(self, msg=""):
        r = self.get("/a.txt")
        self.assertEqual((r.status, r.body), (200, A), "server no longer serves /a.txt " + msg)

    def etag(self, target="/a.txt"):
        e = self.get(target, method="HEAD").header("ETag")
        self.assertIsNotNone(e, "no ETag on %s" % target)
        return e


class HeadersTest(_OneServer):
    def test_file_200_headers(self):
        r = self.get("/a.txt")
        self.assertEqual((r.version, r.status, r.reason), ("HTTP/1.1", 200, "OK"))
        self.assertRegex(r.header("Server", ""), r"^httpserve/\S+$")
        self.assertEqual(r.header("Content-Type"), "text/plain")
        self.assertEqual(r.header("Content-Length"), str(len(A)))
        self.assertEqual(r.header("Last-Modified"), trees.A_TXT_LAST_MODIFIED)
        self.assertRegex(r.header("ETag", ""), r'^"[\x21\x23-\x7e]+"$', "strong ETag, RFC 9110 §8.8.3")
        self.assertEqual(r.header("Accept-Ranges"), "bytes")
        self.assertIsNotNone(r.header("Date"))
        for name in ("Content-Type", "Content-Length", "Last-Modified", "ETag", "Accept-Ranges"):
            self.assertIn(name, r.header_names(), "canonical header name %s" % name)
        self.assertEqual(r.body, A)

    def test_date_header(self):
        for r in (self.get("/a.txt"), self.get("/missing"), self.get("/sub"), self.get("/sub/")):
            self.assertRegex(r.header("Date", ""), r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d "
                             r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")
            self.assertRegex(r.header("Server", ""), r"^httpserve/\S+$")

    def test_expect_100_continue(self):
        with client.Conn(self.port) as c:
            c.send(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n")
            st, _, _, body, _ = c.read()
            if st == 100:
                st, _, _, body, _ = c.read()
            self.assertEqual((st, body), (200, A))
            st, _, _, body, _ = c.request("GET", "/B.TXT")
            self.assertEqual(st, 200)

    def test_etag_stable_and_distinct(self):
        self.assertEqual(self.etag("/a.txt"), self.etag("/a.txt"))
        self.assertEqual(self.etag("/a.txt"), self.get("/a.txt").header("ETag"), "GET and HEAD agree")
        self.assertNotEqual(self.etag("/a.txt"), self.etag("/big1m.bin"))
        self.assertNotEqual(self.etag("/a.txt"), self.etag("/B.TXT"))

    def test_listing_and_error_content_types(self):
        r = self.get("/sub/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(r.header("Content-Length"), str(len(r.body)))
        r = self.get("/missing")
        self.assertEqual((r.status, r.reason), (404, "File not found"))
        self.assertEqual(r.header("Content-Type"), "text/html;charset=utf-8")
        self.assertIn(b"<p>Error code: 404</p>", r.body)
        self.assertIn(b"<p>Message: File not found.</p>", r.body)

    def test_head_has_headers_and_no_body(self):
        get = self.get("/big1m.bin", method="GET")
        with client.Conn(self.port) as c:
            st, _, h, body, _ = c.request("HEAD", "/big1m.bin")
            self.assertEqual(st, 200)
            self.assertEqual(h.get("content-length"), str(SIZE_1M))
            self.assertEqual(h.get("content-type"), "application/octet-stream")
            self.assertEqual(h.get("etag"), get.header("ETag"))
            self.assertEqual(h.get("last-modified"), get.header("Last-Modified"))
            self.assertEqual(h.get("accept-ranges"), "bytes")
            # No body: the next response on the same connection must parse.
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A), "HEAD sent a body?")
            st, _, h, _, _ = c.request("HEAD", "/sub/")
            self.assertEqual(h.get("content-length"), get_len(self.get("/sub/")))
            st, _, h, _, _ = c.request("HEAD", "/missing")
            self.assertEqual(st, 404)
            self.assertEqual(h.get("content-length"), get_len(self.get("/missing")))
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A))

    def test_protocol_default_is_http11(self):
        r = self.get("/a.txt", version="HTTP/1.0")
        self.assertEqual(r.version, "HTTP/1.1")
        self.assertTrue(r.closed, "HTTP/1.0 request without keep-alive: close")


def get_len(resp):
    return str(len(resp.body))


class RangeTest(_OneServer):
    def check_206(self, spec, first, last, target="/big1m.bin", data=None):
        data = self.big1m if data is None else data
        r = self.get(target, ["Range: " + spec])
        self.assertEqual(r.status, 206, "%s: %r" % (spec, r))
        self.assertEqual(r.reason, "Partial Content")
        self.assertEqual(r.header("Content-Range"), "bytes %d-%d/%d" % (first, last, len(data)))
        self.assertEqual(r.header("Content-Length"), str(last - first + 1))
        self.assertEqual(r.body, data[first:last + 1])
        self.assertIsNotNone(r.header("ETag"))
        self.assertIsNotNone(r.header("Last-Modified"))
        self.assertEqual(r.header("Content-Type"), "application/octet-stream" if target == "/big1m.bin"
                         else r.header("Content-Type"))
        return r

    def test_first_100_bytes(self):
        self.check_206("bytes=0-99", 0, 99)

    def test_middle(self):
        self.check_206("bytes=1000-1999", 1000, 1999)

    def test_single_byte(self):
        self.check_206("bytes=5-5", 5, 5)

    def test_suffix(self):
        self.check_206("bytes=-500", SIZE_1M - 500, SIZE_1M - 1)

    def test_suffix_longer_than_file(self):
        self.check_206("bytes=-100", 0, len(A) - 1, target="/a.txt", data=A)

    def test_open_ended(self):
        self.check_206("bytes=1048000-", 1048000, SIZE_1M - 1)

    def test_last_beyond_end_is_clamped(self):
        self.check_206("bytes=1048500-9999999", 1048500, SIZE_1M - 1)

    def test_whole_file_as_range(self):
        self.check_206("bytes=0-", 0, SIZE_1M - 1)

    def test_spaces_around(self):
        self.check_206("bytes=0-9 ", 0, 9)

    def test_in_the_middle_of_64m(self):
        r = self.get("/big64m.bin", ["Range: bytes=33554432-33554531"])
        self.assertEqual(r.status, 206)
        with open(self.fx.big64m, "rb") as f:
            f.seek(33554432)
            self.assertEqual(r.body, f.read(100))

    def check_multipart(self, spec, expected):
        r = self.get("/big1m.bin", ["Range: " + spec])
        self.assertEqual(r.status, 206, r)
        ctype = r.header("Content-Type", "")
        self.assertRegex(ctype, r"^multipart/byteranges; ?boundary=", "RFC 9110 §14.6")
        self.assertIsNone(r.header("Content-Range"), "no Content-Range on a multipart answer")
        self.assertEqual(r.header("Content-Length"), str(len(r.body)))
        parts = client.parse_byteranges(ctype, r.body)
        self.assertEqual([p[1] for p in parts], [(a, b, SIZE_1M) for a, b in expected])
        for headers, (a, b, _), data in parts:
            self.assertEqual(headers.get("content-type"), "application/octet-stream")
            self.assertEqual(data, self.big1m[a:b + 1], "part %d-%d" % (a, b))
        return r

    def test_two_ranges_multipart(self):
        self.check_multipart("bytes=0-9,1000-1099", [(0, 9), (1000, 1099)])

    def test_multipart_with_suffix_and_open_ended(self):
        self.check_multipart("bytes=0-0,-1", [(0, 0), (SIZE_1M - 1, SIZE_1M - 1)])
        self.check_multipart("bytes=10-19, 1048570-", [(10, 19), (1048570, SIZE_1M - 1)])

    def test_multipart_in_request_order(self):
        # RFC 9110 §14.6: the server SHOULD send the parts in the order the ranges were requested.
        self.check_multipart("bytes=500000-500099,0-99", [(500000, 500099), (0, 99)])

    def test_partly_unsatisfiable(self):
        r = self.get("/big1m.bin", ["Range: bytes=0-9,2000000-"])
        self.assertEqual(r.status, 206, "satisfiable when any range is (RFC 9110 §14.1.1)")
        if r.header("Content-Range"):
            self.assertEqual(r.header("Content-Range"), "bytes 0-9/%d" % SIZE_1M)
            self.assertEqual(r.body, self.big1m[:10])
        else:
            parts = client.parse_byteranges(r.header("Content-Type"), r.body)
            self.assertEqual([(p[1], p[2]) for p in parts], [((0, 9, SIZE_1M), self.big1m[:10])])

    def test_many_small_ranges_are_not_amplified(self):
        spec = "bytes=" + ",".join("%d-%d" % (i, i) for i in range(0, 4000, 2))
        r = self.get("/big1m.bin", ["Range: " + spec])
        self.assertIn(r.status, (200, 206, 416), r)
        self.assertLessEqual(len(r.body), SIZE_1M + 64 * 1024, "2000 one-byte ranges must not be "
                             "answered with 2000 parts of headers")
        if r.status == 200:
            self.assertEqual(r.body, self.big1m)

    def test_overlapping_ranges(self):
        # Coalescing is allowed (RFC 9110 §14.2); either way the bytes must be right.
        r = self.get("/big1m.bin", ["Range: bytes=0-99,50-149"])
        self.assertEqual(r.status, 206)
        if r.header("Content-Range"):
            self.assertEqual(r.header("Content-Range"), "bytes 0-149/%d" % SIZE_1M)
            self.assertEqual(r.body, self.big1m[:150])
        else:
            for _, (a, b, _), data in client.parse_byteranges(r.header("Content-Type"), r.body):
                self.assertEqual(data, self.big1m[a:b + 1])

    def test_multipart_keeps_connection_framed(self):
        with client.Conn(self.port) as c:
            st, _, h, body, _ = c.request("GET", "/big1m.bin", ["Range: bytes=0-9,20-29"])
            self.assertEqual(st, 206)
            self.assertEqual(len(body), int(h["content-length"]))
            st, _, _, body, _ = c.request("GET", "/a.txt", ["Range: bytes=1-2"])
            self.assertEqual((st, body), (206, A[1:3]))
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A))

    def check_416(self, spec, target="/big1m.bin", size=SIZE_1M):
        with client.Conn(self.port) as c:
            st, reason, h, body, _ = c.request("GET", target, ["Range: " + spec])
            self.assertEqual(st, 416, spec)
            self.assertEqual(h.get("content-range"), "bytes */%d" % size)
            self.assertNotEqual(h.get("connection", "").lower(), "close", "416 keeps the connection")
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A))

    def test_unsatisfiable_at_end(self):
        self.check_416("bytes=%d-" % SIZE_1M)

    def test_unsatisfiable_far(self):
        self.check_416("bytes=2000000-3000000")

    def test_unsatisfiable_all_ranges(self):
        self.check_416("bytes=2000000-,3000000-3000001")

    def test_unsatisfiable_small_file(self):
        self.check_416("bytes=6-", target="/a.txt", size=len(A))

    def test_suffix_zero_unsatisfiable(self):
        self.check_416("bytes=-0", target="/a.txt", size=len(A))

    def test_empty_file(self):
        r = self.get("/empty.txt", ["Range: bytes=0-"])
        self.assertIn(r.status, (200, 416), r)
        if r.status == 416:
            self.assertEqual(r.header("Content-Range"), "bytes */0")

    def test_bad_syntax_is_ignored(self):
        for spec in ["bytes=abc", "bytes=5-1", "items=0-5", "bytes=", "bytes 0-5", "bytes=--5",
                     "bytes=0-5-", "bytes=1.5-2", "bytes=-", "bytes=0x10-0x20", "bytes=,",
                     "bytes=99999999999999999999999-"]:
            with self.subTest(spec=spec):
                r = self.get("/a.txt", ["Range: " + spec])
                self.assertEqual((r.status, r.body), (200, A), "%s: %r" % (spec, r))
                self.assertIsNone(r.header("Content-Range"))

    def test_empty_list_elements(self):
        # RFC 9110 §5.6.1: a recipient MUST parse and ignore a reasonable number of empty list elements.
        for spec in ("bytes=0-1,,", "bytes=,0-1", "bytes=0-1, ,"):
            with self.subTest(spec=spec):
                r = self.get("/a.txt", ["Range: " + spec])
                self.assertEqual((r.status, r.body), (206, A[:2]))

    def test_unit_case_insensitive(self):
        r = self.get("/a.txt", ["Range: Bytes=0-1"])
        self.assertEqual((r.status, r.body), (206, A[:2]))

    def test_range_on_listing_or_error_is_not_ranged(self):
        r = self.get("/missing", ["Range: bytes=0-1"])
        self.assertEqual(r.status, 404)
        r = self.get("/sub", ["Range: bytes=0-1"])
        self.assertEqual(r.status, 301)

    def test_head_ignores_range(self):
        # RFC 9110 §14.2: Range is defined for GET only; a server MUST ignore it for other methods.
        r = self.get("/big1m.bin", ["Range: bytes=0-99"], method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Length"), str(SIZE_1M))
        self.assertIsNone(r.header("Content-Range"))
        self.assertEqual(r.body, b"")

    def test_if_range_current_etag(self):
        r = self.get("/big1m.bin", ["Range: bytes=0-99", "If-Range: " + self.etag("/big1m.bin")])
        self.assertEqual((r.status, r.body), (206, self.big1m[:100]))

    def test_if_range_stale_etag(self):
        r = self.get("/a.txt", ["Range: bytes=0-1", 'If-Range: "stale"'])
        self.assertEqual((r.status, r.body), (200, A))
        self.assertIsNone(r.header("Content-Range"))

    def test_if_range_weak_etag_never_matches(self):
        r = self.get("/a.txt", ["Range: bytes=0-1", "If-Range: W/" + self.etag()])
        self.assertEqual((r.status, r.body), (200, A), "RFC 9110 §13.1.5: strong comparison")

    def test_if_range_last_modified(self):
        r = self.get("/a.txt", ["Range: bytes=0-1", "If-Range: " + trees.A_TXT_LAST_MODIFIED])
        self.assertEqual((r.status, r.body), (206, A[:2]))
        r = self.get("/a.txt", ["Range: bytes=0-1", "If-Range: " + client.http_date(trees.A_TXT_MTIME - 60)])
        self.assertEqual((r.status, r.body), (200, A))


class ConditionalTest(_OneServer):
    def check_304(self, headers, target="/a.txt", method="GET"):
        with client.Conn(self.port) as c:
            st, _, h, body, raw = c.request(method, target, headers)
            self.assertEqual(st, 304, "%s %r" % (headers, raw))
            self.assertNotIn("content-type", h)
            self.assertNotEqual(h.get("connection", "").lower(), "close", "304 keeps the connection")
            self.assertEqual(h.get("etag"), self.etag(target), "a 304 carries the ETag (RFC 9110 §15.4.5)")
            # A body after the 304 would break the next response.
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A))

    def test_if_none_match_current(self):
        self.check_304(["If-None-Match: " + self.etag()])

    def test_if_none_match_head(self):
        self.check_304(["If-None-Match: " + self.etag()], method="HEAD")

    def test_if_none_match_star(self):
        self.check_304(["If-None-Match: *"])

    def test_if_none_match_list(self):
        self.check_304(['If-None-Match: "x", %s, "y"' % self.etag()])

    def test_if_none_match_weak(self):
        self.check_304(["If-None-Match: W/" + self.etag()])

    def test_if_none_match_other(self):
        r = self.get("/a.txt", ['If-None-Match: "other"'])
        self.assertEqual((r.status, r.body), (200, A))

    def test_if_none_match_ignores_if_modified_since(self):
        r = self.get("/a.txt", ['If-None-Match: "other"', "If-Modified-Since: " + trees.A_TXT_LAST_MODIFIED])
        self.assertEqual(r.status, 200, "RFC 9110 §13.1.3 and Python: IMS ignored with If-None-Match")

    def test_if_modified_since_equal(self):
        self.check_304(["If-Modified-Since: " + trees.A_TXT_LAST_MODIFIED])

    def check_412(self, headers):
        with client.Conn(self.port) as c:
            st, _, h, _, raw = c.request("GET", "/a.txt", headers)
            self.assertEqual(st, 412, "%s %r" % (headers, raw))
            self.assertNotEqual(h.get("connection", "").lower(), "close", "412 keeps the connection")
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A))

    def test_if_match_mismatch(self):
        self.check_412(['If-Match: "nope"'])

    def test_if_match_weak_never_matches(self):
        self.check_412(["If-Match: W/" + self.etag()])

    def test_if_match_current(self):
        for value in (self.etag(), "*", '"x", ' + self.etag()):
            r = self.get("/a.txt", ["If-Match: " + value])
            self.assertEqual((r.status, r.body), (200, A), value)

    def test_if_unmodified_since_past(self):
        self.check_412(["If-Unmodified-Since: " + client.http_date(trees.A_TXT_MTIME - 86400)])

    def test_if_unmodified_since_future_or_equal(self):
        for t in (trees.A_TXT_MTIME + 86400, int(trees.A_TXT_MTIME)):
            r = self.get("/a.txt", ["If-Unmodified-Since: " + client.http_date(t)])
            self.assertEqual((r.status, r.body), (200, A))

    def test_if_match_beats_if_unmodified_since(self):
        r = self.get("/a.txt", ["If-Match: " + self.etag(),
                                "If-Unmodified-Since: " + client.http_date(trees.A_TXT_MTIME - 86400)])
        self.assertEqual(r.status, 200, "RFC 9110 §13.2.2: If-Unmodified-Since ignored with If-Match")

    def test_if_none_match_on_range(self):
        r = self.get("/a.txt", ["If-None-Match: " + self.etag(), "Range: bytes=0-1"])
        self.assertEqual(r.status, 304)


class ConnectionRulesTest(_OneServer):
    """404/304/412/416/301 keep an HTTP/1.1 connection; 400/414/431/501/505 send Connection: close
    and close."""

    def check_kept(self, target, headers, status):
        with client.Conn(self.port) as c:
            st, _, h, _, _ = c.request("GET", target, headers)
            self.assertEqual(st, status)
            self.assertNotEqual(h.get("connection", "").lower(), "close")
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A))

    def test_kept_404(self):
        self.check_kept("/missing", [], 404)

    def test_kept_301(self):
        self.check_kept("/sub", [], 301)

    def test_kept_304(self):
        self.check_kept("/a.txt", ["If-Modified-Since: " + trees.A_TXT_LAST_MODIFIED], 304)

    def test_kept_412(self):
        self.check_kept("/a.txt", ['If-Match: "no"'], 412)

    def test_kept_416(self):
        self.check_kept("/a.txt", ["Range: bytes=100-"], 416)

    def check_closed(self, data, status):
        with client.Conn(self.port) as c:
            c.send(data)
            st, _, h, body, _ = c.read()
            self.assertEqual(st, status, body[:300])
            self.assertEqual(h.get("connection", "").lower(), "close")
            self.assertTrue(c.at_eof(), "connection closed after %d" % status)
        self.assertStillServing()

    def test_closed_400(self):
        self.check_closed(b"GET /sp ace/ HTTP/1.1\r\nHost: x\r\n\r\n", 400)

    def test_closed_414(self):
        pad = 65537 - len("GET /a.txt?") - len(" HTTP/1.1\r\n")
        self.check_closed(b"GET /a.txt?" + b"x" * pad + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414)

    def test_closed_431_long_line(self):
        self.check_closed(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 65530 + b"\r\n\r\n", 431)

    def test_closed_431_many_lines(self):
        self.check_closed(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n"
                          + b"".join(b"X-H%d: v\r\n" % i for i in range(99)) + b"\r\n", 431)

    def test_closed_501(self):
        self.check_closed(b"PUT /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 501)

    def test_closed_505(self):
        self.check_closed(b"GET /a.txt HTTP/2.0\r\nHost: x\r\n\r\n", 505)

    def test_many_requests_on_one_connection(self):
        with client.Conn(self.port) as c:
            for i in range(200):
                st, _, _, body, _ = c.request("GET", "/a.txt" if i % 2 else "/sub/d.txt")
                self.assertEqual((st, body), (200, A if i % 2 else b"d\n"), i)

    def test_pipelining_50(self):
        targets = ["/a.txt", "/missing", "/sub", "/B.TXT", "/sub/"] * 10
        with client.Conn(self.port) as c:
            c.send(b"".join(client.build_request("GET", t, close=False) for t in targets))
            statuses = [c.read()[0] for _ in targets]
        self.assertEqual(statuses, [200, 404, 301, 200, 200] * 10)

    def test_request_byte_by_byte(self):
        data = b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        r = client.exchange(self.port, [data[i:i + 1] for i in range(len(data))], pause=0.005)
        self.assertEqual((r.status, r.body), (200, A))

    def test_client_half_close(self):
        import socket
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
        r = client.Response(data)
        self.assertEqual((r.status, r.body), (200, A), "answer a request whose client half-closed")

    def test_http10_keep_alive(self):
        # Either one request per connection, or a persistent one that says so (RFC 9112 §9.3 / 1.0).
        with client.Conn(self.port) as c:
            st, _, h, body, _ = c.request("GET", "/a.txt", ["Connection: keep-alive"], version="HTTP/1.0")
            self.assertEqual((st, body), (200, A))
            if h.get("connection", "").lower() == "keep-alive":
                st, _, _, body, _ = c.request("GET", "/B.TXT", ["Connection: keep-alive"], version="HTTP/1.0")
                self.assertEqual(st, 200)
            else:
                self.assertTrue(c.at_eof(), "HTTP/1.0 answer without Connection: keep-alive must close")

    def test_pipelined_then_error(self):
        with client.Conn(self.port) as c:
            c.send(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                   b"PUT /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                   b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(c.read()[0], 200)
            self.assertEqual(c.read()[0], 404)
            self.assertEqual(c.read()[0], 501)
            self.assertTrue(c.at_eof(), "nothing after the 501")


class ConcurrencyTest(_OneServer):
    def test_parallel_downloads(self):
        import concurrent.futures
        def fetch(i):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request("GET", "/big1m.bin" if i % 2 else "/a.txt")
                r = conn.getresponse()
                return r.status, r.read()
            finally:
                conn.close()
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            results = list(pool.map(fetch, range(64)))
        for i, (st, body) in enumerate(results):
            self.assertEqual(st, 200)
            self.assertTrue(body == (self.big1m if i % 2 else A), "download %d corrupt" % i)

    def test_clients_that_go_away_mid_download(self):
        import socket
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            s.sendall(b"GET /big64m.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            got = 0
            while got < (1 << 20):
                got += len(s.recv(65536))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()   # RST
        self.assertStillServing("after clients reset mid-download")


class TraversalTest(_OneServer):
    TARGETS = [
        b"/../../../../etc/passwd",
        b"/%2e%2e/%2e%2e/etc/passwd",
        b"/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        b"/..%2f..%2fetc%2fpasswd",
        b"/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        b"/....//....//etc/passwd",
        b"/%c0%ae%c0%ae/etc/passwd",
        b"/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        b"/%252e%252e/%252e%252e/etc/passwd",
        b"/a/..%00/",
        b"/%00",
        b"/etc/passwd%00.txt",
        b"http://127.0.0.1/../../etc/passwd",
        b"http://127.0.0.1/%2e%2e/%2e%2e/etc/passwd",
        b"/..\\..\\etc\\passwd",
        b"/%5c..%5c..%5cetc%5cpasswd",
        b"/../outside/secret.txt",
        b"/%2e%2e/outside/secret.txt",
        b"/sub/../../outside/secret.txt",
        b"//../outside/secret.txt",
        b"/./.././../etc/passwd",
        b"/.%2e/.%2e/etc/passwd",
        b"/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd",
        b"/..;/..;/etc/passwd",
        b"/link-to-sub/../../outside/secret.txt",
        b"/link-to-sub/%2e%2e/%2e%2e/outside/secret.txt",
        b"/\xc0\xae\xc0\xae/etc/passwd",
        b"*",
        b"etc/passwd",
        b"../../etc/passwd",
    ]

    def test_no_traversal(self):
        for target in self.TARGETS:
            for method in ("GET", "HEAD"):
                with self.subTest(target=target, method=method):
                    r = client.exchange(self.port, client.build_request(method, target), method=method)
                    self.assertTrue(r.has_status_line, "no answer to %r: %r" % (target, r))
                    self.assertNotIn(b"root:", r.body, "leaked content for %r" % target)
                    self.assertNotEqual(r.status, 200, "%r: %r" % (target, r))
                    self.assertIn(r.status, (301, 400, 404), "%r: %r" % (target, r))
                    self.assertStillServing("after %r" % target)

    def test_no_traversal_http10_and_09(self):
        for target in self.TARGETS[:6]:
            with self.subTest(target=target):
                r = client.exchange(self.port, b"GET " + target + b" HTTP/1.0\r\n\r\n")
                self.assertNotIn(b"root:", r.body)
                r = client.exchange(self.port, b"GET " + target + b"\r\n", timeout=3.0)
                self.assertNotIn(b"root:", r.raw)
        self.assertStillServing()


class BigDownloadTest(_OneServer):
    def setUp(self):
        self.out_dir = self.fx.mkwork("dl-")
        self.addCleanup(shutil.rmtree, self.out_dir, True)
        self.url = "http://127.0.0.1:%d/big64m.bin" % self.port

    def sha_of_file(self, path):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    def test_http_client_64m(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", "/big64m.bin")
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("Content-Length"), str(SIZE_64M))
            h, n = hashlib.sha256(), 0
            while True:
                chunk = r.read(1 << 20)
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
            self.assertEqual(n, SIZE_64M)
            self.assertEqual(h.hexdigest(), self.fx.sha256("big64m.bin"))
            # The connection stays usable after a big body.
            conn.request("GET", "/a.txt")
            r = conn.getresponse()
            self.assertEqual((r.status, r.read()), (200, A))
        finally:
            conn.close()

    @unittest.skipUnless(CURL, "curl not installed")
    def test_curl_64m(self):
        out = os.path.join(self.out_dir, "out")
        p = subprocess.run([CURL, "-s", "-o", out, self.url], timeout=120)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(os.path.getsize(out), SIZE_64M)
        self.assertEqual(self.sha_of_file(out), self.fx.sha256("big64m.bin"))

    @unittest.skipUnless(CURL, "curl not installed")
    def test_curl_resume(self):
        out = os.path.join(self.out_dir, "out")
        with open(self.fx.big64m, "rb") as src, open(out, "wb") as dst:
            dst.write(src.read(10_000_000))
        p = subprocess.run([CURL, "-s", "-S", "-C", "-", "-o", out, self.url], timeout=120,
                           stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.path.getsize(out), SIZE_64M)
        self.assertEqual(self.sha_of_file(out), self.fx.sha256("big64m.bin"))

    @unittest.skipUnless(CURL, "curl not installed")
    def test_curl_head(self):
        p = subprocess.run([CURL, "-sI", self.url], timeout=30, stdout=subprocess.PIPE)
        self.assertEqual(p.returncode, 0)
        text = p.stdout.decode("latin-1")
        self.assertRegex(text, r"^HTTP/1\.1 200 OK\r\n")
        headers = {k.lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in text.split("\r\n")[1:] if ":" in line)}
        self.assertEqual(headers.get("content-length"), str(SIZE_64M))
        self.assertEqual(headers.get("accept-ranges"), "bytes")
        self.assertEqual(headers.get("content-type"), "application/octet-stream")
        self.assertIn("etag", headers)
        self.assertIn("last-modified", headers)


class ChangingFileTest(unittest.TestCase):
    """A folder of its own whose files change under the running server."""

    @classmethod
    def setUpClass(cls):
        cls.fx = trees.get()
        cls.root = cls.fx.mkwork("changing-")
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.hs = servers.start_httpserve(["-b", "127.0.0.1", "0", "-d", cls.root], cwd=cls.fx.work)
        cls.addClassCleanup(cls.hs.stop)

    def write(self, name, data, mtime):
        path = os.path.join(self.root, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        os.utime(path, (mtime, mtime))

    def get(self, name, headers=()):
        return client.request(self.hs.port, "GET", "/" + name, headers)

    def wait_for(self, name, body, seconds=3.0):
        """Short-lived caches are allowed: poll until the new contents are served."""
        deadline = time.monotonic() + seconds
        while True:
            r = self.get(name)
            self.assertEqual(r.header("Content-Length"), str(len(r.body)), "consistent framing")
            if r.body == body or time.monotonic() > deadline:
                return r
            time.sleep(0.05)

    def test_etag_and_last_modified_follow_the_file(self):
        self.write("f.txt", b"version one\n", 1700000000)
        r1 = self.wait_for("f.txt", b"version one\n")
        self.assertEqual(r1.body, b"version one\n")
        self.write("f.txt", b"version two\n", 1700000100)     # same size, new time
        r2 = self.wait_for("f.txt", b"version two\n")
        self.assertEqual(r2.body, b"version two\n")
        self.assertNotEqual(r2.header("ETag"), r1.header("ETag"))
        self.assertEqual(r2.header("Last-Modified"), client.http_date(1700000100))
        r = self.get("f.txt", ["If-None-Match: " + r1.header("ETag")])
        self.assertEqual((r.status, r.body), (200, b"version two\n"), "old ETag no longer matches")
        r = self.get("f.txt", ["Range: bytes=0-6", "If-Range: " + r1.header("ETag")])
        self.assertEqual((r.status, r.body), (200, b"version two\n"), "stale If-Range: whole file")
        r = self.get("f.txt", ["If-Match: " + r1.header("ETag")])
        self.assertEqual(r.status, 412)

    def test_file_shrinks(self):
        self.write("g.bin", os.urandom(200000), 1700000000)
        self.wait_for("g.bin", None, 0)
        small = b"now small\n"
        self.write("g.bin", small, 1700000200)
        r = self.wait_for("g.bin", small)
        self.assertEqual((r.status, r.body), (200, small))

    def test_file_removed(self):
        self.write("h.txt", b"here\n", 1700000000)
        self.assertEqual(self.wait_for("h.txt", b"here\n").status, 200)
        os.unlink(os.path.join(self.root, "h.txt"))
        deadline = time.monotonic() + 3
        while self.get("h.txt").status != 404 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.get("h.txt").status, 404)


class CacheNeverStaleTest(unittest.TestCase):
    """The very next request after a change sees it: no polling. Cached files are validated by inotify
    (worker/file_watch.hpp) or by stat(); each change below defeats one of the two if done wrong."""

    @classmethod
    def setUpClass(cls):
        cls.fx = trees.get()
        cls.base = cls.fx.mkwork("never-stale-")
        cls.addClassCleanup(shutil.rmtree, cls.base, True)
        cls.root = os.path.join(cls.base, "site")
        os.mkdir(cls.root, 0o755)
        cls.hs = servers.start_httpserve(["-b", "127.0.0.1", "0", "-d", cls.root], cwd=cls.fx.work)
        cls.addClassCleanup(cls.hs.stop)

    def put(self, rel, data, mtime=1700000000, root=None):
        path = os.path.join(root or self.root, rel)
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        os.utime(path, (mtime, mtime))
        return path

    def body(self, rel):
        r = client.request(self.hs.port, "GET", "/" + rel)
        return r.body if r.status == 200 else r.status

    def warm(self, rel, expected):
        for _ in range(3):  # every worker of the loop has it cached by now, most likely
            self.assertEqual(self.body(rel), expected)

    def test_rewritten_in_place_with_the_same_size_and_mtime(self):
        path = self.put("same.txt", b"AAAA\n")
        self.warm("same.txt", b"AAAA\n")
        with open(path, "r+b") as f:
            f.write(b"BBBB\n")
        os.utime(path, (1700000000, 1700000000))
        self.assertEqual(self.body("same.txt"), b"BBBB\n")

    def test_replaced_by_rename(self):
        self.put("swap.txt", b"old\n")
        self.warm("swap.txt", b"old\n")
        tmp = self.put("swap.txt.new", b"new\n")
        os.rename(tmp, os.path.join(self.root, "swap.txt"))
        self.assertEqual(self.body("swap.txt"), b"new\n")

    def test_made_unreadable_then_readable(self):
        path = self.put("perm.txt", b"perm\n")
        self.warm("perm.txt", b"perm\n")
        os.chmod(path, 0o600)
        worker_uids = {procs.ids(w)["Uid"][1] for w in procs.workers(self.hs.pid, self.hs.port)}
        if not worker_uids or worker_uids & {0, os.stat(path).st_uid}:
            self.skipTest("the workers run as the file's owner (or as root): mode 0600 does not stop them")
        self.assertEqual(self.body("perm.txt"), 404)
        os.chmod(path, 0o644)
        self.assertEqual(self.body("perm.txt"), b"perm\n")

    def test_removed(self):
        path = self.put("gone.txt", b"gone\n")
        self.warm("gone.txt", b"gone\n")
        os.unlink(path)
        self.assertEqual(self.body("gone.txt"), 404)

    def test_folder_renamed_away_and_back(self):
        self.put("dir1/f.txt", b"in dir1\n")
        self.warm("dir1/f.txt", b"in dir1\n")
        os.rename(os.path.join(self.root, "dir1"), os.path.join(self.root, "dir1.moved"))
        self.assertEqual(self.body("dir1/f.txt"), 404)
        os.rename(os.path.join(self.root, "dir1.moved"), os.path.join(self.root, "dir1"))
        self.assertEqual(self.body("dir1/f.txt"), b"in dir1\n")

    def test_folder_swapped_for_another(self):
        # A deploy: a new tree renamed over the old one's name.
        self.put("release/page.txt", b"release one\n")
        self.warm("release/page.txt", b"release one\n")
        self.put("release.next/page.txt", b"release two\n")
        os.rename(os.path.join(self.root, "release"), os.path.join(self.root, "release.old"))
        os.rename(os.path.join(self.root, "release.next"), os.path.join(self.root, "release"))
        self.assertEqual(self.body("release/page.txt"), b"release two\n")
        self.put("release/page.txt", b"release 2.1\n", mtime=1700000500)
        self.assertEqual(self.body("release/page.txt"), b"release 2.1\n")

    def test_path_through_a_symlink(self):
        # Not watchable (the link's target can change out of sight): checked by stat() every time.
        self.put("real1/s.txt", b"one\n")
        self.put("real2/s.txt", b"two\n", mtime=1700000000)
        link = os.path.join(self.root, "link")
        os.symlink("real1", link)
        self.warm("link/s.txt", b"one\n")
        os.unlink(link)
        os.symlink("real2", link)
        self.assertEqual(self.body("link/s.txt"), b"two\n")
        self.put("real2/s.txt", b"TWO\n", mtime=1700000000)
        self.assertEqual(self.body("link/s.txt"), b"TWO\n")

    def test_many_changes_in_a_row(self):
        for i in range(50):
            data = b"%03d\n" % i
            path = self.put("counter.txt", data)
            self.assertEqual(self.body("counter.txt"), data, "change %d" % i)
        os.unlink(path)


class Protocol10Test(_OneServer):
    extra_args = ["-p", "HTTP/1.0"]

    def test_status_line_and_one_request_per_connection(self):
        with client.Conn(self.port) as c:
            st, reason, h, body, raw = c.request("GET", "/a.txt")
            self.assertTrue(raw.startswith(b"HTTP/1.0 200 OK\r\n"), raw)
            self.assertEqual(body, A)
            self.assertTrue(c.at_eof(), "-p HTTP/1.0: one request per connection")

    def test_error_status_line(self):
        r = self.get("/missing")
        self.assertEqual((r.version, r.status, r.reason), ("HTTP/1.0", 404, "File not found"))


# --------------------------------------------------------------------------------------------------
# Config-file policies

class ConfigPoliciesTest(unittest.TestCase):
    """Two config servers on the same folder:
    A: symlinks = "inside-root", dotfiles = "deny", index_pages = ["home.html"], header_timeout 1s,
       keepalive_timeout 1s, max_body 1KiB;
    B: symlinks = "never", directory_listing = false;
    C: symlinks = "inside-root" with a root path that is itself a symlink."""

    @classmethod
    def setUpClass(cls):
        cls.fx = trees.get()
        root = cls.fx.root
        cls.a = servers.start_config_server(
            cls.fx.mkwork("conf-a-"), root, workers=1,
            files='symlinks = "inside-root"\ndotfiles = "deny"\nindex_pages = ["home.html"]\n',
            sections='[http]\nheader_timeout = "1s"\nkeepalive_timeout = "1s"\nmax_body = "1KiB"\n')
        cls.addClassCleanup(cls.a.stop)
        cls.b = servers.start_config_server(
            cls.fx.mkwork("conf-b-"), root, workers=1, files='symlinks = "never"\ndirectory_listing = false\n')
        cls.addClassCleanup(cls.b.stop)
        work = cls.fx.mkwork("conf-c-")
        os.symlink(root, os.path.join(work, "root-link"))
        cls.c = servers.start_config_server(work, os.path.join(work, "root-link"), workers=1,
                                            files='symlinks = "inside-root"\n')
        cls.addClassCleanup(cls.c.stop)

    def get(self, server, target, headers=()):
        return client.request(server.port, "GET", target, headers)

    def expect(self, server, target, status, body=None):
        r = self.get(server, target)
        self.assertEqual(r.status, status, "%s on %s: %r" % (target, server.argv, r))
        if body is not None:
            self.assertEqual(r.body, body, target)
        return r

    def test_serving_line_with_config(self):
        self.assertEqual(self.a.first_line, "Serving HTTP on 127.0.0.1 port %d (http://127.0.0.1:%d/) ..."
                         % (self.a.port, self.a.port))

    # symlinks = "inside-root"
    def test_inside_root_links_inside_served(self):
        self.expect(self.a, "/link-to-a.txt", 200, A)
        self.expect(self.a, "/sub/up-link.txt", 200, A)
        self.expect(self.a, "/link-to-sub/d.txt", 200, b"d\n")
        r = self.expect(self.a, "/link-to-sub/", 200)
        self.assertIn(b'href="d.txt"', r.body)

    def test_inside_root_link_chains(self):
        self.expect(self.a, "/chain-in", 200, A)
        self.expect(self.a, "/abs-link-in", 200, A)
        self.expect(self.a, "/sub/loop/a.txt", 200, A)
        r = self.expect(self.a, "/chain-out", 404)
        self.assertNotIn(b"root:", r.body)

    def test_inside_root_when_root_path_is_a_symlink(self):
        # The root itself reached through a symlink: links inside must still count as inside.
        r = client.request(self.c.port, "GET", "/a.txt")
        self.assertEqual((r.status, r.body), (200, A))
        for t, st in (("/link-to-a.txt", 200), ("/sub/up-link.txt", 200), ("/chain-in", 200),
                      ("/abs-link-in", 200), ("/link-to-sub/d.txt", 200), ("/link-outside", 404),
                      ("/chain-out", 404), ("/link-outside-dir/inner.txt", 404)):
            r = client.request(self.c.port, "GET", t)
            self.assertEqual(r.status, st, "%s: %r" % (t, r))

    def test_inside_root_links_outside_refused(self):
        for t in ("/link-outside", "/link-outside-dir/inner.txt", "/link-outside-dir/", "/broken-link"):
            r = self.expect(self.a, t, 404)
            self.assertNotIn(b"root:", r.body)
            self.assertNotIn(b"inner file", r.body)

    # dotfiles = "deny"
    def test_dotfiles_deny(self):
        for t in ("/.hidden", "/%2ehidden", "/.dotdir/", "/.dotdir", "/.dotdir/inside.txt",
                  "/sub/../.hidden", "/%2edotdir/inside.txt"):
            r = self.expect(self.a, t, 404)
            self.assertNotIn(b"hidden file", r.body)
            self.assertNotIn(b"inside a dot folder", r.body)

    def test_dotfiles_not_listed(self):
        r = self.expect(self.a, "/", 200)
        self.assertIn(b'href="a.txt"', r.body)
        self.assertNotIn(b".hidden", r.body)
        self.assertNotIn(b".dotdir", r.body)

    def test_dotfiles_served_by_default(self):
        self.expect(self.b, "/.hidden", 200, b"hidden file\n")

    # index_pages = ["home.html"]
    def test_index_pages(self):
        self.expect(self.a, "/homedir/", 200, b"<p>home.html</p>\n")
        r = self.expect(self.a, "/withindex/", 200)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertIn(b'<a href="index.html">index.html</a>', r.body, "index.html is no index now")
        r = self.expect(self.a, "/withhtm/", 200)
        self.assertIn(b'href="index.htm"', r.body)

    # timeouts and limits from [http]
    def test_header_timeout_408(self):
        t0 = time.monotonic()
        r = client.exchange(self.a.port, b"GET /a.txt HTTP/1.1\r\nHost: x\r\n", timeout=8.0)
        self.assertEqual(r.status, 408, r)
        self.assertEqual(r.header("Connection", "").lower(), "close")
        self.assertTrue(r.closed)
        self.assertLess(time.monotonic() - t0, 6.0)

    def test_keepalive_timeout(self):
        with client.Conn(self.a.port, timeout=8.0) as c:
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, A))
            t0 = time.monotonic()
            self.assertTrue(c.at_eof(timeout=6.0), "idle keep-alive connection closed")
            self.assertLess(time.monotonic() - t0, 5.0)
            self.assertGreater(time.monotonic() - t0, 0.5)

    def test_max_body_413(self):
        r = client.exchange(self.a.port, b"GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n",
                       timeout=5.0)
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.header("Connection", "").lower(), "close")
        self.assertTrue(r.closed)

    # symlinks = "never"
    def test_never_follows_symlinks(self):
        self.expect(self.b, "/a.txt", 200, A)
        for t in ("/link-to-a.txt", "/link-to-sub/", "/link-to-sub/d.txt", "/sub/up-link.txt", "/chain-in",
                  "/abs-link-in", "/sub/loop/a.txt", "/link-to-sub",
                  "/link-outside", "/link-outside-dir/inner.txt", "/broken-link"):
            r = self.expect(self.b, t, 404)
            self.assertNotIn(b"root:", r.body)

    # directory_listing = false
    def test_listing_off(self):
        for t in ("/sub/", "/", "/emptydir/"):
            r = self.expect(self.b, t, 404)
            self.assertIn(b"No permission to list directory", r.body)
            self.assertNotIn(b"Directory listing", r.body)
        self.expect(self.b, "/withindex/", 200, trees.FILES["withindex/index.html"])
        r = self.expect(self.b, "/sub", 301)
        self.assertEqual(r.header("Location"), "/sub/")


# --------------------------------------------------------------------------------------------------
# IPv6 and dual stack

@unittest.skipUnless(servers.ipv6_loopback_available(), "no IPv6 loopback")
class IPv6Test(unittest.TestCase):
    def test_bind_ipv6_loopback(self):
        fx = trees.get()
        with servers.start_httpserve(["-b", "::1", "0", "-d", fx.root], cwd=fx.work) as hs:
            self.assertEqual(hs.first_line, "Serving HTTP on ::1 port %d (http://[::1]:%d/) ..."
                             % (hs.port, hs.port))
            r = client.request(hs.port, "GET", "/a.txt", host="::1")
            self.assertEqual((r.status, r.body), (200, A))
            r = client.request(hs.port, "GET", "/sub", host="::1")
            self.assertEqual((r.status, r.header("Location")), (301, "/sub/"))

    def test_default_bind_is_dual_stack(self):
        fx = trees.get()
        port = servers.free_dual_port()
        with servers.start_httpserve([str(port), "-d", fx.root], cwd=fx.work) as hs:
            self.assertEqual(hs.first_line, "Serving HTTP on :: port %d (http://[::]:%d/) ..." % (port, port))
            for host in ("127.0.0.1", "::1"):
                r = client.request(port, "GET", "/a.txt", host=host)
                self.assertEqual((r.status, r.body), (200, A), host)


if __name__ == "__main__":
    unittest.main()
