"""Spot checks: plans, candidate pools, exclusions, draws, targets, inspectors and findings.

Re-exported here for views, demo data, notices, tests and benchmarks (`service.<name>`); the code lives in:
  plans.py     errors, who sees which plans, the spot-check points, creating a plan
  selection.py candidate pools, exclusions, the witnessed draw, assigning inspectors and targets
  findings.py  recording findings (and their Problems), open targets of an inspector
  flags.py     departments flagged for a targeted check
"""

from .plans import (PRESET_CHECKS, plans_for, check_choices, build_checks,
                    create_plan)  # noqa: F401
from .selection import (pool_departments, candidates, current_draw, auto_exclusions, prepare, default_count,
                        do_draw, assign_inspector, add_target)  # noqa: F401
from .findings import record_finding, finding_for_problem, my_open_targets  # noqa: F401
from .flags import TARGET_DEPT_KINDS, flagged_departments  # noqa: F401
