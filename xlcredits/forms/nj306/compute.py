"""NJ Form 306: validate the input, set the values the rule book decides (fixed-base percentage,
minimum tax, carryforward ledger), then evaluate the form's lines (definition.py) exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from ...lines import FormEnv, Findings, Result, evaluate_lines
from ...numbers import ENGINE_CONTEXT, ONE, ZERO, D, cents, grouped
from ...rules.text import percent
from ..common import validated
from . import catalog
from .checks import _check_periods, _check_structure, money
from .definition import (FORM, LINE_INPUTS, PART_III, PART_IV, PART_VI, SECTION_A, SECTION_B, lines, name_of)
from .ledger import LedgerRow, apply_ledger, build_ledger
from .model import NJ306Input

ALWAYS = ("1", "2", "3", "4", "25a", "25b", "25c", "26", "27", "28", "29", "30")


def short(value: Decimal) -> str:
    """An exact ratio for reading: 0.0316666666… rather than sixty digits."""
    if value.as_tuple().exponent < -10:
        return grouped(value.quantize(Decimal("1e-10"))) + "…"
    return grouped(value)


def _path_value(model: Any, path: str):
    """'qre.wages' or 'prior_year_qres[1]' read from the model; None when any part is absent."""
    value = model
    for part in path.replace("[", ".[").split("."):
        if value is None:
            return None
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if value is not None and index < len(value) else None
        else:
            value = getattr(value, part, None)
    return value


def _months_in(begins: date, ends: date) -> int:
    """Months in the return period: calendar months or parts of them (NJ306-D9)."""
    return catalog.months_in(begins, ends)


# --- Values the rule book decides --------------------------------------------------------------

def _fixed_base(m: NJ306Input, findings: Findings) -> tuple[Decimal | None, str]:
    if m.federal_method != "regular":
        return None, "Not used: Part III is for the regular method"
    try:
        if m.fixed_base_percentage is not None:
            return m.fixed_base_percentage, "entered by the preparer"
        if m.startup is not None:
            s = m.startup
            found = catalog.startup_ratio(s.credit_year, [h.model_dump() for h in s.history], s.selected_years)
            if s.credit_year >= catalog.LATER["from_year"] and not s.selected_years:
                findings.note("startup.selected_years", f"Start-up year {s.credit_year}: no years selected, so years "
                                                        f"{', '.join(map(str, found.years_used))} (the lowest "
                                                        f"percentage) were used. Confirm the taxpayer's election.")
            return found.ratio, found.explanation + f" = {short(found.ratio)}"
        b = m.base_period_1984_1988
        ratio = catalog.existing_ratio(b.qre, b.gross_receipts)
        return ratio, (f"existing company: {catalog.BASE_YEARS} QREs ÷ gross receipts = {grouped(b.qre)} ÷ "
                       f"{grouped(b.gross_receipts)} = {short(ratio)} "
                       f"{catalog.cite_text(catalog.cites('fixed_base', 'existing'))}")
    except ValueError as exc:
        where = "startup" if m.startup is not None else "base_period_1984_1988"
        findings.error(where, f"{where}: {exc}.", blocking=True)
        return None, ""


def _asc_skip(m: NJ306Input, findings: Findings) -> tuple[Decimal, str]:
    if m.federal_method != "asc" or m.prior_year_qres is None:
        return ZERO, "Not used: Part IV is for the ASC"
    empty = [i for i, amount in enumerate(m.prior_year_qres) if amount == 0]
    if not empty:
        return ZERO, "0: each of the 3 prior tax years had QREs, so lines 22 and 23 apply"
    which = ", ".join(f"prior_year_qres[{i}]" for i in empty)
    findings.note(which.split(", ")[0], f"{which} = 0: a prior tax year without QREs, so lines 22 and 23 are skipped "
                                        f"and line 24 is line 20 (NJ306-A4) {catalog.cite_text(catalog.cites('asc'))}.")
    return ONE, f"1: {which} had no QREs; lines 22 and 23 are skipped (NJ306-A4)"


def _minimum_tax(m: NJ306Input, findings: Findings) -> tuple[Decimal | None, str]:
    if m.return_type == "CBT-100U":
        return None, "Not used: CBT-100U filers complete Part VII"
    if m.return_kind != "standard":
        months = m.period_months or _months_in(m.tax_year.begins, m.tax_year.ends)
        detail = catalog.investment_entity_minimum(m.return_kind, m.group_payroll, months)
        if m.nj_gross_receipts is not None:
            findings.note("nj_gross_receipts", f"nj_gross_receipts is not used: the minimum tax of a "
                                               f"{m.return_kind.replace('_', ' ')} does not depend on New Jersey "
                                               f"gross receipts (NJ306-D10).")
        if m.minimum_tax is not None and m.minimum_tax != detail.amount:
            findings.note("minimum_tax", f"Line 32 uses the preparer's {money(m.minimum_tax)}; the rule gives "
                                         f"{money(detail.amount)}.")
            return m.minimum_tax, f"{money(m.minimum_tax)}: entered by the preparer (override)"
        return detail.amount, (f"{detail.reason} (not prorated in a short period "
                               f"{catalog.cite_text(catalog.SHORT_PERIOD_CITES)}, NJ306-D9)")
    months = m.period_months or _months_in(m.tax_year.begins, m.tax_year.ends)
    derived = _months_in(m.tax_year.begins, m.tax_year.ends)
    if m.period_months is not None and m.period_months != derived:
        findings.warning("period_months", f"period_months is {m.period_months} but the tax year {m.tax_year.begins} to "
                                          f"{m.tax_year.ends} spans {derived} months; line 32 uses {m.period_months}.")
    detail = None
    if m.nj_gross_receipts is not None:
        detail = catalog.minimum_tax_detail(m.return_type, m.nj_gross_receipts, m.group_payroll, months)
        if m.tax_year.begins <= catalog.MINIMUM_TAX_FROM:
            findings.warning("nj_gross_receipts", f"The minimum-tax table applies to privilege periods beginning in "
                                                  f"{catalog.MINIMUM_TAX_FROM.year + 1} and later; this tax year begins "
                                                  f"{m.tax_year.begins}. Check line 32 (minimum_tax overrides it).")
    if m.minimum_tax is not None:
        text = f"{money(m.minimum_tax)}: entered by the preparer (override)"
        if detail is not None and detail.amount != m.minimum_tax:
            findings.note("minimum_tax", f"Line 32 uses the preparer's {money(m.minimum_tax)}; the table gives "
                                         f"{money(detail.amount)} ({detail.reason.split(': ', 1)[1]}).")
            text += f"; the table gives {money(detail.amount)}"
        return m.minimum_tax, text
    if detail.printed is not None:
        corporation = catalog.minimum_tax_detail("CBT-100", m.nj_gross_receipts).amount  # the same bracket
        findings.note("nj_gross_receipts", f"Line 32: the 10-21 form's table prints {money(detail.printed)} for this "
                                           f"bracket; the regulation and the Division's notice set {money(detail.amount)} "
                                           f"({percent(detail.amount / corporation)} of the C corporation amount), used "
                                           f"here (NJ306-A7). Enter minimum_tax to override.")
    return detail.amount, detail.reason


# --- Which lines apply -------------------------------------------------------------------------

def _applicable(m: NJ306Input, skip: bool) -> dict[str, str]:
    """Lines that stay blank, each with the reason."""
    blank: dict[str, str] = {}
    if m.federal_method == "regular":
        blank.update(dict.fromkeys(PART_IV, "Not used: Part IV is for the ASC; this return uses the regular method"))
    else:
        blank.update(dict.fromkeys(PART_III, "Not used: Part III is for the regular method; this return uses the ASC"))
        if skip:
            blank.update(dict.fromkeys(("22", "23"), "Skipped: a prior tax year had no QREs (line 21)"))
    if m.return_type == "CBT-100U":
        blank.update(dict.fromkeys(PART_VI, "Not used: CBT-100U filers complete Part VII"))
        if m.combined.sharing:
            blank.update(dict.fromkeys(SECTION_B, "Not used: Section B is for members not sharing their credit"))
        else:
            blank["44"] = "Not used: line 44 is for members sharing their credit"
    else:
        blank.update(dict.fromkeys((*SECTION_A, "44", *SECTION_B),
                                   f"Not used: Part VII is for CBT-100U filers; this is a {m.return_type}"))
    return blank


# --- The whole form ----------------------------------------------------------------------------

def _credit_row(i: int, c, field: str, line: str, findings: Findings | None) -> dict:
    """One other-credit row; a credit applied after the R&D credit is left off the line (NJ306-D7)
    and a row without a catalogue key counts with a warning (NJ306-D8)."""
    where = f"{field}[{i}]"
    row = {"#index": i, "#where": where, "name": c.name, "credit": c.credit, "amount": c.amount, "counted": c.amount}
    if c.credit is None:
        if findings is not None and c.amount:
            findings.warning(where, f"{where} ({c.name or 'no name'}) has no credit key, so its order against the "
                                    f"R&D credit cannot be checked; it counts on line {line}. Give credit, one of "
                                    f"the catalogue keys (e.g. new_jobs_investment) (NJ306-D8).")
    elif not catalog.credit_applies_before(c.credit):
        entry = catalog.CREDITS[c.credit]
        row["counted"] = ZERO
        if findings is not None and c.amount:
            findings.warning(where, f"{where}: the {entry['name']} is applied after the R&D credit, so its "
                                    f"{money(c.amount)} is left off line {line} (NJ306-D7) "
                                    f"{catalog.cite_text(catalog.CREDITS_CATALOGUE['meta']['cites'])}.")
    return row


def _rows(m: NJ306Input, ledger: list[LedgerRow], findings: Findings | None = None) -> dict[str, list[dict]]:
    def credits(items, field: str, line: str) -> list[dict]:
        return [_credit_row(i, c, field, line, findings) for i, c in enumerate(items)]

    combined = m.combined
    return {
        "other_credits": credits(m.other_credits if m.return_type != "CBT-100U" else [], "other_credits", "34"),
        "group_other_credits": credits(combined.group_other_credits if combined else [],
                                       "combined.group_other_credits", "41"),
        "member_other_credits": credits(combined.member_other_credits if combined and not combined.sharing else [],
                                        "combined.member_other_credits", "48"),
        "carryforward": [{"#index": i, "#where": v.where, "year_earned": v.year_earned, "period_ends": v.period_ends,
                          "amount": v.amount, "period_years": v.period,
                          "periods_remaining": m.carryforward[i].periods_remaining, "periods_left": v.periods_left,
                          "usable": v.usable, "applied": v.applied, "remaining": v.remaining}
                         for i, v in enumerate(ledger)],
        "startup_history": [{"#index": i, "#where": f"startup.history[{i}]", **h.model_dump()}
                            for i, h in enumerate(m.startup.history if m.startup else [])],
    }


def _input_values(m: NJ306Input) -> dict[str, object]:
    values: dict[str, object] = {}
    for line in lines():
        if line.kind != "input":
            continue
        source = LINE_INPUTS.get(line.key, line.key)
        values[line.key] = _path_value(m, source)
    if m.return_type == "CBT-100U":
        values["31"] = None
    return values


def _after_checks(m: NJ306Input, env: FormEnv, explanations: dict, findings: Findings) -> None:
    v = env.values
    if m.base_period_amount > v["2"]:
        findings.note("base_period_amount", f"base_period_amount {money(m.base_period_amount)} is more than line 2 "
                                            f"({money(v['2'])}); line 3 is limited to line 2 (NJ306-A2).")
    if m.federal_method == "regular" and v["9"] - v["12"] < 0:
        gap = v["12"] - v["9"]
        findings.note("13", f"Line 13: line 9 ({money(v['9'])}) is less than the base amount on line 12 "
                            f"({money(v['12'])}) by {money(gap)}; line 13 is floored at zero (NJ306-A1), so no "
                            f"regular-method credit arises this year.")
        explanations["13"] += f" (line 9 − line 12 is −{grouped(gap, 2)}: floored at zero, NJ306-A1)"
    for field, items in (("other_credits", m.other_credits), ):
        if len(items) > 4:
            findings.note(field, f"{field} has {len(items)} rows; the form prints (a)–(d): attach a schedule for the rest.")
    if m.combined is not None and not m.combined.sharing and v["45c"] > v["45a"]:
        findings.warning("combined.member_allocation_factor", f"Line 45c ({money(v['45c'])}) is more than the group's "
                                                              f"liability on line 45a ({money(v['45a'])}): check the "
                                                              f"member and group allocation factors.")


def _branch_taken(line, env: FormEnv) -> str:
    """The explanation of an If line from the branch it took: a full year reads as printed, a short
    year as its proration. Same expression tree as the value, so words and arithmetic agree."""
    branch = line.expr.then if line.expr.test.evaluate(env) else line.expr.otherwise
    symbolic, numeric = branch.describe(name_of), branch.substitute(env)
    text = f"{symbolic} = {numeric}" if numeric != symbolic else symbolic
    return f"{text} = {grouped(env.values[line.key], line.places())}"


def _credit_year(m: NJ306Input, findings: Findings) -> tuple[int, int]:
    """(months, days) of the credit year for lines 12 and 22: 12 and 365 unless it is short
    (NJ306-D3, NJ306-D4), with a note saying how a short year is prorated."""
    length = catalog.credit_year_length(m.tax_year.begins, m.tax_year.ends)
    full_months, divisor = catalog.SHORT_YEAR["months_in_year"], catalog.SHORT_YEAR["days_divisor"]
    if not length.short:
        return full_months, divisor
    span = f"{m.tax_year.begins} to {m.tax_year.ends}"
    if m.federal_method == "regular" and length.months == full_months:
        findings.note("tax_year", f"The credit year {span} is short ({length.days} days) but touches 12 calendar "
                                  f"months; a part of a month counts as a month, so line 12 is not reduced (NJ306-D3).")
    elif m.federal_method == "regular":
        findings.note("tax_year", f"Short credit year of {length.months} months ({span}): line 12 is the base amount "
                                  f"× {length.months} ÷ 12; line 14's {percent(catalog.MINIMUM_BASE_FRACTION)} is not prorated "
                                  f"(NJ306-D3) "
                                  f"{catalog.cite_text(catalog.SHORT_YEAR['cites'][:2])}.")
    elif m.federal_method == "asc":
        findings.note("tax_year", f"Short credit year of {length.days} days ({span}): line 22 is line 21 ÷ 6.0 × "
                                  f"{length.days} ÷ 365 (NJ306-D4) {catalog.cite_text(catalog.SHORT_YEAR['cites'][2:3])}.")
    return length.months, length.days


def compute(data: Any) -> Result:
    """Compute every line of NJ Form 306 from a JSON-like dict (or a parsed `NJ306Input`)."""
    findings = Findings()
    model = validated(NJ306Input, data, findings)
    if model is None:  # the raw tax_year is not echoed: it may be anything
        return Result(FORM, "", None, findings=findings)
    m = model
    revision = catalog.revision_for(m.tax_year.begins)
    result = Result(FORM, revision, m.tax_year.as_json(), findings=findings)
    with localcontext(ENGINE_CONTEXT):
        _check_periods(m, revision, findings)
        if findings.blocking:
            return result
        _check_structure(m, findings)
        if findings.blocking:
            return result
        rule_notes: dict[str, str] = {}
        fbp, rule_notes["fixed_base_ratio"] = _fixed_base(m, findings)
        if findings.blocking:
            return result
        skip, rule_notes["asc_no_prior_qres"] = _asc_skip(m, findings)
        minimum, rule_notes["32"] = _minimum_tax(m, findings)
        ledger = build_ledger(m, findings)
        line_29, line_39, line_46 = _carried_and_combined(m, ledger, rule_notes)
        combined = m.combined

        rows = _rows(m, ledger, findings)
        months, days = _credit_year(m, findings)
        short_months = months < catalog.SHORT_YEAR["months_in_year"]
        short_days = days < catalog.SHORT_YEAR["days_divisor"]
        rule_notes["credit_year_months"] = f"{months}" + (" (short credit year)" if short_months else "")
        rule_notes["credit_year_days"] = f"{days}" + (" (short credit year)" if short_days else "")
        env = FormEnv({**_input_values(m), "fixed_base_ratio": fbp, "asc_no_prior_qres": skip, "29": line_29,
                       "credit_year_months": D(months), "credit_year_days": D(days),
                       "32": minimum, "39": line_39, "46": line_46}, rows)
        all_lines = lines(revision)
        explanations = _explanations(m, all_lines, env, rule_notes, fbp, (short_months, short_days), findings)

        blank = _applicable(m, skip == ONE)
        explanations.update(blank)
        result.lines = _reported(all_lines, env, blank)
        allowed_key = "36" if m.return_type != "CBT-100U" else ("43" if combined.sharing else "50")
        result.extras["carryforward_next"] = apply_ledger(m, ledger, env.values["28"], env.values[allowed_key], findings)
        rows["carryforward"] = _rows(m, ledger)["carryforward"]  # with the amounts applied
        result.explanations = explanations
        result.rows = rows
        result.extras["values"] = env.values
    return result


def _explanations(m: NJ306Input, all_lines, env: FormEnv, rule_notes: dict[str, str], fbp: Decimal | None,
                  short_year: tuple[bool, bool], findings: Findings) -> dict[str, str]:
    """Each line's explanation from the expression that computed it, the rules' own notes, and the
    short-year and after-the-fact checks."""
    explanations = evaluate_lines(all_lines, env, name_of)
    explanations.update({k: v for k, v in rule_notes.items() if v})
    _explain_branches(all_lines, env, explanations, *short_year)
    _after_checks(m, env, explanations, findings)
    if fbp is not None and fbp.as_tuple().exponent < -10:
        cap = grouped(catalog.FBP_CAP)
        explanations["10"] = (f"lesser of fixed-base percentage (to {catalog.FBP_PLACES} decimals), {cap} = "
                              f"lesser of ({short(fbp)}, {cap}) = {grouped(env.values['10'])}")
    return explanations


def _carried_and_combined(m: NJ306Input, ledger: list[LedgerRow], rule_notes: dict[str, str]):
    """Line 29 (the carryforward usable this period, oldest first), and the combined group's
    minimum-tax lines 39 and 46; their explanations go into `rule_notes`."""
    line_29 = sum((v.usable for v in ledger), ZERO)
    rule_notes["29"] = ("; ".join(f"{v.earned}: {money(v.usable)} ({v.periods_left} of {v.period} carryover "
                                  f"periods left, counting this one)" for v in ledger if v.usable)
                        or "no credit carried forward") + (
        f"; oldest first (NJ306-D6) {catalog.cite_text(catalog.cites('carryover'))}")
    combined = m.combined
    line_39 = combined.taxable_members * catalog.COMBINED_MEMBER_MINIMUM if combined else None
    rule_notes["39"] = (f"{combined.taxable_members} taxable members × {money(catalog.COMBINED_MEMBER_MINIMUM)}"
                        if combined else "Not used: Part VII is for CBT-100U filers")
    line_46 = catalog.COMBINED_MEMBER_MINIMUM if combined and not combined.sharing else None
    return line_29, line_39, line_46


def _reported(all_lines, env: FormEnv, blank: dict[str, str]) -> dict:
    """The lines the form reports: blank where the return does not use them, money to the cent."""
    reported = {}
    for line in all_lines:
        if not line.report:
            continue
        value = None if line.key in blank else env.values[line.key]
        reported[line.key] = cents(value) if value is not None and line.unit == "money" else value
    return reported


def _explain_branches(all_lines, env: FormEnv, explanations: dict, short_months: bool, short_days: bool) -> None:
    """Lines 12 and 22 explain the branch taken, and a short credit year's rule when it applies."""
    for line in all_lines:
        if line.key in ("12", "22"):
            is_short = short_months if line.key == "12" else short_days
            explanations[line.key] = _branch_taken(line, env) + (f" ({line.annotation()})" if is_short else "")
