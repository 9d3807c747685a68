#!/usr/bin/env python3
"""Fails when the modules of a Rust crate import each other in a cycle.

The graph: one node per module (a file, or an inline `mod x { … }` counts with its file);
an edge A -> B for every `crate::…`, `super::…` or `self::…` path in A that names B. An
edge between a module and its own ancestor or descendant is ownership, not a dependency,
so it is dropped; every other edge is lifted to the two siblings under the nearest common
parent (`crate::server::audit` using `crate::endpoint` is `server -> endpoint`). Each
parent's children must then form a DAG: a cycle means two parts each need the other, and
neither can be read, tested or moved alone (docs/architecture.md).

Usage: check_module_cycles.py CRATE_SRC_DIR... (exits 1 and prints each cycle found).
"""

import os
import re
import sys

PATH = re.compile(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP = re.compile(r"\buse\s+((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}", re.S)
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def module_of(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("lib", "main", "mod"):
        rel = rel[:-1]
    return tuple(rel)


def resolve(module, text, known):
    parts = text.split("::")
    head, rest = parts[0], parts[1:]
    if head == "crate":
        base = ()
    elif head == "self":
        base = module
    else:
        base = module
        while rest is not None and head == "super":
            base = base[:-1]
            head, rest = (rest[0], rest[1:]) if rest else (None, [])
        if head is not None:
            rest = [head] + rest
    target = base
    for name in rest:
        if target + (name,) in known:
            target = target + (name,)
        else:
            break
    return target


def edges_of(src):
    files = []
    for root, _, names in os.walk(src):
        files += [os.path.join(root, n) for n in names if n.endswith(".rs")]
    modules = {module_of(src, f): f for f in files}
    known = set(modules)
    edges = set()
    for module, path in modules.items():
        code = STRING.sub('""', COMMENT.sub("", open(path, encoding="utf-8").read()))
        texts = [m.group(1) for m in PATH.finditer(code)]
        for group in USE_GROUP.finditer(code):
            texts += [group.group(1) + "::" + item.strip().split("::")[0].split(" ")[0] for item in group.group(2).split(",") if item.strip()]
        for text in texts:
            target = resolve(module, text, known)
            if target[: len(module)] == module or module[: len(target)] == target:
                continue  # ownership: an ancestor or a descendant
            common = 0
            while module[common] == target[common]:
                common += 1
            edges.add((module[: common + 1], target[: common + 1]))
    return edges


def cycles(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    found, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def main(dirs):
    failed = False
    for src in dirs:
        for cycle in cycles(edges_of(src)):
            failed = True
            print(f"{src}: import cycle: " + " -> ".join("::".join(m) or "crate" for m in cycle))
    if not failed:
        print(f"no import cycles in {len(dirs)} crates")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
