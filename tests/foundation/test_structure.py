"""The code's shape, checked by reading the source with `ast`: small modules, area packages that do not
import each other in a circle, and permission rules that live in permissions.py only."""
import ast
import os

import pytest

import portal
from portal import permissions

ROOT = os.path.dirname(portal.__file__)
MAX_LINES = 400
FOUNDATION = {"models", "migrations"}  # shared packages every area may use; not areas
KNOWN_CYCLES: set = set()


def _sources():
    for dirpath, _dirs, files in os.walk(ROOT):
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(dirpath, name)


def _module(path) -> str:
    rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
    return rel[: -len(".__init__")] if rel.endswith(".__init__") else rel


def _imported(path):
    """Every module name an import statement in `path` names (function-level imports too)."""
    module = _module(path)
    package = module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{a.name}" for a in node.names)


def areas() -> list[str]:
    return sorted(d for d in os.listdir(ROOT)
                  if os.path.isfile(os.path.join(ROOT, d, "__init__.py")) and d not in FOUNDATION)


def area_graph() -> dict[str, set[str]]:
    """area -> the other areas it imports from."""
    names = set(areas())
    graph = {a: set() for a in names}
    for a in names:
        for dirpath, _dirs, files in os.walk(os.path.join(ROOT, a)):
            for f in files:
                if not f.endswith(".py"):
                    continue
                for target in _imported(os.path.join(dirpath, f)):
                    parts = target.split(".")
                    if len(parts) > 1 and parts[0] == "portal" and parts[1] in names and parts[1] != a:
                        graph[a].add(parts[1])
    return graph


def cycles(graph) -> list[frozenset]:
    """The strongly connected components with more than one area (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(frozenset(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_module_over_400_lines():
    long = {os.path.relpath(p, ROOT): n for p in _sources()
            if (n := sum(1 for _ in open(p, encoding="utf-8"))) > MAX_LINES}
    assert long == {}


def test_no_import_cycle_between_areas():
    graph = area_graph()
    assert {"ledger", "clues", "selfcheck", "dashboard"} <= set(graph)  # the areas are found
    assert graph["reports"] & {"documents", "gongwen"}  # and their imports are read (reports prints through the engine)
    assert set(cycles(graph)) - KNOWN_CYCLES == set()


def test_cycle_finder_finds_a_cycle():
    found = cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert found == [frozenset({"a", "b", "c"})]


def test_rules_are_changed_nowhere_but_permissions():
    """RULES is named only in portal/permissions.py: no area adds or changes a rule at import time."""
    named = []
    for path in _sources():
        if os.path.samefile(path, permissions.__file__):
            continue
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read(), path)):
            if (isinstance(node, ast.Name) and node.id == "RULES") or (
                    isinstance(node, ast.alias) and node.name == "RULES") or (
                    isinstance(node, ast.Attribute) and node.attr == "RULES"):
                named.append(os.path.relpath(path, ROOT))
    assert named == []


def test_every_rule_names_an_area_and_a_verb():
    for action in permissions.RULES:
        area, _, verb = action.partition(".")
        assert area and verb, action


def test_require_refuses_an_unknown_action():
    with pytest.raises(KeyError):
        permissions.require("ledger.no_such_action")
