"""Periodic reports upward (定期报送): the period's numbers, the 报告 PDF for each of the three recipients
(documents engine, kind "report"), the ledger of the period as .xlsx (the ledger's build_xlsx), a zip per
recipient; every file written once under instance/reports/<id>/ with its SHA-256 recorded.

Also the departments' reporting periods and who has not reported (单位自查自纠情况, the self-check
area's DepartmentReport with `period` = ReportingPeriod.code).

Re-exported here for views and tests (`service.<name>`); the code lives in:
  common.py      constants, errors, week/month periods, labels, the organ's name, report numbers
  numbers.py     the period's numbers, the tables and the text/body of the 报告
  files.py       generating and reading the files (PDF, .xlsx, zip) with their SHA-256
  departments.py departments' reporting periods and who has not reported
"""

from .common import (DONE, DEFAULT_ORGAN, ACTION_LABELS, week_of, month_of, period_label,
                     organ_name, next_number)  # noqa: F401
from .numbers import (period_problems, period_stats, tables, all_tables, summary_text, compose_body,  # noqa: F401
                      doc_for)
from .files import reports_dir, sha256, generate, Tampered, read_file  # noqa: F401
from .departments import (reporting_departments, reporting_status,
                          missing_departments, periods, period_choices, create_period, user_name)  # noqa: F401
