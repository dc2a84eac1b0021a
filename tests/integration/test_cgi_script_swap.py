"""A CGI script's folder swapped for a symlink while requests run: what the launcher executes is always
the file it checked, beneath its CGI folder, never a file the swap points to outside it.

Someone who may write in a folder below cgi-bin exchanges that folder with a symlink to a folder
outside the CGI folders, again and again (renameat2 RENAME_EXCHANGE, as fast as it goes), while a
client asks for the script in it. Outside, a script of the same name leaves a marker when it is
executed. A launcher that checks one path and then executes the path string again runs the outside
one now and then; one that opens the script beneath its folder and executes that descriptor (or the
interpreter that the checked file's #! line names) never does.

The interpreter of a #! script is given the script's path, as execve() of that path would give it
(and as Python, Apache and lighttpd do), and opens it again by that path: the swap can make it read
the outside file's text as its script, which someone who may write in the CGI folder could have
written there as a script anyway. That is answered "outside text read", and is not an escape: the
outside file's own first line names another interpreter, the one that leaves the marker.

Run: cd /work/main && python3 tests/run_all.py --build plain=build --pattern test_cgi_script_swap.py
Every process started here is stopped by its pid or process group, never by name.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import cgi_scripts
import client
import servers

ATTEMPTS = 2000
# Exchanges the two names until killed: its own process, so that it races the server rather than the
# client's thread for the GIL.
SWAPPER = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
AT_FDCWD, RENAME_EXCHANGE = -100, 2
if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
    sys.exit("renameat2: %s" % os.strerror(ctypes.get_errno()))
print("swapping", flush=True)
while True:
    libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
"""


def answer(text):
    return "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n'\n" % text


@unittest.skipUnless(servers.binary_exists(), "httpserve not built")
class ScriptFolderSwapTest(unittest.TestCase):
    def setUp(self):
        self.base = tempfile.mkdtemp(prefix="httpserve-swap-")
        self.addCleanup(shutil.rmtree, self.base, True)
        os.chmod(self.base, 0o755)
        self.www = os.path.join(self.base, "www")
        cgi = os.path.join(self.www, "cgi-bin")
        outside = os.path.join(self.base, "outside")
        for d in (self.www, cgi, os.path.join(cgi, "d"), outside, os.path.join(outside, "d")):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
        marks = os.path.join(self.base, "marks")  # written by the outside script, whoever it runs as
        os.mkdir(marks)
        os.chmod(marks, 0o1777)
        self.marker = os.path.join(marks, "escaped")
        cgi_scripts.write_script(os.path.join(cgi, "d", "s.sh"), answer("inside"))
        # Executed, the outside script runs its own interpreter, which leaves the marker; read as its
        # script by the inside one's /bin/sh, its first line is a comment.
        escaping = os.path.join(self.base, "escaping-interpreter")
        cgi_scripts.write_script(escaping, "#!/bin/sh\necho $$ >> %s\n" % self.marker + answer("escaped").split("\n", 1)[1])
        cgi_scripts.write_script(os.path.join(outside, "d", "s.sh"),
                                 "#!%s\n" % escaping + answer("outside text read").split("\n", 1)[1])
        self.folder = os.path.join(cgi, "d")
        self.link = os.path.join(cgi, "alt")
        os.symlink(os.path.join(outside, "d"), self.link)

    def start_swapper(self):
        swapper = subprocess.Popen([sys.executable, "-c", SWAPPER, self.folder, self.link], stdout=subprocess.PIPE,
                                   start_new_session=True)

        def stop():
            swapper.kill()
            swapper.wait()
            swapper.stdout.close()

        self.addCleanup(stop)
        self.assertEqual(swapper.stdout.readline(), b"swapping\n")
        return swapper

    def test_a_folder_swapped_for_a_symlink_never_runs_a_script_outside(self):
        server = servers.start_httpserve_cgi(self.www)
        self.addCleanup(server.stop)
        self.start_swapper()
        answers = {}
        conn = None
        deadline = time.monotonic() + 120
        for _ in range(ATTEMPTS):
            self.assertLess(time.monotonic(), deadline, "too slow: %r" % answers)
            try:
                if conn is None:
                    conn = client.Conn(server.port, timeout=20.0)
                status, _, headers, body, _ = conn.request("GET", "/cgi-bin/d/s.sh")
                key = (status, body.decode("latin-1").strip() if status == 200 else "")
                if headers.get("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, ValueError) as e:
                key = ("error", type(e).__name__)
                if conn:
                    conn.close()
                conn = None
            answers[key] = answers.get(key, 0) + 1
        if conn:
            conn.close()
        escapes = open(self.marker).read().split() if os.path.exists(self.marker) else []
        self.assertEqual((len(escapes), answers.get((200, "escaped"), 0)), (0, 0),
                         "scripts outside the CGI folder ran: %r" % answers)
        # The race was run: the script ran from its folder, and the swap was seen (and refused).
        self.assertGreater(answers.get((200, "inside"), 0), 0, answers)
        self.assertGreater(sum(n for k, n in answers.items() if k[0] != 200), 0, answers)
        self.assertEqual([k for k in answers if k[0] not in (200, 403, 404)], [], answers)


if __name__ == "__main__":
    unittest.main()
