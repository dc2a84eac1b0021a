"""The Debian package under a real systemd: install, serve, reload, CGI, upgrade, stop, socket
activation and purge, in a Debian 12 container booted by systemd-nspawn with no network but loopback.

Needs root, debootstrap and systemd-container (tools/test.sh installs them) and the configured Debian
mirror, once, for the tree (cached in build-system/). Steps run in order and each one is a test; a
step's failure leaves the later ones to run against whatever state it left. Timings go to stdout.
"""
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container as container_mod  # noqa: E402
import rootfs  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(REPO, "build-system")
# The unit's CapabilityBoundingSet (systemd/httpserve.service.in), as capability numbers.
CAP_BITS = {"cap_kill": 5, "cap_setgid": 6, "cap_setuid": 7, "cap_net_bind_service": 10}
# The launcher's, held in a user namespace of its own (CAP_SYS_ADMIN there, for PID namespaces).
LAUNCHER_CAPS = {"cap_kill": 5, "cap_setgid": 6, "cap_setuid": 7, "cap_sys_admin": 21}
NOBODY = 65534
EXPOSURE_TARGET = 3.0

TIMINGS = []


def log(message):
    print("[system] " + message, flush=True)


class Timer:
    def __init__(self, what):
        self.what = what

    def __enter__(self):
        self.started = time.monotonic()

    def __exit__(self, *exc):
        seconds = time.monotonic() - self.started
        TIMINGS.append((self.what, seconds))
        log("%s: %.1f s" % (self.what, seconds))


def mask(bits):
    value = 0
    for n in bits:
        value |= 1 << bits[n]
    return value


class PackagedService(unittest.TestCase):
    """One container for the whole class; the test methods are the steps, named in their order."""

    box = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise RuntimeError("the system test needs root (systemd-nspawn, debootstrap)")
        os.makedirs(WORK, exist_ok=True)
        with Timer("build the .deb (packaging/build-deb.sh, lintian included)"):
            cls.deb = os.environ.get("HTTPSERVE_SYSTEM_DEB")  # a .deb already built, when iterating
            if not cls.deb:
                cls.deb = cls.build_deb()
        with Timer("the Debian tree (debootstrap, or the cache)"):
            packages = rootfs.BASE_PACKAGES + rootfs.package_dependencies(cls.deb)
            pristine = rootfs.pristine_tree(WORK, packages, log)
        with Timer("copy the tree"):
            tree = rootfs.working_copy(pristine, os.path.join(WORK, "run"))
            subprocess.run(["cp", cls.deb, os.path.join(tree, "root")], check=True)
        cls.box = container_mod.Container(tree, os.path.join(WORK, "nspawn.log"))
        with Timer("boot the container to a running systemd"):
            try:
                state = cls.box.boot()
            except BaseException:
                cls.box.poweroff()
                raise
        log("container systemd: " + state)

    @staticmethod
    def build_deb():
        env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=%d" % os.cpu_count())
        out = subprocess.run([os.path.join(REPO, "packaging", "build-deb.sh")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            raise RuntimeError("packaging/build-deb.sh failed:\n" + out.stderr[-4000:])
        return out.stdout.strip().splitlines()[-1]

    @classmethod
    def tearDownClass(cls):
        if cls.box is not None:
            with Timer("power off"):
                cls.box.poweroff()
        log("timings: " + "; ".join("%s %.1f s" % t for t in TIMINGS))

    # -- helpers ------------------------------------------------------------------------------------

    def sh(self, command, **kw):
        return self.box.run(command, **kw)

    def curl(self, url="http://127.0.0.1/", extra=""):
        """(status, body) of one request from inside the container."""
        out = self.sh("curl -sS --max-time 10 -o /root/body -w '%%{http_code}' %s '%s'; cat /root/body"
                      % (extra, url), check=False)
        return out.stdout[:3], out.stdout[3:]

    def main_pid(self):
        return int(self.sh("systemctl show -p MainPID --value httpserve.service").stdout.strip())

    def status(self, pid):
        text = self.sh("cat /proc/%d/status" % pid).stdout
        return dict((k, v.strip()) for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line))

    def children(self, pid):
        return [int(p) for p in self.sh("cat /proc/%d/task/*/children" % pid).stdout.split()]

    def cmdline(self, pid):
        return self.sh("tr '\\0' ' ' < /proc/%d/cmdline" % pid).stdout.strip()

    def wait_active(self, unit, want="active", timeout=20):
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.sh("systemctl is-active %s" % unit, check=False).stdout.strip()
            if state == want:
                return
            time.sleep(0.1)
        self.fail("%s is %r, not %r:\n%s" % (unit, state, want,
                                              self.sh("systemctl status --no-pager -l %s" % unit, check=False).stdout))

    def serve(self, site, config_extra=""):
        """Points /etc/httpserve.toml at a new root (written on the host side) and reloads."""
        config = self.box.read("/etc/httpserve.toml")
        config = re.sub(r'(?m)^root = "[^"]*"', 'root = "%s"' % site, config)
        self.box.write("/etc/httpserve.toml", config + config_extra)

    # -- steps --------------------------------------------------------------------------------------

    def test_01_install_starts_the_service(self):
        # The README's install command, with no network in the container.
        with Timer("apt-get install ./httpserve.deb"):
            self.sh("cd /root && apt-get install -y ./%s" % os.path.basename(self.deb), timeout=300)
        self.wait_active("httpserve.service")
        self.assertEqual("enabled", self.sh("systemctl is-enabled httpserve.service").stdout.strip())
        self.assertEqual("disabled", self.sh("systemctl is-enabled httpserve.socket", check=False).stdout.strip())
        self.box.write("/var/www/html/index.html", "packaged hello\n")
        status, body = self.curl()
        self.assertEqual(("200", "packaged hello\n"), (status, body))
        self.assertTrue(os.path.exists(self.box.path("/var/log/httpserve/access.log")))
        with open(self.box.path("/var/log/httpserve/access.log")) as f:
            self.assertIn('"GET / HTTP/1.1" 200', f.read())

    def test_02_workers_run_as_httpserve_and_the_master_holds_only_the_units_capabilities(self):
        httpserve_uid = int(self.sh("id -u httpserve").stdout)
        self.assertNotEqual(0, httpserve_uid)
        main = self.main_pid()
        master = self.status(main)
        self.assertEqual("0", master["Uid"].split()[0])
        granted = self.sh("systemctl show -p CapabilityBoundingSet --value httpserve.service").stdout.split()
        self.assertEqual(set(CAP_BITS), set(granted))
        allowed = mask(CAP_BITS)
        for field in ("CapPrm", "CapEff", "CapBnd", "CapInh", "CapAmb"):
            self.assertEqual(0, int(master[field], 16) & ~allowed, "master %s %s" % (field, master[field]))
        self.assertEqual(allowed, int(master["CapBnd"], 16))
        self.assertEqual("1", master["NoNewPrivs"])
        workers = self.children(main)
        self.assertGreaterEqual(len(workers), 1)
        for pid in workers:
            st = self.status(pid)
            self.assertEqual([str(httpserve_uid)] * 4, st["Uid"].split(), "worker %d" % pid)
            self.assertEqual("0000000000000000", st["CapEff"])
            self.assertEqual("0000000000000000", st["CapPrm"])
            self.assertEqual("1", st["NoNewPrivs"])

    def test_03_unit_exposure_is_at_most_3(self):
        out = self.sh("systemd-analyze security --no-pager httpserve.service").stdout
        m = re.search(r"Overall exposure level for httpserve.service: ([0-9.]+)", out)
        self.assertIsNotNone(m, out[-2000:])
        log("systemd-analyze security httpserve.service: exposure %s" % m.group(1))
        self.assertLessEqual(float(m.group(1)), EXPOSURE_TARGET)
        verify = self.sh("systemd-analyze verify --man=no httpserve.service httpserve.socket", check=False)
        self.assertEqual((0, ""), (verify.returncode, verify.stderr.strip()))

    def test_04_reload_serves_a_new_root_with_the_same_pid_and_no_failed_request(self):
        main = self.main_pid()
        self.box.write("/srv/site2/index.html", "second site\n")
        self.sh("rm -f /root/load.stop /root/load.result")
        load = self.box.start(
            "ok=0; bad=0; while [ ! -e /root/load.stop ]; do "
            "if curl -fsS --max-time 5 -o /dev/null http://127.0.0.1/; then ok=$((ok+1)); else bad=$((bad+1)); fi; "
            "done; echo \"$ok $bad\" > /root/load.result")
        try:
            time.sleep(1)
            self.serve("/srv/site2")
            with Timer("systemctl reload (new root)"):
                self.sh("systemctl reload httpserve.service")
            deadline = time.monotonic() + 10
            while self.curl()[1] != "second site\n" and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)
        finally:
            self.box.write("/root/load.stop", "")
            load.communicate(timeout=30)
        self.assertEqual(("200", "second site\n"), self.curl())
        self.assertEqual(main, self.main_pid())
        ok, bad = map(int, self.box.read("/root/load.result").split())
        log("requests by the load loop during the reload: %d ok, %d failed" % (ok, bad))
        self.assertGreater(ok, 10)
        self.assertEqual(0, bad)

    def test_05_a_broken_config_keeps_the_old_one_serving(self):
        good = self.box.read("/etc/httpserve.toml")
        main = self.main_pid()
        try:
            self.assertIn("keepalive_timeout =", good)
            self.box.write("/etc/httpserve.toml", good.replace("keepalive_timeout =", "keepalive_timeot ="))
            reload = self.sh("systemctl reload httpserve.service", check=False)
            self.assertNotEqual(0, reload.returncode, "systemctl reload must fail on a broken config")
            self.assertEqual(("200", "second site\n"), self.curl())
            # The master refuses it too when signalled directly, bypassing ExecReload's check.
            self.sh("systemctl kill --kill-whom=main --signal=HUP httpserve.service")
            time.sleep(1)
            self.assertEqual(("200", "second site\n"), self.curl())
            self.assertEqual(main, self.main_pid())
            journal = self.sh("journalctl -u httpserve.service --no-pager -o cat").stdout
            self.assertRegex(journal, r"/etc/httpserve.toml:\d+: http.keepalive_timeot")
            self.assertEqual("active", self.sh("systemctl is-active httpserve.service").stdout.strip())
        finally:
            self.box.write("/etc/httpserve.toml", good)

    def test_06_cgi_scripts_run_as_nobody(self):
        self.box.write("/srv/site2/cgi-bin/ids.sh",
                       "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nid -u; id -g; id -G\n", 0o755)
        self.serve("/srv/site2", config_extra="")
        config = self.box.read("/etc/httpserve.toml")
        config = config.replace("[cgi]\nenabled = false", "[cgi]\nenabled = true")
        # A short grace period, so that step 9 can wait for a script that outlives it.
        config = re.sub(r'(?m)^shutdown_timeout = "[^"]*"', 'shutdown_timeout = "3s"', config)
        self.box.write("/etc/httpserve.toml", config)
        self.sh("systemctl reload httpserve.service")
        deadline = time.monotonic() + 10
        while self.curl("http://127.0.0.1/cgi-bin/ids.sh")[0] != "200" and time.monotonic() < deadline:
            time.sleep(0.1)
        status, body = self.curl("http://127.0.0.1/cgi-bin/ids.sh")
        self.assertEqual("200", status, body)
        self.assertEqual(["%d" % NOBODY] * 3, body.split())
        # The launcher keeps at most its four capabilities, in a user namespace of its own.
        main = self.main_pid()
        launchers = [p for p in self.children(main) if "launcher" in self.sh("cat /proc/%d/comm" % p).stdout
                     or self.status(p)["Uid"].split()[0] == "0"]
        self.assertEqual(1, len(launchers), [self.cmdline(p) for p in self.children(main)])
        self.assertEqual(0, int(self.status(launchers[0])["CapEff"], 16) & ~mask(LAUNCHER_CAPS))
        user_ns = self.sh("readlink /proc/%d/ns/user /proc/%d/ns/user" % (main, launchers[0])).stdout.split()
        self.assertNotEqual(user_ns[0], user_ns[1])

    def test_07_reinstalling_restarts_the_service(self):
        before = self.main_pid()
        self.sh("dpkg -i /root/%s" % os.path.basename(self.deb), timeout=120)
        self.wait_active("httpserve.service")
        self.assertNotEqual(before, self.main_pid())
        # The edited conffile was kept.
        self.assertEqual(("200", "second site\n"), self.curl())

    def test_08_logrotate_rotates_and_the_master_reopens(self):
        self.assertEqual("404", self.curl("http://127.0.0.1/before-rotation")[0])
        self.sh("logrotate -f /etc/logrotate.d/httpserve")
        self.assertIn("/before-rotation", self.box.read("/var/log/httpserve/access.log.1"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.curl("http://127.0.0.1/after-rotation")
            if "/after-rotation" in self.box.read("/var/log/httpserve/access.log"):
                break
            time.sleep(0.2)
        self.assertIn("/after-rotation", self.box.read("/var/log/httpserve/access.log"))
        self.assertNotIn("/after-rotation", self.box.read("/var/log/httpserve/access.log.1"))

    def test_09_stop_leaves_no_process(self):
        # A script still running at the stop: it outlives the grace period and is killed with the rest.
        self.box.write("/srv/site2/cgi-bin/sleep.sh", "#!/bin/sh\nsleep 300\n", 0o755)
        slow = self.box.start("curl -sS --max-time 60 http://127.0.0.1/cgi-bin/sleep.sh")
        deadline = time.monotonic() + 10
        while not [p for p in self.box.processes() if p[1] == "sleep" and p[2] == NOBODY]:
            self.assertLess(time.monotonic(), deadline, "the sleeping script did not start")
            time.sleep(0.1)
        with Timer("systemctl stop httpserve (a script running)"):
            self.sh("systemctl stop httpserve.service", timeout=60)
        slow.communicate(timeout=60)
        self.assertEqual("inactive", self.sh("systemctl is-active httpserve.service", check=False).stdout.strip())
        httpserve_uid = int(self.sh("id -u httpserve").stdout)
        left = [p for p in self.box.processes() if p[1] == "httpserve" or p[2] in (NOBODY, httpserve_uid)]
        self.assertEqual([], left)
        self.assertNotEqual("200", self.curl()[0])

    def test_10_socket_activation_starts_the_service_on_the_first_request(self):
        self.sh("systemctl disable httpserve.service && systemctl enable --now httpserve.socket")
        self.assertEqual("inactive", self.sh("systemctl is-active httpserve.service", check=False).stdout.strip())
        with Timer("first request through httpserve.socket"):
            status, body = self.curl()
        self.assertEqual(("200", "second site\n"), (status, body))
        self.wait_active("httpserve.service")
        journal = self.sh("journalctl -u httpserve.service --no-pager -o cat").stdout
        self.assertIn("using the socket passed by systemd", journal)
        # A reload keeps the passed sockets.
        self.sh("systemctl reload httpserve.service")
        self.assertEqual("200", self.curl()[0])

    def test_11_purge_removes_config_logs_and_every_process(self):
        self.sh("apt-get purge -y -q httpserve", timeout=120)
        for path in ("/etc/httpserve.toml", "/var/log/httpserve", "/usr/sbin/httpserve"):
            self.assertFalse(os.path.lexists(self.box.path(path)), path)
        self.assertEqual([], [p for p in self.box.processes() if p[1] == "httpserve"])
        self.assertNotIn(self.sh("systemctl is-active httpserve.socket", check=False).stdout.strip(), ("active",))
        self.assertNotEqual("200", self.curl()[0])
        # The site is the admin's: it stays.
        self.assertTrue(os.path.exists(self.box.path("/var/www/html/index.html")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
