"""One batch at a time per folder: `out_dir/.xlcredits.lock`, and the sentence a second batch gets."""

from __future__ import annotations

import os
from pathlib import Path

LOCK = ".xlcredits.lock"  # not ".xlcredits-…": safefile cleans those up as stale temporary files


class FolderBusy(Exception):
    """Another batch is writing into the folder: one sentence for the user."""


class FolderLock:
    """`out_dir/.xlcredits.lock`, created exclusively, holding this process's id and host. A lock
    whose process is gone (on this host) is taken over; any other is refused with a sentence."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK
        self.held = False

    def __enter__(self) -> "FolderLock":
        from ..safefile import _HOST, _alive

        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner and owner[1] == _HOST and not _alive(owner[0]):
                    self.path.unlink(missing_ok=True)  # its batch was killed: the lock is stale
                    continue
                who = f"process {owner[0]} on {owner[1]}" if owner else "another batch"
                raise FolderBusy(f"{self.path.parent} is in use by another batch ({who}): wait for it to finish, "
                                 f"or choose another folder (if that batch is gone, delete {self.path.name})") from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {_HOST}\n")
            self.held = True
            return self
        raise FolderBusy(f"{self.path.parent} is in use by another batch")

    def _owner(self) -> tuple[int, str] | None:
        try:
            pid, host = self.path.read_text(encoding="utf-8").split()[:2]
            return int(pid), host
        except (OSError, ValueError):
            return None

    def __exit__(self, *exc) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False
