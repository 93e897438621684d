"""People sorted the way Chinese users expect: user.sort_name holds the name's tone-numbered 拼音
(portal/sorting.py sort_name), kept by the User model on every save and update of real_name, so a list
sorted by person is an ORDER BY on an indexed column (no ranking query per page)."""


def up(migrator, db):
    from portal.sorting import sort_name
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "sort_name" VARCHAR(160) NOT NULL DEFAULT \'\'')
    db.execute_sql('CREATE INDEX "user_sort_name" ON "user" ("sort_name")')
    rows = db.execute_sql('SELECT "id", "real_name" FROM "user"').fetchall()
    param = db.param
    for uid, name in rows:
        db.execute_sql(f'UPDATE "user" SET "sort_name" = {param} WHERE "id" = {param}', (sort_name(name), uid))


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "user_sort_name"')
    db.execute_sql('ALTER TABLE "user" DROP COLUMN "sort_name"')
