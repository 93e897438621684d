"""Full-text search in Chinese: character bigrams, as Lucene's CJK analyzer does.

Text is cut into tokens — every two neighbouring Chinese characters (整改措施 → 整改 改措 措施) and every
Latin word or number — and a search term is found as the *phrase* of its own tokens, which is exactly "the
text contains the term" for any term of two or more characters. A Problem's document is its description,
measures and remark, then its person's and its department's names, so every indexable term of a search is
answered by ONE probe of one index (no OR with lookups in other tables, which kept PostgreSQL from driving
the query from the index and from stopping early). The tokens live in an index table kept beside Problem,
written in the same transaction as the Problem (portal/problems.py) — and again for a person's or a
department's Problems when that name changes (portal/admin/service.py):
- SQLite: an FTS5 table `problem_fts` (rowid = problem id), queried with a phrase MATCH;
- PostgreSQL: `problem_search(problem_id, tsv tsvector)` with a GIN index, queried with phraseto_tsquery
  under the `simple` configuration (no stemming, no stop words).
Terms a bigram index cannot answer (a single Chinese character, or a Chinese character standing alone
beside Latin letters) fall back to a plain substring scan, which is right but slower.

`flask --app app search reindex` rebuilds the index (after a bulk load that bypassed portal/problems.py).
"""
import re
import unicodedata

from markupsafe import Markup
from peewee import SQL, Expression, IntegerField, Model, TextField

from .extensions import db

FIELDS = ("description", "measures", "remark")
NAMED_BY = ("person", "department")  # a change of these changes the names in the document
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


def document(*texts) -> str:
    """The index document: the tokens of each text in turn (a phrase never spans two texts' boundary words)."""
    return " ".join(tokens(" ".join(t or "" for t in texts)))


# a Problem's indexed texts: its own FIELDS, then its person's and its department's names (so a name is found
# through the same index as the text, and a search is one index probe — no OR with lookups in other tables)
_ROWS = ('SELECT p."id", p."description", p."measures", p."remark", u."real_name", d."name" FROM "problem" p '
         'LEFT JOIN "user" u ON u."id" = p."person_id" LEFT JOIN "department" d ON d."id" = p."department_id" '
         'WHERE p."id" > {param} {extra} ORDER BY p."id" LIMIT {batch}')


def _write(database, docs, pg: bool, fresh=False) -> None:
    if not docs:
        return
    cur = database.cursor()
    if pg:  # one statement per page of rows, not one per row
        from psycopg2.extras import execute_values
        execute_values(cur, "INSERT INTO problem_search (problem_id, tsv) VALUES %s" + (
            "" if fresh else " ON CONFLICT (problem_id) DO UPDATE SET tsv = EXCLUDED.tsv"), docs,
            template="(%s, to_tsvector('simple', %s))", page_size=1000)
    else:
        if not fresh:
            cur.executemany("DELETE FROM problem_fts WHERE rowid = ?", [(i,) for i, _d in docs])
        cur.executemany("INSERT INTO problem_fts (rowid, tokens) VALUES (?, ?)", docs)


def refresh(where: str = "", params=(), database=None, batch: int = 2000, fresh=False) -> int:
    """(Re)write the index entries of the Problems matching `where` (SQL on alias p, with the database's
    placeholder), in batches by id; returns how many. fresh: the entries are known to be absent (a rebuild)."""
    from peewee import PostgresqlDatabase
    database = database or db.obj
    pg = isinstance(database, PostgresqlDatabase)
    sql = _ROWS.format(param=database.param, extra=f"AND ({where})" if where else "", batch=int(batch))
    n, last = 0, 0
    while True:
        rows = database.execute_sql(sql, (last, *params)).fetchall()
        if not rows:
            return n
        docs = [(r[0], document(*r[1:])) for r in rows]
        _write(database, docs, pg, fresh)
        n += len(rows)
        last = rows[-1][0]
        if len(rows) < batch:
            return n


def index_problem(problem) -> None:
    """(Re)write one Problem's tokens. Called inside the Problem's own write transaction."""
    refresh('p."id" = ' + db.obj.param, (problem.id,))


def reindex_person(user_id: int) -> int:
    """After a person's name changed: their Problems are found under the new name, no longer the old."""
    return refresh('p."person_id" = ' + db.obj.param, (user_id,))


def reindex_department(dept_id: int) -> int:
    """After a department's name changed (every Problem of the department: a rare administrator's act)."""
    return refresh('p."department_id" = ' + db.obj.param, (dept_id,))


def matching_ids(phrases: list[list[str]], also: int | None = None):
    """A sub-select of the ids of Problems whose text holds every phrase (for `Problem.id.in_(…)`): one index
    probe for all of them; `also`: one more id (a term that is also a Problem's number)."""
    from .db import is_postgres
    extra = [] if also is None else [also]
    if is_postgres():
        query = " && ".join(["phraseto_tsquery('simple', %s)"] * len(phrases))
        sql = f"SELECT problem_id FROM problem_search WHERE tsv @@ ({query})"
        params = [" ".join(p) for p in phrases]
    else:
        sql = "SELECT rowid FROM problem_fts WHERE problem_fts MATCH ?"
        params = [" AND ".join('"' + " ".join(p).replace('"', '""') + '"' for p in phrases)]
    if extra:
        sql += " UNION ALL SELECT " + ("%s" if is_postgres() else "?")
    return SQL(f"({sql})", params + extra)


class Fts(Model):
    """SQLite's FTS5 table, to JOIN a query to (the FTS5 scan streams ids in order and stops at the LIMIT,
    where `id IN (SELECT rowid …)` first reads every match: 10 ms instead of 150 ms for 1,000 of 125,000)."""
    rowid = IntegerField(primary_key=True)
    tokens = TextField()

    class Meta:
        table_name = "problem_fts"
        database = db


def fts_match(phrases: list[list[str]]):
    """The WHERE part for a query joined to Fts (SQLite): the text holds every phrase."""
    return Expression(Fts.tokens, "MATCH", " AND ".join('"' + " ".join(p).replace('"', '""') + '"' for p in phrases))


def reindex(batch: int = 5000) -> int:
    """Rebuild the whole index from the Problem table; returns the number of Problems indexed."""
    from .db import is_postgres
    with db.atomic():
        db.execute_sql("DELETE FROM problem_search" if is_postgres() else "DELETE FROM problem_fts")
        return refresh(batch=batch, fresh=True)


def highlight(text, terms) -> Markup:
    """`text`, HTML-escaped, with every occurrence of the search's words marked (<mark>), case aside."""
    text = text or ""
    words = sorted({t for t in terms or () if t}, key=len, reverse=True)  # the longer word wins an overlap
    if not words:
        return Markup.escape(text)
    parts = re.split("(" + "|".join(map(re.escape, words)) + ")", text, flags=re.IGNORECASE)
    return Markup("").join(Markup("<mark>{}</mark>").format(p) if i % 2 else Markup.escape(p)
                           for i, p in enumerate(parts))
