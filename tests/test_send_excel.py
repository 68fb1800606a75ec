"""The ribbon's Send for review (`xlcredits.review.excel.send_for_review`) with a strict fake of
Outlook's COM objects put where pywin32 would be (`win32com.client` in sys.modules). The fakes
have only members Outlook's object model has (Application.CreateItem; MailItem.To, CC, Subject,
Body, Attachments, Display, Send, Save; Attachments.Add) — anything else raises AttributeError, as
a COM dispatch does — and record every call, so the test can assert Display was called and Send
never."""

from __future__ import annotations

import sys
import types
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from xlcredits.review import excel
from xlcredits.workbook.files import fill_data

from conftest import EXAMPLES, load_json

COPY = "Acme-Solar-Manufacturing-LLC-7207-2025-for-review.xlsx"


class Strict:
    __slots__ = ()

    def __getattr__(self, name):  # only reached for members the class does not define
        raise AttributeError(f"{type(self).__name__}.{name} is not a member of Outlook's object model")


class Attachments(Strict):
    __slots__ = ("calls",)

    def __init__(self, calls):
        self.calls = calls

    def Add(self, Source, Type=None, Position=None, DisplayName=None):  # noqa: N802, N803 - Outlook's names
        assert Path(Source).is_absolute() and Path(Source).exists(), "Outlook needs a full path to an existing file"
        self.calls.append(("Attachments.Add", Source))


class MailItem(Strict):
    __slots__ = ("calls", "To", "CC", "BCC", "Subject", "Body", "HTMLBody", "Attachments")

    def __init__(self, calls):
        self.calls = calls
        self.To = self.CC = self.BCC = self.Subject = self.Body = self.HTMLBody = ""
        self.Attachments = Attachments(calls)

    def Display(self, Modal=False):  # noqa: N802, N803
        self.calls.append(("Display",))

    def Send(self):  # noqa: N802
        self.calls.append(("Send",))

    def Save(self):  # noqa: N802
        self.calls.append(("Save",))


class OutlookApplication(Strict):
    __slots__ = ("calls", "items")

    def __init__(self):
        self.calls, self.items = [], []

    def CreateItem(self, ItemType):  # noqa: N802, N803
        assert ItemType == 0, "olMailItem is 0"
        self.calls.append(("CreateItem", ItemType))
        item = MailItem(self.calls)
        self.items.append(item)
        return item


class FakeApp:
    def __init__(self, answer="yes"):
        self.alerts, self.answer, self.opened = [], answer, []
        self.books = types.SimpleNamespace(open=self.opened.append)

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, buttons, mode))
        return self.answer if buttons == "yes_no" else "ok"


class FakeBook:
    """The members of xlwings.Book the entry points use."""

    def __init__(self, path: Path, answer="yes"):
        self.fullname, self.app, self.saved = str(path), FakeApp(answer), 0

    def save(self, path=None):
        self.saved += 1


@pytest.fixture
def book(tmp_path) -> FakeBook:
    fill_data(load_json(EXAMPLES / "form7207_acme_2025.json"), tmp_path / "acme.xlsx")
    return FakeBook(tmp_path / "acme.xlsx")


def install_outlook(monkeypatch, outlook):
    def Dispatch(name):  # noqa: N802
        if name != "Outlook.Application" or outlook is None:
            raise OSError(-2147221005, "Invalid class string")  # what pywintypes.com_error carries
        return outlook

    client = types.ModuleType("win32com.client")
    client.Dispatch = Dispatch
    package = types.ModuleType("win32com")
    package.client = client
    monkeypatch.setitem(sys.modules, "win32com", package)
    monkeypatch.setitem(sys.modules, "win32com.client", client)


def test_outlook_draft_is_displayed_never_sent(book, monkeypatch):
    outlook = OutlookApplication()
    install_outlook(monkeypatch, outlook)
    prompt = excel.send_for_review(book, to=["reviewer@firm.com"])
    copy = Path(book.fullname).parent / COPY
    assert outlook.calls == [("CreateItem", 0), ("Attachments.Add", str(copy)), ("Display",)]
    assert ("Send",) not in outlook.calls
    [mail] = outlook.items
    assert mail.To == "reviewer@firm.com"
    assert mail.Subject == "For review: Form 7207, Acme Solar Manufacturing LLC, tax year 2025"
    assert "981,750.44" in mail.Body and "0 errors, 0 warnings, 0 notes" in mail.Body
    assert copy.read_bytes() == Path(book.fullname).read_bytes()
    assert book.saved == 1
    assert prompt.startswith("An Outlook message to the reviewer is open with " + COPY)
    assert book.app.alerts == [(prompt, "ok", "info")]


def test_without_outlook_the_eml_is_written_beside_the_workbook(book, monkeypatch):
    install_outlook(monkeypatch, None)
    prompt = excel.send_for_review(book)
    eml = Path(book.fullname).parent / COPY.replace(".xlsx", ".eml")
    msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert msg["X-Unsent"] == "1" and msg["To"] is None  # the preparer addresses the draft
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content() == (eml.parent / COPY).read_bytes()
    assert prompt.startswith("Outlook is not available, so the message was saved as a draft")


def test_no_pywin32_falls_back_too(book, monkeypatch):
    monkeypatch.setitem(sys.modules, "win32com", None)
    monkeypatch.setitem(sys.modules, "win32com.client", None)
    assert excel.send_for_review(book).startswith("Outlook is not available")


def test_a_failing_workbook_asks_first(book, monkeypatch):
    import openpyxl

    wb = openpyxl.load_workbook(book.fullname)
    sheet, ref = next(iter(wb.defined_names["F7207_8a"].destinations))
    wb[sheet][ref.replace("$", "")] = 5
    wb.save(book.fullname)
    outlook = OutlookApplication()
    install_outlook(monkeypatch, outlook)
    book.app.answer = "no"
    prompt = excel.send_for_review(book)
    assert prompt.startswith("Not sent: acme.xlsx fails verify:")
    assert outlook.calls == [] and not (Path(book.fullname).parent / COPY).exists()
    book.app.answer = "yes"
    excel.send_for_review(book)
    assert outlook.calls[-1] == ("Display",)
    assert "NOT VERIFIED" in outlook.items[0].Body


def test_an_unsaved_book_is_refused(tmp_path):
    book = FakeBook(Path("Book1"))
    prompt = excel.send_for_review(book)
    assert prompt == "Save the workbook as an .xlsx file first, then click Send for review again."
    assert book.app.alerts == [(prompt, "ok", "critical")] and book.saved == 0
