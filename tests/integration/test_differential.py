"""httpserve against `python3 -m http.server` on the same folder, request by request.

Both servers are started once per class (`-b 127.0.0.1 0 -d ROOT`). Every request goes over a raw
socket and ends the connection (`Connection: close` or HTTP/1.0), so Python's one-request connections
work. For each request the two answers must agree on: status line present or not, status code, reason
phrase, Location, body bytes, Content-Type (value; the header name is compared case-insensitively),
Content-Length and Last-Modified.

Python's answers are taken as Python 3.14 gives them: on an older Python the colour-scheme block
3.14 added to error pages and listings is inserted into the oracle's answer (reference.as_python_314),
nothing else is changed.

The deliberate differences of the README's compatibility table are asserted explicitly, as differences, in
`ExpectedDifferencesTest`. Some of them depend on the Python version (fixed upstream in 3.13.x/3.14):
there the httpserve side is exact and the Python side may give the old or the new answer (the old one
is required on Python <= 3.12).

Run: cd tests/integration && python3 -m unittest test_differential -v
  or: python3 -m unittest discover -s tests/integration -t tests/integration -p 'test_*.py'
"""
import hashlib
import os
import re
import subprocess
import time
import unittest
import urllib.parse

import client
import procs
import reference
import servers
import trees

LM = trees.A_TXT_LAST_MODIFIED                 # Last-Modified of /a.txt
A_MTIME = int(trees.A_TXT_MTIME)


def req(target, method="GET", headers=(), version="HTTP/1.1", body=b""):
    return client.build_request(method, target, headers, version, body=body)


# ------------------------------------------------------------------------------------------------
# Requests whose answers must be the same. (label, raw request, expected Python status or None,
# also_head). The expected status is a sanity check of the oracle against the spec.

CASES = []


def case(label, data, status=None, head=True):
    CASES.append((label, data, status, head))


# Files, media types, names that need quoting.
for t in ["/a.txt", "/B.TXT", "/empty.txt", "/noext", "/x.tar.gz", "/app.js", "/data.json", "/pic.svg",
          "/mod.wasm", "/notes.md", "/page.html", "/style.css", "/img.webp", "/big1m.bin",
          "/sp%20ace.txt", "/sp%20ace/inner.txt", "/q%3F.txt", "/f%23.txt", "/%3Ci%3E%26amp.txt",
          "/%25A4.txt", "/%C3%A9.txt", "/%c3%a9.txt", "/%ED%B3%BF.txt", "/%ED%B3%BF.dir/in.txt",
          "/%FF.dir/r.txt", "/%EF%BF%BD.dir/r.txt", "/%3Cb%3E%26dir/x.txt", "/%C3%A9dir/x.txt",
          "/.hidden", "/.dotdir/inside.txt", "/link-to-a.txt", "/link-outside", "/link-to-sub/d.txt",
          "/link-outside-dir/inner.txt", "/sub/up-link.txt", "/sub/deep/deeper/f.txt", "/chain-in",
          "/chain-out", "/abs-link-in", "/sub/loop/a.txt", "/sub/loop/sub/loop/sub/d.txt",
          "/withindex/index.html", "/withindex/other.txt", "/dirindex2/index.htm",
          "/a.txt?x=1", "/a.txt?", "/a.txt#frag", "/a.txt?x=1#f", "/a.txt?x=/../../etc/passwd",
          "/a.txt/.", "/a%2Etxt", "/%61.txt", "/sub//d.txt", "/sub/./d.txt"]:
    case("file " + t, req(t), 200)
for t in ["/quote%22d.txt", "/it's.txt", "/it%27s.txt", "/a;b=c+d@e:f,g.txt",
          "/a%3Bb%3Dc%2Bd%40e%3Af%2Cg.txt", "/bang!(1)*$.txt", "/bang%21%281%29%2A%24.txt", "/100%.txt",
          "/100%25.txt", "/a+b.txt", "/a%2Bb.txt", "/a%2bb.txt", "/tab%09name.txt", "/ctl%01.txt",
          "/" + "L" * 250 + ".txt"]:
    case("name " + t[:40], req(t), 200)
# Built into mimetypes from 3.14 on, and missing from Debian's /etc/mime.types: an older Python answers
# application/octet-stream (ExpectedDifferencesTest.test_types_built_in_since_314).
TYPES_SINCE_314 = {"f.php": "application/x-httpd-php", "f.yaml": "application/yaml", "f.yml": "application/yaml"}
for n in trees.TYPE_NAMES:
    if n not in TYPES_SINCE_314:
        case("type " + n, req("/types/" + urllib.parse.quote(n)), 200)
case("file big64m HEAD", req("/big64m.bin", "HEAD"), 200, head=False)
case("file big64m GET", req("/big64m.bin"), 200, head=False)
case("file relative target a.txt", req("a.txt"), 200)
case("file HTTP/1.0", req("/a.txt", version="HTTP/1.0"), 200)

# Not found.
for t in ["/b.txt", "/A.TXT", "/missing", "/missing/", "/sub/missing.txt", "/a.txt/", "/a.txt/x",
          "/broken-link", "/%A4.txt", "/%FF.txt", "/a.txt%20", "/sub/d.txt/", "/link-to-a.txt/",
          "/..;/a.txt", "/c:/a.txt", "/%5Ca.txt", "/missing?x=1", "/sp+ace.txt", "/a%.txt", "/%zz",
          "/%2", "/a.txt%", "/a.txt%2", "/%%32%65", "/a.txt;x=1", "/" + "L" * 300]:
    case("404 " + t, req(t), 404)
case("404 NUL before a trailing slash", req("/a/..%00/"), 404)   # isdir() is False, no open()
case("404 raw utf-8 bytes in target", req(b"/\xc3\xa9.txt"), 404)
case("raw latin-1 byte in target is é.txt", req(b"/\xe9.txt"), 200)

# Listings (full body bytes) and index pages.
for t in trees.LISTED_DIRS + ["/sub//", "/sub/./", "/sub/../", "/sub/deep/../", "/../", "/%2e%2e/",
                                 "/./", "/withindex/", "/withhtm/", "/dirindex2/", "/homedir/"]:
    case("dir " + t, req(t), 200)
case("dir listing HTTP/1.0", req("/sub/", version="HTTP/1.0"), 200)
case("dir listing with If-Modified-Since", req("/sub/", headers=["If-Modified-Since: Thu, 01 Jan 2099 "
                                                                   "00:00:00 GMT"]), 200)

# Redirects: query and fragment kept, raw path kept, `//` collapsed.
for t in ["/sub", "/sub?q=1", "/sub?q=1#frag", "/sub#frag", "/sub?", "/sub#", "/sub?x=<y>&z=%20",
          "///sub", "//sub", "//sub?q=1", "////sub", "/sub/..", "/sub/deep", "/sub/deep/deeper/..",
          "/sp%20ace", "/link-to-sub", "/link-outside-dir", "/dirindex/index.html", "/a.txt/..",
          "/%ED%B3%BF.dir", "/%3Cb%3E%26dir", "/%C3%A9dir", "/emptydir", "/withindex", "/.dotdir",
          "/..", "/%2e%2e", "/sub/%2e%2e", "//evil.example/%2e%2e", "/."]:
    case("301 " + t, req(t), 301)
case("301 relative target sub", req("sub"), 301)
case("301 target ?x (empty path)", req("?x"), 301)
case("301 raw latin-1 byte in query", req(b"/sub?\xe9=\xff"), 301)
case("301 raw latin-1 byte in path", req(b"/\xe9dir"), 301)
case("dir raw latin-1 byte in path", req(b"/\xe9dir/"), 200)
case("301 with If-Modified-Since", req("/sub", headers=["If-Modified-Since: Thu, 01 Jan 2099 "
                                                          "00:00:00 GMT"]), 301)

# `//` prefixes (open-redirect fix) and traversal in every encoding.
for t, st in [("//a.txt", 200), ("///a.txt", 200), ("//evil.example/", 404), ("//evil.example", 404),
              ("/\\evil.example", 404), ("/\\/evil.example/", 404),
              ("/../a.txt", 200), ("/../../etc/passwd", 404), ("/%2e%2e/a.txt", 200),
              ("/%2E%2E%2Fa.txt", 200), ("/..%2fa.txt", 200), ("/%2e%2e%5ca.txt", 404),
              ("/./a.txt", 200), ("/sub/../a.txt", 200), ("/%252e%252e/a.txt", 404),
              ("/%252e%252e%252fa.txt", 404), ("/sub/%2e%2e/a.txt", 200),
              ("/..%2f..%2fetc/passwd", 404), ("/%2e%2e/%2e%2e/etc/passwd", 404),
              ("/sub/..%2f..%2fa.txt", 200), ("/.%2e/a.txt", 200), ("/%2e./a.txt", 200),
              ("/sub/./../a.txt", 200), ("/sub/deep/../../a.txt", 200), ("/../../../../../../a.txt", 200),
              ("/..\\..\\etc\\passwd", 404), ("/%c0%ae%c0%ae/a.txt", 404),
              ("/link-to-sub/../a.txt", 200), ("/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404)]:
    case("path " + t, req(t), st)

# Methods we do not serve.
for data, label in [(req("/a.txt", "PUT", ["Content-Length: 0"]), "PUT"),
                    (req("/a.txt", "DELETE"), "DELETE"),
                    (req("/", "OPTIONS"), "OPTIONS /"),
                    (req("*", "OPTIONS"), "OPTIONS *"),
                    (req("/a.txt", "get"), "get lower case"),
                    (req("/a.txt", "GETS"), "GETS"),
                    (req("/a.txt", "head"), "head lower case"),
                    (req("/a.txt", "POST", ["Content-Length: 0"]), "POST"),
                    (req("/a.txt", "POST", ["Content-Length: 5"], body=b"hello"), "POST with body"),
                    (req("/", "TRACE"), "TRACE"),
                    (req("/a.txt", "PATCH", ["Content-Length: 0"]), "PATCH"),
                    (req("127.0.0.1:80", "CONNECT"), "CONNECT")]:
    case("501 " + label, data, 501, head=False)

# If-Modified-Since (spec §3.2 table; a.txt has mtime LM + 0.25 s).
for value, st in [(LM, 304),
                  (client.http_date(A_MTIME + 3600), 304),
                  (client.http_date(A_MTIME - 3600), 200),
                  (client.http_date(A_MTIME - 1), 200),
                  ("garbage", 200),
                  ("", 200),
                  ("Tue, 14 Nov 2023 22:13:20", 304),           # no zone: UTC
                  ("Tue, 14 Nov 2023 23:13:20 +0100", 200),     # not UTC: ignored
                  ("Tue, 14 Nov 2023 22:13:20 -0000", 304),
                  ("Tue, 14 Nov 2023 22:13:20 +0000", 304),
                  ("Thu, 01 Jan 2099 00:00:00 EST", 200),       # not UTC: ignored
                  ("Thu, 01 Jan 2099 00:00:00 GMT", 304),
                  ("Tuesday, 14-Nov-23 22:13:20 GMT", 304),     # RFC 850
                  ("Tue Nov 14 22:13:20 2023", 304),            # asctime
                  ("Tue, 14 Nov 2023 22:13:20 UT", 304),
                  ("Tue, 14 Nov 2023 22:13:20 UTC", 304),
                  ("Tue, 14 Nov 2023 22:13:20 Z", 304),
                  ("Tue, 14 Nov 2023 22:13:20 gmt", 304),
                  ("Tue, 14 Nov 23 22:13:20 GMT", 304),         # two-digit year
                  ("Mon, 14 Nov 2023 22:13:20 GMT", 304),       # wrong weekday: ignored by parsedate
                  ("14 Nov 2023 22:13:20 GMT", 304),            # no weekday
                  ("Tue, 14 Nov 2023 22:13 GMT", None),
                  ("Tue, 32 Nov 2023 22:13:20 GMT", 200),       # invalid day: ignored
                  ("Thu, 01 Jan 1970 00:00:00 GMT", 200),
                  ("Fri, 01 Jan 99999 00:00:00 GMT", 200),
                  ("  " + LM + "  ", 304),
                  (LM + ", " + LM, None)]:
    case("If-Modified-Since %r" % value, req("/a.txt", headers=["If-Modified-Since: " + value]), st)
case("if-modified-since lower-case name", req("/a.txt", headers=["if-modified-since: " + LM]), 304)
case("If-Modified-Since with If-None-Match",
     req("/a.txt", headers=["If-Modified-Since: " + LM, 'If-None-Match: "x"']), 200)
case("If-Modified-Since future on missing file",
     req("/missing", headers=["If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT"]), 404)

# Request-line and header parsing that Python accepts.
case("HTTP/1.0 no headers", b"GET /a.txt HTTP/1.0\r\n\r\n", 200)
case("HTTP/1.0 without Host", b"GET /a.txt HTTP/1.0\r\nConnection: close\r\n\r\n", 200, head=False)
case("HTTP/1.2 accepted", b"GET /a.txt HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n", 200, head=False)
case("HTTP/01.00 accepted", b"GET /a.txt HTTP/01.00\r\n\r\n", 200, head=False)
case("LF line endings", b"GET /a.txt HTTP/1.0\n\n", 200, head=False)
case("repeated spaces", b"GET  /a.txt   HTTP/1.0\r\n\r\n", 200, head=False)
case("trailing space after the version", b"GET /a.txt HTTP/1.0 \r\n\r\n", 200, head=False)
case("leading space before the method", b" GET /a.txt HTTP/1.0\r\n\r\n", 200, head=False)
case("obs-text in a header value", b"GET /a.txt HTTP/1.0\r\nX-A: caf\xe9\r\n\r\n", 200, head=False)
case("empty header value", b"GET /a.txt HTTP/1.0\r\nX-Empty:\r\n\r\n", 200, head=False)
case("tab before a header value", b"GET /a.txt HTTP/1.0\r\nX-A:\tv\r\n\r\n", 200, head=False)
case("underscore in a header name", b"GET /a.txt HTTP/1.0\r\nX_Under: 1\r\n\r\n", 200, head=False)
case("HTTP/0.9 explicit version", b"GET /a.txt HTTP/0.9\r\n\r\n", None, head=False)
case("400 space in target", b"GET /sp ace/ HTTP/1.0\r\n\r\n", 400, head=False)
case("400 NBSP splits the target", b"GET /a\xa0.txt HTTP/1.0\r\n\r\n", 400, head=False)
case("400 NEL splits the target", b"GET /a\x85.txt HTTP/1.0\r\n\r\n", 400, head=False)
case("400 quote in split target", b"GET /it's here HTTP/1.0\r\n\r\n", 400, head=False)

# Limits.
_pad_ok = 65536 - len("GET /a.txt?") - len(" HTTP/1.0\r\n")
case("request line of 65536 bytes", b"GET /a.txt?" + b"x" * _pad_ok + b" HTTP/1.0\r\n\r\n", 200, head=False)
_hdr_ok = 65536 - len("X-Long: ") - 2
case("header line of 65536 bytes", b"GET /a.txt HTTP/1.0\r\nX-Long: " + b"a" * _hdr_ok + b"\r\n\r\n", 200,
     head=False)
case("431 header line of 65537 bytes",
     b"GET /a.txt HTTP/1.0\r\nX-Long: " + b"a" * (_hdr_ok + 1) + b"\r\n\r\n", 431, head=False)
for n, st in [(99, 200), (100, 431), (101, 431)]:
    case("%d header lines" % n,
         b"GET /a.txt HTTP/1.0\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(n)) + b"\r\n", st,
         head=False)


def _slug(text):
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:70]


def _head_of(data):
    """The same raw request with HEAD instead of its GET method."""
    assert data.startswith(b"GET "), data[:20]
    return b"HEAD " + data[4:]


def _body_summary(body):
    return "%d bytes, sha256 %s, starts %r" % (len(body), hashlib.sha256(body).hexdigest()[:16],
                                              body[:200])


class _BothServers(unittest.TestCase):
    maxDiff = 4000
    hs_protocol = "HTTP/1.1"     # httpserve's status-line version (its default; -p HTTP/1.0 below)
    hs_extra_args = []

    @classmethod
    def setUpClass(cls):
        cls.fx = trees.get()
        args = ["-b", "127.0.0.1", "0", "-d", cls.fx.root]
        cls.py = reference.start_python(args, cwd=cls.fx.work)
        cls.addClassCleanup(cls.py.stop)
        cls.hs = servers.start_httpserve(args + cls.hs_extra_args, cwd=cls.fx.work)
        cls.addClassCleanup(cls.hs.stop)
        server = client.request(cls.py.port, "GET", "/a.txt").header("Server", "")
        m = re.search(r"Python/(\d+)\.(\d+)", server)
        cls.py_version = (int(m.group(1)), int(m.group(2))) if m else (3, 11)

    def both(self, data, method="GET", timeout=5.0):
        return (reference.as_python_314(client.exchange(self.py.port, data, method=method, timeout=timeout)),
                client.exchange(self.hs.port, data, method=method, timeout=timeout))

    def assertBodyEqual(self, a, b, msg):
        if a == b:
            return
        if len(a) > 2000 or len(b) > 2000:
            i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            self.fail("%s: bodies differ (first difference at byte %d)\n python:    %s\n httpserve: %s"
                      % (msg, i, _body_summary(a), _body_summary(b)))
        self.assertEqual(a, b, msg)

    def check_httpserve_extras(self, py, hs, data):
        """The differences every answer has: HTTP/1.1 status line, Server, and on a 200 file ETag and
        Accept-Ranges."""
        if not hs.has_status_line:
            return
        self.assertEqual(hs.version, self.hs_protocol, "status line version for %r" % data[:100])
        self.assertRegex(hs.header("Server", ""), r"^httpserve/\S+", "Server header")
        if py.status == 200 and py.header("Last-Modified") and data.split(b" ", 1)[0] in (b"GET", b"HEAD"):
            self.assertIsNone(py.header("ETag"))
            self.assertRegex(hs.header("ETag", ""), r'^(W/)?"[^"]*"$', "ETag on a 200 file")
            self.assertEqual(hs.header("Accept-Ranges"), "bytes", "Accept-Ranges on a 200 file")

    def assertSameAnswer(self, py, hs, data, method):
        where = "request %r" % data[:160]
        self.assertTrue(py.raw or py.closed, "Python oracle gave no answer to %s" % where)
        self.assertEqual(hs.has_status_line, py.has_status_line,
                         "status line present? %s\n python: %r\n httpserve: %r" % (where, py, hs))
        self.assertEqual((hs.status, hs.reason), (py.status, py.reason), "status and reason, " + where)
        self.assertEqual(hs.header("Location"), py.header("Location"), "Location, " + where)
        self.assertBodyEqual(py.body, hs.body, "body, " + where)
        if py.status != 304:  # RFC 9110 §15.4.5 lets a 304 carry validators; Python sends none
            for name in ("Content-Type", "Content-Length", "Last-Modified"):
                self.assertEqual(hs.header(name), py.header(name), "%s, %s" % (name, where))
        self.assertTrue(hs.closed, "httpserve did not close the connection after %s (Connection: "
                        "close / HTTP/1.0)" % where)
        self.check_httpserve_extras(py, hs, data)


class SameAnswerTest(_BothServers):
    """One test per request (and its HEAD twin): httpserve answers exactly like Python."""

    def check_same(self, data, method, expect):
        py, hs = self.both(data, method)
        if expect is not None:
            self.assertEqual(py.status, expect, "Python oracle status for %r (spec): %r" % (data[:120], py))
        self.assertSameAnswer(py, hs, data, method)
        if method == "HEAD":
            self.assertEqual(hs.body, b"", "HEAD must have no body")


def _make(data, method, expect):
    def test(self):
        self.check_same(data, method, expect)
    test.__doc__ = "%s %r" % (method, data[:90])
    return test


# Names are stable: a slug of the label plus a short hash of the raw request.
_seen = set()
for _label, _data, _status, _head in CASES:
    _name = "test_%s_%s" % (_slug(_label)[:60], hashlib.sha1(_data).hexdigest()[:6])
    assert _name not in _seen, _name
    _seen.add(_name)
    setattr(SameAnswerTest, _name, _make(_data, "GET", _status))
    if _head and _data.startswith(b"GET "):
        setattr(SameAnswerTest, _name + "_HEAD", _make(_head_of(_data), "HEAD", _status))


class SameAnswerProtocol10Test(SameAnswerTest):
    """The same requests against `httpserve -p HTTP/1.0` (Python's own default): status lines alike."""
    hs_protocol = "HTTP/1.0"
    hs_extra_args = ["-p", "HTTP/1.0"]

    def assertSameAnswer(self, py, hs, data, method):
        super().assertSameAnswer(py, hs, data, method)
        self.assertEqual(hs.version, py.version, "status-line version with -p HTTP/1.0")


class ExpectedDifferencesTest(_BothServers):
    """Every deliberate difference of the README's compatibility table, asserted as a difference."""

    # -- any request: status line version and Server --------------------------------------------
    def test_status_line_version_and_server(self):
        py, hs = self.both(req("/a.txt"))
        self.assertEqual(py.version, "HTTP/1.0")
        self.assertEqual(hs.version, "HTTP/1.1")
        self.assertTrue(py.header("Server", "").startswith("SimpleHTTP/0.6 Python/"))
        self.assertRegex(hs.header("Server", ""), r"^httpserve/\d[^ ]*$")
        self.assertEqual(hs.body, py.body)

    # -- 200 file: ETag, Accept-Ranges, canonical header names -----------------------------------
    def test_file_validators_and_header_case(self):
        py, hs = self.both(req("/a.txt"))
        self.assertIn("Content-type", py.header_names())
        self.assertIsNone(py.header("ETag"))
        self.assertIsNone(py.header("Accept-Ranges"))
        self.assertIn("Content-Type", hs.header_names(), "canonical header name")
        self.assertNotIn("Content-type", hs.header_names())
        self.assertRegex(hs.header("ETag", ""), r'^"[^"]+"$', "a strong ETag")
        self.assertEqual(hs.header("Accept-Ranges"), "bytes")
        self.assertEqual(hs.header("Last-Modified"), py.header("Last-Modified"))

    # -- an empty line before the request line (RFC 9112 §2.2: SHOULD be ignored) -----------------
    def test_empty_line_before_request_line(self):
        data = b"\r\nGET /a.txt HTTP/1.0\r\n\r\n"
        py, hs = self.both(data)
        self.assertIsNone(py.status, "Python closes without an answer")
        self.assertEqual((hs.status, hs.body), (200, trees.A_TXT))

    # -- Range -----------------------------------------------------------------------------------
    def test_range_single(self):
        py, hs = self.both(req("/a.txt", headers=["Range: bytes=0-1"]))
        self.assertEqual((py.status, py.body), (200, trees.A_TXT))
        self.assertEqual((hs.status, hs.body), (206, trees.A_TXT[:2]))
        self.assertEqual(hs.header("Content-Range"), "bytes 0-1/%d" % len(trees.A_TXT))

    def test_range_multiple(self):
        py, hs = self.both(req("/big1m.bin", headers=["Range: bytes=0-9,100-199"]))
        self.assertEqual(py.status, 200)
        self.assertEqual(hs.status, 206)
        self.assertTrue(hs.header("Content-Type", "").lower().startswith("multipart/byteranges"))

    def test_range_unsatisfiable(self):
        py, hs = self.both(req("/a.txt", headers=["Range: bytes=100-"]))
        self.assertEqual((py.status, py.body), (200, trees.A_TXT))
        self.assertEqual(hs.status, 416)
        self.assertEqual(hs.header("Content-Range"), "bytes */%d" % len(trees.A_TXT))

    # -- conditional requests beyond If-Modified-Since ----------------------------------------------
    def etag(self):
        return client.request(self.hs.port, "GET", "/a.txt").header("ETag")

    def test_if_none_match_etag(self):
        py, hs = self.both(req("/a.txt", headers=["If-None-Match: " + self.etag()]))
        self.assertEqual((py.status, py.body), (200, trees.A_TXT))
        self.assertEqual((hs.status, hs.body), (304, b""))

    def test_if_none_match_star(self):
        py, hs = self.both(req("/a.txt", headers=["If-None-Match: *"]))
        self.assertEqual(py.status, 200)
        self.assertEqual((hs.status, hs.body), (304, b""))

    def test_if_none_match_beats_if_modified_since(self):
        # Python: If-None-Match only disables If-Modified-Since. httpserve: it is evaluated.
        py, hs = self.both(req("/a.txt", headers=["If-None-Match: " + self.etag(),
                                                  "If-Modified-Since: " + client.http_date(A_MTIME - 3600)]))
        self.assertEqual(py.status, 200)
        self.assertEqual(hs.status, 304)

    def test_if_match_mismatch(self):
        py, hs = self.both(req("/a.txt", headers=['If-Match: "nope"']))
        self.assertEqual(py.status, 200)
        self.assertEqual(hs.status, 412)

    def test_if_unmodified_since_past(self):
        py, hs = self.both(req("/a.txt", headers=["If-Unmodified-Since: " + client.http_date(A_MTIME - 86400)]))
        self.assertEqual(py.status, 200)
        self.assertEqual(hs.status, 412)

    def test_if_range_stale_etag(self):
        py, hs = self.both(req("/a.txt", headers=["Range: bytes=0-1", 'If-Range: "stale"']))
        self.assertEqual(py.status, 200)
        self.assertEqual((hs.status, hs.body), (200, trees.A_TXT))

    # -- connections ------------------------------------------------------------------------------
    def test_error_keeps_connection_open(self):
        for port, is_py in ((self.py.port, True), (self.hs.port, False)):
            with client.Conn(port) as c:
                st, _, h, _, _ = c.request("GET", "/missing")
                self.assertEqual(st, 404)
                if is_py:
                    self.assertEqual(h.get("connection"), "close")
                    self.assertTrue(c.at_eof(), "Python closes after an error")
                else:
                    self.assertNotEqual(h.get("connection", "").lower(), "close")
                    st, _, _, body, _ = c.request("GET", "/a.txt")
                    self.assertEqual((st, body), (200, trees.A_TXT))

    def test_persistent_and_pipelined(self):
        two = client.build_request("GET", "/a.txt", close=False) + client.build_request("GET", "/B.TXT", close=False)
        with client.Conn(self.py.port) as c:
            c.send(two)
            st, _, _, body, _ = c.read()
            self.assertEqual((st, body), (200, trees.A_TXT))
            self.assertTrue(c.at_eof(), "Python (HTTP/1.0) answers one request per connection")
        with client.Conn(self.hs.port) as c:
            c.send(two)
            st, _, _, body, _ = c.read()
            self.assertEqual((st, body), (200, trees.A_TXT))
            st, _, _, body, _ = c.read()
            self.assertEqual((st, body), (200, trees.FILES["B.TXT"]))

    # -- bad versions: httpserve adds the status line Python leaves out -----------------------------
    def check_status_line_added(self, data, status, reason_start):
        py, hs = self.both(data)
        self.assertFalse(py.has_status_line, "Python sends the body only: %r" % py)
        self.assertTrue(py.body.startswith(b"<!DOCTYPE HTML>"), py)
        self.assertTrue(hs.has_status_line, hs)
        self.assertEqual(hs.status, status)
        self.assertTrue(hs.reason.startswith(reason_start), hs.reason)
        self.assertEqual(hs.header("Content-Type"), "text/html;charset=utf-8")
        self.assertEqual(hs.body, py.body, "same error page")
        self.assertEqual(hs.header("Connection", "").lower(), "close")
        self.assertTrue(hs.closed)

    def test_bad_version_word(self):
        self.check_status_line_added(b"GET / FOO/1.0\r\n\r\n", 400, "Bad request version ('FOO/1.0')")

    def test_bad_version_lower_case(self):
        self.check_status_line_added(b"GET /a.txt http/1.0\r\n\r\n", 400, "Bad request version")

    def test_bad_version_extra_word(self):
        self.check_status_line_added(b"GET / HTTP/1.0 extra\r\n\r\n", 400, "Bad request version ('extra')")

    def test_bad_version_two_dots(self):
        self.check_status_line_added(b"GET / HTTP/1.0.1\r\n\r\n", 400, "Bad request version")

    def test_bad_version_markup_escaped(self):
        self.check_status_line_added(b"GET / HTTP/<b>&\r\n\r\n", 400, "Bad request version ('HTTP/<b>&')")

    def test_http2_version(self):
        self.check_status_line_added(b"GET / HTTP/2.0\r\n\r\n", 505, "Invalid HTTP version (2.0)")

    def test_http09_post(self):
        self.check_status_line_added(b"POST /x\r\n\r\n", 400, "Bad HTTP/0.9 request type ('POST')")

    # -- NUL byte: Python drops the connection ----------------------------------------------------
    def check_nul(self, target):
        py, hs = self.both(req(target))
        self.assertEqual(py.raw, b"", "Python drops the connection (ValueError)")
        self.assertEqual(hs.status, 404, hs)
        self.assertTrue(hs.body.startswith(b"<!DOCTYPE HTML>"))

    def test_nul_root(self):
        self.check_nul("/%00")

    def test_nul_in_name(self):
        self.check_nul("/a.txt%00.html")

    # -- stricter parsing: 400 where Python accepts --------------------------------------------------
    def check_stricter(self, data, py_status, hs_status=400):
        py, hs = self.both(data)
        self.assertEqual(py.status, py_status, py)
        self.assertEqual(hs.status, hs_status, hs)
        self.assertEqual(hs.header("Connection", "").lower(), "close")
        self.assertTrue(hs.closed)

    def test_method_not_a_token(self):
        self.check_stricter(b"G(E)T /a.txt HTTP/1.0\r\n\r\n", 501)

    def test_method_with_control_byte(self):
        self.check_stricter(b"G\x01T /a.txt HTTP/1.0\r\n\r\n", 501)

    def test_header_without_colon(self):
        self.check_stricter(b"GET /a.txt HTTP/1.0\r\nX-No-Colon\r\n\r\n", 200)

    def test_obsolete_line_folding(self):
        self.check_stricter(b"GET /a.txt HTTP/1.0\r\nX-A: a\r\n  folded\r\n\r\n", 200)

    def test_space_before_colon(self):
        self.check_stricter(b"GET /a.txt HTTP/1.0\r\nX-A : b\r\n\r\n", 200)

    def test_bare_cr_in_header(self):
        self.check_stricter(b"GET /a.txt HTTP/1.0\r\nX-A: a\rb\r\n\r\n", 200)

    def test_content_length_with_transfer_encoding(self):
        self.check_stricter(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 200)

    def test_differing_content_lengths(self):
        self.check_stricter(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                            b"Content-Length: 1\r\n\r\nx", 200)

    def test_bad_chunk_size(self):
        self.check_stricter(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"zz\r\nhello\r\n0\r\n\r\n", 200)

    def test_http11_without_host(self):
        # RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request that lacks Host.
        for version in (b"HTTP/1.1", b"HTTP/1.2"):
            with self.subTest(version=version):
                self.check_stricter(b"GET /a.txt " + version + b"\r\nConnection: close\r\n\r\n", 200)

    def test_request_line_split_only_at_sp_and_htab(self):
        # Python's str.split() separates the request line at these too; RFC 9112 §3 allows SP (and
        # HTAB), so httpserve refuses a line holding one rather than split there.
        for sep in (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f", b"\x85", b"\xa0"):
            with self.subTest(separator=sep):
                self.check_stricter(b"GET" + sep + b"/a.txt" + sep + b"HTTP/1.0\r\n\r\n", 200)
                self.check_stricter(b"GET /a.txt HTTP/1.0" + sep + b"\r\n\r\n", 200)
        py, hs = self.both(b"GET\t/a.txt\tHTTP/1.0\r\n\r\n")  # HTAB still separates, as in Python
        self.assertEqual((py.status, hs.status), (200, 200))
        self.assertEqual(hs.body, py.body)

    def test_unknown_transfer_coding(self):
        self.check_stricter(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 200, 501)

    # -- 414 reason phrase -------------------------------------------------------------------------
    def test_414_reason(self):
        pad = 65537 - len("GET /a.txt?") - len(" HTTP/1.0\r\n")
        data = b"GET /a.txt?" + b"x" * pad + b" HTTP/1.0\r\n\r\n"
        py, hs = self.both(data)
        self.assertEqual(py.status, 414, py)
        self.assertEqual(hs.status, 414, hs)
        self.assertEqual(hs.reason, "URI Too Long")
        if self.py_version <= (3, 12):
            self.assertEqual(py.reason, "Request-URI Too Long")
        self.assertEqual(hs.body, py.body.replace(b"Request-URI Too Long", b"URI Too Long"))
        self.assertEqual(hs.header("Content-Type"), "text/html;charset=utf-8")
        self.assertEqual(hs.header("Connection", "").lower(), "close")
        self.assertTrue(hs.closed)

    # -- %2f trailing slash (3.14 rules) --------------------------------------------------------------
    def test_file_with_encoded_trailing_slash(self):
        py, hs = self.both(req("/a.txt%2f"))
        _, missing = self.both(req("/missing"))
        self.assertEqual(hs.status, 404)
        self.assertEqual(hs.body, missing.body)
        if self.py_version <= (3, 12):
            self.assertEqual((py.status, py.body), (200, trees.A_TXT), "Python <= 3.13.0 bug")
        else:
            self.assertIn(py.status, (200, 404))

    def test_dir_with_encoded_trailing_slash(self):
        for t in ("/sub%2f", "/sub%2F"):
            py, hs = self.both(req(t))
            py_listing, _ = self.both(req("/sub/"))
            self.assertEqual(hs.status, 200, t)
            self.assertEqual(hs.body, py_listing.body, "listing of /sub/ for %s" % t)
            self.assertIsNone(hs.header("Location"))
            if self.py_version <= (3, 12):
                self.assertEqual((py.status, py.header("Location")), (301, t + "/"))

    # -- listing title without query and fragment (3.14) ------------------------------------------
    def test_listing_title_without_query(self):
        py_plain, hs_plain = self.both(req("/sub/"))
        self.assertEqual(hs_plain.body, py_plain.body)
        for t in ("/sub/?x=1&y=<b>", "/sub/?x=%bb", "/sub/#frag", "/sub/?q=1#frag", "/sub/?", "/sub/#"):
            py, hs = self.both(req(t))
            self.assertEqual(hs.status, 200, t)
            self.assertEqual(hs.body, py_plain.body, "title of %s has no query/fragment" % t)
            self.assertEqual(hs.header("Content-Length"), str(len(py_plain.body)))
            if self.py_version <= (3, 12) and "?" in t:
                self.assertNotEqual(py.body, py_plain.body, "Python <= 3.13 shows the query")
        py, _ = self.both(req("/sub/?x=1&y=<b>"))
        if self.py_version <= (3, 12):
            self.assertIn(b"Directory listing for /sub/?x=1&amp;y=&lt;b&gt;</title>", py.body)

    # -- 3.14 colour-scheme markup in error pages and listings ------------------------------------
    def test_dark_mode_markup(self):
        for target, style in (("/missing", b'        <style type="text/css">\n            :root {\n'
                                            b'                color-scheme: light dark;\n            }\n'
                                            b'        </style>\n        <title>Error response</title>'),
                              ("/sub/", b'<meta charset="utf-8">\n<style type="text/css">\n:root {\n'
                                        b'color-scheme: light dark;\n}\n</style>\n<title>Directory listing')):
            raw_py = client.exchange(self.py.port, req(target))
            hs = client.exchange(self.hs.port, req(target))
            self.assertIn(style, hs.body, target)
            self.assertEqual(hs.header("Content-Length"), str(len(hs.body)))
            if reference.PYTHON_VERSION < (3, 14):
                self.assertNotIn(b"color-scheme", raw_py.body, "Python < 3.14 has no <style> block")
                self.assertEqual(hs.body, reference.as_python_314(raw_py).body)
            else:
                self.assertEqual(hs.body, raw_py.body)

    # -- media types built in since 3.14 ------------------------------------------------------------
    def test_types_built_in_since_314(self):
        for name, media_type in TYPES_SINCE_314.items():
            py, hs = self.both(req("/types/" + name))
            self.assertEqual((py.status, hs.status), (200, 200), name)
            self.assertEqual(hs.body, py.body, name)
            if reference.PYTHON_VERSION < (3, 14) and py.header("Content-Type") == "application/octet-stream":
                self.assertEqual(hs.header("Content-Type"), media_type, name)  # the system file lacks it
            else:
                self.assertEqual(hs.header("Content-Type"), py.header("Content-Type"), name)

    # -- absolute-form target ----------------------------------------------------------------------
    def test_absolute_form(self):
        py, hs = self.both(req("http://127.0.0.1/a.txt"))
        self.assertEqual(py.status, 404, "Python takes http: as a folder")
        self.assertEqual((hs.status, hs.body), (200, trees.A_TXT))

    def test_absolute_form_with_dotdot(self):
        # Python: "http:/127.0.0.1/sub/../a.txt" normalises to http:/127.0.0.1/a.txt, which is missing.
        py, hs = self.both(req("http://127.0.0.1/sub/../a.txt"))
        self.assertEqual(py.status, 404)
        self.assertEqual((hs.status, hs.body), (200, trees.A_TXT))

    # -- HTTP/0.9 ------------------------------------------------------------------------------------
    def test_http09_answered_at_once(self):
        t0 = time.monotonic()
        hs = client.exchange(self.hs.port, b"GET /a.txt\r\n", timeout=3.0)
        self.assertFalse(hs.has_status_line, hs)
        self.assertEqual(hs.body, trees.A_TXT)
        self.assertTrue(hs.closed)
        self.assertLess(time.monotonic() - t0, 2.0)
        py_wait = client.exchange(self.py.port, b"GET /a.txt\r\n", timeout=1.0)
        if self.py_version <= (3, 13):
            self.assertEqual(py_wait.raw, b"", "Python <= 3.13 waits for headers (gh-139492)")
            self.assertFalse(py_wait.closed)
        py = reference.as_python_314(client.exchange(self.py.port, b"GET /a.txt\r\n\r\n"))
        self.assertEqual(hs.body, py.body)

    def test_http09_not_found_body_only(self):
        hs = client.exchange(self.hs.port, b"GET /missing\r\n", timeout=3.0)
        py = reference.as_python_314(client.exchange(self.py.port, b"GET /missing\r\n\r\n"))
        self.assertFalse(py.has_status_line)
        self.assertFalse(hs.has_status_line, hs)
        self.assertEqual(hs.body, py.body)

    def test_http09_listing(self):
        hs = client.exchange(self.hs.port, b"GET /sub/\r\n", timeout=3.0)
        py = reference.as_python_314(client.exchange(self.py.port, b"GET /sub/\r\n\r\n"))
        self.assertFalse(hs.has_status_line, hs)
        self.assertEqual(hs.body, py.body)

    # -- the access log: bytes from 0x80 up ---------------------------------------------------------
    def test_access_log_bytes_from_0x80(self):
        # ESC, DEL and '\\' are escaped alike; from 0x80 up Python logs each byte as a Latin-1
        # character (U+009B as \\x9b, the rest as UTF-8), httpserve keeps well-formed UTF-8 and
        # escapes C1 controls and ill-formed bytes.
        marker = b"log-bytes-probe"
        py, hs = self.both(req(b"/a.txt?" + marker + b"\x1b\x7f\\\xc2\x9b\xff\xc3\xa9"))
        self.assertEqual(py.status, 200)  # httpserve refuses control bytes in a target; both log it
        same = b"log-bytes-probe\\x1b\\x7f\\\\"
        expect_py = ('"GET /a.txt?' + same.decode() + '\u00c2\\x9b\u00ff\u00c3\u00a9 HTTP/1.1" 200 -\n').encode()
        expect_hs = b'"GET /a.txt?' + same + b'\\xc2\\x9b\\xff\xc3\xa9 HTTP/1.1" %d -\n' % hs.status
        for server, expected in ((self.py, expect_py), (self.hs, expect_hs)):
            found = procs.wait_until(lambda: expected in server.stderr_bytes(), 10.0)
            self.assertTrue(found, "no %r in %r" % (expected, [l for l in server.stderr_bytes().split(b"\n")
                                                               if marker in l]))

    # -- started as root: workers run as nobody ------------------------------------------------------
    @unittest.skipUnless(procs.IS_ROOT, "needs root: Python then serves as root, httpserve as nobody")
    def test_root_only_files(self):
        py, hs = self.both(req("/private.txt"))
        self.assertEqual((py.status, py.body), (200, b"root only\n"))
        self.assertEqual((hs.status, hs.reason), (404, "File not found"))
        py, hs = self.both(req("/privdir/x.txt"))
        self.assertEqual(py.status, 200)
        self.assertEqual(hs.status, 404)
        py, hs = self.both(req("/privdir/"))
        self.assertEqual(py.status, 200)
        self.assertEqual((hs.status, hs.reason), (404, "No permission to list directory"))
        py_root, hs_root = self.both(req("/"))
        self.assertIn(b'href="private.txt"', hs_root.body, "a name is listed even if unreadable")
        self.assertEqual(hs_root.body, py_root.body)

    @unittest.skipUnless(procs.IS_ROOT, "needs root")
    def test_workers_run_as_nobody(self):
        import pwd
        nobody = pwd.getpwnam("nobody").pw_uid
        workers = procs.children(self.hs.pid)
        self.assertTrue(workers, "no worker processes under the master %d" % self.hs.pid)
        for pid in workers:
            found = procs.ids(pid)
            if found is None:
                continue
            uids = found["Uid"]
            self.assertTrue(all(u == nobody for u in uids), "worker %d has uids %s" % (pid, uids))
            self.assertNotIn(0, found["Gid"], "worker %d keeps gid 0" % pid)


class CommandLineDifferencesTest(unittest.TestCase):
    """The command-line rows of the README's compatibility table."""

    def exit_status(self, args):
        fx = trees.get()
        server = servers.start_httpserve(args, cwd=fx.work, expect_serving=False)
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        rc = server.proc.returncode
        out = server.proc.stdout.read() if server.proc.stdout and rc is not None else b""
        err = server.stderr()
        server.stop()
        return rc, out, err

    def test_missing_directory(self):
        fx = trees.get()
        missing = os.path.join(fx.work, "no-such-folder")
        with reference.start_python(["-b", "127.0.0.1", "0", "-d", missing], cwd=fx.work) as py:
            self.assertEqual(client.request(py.port, "GET", "/a.txt").status, 404, "Python: 404 for everything")
        rc, out, err = self.exit_status(["-b", "127.0.0.1", "0", "-d", missing])
        self.assertEqual(rc, 2, "missing -d folder: exit status 2; stderr %r" % err)
        self.assertNotIn(b"Serving HTTP", out)
        self.assertTrue(err.strip(), "an error message on stderr")

    def test_port_out_of_range(self):
        for port in ("70000", "65536", "-1"):
            rc, out, err = self.exit_status(["-b", "127.0.0.1", port, "-d", trees.get().root])
            self.assertEqual(rc, 2, "port %s: exit status 2 (Python wraps 70000 to 4464); %r" % (port, err))
            self.assertIn("usage:", err)

    def test_protocol_free_text(self):
        fx = trees.get()
        with reference.start_python(["-b", "127.0.0.1", "0", "-d", fx.root, "-p", "HTTP/2.0"],
                                  cwd=fx.work) as py:
            self.assertEqual(client.request(py.port, "GET", "/a.txt").version, "HTTP/2.0")
        rc, out, err = self.exit_status(["-b", "127.0.0.1", "0", "-d", fx.root, "-p", "HTTP/2.0"])
        self.assertEqual(rc, 2, "-p accepts HTTP/1.0 or HTTP/1.1 only; %r" % err)


if __name__ == "__main__":
    unittest.main()
