"""A combined group filer's NJ-306 prints Part VI (lines 31-37) blank, as the form says: "Part VI Tax
Credit Limitations: CBT-100, CBT-100S and BFC-1 filers (combined filers skip)" (Form NJ-306 (2023),
Part VI heading). Its limit is Part VII: Section A (lines 38-44) for every combined group filer,
Section B (45-51) for a member not sharing its credit. The Review sheet's totals show the part that
applies. A separate filer (CBT-100) is the mirror image: Part VII blank. Rendered by LibreOffice."""

from __future__ import annotations

import re

import pytest

from conftest import EXAMPLES, load_json
from libreoffice import needs_soffice, to_pdf
from test_print_review import pages
from xlcredits.forms import compute
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.writer import save

MONEY = r"-?[\d,]+\.\d\d"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("combined")
    files = []
    for name in ("nj306_asc_combined_2025", "nj306_regular_2025"):
        book, _, result = fill_book(load_json(EXAMPLES / f"{name}.json"))
        out = folder / f"{name}.xlsx"
        save(book, out, tax_year=str(result.tax_year), taxpayer="")
        files.append(out)
    return {pdf.stem: pages(pdf) for pdf in to_pdf(files, folder / "pdf")}


def amount_on_line(form_text: str, line: str) -> str | None:
    """The amount printed on a form line's row ("36 Allowable credit ... 4,600.00"), or None."""
    found = re.search(rf"^\s*{line}\s+\D[^\n]*?({MONEY})\s*$", form_text, re.M)
    return found.group(1) if found else None


def test_the_engine_leaves_part_vi_blank_for_a_combined_filer():
    """Unchanged JSON results: a CBT-100U member has no Part VI values (None, not 0)."""
    result = compute(load_json(EXAMPLES / "nj306_asc_combined_2025.json"))
    assert [result.lines.get(str(n)) for n in range(31, 38)] == [None] * 7
    assert str(result.lines["43"]) == "3030.70" and str(result.lines["50"]) == "3030.70"  # line 30 = 3,030.70


@needs_soffice
def test_a_combined_filer_prints_part_vi_blank(printed):
    pdf = printed["nj306_asc_combined_2025"]
    form = "\n".join(p["text"] for p in pdf if p["sheet"] == "NJ-306")
    for line in ("31", "32", "33", "34", "35", "36", "37"):
        assert re.search(rf"^\s*{line}\s+\D", form, re.M), f"line {line} is printed"
        assert amount_on_line(form, line) is None, f"line {line} prints {amount_on_line(form, line)}"
    assert amount_on_line(form, "43") == "3,030.70" and amount_on_line(form, "50") == "3,030.70"
    review = pdf[0]["flat"]  # wrapped labels come out after the amounts in the PDF's text order
    assert "43 3,030.70 50 3,030.70 51 0.00 Carried forward: 0.00." in review
    assert "Allowable credit (combined group, sharing: Part VII, Section A)" in review
    assert not re.search(r"\b3[67] (Allowable credit|Carryover)", review) and "\n36 " not in pdf[0]["text"]


@needs_soffice
def test_a_separate_filer_prints_part_vii_blank(printed):
    pdf = printed["nj306_regular_2025"]
    form = "\n".join(p["text"] for p in pdf if p["sheet"] == "NJ-306")
    assert amount_on_line(form, "36") == "4,600.00" and amount_on_line(form, "37") == "0.00"
    for line in ("38", "43", "44", "50", "51"):
        assert amount_on_line(form, line) is None, f"line {line} prints {amount_on_line(form, line)}"
    review = pdf[0]["flat"]
    assert "36 Allowable credit 4,600.00 37 Carryover to next year 0.00 Carried forward: 0.00." in review
    assert "Part VII" not in review
