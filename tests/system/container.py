"""A Debian tree booted with a real systemd as PID 1 (systemd-nspawn -b), and commands run inside it.

The container has its own network namespace with only loopback (--private-network). Commands enter
it with nsenter, because the host has no systemd to register the machine with (--register=no).
"""
import fcntl
import os
import signal
import subprocess
import time

CLEAN_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "SYSTEMD_PAGER": "cat",
    "SYSTEMD_COLORS": "0",
    "DEBIAN_FRONTEND": "noninteractive",
}


NS_GET_PARENT = 0xB702  # ioctl on a namespace fd: the fd of its parent namespace (linux/nsfs.h)


def pid_namespace_chain(pid):
    """Inode numbers of the PID namespace of `pid` and of each namespace above it."""
    chain = []
    fd = os.open("/proc/%s/ns/pid" % pid, os.O_RDONLY | os.O_CLOEXEC)
    try:
        while True:
            chain.append(os.fstat(fd).st_ino)
            try:
                parent = fcntl.ioctl(fd, NS_GET_PARENT)
            except OSError:  # EPERM: the top, the namespace this test runs in
                break
            os.close(fd)
            fd = parent
    finally:
        os.close(fd)
    return chain


class Container:
    def __init__(self, tree, log_path):
        self.tree = tree
        self.log_path = log_path
        self.nspawn = None
        self.leader = None

    def __enter__(self):
        try:
            self.boot()
        except BaseException:
            self.poweroff()
            raise
        return self

    def __exit__(self, *exc):
        self.poweroff()

    def boot(self, timeout=60):
        self._log = open(self.log_path, "w")
        self.nspawn = subprocess.Popen(
            ["systemd-nspawn", "-q", "-b", "--keep-unit", "--register=no", "--private-network",
             "--console=pipe", "-M", "httpserve-test", "-D", self.tree],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=CLEAN_ENV,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while self.leader is None:
            if self.nspawn.poll() is not None:
                raise RuntimeError("systemd-nspawn exited with %d; see %s" % (self.nspawn.returncode, self.log_path))
            if time.monotonic() > deadline:
                raise RuntimeError("the container's systemd did not start; see " + self.log_path)
            self.leader = self._systemd_child()
            time.sleep(0.05)
        # systemctl fails at once until PID 1 has set up its private bus socket: ask again.
        state, error = "", ""
        while time.monotonic() < deadline:
            proc = self.run("systemctl is-system-running --wait", check=False, timeout=timeout)
            state, error = proc.stdout.strip(), proc.stderr.strip()
            if state in ("running", "degraded"):
                return state
            if state and state not in ("initializing", "starting"):
                break
            time.sleep(0.1)
        raise RuntimeError("the container's systemd is %r (%s)" % (state, error))

    def _systemd_child(self):
        try:
            with open("/proc/%d/task/%d/children" % (self.nspawn.pid, self.nspawn.pid)) as f:
                children = f.read().split()
        except OSError:
            return None
        for pid in children:
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().strip() == "systemd":
                        return int(pid)
            except OSError:
                pass
        return None

    def run(self, command, check=True, timeout=120):
        """Runs a shell command inside the container; returns the CompletedProcess (text)."""
        proc = subprocess.run(["nsenter", "-t", str(self.leader), "-a", "/bin/sh", "-c", command],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=CLEAN_ENV, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError("in the container, %r exited %d:\n%s%s"
                                 % (command, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
        return proc

    def start(self, command):
        """Starts a shell command inside the container in the background; returns the Popen."""
        return subprocess.Popen(["nsenter", "-t", str(self.leader), "-a", "/bin/sh", "-c", command],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=CLEAN_ENV)

    def path(self, inside):
        """The host's path of a file inside the container."""
        return os.path.join(self.tree, inside.lstrip("/"))

    def read(self, inside):
        with open(self.path(inside)) as f:
            return f.read()

    def write(self, inside, text, mode=0o644):
        host = self.path(inside)
        os.makedirs(os.path.dirname(host), exist_ok=True)
        with open(host, "w") as f:
            f.write(text)
        os.chmod(host, mode)

    def processes(self):
        """(host pid, comm, uid) of every process in the container but its PID 1 and our nsenters,
        including those in PID namespaces nested in the container's (each CGI script has one)."""
        ns = os.stat("/proc/%d/ns/pid" % self.leader).st_ino
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == self.leader:
                continue
            try:
                if ns not in pid_namespace_chain(entry):
                    continue
                with open("/proc/%s/status" % entry) as f:
                    status = dict(line.split(":", 1) for line in f if ":" in line)
            except OSError:
                continue
            found.append((int(entry), status["Name"].strip(), int(status["Uid"].split()[0])))
        return found

    def poweroff(self, timeout=30):
        if self.nspawn is None or self.nspawn.poll() is not None:
            return
        # SIGTERM to nspawn asks the container's systemd for a clean poweroff.
        self.nspawn.send_signal(signal.SIGTERM)
        try:
            self.nspawn.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.nspawn.pid, signal.SIGKILL)
            self.nspawn.wait()
        self._log.close()
