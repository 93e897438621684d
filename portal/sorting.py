"""Chinese names in the order Chinese users expect: by 拼音 (pypinyin), not by the bytes of the characters.

name_key(name)            a sort key: the tone-numbered pinyin of every character, then the name itself
sort_name(name)           the same key as one string, stored in user.sort_name (an indexed column that
                          SQL lists order by; the User model keeps it on every save and update)
sort_by_name(rows, get)   a list sorted by that key
"""


def name_key(name: str) -> tuple:
    from pypinyin import Style, lazy_pinyin  # imported when first needed: its dictionaries weigh ~55 MB
    name = name or ""
    return (" ".join(lazy_pinyin(name, style=Style.TONE3, errors="default")).lower(), name)


def sort_name(name: str) -> str:
    """name_key as one string (pinyin, a separator that sorts before letters, the name)."""
    pinyin, name = name_key(name)
    return f"{pinyin}\t{name}"[:160]


def sort_by_name(rows, get=lambda r: r):
    return sorted(rows, key=lambda r: name_key(get(r)))
