"""Text from an input (a description, a name, a file name) reaches the terminal only escaped: a
control character or an escape sequence in it could clear the screen, move the cursor over an
ERROR prefix, or change the window title. `escape` is the one function that makes text safe to
print; `install` wraps stdout and stderr so that every line the CLI prints goes through it."""

from __future__ import annotations

import re
import sys

# C0 controls except tab and newline, DEL, C1 controls (U+0080-U+009F, 0x9B is a one-byte CSI),
# the bidirectional overrides that can make text read differently from what it is, and lone
# surrogates (a file name that is not UTF-8), which no terminal encoding can print.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def escape(text: str) -> str:
    """`text` with every unsafe character shown as \\uXXXX (as JSON writes it, so JSON stays valid)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _Escaping:
    """A text stream that escapes what is written to it; `raw` is the stream underneath (the
    progress bar's carriage return goes there)."""

    def __init__(self, stream):
        self.raw = stream

    def write(self, text: str) -> int:
        self.raw.write(escape(text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def install() -> None:
    """Escape everything printed to stdout and stderr from now on (idempotent)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _Escaping):
            setattr(sys, name, _Escaping(stream))


def raw(stream):
    """The stream under an escaping wrapper (for the caller's own control characters)."""
    return getattr(stream, "raw", stream) if isinstance(stream, _Escaping) else stream
