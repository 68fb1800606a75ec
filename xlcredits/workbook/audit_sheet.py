"""The Audit sheet every form workbook ends with: meta cells (form, revision, fingerprint, state),
every line with its value, explanation and source, and the findings."""

from __future__ import annotations

from .a1 import address
from .builders import _line_unit
from .places import AuditPlace, line_name


def build_audit_sheet(builder) -> AuditPlace:
    """The Audit sheet: meta cells, every line with its value and explanation, the findings list."""
    # Portrait, printed columns line / description / value / explanation at full size; the source and
    # the cell's name are beside them for the screen.
    sb = builder.sheet("Audit", {0: 9, 1: 27, 2: 15, 3: 46, 4: 40, 5: 18}, (0, 3))
    sb.title("", "Audit: every line used, its value and its explanation", builder.title)
    _meta_rows(builder, sb)
    sb.row += 1
    sb.section("Lines")
    head = sb.headings({0: "Line", 1: "Description", 2: "Value", 3: "Explanation", 4: "Source / note",
                        5: "Cell"})
    line_rows = _line_rows(builder, sb)
    sb.row += 1
    sb.section("Findings")
    sb.headings({0: "Severity", 1: "Where", 2: "Cell", 3: "Message"}, height=18)
    spec = builder.book.sheets["Audit"]
    totals = {key for key, _ in getattr(builder.hooks, "REVIEW_TOTALS", ())} - set(
        getattr(builder.hooks, "REVIEW_TOTALS_WHEN_USED", ()))  # the part that does not apply stays hidden
    spec.hide_unused.append((min(line_rows.values()), max(line_rows.values()), 2, 2, True))
    spec.keep_rows = tuple(r for key, r in line_rows.items() if key in totals)
    spec.blocks.append((sb.row, sb.row + 400, 1, "review_text", ""))  # findings wrap
    spec.blocks.append((sb.row, sb.row + 400, 3, "review_text", ""))
    _state_sheet(builder)
    spec.freeze = (head + 1, 0)
    spec.repeat_rows = (head, head)
    return AuditPlace("Audit", line_rows, sb.row,
                      {"value": 2, "explanation": 3, "source": 4, "cell": 5,
                       "severity": 0, "where": 1, "fcell": 2, "message": 3})


def _meta_rows(builder, sb) -> None:
    """The named cells that identify a fill: form, revision, year, engine, fingerprint, status."""
    meta = [
        ("XLC_form", "Form", builder.form),
        ("XLC_revision", "Form revision", builder.revision),
        ("XLC_tax_year", "Tax year", None),
        ("XLC_engine", "Engine version (xlcredits)", None),
        ("XLC_fingerprint", "Input fingerprint (SHA-256)", None),
        ("XLC_status", "Status", "Template: not filled yet"),
    ]
    for name, label, value in meta:
        sb.put(sb.row, 0, label, "label_bold")
        sb.merge(sb.row, 0, 1)
        sb.put(sb.row, 2, value, "meta_value")
        sb.merge(sb.row, 2, 3)
        builder.name(name, address("Audit", sb.row, 2))
        sb.row += 1


def _line_rows(builder, sb) -> dict[str, int]:
    """One row per line, in the form's order then the engine's own lines: number, label, value,
    explanation (filled by each fill), source and cell name (for the screen)."""
    line_rows = {}
    order = builder.line_order + [line.key for line in builder.lines if line.key not in builder.line_places]
    for key in order:
        line = builder.line_defs[key]
        r = sb.row
        sb.put(r, 0, key if _form_line_number(key) else None, "line_no")  # no internal names in print
        sb.put(r, 1, line.label, "audit_text", wrap=True)
        sb.put(r, 2, None, "meta_value", _line_unit(line))
        sb.put(r, 3, None, "audit_text", wrap=True)
        # not printed: the source runs on one line on screen and does not make the printed rows taller
        sb.put(r, 4, line.annotation() or None, "audit_text")
        sb.put(r, 5, line_name(builder.prefix, key), "audit_text")
        line_rows[key] = r
        sb.row += 1
    return line_rows


def _form_line_number(key: str) -> bool:
    """"8a", "1a.c", "IV.38", "III.total" are the form's numbering; "qre.wages" or
    "credit_year_months" are the engine's names, described in the next column instead."""
    return key[:1].isdigit() or key.startswith(("III.", "IV."))


def _state_sheet(builder) -> None:
    """The filler's state (which cells the last fill marked) on a very hidden sheet: internal, never
    printed, not shown in Excel's Unhide list."""
    sb = builder.sheet("xlc_state", {0: 30}, (0, 0))
    sb.spec.very_hidden = True
    sb.put(0, 0, None, "meta_value")
    builder.name("XLC_state", address("xlc_state", 0, 0))
