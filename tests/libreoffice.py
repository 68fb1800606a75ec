"""pytest glue over xlcredits.libreoffice: skip cleanly where soffice is missing."""

from __future__ import annotations

import pytest

from xlcredits import libreoffice
from xlcredits.libreoffice import SOFFICE

needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def convert(files, outdir, to: str, timeout: int = 180):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return libreoffice.convert(files, outdir, to, timeout)


def recalculate(files, outdir):
    return convert(files, outdir, "xlsx")


def to_pdf(files, outdir):
    return convert(files, outdir, "pdf")


def pdf_pages_and_text(path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() or "" for page in reader.pages)
