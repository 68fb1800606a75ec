"""What a batch has written so far (`out_dir/.xlcredits.progress`), and which inputs `--resume`
may skip."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..jsonio import dumps

if TYPE_CHECKING:
    from .run import Case

PROGRESS = ".xlcredits.progress"


class Progress:
    """`out_dir/.xlcredits.progress`: one JSON line per return written (its name, fingerprint and
    summary record). A killed batch leaves it; `--resume` reads it to skip what is done."""

    def __init__(self, folder: Path):
        self.path = folder / PROGRESS

    def done(self) -> tuple[dict[str, dict], set[str]]:
        """The records of the returns written, and the output names the stopped batch planned to
        write (an output written just before the kill, with no record yet, is still its own)."""
        found: dict[str, dict] = {}
        planned: set[str] = set()
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return found, planned
        for line in lines:
            try:
                record = json.loads(line, parse_float=Decimal)
            except ValueError:
                continue  # a line cut short by the kill
            if isinstance(record, dict) and isinstance(record.get("planned"), list):
                planned.update(str(n) for n in record["planned"])
            elif isinstance(record, dict) and record.get("output") and record.get("fingerprint"):
                found[record["file"]] = record
        return found, planned

    def start(self, keep: Iterable[dict], planned: Iterable[str] = ()) -> None:
        with open(self.path, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(json.dumps({"planned": sorted(planned)}, ensure_ascii=True) + "\n")
            for record in keep:
                f.write(self._line(record))

    def add(self, record: dict) -> None:
        if record.get("output"):
            with open(self.path, "a", encoding="utf-8", errors="backslashreplace") as f:
                f.write(self._line(record))

    @staticmethod
    def _line(record: dict) -> str:
        return dumps(record).replace("\n", " ") + "\n"  # newlines inside strings are escaped


def resumable(cases: list[Case], out_dir: Path, done: dict[str, dict]) -> tuple[list[Case], list[dict]]:
    """Split cases into those to run and the records of those already written from the same input
    (output file present, fingerprint equal)."""
    todo, kept = [], []
    for case in cases:
        record = done.get(case.name)
        if (record and case.fingerprint and record.get("fingerprint") == case.fingerprint
                and (out_dir / f"{case.name}.xlsx").is_file()):
            kept.append(record)
        else:
            todo.append(case)
    return todo, kept
