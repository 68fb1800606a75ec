"""Three tax years of one NJ-306 return through the preparer–reviewer loop, with real components:

year 1 filled → sent (the .eml parsed back) → the reviewer changes one input in LibreOffice and
saves the workbook (LibreOffice's own .xlsx writer, driven over UNO by the system python3) →
`diff` shows exactly that change → rollover to year 2 → year 3.

The carryforward ledger is worked out by hand below; every number is typed, none is taken from
the engine. Rules: line 28 is 10% of line 27 [N.J.S.A. 54:10A-5.24(a)(1)]; the ASC base is one
sixth of the 3 prior years' QREs [26 U.S.C. 41(c)(4)(A)]; the minimum tax of a C corporation with
NJ gross receipts of $1,000,000 or more is $2,000 [N.J.S.A. 54:10A-5(e)] and the credit may not
reduce the tax below it [N.J.S.A. 54:10A-5.24(b)]; unused credit carries over 7 years
[N.J.S.A. 54:10A-5.24(b)], used oldest first (project assumption)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from decimal import Decimal
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from xlcredits.cli import main
from xlcredits.forms import compute
from xlcredits.workbook.files import fill_data, load_source
from xlcredits.workbook.layout import col_letter
from xlcredits.workbook.registry import layout_for

from libreoffice import SOFFICE

SYSTEM_PYTHON = "/usr/bin/python3"


def _uno_available() -> bool:
    if SOFFICE is None or not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


pytestmark = [pytest.mark.libreoffice, pytest.mark.slow,
              pytest.mark.skipif(not _uno_available(), reason="LibreOffice with python3-uno is not installed")]

REVIEWER_SCRIPT = r'''
import sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name, p.Value = name, value
    return p

pipe, source, target, sheet, cell, value = sys.argv[1:]
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
deadline = time.time() + 90
while True:
    try:
        ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except Exception:
        if time.time() > deadline:
            raise
        time.sleep(0.3)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
try:
    doc.Sheets.getByName(sheet).getCellRangeByName(cell).setValue(float(value))
    doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "Calc MS Excel 2007 XML"),))
finally:
    doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
'''


def reviewer_types_in_libreoffice(source: Path, target: Path, sheet: str, cell: str, value) -> None:
    """Open `source` in LibreOffice, type `value` into `cell`, save as `target` (.xlsx).

    soffice.bin is started directly (a throw-away profile; a fresh profile makes it restart once
    with exit code 81, and it is started again), so its pid is known and it is always ended."""
    binary = Path(os.path.realpath(SOFFICE)).parent / "soffice.bin"
    profile = Path(tempfile.mkdtemp(prefix="xlc-reviewer-"))
    pipe = f"xlcreview{os.getpid()}"
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=str(profile))
    script = profile / "reviewer.py"
    script.write_text(REVIEWER_SCRIPT, encoding="utf-8")

    def launch():
        return subprocess.Popen([str(binary), "--headless", "--norestore", "--nolockcheck", "--nologo",
                                 "--nodefault", f"-env:UserInstallation={profile.as_uri()}",
                                 f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    office = launch()
    try:
        edit = subprocess.Popen([SYSTEM_PYTHON, str(script), pipe, str(source), str(target), sheet, cell, str(value)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 150
        while edit.poll() is None:
            if office.poll() == 81:  # first start with a fresh profile: LibreOffice restarts itself
                office = launch()
            if time.time() > deadline:
                edit.kill()
            time.sleep(0.2)
        _, err = edit.communicate()
        assert edit.returncode == 0, err
    finally:
        if office.poll() is None:
            try:
                office.wait(timeout=15)  # desktop.terminate() ends it
            except subprocess.TimeoutExpired:
                office.kill()
                office.wait()
        shutil.rmtree(profile, ignore_errors=True)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(map(str, argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


YEAR_1 = {
    "form": "NJ-306", "tax_year": 2025, "taxpayer": {"name": "Hudson Bio Labs LLC", "fein": "22-7654321"},
    "return_type": "CBT-100", "federal_method": "asc",
    "qre": {"wages": 40000, "supplies": 8704, "computer_rental": 0, "contract_research": 5000},
    "prior_year_qres": [45000, 47382, 48000],
    "carryforward": [{"year_earned": 2019, "amount": 4000, "period_years": 7},
                     {"year_earned": 2022, "amount": 3000, "period_years": 7}],
    "tax_liability": 6000, "nj_gross_receipts": 2500000,
}
D = Decimal


def typed(path: Path, out: Path, **amounts) -> Path:
    """The preparer types this year's amounts into the rolled-over workbook and fills it (its Review
    notes carried over, as `fill` and the ribbon's fill do)."""
    from xlcredits.workbook.review_notes import read_review_notes

    data = load_source(path)
    data.update(amounts)
    fill_data(data, out, review_notes=read_review_notes(path))
    return out


def open_review_notes(path: Path) -> tuple[int, list[tuple]]:
    """The Review sheet's count of open review notes, and the rows of the Review notes table."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        count = {r[0]: r[3] for r in wb["Review"].iter_rows(values_only=True) if r[0]}["Open review notes"]
        return count, [r[:4] for r in wb["Review notes"].iter_rows(min_row=4, values_only=True) if any(r[:4])]
    finally:
        wb.close()


def cell_value(path: Path, where: str):
    """The value of the cell a Review note names ("'NJ-306'!D53", "Worksheets!C36")."""
    import openpyxl

    sheet, cell = where.rsplit("!", 1)
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        return wb[sheet.strip("'")][cell].value
    finally:
        wb.close()


def test_three_years(tmp_path, capsys):
    # --- Year 1 (2025): prepared, sent ------------------------------------------------------------
    (tmp_path / "y1.json").write_text(json.dumps(YEAR_1), encoding="utf-8")
    assert run(capsys, "fill", tmp_path / "y1.json", "-o", tmp_path / "hudson-2025.xlsx")[0] == 0
    code, out, err = run(capsys, "send", tmp_path / "hudson-2025.xlsx", "--to", "reviewer@firm.com")
    assert (code, err) == (0, "")
    copy = tmp_path / "Hudson-Bio-Labs-LLC-NJ-306-2025-for-review.xlsx"
    msg = BytesParser(policy=policy.default).parsebytes(copy.with_suffix(".eml").read_bytes())
    assert msg["X-Unsent"] == "1" and msg["To"] == "reviewer@firm.com"
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content() == copy.read_bytes() == (tmp_path / "hudson-2025.xlsx").read_bytes()
    body = " ".join(msg.get_body(preferencelist=("plain",)).get_content().split())
    # As prepared: line 20 = 53,704; line 22 = 140,382 / 6 = 23,397; line 24 = 30,307; line 28 = 3,030.70;
    # line 29 = 4,000 + 3,000 = 7,000; line 30 = 10,030.70; line 35 = 6,000 − 2,000 = 4,000 = line 36;
    # line 37 = 6,030.70.
    assert "Line 30: 10,030.70" in body and "Line 36: 4,000.00" in body and "Line 37: 6,030.70" in body

    # --- The reviewer: the tax liability on the return is 5,500, typed in LibreOffice ---------------
    place = layout_for("NJ-306", tax_year=2025).fields["tax_liability"].place
    cell = f"{col_letter(place.col)}{place.row + 1}"
    reviewed = tmp_path / "hudson-2025-reviewed.xlsx"
    reviewer_types_in_libreoffice(copy, reviewed, place.sheet, cell, 5500)

    code, out, _ = run(capsys, "diff", copy, reviewed, "--format", "json")
    assert code == 1
    d = json.loads(out, parse_float=D)
    assert d["inputs"] == [{"change": "changed", "where": f"Line 31: Tax liability (page 1, line 2 of the return) "
                                                          f"('NJ-306'!{cell})", "field": "", "path": "tax_liability",
                            "cell": f"'NJ-306'!{cell}", "old": 6000, "new": 5500}]
    # Line 35 = 5,500 − 2,000 = 3,500 = line 36; line 37 = 10,030.70 − 3,500 = 6,530.70.
    assert {c["line"]: (c["old"], c["new"]) for c in d["lines"]} == {
        "31": (6000, 5500), "33": (4000, 3500), "35": (4000, 3500), "36": (4000, 3500),
        "37": (D("6030.70"), D("6530.70"))}
    assert d["findings"] == {"appeared": [], "gone": []} and d["revision"] is None

    # LibreOffice recalculated the formula lines, but the ledger's per-vintage "applied" amounts are
    # values the engine writes (the order of use is a rule, not a formula): verify names them, and
    # the preparer refills before sending the workbook on.
    (tmp_path / "back").mkdir()
    code, out, err = run(capsys, "send", reviewed, "--to", "partner@firm.com", "--outdir", tmp_path / "back")
    assert code == 1
    assert err.startswith("xlcredits: hudson-2025-reviewed.xlsx fails verify: ") and err.count("\n") == 1
    assert err.endswith("it was not sent (send it anyway with --force)\n")
    assert list((tmp_path / "back").iterdir()) == []
    from xlcredits.workbook.plainwords import display_address
    from xlcredits.workbook.verify import verify_workbook

    values = {pr.cell: pr.text for pr in verify_workbook(reviewed).problems if pr.group == "Values"}
    ledger = layout_for("NJ-306", tax_year=2025).schedules["carryforward"]
    # 3,500 used oldest first all on 2019 (4,000): 500 of it left, where the workbook still says 0.
    assert values[display_address(ledger.address(0, "remaining"))] == "workbook 0.00, engine 500.00"
    # The Review sheet's totals still show what was prepared: line 36 4,000 (now 3,500), line 37 6,030.70.
    review = {text for cell, text in values.items() if cell.startswith("Review!")}
    assert {"workbook 4,000.00, engine 3,500.00", "workbook 6,030.70, engine 6,530.70"} <= review
    assert run(capsys, "fill", reviewed, "-o", tmp_path / "hudson-2025-final.xlsx")[0] == 0
    code, out, err = run(capsys, "send", tmp_path / "hudson-2025-final.xlsx", "--to", "partner@firm.com",
                         "--outdir", tmp_path / "back")
    assert (code, err) == (0, "")

    # --- Year 2 (2026) ---------------------------------------------------------------------------
    code, out, err = run(capsys, "rollover", reviewed, "--tax-year", 2026, "-o", tmp_path / "hudson-2026.xlsx")
    assert (code, err) == (0, "")
    y2 = load_source(tmp_path / "hudson-2026.xlsx")
    # 3,500 used oldest first: 2019 3,500 of 4,000 (500 left); 2022 3,000 and 2025's 3,030.70 untouched.
    # Periods left, counting 2026 (NJ306-D5, 7-period carryover): 2019 is usable 2020–2026, so 1;
    # 2022 usable 2023–2029, so 4; 2025 (period ended 2025-12-31) usable 2026–2032, so 7.
    assert y2["carryforward"] == [
        {"year_earned": 2019, "amount": D(500), "period_years": 7, "periods_remaining": 1},
        {"year_earned": 2022, "amount": D(3000), "period_years": 7, "periods_remaining": 4},
        {"year_earned": 2025, "period_ends": "2025-12-31", "amount": D("3030.7"), "period_years": 7,
         "periods_remaining": 7}]
    assert y2["prior_year_qres"] == [47382, 48000, 53704]
    # Where each carried value came from, on the new workbook: one open Review notes row per value
    # (name, FEIN, return, federal method, three vintages, three prior years' QREs),
    # counted on the Review sheet; they survive the preparer's fill.
    count, notes = open_review_notes(tmp_path / "hudson-2026.xlsx")
    assert count == len(notes) == 10 and {n[2] for n in notes} == {"open"}
    (qre_note,) = [n for n in notes if n[1] == "Carried from the 2025 return (hudson-2025-reviewed.xlsx), total "
                   "QREs (line 20): 53,704.00"]
    assert qre_note[2:] == ("open", "xlcredits rollover")
    assert cell_value(tmp_path / "hudson-2026.xlsx", qre_note[0]) == 53704  # the note points at the carried value
    year2 = typed(tmp_path / "hudson-2026.xlsx", tmp_path / "hudson-2026-filled.xlsx",
                  qre={"wages": 20000}, tax_liability=2300, nj_gross_receipts=2500000)
    assert open_review_notes(year2)[0] == 10
    r2 = compute(load_source(year2))
    # Line 22 = 149,086 / 6 = 24,847.67 > line 20 = 20,000: line 23 = 0, no new credit (line 28 = 0).
    # Line 29 = 500 + 3,000 + 3,030.70 = 6,530.70; line 35 = 2,300 − 2,000 = 300 = line 36;
    # line 37 = 6,230.70. The 300 goes to 2019, whose other 200 expires after 2026 (2019 + 7).
    assert [r2.lines[k] for k in ("28", "29", "30", "36", "37")] == [D("0.00"), D("6530.70"), D("6530.70"),
                                                                     D("300.00"), D("6230.70")]
    # One period fewer on each: 2022 3, 2025 6.
    assert r2.extras["carryforward_next"] == [
        {"year_earned": 2022, "amount": D("3000.00"), "period_years": 7, "periods_remaining": 3},
        {"year_earned": 2025, "period_ends": "2025-12-31", "amount": D("3030.70"), "period_years": 7,
         "periods_remaining": 6}]

    # --- Year 3 (2027) ---------------------------------------------------------------------------
    code, out, err = run(capsys, "rollover", year2, "--tax-year", 2027, "-o", tmp_path / "hudson-2027.xlsx")
    assert (code, err) == (0, "")
    assert "Credit earned 2019 (200.00 unused) expired after 2026 (7-period carryover) and is not carried." in out
    y3 = load_source(tmp_path / "hudson-2027.xlsx")
    assert y3["prior_year_qres"] == [48000, 53704, 20000]
    year3 = typed(tmp_path / "hudson-2027.xlsx", tmp_path / "hudson-2027-filled.xlsx",
                  qre={"wages": 60000}, tax_liability=10000, nj_gross_receipts=2500000)
    r3 = compute(load_source(year3))
    # Line 22 = (48,000 + 53,704 + 20,000) / 6 = 20,284; line 24 = 60,000 − 20,284 = 39,716; line 28 = 3,971.60.
    # Line 29 = 3,000 + 3,030.70 = 6,030.70; line 30 = 10,002.30; line 36 = 10,000 − 2,000 = 8,000;
    # line 37 = 2,002.30: 2022 and 2025 used up, 1,969.30 of 2027's credit used, 2,002.30 left.
    assert [r3.lines[k] for k in ("22", "28", "29", "30", "36", "37")] == [
        D("20284.00"), D("3971.60"), D("6030.70"), D("10002.30"), D("8000.00"), D("2002.30")]
    assert r3.extras["carryforward_next"] == [{"year_earned": 2027, "period_ends": "2027-12-31",
                                               "amount": D("2002.30"), "period_years": 7, "periods_remaining": 7}]
    # the filled workbooks of years 2 and 3 verify against the engine
    for book in (year2, year3):
        assert run(capsys, "verify", book)[0] == 0


def test_a_workbook_saved_unchanged_by_libreoffice_still_verifies(tmp_path):
    """The reviewer opens the review copy in LibreOffice, retypes the same tax liability and saves:
    nothing about the return changed, so verify must pass."""
    from xlcredits.workbook.verify import verify_workbook

    fill_data(YEAR_1, tmp_path / "y1.xlsx")
    place = layout_for("NJ-306", tax_year=2025).fields["tax_liability"].place
    reviewer_types_in_libreoffice(tmp_path / "y1.xlsx", tmp_path / "same.xlsx", place.sheet,
                                  f"{col_letter(place.col)}{place.row + 1}", 6000)
    report = verify_workbook(tmp_path / "same.xlsx")
    assert report.problems == []
