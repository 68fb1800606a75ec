"""The batch intake workbook: many returns of both forms in one file a firm can fill in Excel.

Form 7207: a Facilities sheet (one row per facility: Part I and the amounts) and one sheet per
schedule (Products, Vessels, Minerals, Coal) whose rows name their facility. NJ Form 306: an
"NJ-306 returns" sheet (one row per return) and its schedules (carryforward vintages, start-up
history, other credits) whose rows name their return.

Headers are in the form's words ("Units sold", "Line 31: Tax liability ..."); each header's note
gives the JSON path it fills, and a header may also be typed as that JSON path. Every sheet and
column is derived from the form definitions (FIELDS and the schedules' input columns), so the
intake, the JSON format and the form templates cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from ..forms.f7207 import definition as f7207
from ..forms.nj306 import definition as nj306
from ..numbers import D
from ..workbook.a1 import col_letter


@dataclass(frozen=True)
class Col:
    path: str  # the JSON path it fills ("facility.address", "units")
    header: str  # the form's words
    note: str  # the header's note: the JSON path and what to type
    kind: str = "text"  # InputField type or schedule unit: how a cell becomes a JSON value
    choices: tuple = ()


@dataclass(frozen=True)
class ReturnSheet:
    """A sheet with one row per return (facility or NJ-306 return)."""

    name: str
    form: str  # the JSON "form" value
    key: Col
    columns: tuple[Col, ...]


@dataclass(frozen=True)
class RowSheet:
    """A sheet of schedule rows, each naming the return it belongs to."""

    name: str
    owner: ReturnSheet
    json_field: str  # "components", "startup.history"
    columns: tuple[Col, ...]


def _field_col(f) -> Col:
    line = f"Line {f.line}: " if f.line else ""
    help_text = f" {f.help}" if f.help else ""
    return Col(f.path, f"{line}{f.label}", f"JSON: {f.path}.{help_text}", f.type, tuple(f.choices))


def _tax_year_cols() -> tuple[Col, ...]:
    return (Col("tax_year.begins", "Tax year begins",
                "JSON: tax_year.begins. First day of the tax year (a date); or type just the year, e.g. 2025, "
                "for a calendar year.", "date"),
            Col("tax_year.ends", "Tax year ends", "JSON: tax_year.ends. Last day of the tax year (a date); blank "
                                                  "for a calendar year.", "date"))


def _schedule_cols(schedule) -> tuple[Col, ...]:
    return tuple(Col(c.key, c.label, f"JSON: {schedule.json_field}[].{c.key}.{(' ' + c.help) if c.help else ''}",
                     c.unit, tuple(c.choices)) for c in schedule.inputs())


FACILITY_KEY = Col("#id", "Facility ID", "Your name for the facility (unique in this workbook): the rows of the "
                                          "other Form 7207 sheets name it, and it names the output file.")
RETURN_KEY = Col("#id", "Return ID", "Your name for the return (unique in this workbook): the rows of the other "
                                     "NJ-306 sheets name it, and it names the output file.")

FACILITIES = ReturnSheet("Facilities", "7207", FACILITY_KEY, _tax_year_cols() + tuple(
    _field_col(f) for f in f7207.FIELDS if f.type != "tax_year"))
NJ_RETURNS = ReturnSheet("NJ-306 returns", "NJ-306", RETURN_KEY, _tax_year_cols() + tuple(
    _field_col(f) for f in nj306.FIELDS if f.type != "tax_year"))
RETURN_SHEETS = (FACILITIES, NJ_RETURNS)

ROW_SHEETS = (
    RowSheet("Products", FACILITIES, "components", _schedule_cols(f7207.PRODUCTS)),
    RowSheet("Vessels", FACILITIES, "vessels", _schedule_cols(f7207.VESSELS)),
    RowSheet("Minerals", FACILITIES, "critical_minerals", _schedule_cols(f7207.MINERALS)),
    RowSheet("Coal", FACILITIES, "metallurgical_coal", _schedule_cols(f7207.COAL)),
    RowSheet("NJ-306 carryforward", NJ_RETURNS, "carryforward", _schedule_cols(nj306.CARRYFORWARD)),
    RowSheet("NJ-306 start-up history", NJ_RETURNS, "startup.history", _schedule_cols(nj306.STARTUP_HISTORY)),
    RowSheet("NJ-306 other credits", NJ_RETURNS, "other_credits", _schedule_cols(nj306.OTHER_CREDITS)),
    RowSheet("NJ-306 group credits", NJ_RETURNS, "combined.group_other_credits",
             _schedule_cols(nj306.GROUP_OTHER_CREDITS)),
    RowSheet("NJ-306 member credits", NJ_RETURNS, "combined.member_other_credits",
             _schedule_cols(nj306.MEMBER_OTHER_CREDITS)),
)

# Older intakes used the JSON paths as headers (facility_id, tax_year_begins, filer.name): still read.
LEGACY_HEADERS = {"facility_id": "#id", "return_id": "#id", "tax_year_begins": "tax_year.begins",
                  "tax_year_ends": "tax_year.ends"}


@dataclass
class IntakeCase:
    name: str  # the facility or return ID, also the output file's stem
    data: dict | None  # None: the return cannot be made (its problems say why)
    problems: list[str] = field(default_factory=list)  # this return's intake problems (a duplicate ID)
    rows: dict[str, str] = field(default_factory=dict)  # "components[2]" -> "Products row 9"
    form: str = ""  # the JSON "form" value: "7207" or "NJ-306"


def duplicate_ids(rows: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    """{id: [row, row, …]} for every id given on more than one row (rows as (row number, id)),
    ids compared without case and surrounding spaces: two facilities sharing an id are refused,
    never merged (issue 15, problem 5)."""
    seen: dict[str, list[int]] = {}
    for number, key in rows:
        if key:
            seen.setdefault(_id(key), []).append(number)
    return {k: v for k, v in seen.items() if len(v) > 1}


def _id(name: str) -> str:
    return str(name).strip().casefold()


def _rows_text(numbers: list[int]) -> str:
    shown = [str(n) for n in numbers]
    return f"rows {', '.join(shown[:-1])} and {shown[-1]} {'both' if len(shown) == 2 else 'all'}"


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(text).lower())


def _header_map(columns: tuple[Col, ...], key: Col) -> dict[str, Col]:
    found = {}
    for col in (key, *columns):
        found[_squash(col.header)] = col
        if col.path != "#id":
            found[_squash(col.path)] = col
    for legacy, path in LEGACY_HEADERS.items():
        match = next((c for c in (key, *columns) if c.path == path), None)
        if match is not None:
            found[_squash(legacy)] = match
    return found


def _cell(value: Any, kind: str) -> Any:
    """A cell as the JSON value the form's model reads (exact decimals, ISO dates, None for blank)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        number = D(value)
        if kind in ("text",):
            return format(number.normalize(), "f") if number == number.to_integral_value() else str(value)
        if number == number.to_integral_value() and kind in ("year", "count", "number", "choice", "date"):
            return int(number)
        return number
    text = str(value).strip()
    if kind in ("year", "count", "choice") and text.isdigit():
        return int(text)
    return text


def _set(target: dict, path: str, value: Any) -> None:
    """Set 'facility.address' or 'prior_year_qres[1]' in a nested JSON-like dict."""
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    last = parts[-1]
    m = re.match(r"^(\w+)\[(\d+)\]$", last)
    if m:
        items = target.setdefault(m.group(1), [])
        index = int(m.group(2))
        while len(items) <= index:
            items.append(0)
        items[index] = value
    else:
        target[last] = value


def _records(sheet) -> tuple[list[str], list[tuple[int, list]]]:
    from ..workbook.reader import sheet_rows

    rows = sheet_rows(sheet)  # only the rows the file holds: one cell at row 1,048,576 is one row
    header = [str(h).strip() if h is not None else "" for h in rows.pop(1, ())]
    records = []
    for number, values in sorted(rows.items()):
        values = list(values)
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values):
            records.append((number, values))
    return header, records


def _columns(sheet_name: str, header: list[str], known: dict[str, Col], problems: list[str]) -> list[Col | None]:
    out: list[Col | None] = []
    for index, title in enumerate(header):
        if not title:
            out.append(None)
            continue
        col = known.get(_squash(title))
        if col is None:
            from ..messages import closest

            near = closest(title, [c.header for c in known.values()])
            letter = col_letter(index)
            problems.append(f"{sheet_name}!{letter}1: the column \"{title}\" is not one this sheet knows; its values "
                            f"are not read." + (f" Did you mean \"{near}\"?" if near else ""))
        out.append(col)
    return out


def _tax_year(record: dict) -> Any:
    begins, ends = record.pop("tax_year.begins", None), record.pop("tax_year.ends", None)
    if isinstance(begins, (int, Decimal)) and not isinstance(begins, bool) and ends is None:
        return int(begins) if begins == int(begins) else begins  # a bare year in the begins column
    if begins is None and ends is None:
        return None
    return {"begins": begins, "ends": ends}


def read_intake(workbook) -> tuple[list[IntakeCase], list[str]]:
    """Turn an opened intake workbook (openpyxl) into one input per facility and per NJ-306 return.

    Returns the cases and the problems that belong to no single return (a missing sheet, a row
    naming an unknown facility, a duplicate ID), each a sentence naming the sheet and row.
    """
    problems: list[str] = []
    present = [s for s in RETURN_SHEETS if s.name in workbook.sheetnames]
    if not present:
        names = " or ".join(f"'{s.name}'" for s in RETURN_SHEETS)
        return [], [f"The intake workbook has no {names} sheet (its sheets: {', '.join(workbook.sheetnames)}). "
                    f"Make one with `xlcredits new batch -o intake.xlsx`."]
    cases: dict[tuple[str, str], IntakeCase] = {}
    for sheet in present:
        _read_return_sheet(workbook, sheet, cases, problems)
    for rows in ROW_SHEETS:
        _read_row_sheet(workbook, rows, cases, problems)
    if not cases and not problems:
        problems.append("Nothing to compute: the intake has no rows on the Facilities sheet (Form 7207) or the "
                        "NJ-306 returns sheet. Add one row per facility or return, then its products, minerals or "
                        "research expenses on the other sheets.")
    return list(cases.values()), problems


def _read_return_sheet(workbook, sheet, cases: dict, problems: list[str]) -> None:
    """One return per row of a Facilities or NJ-306 returns sheet, into `cases`; a row without an ID or
    with a duplicate one is refused with a sentence."""
    header, records = _records(workbook[sheet.name])
    columns = _columns(sheet.name, header, _header_map(sheet.columns, sheet.key), problems)
    if sheet.key not in columns:
        if records:
            problems.append(f"{sheet.name}!A1: the \"{sheet.key.header}\" column is missing from the header "
                            f"row; without it the rows cannot be told apart.")
        return
    parsed = []
    for number, values in records:
        record = {col.path: _cell(v, col.kind) for col, v in zip(columns, values) if col is not None}
        name = str(record.pop("#id", None) or "").strip()
        if not name:
            problems.append(f"{sheet.name} row {number}: the {sheet.key.header} is empty; give each row a "
                            f"unique name.")
            continue
        parsed.append((number, name, record))
    twice = duplicate_ids((number, name) for number, name, _ in parsed)
    for number, name, record in parsed:
        key = (sheet.form, _id(name))
        if key in cases:
            continue  # a later row of a duplicate ID: refused with the first
        if _id(name) in twice:  # the other sheets' rows could belong to either: refuse all, merge none
            cases[key] = IntakeCase(name, None, [
                f"{sheet.name} {_rows_text(twice[_id(name)])} have {sheet.key.header} \"{name}\"; each "
                f"needs its own (it names the output file and ties the other sheets' rows to it). Neither row "
                f"was read: two rows with one ID are never merged into one return."], form=sheet.form)
            continue
        data: dict = {"form": sheet.form, "tax_year": _tax_year(record)}
        for path, value in record.items():
            if value is not None:
                _set(data, path, _list_value(path, value))
        cases[key] = IntakeCase(name, data, form=sheet.form)


def _read_row_sheet(workbook, rows, cases: dict, problems: list[str]) -> None:
    """The rows of a products, minerals or expenses sheet, each appended to the return its ID names."""
    if rows.name not in workbook.sheetnames:
        return
    header, records = _records(workbook[rows.name])
    columns = _columns(rows.name, header, _header_map(rows.columns, rows.owner.key), problems)
    for number, values in records:
        record = {col.path: _cell(v, col.kind) for col, v in zip(columns, values) if col is not None}
        name = str(record.pop("#id", None) or "").strip()
        case = cases.get((rows.owner.form, _id(name)))
        if case is None and not name:
            problems.append(f"{rows.name} row {number}: the {rows.owner.key.header} is empty, so the row "
                            f"belongs to no return; type the {rows.owner.key.header} of its row on the "
                            f"{rows.owner.name} sheet.")
            continue
        if case is None:
            from ..messages import closest

            known = [c.name for (form, _), c in cases.items() if form == rows.owner.form]
            near = closest(name, known)
            problems.append(f"{rows.name} row {number}: {rows.owner.key.header} \"{name}\" is not on the "
                            f"{rows.owner.name} sheet, so the row belongs to no return."
                            + (f" Did you mean \"{near}\"?" if near else ""))
            continue
        row = {k: v for k, v in record.items() if v is not None}
        if rows.json_field == "components" and isinstance(row.get("line"), int):
            row["line"] = str(row["line"])
        if case.data is None:  # a duplicate ID: refused above
            continue
        parent, _, last = rows.json_field.rpartition(".")
        target = case.data
        for part in filter(None, parent.split(".")):
            target = target.setdefault(part, {})
        target.setdefault(last, []).append(row)
        case.rows[f"{rows.json_field}[{len(target[last]) - 1}]"] = f"{rows.name} row {number}"


def _list_value(path: str, value: Any) -> Any:
    if path == "startup.selected_years" and isinstance(value, str):
        parts = [p for p in re.split(r"[,;\s]+", value) if p]
        return [int(p) if p.isdigit() else p for p in parts]
    return value


def write_blank_intake(path: Path, force: bool = False) -> None:
    """A blank intake workbook: headers in the form's words, the JSON path in each header's note,
    drop-downs for the choices."""
    from ..safefile import atomic_output

    with atomic_output(path, force=force) as tmp:
        _write_intake(tmp)


def _write_intake(path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"in_memory": True})  # no temporary files in the system's temp folder
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    sheets = [(s.name, (s.key, *s.columns)) for s in RETURN_SHEETS]
    sheets[1:1] = [(r.name, (r.owner.key, *r.columns)) for r in ROW_SHEETS if r.owner is FACILITIES]
    sheets += [(r.name, (r.owner.key, *r.columns)) for r in ROW_SHEETS if r.owner is NJ_RETURNS]
    for name, columns in sheets:
        sheet = book.add_worksheet(name)
        sheet.set_row(0, 45)
        for index, col in enumerate(columns):
            sheet.write_string(0, index, col.header, head)
            sheet.set_column(index, index, max(12, min(len(col.header) // 2 + 4, 30)))
            listed = ",".join(str(c) for c in col.choices)
            fits = len(listed) <= 255  # Excel's limit for a drop-down typed as a list
            note = col.note if fits or not col.choices else f"{col.note} One of: {listed.replace(',', ', ')}."
            sheet.write_comment(0, index, note, {"x_scale": 2, "y_scale": 1.5 if fits else 3})
            if col.choices and fits:
                sheet.data_validation(1, index, 100_000, index, {
                    "validate": "list", "source": [str(c) for c in col.choices],
                    "error_type": "warning", "error_title": col.header[:32],
                    "error_message": "Choose one of the listed values."})
        sheet.freeze_panes(1, 1)
    book.close()
