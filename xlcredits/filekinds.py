"""What a file is, from its first bytes, when it is not what a command reads: one sentence that
says so and what to do (an .xls, a password-protected workbook, a CSV renamed .xlsx, a damaged zip).

Office files that are not zip packages are OLE2 compound files (signature D0 CF 11 E0 A1 B1 1A E1):
Excel 97-2003 workbooks, and .xlsx workbooks encrypted with a password (the package is then an
"EncryptedPackage" stream beside an "EncryptionInfo" stream).
"""

from __future__ import annotations

import codecs
from pathlib import Path

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # a directory entry name of an encrypted package


def kind(data: bytes, path=None) -> str:
    """"empty" | "encrypted" | "ole2" | "zip" | "markup" | "text" | "binary", from a file's first
    bytes (or all of them); with `path`, an OLE2 file is read whole to tell an encrypted workbook
    from an .xls."""
    if not data:
        return "empty"
    if data.startswith(OLE2):
        whole = Path(path).read_bytes() if path is not None else data
        return "encrypted" if _ENCRYPTED in whole else "ole2"
    if data.startswith(ZIP):
        return "zip"
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        try:  # incremental: a character cut at the end of the head is not an error
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        except UnicodeDecodeError:
            text = head.decode("latin-1")  # Windows CSV exports
    if any(ch < " " and ch not in "\t\r\n\f" for ch in text):
        return "binary"
    return "markup" if text.lstrip().startswith("<") else "text"


WHAT = {
    "empty": "is empty (0 bytes)",
    "encrypted": "is password-protected (encrypted): open it in Excel, remove the password (File > Info > "
                 "Protect Workbook) and save it as .xlsx",
    "ole2": "is an Excel 97-2003 .xls or a password-protected workbook: save it as .xlsx without a password",
    "zip": "is damaged: it is an incomplete or corrupt zip package (save it again in Excel, or ask for a new copy)",
    "markup": "is an XML or HTML file, not an .xlsx workbook: open it in Excel and save it as .xlsx",
    "text": "is a text file (CSV?), not an .xlsx workbook: xlcredits reads form workbooks made with "
            "`xlcredits new`",
    "binary": "is not an .xlsx workbook",
}


def not_a_workbook(path, head: bytes) -> str:
    """The sentence for a file that should be an .xlsx workbook but is not a readable zip file."""
    return f"{Path(path).name} {WHAT[kind(head, path)]}"


def not_json(name: str, data: bytes) -> str | None:
    """The sentence for a workbook given where a JSON input is expected, else None."""
    found = kind(data)
    if found == "encrypted":
        return (f"{name} is a password-protected workbook, not a JSON input: remove the password in Excel, save "
                f"it as .xlsx and give the .xlsx")
    if found == "ole2":
        return (f"{name} is an Excel 97-2003 .xls or a password-protected workbook, not a JSON input: save it as "
                f".xlsx without a password and give the .xlsx")
    if found == "zip":
        return f"{name} is a zip package such as an .xlsx workbook, not a JSON input"
    return None
