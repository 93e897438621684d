"""portal.gongwen is a plain library: no module of it imports Flask (or its extensions, or werkzeug), the
database layer, or any other part of the portal. Checked on the source with ast, so a lazy import inside a
function counts too."""
import ast
import pathlib

import portal.gongwen

PKG = pathlib.Path(portal.gongwen.__file__).parent
FORBIDDEN = ("flask", "flask_login", "flask_wtf", "flask_limiter", "werkzeug", "wtforms", "peewee", "playhouse")


def imports(path):
    """(module name, relative level) of every import statement of a source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def test_no_flask_or_portal_imports_in_the_engine():
    files = sorted(PKG.rglob("*.py"))
    assert len(files) >= 9
    bad = []
    for f in files:
        for name, level in imports(f):
            top = name.split(".")[0]
            if level == 0 and (top.startswith("flask") or top in FORBIDDEN):
                bad.append((f.name, name))
            if level == 0 and top == "portal" and not name.startswith("portal.gongwen"):
                bad.append((f.name, name))
            if level > 1:                              # `from ..x import` leaves the package
                bad.append((f.name, "." * level + name))
    assert bad == []


def test_the_check_sees_a_flask_import(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from flask import current_app\n    from ..models import Document\n")
    assert list(imports(src)) == [("flask", 0), ("models", 2)]
