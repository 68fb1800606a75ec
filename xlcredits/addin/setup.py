"""`xlcredits excel-setup`: put the add-ins where Excel loads them and write the xlwings settings.

The plan is data (a list of `Step`s): on Windows `run()` carries it out; anywhere else, or with
`--dry-run`, `describe()` prints it, step by step, with the paths it would use. The steps:

1. build `xlcredits.xlam` from this Python's own xlwings ribbon template (its VBA must match the
   xlwings DLL of the installed xlwings version) and copy it to Excel's start-up folder
   `%APPDATA%\\Microsoft\\Excel\\XLSTART`: the "Tax Credits" tab in every workbook;
2. copy xlwings' own add-in `xlwings.xlam` there too (what `xlwings addin install` does);
3. write `%USERPROFILE%\\.xlwings\\xlwings.conf`: INTERPRETER_WIN = this Python, UDF MODULES = udfs
   (what the xlwings add-in and its "Import Functions" button read);
4. write the same two settings to `%USERPROFILE%\\.myaddin\\myaddin.conf`: the settings file of the
   xlcredits add-in, whose VBA (xlwings' template, `PROJECT_NAME = "myaddin"`) reads that file;
5. import the worksheet functions (CREDIT_45X, ...) into the installed xlcredits.xlam by running
   its `ImportPythonUDFsToAddin` macro in a hidden Excel, so they work in every workbook. This needs
   Excel's "Trust access to the VBA project object model"; if it fails, the step says how to do it
   by hand.

Existing settings files keep their other lines; only the keys written here are replaced.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

UDF_MODULES = "udfs"
XLWINGS_CONF = (".xlwings", "xlwings.conf")
ADDIN_CONF = (".myaddin", "myaddin.conf")  # the template's VBA: PROJECT_NAME = "myaddin"
XLSTART = ("Microsoft", "Excel", "XLSTART")
IMPORT_MACRO = "ImportPythonUDFsToAddin"
THIS_PYTHON = "<python.exe that runs xlcredits excel-setup>"  # shown by a dry run off Windows


@dataclass(frozen=True)
class Step:
    kind: str  # "build-addin" | "copy" | "config" | "import-udfs"
    text: str  # what the step does, for the dry run
    target: str
    source: str = ""
    settings: tuple[tuple[str, str], ...] = field(default=())


def is_windows(platform: str | None = None) -> bool:
    return (platform or sys.platform).startswith("win")


def _folder(env: dict, variable: str, *parts: str, windows: bool) -> str:
    base = env.get(variable) if windows else None
    return str(PureWindowsPath(base or f"%{variable}%", *parts))


def config_line(key: str, value: str) -> str:
    """One line of an xlwings settings file, as VBA's `Write #` and `xlwings config` write it."""
    return f'"{key}","{value}"\n'


def plan(interpreter: str | None = None, env: dict | None = None, platform: str | None = None,
         xlwings_addin: bool = True, import_udfs: bool = True) -> list[Step]:
    """The steps of `excel-setup` for this machine (Windows) or as they would be on Windows."""
    env = dict(os.environ if env is None else env)
    windows = is_windows(platform)
    python = interpreter or (sys.executable if windows else THIS_PYTHON)
    xlstart = _folder(env, "APPDATA", *XLSTART, windows=windows)
    addin_target = str(PureWindowsPath(xlstart, "xlcredits.xlam"))
    settings = (("INTERPRETER_WIN", python), ("UDF MODULES", UDF_MODULES))
    import xlwings

    steps = [
        Step("build-addin", f"Build xlcredits.xlam from the ribbon add-in template of xlwings {xlwings.__version__} "
                            f"(its VBA matches this xlwings' DLL) and copy it to Excel's start-up folder",
             target=addin_target, source=str(Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam")),
    ]
    if xlwings_addin:
        steps.append(Step("copy", "Install xlwings' own add-in (as `xlwings addin install` does)",
                          target=str(PureWindowsPath(xlstart, "xlwings.xlam")),
                          source=str(Path(xlwings.__file__).parent / "addin" / "xlwings.xlam")))
    steps.append(Step("config", "Write the xlwings settings (read by the xlwings add-in)",
                      target=_folder(env, "USERPROFILE", *XLWINGS_CONF, windows=windows), settings=settings))
    steps.append(Step("config", "Write the xlcredits add-in's settings (its VBA reads .myaddin\\myaddin.conf)",
                      target=_folder(env, "USERPROFILE", *ADDIN_CONF, windows=windows), settings=settings))
    if import_udfs:
        steps.append(Step("import-udfs", f"Import the worksheet functions of module '{UDF_MODULES}' into xlcredits.xlam "
                                         f"(hidden Excel runs its {IMPORT_MACRO} macro, then saves the add-in)",
                          target=addin_target))
    return steps


def describe(steps: list[Step], dry_run: bool = True) -> str:
    head = "xlcredits excel-setup would:" if dry_run else "xlcredits excel-setup:"
    out = [head]
    for n, step in enumerate(steps, 1):
        out.append(f"{n}. {step.text}")
        if step.source:
            out.append(f"   from {step.source}")
        out.append(f"   to   {step.target}")
        for key, value in step.settings:
            out.append(f"   set  {config_line(key, value).rstrip()}")
    return "\n".join(out) + "\n"


def merged_config(existing: str, settings) -> str:
    """An xlwings settings file with `settings` set and every other line kept."""
    keys = {key.upper() for key, _ in settings}
    kept = []
    for line in existing.splitlines(keepends=True):
        if not line.strip():
            continue
        key = line.split(",", 1)[0].strip().strip('"').upper()
        if key not in keys:
            kept.append(line if line.endswith("\n") else line + "\n")
    return "".join(kept) + "".join(config_line(k, v) for k, v in settings)


def run(steps: list[Step], echo=print) -> list[str]:
    """Carry out the steps (Windows). Returns problems; a failed step does not stop the others."""
    problems = []
    for n, step in enumerate(steps, 1):
        try:
            _RUNNERS[step.kind](step)
            echo(f"{n}. done: {step.text}\n   {step.target}")
        except Exception as exc:  # noqa: BLE001 - report and go on with the next step
            message = f"{n}. FAILED: {step.text}: {exc}"
            if step.kind == "import-udfs":
                message += (f"\n   By hand: in Excel, File > Options > Trust Center > Trust Center Settings > Macro "
                            f"Settings, tick 'Trust access to the VBA project object model'; then run "
                            f"`xlcredits excel-setup` again.")
            echo(message)
            problems.append(message)
    return problems


def _build_and_copy(step: Step) -> None:
    from .build import build

    with tempfile.TemporaryDirectory() as folder:
        built = build(Path(folder) / "xlcredits.xlam", Path(step.source))
        Path(step.target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, step.target)


def _copy(step: Step) -> None:
    Path(step.target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(step.source, step.target)


def _config(step: Step) -> None:
    path = Path(step.target)
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(merged_config(existing, step.settings), encoding="utf-8")


def _import_udfs(step: Step) -> None:
    """Open the installed add-in in a hidden Excel, run its ImportPythonUDFsToAddin, save it."""
    import xlwings as xw

    app = xw.App(visible=False, add_book=True)  # an active workbook: the VBA's config lookup needs one
    try:
        app.display_alerts = False
        book = app.books.open(step.target)
        book.macro(IMPORT_MACRO)()
        book.save()
    finally:
        app.quit()


_RUNNERS = {"build-addin": _build_and_copy, "copy": _copy, "config": _config, "import-udfs": _import_udfs}
