"""Every value in xlcredits/rules/ says when it took effect, what it rests on and when someone last
compared it with its source; a rule is found from its citation with one search; no key is read by
nothing.

The tables: f7207.toml, nj306.toml, nj_cbt_credits.toml and form7207_part4_minerals.csv. A value is
dated, cited and checked by its own table or by a table that holds it (a file's [meta] dates and
checks the whole file). Unit-slip bounds (`plausible`) are not law: they cite their project decision.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from xlcredits import rules
from xlcredits.rules import text
from xlcredits.forms.f7207 import catalog as f7207
from xlcredits.forms.f7207.unit import unit_credit

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "xlcredits/rules"
TABLES = ("f7207", "nj306", "nj_cbt_credits")
DATE_KEYS = ("from", "from_year", "in_force")
# Keys that describe a value rather than being one.
META = {"from", "from_year", "in_force", "checked", "cites", "keyed_by", "reference", "why", "decision"}
# Lists of line numbers or year numbers a table refers to: structure, not values.
REFERENCES = {"part_i", "adds_lines", "uses", "among"}
# Citations start with the authority's name as the sources print it, so one search finds every use.
AUTHORITY = re.compile(r"^(26 U\.S\.C\. \d|26 CFR 1\.|Treas\. Reg\. 1\.|P\.L\. \d|N\.J\.S\.A\. \d|N\.J\.A\.C\. 18:|"
                       r"Form (7207|306|3800)\b|Instructions for Form 7207|CBT-100U |"
                       r"Division of Taxation notice|project decision)")


def _is_value(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            Decimal(value.split("/")[0] if re.fullmatch(r"\d+/\d+", value) else value)
            return True
        except InvalidOperation:
            return False
    return False


def _values(node, path=(), holders=()):
    """(path, value, the tables holding it, innermost last) for every value in a rules file."""
    if isinstance(node, dict):
        holders = (*holders, node)
        for key, child in node.items():
            if key in META or key in REFERENCES:
                continue
            if isinstance(child, (dict, list)):
                yield from _values(child, (*path, key), holders)
            elif _is_value(child):
                yield (*path, key), child, holders
    elif isinstance(node, list):
        for i, child in enumerate(node):
            if isinstance(child, (dict, list)):
                yield from _values(child, (*path, i), holders)
            elif _is_value(child):
                yield (*path, i), child, holders


def _year_keyed(path) -> bool:
    return path[0] == "revisions"  # {year the period begins: revision}: the key is the date


@pytest.mark.parametrize("name", TABLES)
def test_every_rule_value_has_a_date_a_citation_and_a_checked_date(name):
    data = rules.load(name)
    meta = data.get("meta", {})
    missing = []
    for path, value, holders in _values(data):
        if _year_keyed(path):
            continue  # tested below: each revision it names is cited and checked
        tables = (meta, *holders)
        if any("decision" in t for t in holders):  # not law: the decision says why
            if not any(isinstance(t.get("checked"), date) for t in holders):
                missing.append(f"{'.'.join(map(str, path))} = {value!r}: no checked date")
            continue
        dated = any(any(k in t for k in DATE_KEYS) for t in tables)
        cited = any(t.get("cites") for t in tables)
        checked = any(isinstance(t.get("checked"), date) for t in tables)
        if not (dated and cited and checked):
            what = [w for w, ok in (("date key", dated), ("cites", cited), ("checked", checked)) if not ok]
            missing.append(f"{'.'.join(map(str, path))} = {value!r}: no {', '.join(what)}")
    assert not missing, f"{name}.toml:\n" + "\n".join(missing)


def test_every_step_carries_its_own_date_citation_and_check():
    """Where a value changes over time, each step says when, why and when checked (OpenFisca style)."""
    def steps(node, path=()):
        if isinstance(node, dict):
            for key, child in node.items():
                yield from steps(child, (*path, key))
        elif isinstance(node, list):
            for i, child in enumerate(node):
                if isinstance(child, dict) and "value" in child:
                    yield (*path, i), child
                else:
                    yield from steps(child, (*path, i))
    found = list(steps(rules.load("f7207")))
    assert len(found) > 60
    for path, step in found:
        assert isinstance(step["from_year"], int) and step["cites"] and isinstance(step["checked"], date), path


def test_revisions_are_keyed_by_year_and_each_revision_is_cited_and_checked():
    f, nj = rules.load("f7207"), rules.load("nj306")
    for year, revision in f["revisions"].items():
        spec = f["revision_lines"][revision]
        assert int(year) >= 2023 and spec["cites"] and isinstance(spec["checked"], date), revision
    for year, revision in nj["revisions"].items():
        spec = nj["revision_notes"][revision]
        assert spec["from"] == date(int(year), 1, 1) and spec["cites"] and isinstance(spec["checked"], date)


def test_part_iv_minerals_are_dated_cited_and_checked():
    rows = rules.load_csv("form7207_part4_minerals.csv")
    assert [int(r["line"]) for r in rows] == list(range(1, 74))
    for row in rows:
        assert row["from_year"] == "2023", row["line"]  # the IRA's list, credited from 2023 [P.L. 117-169 sec. 13502(e)]
        assert row["cites"].startswith("26 U.S.C. 45X(c)(6)") and row["cites"].endswith(f"line {row['line']}")
        assert date.fromisoformat(row["checked"]) == date(2026, 11, 30)


def _all_citations():
    """Every citation in the rules and the decisions, with where it sits."""
    def walk(node, where):
        if isinstance(node, dict):
            for key, child in node.items():
                if key in ("cites", "sources") or key.endswith("_cites"):
                    yield from ((c, f"{where}.{key}") for c in child)
                else:
                    yield from walk(child, f"{where}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from walk(child, f"{where}[{i}]")
    for path in sorted(RULES.glob("*.toml")):
        yield from walk(tomllib.loads(path.read_text(encoding="utf-8")), path.stem)
    for row in rules.load_csv("form7207_part4_minerals.csv"):
        yield from ((c, f"minerals line {row['line']}") for c in row["cites"].split("; "))


def test_citations_start_with_their_authority_spelled_one_way():
    """'26 U.S.C. 45X(b)(3)' everywhere, never 'IRC §45X' or a bare '45X(b)': one search finds the rule."""
    bad = [f"{where}: {cite!r}" for cite, where in _all_citations()
           if not AUTHORITY.match(cite) or "§" in cite or "IRC" in cite or "I.R.C." in cite]
    assert not bad, "\n".join(bad)


def _tables_citing(text: str) -> set[str]:
    return {where.rsplit(".", 1)[0] for cite, where in _all_citations() if text in cite}


def test_a_rule_is_found_from_its_citation_with_one_search():
    assert "f7207.wind_termination.steps[1]" in _tables_citing("26 U.S.C. 45X(b)(3)(D)")
    assert "f7207.phase_out.general.steps[2]" in _tables_citing("26 U.S.C. 45X(b)(3)(A), (B)(ii)")
    assert "f7207.macr" in _tables_citing("26 U.S.C. 45X(c)(1)(C)")
    assert "f7207.lines.3d.size[0]" in _tables_citing("26 U.S.C. 45X(c)(2)(F)")
    assert "nj306.fixed_base" in _tables_citing("26 U.S.C. 41(c)(3)(C)")
    assert "nj306.contract_research" in _tables_citing("26 U.S.C. 41(b)(3)")
    assert "decisions_nj306.NJ306-A3" in _tables_citing("26 U.S.C. 41(c)(3)(C)")
    assert len({w for w in _tables_citing("26 U.S.C. 45X(c)(6)") if w.startswith("minerals")}) == 73


# --- keyed_by: which year of a row picks the step. The engine's answer must follow the data. ----------
# (table, keyed_by, line, sold, produced, credit per unit) — worked by hand from f7207.toml:
KEYED = [
    # sold 2031 → 50% [45X(b)(3)(B)(ii)]; by the year produced (2029) it would be 100%. 0.07 × 0.50
    ("phase_out.general", "sold", "1e", 2031, 2029, "0.035"),
    # produced 2031 → 75% [45X(b)(3)(C) as amended]; by the year sold (2033) it would be 25%. 0.10 × 0.75
    ("phase_out.critical_minerals", "produced", "6a", 2033, 2031, "0.075"),
    # produced 2029 → coal credited; by the year sold (2030) it would be $0 [45X(b)(1)(M) as amended]. 0.025 × 1
    ("metallurgical_coal", "produced", "6b", 2030, 2029, "0.025"),
    # the earlier year (2027) is not after 2027: credited; $0.02/W [45X(b)(2)(A)(i)]
    ("wind_termination", "earlier_of_produced_and_sold", "2b", 2028, 2027, "0.02"),
    # both after 2027: no credit [45X(b)(3)(D)]
    ("wind_termination", "earlier_of_produced_and_sold", "2b", 2029, 2028, "0"),
    # produced 2022: not a component produced after 2022 [P.L. 117-169 sec. 13502(e)]
    ("credit_period", "earlier_of_produced_and_sold", "1e", 2023, 2022, "0"),
]


@pytest.mark.parametrize("table, keyed_by, line, sold, produced, credit", KEYED)
def test_keyed_by_names_the_year_the_engine_reads(table, keyed_by, line, sold, produced, credit):
    node = rules.load("f7207")
    for part in table.split("."):
        node = node[part]
    assert node["keyed_by"] == keyed_by
    assert unit_credit(f7207.PART_II[line], sold, produced).credit == Decimal(credit)


def test_macr_is_keyed_by_the_year_sold():
    # MACR 0.55: below 60% for solar sold in 2027, above 50% for 2026 (the year produced) [7701(a)(52)]
    assert rules.load("f7207")["macr"]["keyed_by"] == "sold"
    assert unit_credit(f7207.PART_II["1e"], 2027, 2026, macr=Decimal("0.55")).credit == 0


def test_every_keyed_by_is_read_by_a_case_above():
    """keyed_by matters only where the step can differ between the years of a row; where the engine
    never asks (a single step from 2023, before which credit_period already gives nothing) it is gone."""
    data = rules.load("f7207")
    keyed = {f"{p}" for p, _, _, _, _, _ in KEYED} | {"macr"}
    tables = {k for k, v in data.items() if isinstance(v, dict) and "keyed_by" in v} | \
        {f"phase_out.{k}" for k, v in data["phase_out"].items() if "keyed_by" in v}
    assert tables == keyed  # every keyed_by is read by a case above


# --- keys the engine does not read: read (and checked) here ------------------------------------------

def test_credit_order_follows_the_regulation_unless_the_statute_names_the_credit():
    """N.J.A.C. 18:7-3.17(a) numbers the credits (position); the research credit is 5th. A credit the
    statute names as reducing the tax first [N.J.S.A. 54:10A-5.24(b)] is before it whatever its number."""
    data = rules.load("nj_cbt_credits")
    research = data["meta"]["research_credit_position"]
    positions = [c["position"] for c in data["credits"].values() if "position" in c]
    assert research == 5 and research not in positions and len(positions) == len(set(positions))
    for key, credit in data["credits"].items():
        named_by_statute = "N.J.S.A. 54:10A-5.24(b)" in credit["cites"]
        if "position" in credit and not named_by_statute:
            assert credit["side"] == ("before" if credit["position"] < research else "after"), key
        else:
            assert credit["side"] == "before", key


def test_existing_company_years_come_from_the_rules():
    """The base period is read from [fixed_base.existing]; no text in the engine or the worksheet
    functions spells it (the JSON field name base_period_1984_1988 is the input's contract)."""
    years = rules.load("nj306")["fixed_base"]["existing"]
    assert (years["first_year"], years["last_year"]) == (1984, 1988)  # 26 U.S.C. 41(c)(3)(A)
    shown = []
    for path in [*(ROOT / "xlcredits/forms/nj306").glob("*.py"), ROOT / "udfs/nj306.py"]:
        text = path.read_text(encoding="utf-8").replace("base_period_1984_1988", "")
        shown += [f"{path.name}: {m}" for m in re.findall(r"\b19[89]\d\b", text)]
    assert not shown
    from udfs import nj306 as udf
    from xlcredits.forms.nj306 import catalog
    assert catalog.BASE_YEARS == "1984–1988" and "1984-1988 QREs" in udf.NJ_FIXED_BASE_EXISTING.__doc__
    from xlcredits.addin import udf_vba  # the texts Excel shows, as xlwings' Windows decorators record them
    existing = next(f for f in udf_vba.functions() if f["name"] == "NJ_FIXED_BASE_EXISTING")
    assert existing["args"][0]["doc"] == "Aggregate QREs of the tax years beginning after 1983 and before 1989."
    assert existing["ret"]["doc"].startswith("Existing company fixed-base percentage (Form 306 line 10): 1984-1988 QREs")


def test_citations_are_fields_not_prose():
    """Explanations render `cites` (and `*_cites`); no table carries a second, hand-typed `reference`."""
    def references(node, where=""):
        if isinstance(node, dict):
            for key, child in node.items():
                if key == "reference":
                    yield where
                yield from references(child, f"{where}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from references(child, f"{where}[{i}]")
    found = [f"{name}{w}" for name in TABLES for w in references(rules.load(name))]
    assert not found, found


READ_HERE = {"keyed_by", "position", "research_credit_position", "first_year", "last_year", "from", "from_year",
             "checked", "cites", "decision"}
DATA_KEYED = {"lines", "revisions", "revision_lines", "revision_notes", "credits", "kinds", "columns", "names",
              "thresholds", "phase_out"}


def _field_names(node, parent=""):
    if isinstance(node, dict):
        for key, child in node.items():
            if parent not in DATA_KEYED:
                yield key
            yield from _field_names(child, key)
    elif isinstance(node, list):
        for child in node:
            yield from _field_names(child, parent)


def test_every_key_in_the_rules_is_read():
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("xlcredits/forms", "udfs", "xlcredits/workbook")
                     for p in (ROOT / folder).rglob("*.py"))
    code += "\n".join(p.read_text(encoding="utf-8") for p in RULES.glob("*.py"))
    unread = set()
    for name in TABLES:
        for key in set(_field_names(rules.load(name))):
            if key in READ_HERE:
                continue
            if not re.search(r"[\"']%s[\"']|\.%s\b" % (re.escape(key), re.escape(key)), code):
                unread.add(f"{name}: {key}")
    assert not unread, sorted(unread)


# --- rule values in words: rules.text, and the texts built with it --------------------------------------

@pytest.mark.parametrize("call, expected", [
    (lambda: text.percent("0.65"), "65%"), (lambda: text.percent("1.00"), "100%"),
    (lambda: text.percent("0.065"), "6.5%"), (lambda: text.percent("0.025"), "2.5%"),
    (lambda: text.dollars("5000000"), "$5,000,000"), (lambda: text.dollars("562.5", 2), "$562.50"),
    (lambda: text.day(date(2025, 7, 4)), "4 July 2025"), (lambda: text.day(date(2020, 1, 1)), "1 January 2020"),
    (lambda: text.years(1984, 1988), "1984–1988"),
    (lambda: text.after(date(2026, 12, 31)), "2026"), (lambda: text.after(date(2025, 7, 4)), "4 July 2025"),
])
def test_rule_values_read_as_a_person_writes_them(call, expected):
    assert call() == expected


def test_help_texts_say_what_the_rules_data_says():
    """Texts built from the rules, checked against the law as typed here (not recomputed)."""
    import udfs
    from xlcredits.forms.nj306 import definition as nj
    from xlcredits.forms.nj306.model import ContractResearchPaid
    from xlcredits.workbook import layout_f7207

    # N.J.S.A. 54:10A-5.24(a): 10% of line 27; 26 U.S.C. 41(c)(3)(B)(ii)(I), (C): 3% in years 1-5, cap 16%
    assert "(10% of line 27)" in udfs.NJ_RD_CREDIT.__doc__
    assert "(3% for years 1-5," in udfs.NJ_FIXED_BASE_STARTUP.__doc__
    assert "capped at 16% by the engine" in udfs.NJ_FIXED_BASE_EXISTING.__doc__
    # 26 U.S.C. 41(b)(3)(A), (C), (D): 65%, 75%, 100%
    assert ContractResearchPaid.model_fields["general"].description == "Paid to any other person (65%)"
    labels = {f.path: f.label for f in nj.FIELDS}
    assert labels["contract_research_paid.qualified_consortium"].endswith("consortium (75%)")
    assert labels["contract_research_paid.energy_research"].endswith("federal laboratory (100%)")
    # 26 U.S.C. 45X(c)(5)(B)(iii): 7 kWh, 1 kWh for FCEV modules; 45X(d)(4)(B) as amended: 65%, after 2026
    helps = {c.key: c.help for c in layout_f7207.PRODUCT_EXTRAS}
    assert helps["fuel_cell_vehicle"].endswith("1 kWh minimum instead of 7")
    assert "at least 65% of the secondary" in helps["integration_test_met"]
    assert helps["integration_test_met"].endswith("(tax years beginning after 2026)")
