"""The Review sheet (issue 13): printed first; status, the totals a reviewer checks, every finding
numbered with its severity, line and cell in plain words; marks "!N" beside the lines and inputs in
the margin column; statements of excluded amounts and phase-out; the reviewer's notes kept by fill."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from conftest import EXAMPLES, load_json
from xlcredits.cli import main
from xlcredits.workbook.a1 import parse_address
from xlcredits.workbook.filler import BookAdapter, make_plan
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.inputs import read_inputs
from xlcredits.workbook.review_sheet import CELL, LINE, NO, SEVERITY, TEXT
from xlcredits.workbook.writer import save

DATA = Path(__file__).parent / "data"
FINDINGS_7207 = DATA / "review_7207_findings.json"  # Acme for 2026: MACR 10% on one row, none on another


def review_rows(book, layout):
    rv = layout.review
    rows = []
    r = rv.findings_row
    while True:
        row = [book.cell_at(rv.sheet, r, c).value for c in (NO, SEVERITY, LINE, CELL, TEXT)]
        if all(v is None for v in row):
            if all(book.cell_at(rv.sheet, r + 1, c).value is None for c in (NO, SEVERITY, LINE, CELL, TEXT)):
                return rows
        rows.append(row)
        r += 1


def meta(book, layout, key):
    sheet, r, c, _, _ = parse_address(layout.review.meta[key])
    return book.cell_at(sheet, r, c).value


def test_review_is_the_first_sheet_and_numbers_every_finding_in_plain_words():
    """Acme for 2026 with the foreign-entity question unanswered. Under the Form 7207 law (issue 10)
    that question is required for tax years beginning after 4 July 2025 and a missing MACR is an
    error, so all three findings are errors and the form is not computed: the Review sheet says so."""
    book, layout, result = fill_book(load_json(FINDINGS_7207))
    assert list(book.sheets)[0] == "Review"
    assert [f.severity for f in result.findings] == ["error", "error", "error"]
    rows = review_rows(book, layout)
    # 1: the foreign-entity question (an input of the header), in the field's words, not its JSON path
    assert rows[0][:4] == ["1", "Error", None, "'Form 7207'!C8"]  # a header question: no line number
    assert "attestations." not in rows[0][4] and "“Filer is a specified foreign entity" in rows[0][4]
    assert "to No (or Yes)" in rows[0][4] and "false" not in rows[0][4]
    # 2: Products row 4 (JSON components[3]), its MACR cell; MACR 10% < 50% [26 U.S.C. 45X(c)(1)(C)]. Not
    # computed, so the line is the one the Products sheet holds ("solar_module" is written there as 1e)
    assert rows[1][:4] == ["2", "Error", "1e", "Products!I7"]
    assert "MACR 10% is below the 50%" in rows[1][4] and "components[" not in rows[1][4]
    # 3: Products row 7, typed on line 3d: no MACR given for an inverter sold in 2026
    assert rows[2][:4] == ["3", "Error", "3d", "Products!I10"]
    assert meta(book, layout, "status") == ("NOT COMPUTED: the inputs have 3 error(s), 0 warning(s), 0 note(s); "
                                            "the line cells are blank until the errors are corrected.")
    assert meta(book, layout, "tin") == "12-3456789" and meta(book, layout, "tax_year") == "2026"


def test_marks_sit_in_the_margin_beside_the_input_or_row():
    book, layout, _ = fill_book(load_json(FINDINGS_7207))
    form = book.sheets["Form 7207"]
    products = book.sheets["Products"]
    assert form.mark_col == 6 and book.cell_at("Form 7207", 7, 6).value == "!1"  # beside C8
    assert book.cell_at("Products", 6, products.mark_col).value == "!2"  # row 7: components[3]
    assert book.cell_at("Products", 9, products.mark_col).value == "!3"
    assert book.cell_at("Products", 5, products.mark_col).value is None


def test_totals_and_where_they_go():
    """Line 8a goes to Form 3800 Part III line 1b for a corporation; Schedule K for partnerships and
    S corporations (Form 7207 instructions, line 8a)."""
    data = load_json(EXAMPLES / "form7207_acme_2025.json")
    book, layout, _ = fill_book(data)
    value_at, remark_at = layout.review.totals["8a"]
    s, r, c, _, _ = parse_address(value_at)
    assert book.cell_at(s, r, c).value == Decimal("981750.44")
    s, r, c, _, _ = parse_address(remark_at)
    assert "Form 3800, Part III, line 1b" in book.cell_at(s, r, c).value
    data["entity_type"] = "s_corporation"
    book, layout, _ = fill_book(data)
    assert "Schedule K" in book.cell_at(s, r, c).value
    rows = review_rows(book, layout)
    assert rows[0][4] == "No findings."


# Tax year 2031: the phase-out is 50% for components sold in 2031 and solar components need a MACR of 85%
# [26 U.S.C. 45X(b)(3)(B); 45X(c)(1)(C) as added by P.L. 119-21 sec. 70514]
STATEMENTS_2031 = {
    "form": "7207", "tax_year": 2031, "filer": {"name": "Acme", "tin": "12-3456789"},
    "attestations": {"prohibited_foreign_entity": False},
    "components": [
        {"line": "1a", "description": "Thin-film PV cell, 100 W", "units": 500, "capacity_per_unit": 100,
         "sold_year": 2031, "produced_year": 2031, "macr": 0.9},
        {"line": "1a", "description": "Crystalline PV cell, 200 W", "units": 1500, "capacity_per_unit": 200,
         "sold_year": 2031, "produced_year": 2031, "macr": 0.9},
        {"component": "solar_module", "description": "Module, 200 W", "units": 400, "capacity_per_unit": 200,
         "sold_year": 2031, "produced_year": 2031, "macr": 0.1},
    ],
}


def test_statements_of_excluded_amounts_and_phase_out():
    """The engine's lists (Form 7207 law issue 10, decision F7207-D5 on column (d)) print as two statements."""
    book, layout, result = fill_book(STATEMENTS_2031)
    assert result.computed
    rows = review_rows(book, layout)
    texts = [r[4] for r in rows]
    i = texts.index("Amounts left out of column (d): rows that earn no credit")
    # 400 modules × 200 W = 80,000 W earn nothing: MACR 10% < 85%
    assert rows[i + 2][1:4] == ["1e", None, "80,000.00"]
    assert rows[i + 2][4] == ("Products row 3 — Module, 200 W: MACR 10% is below the 85% required for solar "
                              "components sold in 2031. [26 U.S.C. 45X(c)(1)(C) as added by P.L. 119-21 sec. 70514; "
                              "26 U.S.C. 7701(a)(52)]")
    assert rows[i + 3][4] != rows[i + 2][4] and rows[i + 3][1] is None  # one row left out, then the gap
    j = texts.index("Phase-out: (c) × (d) × percentage for each year")
    # 500 × 100 W + 1,500 × 200 W = 350,000 W; 0.04 × 350,000 × 50% = 7,000.00, worked by hand
    assert rows[j + 2][1:5] == ["1a", "2031", "7,000.00", "sold in 2031: rate 0.04 × 350,000 × 50% = 7,000.00"]
    assert result.lines["1a.e"] == Decimal("7000.00") and result.lines["8a"] == Decimal("7000.00")


def test_statements_say_none_when_every_row_counts_in_full():
    book, layout, result = fill_book(load_json(EXAMPLES / "form7207_acme_2025.json"))
    assert result.excluded == [] and result.phase_out == []
    texts = [r[4] for r in review_rows(book, layout)]
    assert "None: every row is counted in column (d)." in texts
    assert "None: no line is reduced by a phase-out." in texts


def test_review_notes_are_kept_by_fill_and_counted(tmp_path, capsys):
    first = tmp_path / "first.xlsx"
    assert main(["fill", str(EXAMPLES / "form7207_acme_2025.json"), "-o", str(first)]) == 0
    wb = openpyxl.load_workbook(first)
    notes = wb["Review notes"]
    assert notes["A3"].value == "Line or cell"  # the table's heading; rows 4 to 103 are the notes
    notes["A4"], notes["B4"], notes["C4"], notes["D4"] = "8a", "Tie to the ledger", "open", "RB"
    notes["A5"], notes["B5"], notes["C5"], notes["D5"] = "1e", "Module counts checked", "cleared", "RB"
    notes["A6"], notes["B6"], notes["C6"] = "Products!C5", "Ask for the invoice", "open"
    typed = tmp_path / "typed.xlsx"
    wb.save(typed)
    second = tmp_path / "second.xlsx"
    assert main(["fill", str(typed), "-o", str(second)]) == 0
    wb = openpyxl.load_workbook(second)
    assert [c.value for c in wb["Review notes"][4]] == ["8a", "Tie to the ledger", "open", "RB"]
    assert wb["Review notes"]["B6"].value == "Ask for the invoice"
    assert wb.defined_names["Review_notes"].attr_text == "'Review notes'!$A$4:$D$103"
    review = openpyxl.load_workbook(second, data_only=True)["Review"]
    cells = {c.coordinate: c.value for row in review.iter_rows() for c in row}
    label = next(k for k, v in cells.items() if v == "Open review notes")
    assert cells["D" + label[1:]] == 2  # two open, one cleared
    assert main(["verify", str(second)]) == 0


def test_no_json_paths_on_the_review_or_audit_sheet():
    book, layout, _ = fill_book(load_json(FINDINGS_7207))
    for name in ("Review", "Audit"):
        text = json.dumps([c.value for c in book.sheets[name].cells.values() if isinstance(c.value, str)])
        assert "components[" not in text and "attestations." not in text, name


def test_drop_downs_show_words_and_read_as_codes(tmp_path):
    """The kind-of-filer drop-down lists "S corporation"; the engine reads s_corporation; an older
    workbook with the code typed still reads."""
    from xlcredits.workbook.choices import code_of
    from xlcredits.workbook.files import load_source

    data = load_json(EXAMPLES / "form7207_acme_2025.json")
    data["entity_type"] = "s_corporation"
    book, layout, _ = fill_book(data)
    fp = layout.fields["entity_type"]
    assert book.cell_at(fp.place.sheet, fp.place.row, fp.place.col).value == "S corporation"
    lists = [v[4]["source"] for v in book.sheets[fp.place.sheet].validations
             if v[:2] == (fp.place.row, fp.place.col)]
    assert lists == [["Corporation", "Partnership", "S corporation", "Estate or trust", "Individual", "Other"]]
    out = tmp_path / "s.xlsx"
    save(book, out)
    assert load_source(out)["entity_type"] == "s_corporation"
    assert code_of("ESTATE OR TRUST", fp.field.choices) == "estate_or_trust"
    assert code_of("estate_or_trust", fp.field.choices) == "estate_or_trust"
    assert code_of("a trust", fp.field.choices) == "a trust"  # left as typed, for the engine to report
