import json
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def load_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


def put_intake_row(book, sheet_name: str, values: dict) -> None:
    """Append an intake row, `values` keyed by JSON path ("#id" for the ID column): the intake's
    headers are in the form's words (issue 16), each column's JSON path is in its definition."""
    from xlcredits.batch.intake import RETURN_SHEETS, ROW_SHEETS

    sheets = {s.name: (s.key, *s.columns) for s in RETURN_SHEETS}
    sheets.update({r.name: (r.owner.key, *r.columns) for r in ROW_SHEETS})
    by_header = {c.header: c.path for c in sheets[sheet_name]}
    book[sheet_name].append([values.get(by_header[c.value]) for c in book[sheet_name][1]])
