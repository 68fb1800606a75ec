"""Many returns at once: one completed workbook per facility or return, a summary of them all.

Each case is computed and written in a worker process (`--jobs`); a bad case never stops the
batch — it is reported in the summary and in the exit status.
"""

from __future__ import annotations

import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..jsonio import InputError, load_path
from ..lines import Result


@dataclass
class Case:
    name: str  # the output file's stem
    source: str  # where the input came from (file, or intake sheet and facility)
    data: Any = None
    problem: str = ""  # why the case could not even be read
    rows: dict = field(default_factory=dict)  # intake: "components[2]" -> "Products row 9"


def safe_stem(text: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", text.strip(), flags=re.UNICODE).strip("._") or "case"
    return stem[:80]


def _unique(cases: list[Case]) -> list[Case]:
    """Two inputs whose names clean up alike must not write the same output file."""
    seen: dict[str, int] = {}
    for case in cases:
        key = case.name.lower()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            case.name = f"{case.name}-{seen[key]}"
    return cases


def cases_from(input_path: Path) -> tuple[list[Case], list[str]]:
    """The cases of a batch: every *.json in a folder, or every facility of an intake workbook."""
    cases, problems = _read_cases(input_path)
    return _unique(cases), problems


def _read_cases(input_path: Path) -> tuple[list[Case], list[str]]:
    if input_path.is_dir():
        cases = []
        for path in sorted(input_path.glob("*.json")):
            if path.name.endswith(".expected.json"):
                continue
            try:
                cases.append(Case(safe_stem(path.stem), path.name, load_path(path)))
            except InputError as exc:
                cases.append(Case(safe_stem(path.stem), path.name, problem=str(exc)))
        return cases, ([] if cases else [f"{input_path} holds no .json inputs."])
    if input_path.suffix.lower() in (".xlsx", ".xlsm"):
        from ..workbook.reader import open_workbook
        from .intake import read_intake

        workbook = open_workbook(input_path, data_only=True)
        intake, problems = read_intake(workbook)
        cases = [Case(safe_stem(c.name), f"{input_path.name}: {'facility' if c.data.get('form') == '7207' else 'return'} "
                      f"{c.name}", c.data, "; ".join(c.problems), c.rows) for c in intake]
        return cases, problems
    return [], [f"{input_path}: give a folder of JSON inputs or an intake workbook (.xlsx)."]


def _summary_of(case: Case, result: Result | None, output: str | None, problem: str = "") -> dict:
    record: dict = {"file": case.name, "source": case.source, "form": result.form if result else "",
                    "output": output, "status": "failed" if problem else "ok"}
    if result is not None:
        errors = result.findings.count("error")
        if not result.computed:
            record["status"] = "not computed"
        elif errors:
            record["status"] = "computed with errors"
        record["tax_year"] = result.tax_year
        record.update(_key_lines(case.data, result))
        from ..messages import place

        # each finding also says where it is as the preparer knows it (the intake's sheet and row)
        record["findings"] = [{**f.as_json(), "place": place(f.where, case.data, case.rows)} for f in result.findings]
    if problem:
        record["findings"] = [{"severity": "error", "where": "(input)", "message": problem}]
    return record


def _key_lines(data: Any, result: Result) -> dict:
    """What the summary shows of each form (the rows of Form 3800 Part III line 1b for 7207)."""
    data = data if isinstance(data, dict) else {}
    lines = result.lines
    if result.form == "7207":
        facility = data.get("facility") or {}
        filer = data.get("filer") or {}
        return {"filer": filer.get("name", ""), "tin": filer.get("tin", ""),
                "facility": facility.get("address") or facility.get("description") or "",
                "registration_number": facility.get("registration_number", ""),
                "line_8a": lines.get("8a"), "line_8c": lines.get("8c")}
    taxpayer = data.get("taxpayer") or {}
    allowed_key = next((k for k in ("36", "50", "43") if lines.get(k) is not None), None)
    carry_key = {"36": "37", "50": "51", "43": "44"}.get(allowed_key or "", "")
    return {"taxpayer": taxpayer.get("name", ""), "fein": taxpayer.get("fein", ""),
            "line_28": lines.get("28"), "line_30": lines.get("30"),
            "allowed": lines.get(allowed_key) if allowed_key else None, "allowed_line": allowed_key,
            "carryover": lines.get(carry_key) if carry_key else None}


def process(case: Case, out_dir: str, force: bool) -> dict:
    """Compute one case and write its completed workbook (runs in a worker process)."""
    from ..workbook.files import fill_data_to_file  # imported in the worker
    from ..forms import compute

    if case.problem and case.data is None:
        return _summary_of(case, None, None, case.problem)
    try:
        output = Path(out_dir) / f"{case.name}.xlsx"
        result = fill_data_to_file(case.data, output, force=force)
        return _summary_of(case, result, output.name, case.problem)
    except Exception as exc:  # one bad case must not stop the batch; the summary says what happened
        result = None
        try:
            result = compute(case.data)
        except Exception:
            pass
        return _summary_of(case, result, None, f"{type(exc).__name__}: {exc}")


def _progress(total: int) -> Callable[[int], None]:
    if not sys.stderr.isatty() or total == 0:
        return lambda done: None
    start = time.perf_counter()

    def show(done: int) -> None:
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.perf_counter() - start, 1e-9)
        sys.stderr.write(f"\r[{'=' * filled}{' ' * (width - filled)}] {done}/{total}  {rate:5.1f}/s")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def run_batch(cases: list[Case], out_dir: Path, jobs: int, force: bool) -> list[dict]:
    show = _progress(len(cases))
    results: list[dict] = []
    if jobs <= 1 or len(cases) <= 1:
        for case in cases:
            results.append(process(case, str(out_dir), force))
            show(len(results))
        return results
    chunk = max(1, len(cases) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for record in pool.map(process, cases, [str(out_dir)] * len(cases), [force] * len(cases), chunksize=chunk):
            results.append(record)
            show(len(results))
    return results


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def existing_outputs(cases: Iterable[Case], out_dir: Path) -> list[str]:
    names = [f"{c.name}.xlsx" for c in cases] + ["summary.xlsx", "summary.json"]
    return [n for n in names if (out_dir / n).exists()]
