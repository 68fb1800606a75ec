"""Many returns at once: one completed workbook per facility or return, a summary of them all.

Each case is computed and written in a worker process (`--jobs`); a bad case never stops the
batch — any failure, even a worker killed outright, becomes that input's finding, and the summary
and exit status say so. Output names are unique (a collision gets a suffix and a note), never a
reserved name such as `summary`; a lock file keeps a second batch out of the folder; a progress
log lets `--resume` skip the inputs whose workbook is already written from the same input.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .. import __version__, terminal
from ..jsonio import InputError, dumps, load_path
from ..lines import Result
from ..safefile import clean_stale
from .intake import duplicate_ids  # noqa: F401  (intake readers' helper, importable from here too)
from .lock import LOCK, FolderBusy, FolderLock  # noqa: F401  (the batch command imports them from here)
from .progress import PROGRESS, Progress, resumable  # noqa: F401

# Names the batch writes itself, and names Windows cannot give a file.
RESERVED = {"summary"} | {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | \
    {f"lpt{i}" for i in range(1, 10)}


@dataclass
class Case:
    name: str  # the output file's stem
    source: str  # where the input came from (file, or intake sheet and facility)
    data: Any = None
    problem: str = ""  # why the case could not even be read
    notes: list[str] = field(default_factory=list)  # e.g. why its output name has a suffix
    fingerprint: str = ""  # of the input and the program: --resume reuses an output only if it matches
    rows: dict = field(default_factory=dict)  # intake: "components[2]" -> "Products row 9"


def safe_stem(text: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", text.strip(), flags=re.UNICODE).strip("._") or "case"
    stem = stem.encode("utf-8", "replace").decode("utf-8")[:80]  # a lone surrogate is no file name
    return stem


def _unique(cases: list[Case]) -> list[Case]:
    """Two inputs whose names clean up alike ("a b.json", "a_b.json") must not write the same
    file, nor may an input take a name the batch writes itself ("summary"): the later one gets
    the first free suffix (-2, -3 …, checked against every name, "a_b-2.json" included) and a note."""
    taken = {c.name.lower() for c in cases}  # names as given, so a suffix never takes another's name
    used: set[str] = set()
    for case in cases:
        wanted = case.name
        if wanted.lower() not in used and wanted.lower() not in RESERVED:
            used.add(wanted.lower())
            continue
        n = 2
        while (f"{wanted}-{n}".lower() in used or f"{wanted}-{n}".lower() in taken):
            n += 1
        case.name = f"{wanted}-{n}"
        used.add(case.name.lower())
        why = (f"{wanted}.xlsx is a name the batch keeps for itself" if wanted.lower() in RESERVED
               else f"{wanted}.xlsx is the output of another input")
        case.notes.append(f"{case.source} is written as {case.name}.xlsx: {why}")
    return cases


def fingerprint(data: Any) -> str:
    text = dumps(data) if data is not None else ""
    return hashlib.sha256(f"xlcredits {__version__}\n{text}".encode("utf-8", "replace")).hexdigest()[:32]


def cases_from(input_path: Path) -> tuple[list[Case], list[str]]:
    """The cases of a batch: every *.json in a folder, or every facility of an intake workbook."""
    cases, problems = _read_cases(input_path)
    for case in cases:
        case.fingerprint = fingerprint(case.data) if case.data is not None and not case.problem else ""
    return _unique(cases), problems


def _read_cases(input_path: Path) -> tuple[list[Case], list[str]]:
    if input_path.is_dir():
        cases = []
        for path in sorted(input_path.glob("*.json")):
            if path.name.endswith(".expected.json"):
                continue
            name = _shown(path.name)  # a name that is not UTF-8 keeps its bytes as \udcff
            try:
                cases.append(Case(safe_stem(path.stem), name, load_path(path)))
            except InputError as exc:
                cases.append(Case(safe_stem(path.stem), name, problem=_shown(str(exc))))
            except Exception as exc:  # one unreadable file is that file's finding, never the batch's end
                cases.append(Case(safe_stem(path.stem), name,
                                  problem=_shown(f"{path.name} could not be read ({type(exc).__name__}: {exc})")))
        return cases, ([] if cases else [f"{input_path} holds no .json inputs."])
    if input_path.suffix.lower() in (".xlsx", ".xlsm"):
        from ..workbook.reader import open_workbook
        from .intake import read_intake

        workbook = open_workbook(input_path, data_only=True)
        intake, problems = read_intake(workbook)
        cases = [Case(safe_stem(c.name), f"{input_path.name}: {'facility' if c.form == '7207' else 'return'} {c.name}",
                      c.data, problem="; ".join(c.problems), rows=c.rows) for c in intake]
        return cases, problems
    return [], [f"{input_path}: give a folder of JSON inputs or an intake workbook (.xlsx)."]


def _shown(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


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
                # the Form 3800 amount: line 8c for estates and trusts, line 8a (8c blank) for others
                "line_8a": lines.get("8a"), "line_8c": lines["8c"] if lines.get("8c") is not None else lines.get("8a")}
    taxpayer = data.get("taxpayer") or {}
    allowed_key = next((k for k in ("36", "50", "43") if lines.get(k) is not None), None)
    carry_key = {"36": "37", "50": "51", "43": "44"}.get(allowed_key or "", "")
    return {"taxpayer": taxpayer.get("name", ""), "fein": taxpayer.get("fein", ""),
            "line_28": lines.get("28"), "line_30": lines.get("30"),
            "allowed": lines.get(allowed_key) if allowed_key else None, "allowed_line": allowed_key,
            "carryover": lines.get(carry_key) if carry_key else None}


def process(case: Case, out_dir: str, force: bool) -> dict:
    """Compute one case and write its completed workbook (runs in a worker process). Whatever
    goes wrong becomes this case's finding, naming its file."""
    from ..forms import compute
    from ..workbook.files import fill_data_to_file  # imported in the worker
    from ..gcpause import gc_paused

    if case.problem and case.data is None:
        return _with_notes(case, _summary_of(case, None, None, case.problem))
    try:
        output = Path(out_dir) / f"{case.name}.xlsx"
        result = gc_paused(fill_data_to_file)(case.data, output, force=force)  # the compute too
        return _with_notes(case, _summary_of(case, result, output.name, case.problem))
    except Exception as exc:  # one bad case must not stop the batch; the summary says what happened
        result = None
        try:
            result = compute(case.data)
        except Exception:
            pass
        why = str(exc) if type(exc).__name__ in ("WorkbookError", "OutputError") else f"{type(exc).__name__}: {exc}"
        return _with_notes(case, _summary_of(case, result, None, f"{case.source}: nothing was written: {why}"))


def _with_notes(case: Case, record: dict) -> dict:
    record["fingerprint"] = case.fingerprint
    for note in case.notes:
        record.setdefault("findings", []).append({"severity": "note", "where": "(output name)", "message": note})
    return record


def _stopped(case: Case, exitcode: int | None, out_dir: str) -> dict:
    how = (f"was stopped by signal {-exitcode}" if exitcode is not None and exitcode < 0 else
           f"ended with status {exitcode}" if exitcode else "stopped")
    after = (f" after it wrote {case.name}.xlsx, before reporting on it (the workbook is not in the totals; "
             f"--resume redoes it)" if (Path(out_dir) / f"{case.name}.xlsx").exists() else "; nothing was written for it")
    problem = f"{case.source}: the worker process computing it {how} (killed, or out of memory){after}"
    return _with_notes(case, _summary_of(case, None, None, problem))


def _progress(total: int) -> Callable[[int], None]:
    if not sys.stderr.isatty() or total == 0:
        return lambda done: None
    start = time.perf_counter()

    def show(done: int) -> None:
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.perf_counter() - start, 1e-9)
        terminal.raw(sys.stderr).write(f"\r[{'=' * filled}{' ' * (width - filled)}] {done}/{total}  {rate:5.1f}/s")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def run_batch(cases: list[Case], out_dir: Path, jobs: int, force: bool,
              on_record: Callable[[dict], None] = lambda record: None) -> list[dict]:
    """Process every case; records come back in the cases' order. `on_record` is called in this
    process as each one finishes (the progress log)."""
    show = _progress(len(cases))
    results: list[dict | None] = [None] * len(cases)
    if jobs <= 1 or len(cases) <= 1:
        for i, case in enumerate(cases):
            results[i] = process(case, str(out_dir), force)
            if i == 0:
                settle()
            on_record(results[i])
            show(i + 1)
        return [r for r in results if r is not None]
    from .pool import Pool  # imported here: the pool's workers import this module

    settle()  # before the workers fork: their collections then leave the batch's objects (and pages) alone
    pool = Pool(min(jobs, len(cases)), str(out_dir), force)
    try:
        done = 0
        for index, record in pool.run(cases):
            results[index] = record
            on_record(record)
            done += 1
            show(done)
    finally:
        pool.close()
        # A worker stopped mid-write (a second signal while it unwound, or terminated after the
        # grace period) cannot remove its own temporary file; once the workers are gone, do it.
        clean_stale(Path(out_dir))
    return [r for r in results if r is not None]


def settle() -> None:
    """After a process's first case, and in the batch process before its workers fork: the modules,
    layouts, templates and inputs loaded so far live as long as the process, so the cycle collector
    need not walk them again after every case (gc.freeze; about a tenth of a batch's time
    otherwise), nor touch the pages a forked worker shares with its parent."""
    import gc

    gc.collect()
    gc.freeze()


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def existing_outputs(cases: Iterable[Case], out_dir: Path) -> list[str]:
    names = [f"{c.name}.xlsx" for c in cases] + ["summary.xlsx", "summary.json"]
    return [n for n in names if (out_dir / n).exists()]
