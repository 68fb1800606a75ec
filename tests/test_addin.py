"""The ribbon add-in workbooks/xlcredits.xlam, its customUI.xml, and `xlcredits excel-setup`."""

import zipfile
from pathlib import Path, PureWindowsPath
from xml.etree import ElementTree as ET

import pytest

import xlwings
from xlcredits.addin import build, setup
from xlcredits.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbooks" / "xlcredits.xlam"
NS = "{http://schemas.microsoft.com/office/2006/01/customui}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build.build(tmp_path_factory.mktemp("addin") / "xlcredits.xlam")


# --- customUI.xml ----------------------------------------------------------------------------

def test_customui_structure():
    xml = build.customui_xml()
    root = ET.fromstring(xml)
    assert root.tag == f"{NS}customUI"
    tabs = root.findall(f"{NS}ribbon/{NS}tabs/{NS}tab")
    assert [t.get("label") for t in tabs] == ["Tax Credits"]
    groups = tabs[0].findall(f"{NS}group")
    assert len(groups) == 1 and groups[0].get("id") and groups[0].get("label")
    buttons = groups[0].findall(f"{NS}button")
    assert [(b.get("label"), b.get("onAction")) for b in buttons] == [("Compute form", "RibbonMyAddin.RunMain")]
    assert all(b.get("id") for b in buttons)
    assert build.customui_problems(xml, callbacks={"RibbonMyAddin.RunMain"}) == []


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


def test_2009_namespace_is_accepted():
    xml = build.customui_xml().replace("2006/01/customui", "2009/07/customui")
    assert build.customui_problems(xml) == []


# --- the built add-in -------------------------------------------------------------------------

def test_built_xlam_is_the_template_with_a_new_ribbon(built):
    template = build.template_path()
    with zipfile.ZipFile(built) as new, zipfile.ZipFile(template) as old:
        assert new.testzip() is None
        assert new.namelist() == old.namelist()
        for name in old.namelist():
            if name != "customUI/customUI.xml":
                assert new.read(name) == old.read(name), name
        assert new.read("customUI/customUI.xml").decode("utf-8") == build.customui_xml()
    assert build.xlam_problems(built) == []


def test_committed_xlam_is_current(built):
    """workbooks/xlcredits.xlam is what `xlcredits build-addin` makes from the installed xlwings."""
    assert COMMITTED.exists(), "run: xlcredits build-addin"
    assert build.xlam_problems(COMMITTED) == []
    assert COMMITTED.read_bytes() == built.read_bytes(), "stale add-in: run `xlcredits build-addin`"


def test_the_button_runs_import_xlcredits_main(built):
    """How the template's VBA reaches Python, read from the add-in's own vbaProject.bin."""
    modules = build.read_vba(built)
    assert build.ribbon_callbacks(modules) == {"RibbonMyAddin.RunMain"}
    ribbon = modules["RibbonMyAddin"]
    assert "mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, \".\", -1, vbTextCompare) - 1))" in ribbon
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in ribbon
    assert build.python_command(built.name) == "import xlcredits;xlcredits.main()"
    # the VBA's settings name (hence %USERPROFILE%\.myaddin\myaddin.conf) and the macro excel-setup runs
    assert 'Public Const PROJECT_NAME As String = "myaddin"' in modules["xlwings"]
    assert "Sub ImportPythonUDFsToAddin()" in modules["xlwings"]
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings"]


def test_xlcredits_main_exists():
    import xlcredits

    assert callable(xlcredits.main)


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


def test_build_refuses_a_name_python_cannot_import(tmp_path):
    with pytest.raises(ValueError, match="Python module name"):
        build.build(tmp_path / "my-addin.xlam")


def test_build_addin_command(tmp_path, capsys):
    target = tmp_path / "xlcredits.xlam"
    assert cli(["build-addin", "--output", str(target)]) == 0
    out = capsys.readouterr().out
    assert "RibbonMyAddin.RunMain" in out and "import xlcredits;xlcredits.main()" in out
    assert build.xlam_problems(target) == []
    assert cli(["build-addin", "--output", str(tmp_path / "bad name.xlam")]) == 1


# --- excel-setup ------------------------------------------------------------------------------

WINDOWS_ENV = {"APPDATA": r"C:\Users\ann\AppData\Roaming", "USERPROFILE": r"C:\Users\ann"}


def test_setup_plan_on_windows():
    steps = setup.plan(interpreter=r"C:\Python311\python.exe", env=WINDOWS_ENV, platform="win32")
    assert [(s.kind, s.target) for s in steps] == [
        ("build-addin", r"C:\Users\ann\AppData\Roaming\Microsoft\Excel\XLSTART\xlcredits.xlam"),
        ("copy", r"C:\Users\ann\AppData\Roaming\Microsoft\Excel\XLSTART\xlwings.xlam"),
        ("config", r"C:\Users\ann\.xlwings\xlwings.conf"),
        ("config", r"C:\Users\ann\.myaddin\myaddin.conf"),
        ("import-udfs", r"C:\Users\ann\AppData\Roaming\Microsoft\Excel\XLSTART\xlcredits.xlam"),
    ]
    for step in steps[2:4]:
        assert step.settings == (("INTERPRETER_WIN", r"C:\Python311\python.exe"), ("UDF MODULES", "udfs"))
    assert Path(steps[0].source).name == "quickstart_addin_ribbon.xlam" and Path(steps[0].source).exists()
    assert Path(steps[1].source).name == "xlwings.xlam" and Path(steps[1].source).exists()
    text = setup.describe(steps)
    assert '   set  "UDF MODULES","udfs"' in text
    assert r'   set  "INTERPRETER_WIN","C:\Python311\python.exe"' in text
    assert r"   to   C:\Users\ann\.myaddin\myaddin.conf" in text


@pytest.mark.skipif(setup.is_windows(), reason="on Windows the paths are this machine's")
def test_excel_setup_dry_run_prints_every_step_exactly(capsys):
    assert cli(["excel-setup", "--dry-run", "--interpreter", r"C:\Python311\python.exe"]) == 0
    here = Path(xlwings.__file__).parent
    assert capsys.readouterr().out == f"""xlcredits excel-setup would:
1. Build xlcredits.xlam from the ribbon add-in template of xlwings {xlwings.__version__} (its VBA matches this xlwings' DLL) and copy it to Excel's start-up folder
   from {here / "quickstart_addin_ribbon.xlam"}
   to   %APPDATA%\\Microsoft\\Excel\\XLSTART\\xlcredits.xlam
2. Install xlwings' own add-in (as `xlwings addin install` does)
   from {here / "addin" / "xlwings.xlam"}
   to   %APPDATA%\\Microsoft\\Excel\\XLSTART\\xlwings.xlam
3. Write the xlwings settings (read by the xlwings add-in)
   to   %USERPROFILE%\\.xlwings\\xlwings.conf
   set  "INTERPRETER_WIN","C:\\Python311\\python.exe"
   set  "UDF MODULES","udfs"
4. Write the xlcredits add-in's settings (its VBA reads .myaddin\\myaddin.conf)
   to   %USERPROFILE%\\.myaddin\\myaddin.conf
   set  "INTERPRETER_WIN","C:\\Python311\\python.exe"
   set  "UDF MODULES","udfs"
5. Import the worksheet functions of module 'udfs' into xlcredits.xlam (hidden Excel runs its ImportPythonUDFsToAddin macro, then saves the add-in)
   to   %APPDATA%\\Microsoft\\Excel\\XLSTART\\xlcredits.xlam
"""


def test_excel_setup_off_windows_changes_nothing(capsys, monkeypatch):
    monkeypatch.setattr(setup, "is_windows", lambda platform=None: False)
    monkeypatch.setattr(setup, "run", lambda steps: pytest.fail("must not run off Windows"))
    # exit 2 (issue 16): the command cannot do its job off Windows, and says so on stderr
    assert cli(["excel-setup", "--no-xlwings-addin", "--no-import-udfs"]) == 2
    captured = capsys.readouterr()
    out = captured.out
    assert "needs Windows" in captured.err and "nothing was changed" in captured.err
    assert "xlwings.xlam" not in out and "ImportPythonUDFsToAddin" not in out
    assert setup.THIS_PYTHON in out


def test_settings_files_keep_other_lines():
    existing = '"INTERPRETER_WIN","C:\\old\\python.exe"\n"LICENSE_KEY","abc"\n\n"udf modules","other"\n"CONDA ENV","base"'
    merged = setup.merged_config(existing, (("INTERPRETER_WIN", "C:\\new\\python.exe"), ("UDF MODULES", "udfs")))
    assert merged == ('"LICENSE_KEY","abc"\n"CONDA ENV","base"\n'
                      '"INTERPRETER_WIN","C:\\new\\python.exe"\n"UDF MODULES","udfs"\n')


def test_setup_steps_run(tmp_path):
    """The file steps, carried out into a temporary 'XLSTART' and home (what Windows would get)."""
    xlstart, home = tmp_path / "XLSTART", tmp_path / "home"
    conf = home / ".myaddin" / "myaddin.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"SHOW CONSOLE","True"\n', encoding="utf-8")
    plan = setup.plan(interpreter="C:\\Python\\python.exe", env={}, platform="win32", import_udfs=False)
    targets = [xlstart / "xlcredits.xlam", xlstart / "xlwings.xlam", home / ".xlwings" / "xlwings.conf", conf]
    steps = [setup.Step(s.kind, s.text, str(t), s.source, s.settings) for s, t in zip(plan, targets)]
    messages = []
    assert setup.run(steps, echo=messages.append) == []
    assert len(messages) == 4
    assert build.xlam_problems(xlstart / "xlcredits.xlam") == []
    assert (xlstart / "xlwings.xlam").read_bytes() == Path(plan[1].source).read_bytes()
    assert (home / ".xlwings" / "xlwings.conf").read_text() == (
        '"INTERPRETER_WIN","C:\\Python\\python.exe"\n"UDF MODULES","udfs"\n')
    assert conf.read_text() == '"SHOW CONSOLE","True"\n"INTERPRETER_WIN","C:\\Python\\python.exe"\n"UDF MODULES","udfs"\n'


def test_a_failing_step_is_reported_not_raised(tmp_path):
    step = setup.Step("import-udfs", "Import", str(tmp_path / "xlcredits.xlam"))
    messages = []
    problems = setup.run([step], echo=messages.append)
    assert len(problems) == 1 and "FAILED" in problems[0]
    assert "Trust access to the VBA project object model" in problems[0]


def test_windows_paths_are_windows_paths():
    steps = setup.plan(interpreter="python.exe", env=WINDOWS_ENV, platform="win32")
    for step in steps:
        assert PureWindowsPath(step.target).is_absolute()
