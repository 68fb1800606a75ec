"""The file path: templates, completed workbooks from a JSON input or a typed workbook, extract."""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

from ..lines import Result
from .filler import BookAdapter, fill_workbook
from .inputs import TooManyRows, check_row_counts, put_inputs
from .layout import Layout
from .registry import available, layout_for, module_for
from .writer import WorkbookError, save


def template_book(layout: Layout, tax_year: int | None = None):
    book = layout.book.copy()
    if tax_year is not None:
        fp = layout.fields.get("tax_year")
        if fp is not None:
            book.cell_at(fp.place.sheet, fp.place.row, fp.place.col).value = int(tax_year)
    return book


def write_template(form: str, path, *, tax_year: int | None = None, force: bool = False,
                   deterministic: bool = False) -> Layout:
    layout = layout_for(form, tax_year=tax_year)
    if layout is None:
        raise WorkbookError(f"unknown form {form!r}; known: {', '.join(m.SLUG for m in available().values())}")
    save(template_book(layout, tax_year), path, force=force, deterministic=deterministic,
         tax_year=str(tax_year or ""))
    return layout


def build_templates(folder, *, force: bool = True) -> list[Path]:
    """The committed templates in `workbooks/`: one per form, the latest revision, no tax year."""
    from .registry import TEMPLATE_FILES

    out = []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for form in available():
        target = folder / TEMPLATE_FILES[form]
        write_template(form, target, force=force, deterministic=True)
        out.append(target)
    return out


def load_source(path) -> dict:
    """A JSON input, or the inputs typed into a workbook (.xlsx)."""
    from ..jsonio import InputError, load_path
    from .reader import read_file_inputs

    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        data, _ = read_file_inputs(p)
        return data
    try:
        return load_path(p)
    except InputError as exc:
        raise WorkbookError(str(exc)) from None


def _tax_year_of(data: Any) -> int | None:
    value = data.get("tax_year") if isinstance(data, dict) else None
    if isinstance(value, dict):
        value = value.get("begins")
    try:
        return int(str(value)[:4])
    except (TypeError, ValueError):
        return None


def fill_book(data: Any, review_notes: list | None = None) -> tuple[Any, Layout, Result]:
    """A completed workbook (in memory) for a JSON-like input."""
    from ..forms import compute

    if not isinstance(data, dict):
        raise WorkbookError("the input must be a JSON object { ... }")
    module = module_for(data.get("form"))
    if module is None:
        known = ", ".join(f'"{f}"' for f in available())
        raise WorkbookError(f"the input's \"form\" is {reprlib.repr(data.get('form'))}; "
                            f"xlcredits fills workbooks for {known}")
    year = _tax_year_of(data)
    try:
        check_row_counts(layout_for(module.FORM, None, year), data)  # before computing anything
        result = compute(data)  # once: the fill below uses this result
        layout = layout_for(module.FORM, result.revision or None, year)
        book = layout.book.copy()
        put_inputs(book, layout, data)
    except TooManyRows as exc:
        raise WorkbookError(str(exc)) from None
    if review_notes:
        from .review_notes import put_review_notes

        put_review_notes(book, review_notes)  # before the fill, which counts the open ones
    result = fill_workbook(BookAdapter(book), inputs=data, result=result)
    return book, layout, result


def fill_file(source, out, *, force: bool = False) -> tuple[Layout, Result]:
    data = load_source(source)
    if Path(out).resolve() == Path(source).resolve():
        raise WorkbookError("the output must be a new file: the input is never modified")
    notes = []
    if Path(source).suffix.lower() in (".xlsx", ".xlsm"):
        from .review_notes import read_review_notes

        notes = read_review_notes(source)  # the reviewer's notes carry over
    return fill_data(data, out, force=force, review_notes=notes)


def fill_data(data: Any, out, *, force: bool = False, review_notes: list | None = None) -> tuple[Layout, Result]:
    """Write the completed workbook of a JSON-like input to `out` (batch and `fill` share this)."""
    book, layout, result = fill_book(data, review_notes)
    save(book, out, force=force, tax_year=_header_year(result), taxpayer=_taxpayer(layout, data))
    return layout, result


def fill_data_to_file(data: Any, out, *, force: bool = False) -> Result:
    return fill_data(data, out, force=force)[1]


def _header_year(result: Result) -> str:
    ty = result.tax_year
    if isinstance(ty, dict):
        return f"{ty.get('begins')} to {ty.get('ends')}"
    return "" if ty is None else str(ty)


def _taxpayer(layout: Layout, data: dict) -> str:
    from .inputs import get_path

    value = get_path(data, getattr(layout.hooks, "TAXPAYER", "") or "")
    return "" if value is None or isinstance(value, (dict, list)) else str(value)
