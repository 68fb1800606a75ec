"""Printed completed workbooks, read as a reviewer would (issue 13): every sheet rendered by
LibreOffice to PDF. The Review page comes first with every finding's text; no printed text is
smaller than 8 points (font size × text matrix × CTM, from the PDF's text spans); every page's
header carries the identifying number; the form sheets print on the official form's pages; the
marks of findings print as text."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest

from conftest import EXAMPLES, load_json
from libreoffice import needs_soffice, to_pdf
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.review_sheet import TEXT
from xlcredits.workbook.writer import save

DATA = Path(__file__).parent / "data"
CASES = {  # name: (input, identifying number, form sheet, official pages of that form)
    "findings_7207": (DATA / "review_7207_findings.json", "12-3456789", "Form 7207", 2),
    "acme": (EXAMPLES / "form7207_acme_2025.json", "12-3456789", "Form 7207", 2),
    "nj_regular": (EXAMPLES / "nj306_regular_2025.json", None, "NJ-306", None),
}
FOOTER = re.compile(r"^(?P<sheet>.+?) Page (?P<page>\d+)( of (?P<pages>\d+))? ", re.M)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    files, books = [], {}
    for name, (path, *_rest) in CASES.items():
        book, layout, result = fill_book(load_json(path))
        out = folder / f"{name}.xlsx"
        save(book, out, tax_year=str(result.tax_year), taxpayer="")
        files.append(out)
        books[name] = (book, layout, result)
    pdfs = {p.stem: p for p in to_pdf(files, folder / "pdf")}
    return {name: (pages(pdfs[name]), *books[name]) for name in CASES}


def pages(pdf: Path) -> list[dict]:
    """Each page: its text, its smallest printed type size, the sheet its footer names."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(str(pdf)).pages:
        sizes = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes.append(size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]))

        text = page.extract_text(visitor_text=visit) or ""
        footer = FOOTER.search(text)
        out.append({"text": text, "flat": " ".join(text.split()), "smallest": min(sizes, default=99),
                    "sheet": footer.group("sheet") if footer else None})
    return out


def identifying_number(book, layout):
    from xlcredits.workbook.a1 import parse_address

    sheet, r, c, _, _ = parse_address(layout.review.meta["tin"])
    return book.cell_at(sheet, r, c).value


@needs_soffice
@pytest.mark.parametrize("name", sorted(CASES))
def test_review_page_first_with_every_finding(printed, name):
    pdf, book, layout, result = printed[name]
    first = pdf[0]
    assert first["sheet"] == "Review" and "Review: " in first["flat"]
    rv = layout.review
    unspaced = "".join(first["flat"].split())  # LibreOffice wraps at spaces, hyphens and "(": compare without spaces
    for i, _ in enumerate(result.findings):
        text = book.cell_at(rv.sheet, rv.findings_row + i, TEXT).value
        assert "".join(text.split()) in unspaced, text
    if not result.findings:
        assert "No findings." in first["flat"]


@needs_soffice
@pytest.mark.parametrize("name", sorted(CASES))
def test_no_printed_text_below_8_points(printed, name):
    pdf = printed[name][0]
    for number, page in enumerate(pdf, 1):
        assert page["smallest"] >= 8.0 - 1e-6, f"{name} page {number} ({page['sheet']}): {page['smallest']:.2f} pt"


@needs_soffice
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_page_header_carries_the_identifying_number(printed, name):
    pdf, book, layout, _ = printed[name]
    number = identifying_number(book, layout)
    assert number
    for i, page in enumerate(pdf, 1):
        # the header's left part (form; "<sheet> (continued)") and right part (name and tax year; identifiers)
        header = " ".join(page["text"].split("\n")[:4])
        assert number in header and "Tax year" in header, f"{name} page {i}"


def page_numbers_agree(pdf: list[dict]) -> list[str]:
    """Each sheet's pages, in print order, must read "Page 1 of n" ... "Page n of n", n the pages
    that sheet printed (the footer's count is written when the workbook is; the PDF is the truth)."""
    problems, runs = [], []
    for page in pdf:
        if runs and runs[-1][0] == page["sheet"]:
            runs[-1][1].append(page)
        else:
            runs.append((page["sheet"], [page]))
    for sheet, pages_of_sheet in runs:
        for k, page in enumerate(pages_of_sheet, 1):
            found = FOOTER.search(page["text"])
            said = (found.group("page"), found.group("pages")) if found else None
            if said != (str(k), str(len(pages_of_sheet))):
                problems.append(f"{sheet} page {k} of {len(pages_of_sheet)} says {said}")
    return problems


@needs_soffice
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_page_says_page_k_of_its_sheets_pages(printed, name):
    """Issue 13: "Page X of Y" on every printed sheet, Y the sheet's own page count."""
    pdf = printed[name][0]
    assert page_numbers_agree(pdf) == []
    assert len({p["sheet"] for p in pdf}) == len([k for k, _ in itertools.groupby(p["sheet"] for p in pdf)])


@needs_soffice
@pytest.mark.parametrize("name", ["acme", "findings_7207"])
def test_form_7207_prints_on_the_forms_two_pages(printed, name):
    """Form 7207 (Rev. 12-2025) has two pages: Parts I and II, then Parts III and IV. Empty vessel
    rows and minerals without costs do not print; an empty Coal sheet is hidden."""
    pdf = printed[name][0]
    form_pages = [p for p in pdf if p["sheet"] == "Form 7207"]
    assert len(form_pages) == 2
    assert "Part II Eligible Components" in form_pages[0]["flat"] and "8c" in form_pages[0]["flat"]
    assert form_pages[1]["flat"].find("Part III") >= 0 and "Part IV" in form_pages[1]["flat"]
    assert "Coal" not in {p["sheet"] for p in pdf}
    assert pdf[-1]["sheet"] == "Audit"


@needs_soffice
def test_finding_marks_print_beside_their_inputs(printed):
    pdf = printed["findings_7207"][0]
    form = next(p for p in pdf if p["sheet"] == "Form 7207")
    # Products prints at full size across pages (first two columns repeated); the margin column is its last
    products = " ".join(p["flat"] for p in pdf if p["sheet"] == "Products")
    assert "!1" in form["flat"]
    assert "!2" in products and "!3" in products


def test_cached_values_without_recalculation_on_open(tmp_path):
    """No fullCalcOnLoad and a current calculation engine id: Excel shows the cached values and does
    not ask to save a workbook a reviewer only looked at (to confirm on a Windows PC)."""
    import zipfile

    book, _, _ = fill_book(load_json(EXAMPLES / "form7207_acme_2025.json"))
    out = tmp_path / "acme.xlsx"
    save(book, out)
    workbook_xml = zipfile.ZipFile(out).read("xl/workbook.xml").decode()
    calc = re.search(r"<calcPr[^>]*/>", workbook_xml).group(0)
    assert "fullCalcOnLoad" not in calc and 'calcId="191029"' in calc
