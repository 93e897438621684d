"""The auditable random draw (双随机): pure functions, no database, no `random`.

1. The roster is frozen as canonical JSON of [key, label, department id] rows sorted by key;
   roster_hash = SHA-256 of its UTF-8 bytes.
2. Exclusions (with reasons) are fixed before the seed exists.
3. seed = SHA-256("<algorithm>\\n<witness number>\\n<time>\\n<roster hash>").
4. Each eligible candidate's rank = SHA-256(seed bytes || key bytes); the `count` lowest win
   (ties, impossible in practice, broken by key).
Anyone holding the stored inputs recomputes the same result on any Python version.
"""
import hashlib
import json

ALGORITHM = "fengji-draw-v1/sha256(seed||key)"


def canonical(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def freeze_roster(rows) -> str:
    """rows: iterable of (key, label, department id). Returns the canonical roster text."""
    clean = sorted(([str(k), str(label), int(dept) if dept is not None else None]
                    for k, label, dept in rows), key=lambda r: r[0])
    keys = [r[0] for r in clean]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate candidate key")
    return canonical(clean)


def freeze_exclusions(rows) -> str:
    """rows: iterable of (key, reason code, reason text); canonical, sorted by key."""
    return canonical(sorted(([str(k), str(code), str(text)] for k, code, text in rows),
                            key=lambda r: r[0]))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_seed(witness_number: str, drawn_at_text: str, roster_hash: str,
              algorithm: str = ALGORITHM) -> str:
    return sha256_hex(f"{algorithm}\n{witness_number}\n{drawn_at_text}\n{roster_hash}")


def rank_value(seed: str, key: str) -> str:
    return hashlib.sha256(bytes.fromhex(seed) + key.encode("utf-8")).hexdigest()


def ranked(seed: str, keys) -> list[tuple[str, str]]:
    """[(key, rank hash)] best first."""
    return sorted(((k, rank_value(seed, k)) for k in keys), key=lambda kv: (kv[1], kv[0]))


def compute(roster_text: str, exclusions_text: str, witness_number: str, drawn_at_text: str,
            count: int, algorithm: str = ALGORITHM) -> dict:
    """Everything derived from the inputs: roster hash, seed, the eligible ranking and the winners."""
    if algorithm != ALGORITHM:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    roster = json.loads(roster_text)
    excluded = {row[0] for row in json.loads(exclusions_text or "[]")}
    roster_hash = sha256_hex(roster_text)
    seed = make_seed(witness_number, drawn_at_text, roster_hash, algorithm)
    eligible = [row[0] for row in roster if row[0] not in excluded]
    order = ranked(seed, eligible)
    return {
        "roster_hash": roster_hash,
        "seed": seed,
        "ranking": order,
        "result": [k for k, _h in order[:max(0, count)]],
    }


def verify(draw) -> dict:
    """Recompute a stored Draw from its stored inputs. Returns {"ok": bool, "checks": [(label, ok)],
    "computed": {...}}; labels are shown on the public verify page."""
    try:
        c = compute(draw.roster, draw.exclusions, draw.witness_number, draw.drawn_at_text,
                    draw.requested, draw.algorithm)
    except (ValueError, TypeError, KeyError, IndexError) as e:
        return {"ok": False, "checks": [("存储的抽取输入可以解析", False)], "computed": None,
                "error": str(e)}
    roster_keys = {row[0] for row in json.loads(draw.roster)}
    excl_keys = {row[0] for row in json.loads(draw.exclusions or "[]")}
    checks = [
        ("名单哈希与冻结名单一致", c["roster_hash"] == draw.roster_hash),
        ("随机种子由见证数字、抽取时间和名单哈希算出", c["seed"] == draw.seed),
        ("排除对象均在冻结名单内", excl_keys <= roster_keys),
        ("抽取结果与重新计算结果一致", c["result"] == json.loads(draw.result)),
    ]
    return {"ok": all(ok for _l, ok in checks), "checks": checks, "computed": c}
