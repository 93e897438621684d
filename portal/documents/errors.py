"""Refused document operations (the message is shown to the user)."""




class DocumentError(ValueError):
    """A refused operation; `message` is shown to the user; `status` is the HTTP status."""

    def __init__(self, message, status=422):
        super().__init__(message)
        self.message = message
        self.status = status


class DocumentLocked(DocumentError):
    def __init__(self, message="公文已印发，不能修改。如需更正，请“更正重发”生成新的公文。"):
        super().__init__(message, 409)
