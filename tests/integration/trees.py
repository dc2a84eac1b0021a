"""Served folders for the integration tests, built at run time (never committed). Standard library
only. CI runs as root and httpserve's workers drop to `nobody`, so every folder is 0755 and every file
0644 (mkdtemp makes 0700) unless a test wants otherwise.

A small served folder, one per test (engine, daemon and lifecycle tests):

    root = trees.make_root()     # a.txt, b.txt, c.txt, big.bin, sub/d.txt (ROOT_* hold the contents)
    class T(trees.RootAndTmpCase): ...   # self.root and a scratch self.tmp, removed afterwards

The big static tree, built once per test process (static and differential tests):

    fx = trees.get()         # a Fixture; the same object for every caller in this process
    fx.root                  # the folder to serve (-d fx.root)
    fx.outside               # a folder next to the root (symlink targets outside the root)
    fx.work                  # scratch space (configs, downloads); never inside the root
    fx.data(rel)             # bytes of a file under the root ("a.txt", b"\\xff.txt", ...)

It lives in one fresh temp folder, removed at exit. The 1 MiB and 64 MiB files are random and
generated once per run.
"""
import atexit
import email.utils
import gzip
import hashlib
import os
import shutil
import tempfile
import unittest

# ==================================================================================================
# A small served folder

ROOT_A_TXT = b"hello, world\n"
ROOT_B_TXT = b"second file, b\n"
ROOT_C_TXT = b"third file: c c c\n"
ROOT_BIG = bytes(range(256)) * 1024 * 3  # 768 KiB, big.bin: more than a socket buffer


def make_root():
    """A served folder readable by `nobody`: a.txt, b.txt, c.txt, big.bin, sub/d.txt. Returns its path."""
    root = tempfile.mkdtemp(prefix="httpserve-it-")
    os.chmod(root, 0o755)
    for name, data in (("a.txt", ROOT_A_TXT), ("b.txt", ROOT_B_TXT), ("c.txt", ROOT_C_TXT)):
        path = os.path.join(root, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
    with open(os.path.join(root, "big.bin"), "wb") as f:
        f.write(ROOT_BIG)
    os.chmod(os.path.join(root, "big.bin"), 0o644)
    sub = os.path.join(root, "sub")
    os.mkdir(sub)
    os.chmod(sub, 0o755)
    with open(os.path.join(sub, "d.txt"), "wb") as f:
        f.write(b"d\n")
    os.chmod(os.path.join(sub, "d.txt"), 0o644)
    return root


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


class RootAndTmpCase(unittest.TestCase):
    """A test with a served folder (make_root) in self.root and a scratch folder (0755) in self.tmp,
    both removed afterwards."""

    tmp_prefix = "httpserve-tmp-"

    def setUp(self):
        self.root = make_root()
        self.addCleanup(remove_tree, self.root)
        self.tmp = tempfile.mkdtemp(prefix=self.tmp_prefix)
        os.chmod(self.tmp, 0o755)
        self.addCleanup(remove_tree, self.tmp)


# ==================================================================================================
# The big static tree

# Fixed contents and times, so that expectations can be written down.
A_TXT = b"hello\n"
A_TXT_MTIME = 1700000000.25          # Tue, 14 Nov 2023 22:13:20 GMT (+0.25 s: Python truncates)
A_TXT_LAST_MODIFIED = email.utils.formatdate(int(A_TXT_MTIME), usegmt=True)
SECRET = b"root:x:0:0:outside-secret:/root:/bin/sh\n"   # outside the root; must never leak
SIZE_1M = 1 << 20
SIZE_64M = 64 << 20

# name (str or bytes, relative to the root) -> contents. Folders are created as needed.
FILES = {
    "a.txt": A_TXT,
    "B.TXT": b"upper case name\n",
    "empty.txt": b"",
    "noext": b"no extension\n",
    "app.js": b"console.log('hi');\n",
    "data.json": b'{"a": 1}\n',
    "pic.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "mod.wasm": b"\x00asm\x01\x00\x00\x00",
    "notes.md": b"# notes\n",
    "page.html": b"<!DOCTYPE html><title>page</title>\n",
    "style.css": b"body { color: red }\n",
    "img.webp": b"RIFF\x00\x00\x00\x00WEBP",
    "sp ace.txt": b"space in name\n",
    "sp ace/inner.txt": b"inner\n",
    "q?.txt": b"question mark\n",
    "f#.txt": b"hash\n",
    "<i>&amp.txt": b"markup in name\n",
    "%A4.txt": b"percent in name\n",
    "\u00e9.txt": b"e acute\n",
    b"\xff.txt": b"undecodable byte\n",
    b"\xff.dir/in.txt": b"in undecodable dir\n",
    "\ufffd.dir/r.txt": b"in U+FFFD dir\n",     # where Python's errors='replace' fallback lands
    "<b>&dir/x.txt": b"markup in a folder name\n",
    "\u00e9dir/x.txt": b"e acute folder\n",
    "quote\"d.txt": b"double quote\n",
    "it's.txt": b"single quote\n",
    "a;b=c+d@e:f,g.txt": b"sub-delims\n",
    "bang!(1)*$.txt": b"more sub-delims\n",
    "100%.txt": b"bare percent\n",
    "a+b.txt": b"plus\n",
    "tab\tname.txt": b"tab in name\n",
    "ctl\x01.txt": b"control byte in name\n",
    "L" * 250 + ".txt": b"long name\n",
    ".hidden": b"hidden file\n",
    ".dotdir/inside.txt": b"inside a dot folder\n",
    "sub/d.txt": b"d\n",
    "sub/Zeta.txt": b"zeta\n",
    "sub/alpha.txt": b"alpha\n",
    "sub/deep/deeper/f.txt": b"deep f\n",
    "withindex/index.html": b"<p>withindex index.html</p>\n",
    "withindex/other.txt": b"other\n",
    "withhtm/index.htm": b"<p>withhtm index.htm</p>\n",
    "dirindex/index.html/x.txt": b"a folder named index.html\n",   # skipped as index: listing
    "dirindex2/index.html/x.txt": b"a folder named index.html\n",  # skipped; index.htm is used
    "dirindex2/index.htm": b"<p>dirindex2 index.htm</p>\n",
    "homedir/home.html": b"<p>home.html</p>\n",
    "homedir/index.html": b"<p>homedir index.html</p>\n",
    "tie/x.txt": b"lower x\n",                 # equal sort keys: listdir order is kept
    "tie/X.txt": b"upper X\n",
    "sort/\u00c9b.txt": b"E acute b\n",         # str.lower order, not byte order
    "sort/\u00e9a.txt": b"e acute a\n",
    "sort/Zz.txt": b"Zz\n",
    "sort/eclair2.txt": b"eclair2\n",
    "sort/_under.txt": b"under\n",
    "sort/~tilde.txt": b"tilde\n",
    "sort/10.txt": b"10\n",
    "sort/9.txt": b"9\n",
}

# Media types: Python's guess_type quirks (suffix_map, encodings_map, case rules) and common types.
TYPE_NAMES = ["f.Z", "f.z", "f.gz", "f.GZ", "f.bz2", "f.xz", "f.br", "f.tgz", "f.svgz", "x.txt.br",
              "x.txt.gz", "x.txt.Z", "f.tar", "f.tar.GZ", "f.mjs", "f.xml", "f.csv", "f.png", "f.jpg",
              "f.jpeg", "f.gif", "f.pdf", "f.woff", "f.woff2", "f.ttf", "f.otf", "f.ico", "f.txt.bak",
              "noext.", ".bashrc", "UPPER.JSON", "x.Js", "f.HTML", "f.htm", "f.rtf", "f.avif",
              "f.webmanifest", "f.mp4", "f.webm", "f.mp3", "f.ogg", "f.wav", "f.zip", "f.7z", "f.sh",
              "f.py", "f.c", "f.h", "f.cpp", "f.java", "f.yaml", "f.yml", "f.toml", "f.ini", "f.conf",
              "f.log", "f.xhtml", "f.atom", "f.rss", "f.jsonld", "f.map", "f.bin", "f.exe", "f.iso",
              "f.deb", "f.rpm", "f.epub", "f.doc", "f.docx", "f.xls", "f.odt", "f.ics", "f.vcf",
              "f.eml", "f.mbox", "f.ps", "f.tex", "f.diff", "f.patch", "f.pem", "f.crt", "f.der",
              "f.apk", "f.jar", "f.swf", "f.flac", "f.m4a", "f.aac", "f.mov", "f.avi", "f.mkv",
              "f.heic", "f.bmp", "f.tif", "f.tiff", "f.psd", "f.srt", "f.vtt", "f.wasm", "f.webp",
              "f.js", "f.css", "f.txt", "f.md", "f.markdown", "f.rst", "f.sql", "f.php", "f.pl",
              "f.rb", "f.go", "f.rs", "f.ts", "f.tsx", "f.jsx", "f.vue", "f..txt", "f.",
              "f.tar.bz2", "f.tar.xz", "f.tar.zst", "f.zst", "f.lz", "f.lzma", "f.cab", "f.dmg"]
for _n in TYPE_NAMES:
    FILES["types/" + _n] = b"x\n"

# A big listing.
for _i in range(1500):
    FILES["many/%s%04d.txt" % ("Ff"[_i % 2], _i)] = b""

EMPTY_DIRS = ["emptydir"]

# Readable by root only: the server's workers run as `nobody`, Python as root (README, compatibility).
PRIVATE_FILES = {"private.txt": b"root only\n", "privdir/x.txt": b"in a root-only folder\n"}

# link name -> target. "@OUTSIDE" is replaced by the outside folder's path.
SYMLINKS = {
    "link-to-a.txt": "a.txt",
    "link-to-sub": "sub",
    "sub/up-link.txt": "../a.txt",
    "link-outside": "@OUTSIDE/secret.txt",
    "link-outside-dir": "@OUTSIDE/dir",
    "broken-link": "does-not-exist",
    "chain-in": "link-to-a.txt",              # link -> link -> file, all inside
    "chain-out": "link-outside",               # link -> link -> outside
    "abs-link-in": "@ROOT/a.txt",              # absolute target inside the root
    "sub/loop": "..",                          # a folder link back up (inside)
}

OUTSIDE_FILES = {
    "secret.txt": SECRET,
    "dir/inner.txt": b"inner file of a folder outside the root\n",
}

# The folders under the root (URL paths with their slash), for "list every folder" tests.
LISTED_DIRS = [
    "/", "/sub/", "/sub/deep/", "/sub/deep/deeper/", "/sp%20ace/", "/%ED%B3%BF.dir/", "/%EF%BF%BD.dir/",
    "/.dotdir/", "/%3Cb%3E%26dir/", "/%C3%A9dir/", "/dirindex/", "/dirindex/index.html/",
    "/dirindex2/index.html/", "/tie/", "/sort/", "/emptydir/", "/link-to-sub/", "/link-outside-dir/",
    "/types/", "/many/",
]


def _b(name):
    return name if isinstance(name, bytes) else os.fsencode(name)


class Fixture:
    def __init__(self, base):
        self.base = base
        self.root = os.path.join(base, "root")
        self.outside = os.path.join(base, "outside")
        self.work = os.path.join(base, "work")
        self.big1m = os.path.join(self.root, "big1m.bin")
        self.big64m = os.path.join(self.root, "big64m.bin")
        self._sha = {}

    def path(self, rel):
        return os.path.join(os.fsencode(self.root), _b(rel))

    def data(self, rel):
        with open(self.path(rel), "rb") as f:
            return f.read()

    def sha256(self, rel):
        if rel not in self._sha:
            h = hashlib.sha256()
            with open(self.path(rel), "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            self._sha[rel] = h.hexdigest()
        return self._sha[rel]

    def mkwork(self, prefix="w-"):
        """A new folder under work/ (0755), e.g. for a config file or a download."""
        d = tempfile.mkdtemp(prefix=prefix, dir=self.work)
        os.chmod(d, 0o755)
        return d


def _mkdirs(path):
    """Creates missing folders with mode 0755 (the umask does not matter)."""
    path = _b(path)
    if os.path.isdir(path):
        return
    _mkdirs(os.path.dirname(path))
    os.mkdir(path)
    os.chmod(path, 0o755)


def _write(path, data):
    _mkdirs(os.path.dirname(_b(path)))
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o644)


def _write_random(path, size):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(os.urandom(n))
            left -= n
    os.chmod(path, 0o644)


def build(base):
    """Builds the whole tree under `base` (which must exist) and returns a Fixture."""
    os.chmod(base, 0o755)
    fx = Fixture(base)
    for d in (fx.root, fx.outside, fx.work):
        _mkdirs(d)
    for rel, data in OUTSIDE_FILES.items():
        _write(os.path.join(fx.outside, rel), data)
    for rel, data in FILES.items():
        _write(fx.path(rel), data)
    _write(fx.path("x.tar.gz"), gzip.compress(b"not really a tar\n" * 10, mtime=0))
    for rel, data in PRIVATE_FILES.items():
        _write(fx.path(rel), data)
        os.chmod(fx.path(rel), 0o600)
    os.chmod(fx.path("privdir"), 0o700)
    for d in EMPTY_DIRS:
        _mkdirs(fx.path(d))
    for rel, target in SYMLINKS.items():
        os.symlink(target.replace("@OUTSIDE", fx.outside).replace("@ROOT", fx.root), fx.path(rel))
    _write_random(fx.big1m, SIZE_1M)
    _write_random(fx.big64m, SIZE_64M)
    os.utime(fx.path("a.txt"), (A_TXT_MTIME, A_TXT_MTIME))
    return fx


_FIXTURE = None


def get():
    """The fixture of this process: built on first use, removed when the process exits."""
    global _FIXTURE
    if _FIXTURE is None:
        base = tempfile.mkdtemp(prefix="httpserve-static-")
        atexit.register(shutil.rmtree, base, True)
        _FIXTURE = build(base)
    return _FIXTURE
