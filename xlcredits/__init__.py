"""xlcredits: prepare IRS Form 7207 (§45X) and NJ Form 306 (R&D credit) — engine and Excel glue."""

__version__ = "0.1.0"


def main() -> None:
    """Entry point of the Excel ribbon button: fill the workbook the accountant is working in."""
    from .addin.ribbon import main as ribbon_main

    ribbon_main()
