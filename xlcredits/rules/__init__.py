"""Tax parameters as data: rates, phase-outs, thresholds, tables, each with its citation.

The files beside this module are the single place such numbers live; forms read them through
the small helpers here and never spell a rate or a year in code.

One vocabulary for when a value applies (see the head of `f7207.toml`):
- `steps = [{from_year, value, cites, checked}]`: a value in force from a calendar year on,
  read with `Steps.at(year)`;
- `in_force = {tax_years_beginning_after = DATE}`: a rule for tax years beginning after a date,
  read with `in_force(rule, begins)`.

How a value reads in a sentence ("65%", "$5,000,000", "4 July 2025") is `rules.text`.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Mapping, Sequence


# The data files sit beside this module (the package is installed as files, never zipped). A plain
# path, not importlib.resources: the worksheet functions read these files when Excel loads them,
# and that import must stay light.
HERE = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict:
    """Parse `<name>.toml` from this package (once per process)."""
    with (HERE / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@cache
def load_csv(name: str) -> tuple[dict, ...]:
    import csv  # only the engine reads a table; the worksheet functions' import skips it

    with (HERE / name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


# --- the one vocabulary: steps and in_force ---------------------------------------------------

def __getattr__(name: str):
    """`Step`, `Steps`, `step` and `steps` (rules/_steps.py), loaded on first use: the worksheet
    functions read the rules data when Excel loads them and never need them."""
    if name in ("Step", "Steps", "step", "steps"):
        from . import _steps

        return getattr(_steps, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def in_force(rule: Mapping, tax_year_begins: date) -> bool:
    """True when a rule applies to a tax year beginning on `tax_year_begins` (its `in_force` window;
    a rule without one always applies)."""
    window = rule.get("in_force") or {}
    after = window.get("tax_years_beginning_after")
    return after is None or tax_year_begins > after


def cites(rule: Mapping) -> tuple[str, ...]:
    """A rule table's citations."""
    return tuple(rule.get("cites", ()))


def cite_text(citations: Sequence[str]) -> str:
    """Citations as a renderer shows them: '26 U.S.C. 45X(b)(3)(A); P.L. 119-21 sec. 70514'."""
    return "; ".join(dict.fromkeys(c for c in citations if c))


def decisions(name: str) -> dict:
    """A form's project decisions by ID (`decisions_<name>.toml`): rule, sources, tested_by."""
    return load(f"decisions_{name}")
