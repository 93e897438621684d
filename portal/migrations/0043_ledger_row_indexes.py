"""Indexes for the ledger page's row query (issue 16 §1). The 多发频发 badge (supervision/badges.py) asks, for each
row, whether the same 责任人 or 责任单位 has another Problem under the same problem item: with these the answer is
a short range of one index (before, a scan of every Problem under the item: 50,000 entries per row at 1M). A page number in the middle of the whole
ledger (?page=N bookmarked; 下一页 seeks instead, ledger/keyset.py) skips its OFFSET over the small (withdrawn, id)
index instead of the table's rows."""

INDEXES = {
    "problem_repeat_dept": ("department_id", "item_id", "withdrawn"),
    "problem_repeat_person": ("person_id", "item_id", "withdrawn"),
    "problem_withdrawn_id": ("withdrawn", "id"),
}


def up(migrator, db):
    for name, cols in INDEXES.items():
        columns = ", ".join('"%s"' % c for c in cols)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "problem" ({columns})')


def down(migrator, db):
    for name in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
