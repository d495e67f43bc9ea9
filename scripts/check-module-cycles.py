#!/usr/bin/env python3
"""Finds import cycles between the modules of each Rust crate in the workspace.

A module is a source file (`src/a/b.rs` or `src/a/b/mod.rs` is `a::b`). Module A depends on
module B when A names a path that resolves into B: `crate::…`, `super::…` and `self::…` paths in
`use` trees and in code, followed through `pub use` re-exports (also globs) to the module that
defines the item. Two kinds of reference are not dependencies, because they are how Rust lays a
crate out rather than a choice of which module knows which:
- a module naming its ancestors (`super::Thing`, `crate::store::Store` from `store::ratings`):
  a parent is the namespace its children live in;
- code under `#[cfg(test)]`: a test may use whatever it tests against.

Cycles are the strongly connected components of that graph with more than one module. Each is
printed with one edge per pair and the line that makes it, so the helper in the wrong module is
easy to find. Exit status 1 when any crate has a cycle.

Usage: check-module-cycles.py [ROOT]   (ROOT: the workspace folder, default: this script's parent)
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ITEM_RE = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+|const\s+|unsafe\s+|extern\s+\"C\"\s+)*"
    r"(?:fn|struct|enum|trait|type|const|static|mod|union|macro_rules!)\s+([A-Za-z_][A-Za-z0-9_]*)",
    re.M,
)
MOD_DECL_RE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_][A-Za-z0-9_]*)\s*;", re.M)
USE_RE = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.S)
PATH_RE = re.compile(r"(?<![A-Za-z0-9_:])((?:crate|super|self)(?:\s*::\s*(?:super|[A-Za-z_][A-Za-z0-9_]*))+)")


def strip_comments_and_strings(text: str) -> str:
    """Blanks comments, string and char literals (keeping newlines, so line numbers hold)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            j = n if end < 0 else end + 1 + len(m.group(1))
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]) or (c == "'" and text.startswith("'\\u{", i)):
            j = text.find("'", i + 1) + 1
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_cfg_test(text: str) -> str:
    """Blanks every item under `#[cfg(test)]` (a test module, a test-only fn or use)."""
    out = list(text)
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        j = m.end()
        # The item ends at its matching closing brace, or at a `;` before any brace.
        depth = 0
        while j < len(text):
            ch = text[j]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            elif ch == ";" and depth == 0:
                j += 1
                break
            j += 1
        for k in range(m.start(), min(j, len(text))):
            if out[k] != "\n":
                out[k] = " "
    return "".join(out)


def expand_use_tree(tree: str) -> list[str]:
    """`a::{b, c::{d, e as f}, *}` → ['a::b', 'a::c::d', 'a::c::e as f', 'a::*']."""
    tree = re.sub(r"\s*(::|\{|\}|,)\s*", r"\1", tree.strip())
    tree = re.sub(r"\s+", " ", tree)

    def split_top(s: str) -> list[str]:
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        return parts

    def walk(prefix: str, s: str) -> list[str]:
        brace = s.find("{")
        if brace < 0:
            return [prefix + s]
        head, inner = s[:brace], s[brace + 1:s.rfind("}")]
        result = []
        for part in split_top(inner):
            if part == "self" or part.startswith("self "):
                result.append(prefix + head.rstrip(":") + part[4:])
            else:
                result.extend(walk(prefix + head, part))
        return result

    return walk("", tree)


class Crate:
    def __init__(self, name: str, src: Path, root_file: Path):
        self.name = name
        self.src = src
        self.modules: dict[tuple, Path] = {}
        self.text: dict[tuple, str] = {}
        self.items: dict[tuple, set[str]] = {}
        self.reexports: dict[tuple, dict[str, tuple]] = {}
        self.globs: dict[tuple, list[tuple]] = {}
        self._load(root_file, ())

    def _load(self, file: Path, path: tuple):
        raw = file.read_text(encoding="utf-8")
        text = strip_cfg_test(strip_comments_and_strings(raw))
        self.modules[path] = file
        self.text[path] = text
        self.items[path] = set(ITEM_RE.findall(text))
        for child in MOD_DECL_RE.findall(text):
            if file.name in ("lib.rs", "main.rs", "mod.rs") or path == ():
                base = file.parent
            else:
                base = file.parent / file.stem
            for cand in (base / f"{child}.rs", base / child / "mod.rs"):
                if cand.exists():
                    self._load(cand, path + (child,))
                    break

    def resolve_relative(self, module: tuple, segs: list[str]) -> list[str] | None:
        """Turns `super::x`, `self::x`, `crate::x` into absolute segments."""
        if not segs:
            return None
        if segs[0] == "crate":
            return segs[1:]
        cur = list(module)
        # `super` in a mod.rs or a plain file is the same: the parent module.
        if segs[0] == "self":
            segs = segs[1:]
        while segs and segs[0] == "super":
            if not cur:
                return None
            cur.pop()
            segs = segs[1:]
        return cur + segs

    def collect_reexports(self):
        for path, text in self.text.items():
            self.reexports[path] = {}
            self.globs[path] = []
            for m in USE_RE.finditer(text):
                if not m.group(1):
                    continue
                for full in expand_use_tree(m.group(2)):
                    alias = None
                    am = re.match(r"(.*?)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)$", full)
                    if am and "::" in am.group(1):
                        full, alias = am.group(1), am.group(2)
                    segs = [s for s in full.split("::") if s]
                    if not segs or segs[0] not in ("crate", "super", "self") and segs[0] not in self.child_names(path):
                        continue
                    if segs[0] not in ("crate", "super", "self"):
                        segs = ["self"] + segs
                    absolute = self.resolve_relative(path, segs)
                    if absolute is None:
                        continue
                    if absolute[-1] == "*":
                        self.globs[path].append(tuple(absolute[:-1]))
                    else:
                        self.reexports[path][alias or absolute[-1]] = tuple(absolute)

    def child_names(self, path: tuple) -> set[str]:
        return {p[-1] for p in self.modules if len(p) == len(path) + 1 and p[:-1] == path}

    def target_module(self, segs: list[str], depth: int = 0) -> tuple | None:
        """The module that defines what the absolute path names."""
        cur: tuple = ()
        for i, s in enumerate(segs):
            if s == "*":
                return cur
            if cur + (s,) in self.modules:
                cur = cur + (s,)
                continue
            if depth < 8 and s in self.reexports.get(cur, {}):
                tgt = list(self.reexports[cur][s]) + segs[i + 1:]
                return self.target_module(tgt, depth + 1)
            if depth < 8:
                for g in self.globs.get(cur, []):
                    if s in self.items.get(g, set()) or s in self.reexports.get(g, {}):
                        return self.target_module(list(g) + segs[i:], depth + 1)
            return cur
        return cur

    def edges(self) -> dict[tuple, dict[tuple, tuple[int, str]]]:
        self.collect_reexports()
        graph: dict[tuple, dict[tuple, tuple[int, str]]] = {p: {} for p in self.modules}
        for path, text in self.text.items():
            lines = text.split("\n")
            refs: list[tuple[int, list[str]]] = []
            for m in USE_RE.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                for full in expand_use_tree(m.group(2)):
                    full = re.sub(r"\s+as\s+[A-Za-z_][A-Za-z0-9_]*$", "", full)
                    segs = [s for s in full.split("::") if s]
                    if segs and segs[0] in self.child_names(path):
                        segs = ["self"] + segs
                    refs.append((line, segs))
            for m in PATH_RE.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                refs.append((line, [s.strip() for s in m.group(1).split("::")]))
            for line, segs in refs:
                if not segs or segs[0] not in ("crate", "super", "self"):
                    continue
                absolute = self.resolve_relative(path, segs)
                if absolute is None:
                    continue
                target = self.target_module(absolute)
                if target is None or target == path:
                    continue
                # An ancestor is the namespace, not a dependency (see the module doc).
                if path[: len(target)] == target:
                    continue
                if target not in graph[path]:
                    graph[path][target] = (line, lines[line - 1].strip() if line - 1 < len(lines) else "")
        return graph


def sccs(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def crate_roots(root: Path):
    for cargo in sorted(root.glob("**/Cargo.toml")):
        if any(part in ("target", "node_modules", ".git") for part in cargo.parts):
            continue
        src = cargo.parent / "src"
        m = re.search(r'^name\s*=\s*"([^"]+)"', cargo.read_text(encoding="utf-8"), re.M)
        if not m or not src.is_dir():
            continue
        for root_file in (src / "lib.rs", src / "main.rs"):
            if root_file.exists():
                yield f"{m.group(1)} ({root_file.relative_to(root)})", src, root_file
        for bin_file in sorted((src / "bin").glob("*.rs")) if (src / "bin").is_dir() else []:
            yield f"{m.group(1)} ({bin_file.relative_to(root)})", src, bin_file


def name(path: tuple) -> str:
    return "::".join(path) or "crate"


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    total, crates = 0, 0
    for label, src, root_file in crate_roots(root):
        crates += 1
        crate = Crate(label, src, root_file)
        graph = crate.edges()
        for comp in sccs(graph):
            total += 1
            print(f"cycle in {label}: {' ↔ '.join(name(p) for p in comp)}")
            members = set(comp)
            for a in comp:
                for b, (line, text) in sorted(graph[a].items()):
                    if b in members:
                        rel = os.path.relpath(crate.modules[a], root)
                        print(f"    {name(a)} → {name(b)}   {rel}:{line}  {text[:100]}")
    if total:
        print(f"{total} module cycle(s) in {crates} crate roots")
        return 1
    print(f"no module cycles in {crates} crate roots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
