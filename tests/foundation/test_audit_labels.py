"""Every event code the portal records has a Chinese label in the one table (portal/audit.py ACTION_LABELS),
and every object type a Chinese name; the codes are found by reading every `audit.record(...)` call."""
import ast
import pathlib
import re

from portal import audit

ROOT = pathlib.Path(__file__).resolve().parents[2] / "portal"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _strings(node):
    """String constants a node can evaluate to (a literal, or either branch of `a if c else b`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _record_calls():
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                yield path.relative_to(ROOT.parent), node


def test_every_recorded_event_has_a_chinese_label():
    codes, missing = set(), []
    for path, call in _record_calls():
        for code in _strings(call.args[0]) if call.args else []:
            codes.add(code)
            if not CJK.search(audit.ACTION_LABELS.get(code, "")):
                missing.append(f"{path}:{call.lineno} {code}")
    assert len(codes) > 80 and missing == []


def test_every_object_type_has_a_chinese_name():
    from portal.admin.audit_text import OBJECT_TYPES
    missing = []
    for path, call in _record_calls():
        for kind in _strings(call.args[1]) if len(call.args) > 1 else []:
            if kind and not CJK.search(OBJECT_TYPES.get(kind, "")):
                missing.append(f"{path}:{call.lineno} {kind}")
    assert missing == []


def test_labels_live_in_one_table():
    elsewhere = [str(p) for p in ROOT.rglob("*.py")
                 if p.name != "audit.py" and re.search(r"ACTION_LABELS\.(update|setdefault)|ACTION_LABELS\[",
                                                       p.read_text(encoding="utf-8"))]
    assert elsewhere == []
    assert all(CJK.search(v) for v in audit.ACTION_LABELS.values())
