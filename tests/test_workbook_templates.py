"""The templates: generated from the line definitions, laid out like the forms, named, styled,
print-ready; the committed files in workbooks/ are what the generator produces."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT
from xlcredits.forms.f7207.definition import lines as lines_7207
from xlcredits.forms.nj306.definition import lines as lines_nj306
from xlcredits.workbook import layout_f7207, layout_nj306
from xlcredits.workbook.files import build_templates, write_template
from xlcredits.workbook.registry import TEMPLATE_FILES
from xlcredits.workbook.styles import COMPUTED_FILL, INPUT_FILL, RULE_FILL

LAYOUTS = [(layout_f7207, r) for r in layout_f7207.revisions()] + [(layout_nj306, r) for r in layout_nj306.revisions()]


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    return {p.name: p for p in build_templates(folder)}


@pytest.fixture(scope="module")
def opened(templates):
    """Each template opened once with openpyxl (read, never saved)."""
    return {name: openpyxl.load_workbook(path) for name, path in templates.items()}


def _names_of(wb) -> dict[str, tuple[str, str]]:
    return {name: list(dn.destinations)[0] for name, dn in wb.defined_names.items()}


@pytest.mark.parametrize("module, revision", LAYOUTS, ids=lambda v: getattr(v, "SLUG", v))
def test_every_line_has_its_defined_name(module, revision):
    layout = module.build(revision)
    prefix = module.PREFIX
    for line in layout.lines:
        assert line.key in layout.line_places, f"line {line.key} has no cell"
        name = f"{prefix}_" + re.sub(r"[^A-Za-z0-9_]", "_", line.key.replace("]", ""))
        assert layout.book.names[name] == layout.line_places[line.key].address
    # the names are valid Excel names and unique
    upper = [n.upper() for n in layout.book.names]
    assert len(upper) == len(set(upper))
    for name in layout.book.names:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), name
        assert not re.fullmatch(r"[A-Za-z]{1,3}\d+", name), name  # would read as a cell reference


def test_named_examples_from_the_issue(opened):
    names = _names_of(opened["form7207.xlsx"])
    for name in ("F7207_1a_e", "F7207_8a", "F7207_III_total", "F7207_IV_74", "F7207_6b_e", "F7207_in_filer_name"):
        assert name in names, name
    assert names["F7207_1a_e"][0] == "Form 7207"
    nj = _names_of(opened["nj306.xlsx"])
    for name in ("NJ306_25a", "NJ306_28", "NJ306_10", "NJ306_51", "NJ306_in_taxpayer_name"):
        assert name in nj, name


def test_committed_templates_are_what_the_generator_produces(templates):
    """Run `xlcredits build-templates` after changing a definition or layout."""
    for name, fresh in templates.items():
        committed = ROOT / "workbooks" / name
        assert committed.exists(), f"workbooks/{name} is missing: run `xlcredits build-templates`"
        with zipfile.ZipFile(committed) as a, zipfile.ZipFile(fresh) as b:
            assert sorted(a.namelist()) == sorted(b.namelist()), name
            for part in a.namelist():
                assert a.read(part) == b.read(part), f"{name}:{part} differs: run `xlcredits build-templates`"
    assert set(TEMPLATE_FILES.values()) == set(templates)


def test_form_7207_sheets_and_texts(opened):
    wb = opened["form7207.xlsx"]
    # Review first (printed first), the reviewer's notes, the filler's state very hidden (issue 13)
    assert wb.sheetnames == ["Review", "Form 7207", "Products", "Minerals", "Coal", "Review notes", "Audit",
                             "xlc_state"]
    assert wb["xlc_state"].sheet_state == "veryHidden"
    text = "\n".join(str(c.value) for row in wb["Form 7207"].iter_rows() for c in row if c.value is not None)
    for needle in ("Part I", "Facility Information", "Part II", "(a) Eligible component", "(e) Credit amount",
                   "Part III", "Related Offshore Wind Vessels", "Part IV", "Applicable Critical Minerals",
                   "Registration number", "Thin film or crystalline photovoltaic cell", "Metallurgical coal",
                   "Aluminum converted from bauxite", "Total. Add lines 1 through 73", "Rev. 12-2025"):
        assert needle in text, needle
    products = wb["Products"]
    heads = [c.value for c in products[3]]
    for label in ("Line", "Description", "Units sold", "Capacity per unit (W or kWh)", "Year sold", "Year produced",
                  "MACR", "Max discharge kW per unit", "Credit"):
        assert label in heads, label
    # the line column offers the Part II lines
    rules = [dv for dv in products.data_validations.dataValidation if "A4:" in str(dv.sqref)]
    assert rules and rules[0].type == "list" and '"1a' in rules[0].formula1


def test_nj306_sheets_and_texts(opened):
    wb = opened["nj306.xlsx"]
    assert wb.sheetnames == ["Review", "NJ-306", "Worksheets", "Review notes", "Audit", "xlc_state"]
    text = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    for part in ("Part I", "Part II", "Part III", "Part IV", "Part V", "Part VI", "Part VII"):
        assert part + " " in text
    for needle in ("regular credit method", "alternative simplified credit", "oval", "Fixed-base percentage",
                   "Start-up year", "minimum tax", "credit carried forward", "Periods left (incl. this)",
                   "Allowable credit (lesser of line 30 or line 35)", "Divide line 21 by 6.0"):
        assert needle.lower() in text.lower(), needle


def _fill_of(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper()


@pytest.mark.parametrize("module", [layout_f7207, layout_nj306], ids=lambda m: m.SLUG)
def test_inputs_look_like_inputs_and_lines_like_lines(module, opened):
    layout = module.build(module.revisions()[-1])
    wb = opened[TEMPLATE_FILES[module.FORM]]
    looks = {"input": INPUT_FILL[1:], "computed": COMPUTED_FILL[1:], "rule": RULE_FILL[1:]}
    for line in layout.lines:
        place = layout.line_places[line.key]
        cell = wb[place.sheet].cell(place.row + 1, place.col + 1)
        assert _fill_of(cell) == looks[line.kind], (line.key, line.kind)
        if line.unit == "money":
            assert cell.number_format == "#,##0.00", line.key
        if line.kind == "computed":
            assert str(cell.value).startswith("="), line.key
    for fp in layout.fields.values():
        cell = wb[fp.place.sheet].cell(fp.place.row + 1, fp.place.col + 1)
        assert _fill_of(cell) == looks["input"], fp.field.path
        assert cell.protection.locked is False


def test_number_formats_watts_kwh_percent(opened):
    layout = layout_f7207.build("12-2025")
    wb = opened["form7207.xlsx"]
    fmt = {k: wb[p.sheet].cell(p.row + 1, p.col + 1).number_format for k, p in layout.line_places.items()}
    assert fmt["1a.d"] == '#,##0" W"' and fmt["5a.d"] == '#,##0.00" kWh"' and fmt["1c.d"] == '#,##0.00" kg"'
    nj = layout_nj306.build("10-21")
    wb = opened["nj306.xlsx"]
    p = nj.line_places["10"]
    assert wb[p.sheet].cell(p.row + 1, p.col + 1).number_format == "0.00%"


def test_print_setup(opened):
    wb = opened["form7207.xlsx"]
    form = wb["Form 7207"]
    assert form.freeze_panes
    area = form.print_area if isinstance(form.print_area, str) else form.print_area[0]
    assert "$A$1:$G$" in area  # columns A-F of the form and G, the margin for finding marks
    # a fixed zoom, not "Fit to": Excel ignores manual page breaks (the form's pages) under "Fit to"
    assert 90 <= form.page_setup.scale < 100 and not form.sheet_properties.pageSetUpPr.fitToPage
    assert [b.id for b in form.row_breaks.brk] == [58]  # Part III starts page 2 (Rev. 12-2025)
    assert "Form 7207 (Rev. 12-2025)" in form.oddHeader.left.text
    assert wb["Products"].print_title_rows


def test_formulas_name_their_lines(opened):
    wb = opened["form7207.xlsx"]
    layout = layout_f7207.build("12-2025")
    p = layout.line_places["8a"]
    formula = wb[p.sheet].cell(p.row + 1, p.col + 1).value
    assert formula.startswith("=F7207_1a_e+F7207_1b_e") and formula.endswith("+F7207_6b_e+F7207_7")
    p = layout.line_places["1a.e"]
    # only rows that earn credit count (decision F7207-D5)
    assert wb[p.sheet].cell(p.row + 1, p.col + 1).value == (
        '=ROUND(SUMIFS(F7207_products_credit,F7207_products_line,"1a",F7207_products_phase_out,">0",'
        'F7207_products_eligible,">0"),2)')


def test_revision_by_tax_year():
    assert [layout_f7207.revision_for_year(y) for y in (2023, 2024, 2025, 2031, None)] == \
        ["01-2024", "01-2025", "12-2025", "12-2025", "12-2025"]
    # Form 306 (2023) serves periods beginning in 2023 and later (NJ306-D2)
    assert layout_nj306.revision_for_year(2022) == "10-21"
    assert layout_nj306.revision_for_year(2025) == layout_nj306.revision_for_year(None) == "2023"


@pytest.mark.parametrize("year, revision, has_6b", [(2023, "01-2024", False), (2025, "12-2025", True)])
def test_new_writes_the_revision_of_the_tax_year(tmp_path, capsys, year, revision, has_6b):
    from xlcredits.cli import main

    out = tmp_path / "new.xlsx"
    assert main(["new", "7207", "--tax-year", str(year), "-o", str(out)]) == 0
    assert f"Rev. {revision}" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    names = {name: list(dn.destinations)[0] for name, dn in wb.defined_names.items()}
    assert ("F7207_6b_e" in names) == has_6b
    sheet, ref = names["F7207_in_tax_year"]
    assert wb[sheet][ref.replace("$", "")].value == year
    sheet, ref = names["XLC_revision"]
    assert wb[sheet][ref.replace("$", "")].value == revision
    assert len(lines_7207(revision)) == sum(1 for n in names if n.startswith("F7207_") and not n.startswith(
        ("F7207_in_", "F7207_products_", "F7207_vessels_", "F7207_minerals_", "F7207_coal_")))


def test_new_nj306_and_usage_errors(tmp_path):
    out = tmp_path / "nj.xlsx"
    ok = subprocess.run([sys.executable, "-m", "xlcredits", "new", "nj306", "-o", str(out)], capture_output=True,
                        text=True)
    assert ok.returncode == 0 and out.exists()
    assert len([n for n in _names_of(openpyxl.load_workbook(out)) if re.fullmatch(r"NJ306_\d+[a-c]?", n)]) == \
        len([line for line in lines_nj306() if line.key[:1].isdigit()])
    again = subprocess.run([sys.executable, "-m", "xlcredits", "new", "nj306", "-o", str(out)], capture_output=True,
                           text=True)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    bad = subprocess.run([sys.executable, "-m", "xlcredits", "new", "1040", "-o", str(tmp_path / "x.xlsx")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown form" in bad.stderr


def test_build_templates_command(tmp_path):
    run = subprocess.run([sys.executable, "-m", "xlcredits", "build-templates", "--outdir", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["form7207.xlsx", "nj306.xlsx"]


def test_template_and_write_template_are_deterministic(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template("7207", a, deterministic=True)
    write_template("7207", b, deterministic=True)
    assert Path(a).read_bytes() == Path(b).read_bytes()
