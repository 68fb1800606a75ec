"""Pieces every form's input model shares: amounts, years, the tax year, and turning pydantic's
validation errors into findings a preparer can read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Type, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ..cellerrors import error_text
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
Year = Annotated[int, Field(ge=1980, le=2100)]
Text = Annotated[str, Field(max_length=500)]


class Strict(BaseModel):
    """Unknown fields are errors: a misspelt `capacity_per_unt` must not silently count as zero."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TaxYear(Strict):
    """A tax year: its first and last day. Accepts 2025 (calendar year) or {"begins", "ends"}."""

    begins: date
    ends: date

    @model_validator(mode="before")
    @classmethod
    def _calendar_year(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("tax_year must be a year such as 2025 or {\"begins\": ..., \"ends\": ...}")
        if isinstance(value, (int, str)) and str(value).strip().isdigit():
            year = int(str(value).strip())
            if not 1980 <= year <= 2100:
                raise ValueError(f"tax year {year} is out of range")
            return {"begins": date(year, 1, 1), "ends": date(year, 12, 31)}
        if isinstance(value, float) and value.is_integer():
            return cls._calendar_year(int(value))
        return value

    @model_validator(mode="after")
    def _sensible(self) -> "TaxYear":
        days = (self.ends - self.begins).days + 1
        if days < 1:
            raise ValueError("tax_year.ends is before tax_year.begins")
        if days > 371:  # 52-53-week years may run to 371 days [26 U.S.C. 441(f)]
            raise ValueError(f"a tax year cannot span {days} days (at most 371)")
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


def _describe(error: dict) -> str:
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        return "is not a field of this form's input (misspelt?)"
    if error["type"] == "missing":
        return "is required"
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    given = error.get("input")
    if isinstance(given, str) and error_text(given):
        return f"holds the Excel error {error_text(given)}: correct the formula that gives it, or type the value"
    if given is not None and not isinstance(given, (dict, list)):
        shown = repr(given) if isinstance(given, str) else str(given)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        message += f" (got {shown})"
    return message[0].lower() + message[1:] if message else message


M = TypeVar("M", bound=BaseModel)


def parse_model(model: Type[M], data: Any, findings: Findings) -> M | None:
    """Validate `data`; on failure add one blocking finding per problem, naming its JSON path."""
    if not isinstance(data, dict):
        findings.error("(input)", "the input must be a JSON object { ... }", blocking=True)
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            where = json_path(loc)
            findings.error(where, f"{where} {_describe(error)}", blocking=True)
        return None


def validated(model: Type[M], data: Any, findings: Findings) -> M | None:
    """`data` as the form's model: already one, or parsed (problems become blocking findings)."""
    return data if isinstance(data, model) else parse_model(model, data, findings)
