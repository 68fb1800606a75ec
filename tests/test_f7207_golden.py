"""Golden outputs: optimising the engine must not change one character a reader can see.

For 300 random Form 7207 inputs (tests/f7207_golden_inputs.py), two bench-sized returns and the
bundled examples, the JSON output, every explanation, every row's columns and notes and every
value are hashed; the hashes were recorded on the engine before the performance work of issue 17.
If a change to the law or to a message changes them on purpose, record them again with
`python tests/test_f7207_golden.py --record` and say why in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from f7207_golden_inputs import every_input, snapshot  # noqa: E402

RECORDED = Path(__file__).resolve().parent / "f7207_golden.json"


def _digests() -> list[str]:
    return [hashlib.sha256(snapshot(data).encode("utf-8")).hexdigest()[:16] for data in every_input()]


def test_outputs_unchanged_to_the_character():
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    now = _digests()
    changed = [i for i, (a, b) in enumerate(zip(recorded, now)) if a != b]
    assert len(now) == len(recorded)
    assert not changed, f"inputs whose output changed (index in every_input()): {changed[:20]}"


if __name__ == "__main__" and "--record" in sys.argv:
    RECORDED.write_text(json.dumps(_digests(), indent=0) + "\n", encoding="utf-8")


def _as_numbers(data: dict) -> dict:
    """The input as a JSON parser gives it: every number typed as text read to a Decimal (as the
    model's before-validators read it), so its rows qualify for the fast path (forms/quick.py)."""
    from xlcredits.numbers import number_from_text, percent_from_text

    def row(r: dict) -> dict:
        out = {}
        for key, value in r.items():
            if isinstance(value, str) and key not in ("line", "component", "description"):
                try:
                    value = (percent_from_text if key == "macr" else number_from_text)(value)
                except ValueError:
                    pass
            out[key] = value
        return out

    return {**data, "components": [row(r) for r in data.get("components", [])]}


def test_fast_row_reading_gives_what_pydantic_gives():
    """The same rows read by the fast path (a dict) and by pydantic (a parsed model) compute to the
    same result, character for character; and most of these inputs do take the fast path."""
    from xlcredits.forms.f7207.compute import compute
    from xlcredits.forms.f7207.model import Component, Form7207Input
    from xlcredits.forms.quick import quick_rows
    from xlcredits.bench import generated_return
    from xlcredits.jsonio import dumps, loads
    from pydantic import ValidationError

    fast = 0
    from f7207_golden_inputs import corpus

    inputs = [_as_numbers(d) for d in corpus(150)] + [loads(dumps(generated_return(200)))]
    for data in inputs:
        try:
            model = Form7207Input.model_validate(data)
        except ValidationError:
            continue
        fast += quick_rows(Component, data.get("components"), 100_000) is not None
        by_dict, by_model = compute(data), compute(model)
        assert dumps(by_dict.to_json()) == dumps(by_model.to_json())
        assert dict(by_dict.explanations) == dict(by_model.explanations)
        assert [{k: v for k, v in r.items() if k != "#judgement"} for r in by_dict.rows.get("products", [])] == \
            [{k: v for k, v in r.items() if k != "#judgement"} for r in by_model.rows.get("products", [])]
    assert fast >= 100


def test_compiled_row_arithmetic_is_evaluate_to_the_digit():
    """A row's measure and credit, compiled (expr.compiled), equal the expression's own
    `evaluate` in value and in every digit shown (400.0 stays 400.0), blanks counting as zero."""
    import random
    from decimal import Decimal, localcontext

    from xlcredits.expr import compiled
    from xlcredits.forms.f7207.definition import ROW_CREDIT, product_measure
    from xlcredits.lines import FormEnv
    from xlcredits.numbers import ENGINE_CONTEXT, ONE, ZERO

    rng = random.Random(17)
    values = [None, ZERO, ONE, Decimal("1"), Decimal("1.0"), Decimal("0.75"), Decimal("400.0"), Decimal("0.2"),
              Decimal("123456789.123456"), Decimal("1E+3"), 7]
    exprs = [ROW_CREDIT] + [product_measure(kind, capped) for kind in ("capacity", "quantity", "costs")
                            for capped in (False, True)]
    with localcontext(ENGINE_CONTEXT):
        for _ in range(800):
            row = {key: rng.choice(values) for key in ("units", "capacity_per_unit", "quantity", "costs", "measure",
                                                       "rate", "phase_out", "eligible", "max_discharge_kw_per_unit")}
            for expr in exprs:
                fast, slow = compiled(expr)(row), expr.evaluate(FormEnv(row))
                assert (fast, str(fast)) == (slow, str(slow)), (expr, row)
