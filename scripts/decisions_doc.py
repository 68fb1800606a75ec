#!/usr/bin/env python3
"""Write docs/decisions.md from xlcredits/rules/decisions_*.toml: every project decision with its
rule, its sources and the test that proves it, so a reader of the repository finds them in one page.

    python scripts/decisions_doc.py          # rewrite docs/decisions.md
    python scripts/decisions_doc.py --check  # exit 1 if docs/decisions.md is not current

tests/test_decisions.py runs the check. Edit the TOML files, never the generated page.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "xlcredits" / "rules"
OUTPUT = ROOT / "docs" / "decisions.md"

FORMS = (  # (file stem, heading, what the IDs mean)
    ("decisions_f7207", "Form 7207 (26 U.S.C. 45X, advanced manufacturing production credit)",
     "F7207-D*: where the law leaves the engine a choice, or the project reads it a certain way."),
    ("decisions_nj306", "NJ Form 306 (N.J.S.A. 54:10A-5.24, research and development credit)",
     "NJ306-A*: readings of the printed form. NJ306-D*: the November 2026 revision by the letter of the law."),
)


def _order(key: str) -> tuple:
    """F7207-D2 before F7207-D10; NJ306-A* before NJ306-D*."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def _test_link(tested_by: str) -> str:
    path, _, name = tested_by.partition("::")
    return f"[`{name}`](../{path}) in `{path}`" if name else f"[`{path}`](../{path})"


def render() -> str:
    out = ["# Project decisions", "",
           "Generated from `xlcredits/rules/decisions_*.toml` by `scripts/decisions_doc.py`; edit the TOML",
           "files, not this page. Code, tests, the README and the workbook notes cite these IDs. Each decision",
           "names the rule the engine follows, the law it rests on and the test that proves it. The rule",
           "values themselves (rates, years, thresholds) are in `xlcredits/rules/*.toml`, each with its",
           "citation and the date it was last checked.", ""]
    for stem, heading, meaning in FORMS:
        decisions = tomllib.loads((RULES / f"{stem}.toml").read_text(encoding="utf-8"))
        out += [f"## {heading}", "", f"{meaning} Source file: `xlcredits/rules/{stem}.toml`.", ""]
        for key in sorted(decisions, key=_order):
            entry = decisions[key]
            out += [f"### {key}", "", entry["rule"].strip(), "",
                    "- Sources: " + "; ".join(entry.get("sources", ())),
                    "- Tested by: " + _test_link(entry["tested_by"]), ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run python scripts/decisions_doc.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
