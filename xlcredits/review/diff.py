"""What changed between two versions of a return: inputs (by sheet row and field, in the form's
words), lines (old → new), findings that appeared or went away, and review notes.

Schedule rows are matched by content, not position (difflib over each row's canonical text), so a
row inserted in the middle of the Products table shows as one added row rather than every row
below it "changed"; rows that differ in place are paired in order and compared field by field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..numbers import D, grouped
from ..workbook.filler import display_address
from ..workbook.inputs import canonical, get_path
from .notes import Note
from .sources import Source


class Mismatch(ValueError):
    """Two files that are not versions of one return (one sentence)."""


@dataclass
class InputChange:
    change: str  # changed | added | removed
    where: str  # "Products row 7 (Module, 100 W)" or "Name(s) shown on return"
    field: str  # the field's words: "Units sold"; "" for a whole row
    path: str  # JSON path: components[2].units
    cell: str  # "Products!C7", or "" for a JSON-only comparison
    old: Any = None
    new: Any = None

    def text(self) -> str:
        head = f"{self.where}: {self.field}" if self.field else f"{self.where}:"
        if self.change == "changed":
            return f"{head} {show(self.old)} → {show(self.new)}"
        return f"{head} {self.change}"

    def as_json(self) -> dict:
        return {"change": self.change, "where": self.where, "field": self.field, "path": self.path,
                "cell": self.cell, "old": self.old, "new": self.new}


@dataclass
class LineChange:
    line: str
    label: str
    old: Any
    new: Any
    unit: str = "money"

    def text(self) -> str:
        places = 2 if self.unit == "money" else None
        return f"Line {self.line} ({self.label}): {show(self.old, places)} → {show(self.new, places)}"


@dataclass
class NoteChange:
    change: str  # added | removed | changed | cleared | reopened
    old: Note | None
    new: Note | None

    def text(self) -> str:
        n = self.new or self.old
        who = f" ({n.who})" if n.who else ""
        if self.change == "changed":
            return f"{n.where}: note changed{who}: \"{self.old.note}\" → \"{self.new.note}\""
        return f"{n.where}: {self.change}{who}: \"{n.note}\""

    def as_json(self) -> dict:
        return {"change": self.change, "old": self.old.as_json() if self.old else None,
                "new": self.new.as_json() if self.new else None}


@dataclass
class Diff:
    old: Source
    new: Source
    inputs: list[InputChange] = field(default_factory=list)
    lines: list[LineChange] = field(default_factory=list)
    revision: tuple[str, str] | None = None
    appeared: list = field(default_factory=list)  # findings
    gone: list = field(default_factory=list)
    notes: list[NoteChange] = field(default_factory=list)
    notes_missing: list[str] = field(default_factory=list)  # files without a Review notes table

    @property
    def same(self) -> bool:
        return not (self.inputs or self.lines or self.revision or self.appeared or self.gone or self.notes)


def show(value: Any, places: int | None = None) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, Decimal)):
        return grouped(D(value), places)
    if isinstance(value, dict) and "begins" in value:
        return f"{value.get('begins')} to {value.get('ends')}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def _same(a: Any, b: Any) -> bool:
    return canonical(a) == canonical(b)


def compare(old: Source, new: Source) -> Diff:
    if old.layout.form != new.layout.form:
        raise Mismatch(f"{old.name} is Form {old.layout.form} and {new.name} is Form {new.layout.form}: "
                       f"diff compares two versions of one return")
    d = Diff(old, new)
    _fields(d)
    _schedules(d)
    _lines(d)
    _findings(d)
    _notes(d)
    return d


def _cell(source: Source, address: str) -> str:
    return display_address(address) if source.is_workbook else ""


def _fields(d: Diff) -> None:
    layout = d.new.layout
    shown_on = d.new if d.new.is_workbook else d.old
    for path, fp in layout.fields.items():
        a, b = get_path(d.old.data, path), get_path(d.new.data, path)
        if _same(a, b):
            continue
        label = fp.field.label
        where = f"Line {fp.field.line}: {label}" if fp.field.line else label
        cell = _cell(shown_on, fp.place.address)
        d.inputs.append(InputChange("changed", f"{where} ({cell or path})", "", path, cell, a, b))


def _row_name(row: dict) -> str:
    for key in ("description", "name"):
        if row.get(key):
            return str(row[key])
    return ""


def _row_where(sp, source: Source, rows: list, at: list[int], i: int) -> tuple[str, str]:
    """How the preparer knows row i: "Products row 6 (Module, 100 W)" in a workbook, the JSON path
    otherwise; and its first input cell ("" for JSON)."""
    name = _row_name(rows[i])
    label = f" ({name})" if name else ""
    if source.is_workbook and i < len(at):
        return f"{sp.sheet} row {sp.first_row + at[i] + 1}{label}", sp.address(at[i], sp.inputs()[0].key)
    return f"{sp.schedule.json_field}[{i}]{label}", ""


def _schedules(d: Diff) -> None:
    for key, sp in d.new.layout.schedules.items():
        field_ = sp.schedule.json_field
        old_rows, new_rows = get_path(d.old.data, field_) or [], get_path(d.new.data, field_) or []
        if not old_rows and not new_rows:
            continue
        old_at, new_at = d.old.positions.get(key, []), d.new.positions.get(key, [])
        # A changed row is named as the newer file shows it, unless only the older one is a workbook.
        named_by_old = d.old.is_workbook and not d.new.is_workbook
        matcher = difflib.SequenceMatcher(None, [canonical(r) for r in old_rows], [canonical(r) for r in new_rows],
                                          autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            pairs = min(i2 - i1, j2 - j1)
            for i, j in zip(range(i1, i1 + pairs), range(j1, j1 + pairs)):
                source, rows, at, n = (d.old, old_rows, old_at, i) if named_by_old else (d.new, new_rows, new_at, j)
                label, _ = _row_where(sp, source, rows, at, n)
                for column in sp.inputs():
                    a, b = old_rows[i].get(column.key), new_rows[j].get(column.key)
                    if _same(a, b):
                        continue
                    cell = display_address(sp.address(at[n], column.key)) if source.is_workbook and n < len(at) else ""
                    d.inputs.append(InputChange("changed", label, column.label, f"{field_}[{j}].{column.key}",
                                                cell, a, b))
            for i in range(i1 + pairs, i2):
                label, address = _row_where(sp, d.old, old_rows, old_at, i)
                d.inputs.append(InputChange("removed", label, "", f"{field_}[{i}]",
                                            display_address(address) if address else "", old_rows[i], None))
            for j in range(j1 + pairs, j2):
                label, address = _row_where(sp, d.new, new_rows, new_at, j)
                d.inputs.append(InputChange("added", label, "", f"{field_}[{j}]",
                                            display_address(address) if address else "", None, new_rows[j]))


def _lines(d: Diff) -> None:
    old, new = d.old.result, d.new.result
    if old.revision != new.revision and old.revision and new.revision:
        d.revision = (old.revision, new.revision)
    labels = {line.key: line for line in d.new.layout.lines}
    for key in dict.fromkeys([*old.lines, *new.lines]):
        a, b = old.lines.get(key), new.lines.get(key)
        if not _same(a, b):
            line = labels.get(key)
            d.lines.append(LineChange(key, line.label if line else key, a, b, line.unit if line else "money"))


def _findings(d: Diff) -> None:
    def keyed(result):
        return {(f.severity, f.where, f.message): f for f in result.findings}

    a, b = keyed(d.old.result), keyed(d.new.result)
    d.appeared = [f for k, f in b.items() if k not in a]
    d.gone = [f for k, f in a.items() if k not in b]


def _notes(d: Diff) -> None:
    for source in (d.old, d.new):
        if source.is_workbook and source.notes is None:
            d.notes_missing.append(source.name)
    old = {n.where.lower(): n for n in d.old.notes or ()}
    new = {n.where.lower(): n for n in d.new.notes or ()}
    for key, n in new.items():
        o = old.get(key)
        if o is None:
            d.notes.append(NoteChange("added", None, n))
        elif o.status != n.status:
            d.notes.append(NoteChange("cleared" if n.status == "cleared" else "reopened", o, n))
        elif o.note != n.note or o.who != n.who:
            d.notes.append(NoteChange("changed", o, n))
    for key, o in old.items():
        if key not in new:
            d.notes.append(NoteChange("removed", o, None))


# --- output -----------------------------------------------------------------------------------

def as_text(d: Diff) -> str:
    out = [f"{d.old.name} → {d.new.name} (Form {d.new.layout.form})"]
    if d.same:
        out.append("The same return: no input, line, finding or review note differs.")
    for title, items in (("Inputs", [c.text() for c in d.inputs]),
                         ("Lines", ([f"Form revision {d.revision[0]} → {d.revision[1]}"] if d.revision else [])
                          + [c.text() for c in d.lines]),
                         ("Findings appeared", [f"{f.severity.upper()} {f.where}: {f.message}" for f in d.appeared]),
                         ("Findings gone", [f"{f.severity.upper()} {f.where}: {f.message}" for f in d.gone]),
                         ("Review notes", [c.text() for c in d.notes])):
        if items:
            out.append(f"{title}:")
            out.extend(f"  {t}" for t in items)
    for name in d.notes_missing:
        out.append(f"({name} has no Review notes table.)")
    for source in (d.old, d.new):
        if not source.result.computed:
            out.append(f"({source.name} has input errors, so its lines are blank.)")
    return "\n".join(out) + "\n"


def as_json(d: Diff) -> dict:
    return {
        "old": str(d.old.path), "new": str(d.new.path), "form": d.new.layout.form, "same": d.same,
        "inputs": [c.as_json() for c in d.inputs],
        "revision": {"old": d.revision[0], "new": d.revision[1]} if d.revision else None,
        "lines": [{"line": c.line, "label": c.label, "old": c.old, "new": c.new} for c in d.lines],
        "findings": {"appeared": [f.as_json() for f in d.appeared], "gone": [f.as_json() for f in d.gone]},
        "review_notes": [c.as_json() for c in d.notes],
        "no_review_notes_table": d.notes_missing,
    }
