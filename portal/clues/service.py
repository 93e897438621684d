"""The clue ledger: numbering, the status machine, assignment with working-day deadlines, conflict and
escalation rules, messages to the reporter, and 一案双查 on a substantiated conclusion.

Re-exported here for views, tips, demo data and tests (`service.<name>`); the code lives in:
  access.py   errors, who is who, clue scopes
  writes.py   numbering, opening a clue, events, optimistic versions
  workflow.py the status machine, assignment, reassignment, conclusion
  dual.py     一案双查 Problems and linking existing Problems
  casework.py subject, forwarding, notes, messages to the reporter, related clues
"""

from .access import (IllegalTransition, VersionConflict, Invalid, discipline_department_ids,
                     reserved_reason, is_handler, scope_clues, scope_escalated, get_clue_for, can_manage,
                     handler_candidates)  # noqa: F401
from .writes import allocate, open_clue  # noqa: F401
from .workflow import transition, reassign  # noqa: F401
from .dual import linked_problems, leader_candidates, ensure_dual_problems, link_existing  # noqa: F401
from .casework import (set_subject, forward, add_note, message_reporter, reporter_identity, finding, reply,
                       related)  # noqa: F401
