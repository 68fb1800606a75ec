"""Start next year's return from this year's (`xlcredits rollover`, the ribbon's Start next year).

NJ Form 306: next year's carryforward is this year's `carryforward_next` (the engine has already
used the allowed credit oldest first and dropped vintages whose carryover period ends this year,
N.J.S.A. 54:10A-5.24(b)); every field the engine gives on those rows that the input accepts is
passed through. The ASC's three prior years' QREs shift by one year (the oldest drops off, this
year's total QREs — line 20, or line 9 for the regular method — become the third) [26 U.S.C.
41(c)(4)(A), as adopted by N.J.S.A. 54:10A-5.24]. A start-up company's year number goes up by one
and this year joins its history [26 U.S.C. 41(c)(3)(B)]. Taxpayer, return, federal method,
carryover period and the fixed-base sources are carried.

Form 7207: the filer and the facility (Part I) are carried; the schedules start empty; the new
tax year picks the form revision for that year.

Every carried value records where it came from: in a new workbook as an open row of its Review
notes (counted on the Review sheet, carried over by every fill) and on a "Carried forward" sheet;
in a JSON input in the `_carried_from` field (engine and fill ignore "_" fields)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..numbers import grouped
from ..workbook.inputs import get_path, set_path
from .sources import Source, SourceError, load


class RolloverError(ValueError):
    """Why the next year cannot start from this file (one sentence)."""


@dataclass
class Carried:
    path: str  # JSON path in the new input
    label: str  # in the form's words
    value: Any
    source: str  # "2025 return (last.xlsx), NJ-306!C3" / "... line 37 carryforward"

    def as_json(self) -> dict:
        return {"field": self.path, "label": self.label, "value": self.value, "from": self.source}


@dataclass
class Rollover:
    data: dict
    carried: list[Carried] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # dropped vintages, values the preparer must still type
    form: str = ""
    tax_year: Any = None


def _year_of(tax_year: Any) -> int | None:
    if isinstance(tax_year, dict):
        tax_year = tax_year.get("begins")
    try:
        return int(str(tax_year)[:4])
    except (TypeError, ValueError):
        return None


def _shift(day: str, years: int) -> str:
    d = date.fromisoformat(str(day)[:10])
    try:
        return d.replace(year=d.year + years).isoformat()
    except ValueError:  # 29 February -> 28 February
        return d.replace(year=d.year + years, day=28).isoformat()


def next_tax_year(tax_year: Any, year: int) -> Any:
    """The new year's tax_year: a calendar year, or the fiscal year's dates shifted by whole years."""
    last = _year_of(tax_year)
    if isinstance(tax_year, dict) and tax_year.get("begins") and tax_year.get("ends") and last is not None:
        return {"begins": _shift(tax_year["begins"], year - last), "ends": _shift(tax_year["ends"], year - last)}
    return year


def roll(source: Source, year: int, gross_receipts: Decimal | None = None) -> Rollover:
    last = _year_of(source.result.tax_year if source.result.tax_year is not None else source.data.get("tax_year"))
    if last is None:
        raise RolloverError(f"{source.name} has no tax year, so the next year is unknown: type it first")
    if year != last + 1:
        raise RolloverError(f"{source.name} is the {last} return; --tax-year must be the year after it, {last + 1} "
                            f"(the carried amounts are those at the start of {last + 1})")
    r = Rollover({"form": source.layout.form}, form=source.layout.form)
    r.tax_year = r.data["tax_year"] = next_tax_year(source.data.get("tax_year"), year)
    if source.layout.form == "NJ-306":
        _nj306(source, last, r, gross_receipts)
    else:
        _f7207(source, last, r)
    return r


def _origin(source: Source, last: int, path: str) -> str:
    fp = source.layout.fields.get(path)
    if source.is_workbook and fp is not None:
        from ..workbook.filler import display_address

        return f"{last} return ({source.name}), {display_address(fp.place.address)}"
    return f"{last} return ({source.name}), {path}"


def _carry_fields(source: Source, last: int, r: Rollover, wanted) -> None:
    for path, fp in source.layout.fields.items():
        if not wanted(path):
            continue
        value = get_path(source.data, path)
        if value is None:
            continue
        set_path(r.data, path, value)
        r.carried.append(Carried(path, fp.field.label, value, _origin(source, last, path)))


def _f7207(source: Source, last: int, r: Rollover) -> None:
    _carry_fields(source, last, r, lambda p: p.split(".")[0] in ("filer", "facility", "entity_type"))
    r.notes.append("Schedules (products, vessels, minerals, coal) start empty: enter this year's sales.")


NJ_CARRIED = ("taxpayer", "return_type", "federal_method", "carryover_period_years", "fixed_base_percentage",
              "base_period_1984_1988", "startup.selected_years", "combined.sharing")


def _nj306(source: Source, last: int, r: Rollover, gross_receipts: Decimal | None) -> None:
    result = source.result
    if not result.computed:
        raise RolloverError(f"{source.name} has input errors, so its carryforward is unknown: fix them first "
                            f"(`xlcredits verify {source.name}` lists them)")
    _carry_fields(source, last, r, lambda p: p.startswith(NJ_CARRIED))
    _carry_vintages(source, last, r)
    qres = _shift_prior_qres(source, last, r)
    _roll_startup(source, last, r, qres, gross_receipts)


def _carry_vintages(source: Source, last: int, r: Rollover) -> None:
    """Each vintage of credit still unused carries forward; one that expires now is named in a note."""
    from ..forms.nj306.model import Vintage

    result = source.result
    accepted = set(Vintage.model_fields)
    ledger = []
    for i, row in enumerate(result.extras.get("carryforward_next") or []):
        vintage = {k: v for k, v in row.items() if k in accepted}
        ledger.append(vintage)
        r.carried.append(Carried(f"carryforward[{i}]", f"Credit earned {row.get('year_earned')} still unused",
                                 vintage, f"{last} return ({source.name}), line 37/44/51 carryover "
                                          f"(credit left after this year's use, oldest first)"))
    if ledger:
        r.data["carryforward"] = ledger
    for row in result.rows.get("carryforward", []):
        # A vintage used in its last period (periods left, counting this one, is 1) and not used up expires
        # now; one already out of periods was not usable at all (NJ306-D5; N.J.S.A. 54:10A-5.24(b)). The
        # engine leaves both out of carryforward_next; the preparer is told which and how much.
        earned = row.get("year_earned")
        if earned is None:
            earned = f"in the period ended {row.get('period_ends')}"
        left = row.get("periods_left")
        if left is not None and left <= 1 and row.get("remaining"):
            r.notes.append(f"Credit earned {earned} ({grouped(row['remaining'], 2)} unused) expired after {last} "
                           f"({row['period_years']}-period carryover) and is not carried.")
        elif left == 0 and row.get("amount"):
            r.notes.append(f"Credit earned {earned} ({grouped(row['amount'], 2)}) had already expired before {last} "
                           f"({row['period_years']}-period carryover) and is not carried.")


def _shift_prior_qres(source: Source, last: int, r: Rollover) -> Decimal | None:
    """Line 21's 3 prior years move one year on, the last return's total QREs the newest; returns those QREs."""
    result = source.result
    qres = result.lines.get("20") if result.lines.get("20") is not None else result.lines.get("9")
    prior = get_path(source.data, "prior_year_qres")
    if isinstance(prior, list) and len(prior) == 3 and qres is not None:
        shifted = [prior[1], prior[2], qres]
        r.data["prior_year_qres"] = shifted
        for i, (value, origin) in enumerate(zip(shifted, (_origin(source, last, "prior_year_qres[1]"),
                                                           _origin(source, last, "prior_year_qres[2]"),
                                                           f"{last} return ({source.name}), total QREs "
                                                           f"(line {'20' if result.lines.get('20') is not None else '9'})"))):
            r.carried.append(Carried(f"prior_year_qres[{i}]", f"QREs, {('first', 'second', 'third')[i]} of the 3 "
                                     f"prior tax years", value, origin))
    elif source.data.get("federal_method") == "asc":
        r.notes.append("Line 21: type the QREs of the 3 prior tax years (this return did not give them).")
    return qres


def _roll_startup(source: Source, last: int, r: Rollover, qres: Decimal | None,
                  gross_receipts: Decimal | None) -> None:
    """A start-up company's credit year moves on, the last year's QREs joining its history."""
    startup = source.data.get("startup")
    if isinstance(startup, dict) and startup.get("credit_year") is not None and qres is not None:
        year_no = int(startup["credit_year"])
        history = [dict(h) for h in startup.get("history") or [] if isinstance(h, dict) and h.get("year") != year_no]
        added = {"year": year_no, "qre": qres}
        if gross_receipts is not None:
            added["gross_receipts"] = gross_receipts
        else:
            r.notes.append(f"Start-up year {year_no}: type its gross receipts in the start-up history "
                           f"(or give --gross-receipts); the fixed-base percentage needs them.")
        history.append(added)
        new = {**{k: v for k, v in startup.items() if k not in ("credit_year", "history")},
               "credit_year": year_no + 1, "history": history}
        r.data["startup"] = new
        r.carried.append(Carried("startup.credit_year", "Start-up year of this tax year", year_no + 1,
                                 f"{_origin(source, last, 'startup.credit_year')} + 1"))
        r.carried.append(Carried(f"startup.history[{len(history) - 1}]", f"Start-up year {year_no} QREs", qres,
                                 f"{last} return ({source.name}), total QREs"))


# --- files -----------------------------------------------------------------------------------------

def rollover_file(source_path, out, year: int, *, force: bool = False,
                  gross_receipts: Decimal | None = None) -> Rollover:
    from ..jsonio import dumps
    from ..safefile import OutputError, atomic_output
    from ..workbook.writer import WorkbookError

    out = Path(out)
    if out.suffix.lower() not in (".xlsx", ".json"):
        raise RolloverError(f"{out.name}: the next year's file is a workbook (.xlsx) or a JSON input (.json)")
    if out.exists() and not force:
        raise RolloverError(f"{out} already exists; use --force to replace it")
    if out.resolve() == Path(source_path).resolve():
        raise RolloverError("the output must be a new file: last year's return is never modified")
    try:
        source = load(source_path)
    except SourceError as exc:
        raise RolloverError(str(exc)) from None
    r = roll(source, year, gross_receipts)
    try:
        if out.suffix.lower() == ".json":
            payload = {**r.data, "_carried_from": [c.as_json() for c in r.carried] + [{"note": n} for n in r.notes]}
            with atomic_output(out, force=force) as tmp:
                tmp.write_text(dumps(payload) + "\n", encoding="utf-8")
        else:
            _write_workbook(r, out, force)
    except (OutputError, WorkbookError) as exc:
        raise RolloverError(str(exc)) from None
    return r


CARRIED_SHEET = "Carried forward"
ROLLOVER_WHO = "xlcredits rollover"  # the "who" of the Review notes rows rollover writes


def _shown(value: Any) -> Any:
    if isinstance(value, dict):
        return ", ".join(f"{k} {grouped(v) if isinstance(v, Decimal) else v}" for k, v in value.items())
    if isinstance(value, Decimal):
        return grouped(value)
    return value if isinstance(value, (str, int)) else str(value)


def _new_cell(layout, path: str) -> str:
    """Where a carried value sits in the new workbook: "'NJ-306'!C3", "Worksheets!C36"; the JSON path
    when the layout has no cell for it."""
    from ..workbook.filler import display_address

    fp = layout.fields.get(path)
    if fp is not None:
        return display_address(fp.place.address)
    m = re.fullmatch(r"(.+)\[(\d+)\]", path)
    if m:
        for sp in layout.schedules.values():
            if sp.schedule.json_field == m.group(1) and int(m.group(2)) < sp.max_rows:
                return display_address(sp.address(int(m.group(2)), sp.inputs()[0].key))
    return path


def provenance_notes(r: Rollover, layout) -> list[tuple]:
    """The Review notes rows of a rolled-over workbook: one open note per carried value (where it came
    from) and one per thing still to do. The Review sheet counts them ("12 open review notes"); the
    preparer clears each after checking it."""
    rows = [(_new_cell(layout, c.path), f"Carried from the {c.source}: {_shown(c.value)}", "open", ROLLOVER_WHO)
            for c in r.carried]
    rows += [("To do", note, "open", ROLLOVER_WHO) for note in r.notes]
    return rows


def _write_workbook(r: Rollover, out: Path, force: bool) -> None:
    """The new year's completed workbook. Where each carried value came from is said twice: as open
    rows of its Review notes table (the one part of a workbook that `fill` and the ribbon's fill carry
    over, counted on the Review sheet), and in full on a "Carried forward" sheet. The Review sheet's
    own rows below its findings are rewritten by every fill, so a statement there would not survive
    the preparer's first fill (no hook for a lasting statement yet)."""
    from ..workbook.files import _header_year, _taxpayer, fill_book
    from ..workbook.filler import BookAdapter, fill_workbook
    from ..workbook.layout import Cell, SheetSpec
    from ..workbook.review_notes import put_review_notes
    from ..workbook.writer import save

    book, layout, result = fill_book(r.data)
    if put_review_notes(book, provenance_notes(r, layout)):
        result = fill_workbook(BookAdapter(book), inputs=r.data)  # the Review sheet counts the open notes
    sheet = SheetSpec(CARRIED_SHEET, widths={0: 34, 1: 42, 2: 22, 3: 60}, print_cols=(0, 3), landscape=True)
    put = lambda row, col, value, role="label": sheet.cells.__setitem__((row, col), Cell(value, role=role,  # noqa: E731
                                                                                          wrap=role == "label"))
    put(0, 0, f"Carried forward into tax year {_year_of(r.tax_year)}", "title")
    put(1, 0, "Each value below was carried from last year's return by `xlcredits rollover`; check it before "
              "filing (each is also an open row of the Review notes).", "subtitle")
    for col, head in enumerate(("Field", "In the form's words", "Value", "Came from")):
        put(3, col, head, "colhead")
    row = 4
    for c in r.carried:
        put(row, 0, c.path)
        put(row, 1, c.label)
        put(row, 2, _shown(c.value))
        put(row, 3, c.source)
        row += 1
    if r.notes:
        row += 1
        put(row, 0, "To do", "section")
        for note in r.notes:
            row += 1
            put(row, 0, note)
    book.sheets[CARRIED_SHEET] = sheet
    save(book, out, force=force, tax_year=_header_year(result), taxpayer=_taxpayer(layout, r.data))


def next_name(source: Source) -> tuple[Path, int]:
    """Where Start next year writes: `<Taxpayer>-<form>-<year + 1>.xlsx` beside the workbook."""
    from .send import _safe

    last = _year_of(source.result.tax_year if source.result.tax_year is not None else source.data.get("tax_year"))
    if last is None:
        raise RolloverError(f"{source.name} has no tax year, so the next year is unknown: type it first")
    taxpayer = get_path(source.data, getattr(source.layout.hooks, "TAXPAYER", "") or "") or ""
    name = f"{_safe(str(taxpayer), 'Taxpayer')}-{_safe(source.layout.form, 'form')}-{last + 1}.xlsx"
    return source.path.parent / name, last + 1
