"""Chinese quotation marks around user text: “…” outside, and any quotes already inside the text become
‘…’ (GB/T 15834 标点符号用法: 引号里面还要用引号时，外面一层用双引号，里面一层用单引号)."""


def inner(text) -> str:
    """The text's own double quotes (“” or straight ") as single quotes ‘’."""
    out, opened = [], False
    for c in str(text or ""):
        if c == "“":
            c, opened = "‘", True
        elif c == "”":
            c, opened = "’", False
        elif c == '"':
            c, opened = ("’" if opened else "‘"), not opened
        out.append(c)
    return "".join(out)


def quoted(text) -> str:
    """“text”, never “…“…”…”."""
    return "“" + inner(text) + "”"
