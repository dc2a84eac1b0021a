"""The rich listing in a real browser: headless Chromium loads it over HTTPS from the real server,
trusting a test CA (an NSS database of its own, as a user's browser would hold it), at a phone's
width (390 px), in light and in dark mode. A probe page served from the same origin measures the
listing in an iframe (the listing itself has no JavaScript); screenshots are checked for a page that
is not blank and whose background follows the colour scheme.

Skipped when Chromium or NSS's certutil is not installed (tools/test.sh installs both).
Run: python3 tests/run_all.py --build plain=build --pattern test_browser_listing.py
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import png
import servers
import tls_certs

CHROMIUM = shutil.which("chromium")
CERTUTIL = shutil.which("certutil")
PHONE = (390, 844)

# Loads the listing at the phone's width and reports what a reader would meet: whether it scrolls
# sideways, the background colour, how many rows it shows.
PROBE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>body{margin:0}</style></head><body>
<pre id="out">pending</pre>
<iframe id="page" src="/docs/" width="%d" height="%d" style="border:0"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  var doc = this.contentDocument, root = doc.documentElement;
  document.getElementById("out").textContent = JSON.stringify({
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
    background: getComputedStyle(doc.body).backgroundColor,
    dark: this.contentWindow.matchMedia("(prefers-color-scheme: dark)").matches,
    rows: doc.querySelectorAll("tbody tr").length,
    title: doc.title
  });
});
</script></body></html>
""" % PHONE


def luminance(rgb):
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@unittest.skipUnless(CHROMIUM and CERTUTIL and tls_certs.openssl_available(),
                     "chromium, certutil (libnss3-tools) or openssl is not installed")
class BrowserListingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="httpserve-browser-")
        os.chmod(cls.base, 0o755)
        root = os.path.join(cls.base, "www")
        docs = os.path.join(root, "docs")
        os.makedirs(os.path.join(docs, "a-folder"))
        for d in (root, docs, os.path.join(docs, "a-folder")):
            os.chmod(d, 0o755)
        names = ["notes.txt", "photo.jpg", "x" * 180 + ".tar.gz",  # a long name must wrap, not scroll
                 "a name with spaces and more words than fit on one line of a phone.pdf"]
        for i, name in enumerate(names):
            with open(os.path.join(docs, name), "wb") as f:
                f.write(b"#" * (1000 * (i + 1)))
            os.chmod(os.path.join(docs, name), 0o644)
        cls.files = len(names) + 1  # and the folder
        with open(os.path.join(root, "probe.html"), "w") as f:
            f.write(PROBE)
        os.chmod(os.path.join(root, "probe.html"), 0o644)
        certs = os.path.join(cls.base, "certs")
        os.mkdir(certs)
        ca = tls_certs.TestCA(certs)
        cert, key = ca.leaf("listing")
        # The browser's home: an NSS database that trusts the test CA for web sites, nothing else.
        cls.home = os.path.join(cls.base, "home")
        nssdb = os.path.join(cls.home, ".pki", "nssdb")
        os.makedirs(nssdb)
        subprocess.run([CERTUTIL, "-d", "sql:" + nssdb, "-N", "--empty-password"], check=True)
        subprocess.run([CERTUTIL, "-d", "sql:" + nssdb, "-A", "-n", "httpserve test CA", "-t", "C,,", "-i", ca.cert],
                       check=True)
        conf = os.path.join(cls.base, "conf")
        os.mkdir(conf)
        port = servers.free_port()
        text = servers.config_text(port, root, workers=1, files='listing = "rich"\n').replace(
            "port = %d\n" % port, 'port = %d\ntls_cert = "%s"\ntls_key = "%s"\n' % (port, cert, key), 1)
        path = servers.write_config(conf, text)
        cls.server = servers.Server([servers.BINARY, "-c", path])
        cls.addClassCleanup(cls.server.stop)
        cls.profile = os.path.join(cls.base, "profile")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, ignore_errors=True)

    def chromium(self, *args, dark=False):
        argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % PHONE] + (["--force-dark-mode"] if dark else []) + list(args)
        env = dict(os.environ, HOME=self.home)
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace")[-2000:])
        return proc.stdout.decode("utf-8", "replace")

    def url(self, path):
        return "https://127.0.0.1:%d%s" % (self.server.port, path)

    def measure(self, dark):
        dom = self.chromium("--virtual-time-budget=5000", "--dump-dom", self.url("/probe.html"), dark=dark)
        m = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
        self.assertIsNotNone(m, dom[-2000:])
        self.assertNotEqual(m.group(1), "pending", "the listing did not load in the browser")
        return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))

    def screenshot(self, dark):
        path = os.path.join(self.base, "dark.png" if dark else "light.png")
        self.chromium("--screenshot=" + path, self.url("/docs/"), dark=dark)
        width, height, rows = png.read_png(path)
        self.assertEqual((width, height), PHONE)
        return rows

    def check_mode(self, dark):
        got = self.measure(dark)
        self.assertEqual(got["dark"], dark)
        self.assertEqual(got["title"], "Index of /docs/")
        self.assertEqual(got["rows"], self.files + 1)  # and ../
        self.assertLessEqual(got["scrollWidth"], got["clientWidth"], "the listing scrolls sideways at 390 px")
        rows = self.screenshot(dark)
        background = rows[2][2]
        colours = {px for row in rows[::8] for px in row[::8]}
        self.assertGreater(len(colours), 8, "the screenshot is blank")
        if dark:
            self.assertLess(luminance(background), 60, "dark mode background %r" % (background,))
        else:
            self.assertGreater(luminance(background), 200, "light mode background %r" % (background,))
        # Text contrasts with the background: some pixels far from it in brightness.
        self.assertTrue(any(abs(luminance(px) - luminance(background)) > 100 for px in colours))

    def test_light_mode_at_phone_width(self):
        self.check_mode(dark=False)

    def test_dark_mode_at_phone_width(self):
        self.check_mode(dark=True)


if __name__ == "__main__":
    unittest.main()
