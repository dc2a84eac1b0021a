"""The CGI launcher, driven through tests/cgi_launcher_probe (the real launcher, started the way the
master starts it, with one worker channel): who scripts run as, what they are refused, what they
inherit (environment, fds, signals, cwd, process group), and how they are stopped.

Run: cd /work/main && python3 -m unittest discover -s tests/integration -t tests/integration \
         -p 'test_cgi_launcher.py' -v
Every process started here is stopped by its pid or process group, never by name.
"""
import fcntl
import grp
import os
import pwd
import re
import select
import shutil
import signal
import subprocess
import tempfile
import termios
import time
import unittest

import cgi_scripts
import procs
import servers
from procs import IS_ROOT, SETPRIV, account

PROBE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(servers.BINARY))), "tests",
                     "cgi_launcher_probe")
ROOT_ONLY = unittest.skipUnless(IS_ROOT, "needs root (CI runs as root)")
# The unprivileged account the probe runs as in the "not started as root" tests: not nobody, so that
# "runs as the server's user" cannot be mistaken for a switch to nobody.
SERVER_USER = "daemon"

ENOENT, EPERM, EACCES, EAGAIN, EISDIR, ENOEXEC = 2, 1, 13, 11, 21, 8
# What a worker is told for every refusal that concerns the script's files: one answer whatever the
# cause, so that a worker cannot learn more than it may; the cause is in the launcher's log.
REFUSED = ("FAILED", EPERM, "refused by the CGI launcher (the reason is in its log)")
LAUNCHER_PATH = "PATH=/usr/local/bin:/usr/bin:/bin"


class Probe:
    """tests/cgi_launcher_probe in its own process group, talked to line by line."""

    def __init__(self, args, as_user=None, env=None, ctty=None):
        """ctty: a terminal (pty slave path) that becomes the probe's controlling terminal."""
        argv = [PROBE] + list(args)
        if as_user:
            argv = procs.setpriv_prefix(as_user, as_user) + argv
        self.stderr_file = tempfile.TemporaryFile()

        def take_terminal():  # after the new session's setsid()
            fd = os.open(ctty, os.O_RDWR)
            fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
            os.close(fd)

        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr_file,
                                     start_new_session=True, env=env, preexec_fn=take_terminal if ctty else None)
        self.pid = self.proc.pid
        self.script_pids = []  # stopped by pid at the end, whatever the test did
        self._buf = b""
        self._stderr_text = ""
        first = self.line()
        self.launcher = int(first.split()[1]) if first.startswith("LAUNCHER ") else None
        self.first = first

    def line(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("probe: no answer in %.0fs; stderr:\n%s" % (timeout, self.stderr()[-3000:]))
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    if self._buf:
                        break
                    raise AssertionError("probe exited (%s); stderr:\n%s" % (self.proc.poll(), self.stderr()[-3000:]))
                self._buf += chunk
        text, _, self._buf = self._buf.partition(b"\n")
        return text.decode("utf-8", "replace")

    def send(self, command):
        self.proc.stdin.write((command + "\n").encode())
        self.proc.stdin.flush()

    def command(self, command):
        self.send(command)
        return self.line()

    def spawn(self, verb, *words):
        """run/runin/start: returns ("SPAWNED", pid, output bytes or None) or ("FAILED", code, message)
        or (other first word, None, the line)."""
        self.send(" ".join([verb] + [str(w) for w in words]))
        answer = self.line()
        kind, _, rest = answer.partition(" ")
        if kind == "SPAWNED":
            pid = int(rest.split()[1])
            self.script_pids.append(pid)
            output = None
            if verb != "start":
                out_line = self.line(30.0)
                assert out_line.startswith("OUTPUT"), out_line
                output = bytes.fromhex(out_line[7:])
            return kind, pid, output
        if kind == "FAILED":
            _, code, message = rest.split(" ", 2)
            return kind, int(code), message
        return kind, None, answer

    def stderr(self):
        if self.stderr_file is None:
            return self._stderr_text
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def close(self):
        if self.stderr_file is None:
            return self._stderr_text
        try:
            self.proc.stdin.close()  # the probe stops the launcher and exits
        except BrokenPipeError:
            pass
        if self.proc.poll() is None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        for pgid in [self.pid] + self.script_pids:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc.wait()
        self.proc.stdout.close()
        text = self._stderr_text = self.stderr()
        self.stderr_file.close()
        self.stderr_file = None
        report = [m for m in servers.SANITIZER_MARKERS if m in text]
        if report:
            raise AssertionError("sanitizer report in probe stderr (%s):\n%s" % (report, text[-4000:]))
        return text


@unittest.skipUnless(os.path.exists(PROBE), "cgi_launcher_probe not built")
class CgiLauncherTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base, cls.www, cls.cgi, cls.other, cls.out = cgi_scripts.make_launcher_tree()

    @classmethod
    def tearDownClass(cls):
        os.chmod(os.path.join(cls.cgi, "private"), 0o755)
        shutil.rmtree(cls.base, ignore_errors=True)

    def start(self, *extra, as_user=None, env=None, ctty=None):
        probe = Probe(["--root", self.www, "--dir", "/cgi-bin"] + list(extra), as_user=as_user, env=env, ctty=ctty)
        self.addCleanup(probe.close)
        self.assertIsNotNone(probe.launcher, probe.first)
        return probe

    def path(self, *parts):
        return os.path.join(self.cgi, *parts)

    def pids_from(self, name):
        path = os.path.join(self.out, name)
        self.assertTrue(procs.wait_until(lambda: os.path.exists(path), 8.0), "the script did not write " + path)
        with open(path) as f:
            return [int(x) for x in f.read().split()]

    # --- who scripts run as ---------------------------------------------------------------------

    @ROOT_ONLY
    def test_runs_as_nobody_nogroup_without_supplementary_groups(self):
        p = self.start()
        kind, _, output = p.spawn("run", 1, self.path("id.sh"))
        self.assertEqual(kind, "SPAWNED")
        uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
        self.assertEqual(output.decode().split("\n"), [str(uid), str(gid), str(gid), ""])
        self.assertIn("CGI scripts run as user 'nobody', group 'nogroup'", p.close())

    @ROOT_ONLY
    def test_cgi_user_that_is_root_is_refused_at_start(self):
        probe = Probe(["--root", self.www, "--user", "root"])
        try:
            self.assertTrue(probe.first.startswith("ERROR "), probe.first)
            self.assertIn("must not run as root", probe.first)
        finally:
            probe.close()
        self.assertNotEqual(probe.proc.returncode, 0)

    @ROOT_ONLY
    def test_missing_cgi_user_is_refused_at_start(self):
        probe = Probe(["--root", self.www, "--user", "no-such-user-httpserve"])
        try:
            self.assertIn("does not exist", probe.first)
        finally:
            probe.close()

    @unittest.skipUnless(IS_ROOT and SETPRIV and account(SERVER_USER), "needs root, setpriv and a 'daemon' account")
    def test_not_root_default_user_runs_scripts_as_the_server_user(self):
        p = self.start(as_user=SERVER_USER)
        kind, _, output = p.spawn("run", 1, self.path("id.sh"))
        self.assertEqual(kind, "SPAWNED")
        a = pwd.getpwnam(SERVER_USER)
        self.assertEqual(output.decode().split("\n")[:2], [str(a.pw_uid), str(a.pw_gid)])
        log = p.close()
        self.assertEqual(log.count("CGI scripts run as the server's user '%s' (not started as root)" % SERVER_USER), 1,
                         log)

    @unittest.skipUnless(IS_ROOT and SETPRIV and account(SERVER_USER), "needs root, setpriv and a 'daemon' account")
    def test_not_root_explicit_other_user_is_a_failed_spawn(self):
        p = self.start("--user", "nobody", "--group", "nogroup", as_user=SERVER_USER)
        kind, code, message = p.spawn("run", 7, self.path("id.sh"))
        self.assertEqual((kind, code), ("FAILED", EPERM), message)
        self.assertIn("cgi.user 'nobody'", message)
        self.assertIn("not started as root", message)
        self.assertIn("every CGI request is refused", p.close())

    @unittest.skipUnless(IS_ROOT and SETPRIV and account(SERVER_USER), "needs root, setpriv and a 'daemon' account")
    def test_not_root_explicit_user_that_is_the_server_user_works(self):
        p = self.start("--user", SERVER_USER, "--group", SERVER_USER, as_user=SERVER_USER)
        kind, _, output = p.spawn("run", 1, self.path("id.sh"))
        self.assertEqual(kind, "SPAWNED")
        self.assertEqual(output.decode().split("\n")[0], str(pwd.getpwnam(SERVER_USER).pw_uid))

    # --- what is refused ------------------------------------------------------------------------

    def assertRefused(self, probe, verb, *words):
        self.assertEqual(probe.spawn(verb, *words), REFUSED, words)

    def test_outside_the_cgi_folders_is_refused(self):
        p = self.start()
        cases = [(os.path.join(self.other, "x.sh"), "not inside a CGI folder"),
                 (self.path("..", "other", "x.sh"), "it leads outside its CGI folder"),
                 (self.path("escape"), "it leads outside its CGI folder"),
                 ("/bin/true", "not inside a CGI folder"),
                 # A link from elsewhere to a script inside is not a path inside.
                 (os.path.join(self.other, "link-in.sh"), "not inside a CGI folder")]
        for i, (script, _) in enumerate(cases):
            self.assertRefused(p, "run", i, script)
        log = p.close()
        for script, why in cases:
            self.assertRegex(log, r"cgi: %s: [^\n]*%s" % (re.escape(script), re.escape(why)))

    def test_relative_missing_non_executable_and_directory_are_refused(self):
        p = self.start()
        cases = [("cgi-bin/id.sh", "script path is not absolute: cgi-bin/id.sh"),
                 (self.path("missing.sh"), "opening it beneath its CGI folder: No such file or directory"),
                 (self.path("noexec.sh"), "not executable by the CGI account: Permission denied"),
                 (self.path("sub"), "not a plain file: Is a directory"),
                 (self.cgi, "not a plain file: Is a directory"),
                 (self.path("fifo"), "not a plain file: Permission denied"),
                 ("/dev/null", "not inside a CGI folder")]
        for i, (script, _) in enumerate(cases):
            self.assertRefused(p, "run", i, script)
        log = p.close()
        for script, why in cases:
            self.assertIn(why if why.startswith("script path") else "cgi: %s: %s" % (script, why), log)

    @ROOT_ONLY
    def test_executable_by_root_only_is_refused(self):
        p = self.start()
        self.assertRefused(p, "run", 1, self.path("root-only.sh"))
        self.assertIn("cgi: %s: not executable by the CGI account: Permission denied" % self.path("root-only.sh"),
                      p.close())

    def test_exec_failure_in_the_child_is_reported(self):
        p = self.start()
        self.assertRefused(p, "run", 1, self.path("garbage"))
        self.assertIn("cgi: %s: exec: Exec format error" % self.path("garbage"), p.close())

    @ROOT_ONLY
    def test_chdir_failure_after_the_switch_is_reported(self):
        p = self.start()
        # The folder can be opened (its parent is searchable), not entered: fchdir checks as nobody.
        self.assertRefused(p, "runin", 1, self.path("private"), self.path("pwd.sh"))
        self.assertIn("cgi: %s: chdir: Permission denied" % self.path("pwd.sh"), p.close())

    @ROOT_ONLY
    def test_a_script_in_a_folder_nobody_may_enter_is_opened_as_nobody(self):
        p = self.start()
        self.assertRefused(p, "run", 1, self.path("private", "x.sh"))
        self.assertIn("cgi: %s: opening it beneath its CGI folder: Permission denied" % self.path("private", "x.sh"),
                      p.close())

    @ROOT_ONLY
    def test_refusals_do_not_tell_whether_a_file_exists_in_a_root_only_folder(self):
        p = self.start()
        present = p.spawn("run", 1, self.path("private", "x.sh"))
        missing = p.spawn("run", 1, self.path("private", "missing.sh"))
        self.assertEqual(present, missing)
        self.assertEqual(present, REFUSED)

    def test_dotfiles_and_symlinks_policies(self):
        hidden = self.path(".hidden.sh")
        linked = self.path("linked.sh")  # a relative link that stays inside the folder
        p = self.start("--dotfiles", "deny", "--symlinks", "never")
        self.assertRefused(p, "run", 1, hidden)
        self.assertRefused(p, "run", 2, self.path(".hidden-dir", "pwd.sh"))
        self.assertRefused(p, "run", 3, linked)
        self.assertRefused(p, "runin", 4, self.path("sub-link"), self.path("pwd.sh"))
        log = p.close()
        self.assertIn("cgi: %s: a name starting with '.', and files.dotfiles is \"deny\"" % hidden, log)
        self.assertIn("cgi: %s: opening it beneath its CGI folder: Too many levels of symbolic links (a symlink on "
                      "the way, and files.symlinks is \"never\")" % linked, log)
        # The default policies run them.
        p = self.start()
        self.assertEqual(p.spawn("run", 1, hidden)[2], b"hidden\n")
        self.assertEqual(p.spawn("run", 2, linked)[2], os.path.realpath(self.cgi).encode() + b"\n")
        self.assertEqual(p.spawn("runin", 3, self.path("sub-link"), self.path("pwd.sh"))[2],
                         os.path.realpath(self.path("sub")).encode() + b"\n")

    def test_working_folder_outside_the_cgi_folders_is_refused(self):
        p = self.start()
        self.assertRefused(p, "runin", 1, self.other, self.path("pwd.sh"))
        kind, _, output = p.spawn("runin", 2, self.path("sub"), self.path("pwd.sh"))
        self.assertEqual((kind, output), ("SPAWNED", os.path.realpath(self.path("sub")).encode() + b"\n"))

    # --- what a script inherits -----------------------------------------------------------------

    def test_environment_is_the_meta_variables_and_http_variables_sent(self):
        env = dict(os.environ, LAUNCHER_ONLY_SECRET="must-not-leak")
        p = self.start(env=env)
        for line in ("env QUERY_STRING=a=1&b=2", "env HTTP_X=two  spaces", "env CONTENT_LENGTH=", "env HTTP_A_1=x"):
            p.send(line)
        kind, _, output = p.spawn("run", 1, self.path("env"))
        self.assertEqual(kind, "SPAWNED")
        self.assertEqual(output.decode().split("\n"),
                         [LAUNCHER_PATH, "QUERY_STRING=a=1&b=2", "HTTP_X=two  spaces", "CONTENT_LENGTH=", "HTTP_A_1=x",
                          ""])
        p.send("clearenv")
        self.assertEqual(p.spawn("run", 2, self.path("env"))[2], (LAUNCHER_PATH + "\n").encode())

    def test_environment_a_worker_chooses_beyond_the_request_is_dropped(self):
        p = self.start()
        # What a compromised worker might send to take over the script or its interpreter.
        for line in ("env LD_PRELOAD=/tmp/evil.so", "env PATH=/tmp/evil", "env IFS=x", "env BASH_ENV=/tmp/evil",
                     "env HTTP_X-Y=dash", "env HTTP_=empty", "env http_lower=1", "env HTTP_\x1b[31m=esc",
                     "env REMOTE_ADDR=127.0.0.1", "env REMOTE_ADDR=10.0.0.1", "env EMPTY="):
            p.send(line)
        kind, _, output = p.spawn("run", 1, self.path("env"))
        self.assertEqual(kind, "SPAWNED")
        # PATH is the launcher's; a repeated name keeps its first value.
        self.assertEqual(output.decode().split("\n"), [LAUNCHER_PATH, "REMOTE_ADDR=127.0.0.1", ""])
        self.assertIn("cgi: %s: 9 environment variable(s) from the worker not passed on: LD_PRELOAD, IFS, BASH_ENV, "
                      "HTTP_X-Y, HTTP_, http_lower, HTTP_\\x1b[31m, REMOTE_ADDR, ..." % self.path("env"), p.close())

    def test_large_environment_fits_and_too_large_is_refused_by_the_client(self):
        p = self.start()
        p.send("bigenv HTTP_BIG1 100000")
        p.send("bigenv HTTP_BIG2 100000")
        kind, _, output = p.spawn("run", 1, self.path("env"))
        self.assertEqual(kind, "SPAWNED")
        self.assertEqual(len(output), len(LAUNCHER_PATH) + 1 + 2 * (10 + 100000 + 1))
        p.send("bigenv HTTP_BIG3 100000")
        kind, _, line = p.spawn("run", 2, self.path("env"))
        self.assertEqual(kind, "SENDFAIL", line)
        self.assertIn("too large", line)

    def test_only_stdin_stdout_stderr_are_open(self):
        marker = os.path.join(self.base, "marker")
        cgi_scripts.write_script(marker, "x", 0o644)
        p = self.start("--marker", marker)
        kind, pid, output = p.spawn("run", 1, self.path("fds.sh"))
        self.assertEqual(kind, "SPAWNED")
        fds = {}
        for line in output.decode().splitlines():
            if " -> " in line:
                name, target = line.split(" -> ")
                fds[int(name.split()[-1])] = target
        # ls itself holds the directory it lists; a #! script holds nothing else beyond 0-2 either.
        others = {fd: t for fd, t in fds.items() if fd > 2 and not t.endswith("/fd")}
        self.assertEqual(others, {}, output)
        self.assertEqual(sorted(fd for fd in fds if fd <= 2), [0, 1, 2])
        # A binary holds nothing beyond 0-2.
        kind, pid, output = p.spawn("run", 2, self.path("ls"), "-l", "/proc/self/fd")
        self.assertEqual(kind, "SPAWNED")
        fds = [line.split(" -> ") for line in output.decode().splitlines() if " -> " in line]
        others = [target for name, target in fds if int(name.split()[-1]) > 2 and not target.endswith("/fd")]
        self.assertEqual(others, [], output)
        # The launcher itself kept none of the fds it inherited (stdin/stdout are /dev/null).
        launcher_fds = {int(fd): os.readlink("/proc/%d/fd/%s" % (p.launcher, fd))
                        for fd in os.listdir("/proc/%d/fd" % p.launcher)}
        self.assertNotIn(marker, launcher_fds.values())
        self.assertEqual(launcher_fds[0], "/dev/null")
        self.assertEqual(launcher_fds[1], "/dev/null")
        self.assertLessEqual(len(launcher_fds), 6, launcher_fds)  # 0-2, control, signalfd, one channel

    def test_shebang_script_gets_its_path_as_dollar_zero(self):
        # What execve() of the path gives: [interpreter, its argument, the script's path, argv[1:]].
        write = cgi_scripts.write_script
        write(self.path("dollar0.sh"), '#!/bin/sh\nprintf "%s|" "$0" "$@"\n')
        write(self.path("sub", "via-env.sh"), '#!/usr/bin/env sh\nprintf "%s|" "$0" "$@"\n')
        p = self.start()
        self.assertEqual(p.spawn("run", 1, self.path("dollar0.sh"), "a", "b c")[2],
                         ("%s|a|b|c|" % self.path("dollar0.sh")).encode())
        self.assertEqual(p.spawn("run", 2, self.path("sub", "via-env.sh"))[2],
                         ("%s|" % self.path("sub", "via-env.sh")).encode())

    @ROOT_ONLY
    def test_a_binary_the_account_may_run_but_not_read_runs(self):
        # Mode 0711: nobody may execute it, not read it; the launcher cannot read a #! line from it
        # and leaves the kernel to run it from its descriptor.
        xonly = self.path("sub", "echo-xonly")
        shutil.copy("/bin/echo", xonly)
        os.chmod(xonly, 0o711)
        self.addCleanup(os.unlink, xonly)
        p = self.start()
        kind, _, output = p.spawn("run", 1, xonly, "ran")
        self.assertEqual((kind, output), ("SPAWNED", b"ran\n"))

    def test_cwd_is_the_script_folder(self):
        p = self.start()
        self.assertEqual(p.spawn("run", 1, self.path("pwd.sh"))[2], os.path.realpath(self.cgi).encode() + b"\n")
        self.assertEqual(p.spawn("run", 2, self.path("sub", "pwd.sh"))[2],
                         os.path.realpath(self.path("sub")).encode() + b"\n")

    def test_signals_process_group_and_privileges_are_reset(self):
        p = self.start()
        kind, pid, output = p.spawn("run", 1, self.path("status.sh"))
        self.assertEqual(kind, "SPAWNED")
        text = output.decode()
        fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        for name in ("SigBlk", "SigIgn"):
            self.assertEqual(int(fields[name], 16), 0, name)
        self.assertEqual(fields["NoNewPrivs"].strip(), "1")
        if IS_ROOT:
            self.assertEqual(int(fields["CapEff"], 16), 0)
            self.assertEqual(int(fields["CapPrm"], 16), 0)
        stat_line = text.splitlines()[-1]
        after = stat_line.rsplit(")", 1)[1].split()
        self.assertEqual(int(stat_line.split()[0]), pid)  # cat was exec'd in place of the script
        self.assertEqual(int(after[2]), pid)  # own process group
        self.assertEqual(int(after[4]), 0)  # no controlling terminal

    def test_scripts_never_get_the_servers_controlling_terminal(self):
        master_fd, slave_fd = os.openpty()
        self.addCleanup(os.close, master_fd)
        slave = os.ttyname(slave_fd)
        os.close(slave_fd)
        p = self.start(ctty=slave)

        def tty_nr(pid):
            with open("/proc/%d/stat" % pid) as f:
                return int(f.read().rsplit(")", 1)[1].split()[4])

        self.assertNotEqual(tty_nr(p.pid), 0)  # the set-up worked: the probe (the "master") has it
        kind, pid, output = p.spawn("run", 1, self.path("status.sh"))
        self.assertEqual(kind, "SPAWNED")
        self.assertEqual(tty_nr(p.launcher), 0)  # it is in its loop now
        after = output.decode().splitlines()[-1].rsplit(")", 1)[1].split()
        self.assertEqual((int(after[2]), int(after[4])), (pid, 0))  # own process group, no terminal
        # /dev/tty names the caller's controlling terminal: there is none to open.
        self.assertEqual(p.spawn("run", 2, self.path("devtty.sh"))[2], b"NONE\n")

    @ROOT_ONLY
    def test_launcher_keeps_only_the_capabilities_it_uses(self):
        p = self.start()
        self.assertEqual(p.spawn("run", 1, self.path("pwd.sh"))[0], "SPAWNED")  # it is in its loop now
        with open("/proc/%d/status" % p.launcher) as f:
            fields = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
        # SETUID, SETGID, KILL, and SYS_ADMIN for clone(CLONE_NEWPID): all of them in the launcher's
        # own user namespace, where they reach only what the namespace owns.
        wanted = (1 << 7) | (1 << 6) | (1 << 5) | (1 << 21)
        self.assertNotEqual(os.readlink("/proc/%d/ns/user" % p.launcher), os.readlink("/proc/self/ns/user"))
        self.assertEqual(int(fields["CapEff"], 16), wanted)
        self.assertEqual(int(fields["CapPrm"], 16), wanted)
        self.assertEqual(int(fields["CapBnd"], 16), wanted)
        self.assertEqual(fields["NoNewPrivs"].strip(), "1")

    # --- stopping scripts -----------------------------------------------------------------------

    def test_kill_ends_the_whole_process_group(self):
        p = self.start()
        pidfile = os.path.join(self.out, "kill-group")
        kind, pid, _ = p.spawn("start", 1, self.path("sleeper.sh"), pidfile)
        self.assertEqual(kind, "SPAWNED")
        child, script = self.pids_from("kill-group")
        self.assertEqual(script, pid)
        p.script_pids.append(child)
        self.assertFalse(procs.gone(child))
        t0 = time.monotonic()
        self.assertEqual(p.command("kill %d" % pid), "KILLSENT")
        self.assertTrue(procs.wait_until(lambda: procs.gone(pid) and procs.gone(child), 8.0),
                        "script group still alive")
        # The child ignores TERM: only the KILL after the grace period ends it.
        self.assertGreater(time.monotonic() - t0, 1.5)
        log = p.close()
        self.assertIn("is being stopped on the worker's request", log)
        self.assertIn("cgi: %s (pid %d) " % (os.path.realpath(self.path("sleeper.sh")), pid), log)

    def test_kill_of_a_pid_the_channel_did_not_start_is_ignored(self):
        p = self.start()
        bystander = subprocess.Popen(["/bin/sleep", "30"], start_new_session=True)
        try:
            self.assertEqual(p.command("kill %d" % bystander.pid), "KILLSENT")
            self.assertEqual(p.command("kill %d" % p.pid), "KILLSENT")
            time.sleep(0.5)
            self.assertIsNone(bystander.poll())
            self.assertIsNone(p.proc.poll())
        finally:
            os.killpg(bystander.pid, signal.SIGKILL)
            bystander.wait()

    def test_nonzero_exit_is_logged(self):
        p = self.start()
        kind, pid, output = p.spawn("run", 1, self.path("fail.sh"))
        self.assertEqual((kind, output), ("SPAWNED", b"failing\n"))
        expected = "cgi: %s (pid %d) exited with status 3" % (os.path.realpath(self.path("fail.sh")), pid)
        time.sleep(0.3)  # the launcher logs when it reaps, just after the output's EOF
        self.assertIn(expected, p.close())

    def test_closed_channel_kills_its_scripts(self):
        p = self.start()
        kind, pid, _ = p.spawn("start", 1, self.path("sleeper.sh"), os.path.join(self.out, "close-group"))
        self.assertEqual(kind, "SPAWNED")
        child, _ = self.pids_from("close-group")
        p.script_pids.append(child)
        self.assertEqual(p.command("close"), "CLOSED")
        self.assertTrue(procs.wait_until(lambda: procs.gone(pid) and procs.gone(child), 8.0))
        self.assertEqual(p.command("reconnect"), "CONNECTED")
        self.assertEqual(p.spawn("run", 2, self.path("pwd.sh"))[0], "SPAWNED")

    def test_stop_kills_running_scripts_and_the_launcher_exits(self):
        p = self.start()
        kind, pid, _ = p.spawn("start", 1, self.path("sleeper.sh"), os.path.join(self.out, "stop-group"))
        child, _ = self.pids_from("stop-group")
        p.script_pids.append(child)
        self.assertEqual(p.command("stop"), "STOPPED")
        self.assertTrue(procs.gone(p.launcher))
        self.assertTrue(procs.wait_until(lambda: procs.gone(pid) and procs.gone(child), 8.0))
        self.assertEqual(p.spawn("run", 2, self.path("pwd.sh"))[0], "SENDFAIL")

    def test_launcher_dies_with_its_master(self):
        p = self.start()
        kind, pid, _ = p.spawn("start", 1, self.path("sleep.sh"))
        self.assertEqual(kind, "SPAWNED")
        os.kill(p.pid, signal.SIGKILL)
        p.proc.wait()
        self.assertTrue(procs.wait_until(lambda: procs.gone(p.launcher), 8.0), "launcher outlived the master")
        self.assertTrue(procs.wait_until(lambda: procs.gone(pid), 8.0), "script outlived the launcher's stop")

    def test_per_channel_limit(self):
        p = self.start("--max", "1")  # the launcher's backstop: max(2 * max_processes, 16)
        for i in range(16):
            self.assertEqual(p.spawn("start", i, self.path("sleep.sh"))[0], "SPAWNED")
        self.assertEqual(p.spawn("start", 16, self.path("sleep.sh"))[:2], ("FAILED", EAGAIN))
        pid = p.script_pids[0]
        p.command("kill %d" % pid)
        self.assertTrue(procs.wait_until(lambda: procs.gone(pid), 8.0))
        # Room again once the launcher has reaped it (at once, but asynchronously).
        self.assertTrue(procs.wait_until(lambda: p.spawn("start", 17, self.path("sleep.sh"))[0] == "SPAWNED", 5.0))

    # --- reload ---------------------------------------------------------------------------------

    def test_settings_update_changes_the_cgi_folders(self):
        p = self.start()
        self.assertEqual(p.command("folders " + self.other), "UPDATED")
        self.assertEqual(p.spawn("run", 1, os.path.join(self.other, "x.sh"))[2], b"other\n")
        self.assertEqual(p.spawn("run", 2, self.path("pwd.sh"))[:2], ("FAILED", EPERM))
        self.assertIn("settings updated", p.close())


if __name__ == "__main__":
    unittest.main()
