"""People get an e-mail address for notices (empty: <username>@MAIL_DOMAIN when configured, else none).

Plain ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT '' on both databases: peewee's SQLite add_column would
rebuild the table to add NOT NULL, and a rebuilt "user" table would lose its triggers (migration 0009)."""


def up(migrator, db):
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "email" VARCHAR(128) NOT NULL DEFAULT \'\'')


def down(migrator, db):
    db.execute_sql('ALTER TABLE "user" DROP COLUMN "email"')
