"""Send a completed workbook for review.

1. `verify` the workbook (every line cell recomputed from its inputs). A workbook that fails is not
   sent unless forced; the refusal says why, and a forced message says so in its body.
2. Copy it, byte for byte, to `<Taxpayer>-<form>-<year>-for-review.xlsx` (never re-saved: a re-save
   through openpyxl would drop the cached values Excel and LibreOffice show).
3. Either write an `.eml` draft marked `X-Unsent: 1` (Outlook, Apple Mail and Thunderbird open it
   as a new message ready to send), or send it through SMTP.

The SMTP connection and its security rules are in smtp.py.

Every refusal is a `SendError` with one sentence; nothing is left half-done: the review copy written
for a message that could not be sent or saved is removed again."""

from __future__ import annotations

import os
import re
import shutil
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from ..lines import Result
from ..numbers import grouped
from ..workbook.layout import Layout
from .notes import Note
from .smtp import SendError, parse_server, password_for, smtp_send

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# The lines a reviewer looks at first, by form (presentation only; blank lines are left out).
HEADLINE_LINES = {"7207": ("8a", "8c"), "NJ-306": ("28", "29", "30", "36", "37", "43", "44", "50", "51")}
SEVERITIES = ("error", "warning", "note")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


@dataclass
class Checked:
    """A completed workbook after verify, with what the message says about it."""

    path: Path
    layout: Layout
    result: Result
    data: dict
    fingerprint: str
    problem: str | None  # why verify fails, or None
    notes: list[Note] | None = None

    @property
    def tax_year_text(self) -> str:
        ty = self.result.tax_year if self.result.tax_year is not None else self.data.get("tax_year")
        if isinstance(ty, dict):
            return f"{ty.get('begins')} to {ty.get('ends')}"
        return "" if ty is None else str(ty)

    @property
    def taxpayer(self) -> str:
        from ..workbook.inputs import get_path

        value = get_path(self.data, getattr(self.layout.hooks, "TAXPAYER", "") or "")
        return "" if value is None else str(value)

    def findings_text(self) -> str:
        return ", ".join(f"{self.result.findings.count(s)} {s}{'' if self.result.findings.count(s) == 1 else 's'}"
                         for s in SEVERITIES)


def check(path) -> Checked:
    """Open and verify a completed workbook; `problem` says why it fails verify.

    The review copy is this workbook byte for byte: `fill` already wrote it protected (every sheet,
    no password) with the Review sheet first and the Review notes table the reviewer types into."""
    from ..workbook.inputs import fingerprint, read_inputs
    from ..workbook.reader import checked
    from ..workbook.verify import verify_workbook
    from ..workbook.writer import WorkbookError
    from .notes import read_notes

    p = Path(path)
    if p.suffix.lower() not in (".xlsx", ".xlsm"):
        raise SendError(f"{p.name}: send takes a completed workbook (.xlsx); fill it first with `xlcredits fill`")
    try:
        report = verify_workbook(p)
        adapter, layout = checked(p)
    except WorkbookError as exc:
        raise SendError(str(exc)) from None
    if report.blank or report.result is None:
        raise SendError(f"{p.name} is a blank Form {layout.form} template (no inputs filled in): fill it first with "
                        f"`xlcredits fill`")
    result = report.result
    data, _ = read_inputs(adapter, layout)
    return Checked(p, layout, result, data, fingerprint(data), problem_of(p.name, report), read_notes(adapter.wb))


def problem_of(name: str, report) -> str | None:
    """Why a workbook fails verify, in one sentence quoting verify's first problem; None when it passes."""
    result = report.result
    if not result.computed:
        first = next((f for f in result.findings if f.blocking), result.findings[0])
        return (f"{name} fails verify: its inputs have errors ({len(result.findings)} finding(s); first: "
                f"{first.where}: {first.message.rstrip('.')})")
    if not report.problems:
        return None
    cells = len({pr.cell for pr in report.problems if pr.cell})
    first = report.problems[0]
    return (f"{name} fails verify: {len(report.problems)} problem(s) in {cells} cell(s) (first: {first}); "
            f"`xlcredits verify {name}` lists them all; run `xlcredits fill` on it to recompute")


# --- names and addresses -------------------------------------------------------------------------

def _safe(text: str, fallback: str) -> str:
    """A file-name part: letters, digits, dot, underscore and hyphen only; spaces become hyphens."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip(".-_")
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:60].strip(".-_")
    return cleaned or fallback


def copy_name(c: Checked) -> str:
    """`Acme-Solar-Manufacturing-LLC-7207-2025-for-review.xlsx`."""
    year = c.tax_year_text[:4]
    parts = [_safe(c.taxpayer, "Taxpayer"), _safe(c.layout.form, "form")]
    if year.isdigit():
        parts.append(year)
    return "-".join(parts) + "-for-review.xlsx"


def recipients(values: list[str] | None, what: str = "--to") -> list[str]:
    """Addresses from repeated or comma-separated options; a bad one is refused by name."""
    found = []
    for value in values or ():
        if "\r" in value or "\n" in value:
            raise SendError(f"{what}: an address cannot contain a line break")
        for piece in _split(value):
            name, address = parseaddr(piece)
            if not _ADDRESS.match(address or "") or (not name and address != piece.strip().strip("<>")):
                raise SendError(f"{what}: {piece.strip()!r} is not an e-mail address (expected name@firm.com)")
            found.append(formataddr((name, address)) if name else address)
    return found


def _split(value: str) -> list[str]:
    """Comma-separated addresses, keeping commas inside quoted names ("Doe, Jane" <jd@firm.com>)."""
    pieces, current, quoted = [], "", False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            pieces.append(current)
            current = ""
        else:
            current += ch
    pieces.append(current)
    return [p for p in pieces if p.strip()]


# --- the message ----------------------------------------------------------------------------------

def subject(c: Checked) -> str:
    return f"For review: Form {c.layout.form}, {c.taxpayer or 'taxpayer not named'}, tax year {c.tax_year_text}"


def body(c: Checked, attachment: str, forced: bool = False) -> str:
    from .notes import open_count

    lines_by_key = {line.key: line for line in c.layout.lines}
    rows = [("Form", f"Form {c.layout.form} (Rev. {c.layout.revision})"), ("Taxpayer", c.taxpayer or "(not named)"),
            ("Tax year", c.tax_year_text or "(not given)")]
    for key in HEADLINE_LINES.get(c.layout.form, ()):
        value = c.result.lines.get(key)
        if value is not None:
            label = lines_by_key[key].label if key in lines_by_key else ""
            rows.append((f"Line {key}", f"{grouped(value, 2)}   {label}"))
    carried = c.result.extras.get("carryforward_next")
    if isinstance(carried, list) and carried:
        total = sum((row.get("amount") or 0 for row in carried), 0)
        rows.append(("Carryforward", f"{grouped(total, 2)} to next year ({len(carried)} vintage(s))"))
    rows.append(("Findings", c.findings_text()))
    if c.notes is not None:
        rows.append(("Review notes", f"{open_count(c.notes)} open of {len(c.notes)}"))
    rows.append(("Fingerprint", c.fingerprint))
    rows.append(("Verify", "NOT VERIFIED — sent anyway (--force): " + c.problem if forced and c.problem
                 else "every line cell agrees with the engine"))
    width = max(len(k) for k, _ in rows) + 1
    text = ["Please review the attached workbook.", ""]
    text += [f"{k + ':':<{width}} {v}" for k, v in rows]
    text += ["", f"Attachment: {attachment}", "",
             "The fingerprint is the SHA-256 of the workbook's inputs: `xlcredits diff` shows what changed "
             "if the workbook comes back edited.", ""]
    return "\n".join(text)


def message(c: Checked, data: bytes, attachment: str, to: list[str], cc: list[str], sender: str = "",
            draft: bool = False, forced: bool = False) -> EmailMessage:
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject(c)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="xlcredits.invalid")
    if draft:
        msg["X-Unsent"] = "1"  # opened as a new message, ready to send (Outlook, Apple Mail, Thunderbird)
    msg.set_content(body(c, attachment, forced))
    msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=attachment)
    return msg


# --- writing ------------------------------------------------------------------------------------

def write_copy(source: Path, target: Path, force: bool) -> None:
    """Copy the bytes (atomic; never over an existing file without force)."""
    from ..safefile import OutputError, atomic_output

    if target.resolve() == source.resolve():
        raise SendError(f"{target.name}: the review copy must be a new file, not the workbook itself")
    try:
        with atomic_output(target, force=force) as tmp:
            shutil.copyfile(source, tmp)
    except OutputError as exc:
        raise SendError(str(exc)) from None


def write_eml(msg: EmailMessage, target: Path, force: bool) -> None:
    from ..safefile import OutputError, atomic_output

    try:
        with atomic_output(target, force=force) as tmp:
            tmp.write_bytes(bytes(msg))
    except OutputError as exc:
        raise SendError(str(exc)) from None


# --- the whole command --------------------------------------------------------------------------

@dataclass
class Sent:
    checked: Checked
    copy: Path
    eml: Path | None = None
    server: str | None = None
    to: list[str] = field(default_factory=list)
    forced: bool = False


def send(path, to: list[str] | None, cc: list[str] | None = None, *, eml=None, smtp: str | None = None,
         user: str | None = None, sender: str | None = None, force: bool = False, outdir=None,
         insecure_local: bool = False, context: ssl.SSLContext | None = None, require_to: bool = True,
         timeout: float = 30) -> Sent:
    """Verify, write the review copy, and write the draft or send it. Raises `SendError`."""
    to_list, cc_list = recipients(to, "--to"), recipients(cc, "--cc")
    if require_to and not to_list:
        raise SendError("no recipient: give the reviewer's address with --to reviewer@firm.com")
    if smtp and eml:
        raise SendError("give either --eml (a draft to open) or --smtp (send now), not both")
    server = parse_server(smtp) if smtp else None
    sender = (sender or os.environ.get("XLCREDITS_FROM") or (user if user and "@" in user else "")).strip()
    if server:
        checked_sender = recipients([sender], "--from") if sender else []
        if not checked_sender:
            raise SendError("sending through SMTP needs the sender's address: give --from you@firm.com")
        sender = checked_sender[0]
        password = password_for(user, server[0]) if user else None
    elif sender:
        sender = recipients([sender], "--from")[0]
    c = check(path)
    if c.problem and not force:
        raise SendError(f"{c.problem}; it was not sent (send it anyway with --force)")
    folder = Path(outdir) if outdir else c.path.parent
    copy = folder / copy_name(c)
    eml_path = None if server else Path(eml) if eml else copy.with_suffix(".eml")
    if eml_path is not None and eml_path.exists() and not force:
        raise SendError(f"{eml_path} already exists; use --force to replace it")
    existed = copy.exists()
    write_copy(c.path, copy, force)
    try:
        data = copy.read_bytes()
        msg = message(c, data, copy.name, to_list, cc_list, sender, draft=server is None, forced=bool(c.problem))
        if server:
            smtp_send(msg, *server, user=user, password=password, insecure_local=insecure_local, context=context,
                      timeout=timeout)
        else:
            write_eml(msg, eml_path, force)
    except BaseException:
        if not existed:
            copy.unlink(missing_ok=True)  # nothing half-done: no review copy for a message that did not go
        raise
    return Sent(c, copy, eml_path, f"{server[0]}:{server[1]}" if server else None, to_list, bool(c.problem))


def summary_line(s: Sent) -> str:
    c = s.checked
    what = f"sent to {', '.join(s.to)} through {s.server}" if s.server else f"draft {s.eml} (open it to send)"
    forced = " — NOT VERIFIED, sent with --force" if s.forced else ""
    return (f"wrote {s.copy}; {what}: Form {c.layout.form}, {c.taxpayer}, tax year {c.tax_year_text}; "
            f"{c.findings_text()}{forced}")


__all__ = ["send", "check", "SendError", "Checked", "Sent", "message", "copy_name", "recipients", "smtp_send"]
