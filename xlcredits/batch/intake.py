"""The batch intake workbook: one sheet of facilities, one of product rows and one of critical
mineral rows keyed by facility — many Form 7207 inputs in one file a firm can fill in Excel.

Its columns are derived from the Form 7207 definition (FIELDS and the schedules' input columns),
so the intake, the JSON format and the form templates cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..forms.f7207.definition import FIELDS, MINERALS, PRODUCTS
from ..numbers import D

KEY = "facility_id"
# tax_year is split in two so that fiscal years can be typed as dates
FACILITY_COLUMNS = [KEY, "tax_year_begins", "tax_year_ends"] + [f.path for f in FIELDS if f.path != "tax_year"]
ROW_SHEETS = {
    "Products": ("components", [c.key for c in PRODUCTS.inputs()]),
    "Minerals": ("critical_minerals", [c.key for c in MINERALS.inputs()]),
}
HELP = {
    KEY: "Your name for the facility (unique): used to key product rows and to name the output file",
    "tax_year_begins": "First day of the tax year (a date)",
    "tax_year_ends": "Last day of the tax year (a date)",
}


@dataclass
class IntakeCase:
    name: str  # facility_id, also the output file's stem
    data: dict
    problems: list[str] = field(default_factory=list)  # intake-level problems (unknown facility, ...)


def _cell(value: Any) -> Any:
    """Excel's floats to exact decimals; dates to ISO text; blanks to None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return D(value)
    return str(value).strip() if isinstance(value, str) else value


def _set(target: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for p in parents:
        target = target.setdefault(p, {})
    target[last] = value


def _as_year(value: Any) -> Any:
    return int(value) if isinstance(value, Decimal) and value == int(value) else value


def _records(sheet) -> tuple[list[str], list[tuple[int, dict]]]:
    from ..workbook.reader import sheet_rows

    rows = sheet_rows(sheet)  # only the rows the file holds: one cell at row 1,048,576 is one row
    header = [str(h).strip() if h is not None else "" for h in rows.pop(1, ())]
    records = []
    for number, values in sorted(rows.items()):
        record = {h: _cell(v) for h, v in zip(header, values) if h}
        if any(v is not None for v in record.values()):
            records.append((number, record))
    return header, records


def read_intake(workbook) -> tuple[list[IntakeCase], list[str]]:
    """Turn an opened intake workbook (openpyxl) into one Form 7207 input per facility.

    Returns the cases and the problems that belong to no facility (a missing sheet, a product row
    naming an unknown facility), each a sentence naming the sheet and row.
    """
    problems: list[str] = []
    if "Facilities" not in workbook.sheetnames:
        return [], [f"The intake workbook has no 'Facilities' sheet (sheets: {', '.join(workbook.sheetnames)})."]
    header, facilities = _records(workbook["Facilities"])
    missing = [c for c in (KEY,) if c not in header]
    if missing:
        return [], [f"Facilities sheet: column {', '.join(missing)} is missing from the header row."]
    cases: dict[str, IntakeCase] = {}
    for number, record in facilities:
        name = str(record.get(KEY) or "").strip()
        if not name:
            problems.append(f"Facilities row {number}: facility_id is empty.")
            continue
        if name in cases:  # its product rows could belong to either: refuse both, merge neither
            cases[name].problems.append(f"Facilities row {number}: facility_id {name!r} is used on more than one "
                                        f"row; give each facility its own id (no return is made for {name!r})")
            cases[name].data = None
            continue
        data: dict = {"form": "7207"}
        begins, ends = record.pop("tax_year_begins", None), record.pop("tax_year_ends", None)
        data["tax_year"] = {"begins": begins, "ends": ends} if ends or begins else None
        if isinstance(begins, Decimal):  # a bare year typed in the begins column
            data["tax_year"] = _as_year(begins)
        for column, value in record.items():
            if column != KEY and column in FACILITY_COLUMNS and value is not None:
                _set(data, column, value)
        unknown = [c for c in record if c not in FACILITY_COLUMNS]
        case = IntakeCase(name, data)
        if unknown:
            case.problems.append(f"Facilities row {number}: unknown column(s) {', '.join(unknown)}.")
        cases[name] = case
    for sheet_name, (json_field, columns) in ROW_SHEETS.items():
        if sheet_name not in workbook.sheetnames:
            continue
        _, rows = _records(workbook[sheet_name])
        for number, record in rows:
            name = str(record.pop(KEY, None) or "").strip()
            if name not in cases:
                problems.append(f"{sheet_name} row {number}: facility_id {name!r} is not on the Facilities sheet.")
                continue
            row = {k: v for k, v in record.items() if v is not None}
            for year in ("sold_year", "produced_year", "line"):
                if year in row:
                    row[year] = _as_year(row[year])
            if json_field == "components" and isinstance(row.get("line"), int):
                row["line"] = str(row["line"])
            if cases[name].data is not None:
                cases[name].data.setdefault(json_field, []).append(row)
    return list(cases.values()), problems


def write_blank_intake(path: Path, force: bool = False) -> None:
    """A blank intake workbook with headers, help notes and a line drop-down on Products."""
    from ..safefile import atomic_output

    with atomic_output(path, force=force) as tmp:
        _write_intake(tmp)


def _write_intake(path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"in_memory": True})  # no temporary files in the system's temp folder
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    sheets = {"Facilities": FACILITY_COLUMNS, **{name: [KEY, *cols] for name, (_, cols) in ROW_SHEETS.items()}}
    for name, columns in sheets.items():
        sheet = book.add_worksheet(name)
        for col, key in enumerate(columns):
            sheet.write_string(0, col, key, head)
            sheet.set_column(col, col, max(12, min(len(key) + 2, 30)))
            if key in HELP:
                sheet.write_comment(0, col, HELP[key])
        sheet.freeze_panes(1, 1)
        if name == "Products":
            line_col = columns.index("line")
            sheet.data_validation(1, line_col, 100_000, line_col, {
                "validate": "list", "source": list(PRODUCTS.column("line").choices),
                "error_title": "Form 7207 line", "error_message": "Choose a Part II line such as 1e."})
    book.close()
