"""`verify` trusts nothing it has not checked (issue 13, point 6): each tampering a person might do
is caught with exit 1 and the cell named; an untouched workbook, even re-saved by LibreOffice,
verifies."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import EXAMPLES, load_json
from libreoffice import needs_soffice, recalculate
from xlcredits.cli import main
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.writer import save

ACME = EXAMPLES / "form7207_acme_2025.json"


@pytest.fixture(scope="module")
def filled():
    return fill_book(load_json(ACME))


def verify(capsys, path) -> tuple[int, str]:
    code = main(["verify", str(path)])
    return code, capsys.readouterr().out


def tampered(filled, tmp_path, change) -> Path:
    book, layout, _ = filled
    copy = book.copy()
    change(copy, layout)
    out = tmp_path / "tampered.xlsx"
    save(copy, out)
    return out


def line_cell(book, layout, key):
    p = layout.line_places[key]
    return book.cell_at(p.sheet, p.row, p.col)


def test_untouched_workbook_verifies(filled, tmp_path, capsys):
    path = tampered(filled, tmp_path, lambda book, layout: None)
    code, out = verify(capsys, path)
    assert code == 0 and out.startswith("VERIFIED:") and out.count("\n") == 1


def test_doubled_formula_with_the_old_value_left_in_place(filled, tmp_path, capsys):
    def double(book, layout):
        cell = line_cell(book, layout, "8a")
        cell.formula = "=2*(" + cell.formula[1:] + ")"  # cached 981,750.44 kept: "all agree" before

    code, out = verify(capsys, tampered(filled, tmp_path, double))
    assert code == 1
    assert "F7207_8a ('Form 7207'!F55) (line 8a): formula =2*(" in out and "is not the line's definition" in out


def test_webservice_in_a_line_cell(filled, tmp_path, capsys):
    def web(book, layout):
        line_cell(book, layout, "8a").formula = '=WEBSERVICE("http://127.0.0.1:9/credit")'

    code, out = verify(capsys, tampered(filled, tmp_path, web))
    assert code == 1 and "Functions (1):" in out
    assert "'Form 7207'!F55: uses WEBSERVICE, which no form formula uses" in out


def test_a_formula_replaced_by_a_constant_of_the_same_value(filled, tmp_path, capsys):
    def constant(book, layout):
        line_cell(book, layout, "1a.e").formula = None  # value 14,000.00 stays

    code, out = verify(capsys, tampered(filled, tmp_path, constant))
    assert code == 1 and "Values" not in out
    assert "F7207_1a_e ('Form 7207'!F25) (line 1a.e): holds a constant where the form has the formula" in out


def test_a_number_format_that_shows_another_unit(filled, tmp_path, capsys):
    def kg(book, layout):
        line_cell(book, layout, "8a").unit = "kg"  # '#,##0.00" kg"' instead of '#,##0.00'

    code, out = verify(capsys, tampered(filled, tmp_path, kg))
    assert code == 1 and "'Form 7207'!F55 (line 8a): number format is '#,##0.00\" kg\"'" in out


def test_an_edited_label(filled, tmp_path, capsys):
    def label(book, layout):
        place = layout.line_places["8a"]
        book.cell_at(place.sheet, place.row, 1).value = "Add lines 1a through 5c only"

    code, out = verify(capsys, tampered(filled, tmp_path, label))
    assert code == 1 and "Labels (1):" in out and "'Form 7207'!B55: reads 'Add lines 1a through 5c only'" in out


def test_every_audit_value_doubled_and_the_fingerprint_zeroed(filled, tmp_path, capsys):
    def audit(book, layout):
        for row in layout.audit.line_rows.values():
            cell = book.cell_at("Audit", row, layout.audit.cols["value"])
            if cell.value is not None:
                cell.value = cell.value * 2
        sheet, r, c = _name(book, "XLC_fingerprint")
        book.cell_at(sheet, r, c).value = "0" * 64

    code, out = verify(capsys, tampered(filled, tmp_path, audit))
    assert code == 1 and "Audit!C7: workbook '0000" in out
    assert "Audit!C12: workbook 0.08, engine 0.04" in out  # line 1a.c, rate 0.04 doubled


def test_an_input_edited_after_the_fill(filled, tmp_path, capsys):
    def units(book, layout):
        sp = layout.schedules["products"]
        book.cell_at(sp.sheet, sp.first_row, sp.cols["units"]).value = 600  # 500 at fill time

    code, out = verify(capsys, tampered(filled, tmp_path, units))
    # 600 × 100 W + 1,500 × 200 W = 360,000 W on line 1a; the Audit sheet still explains 350,000
    assert code == 1 and "engine 360,000" in out and "Audit!D" in out and "Review!D9" in out


def _name(book, name):
    from xlcredits.workbook.a1 import parse_address

    sheet, r, c, _, _ = parse_address(book.names[name])
    return sheet, r, c


def test_white_and_hidden_line_cells(filled, tmp_path, capsys):
    book, layout, _ = filled
    good = tmp_path / "good.xlsx"
    save(book, good)
    wb = openpyxl.load_workbook(good)
    ws = wb["Form 7207"]
    from openpyxl.styles import Font

    ws["F55"].font = Font(color="FFEDEDED", size=9)  # the computed cells' grey fill: invisible
    ws.row_dimensions[25].hidden = True  # line 1a
    wb.save(tmp_path / "styled.xlsx")
    code, out = verify(capsys, tmp_path / "styled.xlsx")
    assert code == 1
    assert "'Form 7207'!F55 (line 8a): text colour EDEDED is the cell's background colour" in out
    assert "'Form 7207'!F25 (line 1a.e): is hidden" in out


def test_macros_and_external_links_are_reported(filled, tmp_path, capsys):
    book, _, _ = filled
    good = tmp_path / "good.xlsx"
    save(book, good)
    bad = tmp_path / "with-parts.xlsx"
    shutil.copy(good, bad)
    with zipfile.ZipFile(bad, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")
        z.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    code, out = verify(capsys, bad)
    assert code == 1 and "carries macros (a VBA project)" in out and "carries external links" in out


def test_a_blank_template_gets_one_sentence(tmp_path, capsys):
    template = Path(__file__).parent.parent / "workbooks" / "form7207.xlsx"
    code, out = verify(capsys, template)
    assert code == 1 and out.count("\n") == 1
    assert "is a blank Form 7207 Rev. 12-2025 template (no inputs filled in)" in out


@needs_soffice
def test_a_workbook_re_saved_by_libreoffice_still_verifies(filled, tmp_path, capsys):
    """Form 7207 and NJ-306: LibreOffice saves NJ-306 line 28's 0.10 as 0.1 and the contract research
    percentage 1.00 as 1; the same numbers are the same formula."""
    book, _, _ = filled
    good = tmp_path / "acme.xlsx"
    save(book, good)
    nj = tmp_path / "nj.xlsx"
    save(fill_book(load_json(EXAMPLES / "nj306_regular_2025.json"))[0], nj)
    for resaved in recalculate([good, nj], tmp_path / "lo"):
        code, out = verify(capsys, resaved)
        assert code == 0, out


def test_numbers_in_formulas_compare_by_value_and_names_do_not():
    from xlcredits.workbook.verify_checks import normal_formula

    assert normal_formula("=ROUND(NJ306_27*0.10,2)") == normal_formula("=round(NJ306_27 * 0.1, 2)")
    assert normal_formula("=NJ306_27*2") != normal_formula("=NJ306_2*2")  # a name's digits are not a number
    assert normal_formula("=E68*1.00") == normal_formula("=E68*1") != normal_formula("=E6*1")
    assert normal_formula('=IF(A1="0.10",1,0)') != normal_formula('=IF(A1="0.1",1,0)')  # text stays text


def test_the_formula_scan_reads_what_openpyxl_reads(tmp_path):
    """verify's own reading (issue 17): the formulas its streamed reader collects with the values
    equal openpyxl's cell for cell, on a completed workbook of each form and on a template."""
    from xlcredits.workbook.files import fill_data_to_file
    from xlcredits.workbook.reader import open_workbook
    from xlcredits.workbook.verify_checks import _openpyxl_formulas

    paths = [Path(__file__).parent.parent / "workbooks" / "nj306.xlsx"]
    for name in ("form7207_acme_2025.json", "nj306_asc_combined_2025.json"):
        out = tmp_path / (name + ".xlsx")
        fill_data_to_file(load_json(EXAMPLES / name), out)
        paths.append(out)
    for path in paths:
        scanned = open_workbook(path, light=True).formulas()
        assert scanned == _openpyxl_formulas(path) and sum(map(len, scanned.values())) > 30, path.name


def _rewritten(good: Path, out: Path, change) -> Path:
    """A copy of a workbook whose Form 7207 sheet's XML went through `change` (text to text)."""
    book = openpyxl.load_workbook(good, read_only=True)
    part = book["Form 7207"]._worksheet_path.lstrip("/")
    book.close()
    with zipfile.ZipFile(good) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[part] = change(parts[part].decode()).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out


def test_a_line_cell_in_a_hidden_column_range(filled, tmp_path, capsys):
    """Columns of one width are saved as one range (the template's E:F is <col min="5" max="6">);
    hiding that range hides F, the line cells' column, too (openpyxl's model files it under E only)."""
    book, _, _ = filled
    good = tmp_path / "good.xlsx"
    save(book, good)

    def hide(xml: str) -> str:
        assert '<col min="5" max="6" ' in xml
        return xml.replace('<col min="5" max="6" ', '<col min="5" max="6" hidden="1" ')

    code, out = verify(capsys, _rewritten(good, tmp_path / "columns.xlsx", hide))
    assert code == 1
    assert "'Form 7207'!F55 (line 8a): is hidden" in out


def test_a_shared_formula_is_read_as_the_formula_it_stands_for(filled, tmp_path, capsys):
    """Some programs save one formula for a range (<f t="shared">); verify expands it before comparing,
    so an unchanged line still verifies and a changed one is still named."""
    import re

    book, _, _ = filled
    good = tmp_path / "good.xlsx"
    save(book, good)

    def shared(formula: str | None):
        def change(xml: str) -> str:
            cell = re.search(r'<c r="F55"[^>]*><f>([^<]*)</f>', xml)
            text = formula if formula is not None else cell.group(1)
            return xml[:cell.start(1) - 3] + f'<f t="shared" ref="F55" si="0">{text}</f>' + xml[cell.end(1) + 4:]
        return change

    code, out = verify(capsys, _rewritten(good, tmp_path / "shared.xlsx", shared(None)))
    assert code == 0, out
    code, out = verify(capsys, _rewritten(good, tmp_path / "shared-changed.xlsx", shared("F26+1")))
    assert code == 1
    assert "('Form 7207'!F55) (line 8a): formula =F26+1 is not the line's definition" in out
