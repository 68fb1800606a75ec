"""Form 7207 product rows judged and computed: each row checked (rowchecks.py), judged by the
verdict for its facts (verdicts.py), and its measure and credit computed from the one expression
that also explains them (definition.py).

`product_row` is the whole work for one row; `product_rows` runs it over rows read by pydantic,
sharing a quiet row's judged columns with later rows of the same facts. Rows the fast reader
takes (forms/quick.py) are read, judged and computed in one pass by fastrows.py."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Callable

from ...expr import Expr, as_first_factor, compiled, known_factors
from ...lines import Findings
from . import catalog
from .definition import ROW_CREDIT, product_measure
from .eligibility import RowFacts
from .model import Component
from .rowchecks import FIGURES, Fields, battery_cap, check_shape, resolve, unit_slip
from .verdicts import Verdict, Verdicts, report

# A row's credit, compiled once from the one expression that also explains it.
ROW_CREDIT_OF = compiled(ROW_CREDIT)

# A product row's columns in order, blank until set. The input's own fields fill it first; these
# four are read from the input but are not columns of the row.
ROW = dict.fromkeys(("#index", "#where", "line", "description", "units", "capacity_per_unit", "quantity", "costs",
                     "sold_year", "produced_year", "macr", "max_discharge_kw_per_unit", "rate", "#capped",
                     *FIGURES, "#sold", "#produced", "#judgement", "phase_out", "eligible", "#notes",
                     "measure", "credit", "#exprs"))
ROW["description"] = ""
NOT_COLUMNS = (("component", None), ("fuel_cell_vehicle", False), ("integrated", False),
               ("integration_test_met", None))
_NO_EXTRA: dict = {}

# The columns a quiet row shares with every later row of the same facts.
SHARED = ("line", "rate", "#capped", "#sold", "#produced", "#judgement", "phase_out", "eligible", "#notes")

Measure = tuple[Callable[[dict], Decimal], dict[str, Expr]]


@cache
def _measure(kind: str, capped: bool) -> Measure:
    """Column (d) of a product row compiled, and the expressions the row keeps for its formulas
    and explanations."""
    expr = product_measure(kind, capped)
    return compiled(expr), {"measure": expr, "credit": ROW_CREDIT}


def judged_row(row: dict, verdict: Verdict, what: Callable[[], str], measure: Measure,
               findings: Findings) -> dict | None:
    """Apply the verdict on the row's facts, and compute its measure and credit. `what` names the
    row in a finding ("line 1e row Module 400 W"); most rows have none, so it is written on demand."""
    judgement = verdict.judgement
    if judgement is None or verdict.years_backwards or verdict.reports:
        where, said = row["#where"], what()
        if judgement is None:
            report(findings, where, said, verdict.reports, blocking=True)
            return None
        if verdict.years_backwards:
            findings.warning(where, f"{said}: sold in {verdict.years.sold} but produced in {verdict.years.produced}; "
                                    f"check the years.")
        report(findings, where, said, verdict.reports)
    years = verdict.years
    row["#sold"], row["#produced"], row["#judgement"] = years.sold, years.produced, judgement
    row["phase_out"], row["eligible"], row["#notes"] = judgement.phase_out, judgement.eligible, verdict.notes
    row["measure"] = measure[0](row)
    row["credit"] = ROW_CREDIT_OF(row)
    row["#exprs"] = measure[1]
    return row


def quiet_plan(judged: dict) -> tuple[dict, tuple[Decimal, ...]] | None:
    """The columns a quiet judged row shares with later rows of the same facts, and the factors its
    credit multiplies column (d) by (the rate, and the phase-out and eligibility unless exactly 1);
    None when its credit is not such a product."""
    shared = {name: judged[name] for name in SHARED}
    known = known_factors(ROW_CREDIT, shared)
    if known is None or known[0] != "measure":
        return None
    shared["#exprs"] = judged["#exprs"]
    return shared, known[1]


def credit_of(measure, factors: tuple[Decimal, ...]) -> Decimal:
    """A quiet row's credit: what `ROW_CREDIT_OF` gives, with the factors its facts fix."""
    credit = measure if measure.__class__ is Decimal else as_first_factor(measure)
    for factor in factors:
        credit *= factor
    return credit


def product_rows(rows_in: list[dict], verdicts: Verdicts, findings: Findings) -> list[dict]:
    """Each product row judged and computed, in place: `rows_in` holds the input rows as `ROW`
    dicts (held by no one else), and each is let go from it once judged."""
    rows = []
    # A row named and shaped as an earlier one (the same line or component, the same amounts given)
    # is on the same line and well shaped: most rows are checked with one look-up.
    well_shaped: dict[tuple, catalog.PartIILine] = {}
    measures: dict[tuple, Measure] = {}
    # The usual row (no figures, no battery discharge, none of NOT_COLUMNS) with the same line, amounts
    # given, years, MACR and size as an earlier quiet one: the columns it shares with that row, and its measure.
    quiet: dict[tuple, tuple] = {}
    for i, row in enumerate(rows_in):
        rows_in[i] = None
        fast_key = _usual_row_key(row)
        plan = quiet.get(fast_key) if fast_key is not None else None
        if plan is not None:
            shared, measure_of, factors = plan
            row["#index"], row["#where"] = i, f"components[{i}]"
            row.update(shared)
            row["measure"] = measure = measure_of(row)
            row["credit"] = credit_of(measure, factors)
            rows.append(row)
            continue
        judged = product_row(i, row, well_shaped, measures, verdicts, findings)
        if judged is not None:
            rows.append(judged)
            said, measure_of = judged.pop("#quiet")
            known = None if fast_key is None or said else quiet_plan(judged)
            if known is not None:
                quiet[fast_key] = (known[0], measure_of, known[1])
    return rows


def _usual_row_key(row: dict) -> tuple | None:
    """The facts that decide the usual row's judgement (see `product_rows`), or None for another row."""
    if len(row) != len(ROW) or row["wafer_area_cm2"] is not None or row["purity"] is not None \
            or row["energy_density_wh_per_l"] is not None or row["max_discharge_kw_per_unit"] is not None:
        return None
    size, macr = row["capacity_per_unit"], row["macr"]
    return (row["line"], row["units"] is None, size is None, row["quantity"] is None, row["costs"] is None,
            row["sold_year"], row["produced_year"], None if macr is None else str(macr),
            None if size is None else str(size))


def product_row(i: int, row: dict, well_shaped: dict, measures: dict, verdicts: Verdicts,
                findings: Findings) -> dict | None:
    """One product row judged and computed (see `product_rows`); on the judged row, "#quiet" says
    whether judging it said anything, and its compiled measure."""
    before_row = len(findings)
    if len(row) == len(ROW):  # none of NOT_COLUMNS given
        extra = _NO_EXTRA
    else:
        extra = {name: row.pop(name) for name, _ in NOT_COLUMNS if name in row}
    where = f"components[{i}]"
    entry = _entry(row, extra, where, well_shaped, findings)
    if entry is None:
        return None
    description = row["description"]

    def what(entry=entry, description=description, i=i) -> str:
        return f"line {entry.line} row {description or i + 1}"
    size, bounds = row["capacity_per_unit"], entry.plausible
    slipped = bounds is not None and size and ((bounds.low is not None and size < bounds.low)
                                               or (bounds.high is not None and size > bounds.high))
    if slipped:
        unit_slip(Fields(row, extra), entry, where, what(), findings)
    capped = row["max_discharge_kw_per_unit"] is not None and battery_cap(Fields(row, extra), entry, where, findings)
    row["#index"], row["#where"], row["line"], row["rate"], row["#capped"] = i, where, entry.line, entry.rate, capped
    verdict = _verdict(row, extra, entry, verdicts)
    measure = measures.get((entry.measure, capped)) or measures.setdefault(
        (entry.measure, capped), _measure(entry.measure, capped))
    judged = judged_row(row, verdict, what, measure, findings)
    if judged is not None:
        said = len(findings) != before_row or slipped or capped or verdict.reports or verdict.years_backwards
        judged["#quiet"] = (bool(said) or extra is not _NO_EXTRA, measure[0])
    return judged


def _entry(row: dict, extra: dict, where: str, well_shaped: dict, findings: Findings) -> catalog.PartIILine | None:
    """The row's line, when the row names one and gives the amounts it is measured in."""
    shape = (row["line"], extra.get("component"), row["units"] is None, row["capacity_per_unit"] is None,
             row["quantity"] is None, row["costs"] is None, row["wafer_area_cm2"] is None, row["purity"] is None,
             row["energy_density_wh_per_l"] is None)
    entry = well_shaped.get(shape)
    if entry is None:
        before = len(findings)
        entry = resolve(Fields(row, extra), where, findings)
        if entry is None or not check_shape(Fields(row, extra), entry, where, findings):
            return None
        if len(findings) == before:
            well_shaped[shape] = entry
    return entry


def _verdict(row: dict, extra: dict, entry: catalog.PartIILine, verdicts: Verdicts) -> Verdict:
    """The verdict for the row's facts, worked out once for every row with the same facts."""
    fuel_cell_vehicle, integrated, integration_test_met = [extra.get(name, default)
                                                           for name, default in NOT_COLUMNS[1:]]
    wafer, purity, density = row["wafer_area_cm2"], row["purity"], row["energy_density_wh_per_l"]
    size = row["capacity_per_unit"] if entry.measure == "capacity" else None
    macr, sold, produced = row["macr"], row["sold_year"], row["produced_year"]
    # the facts the rules read (str: None is "None", and a Decimal as written, 400.0 or 400)
    if wafer is None and purity is None and density is None and not fuel_cell_vehicle and not integrated \
            and integration_test_met is None:  # the usual row: a shorter key says the same
        key = (entry.line, sold, produced, str(macr), str(size))
    else:
        key = (entry.line, sold, produced, str(macr), str(size), fuel_cell_vehicle, str(wafer), str(purity),
               str(density), integrated, integration_test_met)
    verdict = verdicts.get(key)
    if verdict is None:
        given = {name: row[name] for name in FIGURES if row[name] is not None}
        facts = RowFacts(entry, 0, 0, macr=macr, size=size, fuel_cell_vehicle=fuel_cell_vehicle,
                         figures=given, integrated=integrated, integration_test_met=integration_test_met)
        verdict = verdicts.add(key, facts, sold, produced)
    return verdict


def as_rows(components: list[Component]) -> list[dict]:
    """Components read by pydantic, as the `ROW` dicts `product_rows` reads."""
    return [{**ROW, **c.__dict__} for c in components]
