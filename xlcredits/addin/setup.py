"""`py -m xlcredits excel-setup`: put the add-in where Excel loads it and write its settings.

Nothing here starts or automates Excel, and nothing needs a Trust Center change:

1. build `xlcredits.xlam` for the installed xlwings (its xlwings module names the xlwings DLL of
   that version; the worksheet functions are already inside, see `build.py`) and copy it to
   Excel's start-up folder `%APPDATA%\\Microsoft\\Excel\\XLSTART`: the "Tax Credits" tab and
   =CREDIT_45X(...) in every workbook;
2. write the add-in's own settings file `%USERPROFILE%\\.xlcredits\\xlcredits.conf` (its VBA reads
   it: PROJECT_NAME = "xlcredits"): INTERPRETER_WIN = this Python, UDF MODULES = udfs,
   ADD_WORKBOOK_TO_PYTHONPATH = false (a `udfs.py` beside a client's workbook is never imported,
   and OneDrive/SharePoint paths are not needed). It is written in the ANSI code page, which is
   what VBA's `Open ... For Input` reads (a user folder such as C:\\Users\\José must survive);
3. check that the xlwings DLL is where the add-in's VBA loads it from (beside python.exe, or one
   folder up in a virtual environment).

Not done, on purpose: xlwings' own add-in `xlwings.xlam` is not installed (any workbook could call
its ~31 public procedures, RunPython among them, from a cell), and `%USERPROFILE%\\.xlwings\\
xlwings.conf` — other tools' settings — is never read or written.

Every step checks its result; a failed step prints FAILED with what to do, and the command exits 1.
`--dry-run` shows each step with the values it would change (old -> new) and changes nothing; it
works on any platform (the add-in is still built, into a temporary folder, to prove it builds).
On a machine that is not Windows, without --dry-run, the command says so and exits 2.
"""

from __future__ import annotations

import locale
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

ADDIN_FILE = "xlcredits.xlam"
UDF_MODULES = "udfs"
ADDIN_CONF = (".xlcredits", "xlcredits.conf")  # the add-in's VBA: PROJECT_NAME = "xlcredits"
XLSTART = ("Microsoft", "Excel", "XLSTART")
THIS_PYTHON = "<python.exe that runs excel-setup>"  # shown by a dry run off Windows
NOT_WINDOWS = 2


@dataclass(frozen=True)
class Step:
    kind: str  # "install-addin" | "settings" | "check-dll"
    text: str  # what the step does
    target: str
    settings: tuple[tuple[str, str], ...] = field(default=())


def is_windows(platform: str | None = None) -> bool:
    return (platform or sys.platform).startswith("win")


def ansi_encoding() -> str:
    """The code page VBA's file I/O uses: the system ANSI code page (cp1252 on a US/Western PC)."""
    getter = getattr(locale, "getencoding", None)  # Python 3.11+: ignores UTF-8 mode
    return getter() if getter else locale.getpreferredencoding(False)


def _folder(env: dict, variable: str, *parts: str, windows: bool) -> str:
    base = env.get(variable) if windows else None
    return str(PureWindowsPath(base or f"%{variable}%", *parts))


def config_line(key: str, value: str) -> str:
    """One line of an xlwings settings file, as VBA's `Write #` writes it and `Input #` reads it."""
    return f'"{key}","{value}"\n'


def settings_for(python: str) -> tuple[tuple[str, str], ...]:
    return (("INTERPRETER_WIN", python), ("UDF MODULES", UDF_MODULES), ("ADD_WORKBOOK_TO_PYTHONPATH", "false"))


def dll_names() -> tuple[str, str]:
    import xlwings

    return f"xlwings64-{xlwings.__version__}.dll", f"xlwings32-{xlwings.__version__}.dll"


def plan(interpreter: str | None = None, env: dict | None = None, platform: str | None = None) -> list[Step]:
    """The steps for this machine (Windows) or as they would be on Windows."""
    import xlwings

    env = dict(os.environ if env is None else env)
    windows = is_windows(platform)
    python = interpreter or (sys.executable if windows else THIS_PYTHON)
    xlstart = _folder(env, "APPDATA", *XLSTART, windows=windows)
    return [
        Step("install-addin", f"Build {ADDIN_FILE} for xlwings {xlwings.__version__} (worksheet functions inside) "
                              f"and copy it to Excel's start-up folder", str(PureWindowsPath(xlstart, ADDIN_FILE))),
        Step("settings", "Write the add-in's settings (read by its VBA, in the ANSI code page)",
             _folder(env, "USERPROFILE", *ADDIN_CONF, windows=windows), settings_for(python)),
        Step("check-dll", "Check that the xlwings DLL is where the add-in loads it from", python),
    ]


# --- reading what is there (for --dry-run and for the checks) ------------------------------

def read_config(path: Path) -> dict[str, str]:
    """KEY (upper case) -> value of a settings file, read as the VBA reads it (ANSI); {} if none."""
    if not path.exists():
        return {}
    raw = path.read_bytes()
    for encoding in (ansi_encoding(), "utf-8"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("latin-1")
    found = {}
    for line in text.splitlines():
        if "," in line:
            key, value = line.split(",", 1)
            found[key.strip().strip('"').upper()] = value.strip().strip('"')
    return found


def merged_config(existing: str, settings) -> str:
    """A settings file with `settings` set and every other line kept."""
    keys = {key.upper() for key, _ in settings}
    kept = []
    for line in existing.splitlines(keepends=True):
        if not line.strip():
            continue
        key = line.split(",", 1)[0].strip().strip('"').upper()
        if key not in keys:
            kept.append(line if line.endswith("\n") else line + "\n")
    return "".join(kept) + "".join(config_line(k, v) for k, v in settings)


def installed_addin_version(path: Path) -> str | None:
    """The xlwings version an installed xlcredits.xlam was built for (None if absent or unreadable)."""
    import re

    from .build import read_vba

    try:
        source = read_vba(path).get("xlwings", "")
    except Exception:  # noqa: BLE001 - a damaged or foreign file: it will be replaced
        return None
    found = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', source)
    return found.group(1) if found else None


def describe(steps: list[Step], windows: bool) -> str:
    """The dry run: each step with the values it would change."""
    import xlwings

    out = ["py -m xlcredits excel-setup would (nothing is changed by --dry-run):"]
    for n, step in enumerate(steps, 1):
        out.append(f"{n}. {step.text}")
        out.append(f"   {'check' if step.kind == 'check-dll' else 'to'}   {step.target}")
        if step.kind == "install-addin":
            old = installed_addin_version(Path(step.target)) if windows and Path(step.target).exists() else None
            was = f"built for xlwings {old}" if old else ("not installed" if windows else "(not looked at off Windows)")
            out.append(f"   add-in: {was} -> built for xlwings {xlwings.__version__}")
        for key, value in step.settings:
            old = read_config(Path(step.target)).get(key.upper()) if windows else None
            shown = f'"{old}"' if old is not None else ("(not set)" if windows else "(not looked at off Windows)")
            out.append(f'   {key}: {shown} -> "{value}"')
        if step.kind == "check-dll":
            out.append(f"   looks for {' or '.join(dll_names())} beside it or one folder up")
    out.append("Not done: xlwings.xlam is not installed; %USERPROFILE%\\.xlwings\\xlwings.conf is not touched.")
    return "\n".join(out) + "\n"


# --- carrying it out -----------------------------------------------------------------------

class StepFailed(Exception):
    """What went wrong and what to do, in the user's words."""


def run(steps: list[Step], echo=print) -> list[str]:
    """Carry out the steps. Returns the failures; a failed step does not stop the others."""
    problems = []
    for n, step in enumerate(steps, 1):
        try:
            detail = _RUNNERS[step.kind](step)
            echo(f"{n}. done: {step.text}\n   {detail}")
        except StepFailed as exc:
            message = f"{n}. FAILED: {step.text}\n   {exc}"
            echo(message)
            problems.append(message)
        except OSError as exc:
            message = (f"{n}. FAILED: {step.text}\n   {exc.strerror or exc} ({exc.filename or step.target}). "
                       f"Close Excel and run `py -m xlcredits excel-setup` again; if it fails again, check that "
                       f"you may write to that folder.")
            echo(message)
            problems.append(message)
    return problems


def build_addin(folder: Path) -> Path:
    from .build import build

    return build(Path(folder) / ADDIN_FILE)


def _install_addin(step: Step) -> str:
    import xlwings

    from .build import xlam_problems

    target = Path(step.target)
    with tempfile.TemporaryDirectory() as folder:
        built = build_addin(Path(folder))
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".new")
        shutil.copyfile(built, staged)
        try:
            os.replace(staged, target)
        except PermissionError:
            staged.unlink(missing_ok=True)
            raise StepFailed(f"{target} is in use: close Excel (it keeps the add-in open) and run "
                             f"`py -m xlcredits excel-setup` again.") from None
        if target.read_bytes() != built.read_bytes():
            raise StepFailed(f"{target} does not hold what was copied; check the disk and run setup again.")
    problems = xlam_problems(target)
    if problems:
        raise StepFailed(f"the installed add-in is damaged ({problems[0]}); run setup again.")
    version = installed_addin_version(target)
    if version != xlwings.__version__:
        raise StepFailed(f"the installed add-in is for xlwings {version}, this Python has {xlwings.__version__}.")
    return f"{target} (xlwings {version})"


def _settings(step: Step) -> str:
    path = Path(step.target)
    encoding = ansi_encoding()
    existing = ""
    if path.exists():
        raw = path.read_bytes()
        try:
            existing = raw.decode(encoding)
        except UnicodeDecodeError:
            existing = raw.decode("utf-8", errors="replace")  # written in UTF-8 by an older setup
    text = merged_config(existing, step.settings)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        raise StepFailed(f"the path {bad!r} cannot be written in this PC's code page ({encoding}), so Excel could "
                         f"not read it. Install Python in a folder whose name has only plain letters (for example "
                         f"C:\\Python311) and run setup with that Python.") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(path.name + ".new")
    staged.write_bytes(data)
    os.replace(staged, path)
    read_back = read_config(path)
    wrong = [key for key, value in step.settings if read_back.get(key.upper()) != value]
    if wrong:
        raise StepFailed(f"{path} does not read back {', '.join(wrong)}; check the file and run setup again.")
    return f"{path} ({encoding})"


def _check_dll(step: Step) -> str:
    python = Path(step.target)  # a Windows path on Windows, where the step runs
    folders = [python.parent, python.parent.parent]
    for folder in folders:
        for name in dll_names():
            if (folder / name).exists():
                return str(folder / name)
    import xlwings

    raise StepFailed(f"{dll_names()[0]} is in neither {folders[0]} nor {folders[1]}: Excel could not start Python. "
                     f"Reinstall xlwings {xlwings.__version__} into this Python: py -m pip install --force-reinstall "
                     f"xlwings=={xlwings.__version__}")


_RUNNERS = {"install-addin": _install_addin, "settings": _settings, "check-dll": _check_dll}
