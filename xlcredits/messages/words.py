"""The fixed wording every message shares: the words no message may carry, and how dates and tax
years are written."""

# Words of the libraries underneath that no message may carry (tests/test_preparer_mistakes.py).
DENY_LIST = ("dictionary", "instance of", "Decimal object", "validation error", "Traceback", "pydantic",
             "type=", "input_value", "input should", "valid decimal", "less than or equal to",
             "greater than or equal to", "1E+15")

DATE_FORMATS = "a date written YYYY-MM-DD (2023-03-15) or MM/DD/YYYY (03/15/2023)"
TAX_YEAR_FORMAT = ('a year such as 2025 (a calendar year), or for a fiscal year '
                   '{"begins": "2025-07-01", "ends": "2026-06-30"}')
