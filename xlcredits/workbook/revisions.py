"""A form's revisions, read from its rule book."""

from __future__ import annotations


def revisions_of(catalog) -> tuple[str, ...]:
    """A form's revisions, oldest first, from its rule book's `revisions` table."""
    return tuple(dict.fromkeys(catalog.RULES["revisions"].values()))


def revision_for_year(catalog, year: int | None) -> str:
    """The revision for a tax year beginning in `year` (the latest revision when unknown)."""
    from datetime import date

    if year is None:
        return revisions_of(catalog)[-1]
    return catalog.revision_for(date(int(year), 1, 1))
