"""Excel's error values as they reach Python: classic xlwings passes a cell holding #DIV/0! as the
CVErr code -2146826281 (an int), openpyxl and xlwings Lite as the text "#DIV/0!". Shared by the
worksheet functions (`udfs`) and the workbook readers, so an error in an input cell is named as
such instead of being read as a number or passed on as text."""

from __future__ import annotations

from typing import Any

CODES = {
    -2146826288: "#NULL!", -2146826281: "#DIV/0!", -2146826273: "#VALUE!", -2146826265: "#REF!",
    -2146826259: "#NAME?", -2146826252: "#NUM!", -2146826246: "#N/A", -2146826245: "#GETTING_DATA",
}
TEXTS = frozenset(CODES.values()) | {
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!"}


def error_text(value: Any) -> str | None:
    """"#DIV/0!" for a value that is an Excel error (as a CVErr code or as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return CODES.get(value)
    if isinstance(value, str) and value.strip().upper() in TEXTS:
        return value.strip().upper()
    return None
