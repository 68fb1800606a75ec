"""Completed workbooks: filled from JSON or from typed-in templates, cached values present, findings
on their cells, read back losslessly, self-contained, verified."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from conftest import EXAMPLES, load_json
from test_workbook_support import ALL_CASES, CASES_7207, computed, fill_case, filled_cases, mismatches
from xlcredits.cli import main
from xlcredits.workbook.filler import BookAdapter, fill_workbook, line_values, plan_fill
from xlcredits.workbook.files import fill_book, load_source, template_book
from xlcredits.workbook.inputs import fingerprint, put_inputs
from xlcredits.workbook.layout_f7207 import build as build_7207
from xlcredits.workbook.reader import OpenpyxlAdapter, open_workbook
from xlcredits.workbook.styles import HIGHLIGHT
from xlcredits.workbook.writer import save

ACME = EXAMPLES / "form7207_acme_2025.json"


__all__ = ["filled_cases"]  # the session fixture, shared with the LibreOffice tests


@pytest.fixture
def filled(filled_cases):
    return filled_cases


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_cached_values_are_the_engines(filled, name):
    """openpyxl data_only=True reads what previews show: every line cell holds the engine's value."""
    path, layout, result = filled[name]
    assert result.computed
    expected = computed(ALL_CASES[name])
    assert result.lines == expected.lines
    assert mismatches(path, layout, result) == []


def test_half_cents_round_half_up(filled):
    _, _, acme = filled["acme"]
    assert acme.lines["1f.e"] == Decimal("108750.44")  # 125,000.5 × 0.87 = 108,750.435
    _, _, inv = filled["half_cent_3a"]
    assert inv.lines["3a.e"] == Decimal("2500.01")  # 1,000,002 × 0.0025 = 2,500.005


LOSSLESS = ["acme", "obbba_2030", "rev_01_2024", "nj_asc_combined", "nj_startup_scorp", "nj_existing_fiscal"]


@pytest.mark.parametrize("name", LOSSLESS)
def test_fill_extract_fill_is_lossless(filled, name, tmp_path):
    path, _, result = filled[name]
    first = load_source(path)
    assert computed(first).lines == result.lines
    again = tmp_path / "again.xlsx"
    fill_case(first, again)
    assert load_source(again) == first


def test_completed_workbook_stands_alone(filled):
    """No macros, no UDFs, no external links: only built-in functions and the workbook's own names."""
    allowed = {"SUM", "SUMIFS", "ROUND", "MIN", "MAX", "IF", "COUNTIF"}  # COUNTIF: the Review sheet counts open notes
    for name, (path, layout, _) in filled.items():
        with zipfile.ZipFile(path) as z:
            parts = z.namelist()
            assert not any("vba" in p.lower() or "externalLink" in p for p in parts), name
            book = z.read("xl/workbook.xml").decode()
            names = {n.upper() for n in re.findall(r'<definedName name="([^"]+)"', book)}
            formulas = [f for p in parts if p.startswith("xl/worksheets/sheet")
                        for f in re.findall(r"<f>([^<]*)</f>", z.read(p).decode())]
        assert formulas, name
        for formula in formulas:
            body = re.sub(r'&quot;.*?&quot;|"[^"]*"|&[a-z]+;', " ", formula)
            for fn in re.findall(r"([A-Z][A-Z0-9.]*)\(", body):
                assert fn in allowed, (name, formula)
            for ident in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\()", body):
                if re.fullmatch(r"[A-Z]{1,3}\d*", ident) or ident.upper() in names:
                    continue
                raise AssertionError(f"{name}: formula uses unknown {ident!r}: {formula}")


def test_the_filler_never_writes_an_input_cell():
    for name, data in ALL_CASES.items():
        data = copy.deepcopy(data)
        _, layout, _ = fill_book(copy.deepcopy(data))
        book = layout.book.copy()
        put_inputs(book, layout, data)
        result, plan = plan_fill(BookAdapter(book), inputs=data)
        written = plan.cells_written()
        assert written, name
        assert not written & layout.input_addresses(), name
        for key, place in layout.line_places.items():
            line = layout.lines_by_key()[key]
            assert (place.address in written) == (line.kind != "input"), (name, key)


def test_fill_from_a_typed_template(tmp_path):
    """The file-based twin of the ribbon button: type into the template, then `xlcredits fill`."""
    template = tmp_path / "typed.xlsx"
    assert main(["new", "7207", "--tax-year", "2025", "-o", str(template)]) == 0
    wb = openpyxl.load_workbook(template)  # stands in for a person typing in Excel
    names = {n: list(dn.destinations)[0] for n, dn in wb.defined_names.items()}

    def cell(name):
        sheet, ref = names[name]
        return wb[sheet][ref.replace("$", "").split(":")[0]]

    cell("F7207_in_filer_name").value = "Typed Co"
    products = wb["Products"]
    # a component's name in the line column is written back as its line, which the formulas match on
    products["A4"], products["B4"], products["C4"], products["D4"] = "Solar module", "Module", 300, 100
    products["A7"], products["E7"] = "1f", 125000.5  # a gap of blank rows is fine
    wb["Minerals"]["A4"], wb["Minerals"]["C4"] = 38, 1000
    wb.save(template)
    before = hashlib.sha256(template.read_bytes()).hexdigest()

    out = tmp_path / "out.xlsx"
    assert main(["fill", str(template), "-o", str(out)]) == 0
    assert hashlib.sha256(template.read_bytes()).hexdigest() == before  # the input is never modified
    data = load_source(out)
    assert data["components"] == [
        {"line": "1e", "description": "Module", "units": 300, "capacity_per_unit": 100},
        {"line": "1f", "quantity": Decimal("125000.5")}]
    result = computed(data)
    assert result.lines["1e.e"] == Decimal("2100.00") and result.lines["1f.e"] == Decimal("108750.44")
    assert result.lines["IV.38"] == Decimal("1000.00")
    layout = build_7207("12-2025")
    assert mismatches(out, layout, result) == []


def _fill_color(cell) -> str:
    return "#" + (cell.fill.fgColor.rgb or "")[-6:].upper()


def test_findings_sit_on_their_input_cells_and_the_audit_sheet(filled):
    path, layout, result = filled["i24_3a"]
    # a 1,000 W "central inverter" is not one [26 U.S.C. 45X(c)(2)(B)]: an error (decision F7207-D3)
    errors = [f for f in result.findings if f.severity == "error"]
    assert len(errors) == 2 and errors[0].where == "components[0].capacity_per_unit"
    wb = openpyxl.load_workbook(path)
    target = layout.schedules["products"].address(0, "capacity_per_unit")
    sheet, ref = target.split("!")
    cell = wb[sheet.strip("'")][ref.replace("$", "")]
    assert _fill_color(cell) == HIGHLIGHT["error"][0]
    assert cell.comment is not None and "central inverter" in cell.comment.text.lower()
    audit = wb["Audit"]
    text = "\n".join(str(c.value) for row in audit.iter_rows() for c in row if c.value is not None)
    # plain words, not JSON paths (issue 13): the row as the Products sheet numbers it, the column header
    assert "Products row 1" in text and "components[0]" not in text and "Products!D4" in text
    assert "1a.e" in text and "sum of line 3a product credits" in text


def test_audit_sheet_meta(filled):
    import xlcredits

    path, layout, result = filled["acme"]
    a = OpenpyxlAdapter(open_workbook(path))
    assert a.read("XLC_form") == "7207" and a.read("XLC_revision") == "12-2025"
    assert a.read("XLC_engine") == xlcredits.__version__ and str(a.read("XLC_tax_year")) == "2025"
    assert a.read("XLC_fingerprint") == fingerprint(load_source(path))
    assert re.fullmatch(r"[0-9a-f]{64}", a.read("XLC_fingerprint"))
    assert a.read("XLC_status").startswith("Computed")


def test_rule_values_are_plain_values_with_a_note(filled):
    path, layout, _ = filled["obbba_2030"]
    wb = openpyxl.load_workbook(path)
    p = layout.line_places["1a.c"]
    rate = wb[p.sheet].cell(p.row + 1, p.col + 1)
    assert rate.data_type == "n" and rate.value == 0.04 and "45X(b)(1)(A)" in rate.comment.text
    sp = layout.schedules["products"]
    sheet, ref = sp.address(0, "phase_out").split("!")
    phase = wb[sheet.strip("'")][ref.replace("$", "")]
    # no note per row (issue 13: notes only where a finding applies; the phase-out is on the Review
    # sheet's statement and the Audit sheet): a live fill would pay round trips for each
    assert phase.value == 0.75 and phase.comment is None
    sheet, ref = sp.address(0, "credit").split("!")
    assert str(wb[sheet.strip("'")][ref.replace("$", "")].value).startswith("=$")


def test_text_that_looks_like_a_formula_stays_text(filled):
    path, layout, _ = filled["obbba_2030"]
    wb = openpyxl.load_workbook(path)
    for path_, text in (("facility.registration_number", '=HYPERLINK("http://x")'),
                        ("facility.address", "+1 Main St"), ("facility.description", "-dash @at")):
        p = layout.fields[path_].place
        cell = wb[p.sheet].cell(p.row + 1, p.col + 1)
        assert cell.data_type == "s" and cell.value == text


def test_blocking_errors_leave_lines_blank_and_mark_the_input(tmp_path, capsys):
    data = copy.deepcopy(CASES_7207["i24_1a"])
    del data["components"][1]["units"]
    src, out = tmp_path / "bad.json", tmp_path / "bad.xlsx"
    src.write_text(json.dumps(data))
    assert main(["fill", str(src), "-o", str(out)]) == 1
    # issue 16: the JSON path with the 1-based row, then the field and what its line needs
    assert "components[1].units (components row 2" in (out_text := capsys.readouterr().out)
    assert "units is required for line 1a" in out_text
    a = OpenpyxlAdapter(open_workbook(out))
    assert a.read("F7207_1a_e") is None and a.read("F7207_8a") is None
    assert a.read("XLC_status").startswith("Not computed")
    layout = build_7207("12-2025")
    sheet, ref = layout.schedules["products"].address(1, "units").split("!")
    cell = openpyxl.load_workbook(out)[sheet.strip("'")][ref.replace("$", "")]
    assert _fill_color(cell) == HIGHLIGHT["error"][0] and "required" in cell.comment.text


def test_unknown_json_fields_are_reported_not_dropped(tmp_path, capsys):
    data = copy.deepcopy(CASES_7207["i24_1a"])
    data["components"][0]["capacity_per_unt"] = 5
    src, out = tmp_path / "typo.json", tmp_path / "typo.xlsx"
    src.write_text(json.dumps(data))
    assert main(["fill", str(src), "-o", str(out)]) == 1
    assert "capacity_per_unt" in capsys.readouterr().out
    assert OpenpyxlAdapter(open_workbook(out)).read("F7207_8a") is None


def test_refilling_a_live_book_clears_stale_marks():
    """The ribbon path fills the same book twice: marks of the first fill must go."""
    data = copy.deepcopy(CASES_7207["i24_3a"])
    book, layout, result = fill_book(data)
    target = layout.schedules["products"].address(0, "capacity_per_unit")
    sheet, r, c = layout.schedules["products"].sheet, layout.schedules["products"].first_row, \
        layout.schedules["products"].cols["capacity_per_unit"]
    assert book.cell_at(sheet, r, c).highlight == "error"  # size class (decision F7207-D3)
    # the preparer fixes the rows (central inverters over 1,000 kW) and removes the second one
    book.cell_at(sheet, r, c).value = 1500000
    for col in layout.schedules["products"].inputs():
        book.cell_at(sheet, r + 1, layout.schedules["products"].cols[col.key]).value = None
    result = fill_workbook(BookAdapter(book))
    assert result.computed and not result.findings
    assert book.cell_at(sheet, r, c).highlight is None and book.cell_at(sheet, r, c).note is None
    credit = layout.schedules["products"].cols["credit"]
    assert book.cell_at(sheet, r + 1, credit).value is None  # the removed row's outputs are cleared
    assert result.lines["3a.d"] == Decimal(50 * 1500000)
    assert target


def test_verify_reports_hand_edits_and_stale_inputs(tmp_path, capsys):
    book, layout, result = fill_book(load_json(ACME))
    good = tmp_path / "good.xlsx"
    save(book, good)
    assert main(["verify", str(good)]) == 0
    assert capsys.readouterr().out.startswith("VERIFIED:")

    edited = book.copy()  # a reviewer types over line 8a
    p = layout.line_places["8a"]
    cell = edited.cell_at(p.sheet, p.row, p.col)
    cell.formula, cell.value = None, 1000000
    save(edited, tmp_path / "edited.xlsx")
    assert main(["verify", str(tmp_path / "edited.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "F7207_8a ('Form 7207'!F" in out and "workbook 1,000,000.00, engine 981,750.44" in out

    stale = book.copy()  # an input changed after the fill, without refilling
    sp = layout.schedules["products"]
    stale.cell_at(sp.sheet, sp.first_row, sp.cols["units"]).value = 600
    save(stale, tmp_path / "stale.xlsx")
    assert main(["verify", str(tmp_path / "stale.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "F7207_1a_d" in out and "F7207_1a_e" in out and "engine 360,000" in out


def test_commands_refuse_to_overwrite_and_never_touch_the_input(tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    assert main(["fill", str(ACME), "-o", str(out)]) == 0
    first = out.read_bytes()
    assert main(["fill", str(ACME), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == first
    assert main(["fill", str(ACME), "-o", str(out), "--force"]) == 0
    assert main(["fill", str(out), "-o", str(out), "--force"]) == 2
    assert "never modified" in capsys.readouterr().err
    assert not list(tmp_path.glob(".xlcredits-*"))  # no temporary files left behind


@pytest.mark.parametrize("content, message", [
    (b"not a workbook", "not an .xlsx workbook"),
    (b"PK\x05\x06" + b"\x00" * 18, "not an Excel workbook"),
])
def test_unreadable_workbooks_give_one_sentence(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    for command in (["extract", str(bad)], ["verify", str(bad)], ["fill", str(bad), "-o", str(tmp_path / "o.xlsx")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_a_foreign_workbook_is_named_as_such(tmp_path, capsys):
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(other)
    assert main(["extract", str(other)]) == 2
    assert "not an xlcredits form workbook" in capsys.readouterr().err


def test_extract_prints_the_json_input(tmp_path, capsys):
    out = tmp_path / "nj.xlsx"
    assert main(["fill", str(EXAMPLES / "nj306_regular_2025.json"), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["extract", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out, parse_float=Decimal)
    original = load_json(EXAMPLES / "nj306_regular_2025.json")
    assert computed(printed).lines == computed(original).lines
    assert printed["carryforward"] == original["carryforward"] and printed["taxpayer"] == original["taxpayer"]


def test_too_many_rows_is_a_sentence(tmp_path, capsys):
    data = copy.deepcopy(CASES_7207["i24_1a"])
    data["components"] = data["components"] * 1001
    src = tmp_path / "big.json"
    src.write_text(json.dumps(data))
    assert main(["fill", str(src), "-o", str(tmp_path / "big.xlsx")]) == 2
    assert "holds 2,000" in capsys.readouterr().err


def _counting_compute(monkeypatch) -> list:
    import xlcredits.forms

    calls, real = [], xlcredits.forms.compute

    def counted(data):
        calls.append(1)
        return real(data)

    monkeypatch.setattr(xlcredits.forms, "compute", counted)
    return calls


def test_one_compute_per_fill(monkeypatch, tmp_path):
    """Issue 17: the file path computes the form once (it computed twice: once for the revision)."""
    calls = _counting_compute(monkeypatch)
    _, _, result = fill_book(load_json(ACME))
    assert len(calls) == 1 and result.lines["8a"] == Decimal("981750.44")


def test_an_oversized_input_is_refused_before_computing(monkeypatch):
    """Issue 17: 100,000 product rows (the Products table holds 2,000) are counted and refused at once."""
    import time

    from xlcredits.workbook.writer import WorkbookError

    calls = _counting_compute(monkeypatch)
    data = copy.deepcopy(CASES_7207["i24_1a"])
    data["components"] = data["components"] * 50_000
    start = time.process_time()
    with pytest.raises(WorkbookError, match="the input has 100,000 components rows; the workbook's Products "
                                            "table holds 2,000"):
        fill_book(data)
    assert calls == [] and time.process_time() - start < 0.5


def test_a_blank_template_is_filled_as_not_computed(tmp_path):
    layout = build_7207("12-2025")
    book = template_book(layout)
    result = fill_workbook(BookAdapter(book))
    assert not result.computed and any(f.where == "tax_year" for f in result.findings)
    p = layout.fields["tax_year"].place
    assert book.cell_at(p.sheet, p.row, p.col).highlight == "error"
    assert all(line_values(result).get(k) is None for k in ("8a", "1a.e"))
