"""What `verify` checks besides the values: formulas as their definitions render them, only the
functions a form uses, the look of line cells (number format, font, visibility), the printed labels,
and what the file carries (macros, external links, embedded objects).

Each check returns `Problem`s that name the cell in A1 terms and, where there is one, the line."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .places import Layout
from .plainwords import display_address
from .styles import format_props

# Every function a form workbook's formulas use; anything else (WEBSERVICE, HYPERLINK, INDIRECT,
# FILTERXML, CALL, ...) was put there by someone else and could fetch, hide or redirect a number.
ALLOWED_FUNCTIONS = frozenset({"SUM", "SUMIFS", "ROUND", "MIN", "MAX", "IF", "COUNTIF"})
LABEL_ROLES = ("title", "section", "label", "label_bold", "line_no", "colhead")
_FUNCTION = re.compile(r"([A-Z_][A-Z0-9_.]*)\s*\(")
_STRING = re.compile(r'"(?:[^"]|"")*"')
# A formula's shape: its text with every run of digits as one 0. Formulas of one shape (each
# schedule row's =E12*F12, =E13*F13, ...) use the same functions, strings, links and pipes, since
# no allowed function's name has a digit; a clean shape is checked once.
_DIGITS = re.compile(r"\d+")


@dataclass
class Problem:
    group: str  # Formulas | Values | Functions | Appearance | Labels | File
    cell: str  # "'Form 7207'!F60" or "" for the file
    line: str  # "8a" or ""
    text: str

    def __str__(self) -> str:
        where = self.cell + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.text}" if where else self.text


# A number in a formula, not part of a name or reference (NJ306_27, E68, $E$68)
_LITERAL = re.compile(r"(?<![A-Z0-9_.$])(\d+\.\d*|\.\d+|\d+)(E[+-]?\d+)?(?![A-Z0-9_.(])")


def normal_formula(text) -> str:
    """Formula text compared as Excel would evaluate it: case and spaces outside strings ignored,
    numbers by value (LibreOffice saves the line's 0.10 as 0.1)."""
    if not isinstance(text, str):
        return ""
    parts = re.split(r'("(?:[^"]|"")*")', text.strip())
    return "".join(p if p.startswith('"') else _LITERAL.sub(_number, re.sub(r"\s+", "", p).upper())
                   for p in parts)


def _number(m: re.Match) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        return format(Decimal(m.group(0)).normalize(), "f")
    except InvalidOperation:
        return m.group(0)


def read_formulas(path) -> dict[str, dict[tuple[int, int], str]]:
    """Every formula of every sheet: {sheet: {(row, col): "=..."}}, from the cells the file holds
    (a border at row 1,048,576 is one cell, never a million empty ones), with shared formulas (one
    formula text for a range, as some programs save) expanded by openpyxl's reader. `verify` reads
    the formulas with the values (`LightBook.formulas`) and comes here only for shared ones."""
    return _openpyxl_formulas(path)


def _openpyxl_formulas(path) -> dict[str, dict[tuple[int, int], str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        out = {}
        for ws in wb.worksheets:
            found = {}
            for cell in stored_cells(ws):
                value = cell["value"]
                if isinstance(value, str) and value.startswith("="):
                    found[(cell["row"] - 1, cell["column"] - 1)] = value
                elif value is not None and type(value).__name__ == "ArrayFormula":
                    found[(cell["row"] - 1, cell["column"] - 1)] = "=" + str(getattr(value, "text", "")).lstrip("=")
            out[ws.title] = found
        return out
    finally:
        wb.close()


def stored_cells(ws):
    """The cells a read-only worksheet's file holds, as openpyxl's parser gives them ({"row",
    "column", "value", "data_type", ...}, 1-based), row by row; `iter_rows` would pad every row to
    the widest and fill every missing row up to the last."""
    from openpyxl.worksheet._reader import WorkSheetParser

    parent = ws.parent
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=parent.data_only, epoch=parent.epoch,
                                 date_formats=parent._date_formats, timedelta_formats=parent._timedelta_formats)
        for _, row in parser.parse():
            yield from row


def check_functions(formulas: dict, defined: dict[str, str]) -> list[Problem]:
    """Only allowed functions; no external workbook references, no DDE links."""
    problems, clean = [], set()
    items = [((s, r, c), f) for s, cells in formulas.items() for (r, c), f in cells.items()]
    items += [(f"defined name {n}", str(v)) for n, v in defined.items()]
    for where, text in items:
        shape = _DIGITS.sub("0", text)
        if shape in clean:
            continue
        if isinstance(where, tuple):
            where = display_address(_addr(*where))
        body, before = _STRING.sub('""', text), len(problems)
        bad = sorted({fn for fn in _FUNCTION.findall(body.upper()) if fn not in ALLOWED_FUNCTIONS})
        if bad:
            problems.append(Problem("Functions", where, "", f"uses {', '.join(bad)}, which no form formula uses "
                                                            f"(allowed: {', '.join(sorted(ALLOWED_FUNCTIONS))})"))
        if re.search(r"\[[^\]]*\]", body):
            problems.append(Problem("Functions", where, "", "refers to another workbook (an external link)"))
        if "|" in body:
            problems.append(Problem("Functions", where, "", "holds a DDE link (program|topic!item)"))
        if len(problems) == before:
            clean.add(shape)
    return problems


def _addr(sheet: str, r: int, c: int) -> str:
    from .a1 import address

    return address(sheet, r, c)


def check_file(path) -> list[Problem]:
    """Macros, external links, embedded objects and data connections: none belongs in a form workbook."""
    kinds = {"vbaproject.bin": "macros (a VBA project)", "xl/externallinks/": "external links to other workbooks",
             "xl/embeddings/": "embedded objects", "xl/activex/": "ActiveX controls",
             "xl/connections.xml": "data connections"}
    try:
        with zipfile.ZipFile(path) as z:
            names = [n.lower() for n in z.namelist()]
    except (OSError, zipfile.BadZipFile):
        return []
    found = []
    for key, what in kinds.items():
        hits = [n for n in names if key in n]
        if hits:
            found.append(Problem("File", "", "", f"{Path(path).name} carries {what} ({hits[0]}); a form workbook "
                                                 f"written by xlcredits has none"))
    return found


def check_appearance(wb, layout: Layout, values: dict) -> list[Problem]:
    """Line cells look as written: their number format, a readable font, visible row, column and sheet."""
    problems = []
    for key, place in layout.line_places.items():
        line = next((ln for ln in layout.lines if ln.key == key), None)
        if line is None or line.kind == "input" or place.sheet not in wb.sheetnames:
            continue
        ws = wb[place.sheet]
        cell = ws.cell(row=place.row + 1, column=place.col + 1)
        where = display_address(place.address)
        template = layout.book.peek(place.sheet, place.row, place.col)
        want = format_props(template.role, template.unit).get("num_format", "General") if template else None
        if want and cell.number_format != want:
            problems.append(Problem("Appearance", where, key, f"number format is {cell.number_format!r}, written as "
                                                              f"{want!r}: it may display another number"))
        problems += _font_problems(cell, where, key)
        value = values.get(key)
        used = value not in (None, 0) and not isinstance(value, bool)
        from .a1 import col_letter

        if hasattr(ws, "row_hidden"):  # a `LightSheet`
            hidden = ws.sheet_state != "visible" or ws.row_hidden(place.row + 1) or ws.column_hidden(place.col + 1)
        else:
            hidden = (ws.sheet_state != "visible" or ws.row_dimensions[place.row + 1].hidden
                      or ws.column_dimensions[col_letter(place.col)].hidden)
        if used and hidden:
            problems.append(Problem("Appearance", where, key, "is hidden (its row, column or sheet) but holds "
                                                              "a value the form reports"))
    return problems


def _font_problems(cell, where: str, key: str) -> list[Problem]:
    font, fill = cell.font, cell.fill
    color = (getattr(font.color, "rgb", None) if font and font.color is not None else None) or "FF000000"
    background = getattr(getattr(fill, "fgColor", None), "rgb", None) if fill and fill.fill_type else "FFFFFFFF"
    out = []
    if isinstance(color, str) and isinstance(background, str) and color[-6:].upper() == background[-6:].upper():
        out.append(Problem("Appearance", where, key, f"text colour {color[-6:]} is the cell's background colour: "
                                                     f"the number is invisible"))
    if font is not None and font.sz is not None and float(font.sz) < 6:
        out.append(Problem("Appearance", where, key, f"font size {font.sz} is too small to read"))
    return out


def check_labels(wb, layout: Layout) -> list[Problem]:
    """The printed texts of the form (titles, sections, line numbers and labels) as the template has them."""
    problems = []
    for name, spec in layout.book.sheets.items():
        if name not in wb.sheetnames or spec.very_hidden:
            continue
        ws = wb[name]
        for (r, c), cell in spec.cells.items():
            if cell.role not in LABEL_ROLES or not isinstance(cell.value, str) or not cell.value.strip():
                continue
            got = ws.cell(row=r + 1, column=c + 1).value
            if str(got or "").strip() != cell.value.strip():
                problems.append(Problem("Labels", display_address(_addr(name, r, c)), "",
                                        f"reads {str(got or '')[:60]!r}; the form prints {cell.value[:60]!r}"))
    return problems
