"""The fill state kept in the `XLC_state` cell, compact enough for one cell.

The filler records which cells it marked (highlight and note) and where it wrote finding marks
("!3" in a margin column) so the next fill can clear them: `{"marks": ["'Products'!$O$5", ...],
"flags": ["'Products'!$V$5", ...], "rows": {...}, "findings": n, "review_rows": n}`. At ~18
characters an address, 2,000 marked rows would need 36,000 characters for each list, more than a
cell holds (32,767) — and a truncated state loses marks for good. Stored here as runs per sheet:

    {"v": 2, "marks": {"Products": "O5:O2004,D7"}, "flags": {"Products": "V5:V2004"}, ...}

2,000 rows marked in one column take a dozen characters; even every other row marked (no runs at
all) takes ~8 characters a row. `expand` gives the filler its own format back, and reads either.
"""

from __future__ import annotations

import json

from ..workbook.layout import address, col_letter, parse_address, quote_sheet

CELL_LIMIT = 32_767


ADDRESS_LISTS = ("marks", "flags")  # the state's lists of cell addresses


def compact(text: str) -> str:
    """The filler's state JSON -> the compact form (unchanged if it is not the filler's JSON)."""
    try:
        state = json.loads(text)
        lists = {key: state[key] for key in ADDRESS_LISTS if key in state}
    except (ValueError, KeyError, TypeError):
        return text
    if "marks" not in lists or not all(isinstance(v, list) for v in lists.values()):
        return text
    return json.dumps(dict(state, v=2, **{key: _runs(v) for key, v in lists.items()}), separators=(",", ":"))


def _runs(targets: list) -> dict[str, str]:
    from .live import rectangles

    by_sheet: dict[str, set[tuple[int, int]]] = {}
    for target in targets:
        try:
            sheet, r, c, _, _ = parse_address(str(target))
        except ValueError:
            continue
        by_sheet.setdefault(sheet, set()).add((r, c))
    return {sheet: ",".join(_area(*block) for block in rectangles(cells)) for sheet, cells in sorted(by_sheet.items())}


def expand(text: str) -> str:
    """The compact form (or the filler's own) -> the filler's state JSON."""
    try:
        state = json.loads(text)
    except ValueError:
        return text
    if not isinstance(state, dict) or state.get("v") != 2 or not isinstance(state.get("marks"), dict):
        return text
    out = {k: v for k, v in state.items() if k != "v"}
    for key in ADDRESS_LISTS:
        if isinstance(state.get(key), dict):
            out[key] = _addresses(state[key])
    return json.dumps(out, separators=(",", ":"))


def _addresses(runs: dict) -> list[str]:
    found = []
    for sheet, areas in runs.items():
        for area in filter(None, str(areas).split(",")):
            try:
                _, r1, c1, r2, c2 = parse_address(f"{quote_sheet(sheet)}!{area}")
            except ValueError:
                continue
            found += [address(sheet, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    return sorted(found)


def _area(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{col_letter(c1)}{r1 + 1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{col_letter(c2)}{r2 + 1}"
