"""The floors the benchmark compares xlcredits with: the least work that produces the same output.

Each floor is what a careful programmer would write for that one job, with nothing of
xlcredits in it, so a ratio against it says how much the engine's validation, explanations and
checks cost on top of the unavoidable work.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

CENT = Decimal("0.01")


def _rates() -> dict[str, Decimal]:
    """Part II rates by line, read from the same rules file the engine reads (data, not logic)."""
    text = resources.files("xlcredits.rules").joinpath("f7207.toml").read_text(encoding="utf-8")
    lines = tomllib.loads(text).get("lines", {})
    rates = {}
    for key, spec in lines.items():
        rate = spec.get("rate")
        if isinstance(rate, (str, int, float)):
            rates[key] = Decimal(str(rate))
        elif isinstance(rate, list) and rate:  # dated steps: the first value in force
            rates[key] = Decimal(str(rate[0].get("value")))
        elif isinstance(rate, dict) and rate:
            rates[key] = Decimal(str(next(iter(rate.values()))))
    return rates


RATES = None


def compute_floor(path: Path) -> dict[str, Decimal]:
    """json.load + the same Decimal arithmetic + per-line sums rounded to cents: Form 7207 Part II."""
    global RATES
    if RATES is None:
        RATES = _rates()
    data = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    measure: dict[str, Decimal] = defaultdict(Decimal)
    credit: dict[str, Decimal] = defaultdict(Decimal)
    for row in data["components"]:
        line = row["line"]
        if "units" in row:
            amount = Decimal(row["units"]) * Decimal(row["capacity_per_unit"])
        else:
            amount = Decimal(row.get("quantity", row.get("costs", 0)))
        measure[line] += amount
        credit[line] += amount * RATES[line]
    lines = {f"{k}.d": v for k, v in measure.items()}
    lines.update({f"{k}.e": v.quantize(CENT, ROUND_HALF_UP) for k, v in credit.items()})
    lines["8a"] = sum((v for k, v in lines.items() if k.endswith(".e")), Decimal(0))
    return lines


def xlsxwriter_floor(content: dict, out: Path) -> None:
    """XlsxWriter writing the same cells (values and formulas), notes and defined names as a
    completed workbook, in constant-memory mode: the least a workbook writer can do."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "in_memory": True})
    formats: dict[str, object] = {}
    for sheet_name, cells, notes in content["sheets"]:
        sheet = book.add_worksheet(sheet_name)
        for row, col, value, number_format in cells:
            fmt = None
            if number_format:
                fmt = formats.get(number_format) or formats.setdefault(
                    number_format, book.add_format({"num_format": number_format}))
            if isinstance(value, str) and value.startswith("="):
                sheet.write_formula(row, col, value, fmt)
            else:
                sheet.write(row, col, value, fmt)
        for row, col, text in notes:
            sheet.write_comment(row, col, text)
    for name, ref in content["names"]:
        book.define_name(name, ref)
    book.close()


def workbook_content(path: Path) -> dict:
    """What a completed workbook holds (cells in row order, notes, names), read once before timing."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheets = []
    for ws in book.worksheets:
        cells, notes = [], []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    fmt = cell.number_format if cell.number_format != "General" else None
                    cells.append((cell.row - 1, cell.column - 1, cell.value, fmt))
                if cell.comment is not None:
                    notes.append((cell.row - 1, cell.column - 1, cell.comment.text))
        sheets.append((ws.title, cells, notes))
    names = [(name, dn.attr_text) for name, dn in book.defined_names.items()]
    return {"sheets": sheets, "names": names}


def readonly_floor(path: Path) -> int:
    """openpyxl in read-only mode reading every value of every sheet: the least a reader can do."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = 0
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            count += sum(1 for v in row if v is not None)
    book.close()
    return count
