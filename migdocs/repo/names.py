"""File names as text that is safe to record and to print.

POSIX file names are bytes: they may hold newlines, terminal escapes (`\\x1b[31m`), carriage
returns, or bytes that are not UTF-8 (Python keeps those as lone surrogates, which SQLite and
a UTF-8 terminal refuse). One decision, used for what the catalog records and what messages
show: such characters are written as escapes (`\\n`, `\\x1b`, `\\xe9`), so a name is one line.
"""

from __future__ import annotations

import unicodedata


def printable(text: str, *, keep_newlines: bool = False) -> str:
    if text.isprintable() and all(ord(c) < 0xD800 or ord(c) > 0xDFFF for c in text):
        return text
    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\n" and keep_newlines:
            out.append(char)
        elif 0xD800 <= code <= 0xDFFF or unicodedata.category(char) in ("Cc", "Cs"):
            out.append(repr(char)[1:-1] if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)  # printable, or a format character such as RLM (Cf) in Arabic names
    return "".join(out)
