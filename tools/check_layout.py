#!/usr/bin/env python3
"""Checks the include structure of the production folders and prints what breaks it:

- folders depend one way: common <- config <- ipc | tls <- worker | launcher | daemon, and the three
  process folders never include each other;
- no include cycle between units (a .hpp and its .cpp count as one unit, so that two units whose
  sources include each other's headers are a cycle too).

Exit status 0 when the layout holds, 1 otherwise.
"""
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEVEL = {"common": 0, "config": 1, "ipc": 2, "tls": 2, "worker": 3, "launcher": 3, "daemon": 3}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def production_files():
    for folder in LEVEL:
        for base, _, names in os.walk(os.path.join(REPO, folder)):
            for name in names:
                if name.endswith((".hpp", ".cpp")):
                    yield os.path.relpath(os.path.join(base, name), REPO)


def main():
    graph = {}
    problems = []
    for path in sorted(production_files()):
        with open(os.path.join(REPO, path), encoding="utf-8") as f:
            includes = INCLUDE.findall(f.read())
        unit = os.path.splitext(path)[0]
        graph.setdefault(unit, set()).update(
            os.path.splitext(i)[0] for i in includes
            if os.path.exists(os.path.join(REPO, i)) and os.path.splitext(i)[0] != unit)
        mine = path.split("/")[0]
        for inc in includes:
            theirs = inc.split("/")[0]
            if theirs not in LEVEL:
                problems.append("%s includes %s, which is outside the production folders" % (path, inc))
            elif theirs != mine and LEVEL[theirs] >= LEVEL[mine]:
                problems.append("%s (%s/) includes %s: %s/ may not depend on %s/" % (path, mine, inc, mine, theirs))

    # Cycles between units: a depth-first search over the include graph.
    state = {}
    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                problems.append("include cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"
    for node in graph:
        if node not in state:
            visit(node, [])

    for p in problems:
        print(p)
    print("layout: %d units, %d problem(s)" % (len(graph), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
