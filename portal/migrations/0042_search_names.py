"""The search index's documents also hold the person's and the department's names (portal/search.py): every
Problem's entry is written again."""


def up(migrator, db):
    from peewee import PostgresqlDatabase
    from portal.search import refresh
    db.execute_sql("DELETE FROM problem_search" if isinstance(db, PostgresqlDatabase) else "DELETE FROM problem_fts")
    refresh(database=db, batch=5000, fresh=True)


def down(migrator, db):
    pass  # documents with names still answer every search the older ones did
