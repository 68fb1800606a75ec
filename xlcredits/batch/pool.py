"""The worker processes of a batch (`--jobs`): each case in a worker that may die without
stopping the batch, and workers that end when the batch process does."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque

from .run import Case, _stopped, _summary_of, process, settle


class Pool:
    """Worker processes fed one case at a time over a pipe. Unlike a ProcessPoolExecutor, a worker
    that dies (killed, out of memory) costs only the case it held: that case is marked failed, a
    new worker takes its place and the batch goes on. Workers end when the parent does."""

    def __init__(self, size: int, out_dir: str, force: bool):
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.size, self.out_dir, self.force = size, out_dir, force
        self.workers: list[list] = []  # [process, connection, index of the case it holds or None]

    def _start(self) -> list:
        parent_end, child_end = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child_end, self.out_dir, self.force, os.getpid()), daemon=True)
        proc.start()
        child_end.close()
        worker = [proc, parent_end, None]
        self.workers.append(worker)
        return worker

    def run(self, cases: list[Case]):
        from multiprocessing.connection import wait

        pending = deque(range(len(cases)))
        for _ in range(self.size):
            self._start()
        while True:
            for worker in list(self.workers):
                if worker[2] is None and pending:
                    index = pending.popleft()
                    try:
                        worker[1].send((index, cases[index]))
                        worker[2] = index
                    except (OSError, EOFError):  # died while idle: its replacement takes the case
                        pending.appendleft(index)
                        self._retire(worker)
                        self._start()
            busy = [w for w in self.workers if w[2] is not None]
            if not busy:
                return
            ready = wait([w[1] for w in busy] + [w[0].sentinel for w in busy])
            for worker in busy:
                proc, conn, index = worker
                if conn not in ready and proc.sentinel not in ready:
                    continue
                record = None
                try:
                    if conn.poll():
                        _, record = conn.recv()
                except (EOFError, OSError):
                    record = None
                if record is not None:
                    worker[2] = None
                    yield index, record
                elif not proc.is_alive():
                    proc.join()
                    self._retire(worker)
                    yield index, _stopped(cases[index], proc.exitcode, self.out_dir)
                    if pending:
                        self._start()

    def _retire(self, worker: list) -> None:
        worker[1].close()
        if worker in self.workers:
            self.workers.remove(worker)

    def close(self) -> None:
        for proc, conn, _ in self.workers:
            try:
                conn.send(None)
            except (OSError, EOFError):
                pass
            conn.close()
        for proc, _, _ in self.workers:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self.workers = []


def _worker(conn, out_dir: str, force: bool, parent: int) -> None:
    _die_with_parent(parent)
    try:
        _serve(conn, out_dir, force)
    except (KeyboardInterrupt, SystemExit):  # Ctrl+C reaches the whole process group; SIGTERM
        return  # stopped quietly: the case's temporary file was removed on the way out


def _serve(conn, out_dir: str, force: bool) -> None:
    served = 0
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):  # the parent is gone (or closed the pipe): stop
            return
        if item is None:
            return
        index, case = item
        try:
            record = process(case, out_dir, force)
        except Exception as exc:  # process() catches everything already; this is the last line
            record = _summary_of(case, None, None, f"{case.source}: {type(exc).__name__}: {exc}")
        served += 1
        if served == 1:
            settle()
        try:
            conn.send((index, record))
        except (OSError, EOFError):
            return


def _die_with_parent(parent: int) -> None:
    """End this worker when the batch process dies, even by SIGKILL: on Linux the kernel sends
    SIGTERM (prctl PR_SET_PDEATHSIG); everywhere a watchdog thread checks the parent every second."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="xlcredits-parent-watchdog").start()
