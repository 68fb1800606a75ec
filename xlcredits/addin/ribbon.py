"""The ribbon buttons' Python side. The add-in's one VBA callback runs
`from xlcredits.addin.ribbon import command;command('<tag>')` for the button clicked (see build.py);
`xlcredits.main()` is the "Compute form" button.

Each command works on `xw.Book.caller()` (the active workbook) and ends with one message box in
Excel: what was done, or what is wrong and what to do — never a traceback. Details of anything
unexpected go to a log file that outlives the Python process (`log_path()`).

Commands (the button tags):
    compute          fill every line, mark the findings, write the Review and Audit sheets (`live.fill`)
    check            mark the findings only; no line, Review or Audit value is written (`live.check`)
    verify           recompute from the inputs and compare every cell a fill writes (`live.verify`)
    new_7207         open a new, empty Form 7207 workbook
    new_nj306        open a new, empty NJ-306 workbook
    send_for_review  `xlcredits.review.excel.send_for_review(book)` (its own module, loaded on click)
    start_next_year  `xlcredits.review.excel.start_next_year(book)`

Excel's state is handled for the fill: screen updating off while writing, calculation set to manual
and back, and one full calculation after the fill, so formulas are current even when the
workbook is in manual calculation mode. The sheets a button writes are unprotected and protected
again (`live.XlwingsAdapter.unprotected`); a sheet with someone's password stops it first.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from datetime import date
from pathlib import Path

from ..lines import Result
from ..numbers import grouped
from ..workbook.filler import NotAWorkbook
from ..workbook.layout import Layout
from .live import ProtectedSheet

TITLE = "xlcredits"
HOW_TO_START = ("To prepare a form, click New Form 7207 or New NJ-306 on the Tax Credits tab (or open a workbook "
                "made with `xlcredits new 7207 -o FILE.xlsx`), type the inputs into the yellow cells and click "
                "Compute form again.")
REVIEW_MODULE = "xlcredits.review.excel"

log = logging.getLogger(__name__)


# --- the log that outlives Python --------------------------------------------------------------

def log_path() -> Path:
    """%LOCALAPPDATA%\\xlcredits\\xlcredits.log on Windows (~/.xlcredits/xlcredits.log elsewhere)."""
    base = os.environ.get("LOCALAPPDATA")
    return (Path(base) / "xlcredits" if base else Path.home() / ".xlcredits") / "xlcredits.log"


def _start_log() -> None:
    root = logging.getLogger("xlcredits")
    path = log_path()
    for handler in [h for h in root.handlers if getattr(h, "_xlcredits", False)]:
        if Path(handler.baseFilename) == path.resolve():
            return
        root.removeHandler(handler)  # the profile folder changed (tests): log where it is now
        handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8",
                                                       delay=True)
    except OSError:
        return  # no writable profile folder: the message box still says what happened
    handler._xlcredits = True
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


# --- entry points -------------------------------------------------------------------------------

def main() -> None:
    """The "Compute form" button (`import xlcredits; xlcredits.main()`)."""
    command("compute")


def command(tag: str) -> str | None:
    """Run the button `tag` on the calling workbook; returns the message shown."""
    _start_log()
    action = COMMANDS.get(tag)
    if action is None:
        return _alert_anywhere(f"This button ({tag}) is not known to this version of xlcredits. Run "
                               f"`py -m xlcredits excel-setup` again.", "critical")
    try:
        import xlwings as xw

        book = xw.Book.caller()
    except Exception:  # noqa: BLE001 - no workbook: nowhere else to say so
        log.exception("xw.Book.caller() failed")
        return _alert_anywhere("There is no open workbook. Open the Form 7207 or NJ-306 workbook first. "
                               + HOW_TO_START, "critical")
    try:
        prompt, mode = action(book)
    except NotAWorkbook as exc:
        prompt, mode = f"Nothing was changed: {_sentence(exc)}\n\n{HOW_TO_START}", "critical"
    except ProtectedSheet as exc:
        prompt, mode = str(exc), "critical"
    except Exception as exc:  # noqa: BLE001 - a bug: one sentence here, the details in the log
        log.exception("xlcredits %s failed", tag)
        prompt = (f"xlcredits could not finish ({type(exc).__name__}: {exc}). The input cells were not changed. "
                  f"Details are in {log_path()}; please send that file and the workbook to whoever supports "
                  f"xlcredits.")
        mode = "critical"
    log.info("%s: %s", tag, prompt.splitlines()[0] if prompt else "")
    return _alert(book, prompt, mode)


def run(book) -> str:
    """"Compute form" on `book` (tests and callers that already have the book)."""
    _start_log()
    try:
        prompt, mode = _compute(book)
    except NotAWorkbook as exc:
        prompt, mode = f"Nothing was filled: {_sentence(exc)}\n\n{HOW_TO_START}", "critical"
    except ProtectedSheet as exc:
        prompt, mode = str(exc), "critical"
    except Exception as exc:  # noqa: BLE001
        log.exception("xlcredits fill failed")
        prompt = (f"xlcredits could not fill this workbook ({type(exc).__name__}: {exc}). The input cells were "
                  f"not changed. Details are in {log_path()}.")
        mode = "critical"
    return _alert(book, prompt, mode)


# --- the commands ----------------------------------------------------------------------------------

def quietly(book, work, app=None):
    """Run `work()` with screen updating off and calculation manual; restore both, then calculate.
    `app`: the book's xlwings App, if already asked for (each `book.app` is two round trips)."""
    app = app or book.app
    updating, calculation = app.screen_updating, app.calculation
    app.screen_updating = False
    app.calculation = "manual"
    try:
        return work()
    finally:
        app.calculation = calculation
        app.screen_updating = updating
        try:
            app.calculate()  # also in manual mode: no line cell shows a stale value
        except Exception:  # noqa: BLE001
            log.exception("calculate failed")


def _prepared(book, work):
    from .live import XlwingsAdapter

    app = book.app
    _asked_app[:] = [book, app]  # the message box after the command reuses it
    adapter = XlwingsAdapter(book, app)
    adapter.layout  # noqa: B018 - NotAWorkbook / LayoutChanged before anything else
    return quietly(book, lambda: work(book, adapter), app)


def _compute(book) -> tuple[str, str]:
    from .live import fill

    result, layout = _prepared(book, fill)
    return message(result, layout), ("critical" if result.findings.count("error") else "info")


def fill_quietly(book) -> tuple[Result, Layout]:
    from .live import fill

    return _prepared(book, fill)


def _check(book) -> tuple[str, str]:
    from .live import check

    result, layout = _prepared(book, check)
    errors, warnings = result.findings.count("error"), result.findings.count("warning")
    if not errors + warnings:
        return f"Form {layout.form}: the inputs are complete, no findings. Click Compute form to fill the lines.", "info"
    first = next((f"\n\nFirst: {f.message}" for f in result.findings if f.severity in ("error", "warning")), "")
    return (f"Form {layout.form}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')} in the inputs, "
            f"highlighted with a note on the cell. Nothing else was changed.{first}"), \
        ("critical" if errors else "info")


def _verify(book) -> tuple[str, str]:
    from .live import verify

    try:
        book.app.calculate()
    except Exception:  # noqa: BLE001
        log.exception("calculate failed")
    result, layout, problems = verify(book)
    if not result.computed:
        return (f"Form {layout.form} cannot be verified: the inputs have {_plural(result.findings.count('error'), 'error')}"
                f". Click Check inputs to see them."), "critical"
    if not problems:
        return (f"Form {layout.form} verified: every line and every cell xlcredits fills holds the formula and the "
                f"value the inputs give, and the Review and Audit sheets explain these numbers."), "info"
    cells = len({p.cell for p in problems if p.cell})
    shown = "\n".join(f"- {p}" for p in problems[:10])
    more = f"\n(and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return (f"Form {layout.form}: {_plural(len(problems), 'problem')} in {_plural(cells, 'cell')}, which no longer "
            f"hold what xlcredits computes from the inputs:\n{shown}{more}\n\nClick Compute form to fill them again "
            f"(and find out who changed what)."), "critical"


def _new(form: str):
    def make(book) -> tuple[str, str]:
        from ..workbook.files import write_template

        folder = Path(os.environ.get("USERPROFILE") or Path.home()) / "Documents"
        if not folder.is_dir():
            folder = Path.home()
        label = "Form 7207" if form == "7207" else "NJ-306"
        path = folder / f"{label} {date.today().isoformat()}.xlsx"
        n = 2
        while path.exists():  # never overwrite a preparer's file
            path = folder / f"{label} {date.today().isoformat()} ({n}).xlsx"
            n += 1
        write_template(form, path)
        book.app.books.open(str(path))
        return (f"A new {label} workbook is open: {path}. Type the inputs into the yellow cells and click "
                f"Compute form."), "info"
    return make


def _review(function: str):
    def call(book) -> tuple[str, str]:
        import importlib

        try:
            module = importlib.import_module(REVIEW_MODULE)
            action = getattr(module, function)
        except (ImportError, AttributeError):
            log.info("%s.%s is not available", REVIEW_MODULE, function)
            return (f"This version of xlcredits cannot {function.replace('_', ' ')} yet. Update xlcredits "
                    f"(py -m pip install --upgrade xlcredits), then run py -m xlcredits excel-setup."), "critical"
        said = action(book)
        return (said if isinstance(said, str) and said else "Done."), "info"
    return call


COMMANDS = {
    "compute": _compute,
    "check": _check,
    "verify": _verify,
    "new_7207": _new("7207"),
    "new_nj306": _new("nj306"),
    "send_for_review": _review("send_for_review"),
    "start_next_year": _review("start_next_year"),
}


# --- messages ----------------------------------------------------------------------------------------

def message(result: Result, layout: Layout) -> str:
    """"Form 7207 filled: line 8a $981,750.44 — 0 errors, 1 warning. See the Review sheet." """
    errors, warnings = result.findings.count("error"), result.findings.count("warning")
    counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if not result.computed:
        first = next((f"\n\nFirst: {f.message}" for f in result.findings if f.severity == "error"), "")
        return (f"Form {layout.form} not computed: {_plural(errors, 'error')} in the inputs, highlighted in red with "
                f"a note on the cell. The line cells stay blank until they are corrected.{first}\n\n"
                f"The Review sheet lists them all, numbered as the '!N' marks beside the cells.")
    key = getattr(layout.hooks, "BOTTOM_LINE", None)
    value = result.lines.get(key) if key else None
    total = f": line {key} ${grouped(value, 2)}" if value is not None else ""
    marked = " Highlighted cells carry a note saying why." if errors + warnings else ""
    return f"Form {layout.form} filled{total} — {counts}.{marked} See the Review sheet."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _sentence(exc: Exception) -> str:
    text = str(exc).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


_asked_app: list = []  # [book, its xlwings App] of the command running: `book.app` costs two round trips


def _alert(book, prompt: str, mode: str) -> str:
    try:
        app = _asked_app[1] if _asked_app and _asked_app[0] is book else book.app
        _asked_app.clear()
        app.alert(prompt, title=TITLE, mode=mode)
    except Exception:  # noqa: BLE001
        log.exception("alert failed")
        print(prompt, file=sys.stderr)
    return prompt


def _alert_anywhere(prompt: str, mode: str) -> str:
    try:
        import xlwings as xw

        xw.apps.active.alert(prompt, title=TITLE, mode=mode)
    except Exception:  # noqa: BLE001
        print(prompt, file=sys.stderr)
    return prompt
