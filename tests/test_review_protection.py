"""Every sheet is protected without a password (issue 13): computed and rule cells are locked,
inputs and the review notes are not. LibreOffice, driven over UNO as a user types, refuses a
number typed over line 8a and accepts one typed into an input cell."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import EXAMPLES, load_json
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.protection import sheets_to_protect
from xlcredits.workbook.writer import save

UNO = Path("/usr/lib/python3/dist-packages/uno.py")
needs_uno = pytest.mark.skipif(not (UNO.exists() and shutil.which("soffice") and Path("/usr/bin/python3").exists()),
                               reason="LibreOffice with python3-uno is not installed")


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    book, layout, _ = fill_book(load_json(EXAMPLES / "form7207_acme_2025.json"))
    path = tmp_path_factory.mktemp("protect") / "acme.xlsx"
    save(book, path)
    return path, layout


def test_every_sheet_protected_without_password_inputs_and_notes_unlocked(acme):
    path, layout = acme
    wb = openpyxl.load_workbook(path)
    assert sheets_to_protect(layout) == wb.sheetnames
    for ws in wb.worksheets:
        assert ws.protection.sheet and not ws.protection.password and not ws.protection.hashValue, ws.title
    form = wb["Form 7207"]
    assert form["F55"].protection.locked  # line 8a
    assert form["D25"].protection.locked  # rate 1a (c): a rule value
    assert not form["C3"].protection.locked  # the filer's name: an input
    assert not wb["Review notes"]["B4"].protection.locked and not wb["Review notes"]["C103"].protection.locked
    assert wb["Review"]["D9"].protection.locked


@needs_uno
def test_libreoffice_refuses_typing_over_a_line_and_accepts_an_input(acme):
    path, _ = acme
    script = Path(__file__).parent / "uno_typing.py"
    # a Products input far down the table (its column's style) and a review note are typeable too
    run = subprocess.run(["/usr/bin/python3", str(script), str(path), "Form 7207", "F55", "C3", "Products!C1500",
                          "Review notes!B4"],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    typed = json.loads(run.stdout.strip().splitlines()[-1])
    assert typed["protected"] is True
    assert typed["F55"] == "981,750.44"  # line 8a: the typing was refused
    assert typed["C3"] == "123456"  # the filer's name: typed
    assert typed["Products!C1500"] == "123,456.00"  # units, shown in the column's number format
    assert typed["Review notes!B4"] == "123456"


def test_the_module_is_importable_without_uno():
    assert "uno" not in sys.modules
