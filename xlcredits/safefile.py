"""Outputs are precious: write to a temporary file beside the target, then rename it into place.

An interrupted run leaves the old file intact (a rename is atomic on one filesystem), an existing
file is replaced only when the caller says so, and a locked or read-only destination gives a
sentence instead of a traceback.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class OutputError(Exception):
    """An output cannot be written: one sentence for the user."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on failure it vanishes."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target} is a folder")
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; use --force to replace it")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent} is not a folder (create it first)")
    try:
        fd, name = tempfile.mkstemp(prefix=".xlcredits-", suffix=target.suffix, dir=parent)
    except PermissionError:
        raise OutputError(f"cannot write in {parent}: permission denied") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except PermissionError:
        raise OutputError(f"cannot write {target}: permission denied (is it open in Excel, or read-only?)") from None
    finally:
        if tmp.exists():
            tmp.unlink()
