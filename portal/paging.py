"""The one paginator: every list (users, audit trail, ledger, clues, notices, document register) pages
through paginate(). A page number out of range shows the nearest page; a bad one shows the first.

    pg = paginate(query, request.args.get("page"))          # counts with query.count()
    pg = paginate(query, f.page, total=counts["total"])    # a total the caller already has
    pg.rows, pg.total, pg.page, pg.pages, pg.size, pg.offset
"""
from dataclasses import dataclass

from flask import current_app


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int
    size: int

    counts: dict | None = None  # the ledger's counters; counts["capped"]: a search counted up to a bound
    prev_key: str = ""  # keyset paging (ledger/keyset.py): the sort keys of the first and last row shown
    next_key: str = ""

    @property
    def total_text(self) -> str:
        """The total as shown: "1,000+" when a search stopped counting at its bound."""
        return f"{self.total:,}+" if (self.counts or {}).get("capped") else str(self.total)

    @property
    def offset(self) -> int:
        """Rows before this page (the first row's sequence number is offset + 1)."""
        return (self.page - 1) * self.size


def page_number(raw) -> int:
    """A requested page number: a positive integer, otherwise 1."""
    try:
        return max(1, int(raw or 1))
    except (TypeError, ValueError):
        return 1


def paginate(query, page, size: int | None = None, total: int | None = None) -> Page:
    """One page of an ordered peewee query, with the page clamped into 1..pages."""
    size = size or current_app.config["PAGE_SIZE"]
    total = query.count() if total is None else total
    pages = max(1, -(-total // size))
    page = min(page_number(page), pages)
    rows = list(query.paginate(page, size)) if total else []
    return Page(rows, total, page, pages, size)
