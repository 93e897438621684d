"""Self-check rules, re-exported for views, demo data, tests and benchmarks (`service.<name>`).

The code lives in small modules by responsibility:
  checklist.py   the checklist of a campaign, finding/creating a person's SelfCheck, progress, deadlines
  drafts.py      the wizard: optimistic step saving of answers and problem rows
  submission.py  submitting (frozen versions, their content JSON), version history and the diff
  ledger_feed.py feeding submitted problems into the Problem ledger
  review.py      review, reopening, who may see whose self-check
  department.py  department numbers, summaries and the department report
"""

from .checklist import (EDITABLE_STATUSES, UNSUBMITTED, StaleDraft, NotEditable, Step,
                        Checklist, checklist, period, get_or_create, find, find_active,
                        campaign_by_id, past_deadline, edit_block, load_values, is_answered, progress,
                        date_min, date_max, remind_days, progress_empty, deadline_block)  # noqa: F401
from .drafts import save_step, KeyClash, set_step, all_errors, kept_errors  # noqa: F401
from .submission import (build_content, content_hash, Incomplete, submit, frozen_content, versions,
                         latest_version, PROBLEM_FIELDS, diff)  # noqa: F401
from .ledger_feed import origin_of, sync_ledger  # noqa: F401
from .review import review, reopen, get_for, people  # noqa: F401
from .department import (visible_department_rows, department_summary, problem_counts_by_person,
                         department_numbers, report_periods, get_report, save_report)  # noqa: F401
