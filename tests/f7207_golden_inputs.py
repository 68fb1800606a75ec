"""Random but reproducible Form 7207 inputs for the golden test (tests/test_f7207_golden.py):
mixed lines, years, MACR, fiscal years, blank years, excluded and phased-out rows, capped
batteries, optional figures, schedules, text numbers and a few rows the engine must refuse."""

from __future__ import annotations

import random
from decimal import Decimal

from xlcredits.forms.f7207 import catalog


def _number(rng: random.Random, value):
    """The same number as a preparer or a parser might give it: int, Decimal or text."""
    style = rng.random()
    if style < 0.6:
        return value
    if style < 0.8:
        return str(value)
    return f"{Decimal(value):,}" if Decimal(value) >= 1000 else str(value)


def component(rng: random.Random, year: int) -> dict:
    entry = catalog.PART_II[rng.choice(catalog.PRODUCT_LINES)]
    row: dict = {"line" if rng.random() < 0.9 else "component": entry.line}
    if "component" in row:
        row["component"] = next((k for k, e in catalog.PART_II.items() if e is entry), entry.line)
    if rng.random() < 0.7:
        row["description"] = rng.choice(["Module 400 W", "Cell lot", "  padded text  ", "Torque tube", ""])
    if rng.random() < 0.85:
        row["sold_year"] = rng.choice([year, year, year - 1, year + 1, 2022, 2030, 2033])
    if rng.random() < 0.85:
        row["produced_year"] = rng.choice([year, year - 1, 2022, 2029, 2031])
    if rng.random() < 0.5:
        row["macr"] = _number(rng, Decimal(rng.choice(["0", "0.3", "0.55", "0.6", "0.7", "1"])))
    if entry.measure == "capacity":
        row["units"] = _number(rng, rng.choice([0, 1, 17, 2500, 100000]))
        row["capacity_per_unit"] = _number(rng, Decimal(rng.choice(["0.2", "0.35", "5", "400", "435.5", "7600",
                                                                      "3000000", "150", "1000001"])))
        if entry.is_battery_capacity and rng.random() < 0.4:
            row["max_discharge_kw_per_unit"] = _number(rng, Decimal(rng.choice(["0.001", "0.01", "2.5", "1000"])))
        if entry.is_battery_capacity and rng.random() < 0.2:
            row["fuel_cell_vehicle"] = True
    elif entry.measure == "quantity":
        row["quantity"] = _number(rng, Decimal(rng.choice(["0", "12.345", "9000", "0.001"])))
    else:
        row["costs"] = _number(rng, Decimal(rng.choice(["0", "1234.56", "999999.99"])))
    for name, values in (("wafer_area_cm2", ["50", "100", "240.5"]), ("purity", ["0.9999", "0.99999999", "1"]),
                         ("energy_density_wh_per_l", ["50", "100", "400"])):
        if rng.random() < 0.08:
            row[name] = Decimal(rng.choice(values))
    if rng.random() < 0.1:
        row["integrated"] = True
        if rng.random() < 0.5:
            row["integration_test_met"] = rng.choice([True, False])
    if rng.random() < 0.01:  # a row the engine must refuse
        rng.choice([lambda: row.pop("line", None) or row.pop("component", None),
                    lambda: row.update(line="9z", component=None) or row.pop("component"),
                    lambda: row.update(unknown_field=1),
                    lambda: row.update(units="5_00"),
                    lambda: row.update(macr=Decimal("1.5"))])()
    return row


def tax_year(rng: random.Random):
    year = rng.choice([2023, 2024, 2025, 2026, 2027, 2030])
    if rng.random() < 0.7:
        return year, year
    month = rng.choice([4, 7, 10])
    return year, {"begins": f"{year}-{month:02d}-01", "ends": f"{year + 1}-{month - 1:02d}-30"}


def form_input(rng: random.Random) -> dict:
    year, given = tax_year(rng)
    data: dict = {"form": "7207", "tax_year": given,
                  "components": [component(rng, year) for _ in range(rng.choice([0, 1, 3, 8, 20, 60]))],
                  "entity_type": rng.choice(["corporation", "estate_or_trust", "partnership"])}
    if rng.random() < 0.3:
        data["vessels"] = [{"name": f"Vessel {i}", "sales_price": Decimal("1000000.50"), "status": "new",
                            "sold_year": rng.choice([year, None]), "produced_year": year, "macr": "0.95"}
                           for i in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        data["critical_minerals"] = [{"line": rng.randint(1, 73), "costs": Decimal("2500.25"),
                                      "produced_year": rng.choice([year, 2031, 2034]), "sold_year": year,
                                      **({"macr": "0.6"} if rng.random() < 0.5 else {})}
                                     for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.15:
        data["metallurgical_coal"] = [{"description": "coal", "costs": Decimal("700.00"),
                                       "produced_year": rng.choice([year, 2030]), "sold_year": year}]
    if rng.random() < 0.5:
        data["passthrough_credit"] = Decimal("123.45")
    if rng.random() < 0.2:
        data["allocated_to_beneficiaries"] = Decimal("10.00")
    if year >= 2026 or rng.random() < 0.3:
        data["attestations"] = {"prohibited_foreign_entity": rng.choice([False, False, False, True, None])}
    return data


def corpus(count: int, seed: int = 7207) -> list[dict]:
    rng = random.Random(seed)
    return [form_input(rng) for _ in range(count)]


def every_input() -> list[dict]:
    """The corpus, two bench-sized returns and the bundled examples (NJ-306 too: it shares the engine)."""
    from xlcredits.bench import generated_return
    from xlcredits.examples import FOLDER as examples
    from xlcredits.jsonio import load_path

    return corpus(300) + [generated_return(500), generated_return(50, seed=1)] + \
        [load_path(p) for p in sorted(examples.glob("*.json")) if not p.name.endswith(".expected.json")]


def snapshot(data: dict) -> str:
    """Everything a reader of the result can see: the JSON output, every line's explanation, each
    schedule row's columns and notes, and every value the adapters get."""
    from xlcredits.forms import compute
    from xlcredits.jsonio import dumps

    result = compute(data)
    payload = result.to_json()
    payload.pop("values", None)
    rows = {key: [{**{c: v for c, v in row.items() if "#" not in c}, "#notes": row.get("#notes")} for row in rows]
            for key, rows in result.rows.items()}
    return dumps({"json": payload, "explanations": dict(result.explanations), "rows": rows,
                  "values": dict(result.extras.get("values") or {})})
