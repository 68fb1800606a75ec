"""The one definition of Form 306: line keys, dependency order, inputs, schedules, and formulas
that a spreadsheet evaluates to the same cent as the engine."""

from decimal import Decimal

import pytest

from conftest import EXAMPLES, load_json
from test_nj306_support import FakeSheet, asc, combined, regular, run, spreadsheet_value
from xlcredits.expr import Div, If, Max, Min, Mul, Ref, Round, SumRows
from xlcredits.forms.nj306 import definition
from xlcredits.forms.nj306.definition import FIELDS, FORM, SCHEDULES, TITLE, lines, name_of
from xlcredits.forms.nj306.model import NJ306Input

REPORTED = ([str(n) for n in range(1, 25)] + ["25a", "25b", "25c"] + [str(n) for n in range(26, 45)]
            + ["45a", "45b", "45c"] + [str(n) for n in range(46, 52)])


def test_identity():
    assert FORM == "NJ-306" and "Form 306" in TITLE


def test_reported_line_keys_in_form_order():
    # source: the JSON keys "1" … "24", "25a", "25b", "25c", "26" … "45a", "45b", "45c", "46" … "51"
    assert [line.key for line in lines() if line.report] == REPORTED


def _walk(expr):
    yield expr
    for child in getattr(expr, "args", ()) or ():
        yield from _walk(child)
    for name in ("test", "then", "otherwise", "left", "right"):
        if hasattr(expr, name):
            yield from _walk(getattr(expr, name))


def test_every_reference_is_defined_earlier():
    seen = set()
    for line in lines():
        if line.expr is not None:
            missing = line.expr.refs() - seen
            assert not missing, f"line {line.key} refers to {missing} before they are defined"
        seen.add(line.key)


def test_every_input_line_is_an_input_field():
    paths = {f.path for f in FIELDS}
    for line in lines():
        if line.kind == "input":
            assert definition.LINE_INPUTS.get(line.key, line.key) in paths, line.key


def _model_has(path: str) -> bool:
    model = NJ306Input
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        inner = [a for a in getattr(annotation, "__args__", ()) if hasattr(a, "model_fields")]
        model = inner[0] if inner else (annotation if hasattr(annotation, "model_fields") else None)
    return True


def test_fields_and_schedules_are_json_paths_of_the_model():
    for field in FIELDS:
        assert _model_has(field.path), field.path
    for schedule in SCHEDULES:
        assert _model_has(schedule.json_field), schedule.json_field
    assert len({f.path for f in FIELDS}) == len(FIELDS)


def test_products_and_quotients_are_rounded_in_the_expression():
    # money lines that multiply or divide carry their own ROUND, so the workbook agrees to the cent
    for line in lines():
        if line.kind != "computed" or line.unit != "money":
            continue
        def inside_round(expr, rounded=False):
            if isinstance(expr, (Mul, Div)):
                assert rounded, f"line {line.key}: {type(expr).__name__} outside ROUND"
            for child in list(getattr(expr, "args", ())) + [getattr(expr, n) for n in ("then", "otherwise")
                                                             if hasattr(expr, n)]:
                inside_round(child, rounded or isinstance(expr, Round))
        inside_round(line.expr)
    rounded = {line.key for line in lines() if isinstance(line.expr, Round)}
    assert {"14", "28", "45c", "contract_research_applicable"} <= rounded
    # lines 12 and 22 round in both branches: full year and short year (NJ306-D3, NJ306-D4)
    assert all(isinstance(definition.line(k).expr.then, Round) and isinstance(definition.line(k).expr.otherwise, Round)
               for k in ("12", "22"))


def test_min_and_max_never_take_a_blank_input_cell():
    # Excel's MIN/MAX skip blank cells where the engine counts them as zero: only lines (always
    # numbers) and inputs with a default of 0 may be their direct arguments.
    kinds = {line.key: line.kind for line in lines()}
    for line in lines():
        for node in _walk(line.expr) if line.expr else ():
            if isinstance(node, (Min, Max)):
                for arg in node.args:
                    if isinstance(arg, Ref):
                        assert kinds[arg.key] in ("computed", "rule") or arg.key in ("2", "base_period_amount"), line.key


def test_line_10_formula():
    line10 = definition.line("10")
    assert line10.expr.render(FakeSheet()) == "MIN(ROUND(V('fixed_base_ratio'),4),0.16)"
    assert line10.unit == "fraction"


def test_rule_lines_say_why():
    for line in lines():
        if line.kind == "rule":
            assert line.note, line.key
    assert {line.key for line in lines() if line.kind == "rule"} == {"fixed_base_ratio", "asc_no_prior_qres",
                                                                     "credit_year_months", "credit_year_days",
                                                                     "29", "32", "39", "46"}


def test_names_in_explanations():
    assert name_of("25a") == "line 25a"
    assert name_of("qre.wages") == "wages"
    assert name_of("prior_year_qres[2]") == "prior-year QREs (3)"
    assert name_of("contract_research_paid.general") == "contract research paid (general)"


CASES = {
    "regular": lambda: load_json(EXAMPLES / "nj306_regular_2025.json"),
    "asc_combined": lambda: load_json(EXAMPLES / "nj306_asc_combined_2025.json"),
    "asc_skip": lambda: asc(prior_year_qres=[0, 5, 5], contract_research_paid={"general": "333.33"}),
    "sharing": lambda: combined(True, carryforward=[{"year_earned": 2020, "amount": 77}]),
    "floor": lambda: regular(qre={"wages": 10}, fixed_base_percentage="0.123457", average_gross_receipts=999999.99),
    "s_corp": lambda: regular(return_type="CBT-100S", nj_gross_receipts=150000, tax_liability=900,
                              other_credits=[{"name": "a", "amount": 100}]),
}


@pytest.mark.parametrize("case", CASES)
def test_rendered_formulas_agree_with_the_engine(case):
    result = run(CASES[case]())
    values = result.extras["values"]
    for line in lines():
        if line.kind == "computed":
            sheet = spreadsheet_value(line.expr, values, result.rows)
            assert sheet == (values[line.key] if values[line.key] is not None else 0), line.key


def test_schedules_sum_into_their_lines():
    wanted = {"34": "other_credits", "41": "group_other_credits", "48": "member_other_credits"}
    for key, schedule in wanted.items():
        expr = definition.line(key).expr
        assert isinstance(expr, SumRows) and expr.schedule == schedule
        assert schedule in {s.key for s in SCHEDULES}


def test_method_choices_are_formulas():
    assert isinstance(definition.line("26").expr, If) and isinstance(definition.line("24").expr, If)
    assert definition.line("5").expr.render(FakeSheet()).startswith("IF(V('federal_method')=\"regular\"")
    assert isinstance(Decimal("1"), Decimal)
