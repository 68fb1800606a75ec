"""Python's cycle collector paused while a return is computed, a workbook is planned or written, or a
workbook is read and checked.

Each of those makes hundreds of thousands of objects (rows, values, cells, XML pieces) that reference
counting frees or that stay alive to the end; none of them form cycles that must be found meanwhile.
With the collector running, each burst of allocations triggers collections that walk every live
object again and again: measured, a third of `compute` at 100,000 rows, a fifth of `verify` and a
tenth of a `fill`. Paused, the collector catches up at its next threshold afterwards (`gc.enable`
loses nothing: it only resumes counting). Nested pauses leave the collector as the outermost found
it, however the work ends."""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def gc_paused(fn):
    """`fn` run with the collector paused (`collector_paused`)."""
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        with collector_paused():
            return fn(*args, **kwargs)

    return paused
