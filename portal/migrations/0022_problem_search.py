"""Chinese full-text search over Problems (portal/search.py): an FTS5 table of character bigrams on SQLite,
a tsvector of bigrams with a GIN index on PostgreSQL; filled from the existing Problems."""


def up(migrator, db):
    from playhouse.pool import PooledPostgresqlDatabase
    from peewee import PostgresqlDatabase
    pg = isinstance(db, (PostgresqlDatabase, PooledPostgresqlDatabase))
    if pg:
        db.execute_sql('CREATE TABLE problem_search (problem_id INTEGER PRIMARY KEY '
                       'REFERENCES problem (id) ON DELETE CASCADE, tsv tsvector NOT NULL)')
        db.execute_sql('CREATE INDEX problem_search_tsv ON problem_search USING GIN (tsv)')
    else:
        # tokens are pre-cut bigrams separated by spaces; unicode61 keeps each as one token
        db.execute_sql("CREATE VIRTUAL TABLE problem_fts USING fts5(tokens, tokenize = 'unicode61')")
        db.execute_sql('CREATE TRIGGER problem_fts_delete AFTER DELETE ON problem BEGIN '
                       'DELETE FROM problem_fts WHERE rowid = OLD.id; END')
    from portal.search import document
    rows = db.execute_sql('SELECT id, description, measures, remark FROM problem').fetchall()
    docs = [(r[0], document(_Row(*r[1:]))) for r in rows]
    if docs:
        if pg:
            db.cursor().executemany("INSERT INTO problem_search (problem_id, tsv) "
                                    "VALUES (%s, to_tsvector('simple', %s))", docs)
        else:
            db.cursor().executemany('INSERT INTO problem_fts (rowid, tokens) VALUES (?, ?)', docs)


class _Row:
    def __init__(self, description, measures, remark):
        self.description, self.measures, self.remark = description, measures, remark


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS problem_search')
    db.execute_sql('DROP TRIGGER IF EXISTS problem_fts_delete')
    db.execute_sql('DROP TABLE IF EXISTS problem_fts')
