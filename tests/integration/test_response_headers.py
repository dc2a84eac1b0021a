"""Extra response headers and the default media type: the command line's -H NAME VALUE and
--content-type TYPE (Python 3.15's), and the config file's [[headers]] (per path pattern) and
[mime] default_type.

Python 3.15 adds -H headers to its successful (200) answers only, file and listing alike, never to
errors, redirects or 304s (CPython's test_httpservers: test_extra_headers_list_dir,
test_extra_response_headers_get_file, and "only sent for HTTP 200 responses"); the tests here mirror
those. The Python on the machine predates 3.15, so they assert httpserve alone.

Run: cd tests/integration && python3 -m unittest test_response_headers -v
"""
import os
import shutil
import tempfile
import unittest

import client
import servers
import trees

A = trees.A_TXT


def values(response, name):
    return [v for n, v in response.headers if n.lower() == name.lower()]


class CommandLineHeadersTest(unittest.TestCase):
    """httpserve -H X-Test1 test1 -H X-Test2 test2 -H X-Test1 again --content-type text/html."""

    @classmethod
    def setUpClass(cls):
        cls.fx = trees.get()
        cls.hs = servers.start_httpserve(["-b", "127.0.0.1", "0", "-d", cls.fx.root,
                                          "-H", "X-Test1", "test1", "--header", "X-Test2", "test2",
                                          "-H", "X-Test1", "again", "--content-type", "text/html"],
                                         cwd=cls.fx.work)
        cls.addClassCleanup(cls.hs.stop)

    def get(self, target, headers=(), method="GET"):
        return client.request(self.hs.port, method, target, headers)

    def assertExtra(self, r, what):
        self.assertEqual(values(r, "X-Test1"), ["test1", "again"], "%s: repeated names all sent, in order" % what)
        self.assertEqual(values(r, "X-Test2"), ["test2"], what)

    def assertNoExtra(self, r, what):
        self.assertEqual(values(r, "X-Test1") + values(r, "X-Test2"), [], "%s: no extra headers" % what)

    def test_extra_response_headers_get_file(self):
        r = self.get("/a.txt")
        self.assertEqual((r.status, r.body), (200, A))
        self.assertExtra(r, "200 file")
        self.assertEqual(r.header("Content-Type"), "text/plain", "a known type is not replaced")
        names = [n.lower() for n in r.header_names()]
        self.assertLess(names.index("last-modified"), names.index("x-test1"), "after the server's own headers")

    def test_extra_headers_head(self):
        r = self.get("/a.txt", method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertExtra(r, "HEAD")

    def test_extra_headers_list_dir(self):
        r = self.get("/sub/")
        self.assertEqual(r.status, 200)
        self.assertIn(b"Directory listing for /sub/", r.body)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertExtra(r, "listing")

    def test_extra_headers_index_page(self):
        r = self.get("/withindex/")
        self.assertEqual(r.status, 200)
        self.assertExtra(r, "index page")

    def test_extra_headers_range(self):
        r = self.get("/a.txt", ["Range: bytes=0-1"])
        self.assertEqual((r.status, r.body), (206, A[:2]))
        self.assertExtra(r, "206: what Python answers with a 200")

    def test_only_successful_answers(self):
        r = self.get("/missing")
        self.assertEqual(r.status, 404)
        self.assertNoExtra(r, "404")
        r = self.get("/sub")
        self.assertEqual((r.status, r.header("Location")), (301, "/sub/"))
        self.assertNoExtra(r, "301")
        lm = self.get("/a.txt").header("Last-Modified")
        r = self.get("/a.txt", ["If-Modified-Since: " + lm])
        self.assertEqual(r.status, 304)
        self.assertNoExtra(r, "304")
        r = self.get("/a.txt", ["Range: bytes=99-"])
        self.assertEqual(r.status, 416)
        self.assertNoExtra(r, "416")
        r = self.get("/a.txt", method="DELETE")
        self.assertEqual(r.status, 501)
        self.assertNoExtra(r, "501")

    def test_content_type_for_unknown_extensions(self):
        r = self.get("/noext")
        self.assertEqual((r.status, r.body), (200, trees.FILES["noext"]))
        self.assertEqual(r.header("Content-Type"), "text/html", "--content-type for a name without extension")
        r = self.get("/types/f.toml")
        self.assertEqual(r.header("Content-Type"), "text/html", "--content-type for an unknown extension")
        r = self.get("/big1m.bin", method="HEAD")
        self.assertEqual(r.header("Content-Type"), "application/octet-stream", ".bin is a known type")
        self.assertEqual(self.get("/missing").header("Content-Type"), "text/html;charset=utf-8")


class CommandLineHeaderErrorsTest(unittest.TestCase):
    """Bad -H / --content-type values stop httpserve at start (exit status 2), before it serves."""

    def test_refused_at_start(self):
        root = trees.get().root
        for args, message in ((["-H", "X-A", "a\r\nSet-Cookie: x=1"], "must not contain CR, LF or NUL"),
                              (["-H", "Content-Length", "0"], "Content-Length is set by the server"),
                              (["-H", "X-A"], "argument -H/--header: expected 2 arguments"),
                              (["--content-type", "html"], "expected a media type")):
            with self.subTest(args=args):
                rc, out, err, _ = servers.run_cli(["-b", "127.0.0.1", "0", "-d", root] + args)
                self.assertEqual(rc, 2, err)
                self.assertIn(message, err)
                self.assertIn("usage:", err)
                self.assertNotIn("Serving HTTP", out)


CONFIG_HEADERS = '''
[mime]
default_type = "text/plain"

[[headers]]
match = "/sub/*"
set = { "Access-Control-Allow-Origin" = "*", "Cache-Control" = "no-store" }

[[headers]]
match = "*.txt"
set = { "Cache-Control" = "max-age=60", "X-Txt" = "yes" }
'''


class ConfigHeadersTest(unittest.TestCase):
    """[[headers]] rules by path pattern (a CORS example) and [mime] default_type; -H on top of them."""

    @classmethod
    def setUpClass(cls):
        cls.fx = trees.get()
        cls.confdir = tempfile.mkdtemp(prefix="httpserve-headers-")
        cls.addClassCleanup(shutil.rmtree, cls.confdir, True)
        cls.hs = servers.start_config_server(cls.confdir, cls.fx.root, workers=1, sections=CONFIG_HEADERS)
        cls.addClassCleanup(cls.hs.stop)

    def get(self, target, headers=(), port=None):
        return client.request(port or self.hs.port, "GET", target, headers)

    def test_pattern_selects_paths(self):
        r = self.get("/sub/deep/deeper/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*", "'*' crosses '/'")
        self.assertEqual(values(r, "Cache-Control"), ["no-store"])
        self.assertIsNone(r.header("X-Txt"))
        r = self.get("/a.txt")
        self.assertEqual((r.status, r.body), (200, A))
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        self.assertEqual(values(r, "Cache-Control"), ["max-age=60"])
        r = self.get("/page.html")
        self.assertEqual(r.status, 200)
        self.assertEqual([n for n in r.header_names() if n in ("Access-Control-Allow-Origin", "Cache-Control",
                                                                "X-Txt")], [])

    def test_later_rule_wins(self):
        r = self.get("/sub/d.txt")
        self.assertEqual((r.status, r.body), (200, trees.FILES["sub/d.txt"]))
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        self.assertEqual(values(r, "Cache-Control"), ["max-age=60"], "the later table's value only")
        self.assertEqual(r.header("X-Txt"), "yes")

    def test_matched_on_the_decoded_normalised_path(self):
        r = self.get("/%73ub/../sub/./d%2Etxt?x=1")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        r = self.get("/sub/../a.txt")
        self.assertIsNone(r.header("Access-Control-Allow-Origin"), "/sub/../a.txt is /a.txt")

    def test_not_on_errors_and_redirects(self):
        r = self.get("/sub/missing.txt")
        self.assertEqual(r.status, 404)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        r = self.get("/sub/deep")
        self.assertEqual(r.status, 301)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))

    def test_default_type(self):
        self.assertEqual(self.get("/noext").header("Content-Type"), "text/plain")
        self.assertEqual(self.get("/page.html").header("Content-Type"), "text/html")

    def test_command_line_header_on_top_of_the_file(self):
        path = servers.write_config(self.confdir, servers.config_text(servers.free_port(), self.fx.root, workers=1,
                                                                       sections=CONFIG_HEADERS), name="cli.toml")
        with servers.start_httpserve(["-c", path, "-H", "Cache-Control", "private", "-H", "X-All", "1",
                                      "--content-type", "application/x-unknown"]) as hs:
            r = self.get("/sub/d.txt", port=hs.port)
            self.assertEqual(values(r, "Cache-Control"), ["private"], "-H wins over the file's rules")
            self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
            self.assertEqual(r.header("X-All"), "1")
            self.assertEqual(self.get("/page.html", port=hs.port).header("X-All"), "1", "-H: every path")
            self.assertEqual(self.get("/noext", port=hs.port).header("Content-Type"), "application/x-unknown")


class ConfigHeaderErrorsTest(unittest.TestCase):
    def test_bad_rule_is_a_config_error(self):
        confdir = tempfile.mkdtemp(prefix="httpserve-headers-")
        self.addCleanup(shutil.rmtree, confdir, True)
        text = servers.config_text(servers.free_port(), trees.get().root,
                                   sections='[[headers]]\nmatch = "/x/*"\nset = { "X-A" = "a\\nb" }\n')
        path = servers.write_config(confdir, text)
        rc, out, err, _ = servers.run_cli(["-t", "-c", path])
        self.assertNotEqual(rc, 0, err)
        line = text.split("\n").index('set = { "X-A" = "a\\nb" }') + 1
        self.assertIn("%s:%d: headers[0].set.X-A: a header value must not contain CR, LF or NUL" % (path, line), err)


if __name__ == "__main__":
    unittest.main()
