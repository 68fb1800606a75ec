"""`verify` reads each sheet in one streamed pass of its own (`workbook.sheet_stream`, issue 17):
what it reads must be what openpyxl's own sheet reader reads from the same file — every stored
value (numbers, dates, shared and inline strings, booleans, error codes), every formula, the hidden
rows and columns and the merged ranges — for the workbooks xlcredits writes and for the odd
spellings other programs write; and it must refuse what openpyxl (through defusedxml) refuses."""

from __future__ import annotations

import datetime
from decimal import Decimal
import gc
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet._reader import WorkSheetParser

from conftest import EXAMPLES, load_json
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.reader import open_workbook
from xlcredits.gcpause import collector_paused
from xlcredits.workbook.writer import WorkbookError, save

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# Odd but valid spellings: rows and cells without references, a row numbered "5.0", inline strings
# in runs with a phonetic reading (left out), a formula's text result, a date by its cell's style
# (s="1" is the date format of the base book below), an ISO date, booleans, error codes, an empty
# <v/>, hidden rows and a hidden column range, a merge, an array formula, entities of XML itself.
EDGE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}"><cols><col min="2" max="4" width="9" hidden="1"/><col min="6" max="6" width="9"/></cols>
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c><c r="C1"><v>1.5E3</v></c><c r="D1" t="b"><v>1</v></c>
<c r="E1" t="e"><v>#N/A</v></c><c r="F1"><v>-0.25</v></c></row>
<row r="2" hidden="1"><c r="A2" t="inlineStr"><is><r><t>Mod</t></r><r><rPr><b/></rPr><t xml:space="preserve">ule 400 W</t></r>
<rPh sb="0" eb="1"><t>READING</t></rPh></is></c><c r="B2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>
<c r="C2" s="1"><v>45688</v></c><c r="D2"><f>SUM(B1:C1)*0.10</f><v>154.2</v></c></row>
<row><c><v>7</v></c><c t="inlineStr"><is><t>&lt;tag&gt; &amp; &#8364;</t></is></c></row>
<row r="5.0" hidden="true"><c r="A5" t="d"><v>2025-01-31T00:00:00</v></c><c r="B5"><v/></c><c r="C5" t="s"><v>1</v></c>
<c r="D5"><f t="array" ref="D5">SUM(B1:C1)</f><v>1542</v></c><c r="E5" t="b"><v>0</v></c></row>
<row r="7"><c r="A7" t="s"><v>0</v></c><c r="C7"><v>3</v></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="A7:B8"/></mergeCells></worksheet>""".encode()

# The same namespace under a prefix, as some writers spell it.
PREFIXED = f"""<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>
<x:row r="1"><x:c r="A1"><x:v>12.5</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>
<x:c r="C1"><x:f>A1*2</x:f><x:v>25</x:v></x:c></x:row></x:sheetData></x:worksheet>""".encode()


def _base(path: Path) -> Path:
    """A two-sheet workbook as XlsxWriter writes it: shared strings "alpha", "beta"; style 1 a date."""
    book = xlsxwriter.Workbook(str(path))
    edge, second = book.add_worksheet("Edge"), book.add_worksheet("Second")
    edge.write_string(0, 0, "alpha")
    edge.write_datetime(0, 1, datetime.datetime(2025, 1, 31), book.add_format({"num_format": "yyyy-mm-dd"}))
    second.write_string(0, 0, "beta")
    book.close()
    return path


def _replace(source: Path, target: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, parts.get(info.filename, zin.read(info.filename)))
    return target


def openpyxl_reading(path: Path) -> dict:
    """Per sheet, what openpyxl's sheet reader finds: values (data_only), formula texts, hidden rows
    and columns, merged ranges. 0-based positions; hidden rows and columns 1-based."""
    out = {}
    for data_only in (True, False):
        book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        for ws in book.worksheets:
            with ws._get_source() as src:
                parser = WorkSheetParser(src, ws._shared_strings, data_only=data_only, epoch=book.epoch,
                                         date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
                cells = {(c["row"] - 1, c["column"] - 1): c["value"] for _, row in parser.parse() for c in row}
            seen = out.setdefault(ws.title, {})
            if data_only:
                seen["values"] = cells
                seen["hidden_rows"] = {int(r) for r, a in parser.row_dimensions.items()
                                       if a.get("hidden") in ("1", "true")}
                seen["hidden_columns"] = sorted((int(a["min"]), int(a.get("max", a["min"])))
                                                for a in parser.column_dimensions.values()
                                                if a.get("hidden") in ("1", "true"))
                merged = getattr(parser.merged_cells, "mergeCell", None) or []
                seen["merged"] = [m.ref for m in merged]
            else:
                seen["formulas"] = {k: (v if isinstance(v, str) else "=" + v.text.lstrip("="))
                                    for k, v in cells.items()
                                    if (isinstance(v, str) and v.startswith("=")) or hasattr(v, "text")}
        book.close()
    return out


def streamed_reading(path: Path) -> dict:
    book = open_workbook(path, light=True)
    out = {}
    for name in book.sheetnames:
        sheet = book[name]
        out[name] = {"values": sheet.values, "formulas": sheet.formulas,
                     "hidden_rows": sheet._found.hidden_rows, "hidden_columns": sorted(sheet._found.hidden_columns),
                     "merged": [str(r) for r in sheet.merged_cells.ranges]}
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    where = tmp_path_factory.mktemp("reader")
    base = _base(where / "base.xlsx")
    filled = where / "filled.xlsx"
    book, _, _ = fill_book(load_json(EXAMPLES / "form7207_acme_2025.json"))
    save(book, filled)
    return {"filled": filled,
            "edge": _replace(base, where / "edge.xlsx", {"xl/worksheets/sheet1.xml": EDGE,
                                                          "xl/worksheets/sheet2.xml": PREFIXED})}


@pytest.mark.parametrize("which", ["filled", "edge"])
def test_the_streamed_reader_reads_what_openpyxl_reads(books, which):
    assert streamed_reading(books[which]) == openpyxl_reading(books[which])


def test_the_edge_cases_read_as_a_person_would_read_them(books):
    """Typed out, so a reader that agreed with openpyxl on a wrong answer would still fail."""
    edge = streamed_reading(books["edge"])
    values = edge["Edge"]["values"]
    assert values[(0, 0)] == "alpha" and values[(0, 1)] == 42 and values[(0, 2)] == 1500.0
    assert values[(0, 3)] is True and values[(0, 4)] == "#N/A" and values[(0, 5)] == -0.25
    assert values[(1, 0)] == "Module 400 W"  # the runs joined, the phonetic reading left out
    assert values[(1, 1)] == "ab" and values[(1, 2)] == datetime.datetime(2025, 1, 31)
    assert values[(2, 0)] == 7 and values[(2, 1)] == "<tag> & €"  # row 3: no references, counted
    assert values[(4, 0)] == datetime.datetime(2025, 1, 31) and values[(4, 1)] is None
    assert values[(4, 2)] == "beta" and values[(4, 4)] is False
    assert edge["Edge"]["formulas"] == {(1, 1): '="a"&"b"', (1, 3): "=SUM(B1:C1)*0.10", (4, 3): "=SUM(B1:C1)"}
    assert edge["Edge"]["hidden_rows"] == {2, 5} and edge["Edge"]["hidden_columns"] == [(2, 4)]
    assert edge["Edge"]["merged"] == ["A7:B8"]
    assert edge["Second"]["values"] == {(0, 0): 12.5, (0, 1): "beta", (0, 2): 25}
    assert edge["Second"]["formulas"] == {(0, 2): "=A1*2"}


def test_cell_styles_are_those_of_the_cell(books):
    """Number formats come from the cell's own style id (openpyxl's styles answer for them)."""
    book = open_workbook(books["edge"], light=True)
    assert book["Edge"].cell(2, 3).number_format == "yyyy-mm-dd"  # C2, s="1"
    assert book["Edge"].cell(1, 2).number_format == "General"  # B1, no style
    assert book["Edge"].cell(40, 40).value is None  # a cell the file does not hold


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE worksheet [<!ENTITY e "expanded">]>',
    '<!DOCTYPE worksheet [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    '<!DOCTYPE worksheet [<!ENTITY l0 "lol"><!ENTITY l1 "&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;">]>',
])
def test_entities_in_a_sheet_are_refused_by_the_streamed_reader(books, tmp_path, doctype):
    sheet = EDGE.replace(b"?>", b"?>" + doctype.encode(), 1)
    path = _replace(books["edge"], tmp_path / "entities.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(WorkbookError, match="entities.xlsx declares XML entities, which Excel never writes"):
        open_workbook(path, light=True)


@pytest.mark.parametrize("sheet, says", [
    (b'<worksheet xmlns="' + MAIN.encode() + b'"><sheetData><row>', "damaged.xlsx is damaged: "),
    (EDGE.replace(b'<c r="C2" s="1">', b'<c r="C2" s="99">'),
     "damaged.xlsx is damaged: on its sheet 'Edge', cell C2 refers to style 99, which the workbook does not have "
     "(save it again in Excel, or ask for a new copy)"),
    (EDGE.replace(b'<c r="C5" t="s"><v>1</v>', b'<c r="C5" t="s"><v>7</v>'),
     "on its sheet 'Edge', cell C5 refers to text number 7 of the workbook's 2, which it does not have"),
    (EDGE.replace(b'<c r="B1"><v>42</v>', b'<c r="B1"><v>4x2</v>'),
     "on its sheet 'Edge', cell B1 holds '4x2', which is not a number"),
    (EDGE.replace(b'<c r="B1"><v>42</v>', b'<c r="1B"><v>42</v>'),
     "on its sheet 'Edge', a cell is at '1B', which is not a cell reference"),
    (EDGE.replace(b'<c r="B1"><v>42</v>', b'<c r="ABCD1"><v>42</v>'),
     "on its sheet 'Edge', a cell is at 'ABCD1', which is not a cell reference"),
    (EDGE.replace(b'<row r="7">', b'<row r="7.5">'), "on its sheet 'Edge', a row is numbered '7.5'"),
    (EDGE.replace(b'<row r="7">', b'<row r="seven">'), "on its sheet 'Edge', a row is numbered 'seven'"),
])
def test_a_damaged_sheet_is_refused_in_one_sentence_naming_the_cell(books, tmp_path, sheet, says):
    path = _replace(books["edge"], tmp_path / "damaged.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(WorkbookError) as refused:
        open_workbook(path, light=True)
    text = str(refused.value)
    assert text.startswith("damaged.xlsx is damaged: ") and says in text
    assert "Error" not in text and "Traceback" not in text


def test_the_cycle_collector_resumes_as_it_was():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("a check failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


# --- comparing a stored value with the engine's --------------------------------------------------
# Money agrees to the cent: a difference under half a cent (0.005) is the same amount, as the form
# rounds to cents; other numbers to a relative 1e-9; text exactly, numbers inside it by value.

@pytest.mark.parametrize("stored, engine, unit, agree", [
    (1234.56, Decimal("1234.56"), "money", True),  # the float Excel stores for the engine's amount
    (1234.56, Decimal("1234.5649"), "money", True),  # 0.0049 apart: the same cent
    (1234.56, Decimal("1234.565"), "money", False),  # half a cent apart: another amount
    (0.1, Decimal("0.1"), "money", True),
    (981750.44, Decimal("981750.44"), "money", True),
    (1e12 + 0.25, Decimal("1000000000000.25"), "money", True),  # past the float shortcut: read exactly
    (1e15, Decimal("1000000000000000.004"), "money", True),
    (1e15, Decimal("1000000000000000.006"), "money", False),
    (400, Decimal("400"), "number", True),  # an int stored for a whole number
    (400, Decimal("400.000000001"), "number", True),  # within 1e-9 relative
    (400, Decimal("400.000001"), "number", False),
    (0.3, Decimal("0.3"), "number", True),
    (0.3000000001, Decimal("0.3"), "number", True),  # 1e-10 apart: within 1e-9 of max(1, 0.3)
    (0.300000002, Decimal("0.3"), "number", False),  # 2e-9 apart
    (None, None, "money", True), ("", None, "money", True), (0.0, None, "money", False),
    ("250,000.00 of costs", "250000 of costs", "text", True),
    ("250,000.01 of costs", "250000 of costs", "text", False),
    (True, "True", "text", True),
])
def test_a_stored_value_agrees_with_the_engine(stored, engine, unit, agree):
    from xlcredits.workbook.verify import same

    assert same(stored, engine, unit) is agree
