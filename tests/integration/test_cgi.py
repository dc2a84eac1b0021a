"""CGI (`--cgi`, `[cgi]`): httpserve against `python3 -m http.server --cgi` (dispatch table, checks and
their messages, the RFC 3875 meta-variables, argv), then httpserve alone for what it does better
(parsed response heads, framing, persistent connections, request bodies, timeouts, process limits,
the user scripts run as, a clean environment).

The served tree and its scripts are written at run time into a temporary folder (cgi_scripts.CgiTree).
Run: cd /work/main && python3 tests/run_all.py --build plain=build --pattern test_cgi.py
"""
import email.utils
import http.client
import os
import signal
import threading
import time
import unittest

import cgi_scripts
import client
import logs
import procs
import reference
import servers

TREE = None
STRAY_GROUPS = set()   # process groups of test scripts that a failing server might leave behind


def setUpModule():
    global TREE
    TREE = cgi_scripts.CgiTree()


def kill_group(pgid):
    """Kills a test script's process group (recorded by the script itself) if a server left it."""
    if pgid > 1 and pgid != os.getpgrp():
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def tearDownModule():
    for pgid in STRAY_GROUPS:
        kill_group(pgid)
    if TREE:
        TREE.cleanup()


def canary_env():
    """The server's own environment: scripts must see none of it (Python copies it whole)."""
    return servers.server_env(LEAK_CANARY="1", HTTP_USER_AGENT="leak", HTTP_PROXY="http://leak.invalid:1",
                        REMOTE_USER="leak")


# ===================================================================================================
# 1. Differential: httpserve --cgi against python3 -m http.server --cgi, one tree.

# (method, target, headers, body): 200 from a script; the script's environment is compared.
ENV_CASES = [
    ("GET", "/cgi-bin/env.py", (), None),
    ("GET", "/htbin/env.py", (), None),
    ("GET", "/cgi-bin%2fenv.py", (), None),
    ("GET", "/x/../cgi-bin/env.py", (), None),
    ("GET", "/cgi-bin/./env.py", (), None),
    ("GET", "/cgi-bin//env.py", (), None),
    ("GET", "//cgi-bin/env.py", (), None),
    ("GET", "/htbin/../cgi-bin/env.py?x", (), None),
    ("GET", "/cgi-bin/child-dir/../env.py", (), None),
    ("GET", "/cgi-bin/env.py/extra/p%20ath?q=a+b&c=%20d", (), None),
    ("GET", "/cgi-bin/env.py/", (), None),
    ("GET", "/cgi-bin/env.py/p%2520q", (), None),
    ("GET", "/cgi-bin/env.py/a%2fb/../c", (), None),
    ("GET", "/cgi-bin/env.py?a=b?c=d", (), None),
    ("GET", "/cgi-bin/env.py?k=aa%2F%2Fbb&//q//p//=//a//b//", (), None),
    ("GET", "/cgi-bin/env.py?", (), None),
    ("GET", "/cgi-bin/env.py?hello+world", (), None),
    ("GET", "/cgi-bin/env.py%3Fx=1", (), None),
    ("GET", "/cgi-bin/child-dir/file3.py", (), None),
    ("GET", "/cgi-bin/child-dir/file3.py/x/y?z", (), None),
    ("GET", "/cgi-bin/child-dir//file3.py", (), None),
    # Authorization: AUTH_TYPE / REMOTE_USER variants
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic dXNlcjpwYXNz",), None),
    ("GET", "/cgi-bin/env.py", ("Authorization: basic dXNlcjpwYXNz",), None),
    ("GET", "/cgi-bin/env.py", ("Authorization: BASIC dXNlcjpwYXNz",), None),
    ("GET", "/cgi-bin/env.py", ("Authorization: Bearer abc.def",), None),
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic dXNlcg==",), None),           # no ':'
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic dXNlcjpwYTpzcw==",), None),   # user:pa:ss
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic OnBhc3M=",), None),           # ':pass'
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic dXNlcjpwYXN",), None),        # bad padding
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic d*XNlcjpwYXNz",), None),      # lenient decoder
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic w6k6eA==",), None),           # not ASCII
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic",), None),
    ("GET", "/cgi-bin/env.py", ("Authorization: Basic dXNlcjpwYXNz extra",), None),
    ("GET", "/cgi-bin/env.py", ("Authorization:   Basic   dXNlcjpwYXNz  ",), None),
    # Accept, Cookie, User-Agent, Referer, Content-Type, headers that are not passed on
    ("GET", "/cgi-bin/env.py", ("Accept: text/html", "Accept: text/plain"), None),
    ("GET", "/cgi-bin/env.py", ("Accept: */*",), None),
    ("GET", "/cgi-bin/env.py", ("Cookie: a=1", "Cookie: b=2"), None),
    ("GET", "/cgi-bin/env.py", ("Cookie: a=1", "Cookie:", "Cookie: c=3"), None),
    ("GET", "/cgi-bin/env.py", ("User-Agent: test-agent/1.0", "Referer: http://example.com/from"), None),
    ("GET", "/cgi-bin/env.py", ("Content-Type: application/json; charset=utf-8",), None),
    ("GET", "/cgi-bin/env.py", ("Proxy: x", "X-Custom: y", "Host: example.test"), None),
    # POST with bodies (the script reads exactly CONTENT_LENGTH bytes)
    ("POST", "/cgi-bin/env.py", ("Content-Type: application/x-www-form-urlencoded",), b"a=1&b=2"),
    ("POST", "/cgi-bin/env.py?x=1", (), b""),
    ("POST", "/cgi-bin/env.py/p", (), bytes(range(256)) * 256),
    ("POST", "/htbin/env.py", ("Content-Type: text/plain",), b"hello"),
]

# Not a script's output: status, reason, Location and body must be Python's.
STATUS_CASES = [
    ("GET", "/cgi-bin", (), None),                  # 301 to /cgi-bin/
    ("GET", "/htbin", (), None),
    ("GET", "/cgi-bin/", (), None),                 # 403 not a plain file ('/cgi-bin/')
    ("GET", "/htbin/", (), None),
    ("GET", "/CGI-BIN/env.py", (), None),           # not CGI: 404 File not found
    ("GET", "/cgi-bin/../a.txt", (), None),         # static
    ("GET", "/nocgi.py", (), None),
    ("GET", "///////////nocgi.py/../cgi-bin/nothere.sh", (), None),
    ("GET", "/cgi-bin/nothere", (), None),
    ("GET", "/cgi-bin/nothere.py/extra?q", (), None),
    ("GET", "/cgi-bin/noexec.py", (), None),        # 403 not executable
    ("GET", "/cgi-bin/noexec.py/extra", (), None),
    ("GET", "/cgi-bin/child-dir", (), None),        # 403 not a plain file
    ("GET", "/cgi-bin/child-dir/", (), None),
    ("GET", "/cgi-bin/emptydir", (), None),
    ("GET", "/cgi-bin/emptydir/x.sh", (), None),
    ("GET", "/cgi-bin/child-dir/nothere.py/x", (), None),
    ("GET", "/cgi-bin/env.py/%2e%2e/x", (), None),  # collapses to /cgi-bin/x
    ("GET", "/cgi-bin/child-dir/grandchild", (), None),
    ("PUT", "/cgi-bin/env.py", ("Content-Length: 0",), None),
    ("DELETE", "/cgi-bin/env.py", (), None),
    ("OPTIONS", "/cgi-bin/env.py", (), None),
    ("POST", "/a.txt", ("Content-Length: 0",), None),       # 501 Can only POST to CGI scripts
    ("POST", "/nothere", ("Content-Length: 0",), None),
    ("POST", "/cgi-bin", ("Content-Length: 0",), None),
    ("POST", "/", ("Content-Length: 0",), None),
    ("POST", "/cgi-bin/", ("Content-Length: 0",), None),
    ("POST", "/cgi-bin/noexec.py", ("Content-Length: 0",), None),
    ("POST", "/cgi-bin/nothere.py", ("Content-Length: 0",), None),
]

ARGV_QUERIES = ["", "?", "?hello+world", "?a=b", "?a%20b", "?x+y=z", "?++", "?a?b", "?a+%2B+b", "?=",
                "?%3D"]


def script_output_body(resp):
    """The body the script wrote after its header block. Python sends its own status line + Server +
    Date, then the script's output verbatim (no blank line of its own), so client.Response
    already parsed the script's header lines as part of the head."""
    return resp.body


class CgiDifferentialTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.py = reference.start_python_cgi(TREE.root)
        cls.addClassCleanup(cls.py.stop)
        cls.hs = servers.start_httpserve_cgi(TREE.root, env=canary_env())
        cls.addClassCleanup(cls.hs.stop)

    def both(self, method, target, headers=(), body=None):
        py = reference.as_python_314(client.request(self.py.port, method, target, headers, body))
        hs = client.request(self.hs.port, method, target, headers, body)
        return py, hs

    def test_environment_matches_python(self):
        for method, target, headers, body in ENV_CASES:
            with self.subTest(method=method, target=target, headers=headers):
                py, hs = self.both(method, target, headers, body)
                self.assertEqual(py.status, 200, "python: %r" % py)
                self.assertEqual(hs.status, 200, "httpserve: %r" % hs)
                self.assertEqual(hs.header("Content-Type"), "text/plain")
                pe, he = cgi_scripts.parse_env(script_output_body(py)), cgi_scripts.parse_env(hs.body)
                self.assertIn("SCRIPT_NAME", pe, "python's script printed no environment: %r" % py)
                keys = cgi_scripts.COMPARED_KEYS + ("X_ARGV", "X_BODY_LEN", "X_BODY_SHA256")
                self.assertEqual({k: he.get(k) for k in keys}, {k: pe.get(k) for k in keys})
                self.assertEqual(pe.get("SERVER_PORT"), str(self.py.port))
                self.assertEqual(he.get("SERVER_PORT"), str(self.hs.port))
                for leaked in ("LEAK_CANARY", "HTTP_PROXY", "HTTP_AUTHORIZATION"):
                    self.assertNotIn(leaked, he)
                if body is not None:
                    self.assertEqual(he.get("X_BODY_LEN"), str(len(body)))

    def test_spec_examples(self):
        # The values Python's CGIHTTPRequestHandler gives for this URL, against httpserve directly.
        r = client.request(self.hs.port, "GET", "/cgi-bin/env.py/extra/p%20ath?q=a+b&c=%20d")
        self.assertEqual(r.status, 200, r)
        env = cgi_scripts.parse_env(r.body)
        self.assertEqual(env.get("SCRIPT_NAME"), "/cgi-bin/env.py")
        self.assertEqual(env.get("PATH_INFO"), "/extra/p ath")
        self.assertEqual(env.get("PATH_TRANSLATED"), TREE.root + "/extra/p ath")
        self.assertEqual(env.get("QUERY_STRING"), "q=a+b&c=%20d")
        self.assertEqual(env.get("REMOTE_ADDR"), "127.0.0.1")
        self.assertEqual(env.get("CONTENT_TYPE"), "text/plain")
        self.assertEqual(env.get("HTTP_ACCEPT"), "")
        self.assertEqual(env.get("GATEWAY_INTERFACE"), "CGI/1.1")
        r = client.request(self.hs.port, "GET", "/cgi-bin/child-dir/file3.py")
        self.assertEqual(cgi_scripts.parse_env(r.body).get("SCRIPT_NAME"), "/cgi-bin/child-dir/file3.py")
        r = client.request(self.hs.port, "GET", "/cgi-bin/env.py",
                      ("Authorization: Basic dXNlcjpwYXNz", "Cookie: a=1", "Cookie: b=2",
                       "Accept: text/html", "Accept: text/plain"))
        env = cgi_scripts.parse_env(r.body)
        self.assertEqual((env.get("AUTH_TYPE"), env.get("REMOTE_USER")), ("Basic", "user"))
        self.assertEqual(env.get("HTTP_COOKIE"), "a=1, b=2")
        self.assertEqual(env.get("HTTP_ACCEPT"), "text/html,text/plain")

    def test_dispatch_and_refusals_match_python(self):
        for method, target, headers, body in STATUS_CASES:
            with self.subTest(method=method, target=target):
                py, hs = self.both(method, target, headers, body)
                self.assertTrue(py.has_status_line, "python gave no answer: %r" % py)
                self.assertEqual((hs.status, hs.reason), (py.status, py.reason), "httpserve %r" % hs)
                self.assertEqual(hs.header("Location"), py.header("Location"))
                if method != "HEAD":
                    self.assertEqual(hs.body, py.body)

    def test_refusal_messages(self):
        # The exact texts (README, "CGI"), not only "the same as Python".
        expect = {
            "/cgi-bin/x": (404, "No such CGI script ('/cgi-bin/x')"),
            "/cgi-bin/": (403, "CGI script is not a plain file ('/cgi-bin/')"),
            "/cgi-bin/noexec.py": (403, "CGI script is not executable ('/cgi-bin/noexec.py')"),
            "/cgi-bin/child-dir/": (403, "CGI script is not a plain file ('/cgi-bin/child-dir/')"),
        }
        for target, (status, reason) in expect.items():
            with self.subTest(target=target):
                r = client.request(self.hs.port, "GET", target)
                self.assertEqual((r.status, r.reason), (status, reason))
                self.assertIn(("<p>Message: %s.</p>" % reason).encode(), r.body)
        r = client.request(self.hs.port, "POST", "/a.txt", ("Content-Length: 0",))
        self.assertEqual((r.status, r.reason), (501, "Can only POST to CGI scripts"))
        r = client.request(self.hs.port, "GET", "/cgi-bin")
        self.assertEqual((r.status, r.header("Location")), (301, "/cgi-bin/"))

    def test_argv_matches_python(self):
        for q in ARGV_QUERIES:
            with self.subTest(query=q):
                py, hs = self.both("GET", "/cgi-bin/argv.sh" + q)
                self.assertEqual(py.status, 200, py)
                self.assertEqual(hs.status, 200, hs)
                self.assertEqual(hs.body, script_output_body(py))
        r = client.request(self.hs.port, "GET", "/cgi-bin/argv.sh?hello+world")
        self.assertEqual(r.body, b"1\n[hello world]\n")
        r = client.request(self.hs.port, "GET", "/cgi-bin/argv.sh")
        self.assertEqual(r.body, b"1\n[]\n", "no query: an empty argv[1], as Python")
        r = client.request(self.hs.port, "GET", "/cgi-bin/argv.sh?a=b")
        self.assertEqual(r.body, b"0\n")

    def test_shebang_scripts_get_their_own_path_as_python_gives_it(self):
        # $0, sys.argv[0] and __file__ name the script (not a descriptor), so that it finds what lies next
        # to it; through #!/usr/bin/env python3 (an interpreter and its argument) too.
        cgi = os.path.join(TREE.root, "cgi-bin")
        expect = {
            "/cgi-bin/self.sh": "0=%s/self.sh\nread from next to the script\n" % cgi,
            "/cgi-bin/self.sh?q": "0=%s/self.sh\nread from next to the script\n" % cgi,
            "/cgi-bin/child-dir/self.sh/extra": "0=%s/child-dir/self.sh\nread from next to child-dir/self.sh\n" % cgi,
            "/cgi-bin/self.py": "argv0=%s/self.py\nfolder=%s\nsibling=imported from next to the script\n"
                                "read from next to the script\n" % (cgi, cgi),
            # One argument with its inner spaces and tabs, then the script's path, then the query.
            "/cgi-bin/spaced-argument.sh?a+b": "[one two\t three]\n[%s/spaced-argument.sh]\n[a b]\n" % cgi,
        }
        for target, body in expect.items():
            with self.subTest(target=target):
                py, hs = self.both("GET", target)
                self.assertEqual(py.status, 200, py)
                self.assertEqual(script_output_body(py).decode(), body, "python")
                self.assertEqual(hs.status, 200, hs)
                self.assertEqual(hs.body.decode(), body, "httpserve")

    def test_python_crash_paths_are_400(self):
        # Python's _url_collapse_path raises IndexError: no answer, the connection is dropped.
        for target in ("/../cgi-bin/env.py", "/cgi-bin/../../env.py", "/../a.txt", "/.//.."):
            with self.subTest(target=target):
                py, hs = self.both("GET", target)
                self.assertFalse(py.has_status_line, "python answered %r" % py)
                self.assertEqual(hs.status, 400, hs)

    def test_head_runs_script_without_body(self):
        py, hs = self.both("HEAD", "/cgi-bin/env.py")
        self.assertEqual(py.status, 200)
        self.assertIn(b"SCRIPT_NAME=", py.body, "Python sends the whole output for HEAD")
        self.assertEqual(hs.status, 200, hs)
        self.assertEqual(hs.header("Content-Type"), "text/plain")
        self.assertEqual(hs.body, b"", "httpserve sends no body for HEAD")


# ===================================================================================================
# 2. httpserve alone, command-line mode (--cgi), started with canaries in its environment.

@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
class CgiServerTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.hs = servers.start_httpserve_cgi(TREE.root, env=canary_env())
        cls.addClassCleanup(cls.hs.stop)
        cls.port = cls.hs.port

    def get(self, target, headers=(), method="GET", body=None, **kw):
        return client.request(self.port, method, target, headers, body, **kw)

    def assertStillServing(self):
        r = self.get("/cgi-bin/hello.sh")
        self.assertEqual((r.status, r.body), (200, b"hello from a script\n"), "CGI no longer works")

    # --- the script name: decoded once, no control characters (a URL must not forge a log line) ---

    FORGING_URL = ("/cgi-bin/x%0a%5b2026-01-01%2000:00:00.000%5d%20%5bcritical%5d%20FORGED%0d"
                   "%252f..%252fscript.sh")

    def forget_script_runs(self):
        try:
            os.unlink(TREE.state_path("script-ran"))
        except FileNotFoundError:
            pass

    def script_ran(self):
        return os.path.exists(TREE.state_path("script-ran"))

    def test_script_name_with_control_characters_is_400(self):
        self.forget_script_runs()
        r = self.get(self.FORGING_URL)
        # Once the request's access-log line is out, the script's stderr (written before its answer)
        # would be logged too.
        self.assertTrue(procs.wait_until(lambda: "FORGED%0d" in self.hs.stderr(), 10),
                        "no access-log line for the request: %r" % self.hs.stderr()[-2000:])
        forged = [line for line in self.hs.stderr().splitlines()
                  if line.startswith("[2026-01-01 00:00:00.000] [critical]")]
        self.assertEqual(forged, [], "a forged error-log line")
        self.assertFalse(self.script_ran(), "script.sh ran for a URL whose SCRIPT_NAME names another file")
        self.assertEqual(r.status, 400, r)
        for target in ("/cgi-bin/script.sh%01", "/cgi-bin/script.sh%7f", "/cgi-bin/script.sh%09",
                       "/cgi-bin/script.sh/a%0ab", "/cgi-bin/script.sh/a%250db"):
            with self.subTest(target=target):
                r = self.get(target)
                self.assertEqual(r.status, 400, r)
        self.assertFalse(self.script_ran(), "a script ran with a control character in its name or PATH_INFO")
        self.assertStillServing()

    def test_script_name_is_decoded_once(self):
        self.forget_script_runs()
        r = self.get("/cgi-bin/script.sh")
        self.assertEqual((r.status, r.body), (200, b"script ran\n"), r)
        self.assertTrue(self.script_ran())
        self.forget_script_runs()
        # Decoded a second time, "%252f..%252f" would lead to cgi-bin/script.sh (Python runs it,
        # under a SCRIPT_NAME naming another file); decoded once it names a file that is not there.
        for target in ("/cgi-bin/x%252f..%252fscript.sh", "/cgi-bin/%252e%252e/cgi-bin/script.sh",
                       "/cgi-bin/script%252esh"):
            with self.subTest(target=target):
                r = self.get(target)
                self.assertEqual(r.status, 404, r)
                self.assertTrue(r.reason.startswith("No such CGI script ("), r)
        self.assertFalse(self.script_ran(), "a second decoding found script.sh")

    # --- who the script runs as, what it sees ---

    @unittest.skipUnless(procs.IS_ROOT, "needs root")
    def test_scripts_run_as_nobody_nogroup_without_groups(self):
        r = self.get("/cgi-bin/ids.sh")
        self.assertEqual(r.status, 200, r)
        expect = "%d\n%d\n%d\n" % (procs.NOBODY_UID, procs.NOGROUP_GID, procs.NOGROUP_GID)
        self.assertEqual(r.body.decode(), expect, "id -u, id -g, id -G")

    def test_environment_from_scratch(self):
        r = self.get("/cgi-bin/env.py", ("Proxy: x", "X-Custom-Thing: v", "Host: example.test:8080",
                                         "Authorization: Basic dXNlcjpwYXNz", "X-Dup: 1"))
        self.assertEqual(r.status, 200, r)
        env = cgi_scripts.parse_env(r.body)
        self.assertNotIn("HTTP_PROXY", env, "httpoxy: a Proxy header must never become HTTP_PROXY")
        self.assertNotIn("HTTP_AUTHORIZATION", env)
        self.assertNotIn("LEAK_CANARY", env, "the server's environment leaked into the script")
        self.assertEqual(env.get("HTTP_USER_AGENT"), "", "the server's HTTP_USER_AGENT leaked")
        self.assertEqual(env.get("REMOTE_USER"), "user")
        self.assertEqual(env.get("PATH"), cgi_scripts.FIXED_PATH)
        self.assertEqual(env.get("HTTP_X_CUSTOM_THING"), "v")
        self.assertEqual(env.get("HTTP_HOST"), "example.test:8080")
        self.assertEqual(env.get("HTTP_X_DUP"), "1")
        self.assertRegex(env.get("SERVER_SOFTWARE", ""), r"^httpserve/\S+")
        self.assertEqual(env.get("SERVER_PROTOCOL"), "HTTP/1.1")
        self.assertEqual(env.get("SERVER_PORT"), str(self.port))
        self.assertEqual(env.get("GATEWAY_INTERFACE"), "CGI/1.1")
        self.assertEqual(env.get("REQUEST_METHOD"), "GET")
        extra = sorted(k for k in env
                       if not k.startswith(("HTTP_", "X_")) and k not in cgi_scripts.ALLOWED_NON_HTTP_KEYS)
        self.assertEqual(extra, [], "variables from outside RFC 3875 / the request")

    def test_shell_environment_from_scratch(self):
        r = self.get("/cgi-bin/env.sh", ("Proxy: http://evil.invalid:3128",))
        self.assertEqual(r.status, 200, r)
        env = cgi_scripts.parse_env(r.body)
        self.assertNotIn("HTTP_PROXY", env)
        self.assertNotIn("LEAK_CANARY", env)
        self.assertNotIn("REMOTE_USER", env, "the server's REMOTE_USER leaked")
        extra = sorted(k for k in env if not k.startswith("HTTP_") and k not in cgi_scripts.ALLOWED_NON_HTTP_KEYS)
        self.assertEqual(extra, [])

    # --- the response head is parsed ---

    def test_status_header(self):
        r = self.get("/cgi-bin/status.sh")
        self.assertEqual((r.status, r.reason), (404, "Nope"), r)
        self.assertEqual(r.body, b"not here\n")
        self.assertIsNone(r.header("Status"), "Status is not passed through as a field")

    def test_absolute_location_is_302(self):
        r = self.get("/cgi-bin/abs_location.sh")
        self.assertEqual(r.status, 302, r)
        self.assertEqual(r.header("Location"), "http://example.com/elsewhere?x=1")
        r = self.get("/cgi-bin/abs_location_301.sh")
        self.assertEqual((r.status, r.header("Location")), (301, "http://example.com/moved"), r)

    def test_local_location_is_internal_redirect(self):
        r = self.get("/cgi-bin/local_location.sh")
        self.assertEqual((r.status, r.body), (200, cgi_scripts.A_TXT), r)
        self.assertEqual(r.header("Content-Type"), "text/plain")
        self.assertIsNone(r.header("Location"))
        r = self.get("/cgi-bin/local_cgi_location.sh")
        self.assertEqual(r.status, 200, r)
        env = cgi_scripts.parse_env(r.body)
        self.assertEqual((env.get("SCRIPT_NAME"), env.get("QUERY_STRING"), env.get("REQUEST_METHOD")),
                         ("/cgi-bin/env.py", "via=redirect", "GET"))

    def test_local_redirect_loop_ends(self):
        t0 = time.monotonic()
        r = self.get("/cgi-bin/loop.sh", timeout=15)
        self.assertTrue(r.has_status_line, "no answer to a redirect loop: %r" % r)
        self.assertTrue(500 <= r.status <= 599, r)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertStillServing()

    def test_other_headers_passed_through(self):
        r = self.get("/cgi-bin/headers.sh")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(r.header("X-Custom"), "yes")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual([v for n, v in r.headers if n.lower() == "set-cookie"], ["a=1", "b=2"])
        self.assertEqual(len([n for n, _ in r.headers if n.lower() == "server"]), 1)
        self.assertEqual(len([n for n, _ in r.headers if n.lower() == "date"]), 1)
        self.assertEqual(r.body, b"<p>hi</p>\n")

    def test_lf_only_head(self):
        r = self.get("/cgi-bin/lf_only.sh")
        self.assertEqual((r.status, r.header("X-Lf"), r.body), (200, "1", b"lf body\n"), r)

    def test_script_whose_interpreter_does_not_exist_is_403(self):
        r = self.get("/cgi-bin/no-interpreter.sh")
        self.assertEqual((r.status, r.reason), (403, "CGI script could not be started"), r)
        self.assertStillServing()

    def test_bad_heads_are_502(self):
        for script in ("crash.sh", "garbage.sh", "noend.sh", "notype.sh"):
            with self.subTest(script=script):
                r = self.get("/cgi-bin/" + script)
                self.assertEqual(r.status, 502, r)
                self.assertTrue(r.closed or r.header("Content-Length") is not None)
        self.assertStillServing()

    # --- framing, persistent connections, HEAD ---

    def test_chunked_when_no_length_and_keepalive(self):
        with client.Conn(self.port) as c:
            st, _, h, body, _ = c.request("GET", "/cgi-bin/nolen.sh")
            self.assertEqual(st, 200)
            self.assertEqual(h.get("transfer-encoding"), "chunked", h)
            self.assertNotIn("content-length", h)
            self.assertEqual(body, b"part one\npart two\n")
            st, _, h, body, _ = c.request("GET", "/cgi-bin/withlen.sh")
            self.assertEqual((st, h.get("content-length"), body), (200, "6", b"sized\n"))
            self.assertNotIn("transfer-encoding", h)
            st, _, h, body, _ = c.request("GET", "/cgi-bin/env.py?second")
            self.assertEqual(st, 200)
            self.assertEqual(cgi_scripts.parse_env(body).get("QUERY_STRING"), "second")
            c.send(client.build_framed("POST", "/cgi-bin/cat.sh", body=b"hello", close=False))
            st, _, h, body, _ = c.read()
            self.assertEqual((st, body), (200, b"hello"))
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, cgi_scripts.A_TXT))
            self.assertFalse(c.at_eof(0.3), "connection closed after CGI responses")

    def test_scripts_that_answered_and_ended_are_left_alone(self):
        # A script can write its answer and exit before the launcher's reply reaches the worker; the
        # worker must not then ask for it to be stopped (nor log that it was) once the reply comes.
        def run(results):
            with client.Conn(self.port) as c:
                for _ in range(60):
                    results.append(c.request("GET", "/cgi-bin/hello.sh")[3])

        logged_before = len(self.hs.stderr())  # internal redirects stop their scripts: not ours to count
        results = []
        threads = [threading.Thread(target=run, args=(results,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, [b"hello from a script\n"] * 240)
        time.sleep(0.3)  # a stop request would be logged by the launcher right after the reply
        self.assertNotIn("on the worker's request", self.hs.stderr()[logged_before:])

    def test_pipelined_cgi_requests(self):
        with client.Conn(self.port) as c:
            c.send(client.build_framed("GET", "/cgi-bin/hello.sh", close=False) +
                   client.build_framed("GET", "/cgi-bin/nolen.sh", close=False) +
                   client.build_framed("GET", "/cgi-bin/withlen.sh", close=False))
            self.assertEqual(c.read()[3], b"hello from a script\n")
            self.assertEqual(c.read()[3], b"part one\npart two\n")
            self.assertEqual(c.read()[3], b"sized\n")

    def test_script_content_length_is_the_frame(self):
        # More output than announced: the client gets exactly the announced bytes, and whatever
        # follows on the connection is a clean response (or the server closed it).
        with client.Conn(self.port) as c:
            st, _, h, body, _ = c.request("GET", "/cgi-bin/overlong.sh")
            self.assertEqual((st, h.get("content-length"), body), (200, "3", b"abc"))
            try:
                c.send(client.build_framed("GET", "/a.txt", close=False))
                st, _, _, body, _ = c.read()
            except (ConnectionError, OSError):
                st, body = None, None
            if st is not None:
                self.assertEqual((st, body), (200, cgi_scripts.A_TXT), "bytes past the script's Content-Length leaked")
        # Less output than announced: the response cannot be completed; the connection must close
        # promptly instead of leaving the client waiting for the missing bytes.
        t0 = time.monotonic()
        r = client.request(self.port, "GET", "/cgi-bin/short.sh", timeout=8)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.closed, "connection left open with a short body")
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(r.body, b"abcd")

    def test_http10_close_delimited(self):
        r = client.exchange(self.port, b"GET /cgi-bin/nolen.sh HTTP/1.0\r\n\r\n", timeout=10)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("Content-Length"))
        self.assertIsNone(r.header("Transfer-Encoding"))
        self.assertEqual(r.header("Connection", "").lower(), "close")
        self.assertTrue(r.closed)
        self.assertEqual(r.body, b"part one\npart two\n")

    def test_head_runs_script_sends_no_body(self):
        token = "h%d" % os.getpid()
        with client.Conn(self.port) as c:
            st, _, h, _, _ = c.request("HEAD", "/cgi-bin/headmark.sh?" + token)
            self.assertEqual(st, 200)
            self.assertEqual(h.get("content-type"), "text/plain")
            st, _, _, body, _ = c.request("GET", "/a.txt")
            self.assertEqual((st, body), (200, cgi_scripts.A_TXT), "HEAD sent a body?")
        self.assertEqual(procs.wait_file(TREE.state_path("head." + token), 3), "HEAD", "the script did not run")

    # --- big bodies, both directions ---

    def test_50mb_output_streamed_bounded_worker_memory(self):
        ws = procs.workers(self.hs.pid, self.port)
        self.assertTrue(ws, "no worker found (children of %d holding port %d)" % (self.hs.pid, self.port))
        idle = {w: procs.vm_rss_kib(w) or 0 for w in ws}
        s = client.connect(self.port, timeout=20, rcvbuf=65536)
        try:
            s.sendall(client.build_framed("GET", "/cgi-bin/big.sh"))
            f = s.makefile("rb")
            st, _, h, _ = client.read_head(f)
            self.assertEqual(st, 200)
            total, bad, peak, n = 0, 0, 0, 0
            for piece in client.iter_body(f, h, piece=1 << 16):
                total += len(piece)
                if piece.count(0) != len(piece):
                    bad += 1
                n += 1
                if n % 4 == 0:
                    time.sleep(0.01)   # a slow reader: ~2 s for 50 MiB
                    for w in ws:
                        rss = procs.vm_rss_kib(w)
                        if rss is not None:
                            peak = max(peak, rss - idle[w])
            f.close()
        finally:
            s.close()
        self.assertEqual(total, cgi_scripts.BIG_OUTPUT)
        self.assertEqual(bad, 0, "non-zero bytes in /dev/zero output")
        if not os.environ.get("HTTPSERVE_SANITIZED"):  # ASan quarantines freed memory: RSS means nothing
            self.assertLess(peak, 20 * 1024, "worker RSS grew by %d KiB while streaming 50 MiB" % peak)

    def _echo(self, data, headers, raw_body):
        s = client.connect(self.port, timeout=30)
        try:
            s.sendall(client.build_framed("POST", "/cgi-bin/cat.sh", headers))
            t, errors = client.send_in_thread(s, raw_body)
            f = s.makefile("rb")
            st, _, h, _ = client.read_head(f)
            body = b"".join(client.iter_body(f, h))
            t.join(30)
            f.close()
        finally:
            s.close()
        self.assertEqual(errors, [])
        return st, h, body

    def test_10mb_post_echoed(self):
        data = os.urandom(10 * 1024 * 1024)
        st, h, body = self._echo(data, ["Content-Type: application/octet-stream",
                                        "Content-Length: %d" % len(data)], data)
        self.assertEqual(st, 200)
        self.assertEqual(h.get("x-content-length"), str(len(data)))
        self.assertEqual(len(body), len(data))
        self.assertEqual(cgi_scripts.sha256(body), cgi_scripts.sha256(data))

    def test_chunked_post_dechunked(self):
        pieces = [b"hello ", os.urandom(70000), b"", b"x" * 5, os.urandom(1 << 20), b"end"]
        data = b"".join(pieces)
        st, h, body = self._echo(data, ["Transfer-Encoding: chunked"], client.chunk_encode(pieces, ext=True))
        self.assertEqual(st, 200)
        self.assertEqual(h.get("x-content-length"), str(len(data)), "CONTENT_LENGTH = de-chunked size")
        self.assertEqual(cgi_scripts.sha256(body), cgi_scripts.sha256(data))

    def test_chunked_post_http_client(self):
        pieces = [b"first;", b"second;" * 1000, b"third"]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", "/cgi-bin/env.py", body=iter(pieces), encode_chunked=True,
                         headers={"Transfer-Encoding": "chunked", "Content-Type": "text/x-test"})
            r = conn.getresponse()
            body = r.read()
        finally:
            conn.close()
        self.assertEqual(r.status, 200)
        env = cgi_scripts.parse_env(body)
        data = b"".join(pieces)
        self.assertEqual(env.get("CONTENT_LENGTH"), str(len(data)))
        self.assertEqual(env.get("CONTENT_TYPE"), "text/x-test")
        self.assertEqual(env.get("X_BODY_SHA256"), cgi_scripts.sha256(data))
        self.assertNotIn("HTTP_TRANSFER_ENCODING", env)


@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
class CgiErrorLogTest(unittest.TestCase):
    """What a script writes and what a request names reach the error log only escaped (\\xNN): its
    own server, so that no other test's lines mix with these."""

    @classmethod
    def setUpClass(cls):
        cls.hs = servers.start_httpserve_cgi(TREE.root)
        cls.addClassCleanup(cls.hs.stop)

    def wait_logged(self, piece):
        found = procs.wait_until(lambda: piece in self.hs.stderr_bytes(), 10.0)
        self.assertTrue(found, "no %r in the error log:\n%r" % (piece, self.hs.stderr_bytes()[-3000:]))

    def assertCleanLines(self, marker):
        lines = logs.lines_with(self.hs.stderr_bytes(), marker)
        self.assertTrue(lines, "no log line with %r" % marker)
        for line in lines:
            self.assertEqual(logs.raw_escapes_missing(line), [], "raw bytes in the log line %r" % line)

    def test_script_stderr_escaped(self):
        r = client.request(self.hs.port, "GET", "/cgi-bin/stderr.sh")
        self.assertEqual((r.status, r.body), (200, b"ok\n"), r)
        self.wait_logged(b"cgi: /cgi-bin/stderr.sh [pid ")
        self.wait_logged(b"] stderr: stderr-probe \\x1b[2J\\x0d\\xc2\\x9b\\x9b\\xff caf\xc3\xa9\n")
        self.assertCleanLines(b"stderr-probe")

    def test_bad_response_head_quoted_escaped(self):
        r = client.request(self.hs.port, "GET", "/cgi-bin/badname.sh")
        self.assertEqual(r.status, 502, r)
        # \xff and \xc2 escaped by the log, \x9b already by the quoting (Python's repr()).
        self.wait_logged(b"cgi: /cgi-bin/badname.sh (pid ")
        self.wait_logged(b"bad header block: CGI header with an invalid name: 'X-Bad\\xff\\xc2\\x9b: v'\n")
        self.assertCleanLines(b"X-Bad")

    def test_script_name_cannot_forge_a_log_line(self):
        # SCRIPT_NAME decoded with LF and CR in it, the file found through a second decoding. The
        # request may be refused (400, 404); when the script runs, its name is logged escaped.
        target = ("/cgi-bin/x%0a%5b2026-01-01%2000:00:00.000%5d%20%5bcritical%5d%20FORGED%0d"
                  "%252f..%252fstderr.sh")
        r = client.request(self.hs.port, "GET", target)
        if r.status == 200:
            self.wait_logged(b"cgi: /cgi-bin/x\\x0a[2026-01-01 00:00:00.000] [critical] FORGED\\x0d%2f..%2fstderr.sh "
                             b"[pid ")
        else:
            self.assertIn(r.status, (400, 404), r)
            self.wait_logged(b"FORGED")  # the access-log line, written after the answer went out
        forged = [line for line in self.hs.stderr_bytes().split(b"\n") if line.startswith(b"[2026-01-01")]
        self.assertEqual(forged, [], "a request wrote its own error-log line")
        self.assertCleanLines(b"FORGED")


# ===================================================================================================
# 3. httpserve alone, config mode: cgi.timeout, max_processes, max_body.

@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
class CgiTimeoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hs = servers.start_cgi_config_server(TREE, "timeout.toml", cgi='timeout = "1s"\n', env=canary_env())
        cls.addClassCleanup(cls.hs.stop)
        cls.port = cls.hs.port

    def test_silent_script_killed_whole_group_504(self):
        token = "t%d" % os.getpid()
        t0 = time.monotonic()
        r = client.request(self.port, "GET", "/cgi-bin/timeout.sh?" + token, timeout=15)
        elapsed = time.monotonic() - t0
        text = procs.wait_file(TREE.state_path("timeout." + token), 3)
        self.assertIsNotNone(text, "the script did not run (%r)" % r)
        pid, child, pgid = (int(x) for x in text.split())
        if pgid != self.hs.pid:   # the server's own group is stopped with the server
            STRAY_GROUPS.add(pgid)
            self.addCleanup(kill_group, pgid)
        self.assertEqual(r.status, 504, r)
        self.assertGreaterEqual(elapsed, 0.8, "answered before the timeout")
        self.assertLess(elapsed, 6, "504 came %.1fs after the request" % elapsed)
        self.assertNotEqual(pgid, os.getpgid(self.hs.pid), "scripts run in their own process group")
        gone = procs.wait_until(
            lambda: not procs.alive(pid) and not procs.alive(child) and not procs.group_members(pgid), 5)
        self.assertTrue(gone, "still alive after the timeout: script %d %s, child %d %s, group %d: %s"
                        % (pid, procs.alive(pid), child, procs.alive(child), pgid, procs.group_members(pgid)))

    def test_silence_after_head_cuts_response(self):
        token = "s%d" % os.getpid()
        t0 = time.monotonic()
        r = client.request(self.port, "GET", "/cgi-bin/silent_after_head.sh?" + token, timeout=15)
        elapsed = time.monotonic() - t0
        text = procs.wait_file(TREE.state_path("silent." + token), 3)
        self.assertIsNotNone(text, "the script did not run (%r)" % r)
        pid, pgid = (int(x) for x in text.split())
        if pgid != self.hs.pid:   # the server's own group is stopped with the server
            STRAY_GROUPS.add(pgid)
            self.addCleanup(kill_group, pgid)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.closed, "connection not closed after the script timed out")
        self.assertLess(elapsed, 6)
        self.assertIn(b"partial", r.body)
        self.assertEqual(r.header("Transfer-Encoding"), "chunked", r)
        self.assertFalse(r.chunks_complete, "a cut response must not look complete (no last chunk)")
        self.assertTrue(procs.wait_until(lambda: not procs.group_members(pgid), 5), "script group survives")

    def test_fast_scripts_unaffected(self):
        r = client.request(self.port, "GET", "/cgi-bin/nolen.sh")
        self.assertEqual((r.status, r.body), (200, b"part one\npart two\n"))


@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
class CgiLimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hs = servers.start_cgi_config_server(TREE, "limits.toml", cgi='timeout = "20s"\nmax_processes = 2\n',
                                    http='max_body = "1MiB"\n')
        cls.addClassCleanup(cls.hs.stop)
        cls.addClassCleanup(lambda: open(TREE.state_path("release"), "w").close())
        cls.port = cls.hs.port

    def test_max_processes_503_retry_after(self):
        socks = []
        try:
            for i in (1, 2):
                s = client.connect(self.port, timeout=20)
                socks.append(s)
                s.sendall(client.build_framed("GET", "/cgi-bin/hold.sh?%d" % i))
            started = procs.wait_until(lambda: all(os.path.exists(TREE.state_path("hold.%d" % i)) for i in (1, 2)), 5)
            self.assertTrue(started, "the two holding scripts did not start")
            r = client.request(self.port, "GET", "/cgi-bin/hold.sh?3", timeout=5)
            self.assertEqual(r.status, 503, r)
            retry = r.header("Retry-After")
            self.assertTrue(retry and (retry.isdigit() or email.utils.parsedate(retry)), "Retry-After %r" % retry)
            self.assertFalse(os.path.exists(TREE.state_path("hold.3")), "the third script ran")
            open(TREE.state_path("release"), "w").close()
            for s in socks:
                f = s.makefile("rb")
                st, _, h, body, _ = client.read_response(f)
                self.assertEqual((st, body), (200, b"released\n"))
        finally:
            open(TREE.state_path("release"), "w").close()
            for s in socks:
                s.close()
        ok = procs.wait_until(lambda: client.request(self.port, "GET", "/cgi-bin/hello.sh").status == 200, 5, 0.1)
        self.assertTrue(ok, "slots not freed after the scripts ended")

    def test_max_body_413(self):
        r = client.exchange(self.port,
                            client.build_framed("POST", "/cgi-bin/cat.sh", ["Content-Length: %d" % (2 << 20)]),
                       timeout=5)
        self.assertEqual(r.status, 413, r)
        s = client.connect(self.port, timeout=10)
        try:
            s.sendall(client.build_framed("POST", "/cgi-bin/cat.sh", ["Transfer-Encoding: chunked"]))
            t, _ = client.send_in_thread(s, client.chunk_encode([b"a" * ((1 << 20) + 1)]))
            f = s.makefile("rb")
            st, _, _, _ = client.read_head(f)
            t.join(10)
        finally:
            s.close()
        self.assertEqual(st, 413, "chunked body over max_body")
        data = os.urandom(512 * 1024)
        r = client.request(self.port, "POST", "/cgi-bin/cat.sh", body=data)
        self.assertEqual((r.status, cgi_scripts.sha256(r.body)), (200, cgi_scripts.sha256(data)),
                         "a body under max_body")


# ===================================================================================================
# 3b. The [files] rules hold for scripts as for static files: dotfiles = "deny", and symlinks =
#     "never" / "inside-root" refuse a script with the answer a static file gets, and do not run it.

POLICY_SH = ("#!/bin/sh\n: > @STATE@/policy-ran.\"$QUERY_STRING\"\n"
             "printf 'Content-Type: text/plain\\r\\n\\r\\npolicy script ran\\n'\n")


@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
class CgiPathPolicyTest(unittest.TestCase):
    """Three config-mode servers on one tree: `deny_never` (dotfiles = "deny", symlinks = "never"),
    `inside_root` (symlinks = "inside-root") and `defaults` (follow, serve: every fixture runs)."""

    # target -> does it run under (deny_never, inside_root, defaults)
    CASES = {
        "/cgi-bin/.hidden.sh": (False, True, True),
        "/cgi-bin/.hidden-dir/inner.sh": (False, True, True),
        "/cgi-bin/link.sh": (False, True, True),                 # a link to a script in cgi-bin
        "/cgi-bin/linkdir/target.sh": (False, True, True),       # through a linked folder
        "/cgi-bin/linkdir/target.sh/info": (False, True, True),
        "/cgi-bin/policy-real/target.sh": (True, True, True),    # the real file, for comparison
    }

    @classmethod
    def setUpClass(cls):
        cls.made = []
        script = POLICY_SH.replace("@STATE@", TREE.state).encode()
        for rel in ("cgi-bin/.hidden.sh", "cgi-bin/.hidden-dir/inner.sh", "cgi-bin/policy-real/target.sh"):
            cls.made.append(TREE.write(rel, script, 0o755))
        for d in ("cgi-bin/.hidden-dir", "cgi-bin/policy-real"):
            os.chmod(os.path.join(TREE.root, d), 0o755)
        cls.made.append(TREE.write(".static-dot.txt", b"a static dotfile\n", 0o644))
        for link, target in (("cgi-bin/link.sh", "policy-real/target.sh"), ("cgi-bin/linkdir", "policy-real")):
            path = os.path.join(TREE.root, link)
            os.symlink(target, path)
            cls.made.append(path)
        outside = os.path.join(TREE.base, "outside-cgi")
        os.makedirs(outside, 0o755, exist_ok=True)
        cgi_scripts.write_script(os.path.join(outside, "out.sh"), script.decode())
        cls.outside_link = os.path.join(TREE.root, "cgi-bin", "outside.sh")
        os.symlink(os.path.join(outside, "out.sh"), cls.outside_link)
        cls.made.append(cls.outside_link)
        cls.addClassCleanup(cls.remove_fixtures)
        cls.servers = {}
        for name, files in (("deny_never", 'dotfiles = "deny"\nsymlinks = "never"\n'),
                            ("inside_root", 'symlinks = "inside-root"\n'), ("defaults", "")):
            hs = servers.start_cgi_config_server(TREE, "policy-%s.toml" % name, files=files)
            cls.addClassCleanup(hs.stop)
            cls.servers[name] = hs

    @classmethod
    def remove_fixtures(cls):
        for path in reversed(cls.made):
            if os.path.islink(path) or os.path.isfile(path):
                os.unlink(path)
        for d in ("cgi-bin/.hidden-dir", "cgi-bin/policy-real"):
            os.rmdir(os.path.join(TREE.root, d))

    def ran(self, query):
        return os.path.exists(TREE.state_path("policy-ran." + query))

    def check(self, server, target, runs, query):
        hs = self.servers[server]
        r = client.request(hs.port, "GET", target + "?" + query)
        if runs:
            self.assertEqual((r.status, r.body), (200, b"policy script ran\n"), r)
            self.assertTrue(self.ran(query), "the script left no marker")
            return
        # The answer a static file the same rule refuses gets, and no script started.
        static = client.request(hs.port, "GET", "/.static-dot.txt" if server == "deny_never" else "/nothing-here")
        self.assertEqual(static.status, 404, static)
        self.assertEqual((r.status, r.reason, r.body), (static.status, static.reason, static.body), r)
        self.assertFalse(self.ran(query), "%s ran under %s" % (target, server))

    def test_each_rule_refuses_what_a_static_file_would(self):
        for number, (target, expected) in enumerate(self.CASES.items()):
            for server, runs in zip(("deny_never", "inside_root", "defaults"), expected):
                with self.subTest(server=server, target=target):
                    self.check(server, target, runs, "%s-%d" % (server, number))

    def test_link_to_a_script_outside_the_root(self):
        for server in ("deny_never", "inside_root"):
            with self.subTest(server=server):
                self.check(server, "/cgi-bin/outside.sh", False, "outside-" + server)

    def test_dotfile_static_answer_is_file_not_found(self):
        # The static side, so that the comparison above compares with the right thing.
        r = client.request(self.servers["deny_never"].port, "GET", "/.static-dot.txt")
        self.assertEqual((r.status, r.reason), (404, "File not found"), r)
        r = client.request(self.servers["defaults"].port, "GET", "/.static-dot.txt")
        self.assertEqual((r.status, r.body), (200, b"a static dotfile\n"), r)


# ===================================================================================================
# 4. A server that is not root (setpriv): scripts run as the server's user; an explicit [cgi] user
#    that cannot be switched to is a 403.

@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
@unittest.skipUnless(procs.IS_ROOT and procs.SETPRIV, "needs root and setpriv (util-linux) to drop to nobody")
class CgiNonRootTest(unittest.TestCase):
    def test_command_line_scripts_run_as_server_user(self):
        hs = servers.start_httpserve_cgi(TREE.root, prefix=procs.setpriv_prefix())
        try:
            r = client.request(hs.port, "GET", "/cgi-bin/ids.sh")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body.decode(), "%d\n%d\n%d\n" % (procs.NOBODY_UID, procs.NOGROUP_GID, procs.NOGROUP_GID))
            r = client.request(hs.port, "GET", "/cgi-bin/env.py/x?y")
            self.assertEqual((r.status, cgi_scripts.parse_env(r.body).get("PATH_INFO")), (200, "/x"), r)
        finally:
            hs.stop()

    def test_explicit_user_that_cannot_be_switched_to_is_403(self):
        hs = servers.start_cgi_config_server(TREE, "nonroot.toml", cgi='user = "root"\n', prefix=procs.setpriv_prefix(),
                                run_as_nobody=False)
        try:
            r = client.request(hs.port, "GET", "/cgi-bin/ids.sh")
            self.assertEqual(r.status, 403, r)
            r = client.request(hs.port, "GET", "/a.txt")
            self.assertEqual((r.status, r.body), (200, cgi_scripts.A_TXT), "static files still served")
        finally:
            hs.stop()


if __name__ == "__main__":
    unittest.main()
