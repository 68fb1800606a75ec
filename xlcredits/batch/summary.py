"""summary.xlsx and summary.json of a batch: one row per form, totals, every finding with its file.

For Form 7207 the rows are those of Form 3800 Part III line 1b: facility, registration number and
line 8a (8c for estates and trusts) [Instructions for Form 7207, line 8a; Form 3800 Part III line 1b].
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..jsonio import dumps
from ..numbers import ZERO
from ..safefile import atomic_output

F7207_COLUMNS = [("file", "File", 28), ("filer", "Filer", 28), ("tin", "TIN", 12), ("facility", "Facility", 36),
                 ("registration_number", "Registration number", 20), ("tax_year", "Tax year", 10),
                 ("line_8a", "Line 8a", 16), ("line_8c", "Line 8c (to Form 3800 Part III line 1b)", 18),
                 ("status", "Status", 20)]
NJ_COLUMNS = [("file", "File", 28), ("taxpayer", "Taxpayer", 30), ("fein", "FEIN", 12), ("tax_year", "Tax year", 10),
              ("line_28", "Line 28 credit", 16), ("line_30", "Line 30 available", 16),
              ("allowed", "Allowed (36/43/50)", 16), ("allowed_line", "Line", 6),
              ("carryover", "Carryover (37/44/51)", 16), ("status", "Status", 20)]
MONEY = {"line_8a", "line_8c", "line_28", "line_30", "allowed", "carryover"}


def totals(records: list[dict], problems: list[str] = ()) -> dict:
    """Sums over the returns whose workbook was written: a return computed but never written (a
    full disk, a killed worker) is not in any total — its row says why."""
    written = [r for r in records if r.get("output")]

    def total(form: str, key: str) -> Decimal:
        return sum((r[key] for r in written if r.get("form") == form and r.get(key) is not None), ZERO)

    findings = {sev: sum(1 for r in records for f in r.get("findings", []) if f["severity"] == sev)
                for sev in ("error", "warning", "note")}
    findings["error"] += len(problems)  # an intake row naming no facility is an error too
    return {
        "written": len(written),
        "7207": {"count": sum(1 for r in written if r.get("form") == "7207"),
                 "line_8a": total("7207", "line_8a"), "line_8c": total("7207", "line_8c")},
        "NJ-306": {"count": sum(1 for r in written if r.get("form") == "NJ-306"),
                   "line_28": total("NJ-306", "line_28"), "line_30": total("NJ-306", "line_30"),
                   "allowed": total("NJ-306", "allowed"), "carryover": total("NJ-306", "carryover")},
        "not_computed": [r["file"] for r in records if r["status"] in ("failed", "not computed")],
        "findings": findings,
    }


def _clean(value):
    """Text the summary can hold: a lone surrogate or a control character cannot be written to
    XML or UTF-8, and must not cost the batch its summary."""
    if isinstance(value, str):
        value = value.encode("utf-8", "replace").decode("utf-8")
        return "".join(ch if ch >= " " or ch in "\t\n" else f"\\u{ord(ch):04x}" for ch in value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def write_summary(records: list[dict], problems: list[str], out_dir: Path) -> dict:
    import xlsxwriter

    records, problems = _clean(records), _clean(list(problems))
    summary = {"totals": totals(records, problems), "returns": records, "problems": problems}
    with atomic_output(out_dir / "summary.json", force=True) as tmp:
        tmp.write_text(dumps(summary) + "\n", encoding="utf-8")
    with atomic_output(out_dir / "summary.xlsx", force=True) as tmp:
        # in memory: XlsxWriter's own temporary files would hold client data in the system's temp folder
        _write_summary_book(xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                                           "in_memory": True}),
                            records, problems, summary)
    return summary


def _print_ready(sheet, title: str, columns: int) -> None:
    """Landscape, one page wide, the header row on every page, title and page numbers."""
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_paper(1)  # Letter
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    sheet.set_header(f"&L&B{title.replace('&', '&&')}&Rxlcredits batch summary")
    sheet.set_footer("&L&D &T&RPage &P of &N")


def _write_summary_book(book, records: list[dict], problems: list[str], summary: dict) -> None:
    import xlsxwriter

    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_bold = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
    for title, form, columns in (("Form 7207", "7207", F7207_COLUMNS), ("NJ-306", "NJ-306", NJ_COLUMNS)):
        sheet = book.add_worksheet(title)
        rows = [r for r in records if r.get("form") == form]
        for col, (_, label, width) in enumerate(columns):
            sheet.write_string(0, col, label, bold)
            sheet.set_column(col, col, width)
        for i, record in enumerate(rows, start=1):
            for col, (key, _, _) in enumerate(columns):
                value = record.get(key)
                if key in MONEY:
                    if value is not None and record.get("output"):  # amounts of written returns only
                        sheet.write_number(i, col, float(value), money)
                elif key == "tax_year" and isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(i, col, value)  # a year is a number (sorts and filters as one)
                elif isinstance(value, dict):
                    sheet.write_string(i, col, f"{value.get('begins')} to {value.get('ends')}")
                elif value is not None:
                    sheet.write_string(i, col, str(value))
        last = len(rows) + 1
        sheet.write_string(last, 0, "Total", bold)
        for col, (key, _, _) in enumerate(columns):
            if key in MONEY and key != "allowed_line":
                column = xlsxwriter.utility.xl_col_to_name(col)
                value = summary["totals"][form].get(key, ZERO)
                sheet.write_formula(last, col, f"=SUM({column}2:{column}{last})", money_bold, float(value))
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, max(last - 1, 1), len(columns) - 1)
        _print_ready(sheet, f"{title}: returns of the batch", len(columns))
    sheet = book.add_worksheet("Findings")
    for col, (label, width) in enumerate((("File", 28), ("Severity", 10), ("Where", 30), ("Message", 100))):
        sheet.write_string(0, col, label, bold)
        sheet.set_column(col, col, width)
    row = 1
    for problem in problems:
        sheet.write_row(row, 0, ["(batch)", "error", "(input)", problem])
        row += 1
    for record in records:
        for finding in record.get("findings", []):
            sheet.write_row(row, 0, [record["file"], finding["severity"], finding.get("place", finding["where"]), finding["message"]])
            row += 1
    sheet.freeze_panes(1, 0)
    _print_ready(sheet, "Findings of the batch", 4)
    book.close()
