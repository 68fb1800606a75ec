"""The NJ-306 sheet prints on three pages with manual breaks before Part headings, each Part whole
(issue 13; decision P13-NJ-PAGES in layout_nj306: the official Form 306's own page breaks could not
be confirmed from a source, and at 8-point type Parts I-IV with the QRE inputs do not fit one
page). Rendered by LibreOffice to PDF for every bundled NJ example."""

from __future__ import annotations

import re

import pytest

from conftest import EXAMPLES, load_json
from libreoffice import needs_soffice, to_pdf
from test_print_review import pages
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.writer import save

EXAMPLE_NAMES = ("nj306_regular_2025", "nj306_asc_combined_2025", "nj306_short_year_2025")
# printed page of the form sheet: its Parts and the line numbers those Parts print
PAGES = (
    {"Part I": ["1"], "Part II": ["2", "3", "4"], "Part III": [str(n) for n in range(5, 16)]},
    {"Part IV": [str(n) for n in range(16, 25)], "Part V": ["25a", "25b", "25c", "26", "27", "28", "29", "30"],
     "Part VI": [str(n) for n in range(31, 38)]},
    {"Part VII": [str(n) for n in range(38, 45)] + ["45a", "45b", "45c"] + [str(n) for n in range(46, 52)]},
)
PART = re.compile(r"^(Part [IVX]+)   ", re.M)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nj306pages")
    files = []
    for name in EXAMPLE_NAMES:
        book, _, result = fill_book(load_json(EXAMPLES / f"{name}.json"))
        files.append(save(book, folder / f"{name}.xlsx", tax_year=str(result.tax_year), taxpayer="Test Co"))
    return {pdf.stem: pages(pdf) for pdf in to_pdf(files, folder / "pdf")}


@needs_soffice
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_form_sheet_prints_three_pages_each_part_whole(printed, name):
    form = [p["text"] for p in printed[name] if p["sheet"] == "NJ-306"]
    assert len(form) == len(PAGES)
    for number, (text, parts) in enumerate(zip(form, PAGES), 1):
        assert PART.findall(text) == list(parts), f"NJ-306 page {number}"
        for part, lines in parts.items():
            for line in lines:
                assert re.search(rf"^{line}( |$)", text, re.M), f"{part} line {line} not on page {number}"


@needs_soffice
def test_each_page_after_the_first_begins_with_its_part_heading(printed):
    """The break falls just before the Part heading: the heading is the page's first line of body text
    (after the running header and footer)."""
    form = [p["text"] for p in printed["nj306_regular_2025"] if p["sheet"] == "NJ-306"]
    for text, parts in zip(form[1:], PAGES[1:]):
        body = [ln for ln in text.split("\n")[2:] if ln.strip()]
        assert body[0].startswith(next(iter(parts)) + "   "), body[0]
