#!/usr/bin/env python3
"""Fails when a crate's top-level modules import each other in a cycle.

Usage: check-cycles.py SRC_DIR [SRC_DIR ...]

Every .rs file belongs to the top-level module it sits under (src/conversations/*.rs
to `conversations`, src/state.rs to `state`). A reference `crate::NAME`, a grouped
`use crate::{NAME, ...}`, or `super::NAME` from a file at the top (which means
`crate::NAME`) is an edge from the file's module to NAME. Cycles are found with
Tarjan's algorithm; each is printed with one path around it.
"""
import os
import re
import sys


def strip(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def graph_of(src):
    tops = set()
    for entry in os.listdir(src):
        path = os.path.join(src, entry)
        if entry.endswith(".rs") and entry not in ("lib.rs", "main.rs"):
            tops.add(entry[:-3])
        elif os.path.isdir(path):
            tops.add(entry)
    edges = {m: set() for m in tops}
    for folder, _, names in os.walk(src):
        for name in names:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(folder, name), src).split(os.sep)
            if rel[0] in ("lib.rs", "main.rs"):
                continue
            here = rel[0][:-3] if rel[0].endswith(".rs") else rel[0]
            text = strip(open(os.path.join(folder, name), encoding="utf-8").read())
            found = set(re.findall(r"\bcrate::(\w+)", text))
            for group in re.findall(r"\bcrate::\{([^;]*?)\};", text, flags=re.S):
                found |= set(re.findall(r"(?:^|,|\{)\s*(\w+)", group))
            if len(rel) == 1:  # a top-level file: its `super` is the crate
                found |= set(re.findall(r"\bsuper::(\w+)", text))
            for target in found:
                if target in tops and target != here:
                    edges[here].add(target)
    return edges


def cycles(edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def path_around(edges, comp):
    """One cycle through the first module of a strongly connected set."""
    members, start = set(comp), comp[0]
    queue, parent = [start], {start: None}
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v] & members):
            if w == start:
                trail = [v]
                while parent[trail[-1]] is not None:
                    trail.append(parent[trail[-1]])
                return list(reversed(trail)) + [start]
            if w not in parent:
                parent[w] = v
                queue.append(w)
    return comp


def main():
    bad = False
    for src in sys.argv[1:]:
        edges = graph_of(src)
        found = cycles(edges)
        for comp in found:
            bad = True
            print(f"{src}: import cycle between top-level modules {', '.join(comp)}")
            print(f"  for example: {' -> '.join(path_around(edges, comp))}")
        if not found:
            print(f"{src}: no import cycles among {len(edges)} top-level modules")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
