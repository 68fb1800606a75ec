"""Drop-downs show words, the engine reads codes: "S corporation" in the cell is `s_corporation`
in the input. Reading accepts the label or the code (any case), so typed workbooks from before
still read."""

from __future__ import annotations

from typing import Any

# The engine's code -> the words a preparer picks (Form 7207 instructions' filer kinds; Part III
# column (d); NJ-306 questions 1 and 2).
CHOICE_LABELS = {
    "corporation": "Corporation", "partnership": "Partnership", "s_corporation": "S corporation",
    "estate_or_trust": "Estate or trust", "individual": "Individual", "other": "Other",
    "new": "New", "retrofitted": "Retrofitted",
    "regular": "Regular credit method", "asc": "Alternative simplified credit (ASC)",
}


def labelled(choices: tuple[str, ...]) -> bool:
    return bool(choices) and all(c in CHOICE_LABELS for c in choices)


def shown(choices: tuple[str, ...]) -> tuple[str, ...]:
    """What a drop-down lists."""
    return tuple(CHOICE_LABELS[c] for c in choices) if labelled(choices) else tuple(choices)


def label_of(value: Any, choices: tuple[str, ...]) -> Any:
    """A JSON code written into a cell as its words."""
    if labelled(choices) and isinstance(value, str) and value in choices:
        return CHOICE_LABELS[value]
    return value


def code_of(value: Any, choices: tuple[str, ...]) -> Any:
    """A cell's words (or code) read as the engine's code; anything else as typed."""
    if not labelled(choices) or not isinstance(value, str):
        return value
    text = value.strip().lower()
    for code in choices:
        if text in (code, CHOICE_LABELS[code].lower()):
            return code
    return value
