"""The register's two specific errors; the shared ones are in portal/errors.py."""
from ..errors import Conflict, Invalid


class DocumentError(Invalid):
    """A document's content the register refuses (422 unless `status` says otherwise)."""

    def __init__(self, message, status=422):
        super().__init__(message, status=status)


class DocumentLocked(Conflict):
    """An issued document is never changed (409)."""

    def __init__(self, message="公文已印发，不能修改。如需更正，请“更正重发”生成新的公文。"):
        super().__init__(message)
