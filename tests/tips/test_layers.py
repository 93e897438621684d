"""The tip box and the clue ledger depend one way only: portal.clues uses portal.tips, never back."""
import ast
import os

import portal

PKG = os.path.dirname(portal.__file__)


def _imports(area: str) -> set[str]:
    """Every module imported anywhere (top level or inside functions) by portal/<area>/*.py, absolute."""
    out = set()
    folder = os.path.join(PKG, area)
    for name in os.listdir(folder):
        if not name.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(folder, name), encoding="utf-8").read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                out |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    base = node.module or ""
                else:
                    parts = ["portal", area][: 3 - node.level] if node.level <= 2 else []
                    base = ".".join(parts + ([node.module] if node.module else []))
                out.add(base)
                out |= {f"{base}.{a.name}" for a in node.names}
    return out


def test_tips_never_import_clues():
    found = sorted(m for m in _imports("tips") if m == "portal.clues" or m.startswith("portal.clues."))
    assert found == []


def test_clues_do_use_tips():
    # the direction that stays: the clue ledger reads sealed tips through the tip box
    assert any(m.startswith("portal.tips") for m in _imports("clues"))
