"""Cell addresses in A1 terms: column letters, quoted sheet names, absolute addresses and ranges."""

from __future__ import annotations

import re
from functools import lru_cache


def col_letter(col: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    text = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        text = chr(65 + rem) + text
    return text


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def address(sheet: str, row: int, col: int) -> str:
    """Canonical absolute address of a cell: "'Products'!$C$5" (row and col 0-based)."""
    return f"{quote_sheet(sheet)}!${col_letter(col)}${row + 1}"


def range_address(sheet: str, row1: int, col1: int, row2: int, col2: int) -> str:
    return (f"{quote_sheet(sheet)}!${col_letter(col1)}${row1 + 1}:"
            f"${col_letter(col2)}${row2 + 1}")


_ADDRESS = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d+)"
                      r"(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")


def parse_address(text: str) -> tuple[str, int, int, int, int]:
    """"'Sheet'!$B$5" or "'Sheet'!$B$5:$B$9" -> (sheet, row1, col1, row2, col2), 0-based."""
    return _parse_address(text) if len(text) < 300 else _parse(text)


@lru_cache(maxsize=65536)  # a fill resolves each of its few thousand targets several times
def _parse_address(text: str) -> tuple[str, int, int, int, int]:
    return _parse(text)


def _parse(text: str) -> tuple[str, int, int, int, int]:
    m = _ADDRESS.match(text.strip())
    if not m:
        raise ValueError(f"not a cell address: {text!r}")
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    c1, r1 = col_index(m.group(3)), int(m.group(4)) - 1
    if m.group(5):
        c2, r2 = col_index(m.group(5)), int(m.group(6)) - 1
    else:
        c2, r2 = c1, r1
    return sheet, r1, c1, r2, c2


def is_address(text: str) -> bool:
    return "!" in text


def parses_as_address(target: str) -> bool:
    """Whether `target` reads as a cell address ("'Products'!$C$4"): a saved fill state is data
    from the file, so its addresses are checked before they are written to."""
    try:
        parse_address(target)
        return True
    except ValueError:
        return False
