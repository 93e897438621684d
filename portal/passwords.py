"""Password hashing (Argon2id) and the password policy."""
import re
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

_hashers: dict = {}


def hasher() -> PasswordHasher:
    c = current_app.config
    key = (c["ARGON2_TIME_COST"], c["ARGON2_MEMORY_COST"], c["ARGON2_PARALLELISM"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return _hashers[key]


def hash_password(pw: str) -> str:
    return hasher().hash(pw)


def verify_password(hashed: str, pw: str) -> bool:
    if not hashed:
        return False
    try:
        return hasher().verify(hashed, pw)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def policy_errors(pw: str, username: str = "") -> list[str]:
    """Chinese messages for each broken rule; empty list = acceptable."""
    errors = []
    min_len = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(pw) < min_len:
        errors.append(f"密码至少 {min_len} 位")
    classes = sum(bool(re.search(p, pw)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < 3:
        errors.append("密码须包含大写字母、小写字母、数字、符号中的至少三类")
    if username and username.lower() in pw.lower():
        errors.append("密码不得包含登录名")
    return errors


def generate_password(length: int = 14) -> str:
    """A random password that satisfies the policy."""
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_=+"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in pw) and any(c.isupper() for c in pw)
                and any(c.isdigit() for c in pw) and any(not c.isalnum() for c in pw)):
            return pw
