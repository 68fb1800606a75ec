"""No rule value is spelled in Python outside xlcredits/rules/, and nothing points outside the repository.

A rule value is a year (20xx), a percentage, a dollar amount or a size threshold (kWh, W, Wh/L ...).
The law's values live in xlcredits/rules/*.toml with their citations and are read through
xlcredits.rules; the engine, the worksheet functions and the workbook layout must not restate them.

Each line that still shows such a literal is allowed below, one entry per line, with the reason:
- FORMAT: an example of how a value is typed or shown ("a year such as 2025", "0.75 = 75%"), no rule;
- LABEL: the form's own printed words or revision name ("Rev. 12-2025", "Multiply line 9 by 50%");
- NOT_LAW: a file or print constant that is not a tax rule;
The test checks that every number on a LABEL line is a value of the rules data, so a printed
label cannot silently disagree with the law the engine applies.
Help texts, labels and docstrings that restate a rule for the preparer are not allowed here: they are
built from the rules data with xlcredits.rules.text (percent, dollars, day, years, after), so their
words follow the law.
An entry covers its text wherever it appears in its file; every entry must still match a line (a stale
entry fails).
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("xlcredits/forms", "udfs", "xlcredits/workbook")

YEAR = re.compile(r"\b20[1-9]\d\b")
PERCENT = re.compile(r"\b\d+(?:\.\d+)? ?%")
DOLLARS = re.compile(r"(?<![A-Za-z$])\$ ?(?:[1-9][\d,]*(?:\.\d+)?|0\.\d+)")  # "$0" says "nothing", not a rule
SIZE = re.compile(r"\b\d[\d,.]* ?(?:kWh|Wh|Wh/L|kW|MW|cm²)\b")
DECIMAL_CONSTANT = re.compile(r"\b(?:Decimal|D)\(\s*[\"']\d*\.\d+[\"']\s*\)")
RULE_LITERALS = (YEAR, PERCENT, DOLLARS, SIZE, DECIMAL_CONSTANT)

# "[d]", "[.]": the patterns must not match this file itself.
OUTSIDE = re.compile(r"form7207[.]md|nj306[.]md|\.\./share[d]|/work/share[d]|DESIGN[.]md|NOTES[.]md|STYLE[.]md")

FORMAT, LABEL, NOT_LAW = "FORMAT", "LABEL", "NOT_LAW"

# (file, text on the line, kind, why)
ALLOWED = (
    # --- udfs/ ---------------------------------------------------------------------------------
    ("udfs/_excel.py", "every number (2025.0)", FORMAT, "how xlwings hands a typed year to Python"),
    ("udfs/_excel.py", "'abc', 2025, 12.5", FORMAT, "docstring example of a value shown back to the preparer"),
    ("udfs/_excel.py", '"$300", "16%"', FORMAT, "docstring: the text forms a number cell may hold"),
    ("udfs/_excel.py", '("a year such as 2025")', FORMAT, "docstring: the expected-value phrase it passes on"),
    ("udfs/_excel.py", "2025, 2025.0 or", FORMAT, "docstring: the accepted spellings of a year"),
    ("udfs/_excel.py", '"a year such as 2025", hint="the year, e.g. 2025"', FORMAT,
     "message: what a year cell should look like"),
    ("udfs/_excel.py", '"2025-07-01", or a year', FORMAT, "docstring: the accepted spellings of a date"),
    ("udfs/_excel.py", "a date such as 2025-07-01", FORMAT, "message: what a date cell should look like"),
    ("udfs/f7207.py", "(1 = 100%, 0.75 = 75%)", FORMAT, "how a fraction reads as a percentage"),
    ("udfs/f7207.py", "0.5 = 50%", FORMAT, "how a fraction reads as a percentage"),
    # --- xlcredits/forms/ ------------------------------------------------------------------------
    ("xlcredits/forms/common.py", '"7%" in a fraction', FORMAT, "comment: how text in a fraction field is read"),
    ("xlcredits/forms/common.py", '"7%" for a fraction', FORMAT, "docstring: how text in a fraction field is read"),
    ("xlcredits/forms/common.py", "03/15/2023 for a date", FORMAT, "docstring: a date as preparers write it"),
    ("xlcredits/forms/common.py", "Accepts 2025 (calendar year)", FORMAT, "docstring: the shapes a tax year takes"),
    ("xlcredits/forms/f7207/verdicts.py", "100%: no phase-out for this year", FORMAT,
     "100% is 'no reduction', the meaning of the factor 1"),
    ("xlcredits/forms/f7207/definition.py", "(0–100%)", FORMAT, "the range of any ratio"),
    ("xlcredits/forms/f7207/definition.py", "× 75%", FORMAT, "comment: an example of an explanation's shape"),
    ("xlcredits/forms/f7207/eligibility.py", "a percentage below 100%", FORMAT, "100% is 'no reduction'"),
    ("xlcredits/forms/f7207/eligibility.py", " is 0%.", FORMAT, "0% is 'nothing'; the year comes from the table"),
    ("xlcredits/forms/f7207/eligibility.py", "a phase-out at 0%", FORMAT, "0% is 'nothing'"),
    ("xlcredits/forms/f7207/model.py", "(99.999999% = 0.99999999)", FORMAT,
     "comment: why purity keeps eight decimals (the minimum itself is in f7207.toml lines.1c)"),
    ("xlcredits/forms/f7207/model.py", "(Rev. 01-2025 and later)", LABEL, "the revision that first prints line 3b"),
    ("xlcredits/forms/f7207/model.py", "Line 6b (Rev. 12-2025)", LABEL, "the revision that prints line 6b"),
    ("xlcredits/forms/f7207/model.py", "threshold above 0%", FORMAT, "0% is 'no threshold'"),
    ("xlcredits/forms/f7207/model.py", "percentage below 100% applies", FORMAT, "100% is 'no reduction'"),
    ("xlcredits/forms/f7207/statements.py", "percentage below 100% applies", FORMAT, "100% is 'no reduction'"),
    ("xlcredits/forms/nj306/catalog.py", "(the 2023 revision: cannabis licensees)", LABEL,
     "the revision's name, from nj306.toml [revisions]"),
    ("xlcredits/forms/nj306/checks.py", "question 3 of the 2023 revision", LABEL, "the revision's name"),
    ("xlcredits/forms/nj306/definition.py", "Question 3 (2023 revision)", LABEL, "the revision's name"),
    ("xlcredits/forms/nj306/definition.py", "as printed on the 2023 revision", LABEL, "the revision's name"),
    ("xlcredits/forms/nj306/definition.py", "(rounded to 1/100 of 1%, not more than 16%)", LABEL,
     "Form 306 line 10 as printed"),
    ("xlcredits/forms/nj306/definition.py", "Multiply line 9 by 50%", LABEL, "Form 306 line 14 as printed"),
    ("xlcredits/forms/nj306/model.py", "2023 revision, question 3", LABEL, "the revision's name"),
    # --- xlcredits/workbook/ ---------------------------------------------------------------------
    ("xlcredits/workbook/book.py", '"Form 7207 (Rev. 12-2025)"; the writer', FORMAT,
     "comment: an example of a page header"),
    ("xlcredits/workbook/layout_nj306.py", "Current-period credit (10% of line 27)", LABEL,
     "Form 306 line 28 as printed"),
    ("xlcredits/workbook/layout_nj306.py", "rounded to 1/100 of 1%, not more than 16%", LABEL,
     "Form 306 line 10 as printed"),
    ("xlcredits/workbook/styles.py", '"fraction": "0.00%"', NOT_LAW, "Excel number format"),
    ("xlcredits/workbook/styles.py", '"percent": "0.00%"', NOT_LAW, "Excel number format"),
    ("xlcredits/workbook/validation.py", "Enter a calendar year such as 2025.", FORMAT, "input message example"),
    ("xlcredits/workbook/validation.py", "(e.g. 0.65 or 65%)", FORMAT, "input message example"),
    ("xlcredits/workbook/writer.py", "FIXED_DATE = datetime(2025, 1, 1)", NOT_LAW,
     "fixed file timestamp so rebuilt templates are byte-identical"),
    ("xlcredits/workbook/verify.py", 'Decimal("0.005")', NOT_LAW, "half a cent: the tolerance of cent rounding"),
)


def _scanned_files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))


def _entry_for(path: str, line: str):
    return next((e for e in ALLOWED if e[0] == path and e[1] in line), None)


def _rule_values() -> set[Decimal]:
    """Every number the rules data holds: values, thresholds, years of dates, year keys."""
    found: set[Decimal] = set()

    def add(text) -> None:
        try:
            found.add(Decimal(str(text).replace(",", "")))
        except InvalidOperation:
            pass

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                add(key)
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, date):
            add(node.year)
        elif isinstance(node, (str, int, float)) and not isinstance(node, bool):
            add(node)
            for number in re.findall(r"\d+(?:\.\d+)?", str(node)):
                add(number)  # "1/6", "P.L. 2018, c.48" ... numbers inside text count too

    for path in sorted((ROOT / "xlcredits/rules").glob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return found


def _numbers_on(line: str) -> list[tuple[str, Decimal]]:
    line = line.replace("1/100 of 1%", "")  # the rounding unit, held as `places = 4` in the rules
    numbers = []
    for match in PERCENT.finditer(line):
        numbers.append((match.group(), Decimal(match.group().rstrip("% ")) / 100))
    for match in DOLLARS.finditer(line):
        numbers.append((match.group(), Decimal(match.group().lstrip("$ ").replace(",", ""))))
    for match in YEAR.finditer(line):
        numbers.append((match.group(), Decimal(match.group())))
    return numbers


def test_no_rule_literal_outside_the_rules_unless_allowed():
    found = []
    for path in _scanned_files():
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in RULE_LITERALS) and not _entry_for(rel, line):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "rule values belong in xlcredits/rules/ (or an ALLOWED entry with its reason):\n" \
        + "\n".join(found)


def test_every_allowed_entry_still_matches_a_line_and_says_why():
    texts = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in _scanned_files()}
    stale = [e[:2] for e in ALLOWED if e[1] not in texts.get(e[0], "")]
    assert not stale, f"allow-list entries that match nothing (remove them): {stale}"
    for entry in ALLOWED:
        assert entry[2] in (FORMAT, LABEL, NOT_LAW) and len(entry[3]) > 10, entry


def test_printed_labels_agree_with_the_rules_data():
    """A form's printed words must agree with the rules data: 'not more than 16%' needs a 0.16 there."""
    values = _rule_values()
    texts = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8").splitlines() for p in _scanned_files()}
    wrong = []
    for path, text, kind, _why in ALLOWED:
        if kind != LABEL:
            continue
        for line in (ln for ln in texts[path] if text in ln):
            wrong += [f"{path}: {shown} in {line.strip()!r}" for shown, value in _numbers_on(line)
                      if value not in values]
    assert not wrong, "printed values not found in xlcredits/rules/:\n" + "\n".join(wrong)


@pytest.mark.parametrize("line, caught", [
    ("if sold >= 2030:", True),
    ('doc="Calendar year sold (2030 75%, 2031 50%)"', True),
    ('help="payroll of $5,000,000 or more"', True),
    ('help="a module of at least 7 kWh"', True),
    ('CAP = Decimal("0.16")', True),
    ('"earns $0 for this row"', False),
    ("\"'Products'!$C$5\"", False),
    ("max_rows=2000", False),
])
def test_the_patterns_catch_rule_values_and_not_addresses(line, caught):
    assert any(p.search(line) for p in RULE_LITERALS) is caught


def _repository_text_files() -> list[Path]:
    skip = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache"}
    suffixes = {".py", ".md", ".toml", ".json", ".yaml", ".yml", ".txt", ".csv", ".bas", ".cls", ".cfg", ".ini",
                ".sh", ".ps1", ".bat", ".xml", ".html", ".in", ""}
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if path.is_file() and not any(part in skip or part.endswith(".egg-info") for part in rel.parts) \
                and path.suffix.lower() in suffixes:
            files.append(path)
    return files


def test_nothing_points_outside_the_repository():
    """The reference notes the project was built from are not part of the repository: cite the law and
    the decision IDs of xlcredits/rules/decisions_*.toml instead."""
    found = []
    for path in _repository_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
