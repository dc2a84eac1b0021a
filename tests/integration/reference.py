"""The Python reference server (python -m http.server) that the differential tests compare httpserve
with. Standard library only; it is stopped like any servers.Server, by its process group."""
import os
import sys

from cgi_scripts import FIXED_PATH
from servers import Server

PYTHON = os.environ.get("HTTPSERVE_PYTHON", sys.executable)


def start_python(args, cwd=None, **kw):
    """python -m http.server, unbuffered so that its first line arrives at once."""
    return Server([PYTHON, "-u", "-m", "http.server"] + list(args), cwd=cwd, **kw)


def python_env():
    """A small environment for python -m http.server (it copies its environment into every script's):
    no proxy variables or anything else from the test runner's environment."""
    return {"PATH": FIXED_PATH, "PYTHONDONTWRITEBYTECODE": "1"}


def start_python_cgi(root):
    return start_python(["--cgi", "-b", "127.0.0.1", "0", "-d", root], env=python_env(), cwd=root)


def _version():
    import subprocess
    out = subprocess.run([PYTHON, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), int(out[1])


PYTHON_VERSION = _version()

# Python 3.14 (gh-123430) added a colour-scheme <style> block to its error page and its listing;
# httpserve sends the 3.14 pages. On an older Python (Debian 12 has 3.11) the oracle's pages get
# exactly that block inserted, and nothing else changes: any other difference still fails.
_ERROR_HEAD_313 = b'<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n'
_ERROR_STYLE_314 = (b'        <style type="text/css">\n            :root {\n                color-scheme: light dark;\n'
                    b'            }\n        </style>\n')
_LISTING_HEAD_313 = b'<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
_LISTING_STYLE_314 = b'<style type="text/css">\n:root {\ncolor-scheme: light dark;\n}\n</style>\n'


def as_python_314(response):
    """The oracle's answer as Python 3.14 gives it (a client.Response, changed in place and returned):
    the dark-mode block in error pages and listings, Content-Length counting it (also for HEAD, which
    has no body: the two pages are told apart by their Content-Type, which no file answer has, as
    Python adds no charset to files). A no-op on 3.14+."""
    if PYTHON_VERSION >= (3, 14):
        return response
    pages = {"text/html;charset=utf-8": (_ERROR_HEAD_313, _ERROR_STYLE_314, b"        <title>Error response</title>"),
             "text/html; charset=utf-8": (_LISTING_HEAD_313, _LISTING_STYLE_314, b"<title>Directory listing for ")}
    page = pages.get(response.header("Content-Type", "") if response.has_status_line else None)
    if page is None and not response.has_status_line:  # a bare body (HTTP/0.9, bad versions)
        page = next((p for p in pages.values() if response.body.startswith(p[0] + p[2])), None)
    if page is None:
        return response
    head, style, follows = page
    if response.body:
        if not response.body.startswith(head + follows):
            return response  # not the page we know: left as it is, so the comparison shows it
        response.body = head + style + response.body[len(head):]
    response.headers = [(n, str(int(v) + len(style)) if n.lower() == "content-length" and v.isdigit() else v)
                        for n, v in response.headers]
    return response
