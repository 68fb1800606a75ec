"""The ribbon button ("Tax Credits" > "Compute form"): the add-in's VBA runs
`import xlcredits;xlcredits.main()`, which fills the workbook the accountant is working in and
ends with one message box. The user never sees a traceback.

xlwings calls used besides `live.py`'s: `xw.Book.caller()`, `Book.name`, `Book.app`,
`App.alert(prompt, title=..., mode=...)`, `App.screen_updating`, `App.calculation`, and, when
there is no calling book, `xw.apps.active`.
"""

from __future__ import annotations

import logging
import sys

from ..lines import Result
from ..numbers import grouped
from ..workbook.filler import NotAWorkbook
from ..workbook.layout import Layout

TITLE = "xlcredits"
HOW_TO_START = ("To prepare a form, open a blank form made with `xlcredits new 7207 -o FILE.xlsx` (or "
                "`xlcredits new nj306 -o FILE.xlsx`) in Command Prompt, type the inputs into the yellow cells "
                "and click Compute form again.")

log = logging.getLogger(__name__)


def main() -> None:
    """Fill `xw.Book.caller()` and say how it went."""
    try:
        import xlwings as xw

        book = xw.Book.caller()
    except Exception:  # no workbook: nothing to fill, nowhere else to say so
        log.exception("xw.Book.caller() failed")
        _alert_anywhere("There is no open workbook to fill. " + HOW_TO_START, "critical")
        return
    run(book)


def run(book) -> str:
    """Fill `book`, show the message box, and return its text."""
    try:
        result, layout = fill_quietly(book)
        prompt, mode = message(result, layout), ("critical" if result.findings.count("error") else "info")
    except NotAWorkbook as exc:
        prompt, mode = f"Nothing was filled: {_sentence(exc)}\n\n{HOW_TO_START}", "critical"
    except Exception as exc:  # a bug: say so in one sentence, keep the details in the log
        log.exception("xlcredits fill failed")
        prompt = (f"xlcredits could not fill this workbook ({type(exc).__name__}: {exc}). The input cells were "
                  f"not changed. Please send the workbook to whoever supports xlcredits.")
        mode = "critical"
    try:
        book.app.alert(prompt, title=TITLE, mode=mode)
    except Exception:
        log.exception("alert failed")
        print(prompt, file=sys.stderr)
    return prompt


def fill_quietly(book) -> tuple[Result, Layout]:
    """`live.fill` with screen updating and automatic calculation off, both restored after."""
    from .live import fill

    app = book.app
    updating, calculation = app.screen_updating, app.calculation
    app.screen_updating = False
    app.calculation = "manual"
    try:
        return fill(book)
    finally:
        app.calculation = calculation
        app.screen_updating = updating


def message(result: Result, layout: Layout) -> str:
    """"Form 7207 filled: line 8a $981,750.44 — 0 errors, 1 warning. See the Audit sheet." """
    errors, warnings = result.findings.count("error"), result.findings.count("warning")
    counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if not result.computed:
        first = next((f"\n\nFirst: {f.message}" for f in result.findings if f.severity == "error"), "")
        return (f"Form {layout.form} not computed: {_plural(errors, 'error')} in the inputs, highlighted in red with "
                f"a note on the cell. The line cells stay blank until they are corrected.{first}\n\n"
                f"See the Audit sheet for the full list.")
    key = getattr(layout.hooks, "BOTTOM_LINE", None)
    value = result.lines.get(key) if key else None
    total = f": line {key} ${grouped(value, 2)}" if value is not None else ""
    marked = " Highlighted cells carry a note saying why." if errors + warnings else ""
    return f"Form {layout.form} filled{total} — {counts}.{marked} See the Audit sheet."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _sentence(exc: Exception) -> str:
    text = str(exc).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _alert_anywhere(prompt: str, mode: str) -> None:
    try:
        import xlwings as xw

        xw.apps.active.alert(prompt, title=TITLE, mode=mode)
    except Exception:
        print(prompt, file=sys.stderr)
