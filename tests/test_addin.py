"""The ribbon add-in workbooks/xlcredits.xlam (its VBA project written on Linux, read back by oletools'
olevba and by LibreOffice), its customUI.xml, and `py -m xlcredits excel-setup`."""

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path, PureWindowsPath
from xml.etree import ElementTree as ET

import pytest

import xlwings
from xlcredits.addin import build, setup, udf_vba, vba
from xlcredits.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbooks" / "xlcredits.xlam"
NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
LO_VBA = Path(__file__).resolve().parent / "xlfake" / "lo_vba.py"
MODULES = ["ThisWorkbook", "Sheet2", "Dictionary", "xlwings", "RibbonXlcredits", "xlwings_udfs"]
FUNCTIONS = ["CREDIT_45X", "RATE_45X", "UNIT_45X", "LINE_45X", "PHASEOUT_45X", "MACR_THRESHOLD_45X", "NJ_RD_CREDIT",
             "NJ_MINIMUM_TAX", "NJ_FIXED_BASE_STARTUP", "NJ_FIXED_BASE_EXISTING", "NJ_ALLOWABLE_CREDIT"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build.build(tmp_path_factory.mktemp("addin") / "xlcredits.xlam")


@pytest.fixture(scope="module")
def expected_modules() -> dict[str, str]:
    """What each module must hold: the template's modules as build.py changes them."""
    template = zipfile.ZipFile(build.template_path()).read(build.VBA_PART)
    modules = build.addin_modules(build.vba_modules(template), udf_vba.wrappers_module("xlcredits.xlam"))
    return {m.name: vba.source_bytes(m.source).decode("cp1252").replace("\r\n", "\n") for m in modules}


# --- customUI.xml ----------------------------------------------------------------------------

def test_customui_structure():
    xml = build.customui_xml()
    root = ET.fromstring(xml)
    assert root.tag == f"{NS}customUI"
    tabs = root.findall(f"{NS}ribbon/{NS}tabs/{NS}tab")
    assert [t.get("label") for t in tabs] == ["Tax Credits"]
    buttons = [b for g in tabs[0].findall(f"{NS}group") for b in g.findall(f"{NS}button")]
    assert [(b.get("label"), b.get("tag")) for b in buttons] == [
        ("Compute form", "compute"), ("Check inputs", "check"), ("Verify workbook", "verify"),
        ("New Form 7207", "new_7207"), ("New NJ-306", "new_nj306"),
        ("Send for review", "send_for_review"), ("Start next year", "start_next_year")]
    assert {b.get("onAction") for b in buttons} == {"RibbonXlcredits.OnAction"}  # one callback for all
    assert build.customui_problems(xml, callbacks={"RibbonXlcredits.OnAction"}) == []


@pytest.mark.parametrize("xml, problem", [
    ("<customUI", "does not parse"),
    ('<customUI xmlns="urn:other"><ribbon/></customUI>', "not customUI"),
    (f'<customUI xmlns="{NS[1:-1]}"><ribbon><tabs/></ribbon></customUI>', "no customUI/ribbon/tabs/tab"),
    (f'<customUI xmlns="{NS[1:-1]}"><ribbon><tabs><tab id="t" label="T"><group id="g" label="G">'
     f'<button id="b" label="B"/></group></tab></tabs></ribbon></customUI>', "has no onAction"),
    (f'<customUI xmlns="{NS[1:-1]}"><ribbon><tabs><tab id="t" label="T"><group id="t" label="G">'
     f'<button id="b" label="B" onAction="M.X"/></group></tab></tabs></ribbon></customUI>', "duplicate ids: t"),
    (f'<customUI xmlns="{NS[1:-1]}"><ribbon><tabs><tab id="t" label="T"><group id="g" label="G">'
     f'<button id="b" label="B" onAction="M.Missing"/></group></tab></tabs></ribbon></customUI>', "does not define"),
    (f'<customUI xmlns="{NS[1:-1]}"><ribbon><tabs><tab id="1t" label="T"><group id="g" label="">'
     f'<button id="b" label="B" onAction="M.X"/></group></tab></tabs></ribbon></customUI>', "not a valid XML name"),
])
def test_customui_checker_catches(xml, problem):
    problems = build.customui_problems(xml, callbacks={"M.X"})
    assert any(problem in p for p in problems), problems


# --- the built add-in -------------------------------------------------------------------------

def test_built_xlam_is_the_template_with_its_own_vba_ribbon_and_settings_sheet(built):
    with zipfile.ZipFile(built) as new, zipfile.ZipFile(build.template_path()) as old:
        assert new.testzip() is None
        assert new.namelist() == old.namelist()
        changed = {name for name in old.namelist() if new.read(name) != old.read(name)}
        assert changed == {"customUI/customUI.xml", "xl/vbaProject.bin", "xl/workbook.xml"}
        assert new.read("customUI/customUI.xml").decode("utf-8") == build.customui_xml()
        assert b'name="_xlcredits.conf"' in new.read("xl/workbook.xml")
        assert b"myaddin" not in new.read("xl/workbook.xml").lower()
    assert build.xlam_problems(built) == []


def test_the_same_xlwings_gives_the_same_bytes_and_the_committed_addin_is_current(built, tmp_path):
    again = build.build(tmp_path / "xlcredits.xlam")
    assert again.read_bytes() == built.read_bytes()
    assert COMMITTED.exists(), "run: xlcredits build-addin"
    assert COMMITTED.read_bytes() == built.read_bytes(), "stale add-in: run `xlcredits build-addin`"


def test_olevba_reads_every_module_back(built, expected_modules):
    """oletools' olevba (an independent MS-OVBA reader) finds each module with exactly our source."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(built))
    try:
        found = {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert sorted(found) == sorted(MODULES)
    for name in MODULES:
        assert found[name].rstrip("\n") == expected_modules[name].rstrip("\n"), name


def test_the_project_is_source_only(built):
    import olefile

    with zipfile.ZipFile(built) as z:
        ole = olefile.OleFileIO(z.read(build.VBA_PART))
    # [MS-OVBA] 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF (Excel compiles from source), no performance cache
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="xlcredits"' in project and "Module=xlwings_udfs" in project and "Class=Dictionary" in project
    assert sorted(s[-1] for s in ole.listdir() if s[0] == "VBA") == sorted([*MODULES, "_VBA_PROJECT", "dir"])


def test_the_vba_is_what_the_accountants_pc_needs(built):
    modules = build.read_vba(built)
    xlwings_module = modules["xlwings"]
    # no cell can call RunPython (or any of the module's public procedures): Option Private Module
    assert xlwings_module.split("\n")[1] == "Option Private Module"
    assert 'Public Const PROJECT_NAME As String = "xlcredits"' in xlwings_module  # .xlcredits\xlcredits.conf
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in xlwings_module
    assert f'"xlwings64-{xlwings.__version__}.dll"' in xlwings_module
    # a client's workbook or folder cannot choose the Python the add-in runs
    assert "If SheetExists(ActiveWorkbook, PROJECT_NAME" not in xlwings_module
    assert 'If source = "" Or source = "directory" Then' not in xlwings_module
    # one callback, dispatching on the button's tag; no workbook open: a message, not runtime error 91
    ribbon = modules["RibbonXlcredits"]
    assert build.ribbon_callbacks(modules) == {"RibbonXlcredits.OnAction"}
    assert "Select Case control.Tag" in ribbon and "If ActiveWorkbook Is Nothing Then" in ribbon
    for b in build.ALL_BUTTONS:
        assert f'Case "{b.tag}": needsWorkbook = {b.needs_workbook}' in ribbon
    assert "RunPython \"from xlcredits.addin.ribbon import command;command('\" & control.Tag & \"')\"" in ribbon
    assert build.python_command("compute") == "from xlcredits.addin.ribbon import command;command('compute')"


def test_a_wrapper_for_every_worksheet_function(built):
    """The wrappers are xlwings' own generator's output for `udfs`, one per function, optional
    arguments as `Optional`, calling back through the add-in's (private) XLPy."""
    udfs_module = build.read_vba(built)["xlwings_udfs"]
    assert udfs_module.rstrip("\n") == udf_vba.wrappers_module("xlcredits.xlam").replace("\r\n", "\n").rstrip("\n")
    for name in FUNCTIONS:
        assert f"\nFunction {name}(" in udfs_module
        assert f'{name} = XLPy.CallUDF("udfs", "{name}", ' in udfs_module
    assert ("Function CREDIT_45X(component, quantity, Optional capacity_per_unit, Optional year_sold, "
            "Optional year_produced, Optional tax_year_begins, Optional macr)") in udfs_module
    assert "ActiveWorkbook, Application.Caller)" in udfs_module  # an add-in's wrappers pass ActiveWorkbook
    # the Function Wizard texts "Import Functions" would set, set by the add-in itself when it opens
    this_workbook = build.read_vba(built)["ThisWorkbook"]
    assert "Private Sub Workbook_Open()" in this_workbook and 'Category:="Tax Credits"' in this_workbook
    for name in FUNCTIONS:
        assert f'    Describe "{name}", "' in this_workbook


def _system_uno() -> bool:
    return shutil.which("soffice") is not None and Path("/usr/lib/python3/dist-packages/uno.py").exists() \
        and shutil.which("python3") is not None


@pytest.mark.libreoffice
@pytest.mark.skipif(not _system_uno(), reason="needs LibreOffice and python3-uno")
def test_libreoffice_lists_the_same_modules(built, tmp_path, expected_modules):
    """LibreOffice imports VBA projects; it refuses an .xlam, so its copy is typed as an .xlsm."""
    copy = tmp_path / "xlcredits-as-workbook.xlsm"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            target.writestr(info.filename, data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"  # the UNO bridge is built for it
    run = subprocess.run([python, str(LO_VBA), str(copy)], capture_output=True, text=True, timeout=180, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    found = json.loads(run.stdout)
    assert found["libraries"] == {"xlcredits": sorted(MODULES)}
    # LibreOffice prefixes its own "Rem Attribute"/"Option VBASupport" lines; the code itself is ours
    assert "Sub OnAction(control As IRibbonControl)" in found["sources"]["RibbonXlcredits"]
    assert "Option Private Module" in found["sources"]["xlwings"]
    for name in FUNCTIONS:
        assert f"Function {name}(" in found["sources"]["xlwings_udfs"]


def test_compression_round_trips_through_an_independent_decompressor():
    from oletools.olevba import decompress_stream

    samples = [b"", b"a", b"Attribute VB_Name = \"x\"\r\n" * 400, bytes(range(256)) * 40,
               (ROOT / "README.md").read_bytes()]
    for data in samples:
        packed = vba.compress(data)
        assert bytes(decompress_stream(bytearray(packed))) == data
        assert build._ovba_decompress(packed) == data
    assert len(vba.compress(samples[2])) < len(samples[2]) // 10  # it really compresses


def test_broken_addins_are_reported(tmp_path, built):
    not_zip = tmp_path / "x.xlam"
    not_zip.write_bytes(b"not a zip")
    assert "not a zip file" in build.xlam_problems(not_zip)[0]
    no_ribbon = tmp_path / "y.xlam"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(no_ribbon, "w") as target:
        for name in source.namelist():
            if name != "customUI/customUI.xml":
                target.writestr(name, source.read(name))
    assert any("customUI/customUI.xml" in p for p in build.xlam_problems(no_ribbon))


def test_build_refuses_another_name(tmp_path):
    with pytest.raises(ValueError, match="must be named xlcredits.xlam"):
        build.build(tmp_path / "my-addin.xlam")


def test_build_addin_command(tmp_path, capsys):
    target = tmp_path / "xlcredits.xlam"
    assert cli(["build-addin", "--output", str(target)]) == 0
    out = capsys.readouterr().out
    assert "RibbonXlcredits.OnAction" in out and "worksheet functions inside: 11" in out
    assert build.xlam_problems(target) == []
    assert cli(["build-addin", "--output", str(tmp_path / "bad name.xlam")]) == 1


# --- excel-setup ------------------------------------------------------------------------------

WINDOWS_ENV = {"APPDATA": r"C:\Users\José\AppData\Roaming", "USERPROFILE": r"C:\Users\José"}
JOSE_PYTHON = r"C:\Users\José\AppData\Local\Programs\Python\Python311\python.exe"


def test_setup_plan_on_windows():
    steps = setup.plan(interpreter=JOSE_PYTHON, env=WINDOWS_ENV, platform="win32")
    assert [(s.kind, s.target) for s in steps] == [
        ("install-addin", r"C:\Users\José\AppData\Roaming\Microsoft\Excel\XLSTART\xlcredits.xlam"),
        ("settings", r"C:\Users\José\.xlcredits\xlcredits.conf"),
        ("check-dll", JOSE_PYTHON),
    ]
    assert steps[1].settings == (("INTERPRETER_WIN", JOSE_PYTHON), ("UDF MODULES", "udfs"),
                                 ("ADD_WORKBOOK_TO_PYTHONPATH", "false"))
    for step in steps:  # not xlwings' add-in, not xlwings' user-wide settings
        assert "xlwings.xlam" not in step.target and ".xlwings" not in step.target
        assert PureWindowsPath(step.target).is_absolute()


@pytest.mark.skipif(setup.is_windows(), reason="on Windows the paths are this machine's")
def test_dry_run_shows_every_step_and_builds_the_addin(capsys):
    assert cli(["excel-setup", "--dry-run", "--interpreter", r"C:\Python311\python.exe"]) == 0
    out = capsys.readouterr().out
    v = xlwings.__version__
    assert out.startswith(f"""py -m xlcredits excel-setup would (nothing is changed by --dry-run):
1. Build xlcredits.xlam for xlwings {v} (worksheet functions inside) and copy it to Excel's start-up folder
   to   %APPDATA%\\Microsoft\\Excel\\XLSTART\\xlcredits.xlam
   add-in: (not looked at off Windows) -> built for xlwings {v}
2. Write the add-in's settings (read by its VBA, in the ANSI code page)
   to   %USERPROFILE%\\.xlcredits\\xlcredits.conf
   INTERPRETER_WIN: (not looked at off Windows) -> "C:\\Python311\\python.exe"
   UDF MODULES: (not looked at off Windows) -> "udfs"
   ADD_WORKBOOK_TO_PYTHONPATH: (not looked at off Windows) -> "false"
3. Check that the xlwings DLL is where the add-in loads it from
   check   C:\\Python311\\python.exe
   looks for xlwings64-{v}.dll or xlwings32-{v}.dll beside it or one folder up
Not done: xlwings.xlam is not installed; %USERPROFILE%\\.xlwings\\xlwings.conf is not touched.
The add-in builds: xlcredits.xlam, """)


def test_dry_run_on_windows_shows_old_and_new_values(tmp_path, monkeypatch):
    conf = tmp_path / "xlcredits.conf"
    conf.write_bytes('"INTERPRETER_WIN","C:\\Old\\python.exe"\n"SHOW CONSOLE","True"\n'.encode("cp1252"))
    steps = [setup.Step("settings", "Write", str(conf), setup.settings_for("C:\\New\\python.exe"))]
    text = setup.describe(steps, windows=True)
    assert 'INTERPRETER_WIN: "C:\\Old\\python.exe" -> "C:\\New\\python.exe"' in text
    assert 'ADD_WORKBOOK_TO_PYTHONPATH: (not set) -> "false"' in text


def test_off_windows_it_says_so_and_exits_2(capsys, monkeypatch):
    monkeypatch.setattr(setup, "is_windows", lambda platform=None: False)
    monkeypatch.setattr(setup, "run", lambda steps: pytest.fail("must not run off Windows"))
    assert cli(["excel-setup"]) == 2
    said = capsys.readouterr()
    assert said.out == "" and "needs Windows" in said.err and "Nothing was changed" in said.err


def test_settings_are_written_in_the_code_page_vba_reads(tmp_path, monkeypatch):
    """A user folder named José: VBA's Open ... For Input reads the ANSI code page (cp1252), where é is
    the one byte E9; UTF-8's C3 A9 would read as "JosÃ©" and Excel would not find the interpreter."""
    monkeypatch.setattr(setup, "ansi_encoding", lambda: "cp1252")
    conf = tmp_path / ".xlcredits" / "xlcredits.conf"
    step = setup.Step("settings", "Write", str(conf), setup.settings_for(JOSE_PYTHON))
    messages = []
    assert setup.run([step], echo=messages.append) == []
    data = conf.read_bytes()
    assert data == (b'"INTERPRETER_WIN","C:\\Users\\Jos\xe9\\AppData\\Local\\Programs\\Python\\Python311\\python.exe"\n'
                    b'"UDF MODULES","udfs"\n"ADD_WORKBOOK_TO_PYTHONPATH","false"\n')
    assert b"\xc3\xa9" not in data
    assert "done" in messages[0] and "(cp1252)" in messages[0]


def test_an_old_utf8_settings_file_is_rewritten_keeping_other_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(setup, "ansi_encoding", lambda: "cp1252")
    conf = tmp_path / "xlcredits.conf"
    conf.write_bytes('"INTERPRETER_WIN","C:\\Users\\José\\old.exe"\n"CONDA ENV","base"\n'.encode("utf-8"))
    step = setup.Step("settings", "Write", str(conf), setup.settings_for(JOSE_PYTHON))
    assert setup.run([step], echo=lambda m: None) == []
    text = conf.read_bytes().decode("cp1252")
    assert text.splitlines()[0] == '"CONDA ENV","base"' and JOSE_PYTHON in text and "old.exe" not in text


def test_a_path_the_code_page_cannot_hold_fails_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(setup, "ansi_encoding", lambda: "cp1252")
    conf = tmp_path / "xlcredits.conf"
    step = setup.Step("settings", "Write", str(conf), setup.settings_for(r"C:\Users\Łukasz\python.exe"))
    messages = []
    problems = setup.run([step], echo=messages.append)
    assert len(problems) == 1 and "FAILED" in problems[0] and "'Ł'" in problems[0] and "C:\\Python311" in problems[0]
    assert not conf.exists()


def test_install_step_puts_a_checked_addin_in_xlstart(tmp_path):
    target = tmp_path / "XLSTART" / "xlcredits.xlam"
    messages = []
    assert setup.run([setup.Step("install-addin", "Install", str(target))], echo=messages.append) == []
    assert build.xlam_problems(target) == []
    assert setup.installed_addin_version(target) == xlwings.__version__
    assert f"(xlwings {xlwings.__version__})" in messages[0]


def test_the_dll_check(tmp_path):
    python = tmp_path / "venv" / "Scripts" / "python.exe"
    python.parent.mkdir(parents=True)
    step = setup.Step("check-dll", "Check", str(python))
    problems = setup.run([step], echo=lambda m: None)
    assert len(problems) == 1 and f"py -m pip install --force-reinstall xlwings=={xlwings.__version__}" in problems[0]
    (tmp_path / "venv" / setup.dll_names()[0]).write_bytes(b"MZ")  # a virtual environment: one folder up
    assert setup.run([step], echo=lambda m: None) == []


def test_setup_on_windows_runs_every_step_and_exits_1_on_a_failure(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    steps = [setup.Step("install-addin", "Install", str(tmp_path / "XLSTART" / "xlcredits.xlam")),
             setup.Step("settings", "Write", str(home / ".xlcredits" / "xlcredits.conf"), setup.settings_for("py.exe")),
             setup.Step("check-dll", "Check", str(tmp_path / "nowhere" / "python.exe"))]
    monkeypatch.setattr(setup, "is_windows", lambda platform=None: True)
    monkeypatch.setattr(setup, "plan", lambda interpreter=None: steps)
    assert cli(["excel-setup"]) == 1
    out = capsys.readouterr().out
    assert out.count("done:") == 2 and "3. FAILED" in out and "Excel is NOT set up" in out
    assert not (home / ".xlwings").exists()  # other tools' settings untouched
    assert not (tmp_path / "XLSTART" / "xlwings.xlam").exists()
