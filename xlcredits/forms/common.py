"""Pieces every form's input model shares: amounts, years, the tax year, and turning pydantic's
validation errors into findings a preparer can read."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Type, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..limits import FIRST_YEAR, LAST_YEAR
from ..lines import Findings
from ..numbers import number_from_text, percent_from_text

# Amounts above a quadrillion dollars (or watts) are typing accidents, and bounding them keeps
# every product far inside the engine's decimal precision.
LIMIT = Decimal("1e15")

# Six decimals is finer than any meter or scale on a return, and bounding the exponent keeps a
# hostile "1e-999999" from turning into a million-digit explanation.
# Text in a number field is read as a cell's text is ("1,000"; "7%" in a fraction), and "5_00" or
# non-ASCII digits are refused (pydantic alone reads both as 500) [numbers.parse_number].
Amount = Annotated[Decimal, Field(ge=0, le=LIMIT, allow_inf_nan=False, decimal_places=6), BeforeValidator(number_from_text)]
Money = Annotated[Decimal, Field(ge=0, le=LIMIT, allow_inf_nan=False, decimal_places=2), BeforeValidator(number_from_text)]
SignedMoney = Annotated[Decimal, Field(ge=-LIMIT, le=LIMIT, allow_inf_nan=False, decimal_places=2), BeforeValidator(number_from_text)]
SignedAmount = Annotated[Decimal, Field(ge=-LIMIT, le=LIMIT, allow_inf_nan=False, decimal_places=6), BeforeValidator(number_from_text)]
Fraction = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False, decimal_places=6), BeforeValidator(percent_from_text)]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Text = Annotated[str, Field(max_length=500)]


class Strict(BaseModel):
    """Unknown fields are errors: a misspelt `capacity_per_unt` must not silently count as zero.

    Values are read as preparers write them before they are checked: "7%" for a fraction,
    "1,000" for an amount, 03/15/2023 for a date, any capitalisation of a choice (messages.py)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _as_preparers_write(cls, value: Any) -> Any:
        from ..messages import normalise

        return normalise(cls, value)

    @field_validator("*", mode="before")
    @classmethod
    def _whole_numbers_as_typed(cls, value: Any, info) -> Any:
        """Whole-number and year fields read text with the same reader as amounts: pydantic alone
        would read "5_00" as 500 [numbers.parse_number]."""
        from ..messages import field_kinds

        kind = field_kinds(cls).get(info.field_name)
        if kind is not None and kind.name == "list" and isinstance(value, list):
            kind, values = kind.item, value
        else:
            values = None
        if kind is None or kind.name not in ("whole", "year"):
            return value
        if values is not None:
            return [number_from_text(v) for v in values]
        return number_from_text(value)


class TaxYear(Strict):
    """A tax year: its first and last day. Accepts 2025 (calendar year) or {"begins", "ends"}."""

    begins: date
    ends: date

    @model_validator(mode="before")
    @classmethod
    def _calendar_year(cls, value: Any) -> Any:
        from ..messages import TAX_YEAR_FORMAT

        if isinstance(value, bool) or value is None or isinstance(value, list):
            raise ValueError(f"expected {TAX_YEAR_FORMAT}")
        if isinstance(value, (float, Decimal)):
            # compare before int(): int(Decimal("1E+999999")) would build a million-digit number
            finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
            if not finite or not (-10_000 < value < 10_000) or value != int(value):
                raise ValueError(f"not a tax year; expected {TAX_YEAR_FORMAT}")
            value = int(value)
        if isinstance(value, (int, str)) and str(value).strip().isdigit():
            year = int(str(value).strip())
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError(f"the year is outside {FIRST_YEAR} to {LAST_YEAR}; expected {TAX_YEAR_FORMAT}")
            return {"begins": date(year, 1, 1), "ends": date(year, 12, 31)}
        if not isinstance(value, dict):
            raise ValueError(f"not a tax year; expected {TAX_YEAR_FORMAT}")
        return value

    @model_validator(mode="after")
    def _sensible(self) -> "TaxYear":
        days = (self.ends - self.begins).days + 1
        if days < 1:
            raise ValueError(f"the tax year ends ({self.ends.isoformat()}) before it begins "
                             f"({self.begins.isoformat()}); expected the first and the last day of the tax year")
        if days > 371:  # 52-53-week years may run to 371 days [26 U.S.C. 441(f)]
            raise ValueError(f"the tax year runs {days} days, from {self.begins.isoformat()} to "
                             f"{self.ends.isoformat()}; a tax year is at most 371 days (52-53-week years, "
                             f"26 U.S.C. 441(f))")
        return self

    @property
    def is_calendar(self) -> bool:
        return (self.begins.month, self.begins.day, self.ends.month, self.ends.day) == (1, 1, 12, 31) \
            and self.begins.year == self.ends.year

    def as_json(self):
        if self.is_calendar:
            return self.begins.year
        return {"begins": self.begins.isoformat(), "ends": self.ends.isoformat()}


def json_path(loc: tuple) -> str:
    """('components', 3, 'units') -> 'components[3].units'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "(input)"


M = TypeVar("M", bound=BaseModel)


def parse_model(model: Type[M], data: Any, findings: Findings) -> M | None:
    """Validate `data`; on failure add one blocking finding per problem, naming its JSON path."""
    if not isinstance(data, dict):
        findings.error("(input)", "the input must be a JSON object { ... }", blocking=True)
        return None
    from ..messages import problem

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            findings.error(json_path(loc), problem(error, model), blocking=True)
        return None


def validated(model: Type[M], data: Any, findings: Findings) -> M | None:
    """`data` as the form's model: already one, or parsed (problems become blocking findings)."""
    return data if isinstance(data, model) else parse_model(model, data, findings)


