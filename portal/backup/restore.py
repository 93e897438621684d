"""Checking an archive (`backup verify`) and restoring it onto an empty instance (`backup restore`), then
checking the restored portal: schema version, row counts, file checksums, the audit chain, one tip.

Schema versions: an archive whose database has a migration this code does not know comes from a newer
portal and is refused (install the newer code first). An archive from an older portal is restored as it
is, checked, and then brought up to date with the pending migrations (as `db-upgrade` does)."""
import hashlib
import json
import os
import secrets

from .. import audit, crypto
from .. import db as portal_db
from ..extensions import db
from . import database
from .archive import LOG_FILE, backup_dir, read
from .sealing import BackupError

# instance files that exist before any data does (created by the app at start, or the operator's own,
# like the fonts under instance/fonts/)
_NOT_DATA = {"secret_key", "config.py", LOG_FILE}


class Check:
    def __init__(self, label: str, ok: bool, detail: str = ""):
        self.label, self.ok, self.detail = label, ok, detail

    def __str__(self):
        return f"{'✔' if self.ok else '✘'} {self.label}{'：' + self.detail if self.detail else ''}"


def schema_check(manifest) -> Check:
    known = set(database.known_migrations())
    theirs = set(manifest["schema"]["migrations"])
    newer = sorted(theirs - known)
    if newer:
        return Check("数据库结构版本", False, f"备份来自更新版本的系统（含本程序没有的迁移 {', '.join(newer)}），"
                                        "请先升级程序再恢复")
    pending = sorted(known - theirs)
    latest = max(theirs) if theirs else "无"
    return Check("数据库结构版本", True, f"{latest}" + (f"（恢复后将升级 {len(pending)} 个迁移）" if pending else "（与本程序一致）"))


def verify(app, path: str, passphrase: str) -> tuple[dict, list[Check]]:
    """Check an archive without restoring anything."""
    inspector = {}

    def on_database(kind, part):
        if "i" not in inspector:
            if kind not in ("sqlite", "postgresql"):
                raise BackupError(f"未知的数据库类型：{kind[:20]}")
            inspector["i"] = database.Inspector(app, kind)
        inspector["i"].feed(part)
    manifest = read(path, passphrase, on_database=on_database)
    checks = [Check("口令与完整性", True, "每一块均通过认证"),
              Check("文件校验", True, f"{len(manifest['files'])} 个文件、{len(manifest['database']['parts'])} 段数据库与清单一致")]
    info = inspector["i"].finish() if "i" in inspector else None
    if info is None:
        checks.append(Check("数据库", False, "备份中没有数据库"))
    elif manifest["database"]["kind"] == "sqlite":
        counts_ok = info["tables"] == manifest["tables"]
        checks.append(Check("数据库", info["integrity"] == "ok" and counts_ok,
                            f"SQLite 完整性 {info['integrity']}，{len(info['tables'])} 张表的行数"
                            + ("与清单一致" if counts_ok else "与清单不符")))
    else:
        checks.append(Check("数据库", True, f"PostgreSQL 转储可读，{info['table_data']} 张表的数据"))
    checks.append(schema_check(manifest))
    return manifest, checks


def is_empty(app) -> tuple[bool, str]:
    """An instance is empty when no table holds a row and instance/ holds no data file (keys, uploads…)."""
    counts = database.row_counts()
    filled = sorted(t for t, n in counts.items() if n)
    if filled:
        return False, f"数据库中已有数据（{', '.join(filled[:5])}{' 等' if len(filled) > 5 else ''}）"
    from .archive import instance_files
    data = [name for name, _ in instance_files(app)
            if name.split("/", 1)[1] not in _NOT_DATA and not name.startswith("instance/fonts/")]
    if data:
        return False, f"instance/ 中已有数据文件（{', '.join(data[:3])}{' 等' if len(data) > 3 else ''}）"
    return True, ""


def _write_file(app, name: str, data: bytes) -> None:
    inst = os.path.realpath(app.instance_path)
    target = os.path.realpath(os.path.join(inst, name.split("/", 1)[1]))
    if not target.startswith(inst + os.sep) or os.path.realpath(os.path.dirname(target)).startswith(
            os.path.realpath(backup_dir(app)) + os.sep):
        raise BackupError(f"非法的文件路径：{name[:80]}")
    os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
    tmp = f"{target}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)


def restore(app, path: str, passphrase: str, force: bool = False, echo=print) -> list[Check]:
    """Verify, then restore, then check the restored portal. Returns the checks (all must hold)."""
    manifest, checks = verify(app, path, passphrase)
    for c in checks:
        echo(str(c))
    if not all(c.ok for c in checks):
        raise BackupError("备份未通过检查，未做任何改动")
    if manifest["database"]["kind"] != database.kind():
        raise BackupError(f"备份的数据库类型为 {manifest['database']['kind']}，当前配置为 {database.kind()}，"
                          "请先改为同类数据库再恢复")
    empty, why = is_empty(app)
    if not empty and not force:
        raise BackupError(f"目标实例不是空的：{why}。确需覆盖请加 --force（现有数据将被替换）")
    echo("目标实例为空，开始恢复…" if empty else f"按 --force 覆盖现有实例（{why}）…")
    database.reset_schema()
    loader = database.Loader(app)
    state = {"db_done": False}

    def on_file(name, data):
        if not state["db_done"]:
            loader.finish()
            state["db_done"] = True
        _write_file(app, name, data)
    again = read(path, passphrase, on_database=lambda kind, part: loader.feed(part), on_file=on_file)
    if not state["db_done"]:
        loader.finish()
    if again != manifest:
        raise BackupError("备份文件在恢复过程中被替换，请重新恢复")
    crypto._cache.clear()  # the restored tip_key replaces whatever was cached
    db.obj.close_all()
    result = after_restore(app, manifest)
    pending = sorted(set(database.known_migrations()) - set(manifest["schema"]["migrations"]))
    if all(c.ok for c in result) and pending:
        applied = portal_db.upgrade()
        result.append(Check("升级数据库结构", True, f"已应用 {len(applied)} 个迁移：{', '.join(applied)}"))
    if all(c.ok for c in result):
        with db.connection_context():
            audit.record("backup_restore", "backup", os.path.basename(path),
                         detail={"created_at": manifest["created_at"], "force": bool(force)})
    return result


def after_restore(app, manifest) -> list[Check]:
    out = []
    applied = database.applied_migrations()
    out.append(Check("数据库结构版本", applied == manifest["schema"]["migrations"],
                     f"{max(applied) if applied else '无'}"))
    counts = database.row_counts()
    diff = sorted(t for t, n in manifest["tables"].items() if counts.get(t) != n)
    out.append(Check("各表行数", not diff, f"{len(manifest['tables'])} 张表，共 {sum(manifest['tables'].values())} 行"
                     if not diff else f"不一致：{', '.join(diff[:5])}"))
    bad = []
    for name, meta in manifest["files"].items():
        p = os.path.join(app.instance_path, name.split("/", 1)[1])
        try:
            with open(p, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != meta["sha256"]:
                    bad.append(name)
        except OSError:
            bad.append(name)
    out.append(Check("文件校验和", not bad, f"{len(manifest['files'])} 个文件" if not bad else f"不一致：{', '.join(bad[:5])}"))
    with db.connection_context():
        ok, message = audit.verify()
    out.append(Check("审计日志哈希链", ok, "完整" if ok else message))
    out.append(_tip_check(manifest))
    return out


def _tip_check(manifest) -> Check:
    tc = manifest.get("tip_check")
    if not tc:
        return Check("举报解密", True, "备份中没有举报，无需检查")
    from ..models.tip import Tip
    from .. import crypto
    try:
        with db.connection_context():
            tip = Tip.get(Tip.ref == tc["ref"])
            plain = crypto.unseal(tip.sealed, tip.aad())  # the whole sealed payload, as the archive digested it
    except Exception as e:  # noqa: BLE001 - any failure is the check's result
        return Check("举报解密", False, f"无法解密：{type(e).__name__}")
    ok = hashlib.sha256(json.dumps(plain, ensure_ascii=False, sort_keys=True).encode()).hexdigest() == tc["sha256"]
    return Check("举报解密", ok, "用恢复的密钥解密一条举报，内容一致" if ok else "解密结果与备份时不一致")
