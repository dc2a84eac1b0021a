#!/usr/bin/env python3
"""Runs every test suite and ends with one line: 'N passed, M failed' summed over all of them.

Suites: the house rules (tools/check_layout.py: the folders' include directions and no include cycle;
tools/format.sh --check: clang-format), the Catch2 unit tests and the integration tests, for each build directory given (the plain build
and the ASan+UBSan build), the libFuzzer targets for the given number of seconds each, then the system
test (the Debian package under a real systemd, tests/system/).
"""
import argparse
import os
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INTEGRATION = os.path.join(REPO, "tests", "integration")
SYSTEM = os.path.join(REPO, "tests", "system")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def add(self, suite, passed, failed, skipped=0, names=()):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped
        self.failures += ["%s: %s" % (suite, n) for n in names]
        print("== %s: %d passed, %d failed, %d skipped" % (suite, passed, failed, skipped), flush=True)


def run_house_rules(tally):
    for name, cmd in (("layout", [sys.executable, os.path.join(REPO, "tools", "check_layout.py")]),
                      ("format", [os.path.join(REPO, "tools", "format.sh"), "--check"])):
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        sys.stdout.write(proc.stdout.decode("utf-8", "replace")[-5000:])
        ok = proc.returncode == 0
        tally.add("house rules: " + name, 1 if ok else 0, 0 if ok else 1, names=[] if ok else [name])


def run_unit(build, label, tally):
    exe = os.path.join(build, "tests", "unit-tests")
    if not os.path.exists(exe):
        tally.add(label + " unit", 0, 1, names=["unit-tests binary missing in " + build])
        return
    out = os.path.join(build, "unit-results.xml")
    proc = subprocess.run([exe, "-r", "xml", "-o", out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        root = ET.parse(out).getroot()
    except (ET.ParseError, FileNotFoundError):
        sys.stdout.write(proc.stdout.decode("utf-8", "replace")[-5000:])
        tally.add(label + " unit", 0, 1, names=["unit-tests crashed (exit %d)" % proc.returncode])
        return
    failed_names = []
    passed = 0
    for case in root.iter("TestCase"):
        result = case.find("OverallResult")
        if result is not None and result.get("success") == "true":
            passed += 1
        else:
            failed_names.append(case.get("name"))
    if failed_names:
        # Show the details of what failed.
        subprocess.run([exe] + [n.replace(",", "\\,") for n in failed_names[:20]])
    if proc.returncode != 0 and not failed_names:
        failed_names.append("unit-tests exit status %d" % proc.returncode)
    tally.add(label + " unit", passed, len(failed_names), names=failed_names)


class CountingResult(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed_count = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed_count += 1


def run_unittest_dir(directory, suite_name, tally, pattern):
    sys.path.insert(0, directory)
    loader = unittest.TestLoader()
    suite = loader.discover(directory, pattern=pattern, top_level_dir=directory)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=1, resultclass=CountingResult)
    result = runner.run(suite)
    failed = result.failures + result.errors + [(t, "unexpected success") for t in result.unexpectedSuccesses]
    tally.add(suite_name, result.passed_count, len(failed), len(result.skipped),
              names=[str(t) for t, _ in failed])
    sys.path.remove(directory)


def run_integration(build, label, tally, pattern):
    env_binary = os.path.join(build, "daemon", "httpserve")
    os.environ["HTTPSERVE_BIN"] = env_binary
    # Memory measurements mean nothing under ASan (freed memory is quarantined): tests check this.
    if label == "asan":
        os.environ["HTTPSERVE_SANITIZED"] = "1"
    else:
        os.environ.pop("HTTPSERVE_SANITIZED", None)
    if not os.path.exists(env_binary):
        tally.add(label + " integration", 0, 1, names=["httpserve binary missing in " + build])
        return
    run_unittest_dir(INTEGRATION, label + " integration", tally, pattern)


def run_fuzz(build, seconds, tally):
    fuzz_dir = os.path.join(build, "fuzz")
    def is_target(name):
        path = os.path.join(fuzz_dir, name)
        return name.startswith("fuzz_") and os.path.isfile(path) and os.access(path, os.X_OK)
    targets = sorted(f for f in os.listdir(fuzz_dir) if is_target(f)) if os.path.isdir(fuzz_dir) else []
    if not targets:
        tally.add("fuzz", 0, 1, names=["no fuzz targets in " + fuzz_dir])
        return
    # Two at a time: the machines have two cores.
    running = []
    results = {}
    queue = list(targets)
    while queue or running:
        while queue and len(running) < 2:
            t = queue.pop(0)
            corpus = os.path.join(REPO, "fuzz", "corpus", t)
            work = os.path.join(build, "fuzz-work", t)
            os.makedirs(work, exist_ok=True)
            args = [os.path.join(fuzz_dir, t), "-max_total_time=%d" % seconds, "-rss_limit_mb=2048",
                    "-print_final_stats=1", "-artifact_prefix=" + work + "/", work]
            if os.path.isdir(corpus):
                args.append(corpus)
            log = open(os.path.join(work, "log.txt"), "w")
            running.append((t, subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT), log))
        time.sleep(1)
        for item in list(running):
            t, p, log = item
            if p.poll() is not None:
                log.close()
                results[t] = p.returncode
                running.remove(item)
    for t in targets:
        ok = results[t] == 0
        if not ok:
            with open(os.path.join(build, "fuzz-work", t, "log.txt")) as f:
                sys.stdout.write(f.read()[-4000:])
        tally.add("fuzz " + t, 1 if ok else 0, 0 if ok else 1, names=[] if ok else [t])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", action="append", default=[], help="LABEL=DIR, unit and integration tests")
    ap.add_argument("--fuzz-build", help="build directory with the libFuzzer targets")
    ap.add_argument("--fuzz-seconds", type=int, default=60)
    ap.add_argument("--pattern", default="test_*.py", help="integration test files")
    ap.add_argument("--system", action="store_true", help="also run the system test (root, debootstrap, nspawn)")
    args = ap.parse_args()

    tally = Tally()
    run_house_rules(tally)
    for spec in args.build or ["plain=" + os.path.join(REPO, "build")]:
        label, _, build = spec.partition("=")
        build = os.path.abspath(build)
        run_unit(build, label, tally)
        run_integration(build, label, tally, args.pattern)
    if args.fuzz_build:
        run_fuzz(os.path.abspath(args.fuzz_build), args.fuzz_seconds, tally)
    if args.system:
        run_unittest_dir(SYSTEM, "system", tally, "test_*.py")

    if tally.failures:
        print("\nFailed:")
        for f in tally.failures:
            print("  " + f)
    print("%d passed, %d failed, %d skipped" % (tally.passed, tally.failed, tally.skipped))
    return 0 if tally.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
