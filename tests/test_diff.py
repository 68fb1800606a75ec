"""`xlcredits diff`: inputs (by sheet row and field), lines, findings and review notes between two
versions of a return, in any combination of workbooks and JSON inputs. Expected numbers are
worked out by hand beside each case."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from xlcredits.cli import main
from xlcredits.workbook.files import fill_data

from conftest import EXAMPLES, load_json

ACME = EXAMPLES / "form7207_acme_2025.json"
NJ = EXAMPLES / "nj306_regular_2025.json"


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(map(str, argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def acme_books(tmp_path_factory):
    """The Acme example filled, and a version where the "Module, 100 W" row sells 320 units, not 300."""
    folder = tmp_path_factory.mktemp("acme")
    data = load_json(ACME)
    fill_data(data, folder / "acme.xlsx")
    changed = copy.deepcopy(data)
    assert changed["components"][2]["description"] == "Module, 100 W"
    changed["components"][2]["units"] = 320
    fill_data(changed, folder / "acme-320.xlsx")
    return folder / "acme.xlsx", folder / "acme-320.xlsx", write_json(folder / "acme-320.json", changed)


def test_json_and_its_filled_workbook_are_the_same_return(acme_books, capsys):
    code, out, _ = run(capsys, "diff", ACME, acme_books[0])
    assert code == 0
    assert "The same return" in out


def test_a_changed_product_row_is_named_by_sheet_row_and_field(acme_books, capsys):
    code, out, _ = run(capsys, "diff", acme_books[0], acme_books[1])
    assert code == 1
    # Products data start on sheet row 4; the third product (index 2) is on row 6.
    assert "Products row 6 (Module, 100 W): Units sold 300 → 320" in out
    # Line 1e column (d): 300 × 100 W + 400 × 200 W = 110,000 W; with 320 units 112,000 W.
    assert "Line 1e.d (Solar module (W (DC))): 110,000 → 112,000" in out
    # Column (e): 7 cents per watt [26 U.S.C. 45X(b)(1)(J)]: 7,700.00 → 7,840.00; line 8a up by 140.00.
    assert "Line 1e.e (Solar module: credit): 7,700.00 → 7,840.00" in out
    assert "981,750.44 → 981,890.44" in out
    assert out.count("Units sold") == 1


def test_json_format_and_mixed_inputs(acme_books, capsys):
    code, out, _ = run(capsys, "diff", acme_books[0], acme_books[2], "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["same"] is False
    assert payload["inputs"] == [{"change": "changed", "where": "Products row 6 (Module, 100 W)", "field": "Units sold",
                                  "path": "components[2].units", "cell": "Products!C6", "old": 300, "new": 320}]
    assert {c["line"]: (c["old"], c["new"]) for c in payload["lines"]}["1e.e"] == (7700, 7840)
    # JSON against JSON: rows are named by their JSON path
    code, out, _ = run(capsys, "diff", ACME, acme_books[2])
    assert "components[2] (Module, 100 W): Units sold 300 → 320" in out


def test_an_inserted_row_is_one_added_row(tmp_path, capsys):
    data = load_json(ACME)
    more = copy.deepcopy(data)
    more["components"].insert(1, {"line": "1a", "description": "PERC cell, 250 W", "units": 10,
                                  "capacity_per_unit": 250})
    code, out, _ = run(capsys, "diff", ACME, write_json(tmp_path / "more.json", more))
    assert code == 1
    inputs = out.split("Inputs:\n")[1].split("Lines:")[0].strip().splitlines()
    assert inputs == ["components[1] (PERC cell, 250 W): added"]
    # line 1a column (d): + 10 × 250 W = 2,500 W; a PV cell earns 4 cents per watt [26 U.S.C. 45X(b)(1)(A)]: + 100.00
    assert "Line 8a" in out and "981,750.44 → 981,850.44" in out


def test_findings_that_appear_and_go(tmp_path, capsys):
    data = load_json(NJ)
    older = copy.deepcopy(data)
    # Earned 2010 with a 7-year carryover: usable through 2017, so expired in 2025 [N.J.S.A. 54:10A-5.24(b)].
    older["carryforward"].insert(0, {"year_earned": 2010, "amount": 100, "period_years": 7})
    code, out, _ = run(capsys, "diff", NJ, write_json(tmp_path / "older.json", older))
    assert code == 1
    appeared = out.split("Findings appeared:\n")[1].splitlines()[0]
    assert appeared.startswith("  WARNING carryforward[0]:")
    assert "$100.00 of credit earned in 2010 expired: its 7-period carryover is used up" in appeared
    code, out, _ = run(capsys, "diff", tmp_path / "older.json", NJ)
    assert "Findings gone:" in out and "Findings appeared:" not in out


def add_review_notes(path: Path, rows: list[tuple]) -> None:
    """The reviewer types rows into the completed workbook's Review notes table (the body of the
    defined name Review_notes: line or cell, note, status, who; its header is the row above).
    openpyxl re-saves without cached values; diff recomputes the lines from the inputs, so that
    does not matter here."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names["Review_notes"].destinations)
    ws = wb[sheet]
    first = ws[ref.split(":")[0].replace("$", "")]
    assert ws.cell(first.row - 1, first.column).value == "Line or cell"  # the header above the body
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(first.row + i, first.column + j).value = value
    wb.save(path)


def test_review_notes_added_changed_cleared(tmp_path, capsys):
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    fill_data(load_json(NJ), old)
    fill_data(load_json(NJ), new)
    add_review_notes(old, [("Line 31", "Tie to the CBT-100 page 1", "open", "RK"),
                           ("Line 11", "Receipts from which years?", "open", "RK")])
    add_review_notes(new, [("Line 31", "Tie to the CBT-100 page 1", "cleared", "RK"),
                           ("Line 11", "Receipts of 2021-2024?", "open", "RK"),
                           ("NJ-306!E24", "Wages include the bonus?", "open", "MB")])
    code, out, _ = run(capsys, "diff", old, new)
    assert code == 1
    notes = out.split("Review notes:\n")[1].rstrip().splitlines()
    assert notes == ['  Line 31: cleared (RK): "Tie to the CBT-100 page 1"',
                     '  Line 11: note changed (RK): "Receipts from which years?" → "Receipts of 2021-2024?"',
                     '  NJ-306!E24: added (MB): "Wages include the bonus?"']
    assert "Inputs:" not in out and "Lines:" not in out


def test_a_workbook_without_its_review_notes_table_is_refused(acme_books, tmp_path, capsys):
    import openpyxl

    # Every completed workbook has the table (an empty one is no difference); a workbook whose
    # Review_notes name was deleted is not the form's layout, and diff says so in one sentence.
    code, out, _ = run(capsys, "diff", acme_books[0], acme_books[0])
    assert code == 0 and "has no Review notes table" not in out and "Review notes:" not in out
    wb = openpyxl.load_workbook(acme_books[0])
    del wb.defined_names["Review_notes"]
    wb.save(tmp_path / "older.xlsx")
    code, out, err = run(capsys, "diff", tmp_path / "older.xlsx", acme_books[0])
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith("xlcredits: older.xlsx: this workbook's layout was changed") and "Review_notes is missing" in err


def test_refusals_are_one_sentence_with_exit_2(acme_books, tmp_path, capsys):
    code, _, err = run(capsys, "diff", acme_books[0], NJ)
    assert code == 2
    assert err == ("xlcredits: acme.xlsx is Form 7207 and nj306_regular_2025.json is Form NJ-306: diff compares "
                   "two versions of one return\n")
    code, _, err = run(capsys, "diff", tmp_path / "missing.xlsx", NJ)
    assert code == 2 and "missing.xlsx: no such file" in err and "Traceback" not in err
    (tmp_path / "text.xlsx").write_text("not a workbook")
    code, _, err = run(capsys, "diff", tmp_path / "text.xlsx", NJ)
    assert code == 2 and err.count("\n") == 1


def test_notes_table_with_or_without_a_header():
    from xlcredits.review.notes import Note, notes_from_rows

    # Columns found by their header words, in any order; blank rows skipped; "Resolved" counts as cleared.
    assert notes_from_rows([["Who", "Status", "Note", "Line or cell"], [None, None, None, None],
                            ["RK", "Resolved", "Tie out", "Line 8a"]]) == [Note("Line 8a", "Tie out", "cleared", "RK")]
    # No header: line or cell, note, status, who; a blank status is open.
    assert notes_from_rows([["Line 31", "Check", None, "MB"]]) == [Note("Line 31", "Check", "open", "MB")]
