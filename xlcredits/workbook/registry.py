"""Which layout module lays out which form."""

from __future__ import annotations

import importlib

from .layout import Layout

MODULES = {"7207": "xlcredits.workbook.layout_f7207", "NJ-306": "xlcredits.workbook.layout_nj306"}
TEMPLATE_FILES = {"7207": "form7207.xlsx", "NJ-306": "nj306.xlsx"}


def available() -> dict[str, object]:
    """Layout modules whose form engine exists: {"7207": module, "NJ-306": module}."""
    from ..forms import registry

    out = {}
    for form, name in MODULES.items():
        if form not in registry():
            continue
        try:
            out[form] = importlib.import_module(name)
        except ImportError as exc:  # pragma: no cover - layout not written yet
            if exc.name and exc.name.startswith("xlcredits.workbook"):
                continue
            raise
    return out


def module_for(form) -> object | None:
    """The layout module for a form given as "7207", "nj306", "NJ-306", "Form 7207"."""
    if form is None:
        return None
    wanted = str(form).strip().lower().replace("-", "").replace("form", "").replace(" ", "")
    for key, module in available().items():
        if wanted in (key.lower().replace("-", ""), module.SLUG):
            return module
    return None


def layout_for(form, revision: str | None = None, tax_year: int | None = None) -> Layout | None:
    module = module_for(form)
    if module is None:
        return None
    if revision is None or revision not in module.revisions():
        if tax_year is not None and not 1 <= tax_year <= 9999:
            tax_year = None  # a year no date can hold (the engine's findings name it): the latest revision
        revision = module.revision_for_year(tax_year)
    return module.build(revision)
