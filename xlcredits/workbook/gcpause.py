"""Python's cycle collector paused while a workbook is planned or written.

A fill makes hundreds of thousands of short-lived objects (cells, XML pieces, XlsxWriter's cell
records) that reference counting frees; none of them form cycles that must be found during the
fill. With the collector running, each burst of allocations triggers collections that walk every
live object, the templates and layouts included: a tenth of a fill's time or more. Paused, the collector
catches up at its next threshold after the fill (`gc.enable` loses nothing: it only resumes
counting). Nested pauses leave the collector as the outermost found it."""

from __future__ import annotations

import functools
import gc


def gc_paused(fn):
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused
