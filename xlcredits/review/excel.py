"""The ribbon's Send for review and Start next year. The Excel engineer's ribbon calls exactly
`send_for_review(book)` and `start_next_year(book)` with an xlwings Book; each ends with one
message box and returns its text. The user never sees a traceback.

xlwings calls used: `Book.fullname`, `Book.save()`, `Book.app`, `App.alert(prompt, title=...,
buttons=..., mode=...)`, `App.books.open(path)`.

Send for review saves the workbook (the file on disk is what the reviewer gets), verifies it,
writes the review copy beside it, and opens an Outlook draft through Outlook's COM interface:
`Dispatch("Outlook.Application")`, `CreateItem(0)` (olMailItem), `To`, `CC`, `Subject`, `Body`,
`Attachments.Add(path)`, `Display()`. It never calls `Send()`: the preparer sees the message and
presses Send. Without Outlook (not installed, not on Windows, COM refused) it writes the `.eml`
draft beside the workbook and says where; double-clicking it opens the mail program's draft."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

TITLE = "xlcredits"
OL_MAIL_ITEM = 0  # Outlook's OlItemType.olMailItem

log = logging.getLogger(__name__)


def _alert(book, prompt: str, mode: str = "info", buttons: str = "ok") -> str | None:
    try:
        return book.app.alert(prompt, title=TITLE, buttons=buttons, mode=mode)
    except Exception:
        log.exception("alert failed")
        print(prompt, file=sys.stderr)
        return None


def _saved_path(book) -> Path | None:
    """The workbook's file, saved now so the copy holds what is on screen; None if never saved."""
    path = Path(book.fullname)
    if not path.is_absolute() or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    book.save()
    return path


def outlook():
    """Outlook's Application object, or None when Outlook (or pywin32) is not there."""
    try:
        import win32com.client
    except ImportError:
        return None
    try:
        return win32com.client.Dispatch("Outlook.Application")
    except Exception:  # not installed, or COM refused (pywintypes.com_error)
        log.info("Outlook is not available", exc_info=True)
        return None


def outlook_draft(app, to: list[str], cc: list[str], subject: str, body: str, attachment: Path) -> None:
    mail = app.CreateItem(OL_MAIL_ITEM)
    mail.To = "; ".join(to)
    mail.CC = "; ".join(cc)
    mail.Subject = subject
    mail.Body = body
    mail.Attachments.Add(str(attachment))
    mail.Display()  # never Send(): the preparer reviews the message and sends it


def _saved_or_refused(book, button: str) -> tuple[Path | None, str]:
    """The workbook's saved path, or None and the message shown: both buttons need a saved .xlsx."""
    path = _saved_path(book)
    if path is not None:
        return path, ""
    prompt = f"Save the workbook as an .xlsx file first, then click {button} again."
    _alert(book, prompt, "critical")
    return None, prompt


def send_for_review(book, to: list[str] | None = None, cc: list[str] | None = None) -> str:
    from .send import SendError, body, check, copy_name, message, subject, write_copy, write_eml

    try:
        path, refusal = _saved_or_refused(book, "Send for review")
        if path is None:
            return refusal
        c = check(path)
        forced = False
        if c.problem:
            answer = _alert(book, f"{c.problem}.\n\nSend it for review anyway? The message will say it was not "
                                  f"verified.", "critical", "yes_no")
            if answer != "yes":
                return f"Not sent: {c.problem}."
            forced = True
        copy = path.parent / copy_name(c)
        existed = copy.exists()
        write_copy(path, copy, force=True)  # the button always sends the workbook as it is now
        try:
            app = outlook()
            if app is not None:
                outlook_draft(app, list(to or []), list(cc or []), subject(c), body(c, copy.name, forced), copy)
                prompt = f"An Outlook message to the reviewer is open with {copy.name} attached: check it and press Send."
            else:
                eml = copy.with_suffix(".eml")
                write_eml(message(c, copy.read_bytes(), copy.name, list(to or []), list(cc or []), draft=True,
                                  forced=forced), eml, force=True)
                prompt = (f"Outlook is not available, so the message was saved as a draft: {eml}. Open it (double-click) "
                          f"to address and send it; {copy.name} is attached.")
        except BaseException:
            if not existed:
                copy.unlink(missing_ok=True)
            raise
        _alert(book, prompt)
        return prompt
    except SendError as exc:
        prompt = f"Not sent: {exc}."
    except Exception as exc:  # a bug: one sentence, details in the log
        log.exception("send for review failed")
        prompt = f"xlcredits could not prepare the review message ({type(exc).__name__}: {exc}). Nothing was sent."
    _alert(book, prompt, "critical")
    return prompt


def start_next_year(book) -> str:
    from .rollover import RolloverError, next_name, rollover_file
    from .sources import SourceError, load

    try:
        path, refusal = _saved_or_refused(book, "Start next year")
        if path is None:
            return refusal
        source = load(path)
        target, year = next_name(source)
        if target.exists():
            raise RolloverError(f"{target.name} already exists beside this workbook; open it, or move it away first")
        r = rollover_file(path, target, year)
        try:
            book.app.books.open(str(target))
        except Exception:
            log.exception("opening the new workbook failed")
        todo = "".join(f"\n• {n}" for n in r.notes)
        prompt = (f"Tax year {year} started: {target.name}, {len(r.carried)} value(s) carried (each is an open "
                  f"row of its Review notes, saying where it came from; clear it once checked).{todo}")
        _alert(book, prompt)
        return prompt
    except (RolloverError, SourceError) as exc:
        prompt = f"The next year was not started: {exc}."
    except Exception as exc:
        log.exception("start next year failed")
        prompt = f"xlcredits could not start the next year ({type(exc).__name__}: {exc}). Nothing was written."
    _alert(book, prompt, "critical")
    return prompt
