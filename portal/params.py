"""Request parameters read safely: one integer parser for every view, a bounded `int` URL converter, and
the request-wide guards, so hostile values (huge or negative numbers, over-long digit strings, NUL
bytes, Unicode digits) give a 4xx or are ignored, never a 500.

    to_int(request.args.get("page"), 1, lo=1)   -> an int within [lo, hi], else the default
    int_list(request.args.getlist("ids"))       -> the valid ids, others dropped

Ids in the database are 32-bit on PostgreSQL (serial) and must fit SQLite's 64-bit integers: MAX_ID.
"""
import re

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
_INT_RE = re.compile(r"-?[0-9]{1,12}")  # ASCII digits only: "²".isdigit() is True, int("²") fails


def to_int(value, default=None, lo: int = -MAX_ID, hi: int = MAX_ID):
    """`value` (str, int or None) as an int within [lo, hi], or `default` when it is missing,
    not a plain decimal integer, or out of range."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip() if value is not None else ""
        if not _INT_RE.fullmatch(text):
            return default
        n = int(text)
    return n if lo <= n <= hi else default


def to_id(value, default=None):
    """A row id: 1 … MAX_ID, else `default`."""
    return to_int(value, default, lo=1, hi=MAX_ID)


def int_list(values, lo: int = 1, hi: int = MAX_ID, limit: int = 1000) -> list[int]:
    out = []
    for v in values:
        n = to_int(v, None, lo, hi)
        if n is not None:
            out.append(n)
            if len(out) >= limit:
                break
    return out


class IdConverter(IntegerConverter):
    """`<int:x>` in every route: 0 … MAX_ID, so /ledger/99999999999999999999 is a 404, not an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul(multidict) -> bool:
    return any("\x00" in k or "\x00" in v for k, v in multidict.items(multi=True))


def init_app(app):
    """Before any blueprint is registered: the bounded converter; then the guards."""
    from flask import request

    from .web import error_response

    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _refuse_nul():
        # no path, form field or query value ever legitimately holds a NUL byte (PostgreSQL refuses them)
        if "\x00" in request.path or _has_nul(request.args) or (request.mimetype in ("application/x-www-form-urlencoded",
                                                           "multipart/form-data") and _has_nul(request.form)):
            return error_response(400, "请求中含有无效字符，请检查后重试。")
        return None

    def _bad_value(e):
        # the database refused a value taken from the request (a number out of range): the request was bad
        app.logger.warning("value out of range on %s: %s", request.path, e)
        return error_response(400, "提交的内容超出允许的范围（数字过大或文字过长），请检查后重试。")

    import peewee
    app.register_error_handler(OverflowError, _bad_value)  # SQLite: int too large
    app.register_error_handler(peewee.DataError, _bad_value)  # PostgreSQL: numeric value out of range
