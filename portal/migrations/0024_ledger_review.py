"""The ledger worked by the responsible person: problem.review_stage says where a 已整改 problem waits
(the head's confirmation, the discipline office's 验收) or that an open one was returned; it sits beside
the status, so the status machine and the trigger-kept tallies keyed by status are unchanged.
problem_evidence.purpose tells a 登记附件 (entered with the problem) from 整改佐证材料.

Plain ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT on both databases (no SQLite table rebuild, which
would lose the problem table's triggers)."""


def up(migrator, db):
    db.execute_sql('ALTER TABLE "problem" ADD COLUMN "review_stage" VARCHAR(16) NOT NULL DEFAULT \'\'')
    db.execute_sql('ALTER TABLE "problem_evidence" ADD COLUMN "purpose" VARCHAR(16) NOT NULL DEFAULT \'evidence\'')


def down(migrator, db):
    db.execute_sql('ALTER TABLE "problem_evidence" DROP COLUMN "purpose"')
    db.execute_sql('ALTER TABLE "problem" DROP COLUMN "review_stage"')
