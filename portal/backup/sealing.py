"""The backup archive's encryption: a passphrase, scrypt, and AES-256-GCM over fixed-size chunks, written
and read as a stream (the archive holds the keys that open every tip: it never exists in the clear, not
even as a temporary file).

File layout:
    MAGIC | u32 header length | header (JSON: kdf parameters, salt, nonce prefix, chunk size, check)
    then records: u32 length | AES-GCM(chunk), the last one flagged.
Each chunk's nonce is the 7-byte random prefix + a 4-byte counter + a 1-byte "last" flag, and its
associated data is MAGIC + header: a changed, dropped, reordered or appended chunk, a cut-off end or a
changed header fails authentication (TamperedArchive). The header's `check` (an HMAC under a second key
derived from the passphrase) tells a wrong passphrase (WrongPassphrase) from a damaged file.
"""
import base64
import hashlib
import hmac
import json
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"FENGJI-BACKUP\x00\x01"
CHUNK = 1 << 20
SCRYPT = {"n": 1 << 15, "r": 8, "p": 1}  # ~32 MiB and a fraction of a second per archive
_MAX_SCRYPT_N = 1 << 20  # a header asking for more is refused (it could exhaust memory)
_U32 = struct.Struct(">I")


class BackupError(Exception):
    """message is shown to the operator (Chinese)."""


class WrongPassphrase(BackupError):
    pass


class TamperedArchive(BackupError):
    pass


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    raw = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return raw[:32], raw[32:]


def _check(check_key: bytes) -> str:
    return base64.b64encode(hmac.new(check_key, b"fengji-backup-passphrase", hashlib.sha256).digest()[:16]).decode()


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2 ** 32:
        raise BackupError("备份文件过大")
    return prefix + _U32.pack(counter) + (b"\x01" if last else b"\x00")


class SealedWriter:
    """A write-only file object: what is written goes out encrypted to `out`. close() writes the
    last chunk (it does not close `out`)."""

    def __init__(self, out, passphrase: str):
        if not passphrase:
            raise BackupError("未提供备份口令")
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._key, check_key = _derive(passphrase, salt, **SCRYPT)
        header = {"format": 1, "kdf": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode(),
                  "nonce": base64.b64encode(self._prefix).decode(), "chunk": CHUNK,
                  "cipher": "AES-256-GCM", "check": _check(check_key)}
        self._header = json.dumps(header, sort_keys=True).encode()
        self._aad = MAGIC + self._header
        self._aead = AESGCM(self._key)
        self._out = out
        self._buf = bytearray()
        self._counter = 0
        self._closed = False
        out.write(MAGIC + _U32.pack(len(self._header)) + self._header)

    def write(self, data) -> int:
        self._buf += data
        while len(self._buf) > CHUNK:  # full chunks go out; the rest waits for more, or for close()
            self._emit(bytes(self._buf[:CHUNK]), last=False)
            del self._buf[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, last: bool) -> None:
        ct = self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._aad)
        self._out.write(_U32.pack(len(ct)) + ct)
        self._counter += 1

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buf), last=True)
            self._buf.clear()
            self._closed = True

    def flush(self) -> None:
        pass


class SealedReader:
    """A read-only file object over an archive written by SealedWriter; every byte handed out has been
    authenticated. Raises WrongPassphrase at opening, TamperedArchive wherever the file was changed."""

    def __init__(self, src, passphrase: str):
        if not passphrase:
            raise BackupError("未提供备份口令")
        self._src = src
        if src.read(len(MAGIC)) != MAGIC:
            raise TamperedArchive("不是风纪备份文件，或文件头已损坏")
        (hlen,) = _U32.unpack(self._exact(4))
        if hlen > 4096:
            raise TamperedArchive("备份文件头已损坏")
        self._header = self._exact(hlen)
        try:
            h = json.loads(self._header)
            n, r, p = int(h["n"]), int(h["r"]), int(h["p"])
            salt, self._prefix = base64.b64decode(h["salt"]), base64.b64decode(h["nonce"])
            self.chunk = int(h["chunk"])
        except (ValueError, KeyError, TypeError):
            raise TamperedArchive("备份文件头已损坏") from None
        if not (2 <= n <= _MAX_SCRYPT_N and r <= 32 and p <= 16 and len(self._prefix) == 7 and self.chunk <= 1 << 26):
            raise TamperedArchive("备份文件头已损坏")
        key, check_key = _derive(passphrase, salt, n, r, p)
        if not hmac.compare_digest(_check(check_key), str(h.get("check", ""))):
            raise WrongPassphrase("备份口令错误（或备份文件头已损坏），未做任何改动")
        self._aead = AESGCM(key)
        self._aad = MAGIC + self._header
        self._counter = 0
        self._buf = bytearray()  # deleting from its front is cheap in CPython
        self._done = False

    def _exact(self, n: int) -> bytes:
        data = self._src.read(n)
        if len(data) != n:
            raise TamperedArchive("备份文件不完整（被截断）")
        return data

    def _next(self) -> None:
        head = self._src.read(4)
        if len(head) != 4:
            raise TamperedArchive("备份文件不完整（被截断）")
        (n,) = _U32.unpack(head)
        if n > self.chunk + 16:
            raise TamperedArchive("备份文件已被篡改或损坏")
        ct = self._exact(n)
        for last in (False, True):
            try:
                plain = self._aead.decrypt(_nonce(self._prefix, self._counter, last), ct, self._aad)
            except InvalidTag:
                continue
            self._counter += 1
            self._buf += plain
            if last:
                self._done = True
                if self._src.read(1):
                    raise TamperedArchive("备份文件末尾有多余内容，已被篡改")
            return
        raise TamperedArchive(f"备份文件已被篡改或损坏（第 {self._counter + 1} 块校验失败）")

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buf) < size):
            self._next()
        if size < 0 or size >= len(self._buf):
            out = bytes(self._buf)
            self._buf.clear()
        else:
            out = bytes(self._buf[:size])
            del self._buf[:size]
        return out
