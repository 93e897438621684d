"""Full-text search in Chinese: character bigrams, as Lucene's CJK analyzer does.

Text is cut into tokens — every two neighbouring Chinese characters (整改措施 → 整改 改措 措施) and every
Latin word or number — and a search term is found as the *phrase* of its own tokens, which is exactly "the
text contains the term" for any term of two or more characters. The tokens live in an index table kept
beside Problem, written in the same transaction as the Problem (portal/problems.py):
- SQLite: an FTS5 table `problem_fts` (rowid = problem id), queried with a phrase MATCH;
- PostgreSQL: `problem_search(problem_id, tsv tsvector)` with a GIN index, queried with phraseto_tsquery
  under the `simple` configuration (no stemming, no stop words).
Terms a bigram index cannot answer (a single Chinese character, or a Chinese character standing alone
beside Latin letters) fall back to a plain substring scan, which is right but slower.

`flask --app app search reindex` rebuilds the index (after a bulk load that bypassed portal/problems.py).
"""
import re
import unicodedata

from peewee import SQL

from .extensions import db

FIELDS = ("description", "measures", "remark")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
COUNT_BOUND = 1000  # search counts are exact up to this, then "1,000+"


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    out = []
    for run in _RUN.findall(_norm(text)):
        if _CJK_RUN.fullmatch(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def indexable(term: str) -> list[str] | None:
    """The phrase of tokens that finds `term`, or None when the index cannot answer it exactly."""
    runs = _RUN.findall(_norm(term))
    if not runs or "".join(runs) != re.sub(r"\s+", "", _norm(term)):
        return None  # punctuation or symbols inside the term: the substring scan decides
    if any(_CJK_RUN.fullmatch(r) and len(r) == 1 for r in runs):
        return None
    if len(runs) == 1 and not _CJK_RUN.fullmatch(runs[0]) and len(runs[0]) < 2:
        return None
    return tokens(term)


def document(problem) -> str:
    return " ".join(tokens(" ".join(getattr(problem, f) or "" for f in FIELDS)))


def index_problem(problem) -> None:
    """(Re)write one Problem's tokens. Called inside the Problem's own write transaction."""
    from .db import is_postgres
    doc = document(problem)
    if is_postgres():
        db.execute_sql(
            "INSERT INTO problem_search (problem_id, tsv) VALUES (%s, to_tsvector('simple', %s)) "
            "ON CONFLICT (problem_id) DO UPDATE SET tsv = EXCLUDED.tsv", (problem.id, doc))
    else:
        db.execute_sql("DELETE FROM problem_fts WHERE rowid = ?", (problem.id,))
        db.execute_sql("INSERT INTO problem_fts (rowid, tokens) VALUES (?, ?)", (problem.id, doc))


def matching_ids(phrase: list[str]):
    """A sub-select of the ids of Problems whose text holds the phrase (for `Problem.id.in_(…)`)."""
    from .db import is_postgres
    text = " ".join(phrase)
    if is_postgres():
        return SQL("(SELECT problem_id FROM problem_search WHERE tsv @@ phraseto_tsquery('simple', %s))", [text])
    quoted = '"' + text.replace('"', '""') + '"'
    return SQL("(SELECT rowid FROM problem_fts WHERE problem_fts MATCH ?)", [quoted])


def reindex(batch: int = 5000) -> int:
    """Rebuild the whole index from the Problem table; returns the number of Problems indexed."""
    from .db import is_postgres
    from .models import Problem
    n = 0
    with db.atomic():
        db.execute_sql("DELETE FROM problem_search" if is_postgres() else "DELETE FROM problem_fts")
        last = 0
        while True:
            rows = list(Problem.select(Problem.id, *[getattr(Problem, f) for f in FIELDS])
                        .where(Problem.id > last).order_by(Problem.id).limit(batch))
            if not rows:
                break
            docs = [(p.id, document(p)) for p in rows]
            if is_postgres():
                db.cursor().executemany(
                    "INSERT INTO problem_search (problem_id, tsv) VALUES (%s, to_tsvector('simple', %s))", docs)
            else:
                db.cursor().executemany("INSERT INTO problem_fts (rowid, tokens) VALUES (?, ?)", docs)
            n += len(rows)
            last = rows[-1].id
    return n
