"""Immutable means immutable, in the database: triggers refuse, from any SQL client, what the app never does.

- audit_record, problem_event, clue_event: no UPDATE, no DELETE.
- self_check_version (a submitted self-check): no DELETE; UPDATE only of the review fields (review_outcome,
  review_comment, perfunctory, reviewer_id, reviewed_at), and only while the version is not yet reviewed
  (review_outcome = '') — what selfcheck/review.py does once.
- document: once issued (status = 'issued'), no DELETE and no UPDATE, except setting superseded_by_id once
  (NULL -> the correcting document), which documents/issuing.py does when a correction is issued. Drafts
  stay free.
- PostgreSQL also refuses TRUNCATE of these tables (statement triggers).

Refusals raise an integrity error (SQLite RAISE(ABORT), PostgreSQL SQLSTATE 23001 restrict_violation).
On PostgreSQL the table owner can still disable or drop a trigger: run the app as a role that does not own
the tables (README, "审计日志"), with INSERT/SELECT only on audit_record.

Also: a chain begun before the audit key is sealed with one keyed `audit_keyed` record (see portal/audit.py).
All triggers are named immutable_*; the test set-up finds them by that name. On SQLite the UPDATE triggers of
self_check_version and document list the columns that exist now: a later migration adding a column to one
of them re-creates its trigger (drop it, then run this module's sqlite_statements). PostgreSQL compares
whole rows, so new columns are covered there.
"""
from peewee import PostgresqlDatabase

APPEND_ONLY = ("audit_record", "problem_event", "clue_event")
GUARDED = APPEND_ONLY + ("self_check_version", "document")
REVIEW_FIELDS = ("review_outcome", "review_comment", "perfunctory", "reviewer_id", "reviewed_at")


def _msg(table, what):
    return f"{table}: {what} refused, the rows are immutable"


# ---------------------------------------------------------------- SQLite

def _changed(cols):
    return " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in cols)


def sqlite_statements(columns):
    """columns: table -> its column names (read from the database being migrated)."""
    out = []
    for t in APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            out.append(f'''CREATE TRIGGER IF NOT EXISTS "immutable_{t}_{op.lower()}" BEFORE {op} ON "{t}"
    BEGIN SELECT RAISE(ABORT, '{_msg(t, op)}'); END''')
    content = [c for c in columns["self_check_version"] if c not in REVIEW_FIELDS]
    out.append(f'''CREATE TRIGGER IF NOT EXISTS "immutable_self_check_version_update" BEFORE UPDATE ON "self_check_version"
    WHEN {_changed(content)} OR (OLD."review_outcome" <> '' AND ({_changed(REVIEW_FIELDS)}))
    BEGIN SELECT RAISE(ABORT, '{_msg("self_check_version", "UPDATE")}'); END''')
    out.append(f'''CREATE TRIGGER IF NOT EXISTS "immutable_self_check_version_delete" BEFORE DELETE ON "self_check_version"
    BEGIN SELECT RAISE(ABORT, '{_msg("self_check_version", "DELETE")}'); END''')
    fixed = [c for c in columns["document"] if c != "superseded_by_id"]
    out.append(f'''CREATE TRIGGER IF NOT EXISTS "immutable_document_update" BEFORE UPDATE ON "document"
    WHEN OLD."status" = 'issued' AND ({_changed(fixed)}
         OR (OLD."superseded_by_id" IS NOT NULL AND OLD."superseded_by_id" IS NOT NEW."superseded_by_id"))
    BEGIN SELECT RAISE(ABORT, '{_msg("document", "UPDATE of an issued document")}'); END''')
    out.append(f'''CREATE TRIGGER IF NOT EXISTS "immutable_document_delete" BEFORE DELETE ON "document"
    WHEN OLD."status" = 'issued'
    BEGIN SELECT RAISE(ABORT, '{_msg("document", "DELETE of an issued document")}'); END''')
    return out


# ---------------------------------------------------------------- PostgreSQL

# (no "%" placeholders: the driver would take them for query parameters)
_RAISE = ("RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ': ' || TG_OP || ' refused, the rows are immutable', "
          "ERRCODE = 'restrict_violation'")


def pg_statements():
    review_reset = " ".join(f'probe."{c}" := OLD."{c}";' for c in REVIEW_FIELDS)
    out = [
        f"""CREATE OR REPLACE FUNCTION immutable_refuse() RETURNS trigger AS $$
    BEGIN {_RAISE}; END $$ LANGUAGE plpgsql""",
        # a reviewer fills the review fields once; nothing else ever changes
        f"""CREATE OR REPLACE FUNCTION immutable_self_check_version() RETURNS trigger AS $$
    DECLARE probe "self_check_version";
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        probe := NEW;
        IF OLD."review_outcome" = '' THEN {review_reset} END IF;
        IF probe IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
      END IF;
      {_RAISE};
    END $$ LANGUAGE plpgsql""",
        # an issued document: only superseded_by, once
        f"""CREATE OR REPLACE FUNCTION immutable_document() RETURNS trigger AS $$
    DECLARE probe "document";
    BEGIN
      IF OLD."status" IS DISTINCT FROM 'issued' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END IF;
      IF TG_OP = 'UPDATE' THEN
        probe := NEW;
        IF OLD."superseded_by_id" IS NULL THEN probe."superseded_by_id" := NULL; END IF;
        IF probe IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
      END IF;
      {_RAISE};
    END $$ LANGUAGE plpgsql""",
    ]
    row_fn = {"self_check_version": "immutable_self_check_version", "document": "immutable_document"}
    for t in GUARDED:
        fn = row_fn.get(t, "immutable_refuse")
        out += [
            f'DROP TRIGGER IF EXISTS "immutable_{t}" ON "{t}"',
            f'''CREATE TRIGGER "immutable_{t}" BEFORE UPDATE OR DELETE ON "{t}"
    FOR EACH ROW EXECUTE FUNCTION {fn}()''',
            f'DROP TRIGGER IF EXISTS "immutable_{t}_truncate" ON "{t}"',
            f'''CREATE TRIGGER "immutable_{t}_truncate" BEFORE TRUNCATE ON "{t}"
    FOR EACH STATEMENT EXECUTE FUNCTION immutable_refuse()''',
        ]
    return out


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        statements = pg_statements()
    else:
        statements = sqlite_statements({t: [c.name for c in db.get_columns(t)]
                                         for t in ("self_check_version", "document")})
    for stmt in statements:
        db.execute_sql(stmt)
    from portal import audit  # a chain begun without the key gets its keyed marker
    audit.start_keyed_chain()


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for t in GUARDED:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "immutable_{t}" ON "{t}"')
            db.execute_sql(f'DROP TRIGGER IF EXISTS "immutable_{t}_truncate" ON "{t}"')
        for fn in ("immutable_refuse", "immutable_self_check_version", "immutable_document"):
            db.execute_sql(f"DROP FUNCTION IF EXISTS {fn}()")
    else:
        for t in GUARDED:
            for op in ("update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "immutable_{t}_{op}"')
