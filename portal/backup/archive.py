"""Writing and reading a backup archive: a tar stream, encrypted by sealing.py, holding
    database/<kind>.00000 …  the database copy in parts (kind "sqlite": the file's image; "postgresql":
                          pg_dump's custom format)
    instance/<path>       every file of instance/ that matters (keys, secret key, uploads, fonts, reports,
                          print jobs, config), not the live SQLite file, temporary files or the backups
    manifest.json         last: format, time, database kind, schema version (applied migrations), row
                          counts of every table, size and SHA-256 of every part and file, one tip's check
Reading authenticates every chunk and checks every member against the manifest."""
import datetime as dt
import hashlib
import io
import json
import os
import posixpath
import secrets
import tarfile

from .. import clock, crypto
from . import database
from .sealing import BackupError, SealedReader, SealedWriter, TamperedArchive

FORMAT = 1
SUFFIX = ".fjbak"
LOG_FILE = "backup_log.json"
_TEMP_SUFFIXES = (".tmp", ".partial", ".part", "-journal", "-wal", "-shm", ".lock", ".pyc")


def backup_dir(app) -> str:
    return os.path.abspath(app.config.get("BACKUP_DIR") or os.path.join(app.instance_path, "backups"))


def instance_files(app) -> list[tuple[str, str]]:
    """(archive name, absolute path) of every instance file a restored portal needs."""
    inst = os.path.realpath(app.instance_path)
    skip_dirs = {os.path.realpath(backup_dir(app))}
    skip_files = {os.path.realpath(os.path.join(inst, LOG_FILE))}
    if database.kind() == "sqlite":
        live = os.path.realpath(database.sqlite_path())
        skip_files |= {live, live + "-wal", live + "-shm", live + "-journal"}
    out = []
    for root, dirs, files in os.walk(inst):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith(".")
                         and os.path.realpath(os.path.join(root, d)) not in skip_dirs)
        for f in sorted(files):
            path = os.path.join(root, f)
            if (os.path.realpath(path) in skip_files or f.endswith(_TEMP_SUFFIXES) or f.startswith(".")
                    or not os.path.isfile(path) or os.path.islink(path)):
                continue
            out.append(("instance/" + os.path.relpath(path, inst).replace(os.sep, "/"), path))
    return out


def _add(tar, name: str, data) -> dict:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(clock.now().timestamp())
    tar.addfile(info, io.BytesIO(data))
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _tip_check(query):
    """The first tip, decrypted with the instance's key now: restore decrypts it again and compares."""
    from ..models.tip import Tip
    rows = query('SELECT "ref", "sealed" FROM "tip" ORDER BY "id" LIMIT 1') if _has(query, "tip") else []
    if not rows:
        return None
    ref, sealed = rows[0]
    plain = crypto.unseal(sealed, Tip(ref=ref).aad())
    return {"ref": ref, "sha256": _digest(plain)}


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _has(query, table) -> bool:
    return table in database.table_names(query)


class _Counting:
    """Passes writes through, counting bytes and hashing them (the encrypted file's own checksum)."""

    def __init__(self, f):
        self.f, self.size, self.sha = f, 0, hashlib.sha256()

    def write(self, data):
        self.f.write(data)
        self.size += len(data)
        self.sha.update(data)
        return len(data)


def create(app, directory: str | None, passphrase: str) -> dict:
    """Write one encrypted archive into `directory` (default BACKUP_DIR); returns its record."""
    directory = os.path.abspath(directory or backup_dir(app))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    now = clock.now()
    name = f"fengji-backup-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}{SUFFIX}"
    path = os.path.join(directory, name)
    partial = path + ".partial"  # encrypted like the rest; renamed once complete
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            out = _Counting(raw)
            sealed = SealedWriter(out, passphrase)
            manifest = _write_tar(app, sealed, now)
            sealed.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    return {"file": path, "at": now.isoformat(timespec="seconds"), "size": out.size,
            "sha256": out.sha.hexdigest(), "tables": len(manifest["tables"]), "files": len(manifest["files"]),
            "database": manifest["database"]["kind"]}


def _write_tar(app, sealed, now) -> dict:
    manifest = {"format": FORMAT, "app": "fengji", "created_at": now.isoformat(timespec="seconds"),
                "database": {"kind": database.kind(), "parts": []}, "files": {}}
    with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        with database.snapshot(app) as (query, parts):
            for i, part in enumerate(parts):
                name = f"database/{database.kind()}.{i:05d}"
                manifest["database"]["parts"].append(dict(_add(tar, name, part), name=name))
            tables = database.table_names(query)
            manifest["tables"] = {t: query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}
            manifest["schema"] = {"migrations": sorted(r[0] for r in query('SELECT "name" FROM "schema_migration"'))
                                  if "schema_migration" in tables else []}
            manifest["tip_check"] = _tip_check(query)
        for arcname, path in instance_files(app):
            with open(path, "rb") as f:
                data = f.read()
            manifest["files"][arcname] = _add(tar, arcname, data)
        _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return manifest


def _safe_name(name: str) -> bool:
    norm = posixpath.normpath(name)
    return (norm == name and not name.startswith("/") and ".." not in name.split("/")
            and (name == "manifest.json" or name.startswith(("database/", "instance/"))))


def read(path: str, passphrase: str, on_database=None, on_file=None) -> dict:
    """Stream through an archive: authenticate it, check every member against the manifest, hand the
    database parts to `on_database(bytes)` and the files to `on_file(name, bytes)` on the way. Returns
    the manifest. `on_database(kind, bytes)`. Raises WrongPassphrase or TamperedArchive (BackupError)."""
    seen = {}
    manifest = None
    with open(path, "rb") as raw:
        reader = SealedReader(raw, passphrase)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for info in tar:
                    if not info.isfile() or not _safe_name(info.name) or info.name in seen or manifest is not None:
                        raise TamperedArchive(f"备份中有不应出现的内容：{info.name[:80]}")
                    data = tar.extractfile(info).read()
                    seen[info.name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                    if info.name == "manifest.json":
                        manifest = json.loads(data)
                    elif info.name.startswith("database/"):
                        if on_database:
                            on_database(info.name.split("/", 1)[1].split(".", 1)[0], data)
                    elif on_file:
                        on_file(info.name, data)
        except tarfile.TarError as e:
            raise TamperedArchive(f"备份内容无法读取：{e}") from None
        reader.read()  # the end: the last chunk must be there, and nothing after it
    if manifest is None or manifest.get("format") != FORMAT:
        raise TamperedArchive("备份中没有可识别的清单（manifest.json）")
    expected = {p["name"]: {"size": p["size"], "sha256": p["sha256"]} for p in manifest["database"]["parts"]}
    expected.update(manifest["files"])
    seen.pop("manifest.json")
    if seen != expected:
        bad = sorted(set(seen) ^ set(expected)) or sorted(n for n in seen if seen[n] != expected[n])
        raise TamperedArchive(f"备份内容与清单不符：{', '.join(bad[:5])}")
    return manifest


def parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
