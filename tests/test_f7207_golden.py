"""Golden outputs: optimising the engine must not change one character a reader can see.

For 300 random Form 7207 inputs (tests/f7207_golden_inputs.py), two bench-sized returns and the
bundled examples, the JSON output, every explanation, every row's columns and notes and every
value are hashed; the hashes were recorded on the engine before the performance work of issue 17.
If a change to the law or to a message changes them on purpose, record them again with
`python tests/test_f7207_golden.py --record` and say why in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from f7207_golden_inputs import every_input, snapshot  # noqa: E402

RECORDED = Path(__file__).resolve().parent / "f7207_golden.json"


def _digests() -> list[str]:
    return [hashlib.sha256(snapshot(data).encode("utf-8")).hexdigest()[:16] for data in every_input()]


def test_outputs_unchanged_to_the_character():
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    now = _digests()
    changed = [i for i, (a, b) in enumerate(zip(recorded, now)) if a != b]
    assert len(now) == len(recorded)
    assert not changed, f"inputs whose output changed (index in every_input()): {changed[:20]}"


if __name__ == "__main__" and "--record" in sys.argv:
    RECORDED.write_text(json.dumps(_digests(), indent=0) + "\n", encoding="utf-8")
