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
