"""The document register: which documents a user may see and the filtered register query."""

from peewee import JOIN

from ..models import Document, User
from ..permissions import scope_documents


# ---------------------------------------------------------------- register queries
def register_query(user, kind=None, status=None, q=None, year=None):
    query = (Document.select(Document, User).join(User, on=(Document.created_by == User.id), join_type=JOIN.LEFT_OUTER)
             .where(scope_documents(user)))
    if kind:
        query = query.where(Document.kind == kind)
    if status == "draft":
        query = query.where(Document.status == "draft")
    elif status == "issued":
        query = query.where((Document.status == "issued") & Document.superseded_by.is_null())
    elif status == "superseded":
        query = query.where(Document.superseded_by.is_null(False))
    if q:
        like = f"%{q}%"
        query = query.where(Document.title.contains(q) | Document.number.contains(q) | Document.body ** like)
    if year:
        query = query.where(Document.year == year)
    return query.order_by(Document.status.asc(), Document.issued_at.desc(), Document.id.desc())
