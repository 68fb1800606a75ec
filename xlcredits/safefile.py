"""Outputs are precious: write to a temporary file beside the target, then rename it into place.

An interrupted run leaves the old file intact (a rename is atomic on one filesystem), an existing
file is replaced only when the caller says so, and a locked or read-only destination gives a
sentence instead of a traceback. A run killed outright (power cut, SIGKILL) cannot remove its
temporary file; the next write into the same folder does, once the process that made it is gone
(or, where that cannot be told, once the file is an hour old).
"""

from __future__ import annotations

import errno
import os
import re
import signal
import socket
import stat
import threading
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PREFIX = ".xlcredits-"
STALE_SECONDS = 3600
_HOST = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:40] or "host"
_TEMP = re.compile(re.escape(PREFIX) + r"(\d+)-([A-Za-z0-9._]+)~")


class OutputError(Exception):
    """An output cannot be written: one sentence for the user."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sentence(target: Path, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return f"cannot write {target}: permission denied (is it open in Excel, or read-only?)"
    if exc.errno == errno.EROFS:
        return f"cannot write {target}: the disk or folder is read-only"
    if exc.errno == errno.ENOSPC:
        return f"cannot write {target}: the disk is full"
    return f"cannot write {target}: {exc.strerror or exc}"


def _special(target: Path) -> str:
    """"a pipe (FIFO)", "a device", "a socket" for a path that exists and is no regular file."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return ""
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return ""


def not_a_file(target) -> str:
    """The sentence refusing to write onto a pipe, device or socket, --force or not (replacing
    /dev/null or a pipe would break whatever else uses it), or "" for anything else."""
    kind = _special(Path(target))
    if kind:
        return f"{target} is {kind}, not a file: give the path of a workbook or JSON file to write"
    return ""


def exit_on_terminate() -> None:
    """Make SIGTERM unwind the stack like Ctrl+C does (SystemExit 143), so every `atomic_output`
    removes its temporary file; without this a `kill` leaves client data in a temporary file."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return

    def _terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)


def _alive(pid: int) -> bool:
    if os.name != "posix":  # no cheap, harmless check elsewhere: age alone decides
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_stale(folder: Path) -> list[Path]:
    """Remove the temporary files that killed runs left in `folder`: those whose process, on this
    machine, is gone, and any older than an hour. Returns what was removed."""
    removed = []
    try:
        entries = list(folder.glob(PREFIX + "*"))
    except OSError:
        return removed
    for path in entries:
        m = _TEMP.match(path.name)
        try:
            old = time.time() - path.stat().st_mtime > STALE_SECONDS
            if old or (m and m.group(2) == _HOST and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1)))):
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def refuse_replacing(target: Path, force: bool) -> str:
    """The sentence refusing to write `target` (a folder, a pipe or device, or an existing file
    without --force), or "" when it may be written. For writers that do their own atomic rename."""
    target = Path(target)
    if target.is_dir():
        return f"{target} is a folder"
    kind = _special(target)
    if kind:
        return f"{target} is {kind}, not a file: give the path of the file to write"
    if target.exists() and not force:
        return f"{target} already exists; use --force to replace it"
    return ""


@contextmanager
def atomic_output(path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on failure it vanishes.
    Every failure to write is an `OutputError` with one sentence."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target} is a folder")
    if not_a_file(target):
        raise OutputError(not_a_file(target))
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; use --force to replace it")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent} is not a folder (create it first)")
    clean_stale(parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-{_HOST}~", suffix=target.suffix, dir=parent)
    except OSError as exc:
        raise OutputError(_sentence(target, exc)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(_sentence(target, exc)) from None
    finally:
        if tmp.exists():
            tmp.unlink()
