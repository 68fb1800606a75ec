"""An independent spreadsheet engine agrees: LibreOffice recalculates every completed workbook (with
recalculation forced on load) and every line cell equals the engine's value to the cent; the
templates and completed workbooks print as a few pages that read like the forms."""

from __future__ import annotations

import copy

import pytest

from libreoffice import needs_soffice, pdf_pages_and_text, recalculate, to_pdf
from test_workbook_support import ALL_CASES, fill_case, filled_cases, mismatches
from xlcredits.workbook.files import build_templates, fill_book
from xlcredits.workbook.writer import save

pytestmark = [pytest.mark.libreoffice, needs_soffice]
__all__ = ["filled_cases"]  # the session fixture of filled cases


@pytest.fixture(scope="module")
def recalculated(filled_cases, tmp_path_factory):
    """Every case filled, plus one with a deliberately wrong cached value, recalculated in one run."""
    folder = tmp_path_factory.mktemp("sentinel")
    cases = {name: (layout, result) for name, (_, layout, result) in filled_cases.items()}
    # A sentinel: line 8a cached as 1.00. If LibreOffice did not recalculate, it would stay 1.00.
    book, layout, result = fill_book(copy.deepcopy(ALL_CASES["acme"]))
    p = layout.line_places["8a"]
    book.cell_at(p.sheet, p.row, p.col).value = 1
    save(book, folder / "sentinel.xlsx")
    cases["sentinel"] = (layout, result)
    files = [path for path, _, _ in filled_cases.values()] + [folder / "sentinel.xlsx"]
    outputs = recalculate(files, folder / "recalculated")
    return {path.stem: (path, *cases[path.stem]) for path in outputs}


def test_recalculation_was_forced(recalculated):
    path, layout, result = recalculated["sentinel"]
    assert mismatches(path, layout, result) == []  # 8a is 981,750.44 again, not the cached 1.00


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_libreoffice_agrees_with_the_engine_to_the_cent(recalculated, name):
    path, layout, result = recalculated[name]
    assert mismatches(path, layout, result) == []


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    files = build_templates(folder / "templates")
    for name in ("acme", "nj_regular", "nj_asc_combined"):
        fill_case(ALL_CASES[name], folder / f"{name}.xlsx")
        files.append(folder / f"{name}.xlsx")
    return {p.stem: pdf_pages_and_text(p) for p in to_pdf(files, folder / "out")}


FORM_7207_TEXTS = ("Advanced Manufacturing Production Credit", "Part I", "Facility Information",
                   "Eligible Components", "Related Offshore Wind Vessels", "Applicable Critical Minerals",
                   "Thin film or crystalline photovoltaic cell", "Torque tube", "Microinverter",
                   "Add column (e), lines 1a through 6b", "Aluminum converted from bauxite",
                   "Total. Add lines 1 through 73", "Audit")
NJ306_TEXTS = ("Research and Development Tax Credit", "Energy Research Consortia", "Basic Research Payments",
               "Regular Credit Method", "Alternative Simplified Credit Method", "Total Credit",
               "Tax Credit Limitations", "Combined Group Filers", "Divide line 21 by 6.0",
               "Fixed-base percentage", "minimum tax", "carried forward", "Audit")


# Completed workbooks print the Part IV lines in use only (issue 13); templates print every line.
ACME_TEXTS = tuple(t for t in FORM_7207_TEXTS if t != "Aluminum converted from bauxite") + ("Review", "Lithium")


# Page limits: Review page, the form's pages, the schedules in use (Products at full size spans
# three page widths), the review notes and the Audit sheet. The NJ-306 template's Audit lists every
# line, three pages since the NJ-306 law (issue 11) added the short-year helper values and longer labels.
@pytest.mark.parametrize("stem, texts, most", [("form7207", FORM_7207_TEXTS, 18), ("nj306", NJ306_TEXTS, 10),
                                               ("acme", ACME_TEXTS, 12), ("nj_regular", NJ306_TEXTS, 8)])
def test_workbooks_print_like_the_forms(pdfs, stem, texts, most):
    pages, text = pdfs[stem]
    assert 2 <= pages <= most, f"{stem}.pdf has {pages} pages"
    flat = " ".join(text.split())
    for needle in texts:
        assert needle.lower() in flat.lower(), f"{needle!r} not printed in {stem}.pdf"


def test_completed_pdfs_show_the_numbers(pdfs):
    _, text = pdfs["acme"]
    for amount in ("981,750.44", "108,750.44", "350,000 W", "2,100.00 kWh", "Acme Solar Manufacturing LLC"):
        assert amount in text, amount
    _, text = pdfs["nj_asc_combined"]
    for amount in ("3,030.70", "23,397.00", "Hudson Bio Labs LLC"):
        assert amount in text, amount
