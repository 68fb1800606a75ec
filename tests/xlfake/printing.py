"""Print set-up in the COM fake of Excel: `Worksheet.PageSetup`, `Worksheet.Visible`, `Range.Hidden`
(whole rows), `Worksheet.HPageBreaks`, `Application.PrintCommunication`, loaded from a real .xlsx.

As Excel (learn.microsoft.com, Excel VBA reference):

- `PageSetup.LeftHeader` ... `RightFooter`: one section each, with its format codes ("&9Form 7207");
  `PageSetup.FirstPage.LeftHeader.Text` ...: page 1's sections when `DifferentFirstPageHeaderFooter`;
- `PageSetup.PrintArea`: the A1 address, absolute, without the sheet ("$A$1:$G$187"); "" for none;
- each PageSetup property set while `Application.PrintCommunication` is True talks to the printer
  driver (slow: counted in `Excel.printer_talks`); add-ins switch it off around their changes;
- `Range.Hidden` needs whole rows ("5:9" or `EntireRow`); on a protected sheet Excel refuses it
  unless the protection allows formatting rows;
- `Worksheet.Visible`: -1 visible, 0 hidden, 2 very hidden.
"""

from __future__ import annotations

import re
import zipfile

from . import pywin32

XL_VISIBLE, XL_HIDDEN, XL_VERY_HIDDEN = -1, 0, 2
SECTIONS = ("LeftHeader", "CenterHeader", "RightHeader", "LeftFooter", "CenterFooter", "RightFooter")


def split_sections(code: str) -> tuple[str, str, str]:
    """"&L...&C...&R..." -> (left, centre, right), as Excel splits a stored header ("&&" is a literal &)."""
    parts = {"L": "", "C": "", "R": ""}
    current = "C"  # text before any section code is centred
    i = 0
    while i < len(code):
        if code[i] == "&" and i + 1 < len(code):
            if code[i + 1] in "LCR":
                current = code[i + 1]
                i += 2
                continue
            parts[current] += code[i:i + 2]
            i += 2
            continue
        parts[current] += code[i]
        i += 1
    return parts["L"], parts["C"], parts["R"]


class HeaderFooter:
    """`Page.LeftHeader` ...: an object whose `.Text` is the section (counted as a COM object)."""

    def __init__(self, excel, store: dict, key: str):
        object.__setattr__(self, "_excel", excel)
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_key", key)

    def __getattribute__(self, name):
        if name == "Text":
            object.__getattribute__(self, "_excel").count("HeaderFooter", "Text", "get")
            return object.__getattribute__(self, "_store")[object.__getattribute__(self, "_key")]
        return object.__getattribute__(self, name)

    def __setattr__(self, name, value):
        if name != "Text":
            raise AttributeError(name)
        self._excel.count("HeaderFooter", "Text", "set")
        self._excel.note_page_setup()
        self._store[self._key] = str(value)


class Page:
    """`PageSetup.FirstPage`: page 1's header and footer sections."""

    def __init__(self, excel, store: dict):
        object.__setattr__(self, "_excel", excel)
        object.__setattr__(self, "_store", store)

    def __getattr__(self, name):
        if name not in SECTIONS:
            raise AttributeError(name)
        self._excel.count("Page", name, "get")
        return HeaderFooter(self._excel, self._store, name)


class PageSetup:
    """A sheet's page set-up: the headers and footers (every page, page 1), print area, first page number."""

    MEMBERS = (*SECTIONS, "PrintArea", "DifferentFirstPageHeaderFooter", "FirstPageNumber")

    def __init__(self, sheet):
        object.__setattr__(self, "_excel", sheet._excel)
        object.__setattr__(self, "_sheet", sheet)

    def __getattr__(self, name):
        if name == "FirstPage":
            self._excel.count("PageSetup", name, "get")
            return Page(self._excel, self._sheet.first_page)
        if name not in self.MEMBERS:
            raise AttributeError(name)
        self._excel.count("PageSetup", name, "get")
        return self._sheet.page[name]

    def __setattr__(self, name, value):
        if name not in self.MEMBERS:
            raise AttributeError(name)
        self._excel.count("PageSetup", name, "set")
        self._excel.note_page_setup()
        if name == "PrintArea":
            value = absolute(value)
        self._sheet.page[name] = value


class PageBreaks:
    """`Worksheet.HPageBreaks` / `VPageBreaks`: the manual breaks; `Add(Before=Range)` puts one before
    the range's row (column). (Excel's collections also list automatic breaks; this fake keeps the
    manual ones, which is all xlcredits adds.)"""

    def __init__(self, sheet, kind: str, breaks: list):
        object.__setattr__(self, "_excel", sheet._excel)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_breaks", breaks)

    def Add(self, Before=None):  # noqa: N802, N803
        self._excel.count(self._kind, "Add", "call")
        self._excel.note_page_setup()
        at = Before.r1 if self._kind == "HPageBreaks" else Before.c1
        if at not in self._breaks:
            self._breaks.append(at)
            self._breaks.sort()

    @property
    def Count(self):  # noqa: N802
        self._excel.count(self._kind, "Count", "get")
        return len(self._breaks)


def absolute(area: str) -> str:
    """"A1:G187" -> "$A$1:$G$187", as Excel reads back a print area."""
    if not area:
        return ""
    return ",".join(":".join(re.sub(r"^\$?([A-Z]+)\$?(\d+)$", r"$\1$\2", p) for p in part.split(":"))
                    for part in str(area).upper().split(","))


def new_page() -> dict:
    return {**dict.fromkeys(SECTIONS, ""), "PrintArea": "", "DifferentFirstPageHeaderFooter": False,
            "FirstPageNumber": -4105}  # xlAutomatic


def rows_of(address: str) -> list[int]:
    """The rows of a whole-row address ("$5:$5,$7:$9"); Excel refuses `Hidden` on a part of a row."""
    rows = []
    for part in address.split(","):
        m = re.fullmatch(r"\$?(\d+):\$?(\d+)", part.strip())
        if not m:
            raise pywin32.com_error(-2147352567, "Exception occurred.",
                                    (0, "Microsoft Excel", "Unable to set the Hidden property of the Range class",
                                     None, 0, -2146827284), None)
        rows.extend(range(int(m.group(1)), int(m.group(2)) + 1))
    return rows


def load_print_setup(book, path) -> None:
    """The file's page set-up on each fake sheet: headers and footers (the XML's own text, split into
    Excel's sections), print area, hidden rows, hidden sheets, manual page breaks."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    with zipfile.ZipFile(path) as z:
        xml = {ws.title: _sheet_xml(z, wb, ws.title) for ws in wb.worksheets}
    for ws in wb.worksheets:
        sheet = book.sheet(ws.title)
        page = sheet.page
        found = re.search(r"<headerFooter( differentFirst=\"1\")?>(.*?)</headerFooter>", xml[ws.title], re.S)
        if found:
            parts = dict(re.findall(r"<(\w+)>(.*?)</\1>", found.group(2), re.S))
            page["DifferentFirstPageHeaderFooter"] = bool(found.group(1))
            for kind, first_kind, names in (("oddHeader", "firstHeader", SECTIONS[:3]),
                                            ("oddFooter", "firstFooter", SECTIONS[3:])):
                for name, text in zip(names, split_sections(_unescape(parts.get(kind, "")))):
                    page[name] = text
                for name, text in zip(names, split_sections(_unescape(parts.get(first_kind, "")))):
                    sheet.first_page[name] = text
        if ws.print_area:
            page["PrintArea"] = absolute(ws.print_area.split("!")[-1].replace("'", ""))
        if "useFirstPageNumber=\"1\"" in xml[ws.title]:
            number = re.search(r'firstPageNumber="(\d+)"', xml[ws.title])  # 1 when not given (ECMA-376)
            page["FirstPageNumber"] = int(number.group(1)) if number else 1
        sheet.hidden_rows.update(r for r, dim in ws.row_dimensions.items() if dim.hidden)
        sheet.visible = {"visible": XL_VISIBLE, "hidden": XL_HIDDEN, "veryHidden": XL_VERY_HIDDEN}[ws.sheet_state]
        sheet.page_breaks.extend(b.id + 1 for b in ws.row_breaks.brk)  # the row that starts a page
        sheet.column_breaks.extend(b.id + 1 for b in ws.col_breaks.brk)  # the column that starts a page


def _sheet_xml(z, wb, title: str) -> str:
    index = wb.sheetnames.index(title) + 1
    return z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def _unescape(text: str) -> str:
    from xml.sax.saxutils import unescape

    return unescape(text)
