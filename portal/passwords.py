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


_dummy_hashes: dict = {}


def verify_dummy(pw: str) -> bool:
    """The work of one verification against a hash made with the current parameters, for sign-ins with
    an unknown name: a known and an unknown name then take the same time. Always False."""
    h = hasher()
    key = (h.time_cost, h.memory_cost, h.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = h.hash(secrets.token_urlsafe(16))
    verify_password(_dummy_hashes[key], pw)
    return False


CLASS_WORDS = {2: "两", 3: "三", 4: "四"}


def policy_errors(pw: str, username: str = "") -> list[str]:
    """Chinese messages for each broken rule of the security administrator's password policy;
    empty list = acceptable."""
    from .auth import policy
    errors = []
    min_len = policy.password_min_length()
    if len(pw) < min_len:
        errors.append(f"密码至少 {min_len} 位")
    need = policy.password_min_classes()
    classes = sum(bool(re.search(p, pw)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < need:
        errors.append(f"密码须包含大写字母、小写字母、数字、符号中的至少{CLASS_WORDS.get(need, need)}类")
    if username and username.lower() in pw.lower():
        errors.append("密码不得包含登录名")
    return errors


def generate_password(length: int = 14) -> str:
    """A random password that satisfies the policy (at least as long as the policy asks)."""
    from flask import has_app_context
    if has_app_context():
        from .auth import policy
        length = max(length, policy.password_min_length())
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_=+"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in pw) and any(c.isupper() for c in pw)
                and any(c.isdigit() for c in pw) and any(not c.isalnum() for c in pw)):
            return pw
