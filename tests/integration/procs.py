"""Processes as the tests see them: /proc inspection (state, children, process groups, ids, sockets,
memory, descriptors), waiting for a condition, and the accounts tests switch to. Processes are found
by pid / parent pid / process group, never by name. Standard library only."""
import grp
import os
import pwd
import re
import shutil
import time

IS_ROOT = os.geteuid() == 0
SETPRIV = shutil.which("setpriv")


# --------------------------------------------------------------------------------------------------
# Accounts

def account(name):
    """The passwd entry of `name`, or None."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _uid(name, default=65534):
    entry = account(name)
    return entry.pw_uid if entry else default


def _gid(name, default=65534):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return default


NOBODY_UID = _uid("nobody")
NOGROUP_GID = _gid("nogroup")


def setpriv_prefix(user=NOBODY_UID, group=NOGROUP_GID):
    """argv prefix that runs a command as `user`/`group` (ids or names) with no supplementary groups."""
    return [SETPRIV, "--reuid=%s" % user, "--regid=%s" % group, "--clear-groups"]


# --------------------------------------------------------------------------------------------------
# /proc

def proc_stat_fields(pid):
    """Fields after the command name of /proc/PID/stat: [state, ppid, pgrp, ...], or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    return data.rsplit(")", 1)[1].split()


def alive(pid):
    """True while `pid` runs (False once it is gone or a zombie)."""
    fields = proc_stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def gone(pid):
    """True once `pid` no longer runs (gone, or a zombie waiting for its parent)."""
    return not alive(pid)


def live_processes(match):
    """Sorted pids of the live (non-zombie) processes whose /proc/PID/stat fields satisfy `match`."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = proc_stat_fields(int(name))
        if fields and fields[0] not in ("Z", "X") and match(fields):
            out.append(int(name))
    return sorted(out)


def children(pid):
    """Live (non-zombie) children of `pid`."""
    return live_processes(lambda fields: int(fields[1]) == pid)


def group_members(pgid):
    """Live (non-zombie) processes of process group `pgid`."""
    return live_processes(lambda fields: int(fields[2]) == pgid)


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


def ids(pid):
    """{'Uid': [real, effective, saved, fs], 'Gid': [...], 'Groups': [...]} from /proc/<pid>/status;
    None when the process is gone."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("Uid", "Gid", "Groups"):
                    out[key] = [int(x) for x in value.split()]
    except OSError:
        return None
    return out


def vm_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def open_fds(pid):
    """What the process's descriptors point to, sorted (sockets, pipes and files by name)."""
    out = []
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out.append(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except OSError:
            pass
    return sorted(re.sub(r"\[\d+\]", "", t) for t in out)


def fd_identities(pid):
    """{(st_dev, st_ino): fd} of what the process's descriptors point to (pipes and sockets too)."""
    out = {}
    try:
        names = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return out
    for fd in names:
        try:
            st = os.stat("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        out[(st.st_dev, st.st_ino)] = int(fd)
    return out


def listening_inodes(port):
    """Socket inodes of the TCP sockets listening on `port` (IPv4 and IPv6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, st, inode = fields[1], fields[3], fields[9]
                    if st == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(inode)
        except FileNotFoundError:
            pass
    return inodes


def holds_socket(pid, inodes):
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return True
    except OSError:
        pass
    return False


def workers(master_pid, port):
    """Worker processes: live children of the master that hold a socket listening on `port` (the
    master may have other children, e.g. the CGI launcher)."""
    inodes = listening_inodes(port)
    return [c for c in children(master_pid) if holds_socket(c, inodes)]


# --------------------------------------------------------------------------------------------------
# Waiting

def wait_until(predicate, timeout, interval=0.05):
    """Polls predicate() until it returns something truthy or `timeout` passes; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def wait_file(path, timeout, interval=0.02):
    """The file's text once it exists (scripts write then rename), else None."""
    def read():
        try:
            with open(path) as f:
                return f.read()
        except FileNotFoundError:
            return None
    return wait_until(read, timeout, interval)
