"""Sheet protection without a password: a reviewer cannot type over a computed line by accident,
while inputs and the review notes (unlocked cells) stay open for typing.

The file path protects every sheet as it writes the workbook (`writer.save`). The ribbon's live
fill must unprotect the sheets it writes, fill, and protect them again with the same options:

    for name in sheets_to_protect(layout):
        book.sheets[name].api.Unprotect()            # no password
    fill_workbook(adapter)
    for name in sheets_to_protect(layout):
        book.sheets[name].api.Protect(**EXCEL_PROTECT_ARGS)
"""

from __future__ import annotations

# XlsxWriter's `Worksheet.protect` options: select any cell, resize rows and columns; nothing else.
XLSXWRITER_OPTIONS = {
    "objects": False, "scenarios": False, "format_cells": False, "format_columns": True, "format_rows": True,
    "insert_columns": False, "insert_rows": False, "insert_hyperlinks": False, "delete_columns": False,
    "delete_rows": False, "select_locked_cells": True, "sort": False, "autofilter": False,
    "pivot_tables": False, "select_unlocked_cells": True,
}

# The same for Excel's `Worksheet.Protect` over COM (keyword names as in the Excel object model).
# XlsxWriter's False for objects and scenarios means "not editable": the file says objects="1"
# scenarios="1" (protected), which is DrawingObjects=True, Scenarios=True here.
EXCEL_PROTECT_ARGS = {"DrawingObjects": True, "Contents": True, "Scenarios": True,
                      "AllowFormattingColumns": True, "AllowFormattingRows": True}


def sheets_to_protect(layout) -> list[str]:
    """Every sheet of the workbook, in order (all are protected; none has a password)."""
    return list(layout.book.sheets)
