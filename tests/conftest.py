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
