"""Chinese names in the order Chinese users expect: by 拼音 (pypinyin), not by the bytes of the characters.

name_key(name)            a sort key: the tone-numbered pinyin of every character, then the name itself
sort_by_name(rows, get)   a list sorted by that key
person_order(field)       an SQL ORDER BY expression over a user foreign key, ranking people by name_key
"""
from pypinyin import Style, lazy_pinyin

MAX_RANKED = 5000  # beyond this many people the SQL order falls back to the name's bytes


def name_key(name: str) -> tuple:
    name = name or ""
    return (" ".join(lazy_pinyin(name, style=Style.TONE3, errors="default")).lower(), name)


def sort_by_name(rows, get=lambda r: r):
    return sorted(rows, key=lambda r: name_key(get(r)))


def person_order(field):
    """ORDER BY expression ranking the rows' person (a User foreign key) by pinyin: a CASE over every
    person's id, ranked in Python (a bureau has hundreds of people)."""
    from peewee import Case
    from .models import User
    people = list(User.select(User.id, User.real_name).limit(MAX_RANKED + 1).tuples())
    if not people or len(people) > MAX_RANKED:
        return None
    ranked = sorted(people, key=lambda p: name_key(p[1]))
    return Case(field, [(uid, i) for i, (uid, _n) in enumerate(ranked)], len(ranked))
