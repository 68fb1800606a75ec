"""No Form 7207 rule value is spelled in Python: years, percentages and thresholds live in
xlcredits/rules/f7207.toml with their citations, and nothing points outside the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*(ROOT / "xlcredits/forms/f7207").glob("*.py"), ROOT / "udfs/f7207.py", ROOT / "udfs/_cents.py"])
YEAR = re.compile(r"\b20[2-3]\d\b")
PERCENT = re.compile(r"\b\d+(\.\d+)? ?%")
OUTSIDE = re.compile(r"form7207\.md|nj306\.md|\.\./share[d]|/work/share[d]")  # "[d]": the pattern must not match itself

# Each allowed line, and why: form revision names ("Rev. 12-2025") are the form's own labels;
# "0%"/"100%" describe a percentage's meaning, not a rule value; docstring examples show a format.
ALLOWED = {
    ("model.py", "Rev. 01-2025 and later"),
    ("model.py", "Line 6b (Rev. 12-2025)"),
    ("model.py", "threshold above 0%"),
    ("model.py", "percentage below 100% applies"),
    ("verdicts.py", "100%: no phase-out for this year"),
    ("definition.py", "(0–100%)"),
    ("definition.py", "× 75%"),
    ("eligibility.py", "a percentage below 100%"),
    ("eligibility.py", "'75%', 0.065 -> '6.5%'"),
    ("eligibility.py", " is 0%."),
    ("eligibility.py", "a phase-out at 0%"),
    ("statements.py", "percentage below 100% applies"),
    ("f7207.py", "(1 = 100%, 0.75 = 75%)"),
    ("f7207.py", "0.5 = 50%"),
}


def _allowed(path: Path, line: str) -> bool:
    return any(path.name == name and text in line for name, text in ALLOWED)


def test_no_year_or_percentage_literals_outside_the_rules():
    found = []
    for path in FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if not line.lstrip().startswith(("\"", "'", "f\"")) else line
            if (YEAR.search(code) or PERCENT.search(code)) and not _allowed(path, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_nothing_points_outside_the_repository():
    for path in [*FILES, *(ROOT / "tests").glob("test_f7207_*.py"), ROOT / "tests/cases_f7207.json",
                 *(ROOT / "xlcredits/rules").glob("*f7207*")]:
        assert not OUTSIDE.search(path.read_text(encoding="utf-8")), path
