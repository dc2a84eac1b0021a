"""CGI script fixtures, written at run time into temporary folders (never committed): the served tree
of the CGI tests (CgiTree) with its scripts, the launcher tests' tree, and what the scripts print.
Standard library only."""
import hashlib
import os
import shutil
import tempfile

A_TXT = b"hello from a.txt\n"

# The meta-variables whose values must be Python's (README, "CGI" under the compatibility table). SERVER_SOFTWARE,
# SERVER_PROTOCOL and SERVER_NAME differ on purpose; SERVER_PORT is compared with each server's port.
COMPARED_KEYS = (
    "GATEWAY_INTERFACE", "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING",
    "REMOTE_ADDR", "REMOTE_HOST", "AUTH_TYPE", "REMOTE_USER", "CONTENT_TYPE", "CONTENT_LENGTH",
    "HTTP_ACCEPT", "HTTP_COOKIE", "HTTP_USER_AGENT", "HTTP_REFERER",
)
# Everything httpserve may put in a script's environment besides HTTP_* (environment.hpp), plus what
# the interpreters add themselves (dash exports PWD; Python's PEP 538 coercion sets LC_CTYPE).
ALLOWED_NON_HTTP_KEYS = {
    "PATH", "GATEWAY_INTERFACE", "SERVER_SOFTWARE", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
    "REQUEST_METHOD", "PATH_INFO", "PATH_TRANSLATED", "SCRIPT_NAME", "QUERY_STRING", "REMOTE_ADDR",
    "REMOTE_HOST", "AUTH_TYPE", "REMOTE_USER", "CONTENT_TYPE", "CONTENT_LENGTH",
    "PWD", "SHLVL", "_", "LC_CTYPE",
}
FIXED_PATH = "/usr/local/bin:/usr/bin:/bin"
BIG_OUTPUT = 52428800  # 50 MiB

# ---------------------------------------------------------------------------------------------------
# Scripts. "@STATE@" is replaced by the world-writable state folder (scripts run as nobody), "@ROOT@" by
# the served folder.

ENV_PY = r'''#!/usr/bin/env python3
# Prints its environment (sorted KEY=value lines), its arguments, and what it read from stdin
# (exactly CONTENT_LENGTH bytes, as Python's server leaves the socket open).
import hashlib, json, os, sys
body = b""
n = os.environ.get("CONTENT_LENGTH", "")
if n.isdigit():
    body = sys.stdin.buffer.read(int(n))
out = sys.stdout.buffer
out.write(b"Content-Type: text/plain\r\n\r\n")
lines = [k + b"=" + v for k, v in os.environb.items()]
lines.append(b"X_ARGV=" + json.dumps(sys.argv[1:]).encode())
lines.append(b"X_BODY_LEN=%d" % len(body))
lines.append(b"X_BODY_SHA256=" + hashlib.sha256(body).hexdigest().encode())
out.write(b"\n".join(sorted(lines)) + b"\n")
'''

ARGV_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
printf '%s\n' "$#"
for a in "$@"; do printf '[%s]\n' "$a"; done
'''

ENV_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
env | sort
'''

IDS_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
id -u; id -g; id -G
'''

HELLO_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nhello from a script\n'
'''

# Shell lines that set $pid and $pgrp to the shell's own pid and process group as the machine sees
# them: /proc is the machine's, and the shell opens /proc/self/stat itself (a builtin's redirection).
# $$ is no use: every script is the init of its own PID namespace, where it is pid 1.
HOST_PIDS = "read -r stat < /proc/self/stat; set -- $stat; pid=$1; pgrp=$5\n"

# The #! scripts that find their own folder: $0, sys.argv[0] and __file__ must name the script, as
# execve() of its path gives them, so that a script can find files and modules next to it.
SELF_SH = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
printf '0=%s\n' "$0"
cat "$(dirname "$0")/data/next-to-me.txt"
'''

SELF_PY = r'''#!/usr/bin/env python3
import os, sys
sys.dont_write_bytecode = True  # the CGI folder stays as it is when the script may write in it
import sibling_module
print("Content-Type: text/plain\r\n\r", flush=True)
print("argv0=" + sys.argv[0])
print("folder=" + os.path.dirname(os.path.abspath(__file__)))
print("sibling=" + sibling_module.VALUE)
with open(os.path.join(os.path.dirname(__file__), "data", "next-to-me.txt")) as f:
    print(f.read(), end="")
'''

# An interpreter (outside the CGI folders) that prints the arguments the kernel gave it, one a line.
PRINT_ARGS = r'''#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
for a in "$@"; do printf '[%s]\n' "$a"; done
'''

SCRIPTS = {
    # name (under the root): (mode, text)
    "cgi-bin/self.sh": (0o755, SELF_SH),
    "cgi-bin/self.py": (0o755, SELF_PY),
    "cgi-bin/sibling_module.py": (0o644, "VALUE = 'imported from next to the script'\n"),
    "cgi-bin/data/next-to-me.txt": (0o644, "read from next to the script\n"),
    "cgi-bin/child-dir/self.sh": (0o755, SELF_SH),
    "cgi-bin/child-dir/data/next-to-me.txt": (0o644, "read from next to child-dir/self.sh\n"),
    "interpreters/print-args": (0o755, PRINT_ARGS),
    # One argument after the interpreter, with its inner spaces and tabs, as Linux reads a #! line.
    "cgi-bin/spaced-argument.sh": (0o755, "#!  @ROOT@/interpreters/print-args  one two\t three \t\nnot run\n"),
    "cgi-bin/no-interpreter.sh": (0o755, "#!/no/such/interpreter\necho never\n"),
    "cgi-bin/env.py": (0o755, ENV_PY),
    "cgi-bin/argv.sh": (0o755, ARGV_SH),
    "cgi-bin/env.sh": (0o755, ENV_SH),
    "cgi-bin/ids.sh": (0o755, IDS_SH),
    "cgi-bin/hello.sh": (0o755, HELLO_SH),
    # Leaves a marker that it ran and a line on stderr (which the error log shows with the script's name).
    "cgi-bin/script.sh": (0o755, "#!/bin/sh\n: > @STATE@/script-ran\necho 'script.sh stderr line' >&2\n"
                                 "printf 'Content-Type: text/plain\\r\\n\\r\\nscript ran\\n'\n"),
    "cgi-bin/noexec.py": (0o644, ENV_PY),
    "cgi-bin/child-dir/file3.py": (0o755, ENV_PY),
    "cgi-bin/child-dir/grandchild/deep.sh": (0o755, HELLO_SH),
    "htbin/env.py": (0o755, ENV_PY),
    "htbin/hello.sh": (0o755, HELLO_SH),
    # --- httpserve only: the response head is parsed ---
    "cgi-bin/status.sh": (0o755, "#!/bin/sh\nprintf 'Status: 404 Nope\\r\\nContent-Type: text/plain\\r\\n\\r\\nnot here\\n'\n"),
    "cgi-bin/abs_location.sh": (0o755, "#!/bin/sh\nprintf 'Location: http://example.com/elsewhere?x=1\\r\\n\\r\\n'\n"),
    "cgi-bin/abs_location_301.sh": (0o755, "#!/bin/sh\nprintf 'Status: 301 Moved Permanently\\r\\n"
                                           "Location: http://example.com/moved\\r\\n\\r\\n'\n"),
    "cgi-bin/local_location.sh": (0o755, "#!/bin/sh\nprintf 'Location: /a.txt\\r\\n\\r\\nignored body\\n'\n"),
    "cgi-bin/local_cgi_location.sh": (0o755, "#!/bin/sh\nprintf 'Location: /cgi-bin/env.py?via=redirect\\r\\n\\r\\n'\n"),
    "cgi-bin/loop.sh": (0o755, "#!/bin/sh\nprintf 'Location: /cgi-bin/loop.sh\\r\\n\\r\\n'\n"),
    "cgi-bin/headers.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/html; charset=utf-8\\r\\nX-Custom: yes\\r\\n"
                                  "Set-Cookie: a=1\\r\\nSet-Cookie: b=2\\r\\nCache-Control: no-store\\r\\n\\r\\n"
                                  "<p>hi</p>\\n'\n"),
    "cgi-bin/lf_only.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\nX-Lf: 1\\n\\nlf body\\n'\n"),
    "cgi-bin/withlen.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nContent-Length: 6\\r\\n\\r\\nsized\\n'\n"),
    "cgi-bin/overlong.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nContent-Length: 3\\r\\n\\r\\nabcdef'\n"),
    "cgi-bin/short.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nContent-Length: 10\\r\\n\\r\\nabcd'\n"),
    "cgi-bin/nolen.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                                "printf 'part one\\n'\nsleep 0.1\nprintf 'part two\\n'\n"),
    "cgi-bin/big.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\n"
                              "exec head -c %d /dev/zero\n" % BIG_OUTPUT),
    "cgi-bin/cat.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\n"
                              "X-Content-Length: %s\\r\\n\\r\\n' \"$CONTENT_LENGTH\"\nexec cat\n"),
    "cgi-bin/headmark.sh": (0o755, "#!/bin/sh\nprintf '%s' \"$REQUEST_METHOD\" > @STATE@/head.\"$QUERY_STRING\"\n"
                                   "printf 'Content-Type: text/plain\\r\\n\\r\\nbody of headmark\\n'\n"),
    "cgi-bin/crash.sh": (0o755, "#!/bin/sh\nexit 1\n"),
    "cgi-bin/garbage.sh": (0o755, "#!/bin/sh\nprintf 'garbage line without colon\\r\\n\\r\\nbody\\n'\n"),
    "cgi-bin/noend.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nX-A: b\\r\\n'\n"),
    "cgi-bin/notype.sh": (0o755, "#!/bin/sh\nprintf 'X-Only: this\\r\\n\\r\\nbody without a type\\n'\n"),
    # Answers, and writes ESC, CR, C1 controls (C2 9B, 9B), ill-formed UTF-8 (FF) and é to stderr.
    "cgi-bin/stderr.sh": (0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok\\n'\n"
                                 "printf 'stderr-probe \\033[2J\\r\\302\\233\\233\\377 caf\\303\\251\\n' >&2\n"),
    # A header name with ill-formed UTF-8 and a C1 control: a 502, and the head is quoted in the log.
    "cgi-bin/badname.sh": (0o755, "#!/bin/sh\nprintf 'X-Bad\\377\\302\\233: v\\r\\nContent-Type: text/plain\\r\\n\\r\\n'\n"),
    # Records "pid child pgrp", then stays silent: killed by cgi.timeout. Pids as the machine sees them
    # (HOST_PIDS): a script is its own PID namespace's init, so its $$ is 1.
    "cgi-bin/timeout.sh": (0o755, "#!/bin/sh\n" + HOST_PIDS + "child=@STATE@/timeout.\"$QUERY_STRING\".child\n"
                                  "(" + HOST_PIDS + "echo $pid > $child; exec sleep 60) &\n"
                                  "while [ ! -s $child ]; do sleep 0.01; done\n"
                                  "echo \"$pid $(cat $child) $pgrp\" > @STATE@/timeout.\"$QUERY_STRING\".tmp\n"
                                  "mv @STATE@/timeout.\"$QUERY_STRING\".tmp @STATE@/timeout.\"$QUERY_STRING\"\n"
                                  "sleep 60\n"),
    # Sends its head and a first piece of body, then stays silent: cut by cgi.timeout.
    "cgi-bin/silent_after_head.sh": (0o755, "#!/bin/sh\n" + HOST_PIDS +
                                            "echo \"$pid $pgrp\" > @STATE@/silent.\"$QUERY_STRING\"\n"
                                            "printf 'Content-Type: text/plain\\r\\n\\r\\npartial\\n'\n"
                                            "exec sleep 60\n"),
    # Holds a process slot until @STATE@/release exists (at most ~15 s).
    "cgi-bin/hold.sh": (0o755, "#!/bin/sh\n: > @STATE@/hold.\"$QUERY_STRING\"\ni=0\n"
                               "while [ ! -e @STATE@/release ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done\n"
                               "printf 'Content-Type: text/plain\\r\\n\\r\\nreleased\\n'\n"),
}


class CgiTree:
    """A served folder (0755, readable by nobody) with cgi-bin/, htbin/, cgi-bin/child-dir/, an empty
    sub-directory, static files, and a world-writable state folder for the scripts' marker files."""

    def __init__(self):
        self.base = os.path.realpath(tempfile.mkdtemp(prefix="httpserve-cgi-"))
        os.chmod(self.base, 0o755)
        self.root = os.path.join(self.base, "root")
        self.state = os.path.join(self.base, "state")
        self.conf = os.path.join(self.base, "conf")
        os.mkdir(self.root, 0o755)
        os.mkdir(self.state)
        os.chmod(self.state, 0o1777)
        os.mkdir(self.conf, 0o755)
        self.write("a.txt", A_TXT, 0o644)
        self.write("nocgi.py", b"print('static, not a script')\n", 0o644)
        for name, (mode, text) in SCRIPTS.items():
            self.write(name, text.replace("@STATE@", self.state).replace("@ROOT@", self.root).encode(), mode)
        os.makedirs(os.path.join(self.root, "cgi-bin", "emptydir"), 0o755, exist_ok=True)
        for dirpath, dirnames, _ in os.walk(self.root):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)

    def write(self, rel, data, mode):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def state_path(self, name):
        return os.path.join(self.state, name)

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)


def parse_env(body):
    """KEY=value lines (what env.py and env.sh print) -> dict (str, Latin-1)."""
    env = {}
    for line in body.decode("latin-1").split("\n"):
        if "=" in line:
            k, _, v = line.partition("=")
            env[k] = v
    return env


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------------
# The launcher tests' tree (tests/cgi_launcher_probe runs its scripts)

def write_script(path, text, mode=0o755):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def make_launcher_tree():
    """For the launcher tests: www/cgi-bin with test scripts, www/other (not a CGI folder), all
    readable by anyone. Returns (base, www, cgi, other, out)."""
    base = tempfile.mkdtemp(prefix="httpserve-cgil-")
    os.chmod(base, 0o755)
    www = os.path.join(base, "www")
    cgi = os.path.join(www, "cgi-bin")
    other = os.path.join(www, "other")
    for d in (www, cgi, other, os.path.join(cgi, "sub")):
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
    out = os.path.join(base, "out")  # the scripts write pid files here, whoever they run as
    os.mkdir(out)
    os.chmod(out, 0o1777)
    write_script(os.path.join(cgi, "id.sh"), "#!/bin/sh\n/usr/bin/id -u; /usr/bin/id -g; /usr/bin/id -G\n")
    shutil.copy("/usr/bin/env", os.path.join(cgi, "env"))
    os.chmod(os.path.join(cgi, "env"), 0o755)
    write_script(os.path.join(cgi, "fds.sh"), "#!/bin/sh\nexec /bin/ls -l /proc/self/fd\n")
    write_script(os.path.join(cgi, "pwd.sh"), "#!/bin/sh\nexec /bin/pwd -P\n")
    write_script(os.path.join(cgi, "sub", "pwd.sh"), "#!/bin/sh\nexec /bin/pwd -P\n")
    write_script(os.path.join(cgi, "status.sh"), "#!/bin/sh\nexec /bin/cat /proc/self/status /proc/self/stat\n")
    write_script(os.path.join(cgi, "devtty.sh"),
                 "#!/bin/sh\n(exec 3</dev/tty) 2>/dev/null && echo OPENED || echo NONE\n")
    write_script(os.path.join(cgi, "fail.sh"), "#!/bin/sh\necho failing >&2\nexit 3\n")
    write_script(os.path.join(cgi, "noexec.sh"), "#!/bin/sh\necho never\n", 0o644)
    write_script(os.path.join(cgi, "garbage"), "not a program\n", 0o755)  # no #!: execve says ENOEXEC
    # Forks a child that ignores TERM (so only the KILL after the grace period ends it), records both
    # pids, and waits.
    write_script(os.path.join(cgi, "sleeper.sh"),
                 "#!/bin/sh\nout=$1\n(trap '' TERM; " + HOST_PIDS + "echo $pid > \"$out.child\"; exec /bin/sleep 300) &\n"
                 + HOST_PIDS + "while [ ! -s \"$out.child\" ]; do sleep 0.01; done\n"
                 "{ cat \"$out.child\"; echo $pid; } > \"$out.tmp\"\nmv \"$out.tmp\" \"$out\"\nwait\n")
    write_script(os.path.join(cgi, "sleep.sh"), "#!/bin/sh\nexec /bin/sleep 300\n")
    write_script(os.path.join(other, "x.sh"), "#!/bin/sh\necho other\n")
    shutil.copy("/bin/ls", os.path.join(cgi, "ls"))  # a binary, where the others are #! scripts
    os.chmod(os.path.join(cgi, "ls"), 0o755)
    os.mkfifo(os.path.join(cgi, "fifo"), 0o755)
    write_script(os.path.join(cgi, ".hidden.sh"), "#!/bin/sh\necho hidden\n")
    os.mkdir(os.path.join(cgi, ".hidden-dir"))
    os.chmod(os.path.join(cgi, ".hidden-dir"), 0o755)
    write_script(os.path.join(cgi, ".hidden-dir", "pwd.sh"), "#!/bin/sh\nexec /bin/pwd -P\n")
    os.symlink("pwd.sh", os.path.join(cgi, "linked.sh"))  # links that stay inside the CGI folder
    os.symlink("sub", os.path.join(cgi, "sub-link"))
    os.symlink("/bin/true", os.path.join(cgi, "escape"))  # a link out of the CGI folder
    os.symlink(os.path.join(cgi, "pwd.sh"), os.path.join(other, "link-in.sh"))  # and one into it
    private = os.path.join(cgi, "private")  # only root may enter: chdir fails after the switch
    os.mkdir(private)
    write_script(os.path.join(private, "x.sh"), "#!/bin/sh\necho private\n")
    os.chmod(private, 0o700)
    write_script(os.path.join(cgi, "root-only.sh"), "#!/bin/sh\necho root\n", 0o700)
    return base, www, cgi, other, out
