"""An index that matches the ledger's counters filtered by source (portal/ledger/queries.py status_counts): they
group by status and test the deadline (逾期) and the withdrawn flag, so the index holds every column the count
reads and it is answered from the index alone (no table row per Problem). A department's counters already
have one (problem_dash_status, migration 0008)."""

INDEXES = {
    "problem_source_status_deadline": ("source", "status", "deadline", "withdrawn"),
}


def up(migrator, db):
    for name, cols in INDEXES.items():
        columns = ", ".join('"%s"' % c for c in cols)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "problem" ({columns})')


def down(migrator, db):
    for name in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
