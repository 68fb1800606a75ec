"""How a rule value reads in a sentence: 0.65 as "65%", 5000000 as "$5,000,000", a date as
"4 July 2025". Help texts, labels and docstrings shown to preparers are built from the rules data
with these, so their words cannot drift from the law (and read as a person writes them)."""

from __future__ import annotations

from datetime import date

from ..numbers import D, grouped

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def percent(value) -> str:
    """A fraction as a percentage: 0.65 -> '65%', 0.065 -> '6.5%', '1.00' -> '100%'."""
    return f"{grouped((D(value) * 100).normalize())}%"


def dollars(value, places: int | None = None) -> str:
    """An amount: 5000000 -> '$5,000,000'; with places=2, 562.5 -> '$562.50'."""
    return f"${grouped(D(value), places)}"


def day(when: date) -> str:
    """A date as the statutes' effective-date notes write it: date(2025, 7, 4) -> '4 July 2025'."""
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def years(first: int, last: int) -> str:
    """A span of years: 1984, 1988 -> '1984–1988'."""
    return f"{first}–{last}"


def after(when: date) -> str:
    """What follows "tax years beginning after": a year's last day reads as the year ('2026' for
    31 December 2026), any other day in full ('4 July 2025')."""
    return str(when.year) if (when.month, when.day) == (12, 31) else day(when)
