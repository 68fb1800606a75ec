"""Plain-text rendering of a result: the form as a readable table with explanations."""

from __future__ import annotations

import shutil
import textwrap

from .lines import Result
from .numbers import grouped


def _lines_of(result: Result):
    from .forms import registry

    info = registry().get(result.form)
    if info is None:
        return []
    module = __import__(info.compute.__module__.rsplit(".", 1)[0] + ".definition", fromlist=["lines"])
    reported = [line for line in module.lines(result.revision) if line.report]
    # definitions run in dependency order (Part IV totals before line 6a); print in form order
    return sorted(reported, key=lambda line: PART_ORDER.get(line.part, 0))


PART_ORDER = {f"Part {numeral}": rank for rank, numeral in enumerate(["I", "II", "III", "IV", "V", "VI", "VII"])}


def as_text(result: Result, all_lines: bool = False, render=None) -> str:
    """`render(finding)`: the finding's line (messages.render names its place as the user knows it)."""
    width = max(80, min(shutil.get_terminal_size((110, 24)).columns, 140))
    out = [f"Form {result.form}  (revision {result.revision or '—'}, tax year {result.tax_year})" if result.form
           else "xlcredits could not read the input.", ""]
    hidden = 0
    phased = {f"{p['line']}.e" for p in result.phase_out or ()}  # marked: see the phase-out statement
    if result.computed:
        for line in _lines_of(result):
            value = result.lines.get(line.key)
            if value is None and line.key not in result.lines:
                continue
            if not all_lines and not value and line.key.startswith("IV.") and line.key != "IV.74":
                hidden += 1  # Part IV lines without costs would bury the rest
                continue
            shown = "—" if value is None else grouped(value, line.places())
            if line.key in phased:
                shown = "‡ " + shown
            label = textwrap.shorten(line.label, 58, placeholder="…")
            out.append(f"{line.key:>9}  {label:<58} {shown:>18}")
            why = result.explanations.get(line.key, "")
            if why and line.kind == "computed" and value:
                for piece in textwrap.wrap(why, width - 13):
                    out.append(" " * 11 + piece)
        if hidden:
            out += ["", f"({hidden} Part IV lines without costs are not shown; --all shows every line.)"]
        out += _statements(result, width)
    else:
        out.append("Not computed: the input has errors.")
    if result.findings:
        out += ["", "Findings:"]
        for f in result.findings:
            text = render(f) if render else f"{f.severity.upper():8} {f.where}: {f.message}"
            out += textwrap.wrap(text, width, subsequent_indent=" " * 9)
    return "\n".join(out) + "\n"


def _statements(result: Result, width: int) -> list[str]:
    """The statements a result carries (Form 7207): excluded amounts and the phase-out per year."""
    out: list[str] = []
    if result.excluded:
        out += ["", "Statement of excluded amounts (not in column (d)):"]
        for e in result.excluded:
            head = f"line {e['line']}  {e['row']}  {e['description'] or ''}".rstrip()
            out += textwrap.wrap(f"{head}: {grouped(e['amount'])} — {e['reason']} [{e['citation']}]", width,
                                 initial_indent="  ", subsequent_indent="      ")
    if result.phase_out:
        out += ["", "‡ Phase-out statement (column (e) = (c) × (d) × percentage for these amounts):"]
        for p in result.phase_out:
            out.append(f"  line {p['line']}  {p['year_basis']} in {p['year']}: {grouped(p['rate'])} × "
                       f"{grouped(p['measure'])} × {grouped((p['percentage'] * 100).normalize())}% = {grouped(p['amount'], 2)}")
    return out
