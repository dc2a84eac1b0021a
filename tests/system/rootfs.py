"""A Debian 12 tree for the system test, made by debootstrap from the configured Debian mirror.

The pristine tree is cached under build-system/ (ignored by git), keyed by the package list; each run
works on a fresh copy of it. No mirror, no tree: the error says so, and the test fails.
"""
import hashlib
import os
import re
import shutil
import subprocess
import time

SUITE = "bookworm"
# What the test itself uses inside the container, besides what the package depends on.
BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "curl", "logrotate"]


def configured_mirror():
    """The first Debian mirror apt is configured with (deb822 or one-line format)."""
    override = os.environ.get("HTTPSERVE_DEBIAN_MIRROR")
    if override:
        return override
    candidates = []
    sources_d = "/etc/apt/sources.list.d"
    if os.path.isdir(sources_d):
        candidates += [os.path.join(sources_d, f) for f in sorted(os.listdir(sources_d)) if f.endswith(".sources")]
    candidates.append("/etc/apt/sources.list")
    for path in candidates:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        for m in re.finditer(r"^URIs:\s*(\S+)", text, re.M):
            if m.group(1).rstrip("/").endswith("/debian"):
                return m.group(1)
        for m in re.finditer(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+" + SUITE + r"\s", text, re.M):
            return m.group(1)
    raise RuntimeError("no Debian mirror configured in /etc/apt (set HTTPSERVE_DEBIAN_MIRROR)")


def package_dependencies(deb):
    """The packages a .deb depends on: the first alternative of each, without versions."""
    out = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], check=True, stdout=subprocess.PIPE, text=True)
    names = []
    for clause in out.stdout.split(","):
        first = clause.split("|")[0].strip()
        name = re.split(r"[\s(:]", first, maxsplit=1)[0]
        if name:
            names.append(real_package(name))
    return names


def real_package(name):
    """The package that provides a virtual one (libspdlog1.10-fmt9 is libspdlog1.10): debootstrap
    takes only real names."""
    show = subprocess.run(["apt-cache", "show", "--no-all-versions", name],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if show.returncode == 0 and show.stdout.strip():
        return name
    showpkg = subprocess.run(["apt-cache", "showpkg", name], stdout=subprocess.PIPE, text=True).stdout
    providers = showpkg.split("Reverse Provides:", 1)[-1].split()
    if not providers:
        raise RuntimeError("no package provides " + name)
    return providers[0]


def pristine_tree(cache_dir, packages, log):
    """Returns the cached tree holding these packages, running debootstrap when there is none."""
    packages = sorted(set(packages))
    mirror = configured_mirror()
    key = hashlib.sha256((SUITE + " " + mirror + " " + " ".join(packages)).encode()).hexdigest()[:12]
    tree = os.path.join(cache_dir, "rootfs-" + key)
    if os.path.isfile(os.path.join(tree, ".complete")):
        log("using the cached Debian tree " + tree)
        return tree
    os.makedirs(cache_dir, exist_ok=True)
    partial = tree + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    log("debootstrap %s from %s with %s" % (SUITE, mirror, ",".join(packages)))
    started = time.monotonic()
    proc = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + ",".join(packages),
                           SUITE, partial, mirror],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError("debootstrap from %s failed (exit %d); the mirror must be reachable:\n%s"
                           % (mirror, proc.returncode, proc.stdout[-3000:]))
    # Apt's download cache is not needed to boot or to install the package.
    shutil.rmtree(os.path.join(partial, "var/cache/apt/archives"), ignore_errors=True)
    os.makedirs(os.path.join(partial, "var/cache/apt/archives/partial"), exist_ok=True)
    open(os.path.join(partial, ".complete"), "w").close()
    shutil.rmtree(tree, ignore_errors=True)
    os.rename(partial, tree)
    log("debootstrap took %.0f s" % (time.monotonic() - started))
    return tree


def working_copy(pristine, dest):
    """A fresh copy of the pristine tree at dest (the last run's copy is replaced)."""
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["cp", "-a", "--reflink=auto", pristine, dest], check=True)
    os.unlink(os.path.join(dest, ".complete"))
    return dest
