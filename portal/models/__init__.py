"""Models, one module per area. Areas add their own modules (selfcheck.py, tip.py, ...)."""
from .audit import AuditRecord
from .base import BaseModel, Immutable
from .campaign import Aspect, Campaign, CampaignSetting, Category, Item
from .org import DEPARTMENT_KINDS, Department, LeaderCharge, RoleAssignment, User
from .problem import (OPEN, SEVERITIES, SOURCES, STATUSES, TRANSITIONS, Problem,
                      ProblemEvent)

__all__ = [
    "AuditRecord", "BaseModel", "Immutable", "Aspect", "Campaign", "CampaignSetting", "Category", "Item",
    "DEPARTMENT_KINDS", "Department", "LeaderCharge", "RoleAssignment", "User",
    "OPEN", "SEVERITIES", "SOURCES", "STATUSES", "TRANSITIONS", "Problem", "ProblemEvent",
]

from .notice import Notice  # noqa: E402

__all__.append("Notice")

from .document import Document, DocumentNumberCounter, DocumentProblem, PrintJob, SealImage  # noqa: E402

__all__ += ["Document", "DocumentNumberCounter", "DocumentProblem", "PrintJob", "SealImage"]
from .ledger import (ACTION_KINDS, DeadlineExtension, Mechanism, MechanismProblem,  # noqa: E402,F401
                     ProblemAction, ProblemEvidence)
from .selfcheck import (DepartmentReport, SelfCheck, SelfCheckAnswer, SelfCheckProblem,  # noqa: E402,F401
                        SelfCheckVersion)
from .job import JOB_STATUSES, JobRun, WorkerHeartbeat  # noqa: E402,F401
from .supervision import Escalation, Instruction, RagSnapshot, Urge  # noqa: E402,F401
