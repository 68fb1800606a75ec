"""The ribbon buttons through xlwings' real Windows code (tests/xlfake): `xw.Book.caller()` is a
COM-level fake of the open workbook, loaded from a real file the project wrote, and every COM
round trip is counted. The file each fill is compared with is what `xlcredits fill` writes for the
same inputs."""

from __future__ import annotations

import copy
import json
import math
import re
import sys
import types
from pathlib import Path

import openpyxl
import pytest

import xlcredits
from test_workbook_support import ALL_CASES, CASES_7207, _7207, _cap
from xlcredits.addin import live, ribbon
from xlcredits.addin import state as fill_state
from xlcredits.cli import main as cli
from xlcredits.workbook.filler import InputCellWritten, plan_fill
from xlcredits.workbook.layout import parse_address
from xlcredits.workbook.styles import HIGHLIGHT
from xlfake import ERRORS, harness, typed_workbook
from xlfake.excel import XL_MANUAL

ACME = CASES_7207["acme"]
BUDGET_EXAMPLE, BUDGET_2000_ROWS = 150, 400  # COM round trips per fill (issue 12)


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("live")


@pytest.fixture
def xl(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "appdata"))  # the error log goes here, not the home folder
    return harness()


_TYPED: dict[str, Path] = {}


def typed(data: dict, tmp: Path, name: str) -> Path:
    if name not in _TYPED:
        folder = tmp / name
        folder.mkdir(exist_ok=True)
        _TYPED[name] = typed_workbook(data, folder)
    return _TYPED[name]


def open_typed(xl, data, tmp, name):
    fake = xl.open_xlsx(typed(data, tmp, name))
    return fake, xl.xw_book(fake)


def file_filled(data, tmp, name) -> openpyxl.Workbook:
    out = tmp / f"{name}-filled.xlsx"
    if not out.exists():
        assert cli(["fill", str(typed(data, tmp, name)), "-o", str(out), "--force"]) in (0, 1)
    return openpyxl.load_workbook(out)


def _bgr(hex_color: str) -> int:
    return int(hex_color[5:7] + hex_color[3:5] + hex_color[1:3], 16)


def differences(fake, filled: openpyxl.Workbook, cells: set[str]) -> list[str]:
    """Where the live book and the filed book differ, among `cells`: formulas as text, values
    as Excel holds them."""
    out = []
    for target in sorted(cells):
        sheet, r, c, _, _ = parse_address(target)
        live_cell = fake.sheet(sheet).cell(r + 1, c + 1)
        file_value = filled[sheet].cell(r + 1, c + 1).value
        if isinstance(file_value, str) and file_value.startswith("="):
            if live_cell.formula != file_value:
                out.append(f"{target}: live {live_cell.formula!r}, file {file_value!r}")
            continue
        want = float(file_value) if isinstance(file_value, (int, float)) and not isinstance(file_value, bool) \
            else (None if file_value == "" else file_value)
        if isinstance(want, float) and isinstance(live_cell.value, float) and not live_cell.formula:
            # XlsxWriter stores 16 significant digits, COM a full double: Excel keeps 15 either way
            if not math.isclose(live_cell.value, want, rel_tol=1e-15):
                out.append(f"{target}: live {live_cell.value!r}, file {want!r}")
        elif live_cell.formula or live_cell.value != want:
            out.append(f"{target}: live {live_cell.formula or live_cell.value!r}, file {want!r}")
    return out


def print_setup(sheet) -> dict:
    """What prints: visibility, print area, hidden rows; for a shown sheet its header and footer
    sections (page 1's too when they differ) and first page number."""
    out = {"visible": sheet.visible, "hidden rows": sorted(sheet.hidden_rows)}
    if sheet.visible == -1:  # a hidden sheet does not print: the live fill leaves its page set-up
        out["area"] = sheet.page["PrintArea"]
        out["breaks"] = (list(sheet.page_breaks), list(sheet.column_breaks))
        out["page"] = {k: v for k, v in sheet.page.items() if k != "PrintArea"}
        if sheet.page["DifferentFirstPageHeaderFooter"]:
            out["first page"] = dict(sheet.first_page)
    return out


EQUIVALENCE = ["acme", "i24_3a", "obbba_2030", "rev_01_2024", "nj_regular", "nj_asc_combined", "nj_startup_scorp",
               "nj_existing_fiscal"]


@pytest.mark.parametrize("name", EQUIVALENCE)
def test_live_fill_writes_what_the_file_path_writes(xl, tmp, name):
    data = ALL_CASES[name]
    fake, book = open_typed(xl, data, tmp, name)
    _, plan = plan_fill(live.XlwingsAdapter(book))
    result, layout = live.fill(book)
    written = plan.cells_written()
    assert not written & layout.input_addresses()
    filled = file_filled(data, tmp, name)
    state = layout.resolve("XLC_state")
    assert differences(fake, filled, written - {state}) == []
    # the state is the same, stored compactly; the live fill also keeps the print set-up it applied
    sheet, r, c, _, _ = parse_address(state)
    live_state = json.loads(fill_state.expand(fake.sheet(sheet).cell(r + 1, c + 1).value))
    assert set(live_state.pop("print")) == {s for s in layout.book.sheets if not layout.book.sheets[s].very_hidden}
    assert live_state == json.loads(filled[sheet].cell(r + 1, c + 1).value)
    # and every sheet prints as the file prints (issue 13): header, footer, print area, hidden rows and sheets
    from_file = xl.open_xlsx(tmp / f"{name}-filled.xlsx", name="from-file.xlsx")
    for spec in layout.book.sheets.values():
        if not spec.very_hidden:
            assert print_setup(fake.sheet(spec.name)) == print_setup(from_file.sheet(spec.name)), spec.name
    assert xl.excel.printer_talks == 0  # every page set-up change made with PrintCommunication off
    # every finding's cell is highlighted and carries the finding, as in the file
    for target in plan.cells_marked():
        sheet, r, c, _, _ = parse_address(target)
        cell, file_cell = fake.sheet(sheet).cell(r + 1, c + 1), filled[sheet].cell(r + 1, c + 1)
        if file_cell.fill.fill_type == "solid" and file_cell.fill.fgColor.rgb[-6:] in \
                {h[0][1:] for h in HIGHLIGHT.values()}:
            assert cell.fill == _bgr("#" + file_cell.fill.fgColor.rgb[-6:]), target
            assert cell.comment == file_cell.comment.text, target


def test_the_adapter_refuses_to_write_an_input_cell(xl, tmp):
    _, book = open_typed(xl, ACME, tmp, "acme")
    adapter = live.XlwingsAdapter(book)
    with pytest.raises(InputCellWritten):
        adapter.write("F7207_in_filer_name", "x")
    with pytest.raises(InputCellWritten):
        adapter.write("'Products'!$C$4", 1)


# --- the budget: COM round trips ------------------------------------------------------------------

def test_the_bundled_example_fills_within_150_com_calls(xl, tmp, capsys):
    fake, book = open_typed(xl, ACME, tmp, "acme")
    xl.excel.reset()
    xl.run_ribbon(fake)
    first = xl.excel.total
    xl.excel.reset()
    xl.run_ribbon(fake)  # the second fill also clears what the first marked
    second = xl.excel.total
    with capsys.disabled():
        print(f"\n  COM calls, Form 7207 example (ribbon, incl. message box): first fill {first}, second {second}")
    assert first <= BUDGET_EXAMPLE and second <= BUDGET_EXAMPLE
    assert xl.excel.calls["Range.AddComment get"] == 0  # no finding: no note


def _rows(n: int, capacity: int) -> dict:
    # Form 7207 line 3a: central inverters; 1,000 W each is below the 1 MW a central inverter must have
    # (26 U.S.C. 45X(c)(2)(B)), so every row carries an error finding when capacity is 1,000
    return _7207([_cap("3a", 10 + i, capacity) for i in range(n)])


@pytest.mark.slow
def test_a_2000_row_schedule_fills_within_400_com_calls(xl, tmp, capsys):
    clean = _rows(2000, 1_500_000)
    fake, book = open_typed(xl, clean, tmp, "rows2000")
    xl.excel.reset()
    result, _ = live.fill(book)
    calls = xl.excel.total
    assert result.computed and not result.findings
    # every row marked: highlights in bulk, notes capped (the Audit sheet lists every finding)
    flagged = _rows(2000, 1000)
    fake2, book2 = open_typed(xl, flagged, tmp, "rows2000-flagged")
    xl.excel.reset()
    result, layout = live.fill(book2)
    flagged_calls = xl.excel.total
    with capsys.disabled():
        print(f"\n  COM calls, 2,000-row schedule: {calls}; every row with a finding: {flagged_calls}")
    assert calls <= BUDGET_2000_ROWS and flagged_calls <= BUDGET_2000_ROWS
    assert len(result.findings) == 2000
    # the fill state fits one cell and still names all 2,000 marks
    sheet, r, c, _, _ = parse_address(layout.resolve("XLC_state"))
    stored = fake2.sheet(sheet).cell(r + 1, c + 1).value
    assert len(stored) < fill_state.CELL_LIMIT
    assert len(json.loads(fill_state.expand(stored))["marks"]) == 2000
    # fixed: the next fill clears every highlight and note
    sp = layout.schedules["products"]
    column = sp.cols["capacity_per_unit"]
    for i in range(2000):
        fake2.sheet(sp.sheet).cell(sp.first_row + i + 1, column + 1).value = 1_500_000.0
    xl.excel.reset()
    result, _ = live.fill(book2)
    clearing_calls = xl.excel.total
    with capsys.disabled():
        print(f"  COM calls, the next fill clearing 2,000 marks: {clearing_calls}")
    assert clearing_calls <= BUDGET_2000_ROWS
    assert not result.findings
    marked = [cell for (row, col), cell in fake2.sheet(sp.sheet).cells.items()
              if cell.fill in {_bgr(h[0]) for h in HIGHLIGHT.values()} or
              (cell.comment and cell.comment.startswith("WARNING"))]
    assert marked == []
    assert finding_marks(fake2) == []  # the "!N" margin marks too


def finding_marks(fake) -> list:
    """Cells holding a printed finding mark ("!3", "!1 !2")."""
    return [(s.name, at, cell.value) for s in fake._sheets for at, cell in s.cells.items()
            if isinstance(cell.value, str) and re.fullmatch(r"!\d+( !\d+)*", cell.value)]


def test_state_compaction_round_trips():
    marks = sorted([f"'Products'!$O${r}" for r in range(5, 2005)] + [f"'Products'!$D${r}" for r in range(5, 2005, 2)]
                   + ["'Form 7207'!$C$5"])
    text = json.dumps({"marks": marks, "rows": {"products": 2000}, "findings": 3000}, separators=(",", ":"))
    assert len(text) > fill_state.CELL_LIMIT  # the filler's own form would not fit a cell
    small = fill_state.compact(text)
    assert len(small) < 9000
    assert json.loads(fill_state.expand(small)) == json.loads(text)
    assert fill_state.expand(text) == text  # the filler's own form reads as is
    assert fill_state.expand("not json") == "not json"
    # the margin marks of 2,000 findings are compacted the same way
    flags = sorted(f"'Products'!$V${r}" for r in range(5, 2005))
    text = json.dumps({"marks": marks, "flags": flags, "rows": {}, "findings": 2000, "review_rows": 2003})
    small = fill_state.compact(text)
    assert len(small) < 9000 and json.loads(fill_state.expand(small)) == json.loads(text)


def test_count_fill_com_calls_for_the_benchmark():
    from xlfake import count_fill_com_calls

    assert count_fill_com_calls(Path(__file__).resolve().parents[1] / "examples" / "form7207_acme_2025.json") \
        <= BUDGET_EXAMPLE


# --- the buttons --------------------------------------------------------------------------------

def test_compute_fills_the_calling_book_and_says_how_it_went(xl, tmp):
    fake, _ = open_typed(xl, ACME, tmp, "acme")
    app = xl.excel.app
    object.__setattr__(app, "Calculation", XL_MANUAL)  # the preparer works in manual calculation
    boxes = xl.run_ribbon(fake)
    assert [(title, text) for title, text, _ in boxes] == [
        ("xlcredits", "Form 7207 filled: line 8a $981,750.44 — 0 errors, 0 warnings. See the Review sheet.")]
    assert app.ScreenUpdating is True and app.Calculation == XL_MANUAL  # restored
    assert app.calculated == 1  # and calculated once, so no line shows a stale value
    assert xl.excel.calls["Application.ScreenUpdating set"] == 2


def test_an_error_cell_in_an_input_is_a_finding_never_a_number(xl, tmp):
    """Classic xlwings reads #N/A as an empty cell; with err_to_str the fill names it."""
    fake, book = open_typed(xl, ACME, tmp, "acme")
    layout = live.XlwingsAdapter(book).layout
    sp = layout.schedules["products"]
    fake.sheet(sp.sheet).cell(sp.first_row + 1, sp.cols["units"] + 1).value = ERRORS["#N/A"]
    boxes = xl.run_ribbon(fake)
    text = boxes[0][1]
    assert text.startswith("Form 7207 not computed: 1 error") and "#N/A" in text
    line_8a = parse_address(layout.resolve("F7207_8a"))
    assert fake.sheet(line_8a[0]).cell(line_8a[1] + 1, line_8a[2] + 1).value is None


def test_a_worksheet_function_typed_into_an_input_is_refused(xl, tmp):
    fake, book = open_typed(xl, ACME, tmp, "acme")
    sp = live.XlwingsAdapter(book).layout.schedules["products"]
    cell = fake.sheet(sp.sheet).cell(sp.first_row + 1, sp.cols["units"] + 1)
    cell.formula, cell.value = '=CREDIT_45X("1e",300,100)', 2100.0
    xl.excel.reset()
    boxes = xl.run_ribbon(fake)
    text = boxes[0][1]
    assert "holds =CREDIT_45X" in text and "#NAME?" in text and "Type the value itself" in text
    assert cell.fill == _bgr(HIGHLIGHT["error"][0]) and cell.comment.startswith("ERROR:")
    assert xl.excel.calls["Range.Formula set"] == 0 and xl.excel.calls["Range.Value set"] == 0


def contents(fake) -> dict:
    """Every cell holding something (reading a range makes the fake's empty cells exist)."""
    from xlfake.excel import Cell

    return {(s.name, at): copy.copy(cell) for s in fake._sheets for at, cell in s.cells.items() if cell != Cell()}


def test_the_fill_lifts_xlcredits_own_protection_and_puts_it_back_as_the_file_has_it(xl, tmp):
    """Every sheet of a template is protected without a password (issue 13): the fill unprotects the
    sheets it writes, writes, and protects them again with the options the file path writes."""
    fake, book = open_typed(xl, ACME, tmp, "acme")
    assert all(s.protected and s.password is None for s in fake._sheets)
    as_filed = {s.name: dict(s.protection) for s in fake._sheets}
    fake.sheet("Review notes").Unprotect("")  # the preparer unprotected a sheet the fill does not write
    xl.excel.reset()
    live.fill(book)
    written = {parse_address(t)[0] for t in plan_fill(live.XlwingsAdapter(book))[1].cells_written()}
    assert written >= {"Review", "Form 7207", "Products", "Audit", "xlc_state"} and "Review notes" not in written
    for sheet in fake._sheets:
        if sheet.name in written:
            assert sheet.protected and sheet.password is None and sheet.protection == as_filed[sheet.name], sheet.name
    assert not fake.sheet("Review notes").protected  # left as the preparer left it
    # one Protect per sheet written; Unprotect always with the (empty) password, never a prompt
    assert xl.excel.calls["Worksheet.Protect get"] == xl.excel.calls["Worksheet.Unprotect get"] == len(written)


def test_a_sheet_protected_with_a_password_is_said_before_anything_is_written(xl, tmp):
    fake, _ = open_typed(xl, ACME, tmp, "acme")
    products = fake.sheet("Products")
    products.Unprotect("")  # xlcredits' protection has no password ...
    products.Protect(Password="client's")  # ... someone else's has one
    before = contents(fake)
    xl.excel.reset()
    boxes = xl.run_ribbon(fake)
    assert boxes[0][1] == ("Nothing was changed: the sheet 'Products' is protected with a password (xlcredits "
                           "protects its sheets without one). Unprotect it (Review > Unprotect Sheet, and type the "
                           "password) and click the button again; xlcredits protects it again, without a password, "
                           "when it fills.")
    assert xl.excel.calls["Range.Formula set"] == 0 and xl.excel.calls["Range.Value set"] == 0
    assert contents(fake) == before
    # the sheets unprotected before Products refused are protected again: nothing changed
    assert all(s.protected for s in fake._sheets) and products.password == "client's"


def test_a_workbook_that_is_not_a_form_says_what_to_do(xl):
    fake = xl.new_book("Book1.xlsx")
    fake.sheet("Sheet1").cell(1, 1).value = "hello"
    boxes = xl.run_ribbon(fake)
    assert boxes[0][1].startswith("Nothing was changed: This is not an xlcredits form workbook")
    assert ribbon.HOW_TO_START in boxes[0][1]


def test_a_changed_layout_is_refused_before_anything_is_written(xl, tmp):
    fake, book = open_typed(xl, ACME, tmp, "acme")
    sheet = fake.sheet("Form 7207")
    # a row inserted near the top: every label below moves down one row
    cells = dict(sheet.cells)
    sheet.cells.clear()
    for (r, c), cell in cells.items():
        sheet.cells[(r + 1 if r >= 10 else r, c)] = cell
    xl.excel.reset()
    boxes = xl.run_ribbon(fake)
    assert "layout was changed" in boxes[0][1] and "should read" in boxes[0][1]
    assert xl.excel.calls["Range.Formula set"] == 0 and xl.excel.calls["Range.Value set"] == 0


def test_text_stays_text_and_numbers_stay_numbers(xl, tmp):
    """Typed text is written with a leading apostrophe: Excel keeps "2025" and "=1+1" as text."""
    data = copy.deepcopy(ACME)
    data["filer"]["name"] = "=HYPERLINK(\"http://x\")"
    fake, book = open_typed(xl, data, tmp, "acme-formula-name")
    result, layout = live.fill(book)

    def cell(name):
        sheet, r, c, _, _ = parse_address(layout.resolve(name))
        return fake.sheet(sheet).cell(r + 1, c + 1)

    assert cell("XLC_tax_year").value == "2025" and cell("XLC_tax_year").formula is None  # text, as in the file
    assert cell("XLC_engine").value == xlcredits.__version__
    assert cell("F7207_8a").formula.startswith("=")
    audit = [c for s in fake._sheets for c in s.cells.values() if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert all(c.formula is None for c in audit)  # the payload, wherever it is echoed, is text


def test_no_open_workbook(xl, capsys):
    """The add-in's VBA says so itself when Excel has no workbook (test_addin.py); should Python still
    be reached without one, it says the same, never a traceback."""
    import xlwings._xlwindows as xlwindows

    xlwindows.BOOK_CALLER = None  # xw.Book.caller() has nothing to return
    said = ribbon.command("compute")
    assert said.startswith("There is no open workbook. Open the Form 7207 or NJ-306 workbook first.")
    assert "Traceback" not in capsys.readouterr().err


def test_an_unexpected_failure_is_one_sentence_and_logged(xl, tmp, monkeypatch):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp / "appdata"))
    fake, _ = open_typed(xl, ACME, tmp, "acme")

    def broken(book, adapter=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(live, "fill", broken)
    boxes = xl.run_ribbon(fake)
    text = boxes[0][1]
    assert text.startswith("xlcredits could not finish (RuntimeError: disk on fire)") and "Traceback" not in text
    log = tmp / "appdata" / "xlcredits" / "xlcredits.log"
    assert str(log) in text and "Traceback" in log.read_text(encoding="utf-8")  # kept after Python exits
    assert xl.excel.app.ScreenUpdating is True


def test_check_inputs_marks_findings_and_writes_nothing_else(xl, tmp):
    data = ALL_CASES["i24_3a"]
    fake, book = open_typed(xl, data, tmp, "i24_3a")
    layout = live.XlwingsAdapter(book).layout
    line_8a = parse_address(layout.resolve("F7207_8a"))
    before = copy.copy(fake.sheet(line_8a[0]).cell(line_8a[1] + 1, line_8a[2] + 1))
    boxes = xl.run_ribbon(fake, "check")
    # the instructions' 1,000 W "central inverters" are not central inverters: each row is an error
    # [26 U.S.C. 45X(c)(2)(B); decision F7207-D3]
    assert boxes[0][1].startswith("Form 7207: 2 errors, 0 warnings in the inputs")
    assert fake.sheet(line_8a[0]).cell(line_8a[1] + 1, line_8a[2] + 1) == before  # no line written
    sp = layout.schedules["products"]
    first = fake.sheet(sp.sheet).cell(sp.first_row + 1, sp.cols["capacity_per_unit"] + 1)
    assert first.fill == _bgr(HIGHLIGHT["error"][0]) and "central inverter" in first.comment.lower()
    # the next fill after fixing the rows clears the marks the check made
    fake.sheet(sp.sheet).cell(sp.first_row + 1, sp.cols["capacity_per_unit"] + 1).value = 1_500_000.0
    fake.sheet(sp.sheet).cell(sp.first_row + 2, sp.cols["capacity_per_unit"] + 1).value = 2_000_000.0
    xl.run_ribbon(fake)
    assert first.fill != _bgr(HIGHLIGHT["error"][0]) and first.comment is None


def test_verify_workbook(xl, tmp):
    filled = tmp / "acme-filled.xlsx"
    file_filled(ACME, tmp, "acme")
    fake = xl.open_xlsx(filled)
    boxes = xl.run_ribbon(fake, "verify")
    assert boxes[0][1] == ("Form 7207 verified: every line and every cell xlcredits fills holds the formula and the "
                           "value the inputs give, and the Review and Audit sheets explain these numbers.")
    layout = live.XlwingsAdapter(xl.xw_book(fake)).layout
    sheet, r, c, _, _ = parse_address(layout.resolve("F7207_8a"))
    line_8a = fake.sheet(sheet).cell(r + 1, c + 1)
    line_8a.formula, line_8a.value = None, 1.0  # someone typed over the bottom line
    boxes = xl.run_ribbon(fake, "verify")
    text = boxes[0][1]
    assert text.startswith("Form 7207: 2 problems in 1 cell, which no longer hold what xlcredits computes")
    assert "- F7207_8a ('Form 7207'!" in text and "holds a constant where the form has the formula" in text
    assert "workbook 1.00, engine 981,750.44" in text


def test_verify_sees_a_formula_that_fetches_and_text_that_only_looks_like_one(xl, tmp):
    """A formula calling WEBSERVICE in a line cell is reported; a taxpayer named "=HYPERLINK(...)" is
    text (its value is its own text), not a formula."""
    data = copy.deepcopy(ACME)
    data["filer"]["name"] = '=HYPERLINK("http://x")'
    file_filled(data, tmp, "acme-formula-name")
    fake = xl.open_xlsx(tmp / "acme-formula-name-filled.xlsx")
    book = xl.xw_book(fake)
    assert live.verify(book)[2] == []
    layout = live.XlwingsAdapter(book).layout
    sheet, r, c, _, _ = parse_address(layout.resolve("F7207_8a"))
    fake.sheet(sheet).cell(r + 1, c + 1).formula = '=WEBSERVICE("http://127.0.0.1/8a")'
    problems = [str(p) for p in live.verify(xl.xw_book(fake))[2]]
    assert any("uses WEBSERVICE" in p for p in problems)
    assert any(p.startswith("F7207_8a (") and "is not the line's definition" in p for p in problems)


def test_new_form_opens_a_fresh_workbook_and_never_overwrites(xl, tmp, monkeypatch):
    home = tmp / "profile"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("USERPROFILE", str(home))
    blank = xl.new_book("Book1.xlsx")
    xl.run_ribbon(blank, "new_7207")
    boxes = xl.run_ribbon(blank, "new_7207")
    made = sorted((p.name for p in (home / "Documents").iterdir()), key=len)
    assert len(made) == 2 and made[0].startswith("Form 7207 ") and made[1] == made[0].replace(".xlsx", " (2).xlsx")
    assert "A new Form 7207 workbook is open" in boxes[0][1]
    assert xl.excel.app.ActiveWorkbook._title == made[1]


def test_review_buttons_call_the_review_module_or_say_it_is_missing(xl, tmp, monkeypatch):
    fake, _ = open_typed(xl, ACME, tmp, "acme")
    monkeypatch.setitem(sys.modules, "xlcredits.review.excel", None)  # not installed: ImportError
    boxes = xl.run_ribbon(fake, "send_for_review")
    assert boxes[0][1].startswith("This version of xlcredits cannot send for review yet")
    seen = []
    module = types.ModuleType("xlcredits.review.excel")
    module.send_for_review = lambda book: seen.append(book.name) or "Review copy written."
    module.start_next_year = lambda book: seen.append(("next", book.name)) or None
    monkeypatch.setitem(sys.modules, "xlcredits.review.excel", module)
    assert xl.run_ribbon(fake, "send_for_review")[0][1] == "Review copy written."
    assert xl.run_ribbon(fake, "start_next_year")[0][1] == "Done."
    assert seen == [fake.Name, ("next", fake.Name)]


def test_main_is_the_compute_button():
    assert callable(xlcredits.main)
    assert ribbon.COMMANDS.keys() == {b.tag for b in __import__("xlcredits.addin.build").addin.build.ALL_BUTTONS}


def test_the_review_sheet_and_marks_follow_the_findings_through_check_and_fill(xl, tmp):
    """A fill with findings numbers them on the Review sheet and prints "!N" beside each cell; Check
    inputs writes neither; the fill after the inputs are corrected clears both."""
    data = ALL_CASES["i24_3a"]
    fake, book = open_typed(xl, data, tmp, "i24_3a")
    layout = live.XlwingsAdapter(book).layout
    live.fill(book)
    marks = finding_marks(fake)
    assert sorted(v for _, _, v in marks) == ["!1", "!2"]  # the two central-inverter rows (F7207-D3)
    review = layout.review
    first_row = fake.sheet(review.sheet).cell(review.findings_row + 1, 1)
    assert first_row.value == "1"
    before = contents(fake)
    live.check(book)
    after = contents(fake)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert {sheet for sheet, _ in changed} <= {"xlc_state"}  # the same findings: only the state is rewritten
    sp = layout.schedules["products"]
    for i, watts in enumerate((1_500_000.0, 2_000_000.0)):
        fake.sheet(sp.sheet).cell(sp.first_row + 1 + i, sp.cols["capacity_per_unit"] + 1).value = watts
    live.check(book)  # no findings now; the marks of the fill are still to be cleared
    assert len(finding_marks(fake)) == 2
    live.fill(book)
    assert finding_marks(fake) == []
    assert first_row.value is None and fake.sheet(review.sheet).cell(review.findings_row + 1, 5).value == \
        "No findings."


def test_filling_twice_with_the_same_inputs_gives_the_same_book(xl, tmp):
    fake, book = open_typed(xl, ALL_CASES["i24_3a"], tmp, "i24_3a")
    live.fill(book)
    once = {(s.name, k): copy.copy(v) for s in fake._sheets for k, v in s.cells.items()}
    live.fill(book)
    assert {(s.name, k): v for s in fake._sheets for k, v in s.cells.items()} == once


def retype(fake, typed_fake, layout) -> None:
    """Type another input's values over the open book's input cells (as a preparer edits them)."""
    for target in layout.input_addresses():
        sheet, r, c, _, _ = parse_address(target)
        source = typed_fake.sheet(sheet).cells.get((r + 1, c + 1))
        cell = fake.sheet(sheet).cell(r + 1, c + 1)
        cell.value, cell.formula = (source.value, source.formula) if source else (None, None)


def test_a_second_fill_prints_as_the_file_of_the_new_inputs(xl, tmp):
    """Issue 13: a book filled before is set up again for its new inputs — a schedule emptied is
    hidden, rows printed before are hidden or shown again, the header names the new filer."""
    many = copy.deepcopy(ACME)
    many["components"] = [dict(c, description=f"{c['description']} #{i}") for i in range(4) for c in ACME["components"]]
    fewer = copy.deepcopy(ACME)
    fewer["filer"]["name"] = "Acme Solar Holdings"
    fewer["components"] = ACME["components"][:2]
    fewer["critical_minerals"] = []
    fake, book = open_typed(xl, many, tmp, "many")
    live.fill(book)
    assert fake.sheet("Minerals").visible == -1 and fake.sheet("Products").page["PrintArea"] == "$A$1:$V$43"
    retype(fake, xl.open_xlsx(typed(fewer, tmp, "fewer"), name="fewer.xlsx"), live.XlwingsAdapter(book).layout)
    xl.excel.reset()
    _, layout = live.fill(book)
    from_file = xl.open_xlsx(tmp / "fewer-filled.xlsx" if file_filled(fewer, tmp, "fewer") else None, name="f.xlsx")
    for spec in layout.book.sheets.values():
        if not spec.very_hidden:
            assert print_setup(fake.sheet(spec.name)) == print_setup(from_file.sheet(spec.name)), spec.name
    assert fake.sheet("Minerals").visible == 0  # emptied: not printed
    assert fake.sheet("Products").page["PrintArea"] == "$A$1:$V$5"  # two rows now
    assert "Acme Solar Holdings" in fake.sheet("Review").page["RightHeader"]
    assert xl.excel.printer_talks == 0
