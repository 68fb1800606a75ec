"""One version of a return, read the same way whichever file holds it: a completed or typed-in
workbook (cell values, as Excel or LibreOffice saved them) or a JSON input. A JSON input is put
into the form's template and read back, so both kinds compare in the workbook's terms (a
"component" named by its kind reads back as its line, a Yes/No cell as true/false)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..lines import Result
from ..workbook.layout import Layout
from ..workbook.writer import WorkbookError
from .notes import Note

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class SourceError(ValueError):
    """A file that cannot be read as a return (one sentence for the preparer)."""


@dataclass
class Source:
    path: Path
    is_workbook: bool
    data: dict  # the inputs, as the workbook holds them
    layout: Layout
    positions: dict[str, list[int]]  # schedule -> data-row offset of each JSON row
    result: Result
    notes: list[Note] | None = None  # None: no Review notes table (or a JSON input)
    raw: dict = field(default_factory=dict)  # a JSON input as written

    @property
    def name(self) -> str:
        return self.path.name


def without_annotations(data: Any) -> Any:
    """A JSON input without its top-level "_..." annotations (`_carried_from`)."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("_"))}
    return data


def load(path) -> Source:
    from ..forms import compute

    p = Path(path)
    if p.suffix.lower() in WORKBOOK_SUFFIXES:
        from ..workbook.inputs import read_inputs
        from ..workbook.reader import checked
        from .notes import read_notes

        try:
            adapter, layout = checked(p)
        except WorkbookError as exc:
            raise SourceError(str(exc)) from None
        data, positions = read_inputs(adapter, layout)
        return Source(p, True, data, layout, positions, compute(data), read_notes(adapter.wb))
    return _load_json(p)


def _load_json(p: Path) -> Source:
    from ..forms import compute
    from ..jsonio import InputError, load_path
    from ..workbook.filler import BookAdapter
    from ..workbook.files import _tax_year_of
    from ..workbook.inputs import TooManyRows, put_inputs, read_inputs
    from ..workbook.registry import available, layout_for

    try:
        raw = without_annotations(load_path(p))
    except InputError as exc:
        raise SourceError(str(exc)) from None
    if not isinstance(raw, dict):
        raise SourceError(f"{p.name}: the input must be a JSON object {{ ... }}")
    first = compute(raw)
    layout = layout_for(raw.get("form"), first.revision or None, _tax_year_of(raw))
    if layout is None:
        known = ", ".join(f'"{f}"' for f in available())
        raise SourceError(f"{p.name}: \"form\" is {raw.get('form')!r}; xlcredits compares returns of {known}")
    book = layout.book.copy()
    try:
        put_inputs(book, layout, raw)
    except TooManyRows as exc:
        raise SourceError(f"{p.name}: {exc}") from None
    data, positions = read_inputs(BookAdapter(book), layout)
    return Source(p, False, data, layout, positions, compute(data), None, raw)
