"""Encryption at rest for the tip box: AES-256-GCM with keys kept in instance/tip_key.

The key file (JSON, mode 0600, created on first use, separate from SECRET_KEY) holds:
  - "keys": {key_id: base64 key} — every key that may still be needed to open stored data;
  - "current": the key id new data is sealed with;
  - "index": a separate HMAC-SHA256 key for lookup hashes (receipt codes, subject names). It is not
    rotated: the receipt codes are stored nowhere, so their lookup hashes cannot be recomputed.

Sealed text is "fj1:<key_id>:<base64(nonce || ciphertext+tag)>"; sealed files are the same bytes in
binary form (b"FJ1" + id length + id + nonce + ciphertext). The associated data binds each ciphertext
to its row and column, so a ciphertext moved to another row, or one changed byte, fails to open:
`TamperError` is raised, logged at CRITICAL and never turned into garbage on a page.

Rotation (`flask --app app tips rotate-key`): a new key becomes current, every sealed value is
re-sealed with it, and only then are the old keys removed from the file. If the run stops half way,
the old keys are still there and running it again finishes the job.

Every app server must share the same instance/tip_key (copy it once, like SECRET_KEY).
"""
import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

log = logging.getLogger("portal.crypto")

KEY_FILE = "tip_key"
_TEXT_PREFIX = "fj1"
_BIN_PREFIX = b"FJ1"
_lock = threading.Lock()
_cache: dict = {}  # path -> (mtime_ns, keyring)


class CryptoError(RuntimeError):
    pass


class TamperError(CryptoError):
    """Stored ciphertext failed authentication: changed, truncated, moved or sealed with an unknown key."""


def key_path(instance_path: str | None = None) -> str:
    return os.path.join(instance_path or current_app.instance_path, KEY_FILE)


def _new_key_id() -> str:
    return secrets.token_hex(4)


def _write_keyring(path: str, ring: dict, exclusive: bool) -> None:
    """Write atomically: a temp file, then link (first creation, fails if it exists) or replace."""
    tmp = f"{path}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(ring, f)
        f.flush()
        os.fsync(f.fileno())
    try:
        if exclusive:
            os.link(tmp, path)  # atomic; FileExistsError when another process won the race
        else:
            os.replace(tmp, path)
            tmp = None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def keyring(instance_path: str | None = None) -> dict:
    """The key file's content, created on first use."""
    path = key_path(instance_path)
    with _lock:
        if not os.path.exists(path):
            kid = _new_key_id()
            ring = {"version": 1, "current": kid,
                    "keys": {kid: base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()},
                    "index": base64.b64encode(secrets.token_bytes(32)).decode()}
            try:
                _write_keyring(path, ring, exclusive=True)
                log.warning("created a new tip encryption key file %s", path)
            except FileExistsError:
                pass
        mtime = os.stat(path).st_mtime_ns
        hit = _cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        with open(path) as f:
            raw = json.load(f)
        ring = {"current": raw["current"], "index": base64.b64decode(raw["index"]),
                "keys": {k: base64.b64decode(v) for k, v in raw["keys"].items()}}
        if ring["current"] not in ring["keys"]:
            raise CryptoError("tip_key: the current key is missing from the key file")
        _cache[path] = (mtime, ring)
        return ring


def lookup_hash(value: str, purpose: str) -> str:
    """Keyed hash (HMAC-SHA256 with the index key) used to find a row without storing the value."""
    key = keyring()["index"]
    return hmac.new(key, f"{purpose}\x00{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def _aead(kid: str) -> AESGCM:
    try:
        return AESGCM(keyring()["keys"][kid])
    except KeyError:
        raise TamperError(f"sealed with unknown key id {kid!r}") from None


def _fail(aad: str, why: str):
    log.critical("tip ciphertext failed authentication (%s): %s", aad, why)
    raise TamperError(f"ciphertext for {aad} failed authentication: {why}")


def seal_bytes(data: bytes, aad: str) -> bytes:
    kid = keyring()["current"]
    nonce = secrets.token_bytes(12)
    ct = _aead(kid).encrypt(nonce, data, aad.encode("utf-8"))
    k = kid.encode("ascii")
    return _BIN_PREFIX + bytes([len(k)]) + k + nonce + ct


def open_bytes(blob: bytes, aad: str) -> bytes:
    if not blob.startswith(_BIN_PREFIX) or len(blob) < 4:
        _fail(aad, "not a sealed file")
    n = blob[3]
    kid = blob[4:4 + n].decode("ascii", "replace")
    nonce, ct = blob[4 + n:16 + n], blob[16 + n:]
    try:
        return _aead(kid).decrypt(nonce, ct, aad.encode("utf-8"))
    except InvalidTag:
        _fail(aad, "authentication tag mismatch")


def seal(value, aad: str) -> str:
    """Seal a str (or a JSON-able object, when not a str) into text for a database column."""
    if not isinstance(value, str):
        value = "\x01" + json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    kid = keyring()["current"]
    nonce = secrets.token_bytes(12)
    ct = _aead(kid).encrypt(nonce, value.encode("utf-8"), aad.encode("utf-8"))
    return f"{_TEXT_PREFIX}:{kid}:{base64.b64encode(nonce + ct).decode('ascii')}"


def unseal(token: str, aad: str):
    try:
        prefix, kid, body = token.split(":", 2)
        raw = base64.b64decode(body, validate=True)
    except (ValueError, AttributeError, TypeError):
        _fail(aad, "malformed token")
    if prefix != _TEXT_PREFIX or len(raw) < 28:
        _fail(aad, "malformed token")
    try:
        plain = _aead(kid).decrypt(raw[:12], raw[12:], aad.encode("utf-8")).decode("utf-8")
    except InvalidTag:
        _fail(aad, "authentication tag mismatch")
    if plain.startswith("\x01"):
        return json.loads(plain[1:])
    return plain


def key_id_of(token) -> str | None:
    if isinstance(token, bytes):
        if not token.startswith(_BIN_PREFIX):
            return None
        return token[4:4 + token[3]].decode("ascii", "replace")
    try:
        return token.split(":", 2)[1]
    except (AttributeError, IndexError):
        return None


def begin_rotation(instance_path: str | None = None) -> str:
    """Add a new key and make it current (old keys stay until finish_rotation)."""
    path = key_path(instance_path)
    keyring(instance_path)
    with _lock:
        with open(path) as f:
            raw = json.load(f)
        kid = _new_key_id()
        raw["keys"][kid] = base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()
        raw["current"] = kid
        _write_keyring(path, raw, exclusive=False)
        _cache.pop(path, None)
    return kid


def finish_rotation(instance_path: str | None = None) -> list[str]:
    """Drop every key but the current one; returns the removed key ids."""
    path = key_path(instance_path)
    with _lock:
        with open(path) as f:
            raw = json.load(f)
        old = [k for k in raw["keys"] if k != raw["current"]]
        raw["keys"] = {raw["current"]: raw["keys"][raw["current"]]}
        _write_keyring(path, raw, exclusive=False)
        _cache.pop(path, None)
    return old
