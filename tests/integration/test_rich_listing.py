"""The listing for people ([files] listing = "rich"), through the real server: sizes and times,
folders first, sorting by query, JSON for scripts, names escaped, dotfiles hidden when denied, and
Python's listing unchanged when the key is absent.

Run: python3 tests/run_all.py --build plain=build --pattern test_rich_listing.py
"""
import html.parser
import json
import os
import shutil
import tempfile
import unittest

import client
import servers

# Tags HTML allows without an end tag (the page uses these, and only these, unclosed).
VOID = {"meta", "br", "hr", "img", "input", "link"}


class TagBalance(html.parser.HTMLParser):
    """Fails on an end tag that does not close the innermost open element, or on what is left open."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes %s" % (tag, self.stack[-1:] or "nothing"))
        else:
            self.stack.pop()


def write(path, data, mtime):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o644)
    os.utime(path, (mtime, mtime))


class RichListingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="httpserve-rich-")
        os.chmod(cls.base, 0o755)
        root = cls.root = os.path.join(cls.base, "www")
        os.makedirs(os.path.join(root, "docs", "zz-folder"))
        os.mkdir(os.path.join(root, "docs", "Alpha"))
        for d in (root, os.path.join(root, "docs"), os.path.join(root, "docs", "zz-folder"),
                  os.path.join(root, "docs", "Alpha")):
            os.chmod(d, 0o755)
        docs = os.path.join(root, "docs")
        write(os.path.join(docs, "small.txt"), b"x" * 10, 1700000000)        # oldest
        write(os.path.join(docs, "big.bin"), b"y" * 3000, 1700000200)        # newest
        write(os.path.join(docs, "Middle.txt"), b"z" * 500, 1700000100)
        write(os.path.join(docs, "<b>&\"x.txt"), b"!", 1700000050)
        write(os.path.join(docs, ".secret"), b"s", 1700000000)
        write(os.path.join(docs.encode(), b"\xff-latin1.txt"), b"l", 1700000000)
        os.symlink("big.bin", os.path.join(docs, "link-to-big"))
        conf = os.path.join(cls.base, "conf")
        os.mkdir(conf)
        cls.rich = servers.start_config_server(conf, root, workers=1, files='listing = "rich"\ndotfiles = "deny"\n')
        cls.addClassCleanup(cls.rich.stop)
        conf2 = os.path.join(cls.base, "conf2")
        os.mkdir(conf2)
        cls.plain = servers.start_config_server(conf2, root, workers=1)
        cls.addClassCleanup(cls.plain.stop)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, ignore_errors=True)

    def get(self, target, server=None, method="GET"):
        r = client.request((server or self.rich).port, method, target)
        self.assertEqual(r.status, 200, (target, r))
        return r

    def names_in_page(self, body):
        parser = TagBalance()
        parser.feed(body.decode("utf-8"))
        parser.close()
        self.assertEqual(parser.problems, [])
        self.assertEqual(parser.stack, [])
        return [attrs["href"] for tag, attrs in parser.tags
                if tag == "a" and "href" in attrs and not attrs["href"].startswith("?")]

    def test_html_page_is_balanced_lists_folders_first_and_hides_dotfiles(self):
        r = self.get("/docs/")
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
        hrefs = self.names_in_page(r.body)
        self.assertEqual(hrefs, ["../", "Alpha/", "zz-folder/", "%3Cb%3E%26%22x.txt", "big.bin", "link-to-big",
                                 "Middle.txt", "small.txt", "%FF-latin1.txt"])
        text = r.body.decode("utf-8")
        self.assertNotIn(".secret", text)
        self.assertNotIn("<b>", text)  # a name is never markup
        self.assertIn("&lt;b&gt;&amp;\"x.txt", text)
        self.assertIn("\ufffd-latin1.txt", text)  # shown as valid UTF-8, linked by its bytes
        self.assertIn('title="3000 bytes">2.9 KiB<', text)
        self.assertIn('<time datetime="2023-11-14T22:16:40Z">2023-11-14 22:16</time>', text)  # big.bin
        self.assertIn('name="viewport"', text)
        self.assertIn("prefers-color-scheme:dark", text)
        self.assertNotIn("<script", text)

    def test_sorting_by_size_and_time_either_way(self):
        files = ["big.bin", "link-to-big", "Middle.txt", "small.txt"]

        def order(query):
            hrefs = self.names_in_page(self.get("/docs/?" + query).body)
            return [h for h in hrefs if h in files]

        self.assertEqual(order("sort=size"), ["small.txt", "Middle.txt", "big.bin", "link-to-big"])
        self.assertEqual(order("sort=size&order=desc"), ["link-to-big", "big.bin", "Middle.txt", "small.txt"])  # the reverse
        self.assertEqual(order("sort=time"), ["small.txt", "Middle.txt", "big.bin", "link-to-big"])
        self.assertEqual(order("sort=name&order=desc"), ["small.txt", "Middle.txt", "link-to-big", "big.bin"])
        # Folders stay first whatever the order.
        hrefs = self.names_in_page(self.get("/docs/?sort=name&order=desc").body)
        self.assertEqual(hrefs[:3], ["../", "zz-folder/", "Alpha/"])

    def test_json_for_scripts(self):
        r = self.get("/docs/?format=json&sort=size")
        self.assertEqual(r.header("content-type"), "application/json")
        doc = json.loads(r.body.decode("utf-8"))
        self.assertEqual(doc["path"], "/docs/")
        by_name = {e["name"]: e for e in doc["entries"]}
        self.assertEqual([e["name"] for e in doc["entries"]][:2], ["Alpha", "zz-folder"])
        self.assertEqual(by_name["big.bin"], {"name": "big.bin", "type": "file", "symlink": False, "size": 3000,
                                              "modified": "2023-11-14T22:16:40Z"})
        self.assertEqual(by_name["link-to-big"]["symlink"], True)
        self.assertEqual(by_name["link-to-big"]["size"], 3000)
        self.assertEqual(by_name["Alpha"]["type"], "directory")
        self.assertIn("\ufffd-latin1.txt", by_name)
        self.assertNotIn(".secret", by_name)

    def test_head_has_the_headers_without_the_body(self):
        get = self.get("/docs/")
        head = self.get("/docs/", method="HEAD")
        self.assertEqual(head.body, b"")
        self.assertEqual(head.header("content-length"), get.header("content-length"))

    def test_root_has_no_parent_link(self):
        self.assertNotIn("../", self.names_in_page(self.get("/").body))

    def test_without_the_key_the_listing_is_pythons(self):
        body = self.get("/docs/", server=self.plain).body
        self.assertTrue(body.startswith(b"<!DOCTYPE HTML>\n<html lang=\"en\">"), body[:80])
        self.assertIn(b"<ul>", body)
        self.assertIn(b'<li><a href="link-to-big">link-to-big@</a></li>', body)
        self.assertNotIn(b"<table>", body)


if __name__ == "__main__":
    unittest.main()
