"""`xlcredits send`: verify, a byte-for-byte review copy, then an .eml draft or SMTP with
STARTTLS — against a real SMTP server on 127.0.0.1 (aiosmtpd) with a certificate made in the test
(trustme). Every refusal: one sentence, exit 1, nothing half-sent (no review copy left behind)."""

from __future__ import annotations

import socket
import ssl
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from xlcredits.cli import main
from xlcredits.workbook.files import fill_data

from conftest import EXAMPLES, load_json

aiosmtpd = pytest.importorskip("aiosmtpd")
trustme = pytest.importorskip("trustme")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COPY = "Acme-Solar-Manufacturing-LLC-7207-2025-for-review.xlsx"
# The Acme example: line 8a = 981,750.44 (tests/test_examples.py works it out line by line).
LINE_8A = "981,750.44"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(map(str, argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def book(tmp_path) -> Path:
    fill_data(load_json(EXAMPLES / "form7207_acme_2025.json"), tmp_path / "acme.xlsx")
    return tmp_path / "acme.xlsx"


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def check_message(msg, copy: Path) -> None:
    assert msg["Subject"] == "For review: Form 7207, Acme Solar Manufacturing LLC, tax year 2025"
    text = "\n".join(" ".join(line.split()) for line in msg.get_body(preferencelist=("plain",)).get_content().splitlines())
    assert "Form: Form 7207 (Rev. 12-2025)" in text
    assert "Taxpayer: Acme Solar Manufacturing LLC" in text
    assert "Tax year: 2025" in text
    assert f"Line 8a: {LINE_8A}" in text
    assert "Findings: 0 errors, 0 warnings, 0 notes" in text
    from xlcredits.workbook.files import load_source
    from xlcredits.workbook.inputs import fingerprint

    assert f"Fingerprint: {fingerprint(load_source(copy))}" in text
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content_type() == XLSX
    assert attachment.get_filename() == copy.name
    assert attachment.get_content() == copy.read_bytes()


def test_eml_draft(book, capsys):
    code, out, err = run(capsys, "send", book, "--to", "reviewer@firm.com", "--cc", "Jane Doe <jd@firm.com>")
    assert (code, err) == (0, "")
    copy = book.parent / COPY
    assert copy.read_bytes() == book.read_bytes()  # a copy of the bytes, never re-saved
    eml = copy.with_suffix(".eml")
    msg = parse(eml.read_bytes())
    assert msg["X-Unsent"] == "1"
    assert msg["To"] == "reviewer@firm.com" and msg["Cc"] == "Jane Doe <jd@firm.com>"
    check_message(msg, copy)
    assert out.startswith(f"wrote {copy}; draft {eml}")


def test_the_review_copy_is_the_completed_workbook_protected_review_first(book, capsys):
    """Issue 14 asks for a protected review copy with the Review sheet first: `fill` already writes
    the completed workbook that way, and send copies its bytes."""
    import zipfile

    import openpyxl

    assert run(capsys, "send", book, "--to", "reviewer@firm.com")[0] == 0
    copy = book.parent / COPY
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "Review" and "Review notes" in wb.sheetnames
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title  # every sheet protected...
        assert not ws.protection.password, ws.title  # ...without a password
    # the reviewer can type notes: the Review notes body is unlocked
    [(sheet, ref)] = list(wb.defined_names["Review_notes"].destinations)
    first = wb[sheet][ref.split(":")[0].replace("$", "")]
    assert first.protection.locked is False
    with zipfile.ZipFile(copy) as z:
        assert not any(n.startswith("xl/vbaProject") for n in z.namelist())


def test_never_overwrites_without_force(book, capsys):
    assert run(capsys, "send", book, "--to", "r@firm.com")[0] == 0
    before = (book.parent / COPY).stat().st_mtime_ns
    code, out, err = run(capsys, "send", book, "--to", "r@firm.com", "--eml", book.parent / "other.eml")
    assert code == 1
    assert err == f"xlcredits: {book.parent / COPY} already exists; use --force to replace it\n"
    assert "other.eml" not in files(book.parent)
    assert (book.parent / COPY).stat().st_mtime_ns == before
    assert run(capsys, "send", book, "--to", "r@firm.com", "--force")[0] == 0


@pytest.mark.parametrize("argv, sentence", [
    ((), "no recipient: give the reviewer's address with --to reviewer@firm.com"),
    (("--to", "reviewer@firm"), "--to: 'reviewer@firm' is not an e-mail address (expected name@firm.com)"),
    (("--to", "r@firm.com", "--cc", "a@b.com, nobody"), "--cc: 'nobody' is not an e-mail address (expected "
                                                        "name@firm.com)"),
    (("--to", "r@firm.com\nBcc: x@evil.com"), "--to: an address cannot contain a line break"),
])
def test_recipient_refusals(book, capsys, argv, sentence):
    code, out, err = run(capsys, "send", book, *argv)
    assert (code, out, err) == (1, "", f"xlcredits: {sentence}\n")
    assert files(book.parent) == {"acme.xlsx"}


def edited_by_hand(book: Path) -> Path:
    """Line 8a typed over by hand (its formula replaced by a number) and saved: verify fails."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    sheet, ref = next(iter(wb.defined_names["F7207_8a"].destinations))
    wb[sheet][ref.replace("$", "")] = 1000000
    out = book.with_name("edited.xlsx")
    wb.save(out)
    return out


def test_failing_verify_is_not_sent_unless_forced(book, capsys):
    edited = edited_by_hand(book)
    code, out, err = run(capsys, "send", edited, "--to", "r@firm.com")
    assert code == 1 and out == ""
    assert err.startswith("xlcredits: edited.xlsx fails verify: ") and err.count("\n") == 1
    assert "problem(s) in" in err and "`xlcredits verify edited.xlsx` lists them all" in err
    # what verify lists: line 8a typed over, its formula gone and its value not the engine's (981,750.44)
    from xlcredits.workbook.verify import verify_workbook

    problems = [str(p) for p in verify_workbook(edited).problems if p.line == "8a"]
    assert problems[0].startswith("F7207_8a ('Form 7207'!F55) (line 8a): holds a constant where the form has the "
                                  "formula =F7207_1a_e+")
    assert problems[1] == f"F7207_8a ('Form 7207'!F55) (line 8a): workbook 1,000,000.00, engine {LINE_8A}"
    assert err.endswith("it was not sent (send it anyway with --force)\n")
    assert files(book.parent) == {"acme.xlsx", "edited.xlsx"}
    code, out, _ = run(capsys, "send", edited, "--to", "r@firm.com", "--force")
    assert code == 0 and "NOT VERIFIED" in out
    msg = parse((book.parent / COPY).with_suffix(".eml").read_bytes())
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "NOT VERIFIED — sent anyway (--force): edited.xlsx fails verify" in " ".join(body.split())


def test_input_errors_fail_verify(tmp_path, capsys):
    data = load_json(EXAMPLES / "form7207_acme_2025.json")
    data["components"][0]["units"] = "many"
    fill_data(data, tmp_path / "bad.xlsx")
    code, _, err = run(capsys, "send", tmp_path / "bad.xlsx", "--to", "r@firm.com")
    assert code == 1
    assert err.startswith("xlcredits: bad.xlsx fails verify: its inputs have errors (")
    assert "components[0].units" in err


# --- SMTP on 127.0.0.1 ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self, refuse: str | None = None):
        self.messages: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and address == self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def smtp_server(ca, *, tls: bool = True, refuse: str | None = None, password: str | None = None):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    inbox = Inbox(refuse)
    kwargs = {}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        kwargs.update(tls_context=context, require_starttls=True)
    if password is not None:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == b"preparer" and auth_data.password == password.encode()
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticate, auth_require_tls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), decode_data=False, **kwargs)
    controller.start()
    return controller, inbox


@pytest.fixture
def trusted(ca, tmp_path_factory, monkeypatch):
    """The test CA trusted the way a firm's own CA would be: through SSL_CERT_FILE."""
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))


def test_smtp_with_starttls_and_password_from_environment(book, ca, trusted, capsys, monkeypatch):
    controller, inbox = smtp_server(ca, password="s3cret")
    try:
        monkeypatch.setenv("XLCREDITS_SMTP_PASSWORD", "s3cret")
        code, out, err = run(capsys, "send", book, "--to", "reviewer@firm.com", "--smtp",
                             f"127.0.0.1:{controller.port}", "--user", "preparer", "--from", "preparer@firm.com")
    finally:
        controller.stop()
    assert (code, err) == (0, "")
    [(sender, rcpts, raw)] = inbox.messages
    assert sender == "preparer@firm.com" and rcpts == ["reviewer@firm.com"]
    msg = parse(raw)
    assert msg["X-Unsent"] is None  # a sent message, not a draft
    check_message(msg, book.parent / COPY)
    assert not (book.parent / COPY).with_suffix(".eml").exists()


def test_wrong_password_leaves_nothing(book, ca, trusted, capsys, monkeypatch):
    controller, inbox = smtp_server(ca, password="s3cret")
    try:
        monkeypatch.setenv("XLCREDITS_SMTP_PASSWORD", "wrong")
        code, _, err = run(capsys, "send", book, "--to", "r@firm.com", "--smtp", f"127.0.0.1:{controller.port}",
                           "--user", "preparer", "--from", "p@firm.com")
    finally:
        controller.stop()
    assert code == 1
    assert err == (f"xlcredits: the mail server 127.0.0.1:{controller.port} refused the user name or password; "
                   f"nothing was sent\n")
    assert inbox.messages == [] and files(book.parent) == {"acme.xlsx"}


def test_untrusted_certificate_is_refused(book, ca, capsys):
    controller, inbox = smtp_server(ca)
    try:
        code, _, err = run(capsys, "send", book, "--to", "r@firm.com", "--smtp", f"127.0.0.1:{controller.port}",
                           "--from", "p@firm.com")
    finally:
        controller.stop()
    assert code == 1
    assert err.startswith(f"xlcredits: the mail server 127.0.0.1:{controller.port}'s certificate could not be "
                          f"verified (")
    assert inbox.messages == [] and files(book.parent) == {"acme.xlsx"}


def test_refused_recipient(book, ca, trusted, capsys):
    controller, inbox = smtp_server(ca, refuse="gone@firm.com")
    try:
        code, _, err = run(capsys, "send", book, "--to", "gone@firm.com", "--smtp", f"127.0.0.1:{controller.port}",
                           "--from", "p@firm.com")
    finally:
        controller.stop()
    assert code == 1
    assert err == (f"xlcredits: the mail server 127.0.0.1:{controller.port} refused every recipient "
                   f"(gone@firm.com); nothing was sent\n")
    assert inbox.messages == [] and files(book.parent) == {"acme.xlsx"}


def test_plain_server_refused_unless_local_and_allowed(book, ca, capsys):
    controller, inbox = smtp_server(ca, tls=False)
    where = f"127.0.0.1:{controller.port}"
    try:
        code, _, err = run(capsys, "send", book, "--to", "r@firm.com", "--smtp", where, "--from", "p@firm.com")
        assert code == 1
        assert err == (f"xlcredits: the mail server {where} does not offer STARTTLS, so the workbook would cross the "
                       f"network unencrypted; nothing was sent (use a server that offers STARTTLS, or "
                       f"--insecure-local for a relay on this machine)\n")
        assert inbox.messages == [] and files(book.parent) == {"acme.xlsx"}
        code, _, err = run(capsys, "send", book, "--to", "r@firm.com", "--smtp", where, "--from", "p@firm.com",
                           "--insecure-local")
        assert (code, err) == (0, "")
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_unreachable_server(book, capsys):
    port = free_port()  # nothing listens there
    code, _, err = run(capsys, "send", book, "--to", "r@firm.com", "--smtp", f"127.0.0.1:{port}",
                       "--from", "p@firm.com")
    assert code == 1
    assert err == f"xlcredits: could not reach the mail server 127.0.0.1:{port} (connection refused); nothing was sent\n"
    assert files(book.parent) == {"acme.xlsx"}


def test_smtp_needs_a_sender_and_a_password(book, capsys, monkeypatch):
    monkeypatch.delenv("XLCREDITS_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("XLCREDITS_FROM", raising=False)
    code, _, err = run(capsys, "send", book, "--to", "r@firm.com", "--smtp", "127.0.0.1:25")
    assert (code, err) == (1, "xlcredits: sending through SMTP needs the sender's address: give --from you@firm.com\n")
    import sys
    monkeypatch.setitem(sys.modules, "keyring", None)  # no keyring on this machine
    code, _, err = run(capsys, "send", book, "--to", "r@firm.com", "--smtp", "127.0.0.1:25", "--user", "preparer",
                       "--from", "p@firm.com")
    assert (code, err) == (1, "xlcredits: no password for preparer on 127.0.0.1: set XLCREDITS_SMTP_PASSWORD or "
                              "store it in the system keyring (service \"xlcredits\", user \"preparer\")\n")
    assert files(book.parent) == {"acme.xlsx"}


def test_a_blank_template_is_not_sent(tmp_path, capsys):
    assert run(capsys, "new", "7207", "--tax-year", "2025", "-o", tmp_path / "blank.xlsx")[0] == 0
    code, out, err = run(capsys, "send", tmp_path / "blank.xlsx", "--to", "r@firm.com")
    assert (code, out) == (1, "")
    assert err == ("xlcredits: blank.xlsx is a blank Form 7207 template (no inputs filled in): fill it first with "
                   "`xlcredits fill`\n")
    assert files(tmp_path) == {"blank.xlsx"}
