"""Precompressed sidecars ([files] precompressed): foo.js.br / .zst / .gz sent for foo.js per
Accept-Encoding, with Content-Encoding, Vary, a per-coding ETag, conditional requests and ranges per
variant; stale, non-regular, symlinked (symlinks = "never") sidecars ignored; index pages; the file
cache noticing a sidecar appear, change and disappear; off in command-line mode and by default.

Run: python3 tests/run_all.py --build plain=build --pattern 'test_precompressed.py'
"""
import atexit
import gzip
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import client
import servers

CURL = shutil.which("curl")
BROTLI = shutil.which("brotli")
ZSTD = shutil.which("zstd")

APP = b"".join(b"console.log('line %d');\n" % i for i in range(400))  # ~10 KiB: cached in memory
BIG = b"".join(b"big line %08d of a large script\n" % i for i in range(4000))  # > 64 KiB: not cached
ALL = ("br", "zstd", "gzip")


def compress(coding, data):
    """The bytes of a sidecar: real compression where a tool exists, else labelled stand-ins (the
    server does not look inside)."""
    if coding == "gzip":
        return gzip.compress(data, mtime=0)
    tool = {"br": BROTLI and [BROTLI, "-c"], "zstd": ZSTD and [ZSTD, "-q", "-c"]}[coding]
    if tool:
        return subprocess.run(tool, input=data, stdout=subprocess.PIPE, check=True).stdout
    return b"stand-in for " + coding.encode() + b" of %d bytes" % len(data)


def decode(coding, data):
    if coding == "gzip":
        return gzip.decompress(data)
    tool = {"br": BROTLI and [BROTLI, "-d", "-c"], "zstd": ZSTD and [ZSTD, "-q", "-d", "-c"]}[coding]
    if not tool:
        return None
    return subprocess.run(tool, input=data, stdout=subprocess.PIPE, check=True).stdout


SUFFIX = {"br": ".br", "zstd": ".zst", "gzip": ".gz"}


class Tree:
    """A served folder (0755 folders, 0644 files: workers may run as nobody) and a folder outside it."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="httpserve-precomp-")
        atexit.register(shutil.rmtree, self.base, True)
        os.chmod(self.base, 0o755)
        self.root = os.path.join(self.base, "root")
        self.outside = os.path.join(self.base, "outside")
        self.conf = os.path.join(self.base, "conf")
        for d in (self.root, self.outside, self.conf):
            os.mkdir(d, 0o755)
            os.chmod(d, 0o755)
        self.sidecars = {}

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, data, mtime=None):
        path = self.path(rel) if not rel.startswith("/") else rel
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def with_sidecars(self, rel, data, codings=ALL, mtime=None):
        self.write(rel, data, mtime)
        for coding in codings:
            self.sidecars[(rel, coding)] = compress(coding, data)
            self.write(rel + SUFFIX[coding], self.sidecars[(rel, coding)], mtime)


def build_tree():
    t = Tree()
    now = time.time()
    t.with_sidecars("app.js", APP, mtime=now - 100)
    t.with_sidecars("only-gz.css", b"body { color: red }\n" * 50, codings=("gzip",))
    t.with_sidecars("big.js", BIG)  # the file and its sidecars are all larger than the memory cache takes
    t.with_sidecars("dir/index.html", b"<p>index</p>\n" * 100, codings=("gzip",))
    # A sidecar older than its file (left over from a previous version): ignored.
    t.write("stale.txt", b"new text\n" * 100, mtime=now - 10)
    t.write("stale.txt.gz", gzip.compress(b"old text\n" * 100), mtime=now - 1000)
    # Whole seconds: brotli copies the mtime without its nanoseconds; that is not older.
    t.write("second.txt", b"to the second\n" * 100)
    os.utime(t.path("second.txt"), ns=(int(now) * 10**9 + 700_000_000,) * 2)
    t.write("second.txt.gz", gzip.compress(b"to the second\n" * 100))
    os.utime(t.path("second.txt.gz"), ns=(int(now) * 10**9,) * 2)
    # Not a regular file: ignored.
    t.write("notfile.txt", b"plain\n" * 100)
    os.mkdir(t.path("notfile.txt.gz"), 0o755)
    os.chmod(t.path("notfile.txt.gz"), 0o755)
    # A symlinked sidecar: served under symlinks = "follow", ignored under "never".
    t.write("linked.txt", b"linked plain\n" * 100)
    target = t.write(os.path.join(t.outside, "linked.txt.gz"), gzip.compress(b"linked plain\n" * 100))
    os.symlink(target, t.path("linked.txt.gz"))
    # For the cache tests: sidecars come and go while the server runs.
    t.write("live.js", APP, mtime=now - 100)
    return t


class PrecompressedTest(unittest.TestCase):
    """A: precompressed = ["gzip", "br", "zstd"] (one worker, so that its cache sees every request);
    B: the same folder without the key; N: precompressed = ["gzip"] with symlinks = "never";
    P: command-line mode (python -m http.server's arguments)."""
    maxDiff = 2000

    @classmethod
    def setUpClass(cls):
        cls.t = t = build_tree()
        cls.a = servers.start_config_server(t.conf, t.root, name="a.toml", workers=1,
                                            files='precompressed = ["gzip", "br", "zstd"]\n')
        cls.addClassCleanup(cls.a.stop)
        cls.b = servers.start_config_server(t.conf, t.root, name="b.toml", workers=1)
        cls.addClassCleanup(cls.b.stop)
        cls.n = servers.start_config_server(t.conf, t.root, name="n.toml", workers=1,
                                            files='precompressed = ["gzip"]\nsymlinks = "never"\n')
        cls.addClassCleanup(cls.n.stop)
        cls.p = servers.start_httpserve(["-b", "127.0.0.1", "0", "-d", t.root], cwd=t.conf)
        cls.addClassCleanup(cls.p.stop)

    def get(self, target, accept=None, headers=(), server=None, method="GET"):
        h = ["%s: %s" % pair for pair in headers]
        if accept is not None:
            h.append("Accept-Encoding: %s" % accept)
        return client.request((server or self.a).port, method, target, h)

    def assert_variant(self, r, coding, rel="app.js"):
        """`r` is the whole `coding` sidecar of `rel` (None: the file itself), with the variant's headers."""
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Vary"), "Accept-Encoding", r)
        self.assertEqual(r.header("Content-Encoding"), coding, r)
        expected = self.t.sidecars[(rel, coding)] if coding else open(self.t.path(rel), "rb").read()
        self.assertEqual(r.body, expected, r)
        self.assertEqual(r.header("Content-Length"), str(len(expected)))

    # Choosing the coding

    def test_preference_at_equal_q_is_br_zstd_gzip(self):
        for accept in ("gzip, deflate, br, zstd", "br, zstd, gzip", "zstd, gzip, br", "*"):
            with self.subTest(accept=accept):
                self.assert_variant(self.get("/app.js", accept), "br")
        self.assert_variant(self.get("/app.js", "gzip, zstd"), "zstd")
        self.assert_variant(self.get("/app.js", "gzip"), "gzip")
        self.assert_variant(self.get("/app.js", "GZIP"), "gzip")
        self.assert_variant(self.get("/app.js", "x-gzip"), "gzip")

    def test_q_values(self):
        self.assert_variant(self.get("/app.js", "br;q=0.5, gzip;q=0.8, zstd;q=0.1"), "gzip")
        self.assert_variant(self.get("/app.js", "br;q=0, zstd;q=0, gzip"), "gzip")
        self.assert_variant(self.get("/app.js", "br;q=0.9, gzip;q=nonsense"), "br")
        self.assert_variant(self.get("/app.js", "*;q=0.2, zstd;q=0.3"), "zstd")
        self.assert_variant(self.get("/app.js", "*;q=0, gzip;q=0.001"), "gzip")
        # Nothing acceptable, or identity preferred: the file itself, still with Vary.
        for accept in ("deflate", "br;q=0, gzip;q=0, zstd;q=0", "gzip;q=0.5, identity", "", "identity"):
            with self.subTest(accept=accept):
                self.assert_variant(self.get("/app.js", accept), None)
        self.assert_variant(self.get("/app.js"), None)

    def test_identity_refused_without_a_sidecar_still_gets_the_file(self):
        # RFC 9110 lets the server send the identity coding anyway (nginx does): better than a 406.
        for accept in ("identity;q=0", "*;q=0", "identity;q=0, deflate"):
            with self.subTest(accept=accept):
                self.assert_variant(self.get("/app.js", accept), None)
        self.assert_variant(self.get("/only-gz.css", "identity;q=0, br"), None, "only-gz.css")
        self.assert_variant(self.get("/only-gz.css", "identity;q=0, br, gzip;q=0.1"), "gzip", "only-gz.css")

    def test_only_existing_sidecars_count(self):
        self.assert_variant(self.get("/only-gz.css", "br, zstd, gzip"), "gzip", "only-gz.css")
        self.assert_variant(self.get("/only-gz.css", "br, zstd"), None, "only-gz.css")

    def test_content_type_is_the_files(self):
        r = self.get("/app.js", "br")
        self.assertEqual(r.header("Content-Type"), self.get("/app.js").header("Content-Type"))
        self.assertIn("javascript", r.header("Content-Type"))
        self.assertEqual(self.get("/dir/", "gzip").header("Content-Type"), "text/html")

    @unittest.skipUnless(BROTLI and ZSTD, "brotli and zstd tools not installed")
    def test_sidecars_decode_to_the_file(self):
        for coding in ALL:
            r = self.get("/app.js", coding)
            self.assertEqual(r.header("Content-Encoding"), coding)
            self.assertEqual(decode(coding, r.body), APP)

    @unittest.skipUnless(CURL, "curl not installed")
    def test_curl_compressed(self):
        for target, rel in (("/app.js", "app.js"), ("/dir/", "dir/index.html"), ("/big.js", "big.js")):
            p = subprocess.run([CURL, "-s", "-S", "--compressed", "-D", "-", "-o", "-",
                                "http://127.0.0.1:%d%s" % (self.a.port, target)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            head, _, body = p.stdout.partition(b"\r\n\r\n")
            self.assertRegex(head, rb"(?i)\r\ncontent-encoding: (br|gzip|zstd)\r\n")
            self.assertEqual(body, open(self.t.path(rel), "rb").read(), target)

    # Validators, conditional requests, ranges, HEAD

    def test_etag_and_last_modified_per_variant(self):
        etags = {coding: self.get("/app.js", coding).header("ETag") for coding in ALL}
        etags[None] = self.get("/app.js").header("ETag")
        self.assertEqual(len(set(etags.values())), 4, etags)
        for coding in ALL:
            self.assertTrue(etags[coding].endswith('-%s"' % coding), etags)
            self.assertTrue(etags[coding].startswith('"'), etags)
        self.assertEqual(self.get("/app.js", "gzip").header("Last-Modified"),
                         client.http_date(os.stat(self.t.path("app.js.gz")).st_mtime))

    def test_if_none_match_per_variant(self):
        br_etag = self.get("/app.js", "br").header("ETag")
        r = self.get("/app.js", "br", [("If-None-Match", br_etag)])
        self.assertEqual(r.status, 304, r)
        self.assertEqual(r.header("ETag"), br_etag)
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        self.assertEqual(r.body, b"")
        # The same validator does not match the other variants.
        self.assert_variant(self.get("/app.js", "gzip", [("If-None-Match", br_etag)]), "gzip")
        self.assert_variant(self.get("/app.js", None, [("If-None-Match", br_etag)]), None)
        plain_etag = self.get("/app.js").header("ETag")
        self.assert_variant(self.get("/app.js", "br", [("If-None-Match", plain_etag)]), "br")
        r = self.get("/app.js", None, [("If-None-Match", plain_etag)])
        self.assertEqual((r.status, r.header("Vary")), (304, "Accept-Encoding"))

    def test_if_modified_since_uses_the_variants_date(self):
        lm = self.get("/app.js", "zstd").header("Last-Modified")
        r = self.get("/app.js", "zstd", [("If-Modified-Since", lm)])
        self.assertEqual(r.status, 304, r)

    def test_range_over_encoded_bytes(self):
        gz = self.t.sidecars[("app.js", "gzip")]
        r = self.get("/app.js", "gzip", [("Range", "bytes=10-29")])
        self.assertEqual(r.status, 206, r)
        self.assertEqual(r.body, gz[10:30])
        self.assertEqual(r.header("Content-Range"), "bytes 10-29/%d" % len(gz))
        self.assertEqual(r.header("Content-Encoding"), "gzip")
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        r = self.get("/app.js", "gzip", [("Range", "bytes=-5")])
        self.assertEqual((r.status, r.body), (206, gz[-5:]))
        r = self.get("/app.js", "gzip", [("Range", "bytes=%d-" % len(gz))])
        self.assertEqual(r.status, 416, r)
        self.assertEqual(r.header("Content-Range"), "bytes */%d" % len(gz))
        # Several ranges of an encoded variant: the whole variant.
        self.assert_variant(self.get("/app.js", "gzip", [("Range", "bytes=0-1,5-6")]), "gzip")
        # The file itself keeps multipart ranges.
        r = self.get("/app.js", None, [("Range", "bytes=0-1,5-6")])
        self.assertEqual(r.status, 206)
        self.assertTrue(r.header("Content-Type").startswith("multipart/byteranges"), r)

    def test_if_range_per_variant(self):
        gz = self.t.sidecars[("app.js", "gzip")]
        gz_etag = self.get("/app.js", "gzip").header("ETag")
        plain_etag = self.get("/app.js").header("ETag")
        r = self.get("/app.js", "gzip", [("Range", "bytes=0-3"), ("If-Range", gz_etag)])
        self.assertEqual((r.status, r.body), (206, gz[:4]))
        self.assert_variant(self.get("/app.js", "gzip", [("Range", "bytes=0-3"), ("If-Range", plain_etag)]), "gzip")

    def test_head(self):
        for coding in ALL:
            r = self.get("/app.js", coding, method="HEAD")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, b"")
            self.assertEqual(r.header("Content-Encoding"), coding)
            self.assertEqual(r.header("Content-Length"), str(len(self.t.sidecars[("app.js", coding)])))
            self.assertEqual(r.header("ETag"), self.get("/app.js", coding).header("ETag"))
            self.assertEqual(r.header("Vary"), "Accept-Encoding")

    # Which files have variants

    def test_a_sidecar_requested_itself_is_what_it_is(self):
        r = self.get("/app.js.gz", "gzip, br")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, self.t.sidecars[("app.js", "gzip")])
        self.assertEqual(r.header("Content-Type"), "application/gzip")
        self.assertIsNone(r.header("Content-Encoding"))
        self.assertIsNone(r.header("Vary"))
        r = self.get("/app.js.br", "br")
        self.assertEqual(r.body, self.t.sidecars[("app.js", "br")])
        self.assertIsNone(r.header("Content-Encoding"))

    def test_index_page(self):
        self.assert_variant(self.get("/dir/", "gzip, br"), "gzip", "dir/index.html")
        self.assert_variant(self.get("/dir/", "br"), None, "dir/index.html")
        self.assert_variant(self.get("/dir/index.html", "gzip"), "gzip", "dir/index.html")

    def test_large_file_and_sidecars(self):
        for coding in ALL:
            self.assert_variant(self.get("/big.js", coding), coding, "big.js")
        self.assert_variant(self.get("/big.js"), None, "big.js")
        etag = self.get("/big.js", "zstd").header("ETag")
        self.assertTrue(etag.endswith('-zstd"'), etag)
        r = self.get("/big.js", "zstd", [("If-None-Match", etag)])
        self.assertEqual(r.status, 304)

    def test_large_sidecar_of_a_small_file(self):
        big_gz = os.urandom(200_000)  # the server serves what is there; it is not decoded here
        self.t.write("small-big.txt", b"small\n")
        self.t.write("small-big.txt.gz", big_gz)
        r = self.get("/small-big.txt", "gzip")
        self.assertEqual((r.status, r.header("Content-Encoding"), r.body), (200, "gzip", big_gz))
        r = self.get("/small-big.txt", "gzip", [("Range", "bytes=100000-100009")])
        self.assertEqual((r.status, r.body), (206, big_gz[100000:100010]))

    def test_stale_sidecar_ignored(self):
        r = self.get("/stale.txt", "gzip")
        self.assertEqual(r.body, b"new text\n" * 100)
        self.assertIsNone(r.header("Content-Encoding"))
        self.assertEqual(r.header("Vary"), "Accept-Encoding")

    def test_sidecar_older_by_a_fraction_of_a_second_counts(self):
        r = self.get("/second.txt", "gzip")
        self.assertEqual(r.header("Content-Encoding"), "gzip", r)
        self.assertEqual(gzip.decompress(r.body), b"to the second\n" * 100)

    def test_sidecar_that_is_no_regular_file_ignored(self):
        r = self.get("/notfile.txt", "gzip")
        self.assertEqual((r.status, r.body, r.header("Content-Encoding")), (200, b"plain\n" * 100, None))

    def test_symlink_policy_applies_to_sidecars(self):
        r = self.get("/linked.txt", "gzip")
        self.assertEqual(r.header("Content-Encoding"), "gzip")
        r = self.get("/linked.txt", "gzip", server=self.n)
        self.assertEqual((r.status, r.header("Content-Encoding")), (200, None))
        self.assertEqual(r.body, b"linked plain\n" * 100)
        self.assertEqual(self.get("/linked.txt.gz", server=self.n).status, 404)
        # Enabled codings only: N looks for .gz alone.
        self.assert_variant(self.get("/app.js", "br, gzip", server=self.n), "gzip")

    def test_dotfiles_deny_covers_sidecars(self):
        self.t.write(".secret.js", b"secret\n")
        self.t.write(".secret.js.gz", gzip.compress(b"secret\n"))
        d = servers.start_config_server(self.t.conf, self.t.root, name="d.toml", workers=1,
                                        files='precompressed = ["gzip"]\ndotfiles = "deny"\n')
        self.addCleanup(d.stop)
        for target in ("/.secret.js", "/.secret.js.gz"):
            r = self.get(target, "gzip", server=d)
            self.assertEqual(r.status, 404, target)
            self.assertNotIn(b"secret", r.body)
        self.assert_variant(self.get("/app.js", "gzip", server=d), "gzip")

    # Off unless configured

    def test_off_by_default_and_in_command_line_mode(self):
        for server in (self.b, self.p):
            with self.subTest(argv=server.argv):
                r = self.get("/app.js", "gzip, br, zstd", server=server)
                self.assertEqual((r.status, r.body), (200, APP))
                self.assertIsNone(r.header("Content-Encoding"))
                self.assertIsNone(r.header("Vary"))
                r = self.get("/dir/", "gzip", server=server)
                self.assertEqual(r.body, b"<p>index</p>\n" * 100)

    # The file cache

    def create_plainly(self, rel, data):
        # Created and written, nothing else (a chmod would be reported on its own).
        old = os.umask(0o022)
        try:
            fd = os.open(self.t.path(rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        finally:
            os.umask(old)
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def test_sidecar_appears_changes_disappears(self):
        # One worker: each answer comes from the same cache, warmed by the request before.
        for _ in range(3):
            self.assert_variant(self.get("/live.js", "br, gzip"), None, "live.js")
        br = compress("br", APP)
        self.create_plainly("live.js.br", br)
        for _ in range(2):
            r = self.get("/live.js", "br, gzip")
            self.assertEqual((r.header("Content-Encoding"), r.body), ("br", br))
        changed = br + b"(changed)"
        with open(self.t.path("live.js.br"), "r+b") as f:
            f.write(changed)
        r = self.get("/live.js", "br, gzip")
        self.assertEqual(r.body, changed)
        # A second sidecar arriving by rename (what an atomic build step does).
        gz = compress("gzip", APP)
        tmp = self.t.write("live.tmp", gz)
        os.rename(tmp, self.t.path("live.js.gz"))
        r = self.get("/live.js", "gzip")
        self.assertEqual((r.header("Content-Encoding"), r.body), ("gzip", gz))
        os.unlink(self.t.path("live.js.br"))
        r = self.get("/live.js", "br, gzip")
        self.assertEqual((r.header("Content-Encoding"), r.body), ("gzip", gz))
        os.unlink(self.t.path("live.js.gz"))
        self.assert_variant(self.get("/live.js", "br, gzip"), None, "live.js")

    def test_file_rewritten_makes_its_sidecar_stale(self):
        self.t.write("rewrite.js", APP, mtime=time.time() - 100)
        self.t.write("rewrite.js.gz", compress("gzip", APP), mtime=time.time() - 50)
        r = self.get("/rewrite.js", "gzip")
        self.assertEqual(r.header("Content-Encoding"), "gzip")
        self.t.write("rewrite.js", b"a new version\n")  # now newer than its sidecar
        r = self.get("/rewrite.js", "gzip")
        self.assertEqual((r.header("Content-Encoding"), r.body), (None, b"a new version\n"))


if __name__ == "__main__":
    unittest.main()
