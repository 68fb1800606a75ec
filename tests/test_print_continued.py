"""A table that continues onto later printed pages says so (issue 13): its heading rows repeat on each
page and the header of pages 2 and on reads "<sheet> (continued)"; page 1 does not. Rendered by
LibreOffice to PDF from a completed workbook with a long Products schedule."""

from __future__ import annotations

import zipfile

import pytest

from conftest import EXAMPLES, load_json
from libreoffice import needs_soffice, to_pdf
from test_print_review import page_numbers_agree, pages
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.writer import save

COPIES = 12  # the acme example's 10 products, 12 times: 120 rows, several pages at full size


def long_products() -> dict:
    data = load_json(EXAMPLES / "form7207_acme_2025.json")
    data["components"] = [dict(c, description=f"{c['description']} #{i + 1}")
                          for i in range(COPIES) for c in data["components"]]
    return data


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("continued")
    book, _, result = fill_book(long_products())
    out = folder / "long.xlsx"
    save(book, out, tax_year=str(result.tax_year), taxpayer="Acme Solar")
    return out, pages(to_pdf([out], folder / "pdf")[0])


@needs_soffice
def test_pages_after_the_first_of_a_schedule_say_continued(printed):
    _, pdf = printed
    products = [p for p in pdf if p["sheet"] == "Products"]
    assert len(products) >= 3  # 120 rows at full size do not fit two pages
    assert "(continued)" not in products[0]["flat"]
    for number, page in enumerate(products[1:], 2):
        assert "Products (continued)" in page["flat"], f"Products page {number}"
        assert "Description" in page["flat"], f"Products page {number}: the heading row repeats"
    # the last product is printed, on a continued page
    assert f"#{COPIES}" in " ".join(p["flat"] for p in products)
    # "Page k of n" on every page, n the sheet's own pages (down and across)
    assert page_numbers_agree(pdf) == []


@needs_soffice
def test_form_pages_do_not_say_continued(printed):
    """The form's second page is the form's own page 2 (Parts III and IV), not a continuation."""
    _, pdf = printed
    form = [p for p in pdf if p["sheet"] == "Form 7207"]
    assert len(form) == 2 and not any("(continued)" in p["flat"] for p in form)


def test_first_page_header_lacks_the_continued_section(printed):
    """The stored header: pages 2+ (oddHeader) carry the section, page 1 (firstHeader) does not,
    and page 1 keeps the footer (firstFooter)."""
    out, _ = printed
    with zipfile.ZipFile(out) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    products = next(x for x in sheets if "Products (continued)" in x)
    assert '<headerFooter differentFirst="1">' in products
    first = products.split("<firstHeader>")[1].split("</firstHeader>")[0]
    odd = products.split("<oddHeader>")[1].split("</oddHeader>")[0]
    assert "(continued)" not in first and "(continued)" in odd
    assert first == odd.replace("\n&amp;BProducts (continued)", "")
    assert "<firstFooter>" in products


LONG_COPIES = 60  # 600 product rows: about 16 pages down at full size, past the live fill's limit


@needs_soffice
def test_a_file_breaks_and_counts_every_page_of_a_long_table(tmp_path):
    """`xlcredits fill` has no round-trip budget: a table longer than `pages.MAX_PAGES_DOWN` pages
    down still gets its manual breaks and "Page k of n" on every page (issue 13); only the ribbon's
    live fill leaves such a table to the program's own breaks."""
    from xlcredits.workbook.pages import MAX_PAGES_DOWN

    data = load_json(EXAMPLES / "form7207_acme_2025.json")
    data["components"] = [dict(c, description=f"{c['description']} #{i + 1}")
                          for i in range(LONG_COPIES) for c in data["components"]]
    book, _, result = fill_book(data)
    out = tmp_path / "longer.xlsx"
    save(book, out, tax_year=str(result.tax_year), taxpayer="Acme Solar")
    pdf = pages(to_pdf([out], tmp_path / "pdf")[0])
    products = [p for p in pdf if p["sheet"] == "Products"]
    across = 3  # the acme Products sheet prints three pages across (Line and Description repeated)
    assert len(products) > MAX_PAGES_DOWN * across
    assert page_numbers_agree(pdf) == []
    assert f"#{LONG_COPIES}" in " ".join(p["flat"] for p in products)
