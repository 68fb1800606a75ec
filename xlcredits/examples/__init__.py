"""The bundled example inputs and their expected results, shipped inside the package so that
`xlcredits example` and `python -m xlcredits.bench` work from an installed wheel.

These files are copies of the repository's `examples/` folder (which the tests and the README
use); tests/test_wheel.py checks that the two stay identical.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def example_names() -> list[str]:
    return sorted(p.name for p in FOLDER.glob("*.json"))


def example_path(name: str) -> Path | None:
    name = name if name.endswith(".json") else name + ".json"
    path = FOLDER / Path(name).name
    return path if path.is_file() else None


def example_text(name: str) -> str | None:
    path = example_path(name)
    return path.read_text(encoding="utf-8") if path else None


def copy_examples(folder, force: bool = False) -> list[Path]:
    """Copy every example into `folder`; an existing file is never replaced without `force`."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    clash = [n for n in example_names() if (target / n).exists()]
    if clash and not force:
        raise FileExistsError(f"{target} already holds {', '.join(clash)}; nothing was copied. Use --force to "
                              f"replace them.")
    written = []
    for name in example_names():
        shutil.copyfile(FOLDER / name, target / name)
        written.append(target / name)
    return written
