"""`xlcredits batch INPUT -o OUTDIR`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..numbers import grouped


def _fail(message: str, code: int) -> int:
    print(f"xlcredits: {message}", file=sys.stderr)
    return code


def _inside(folder: Path, other: Path) -> bool:
    a, b = folder.resolve(), other.resolve()
    return a == b or b in a.parents


def cmd_batch(args) -> int:
    from .run import FolderBusy, FolderLock, cases_from

    source, out_dir = Path(args.input), Path(args.output)
    if not source.exists():
        return _fail(f"{source}: no such file or folder", 2)
    if source.is_dir() and _inside(out_dir, source):
        return _fail(f"the output folder {out_dir} is {'the input folder' if out_dir.resolve() == source.resolve() else 'inside the input folder'} "
                     f"{source}: choose a folder outside it, so that no input is replaced and no output is read "
                     f"as an input next time", 2)
    try:
        cases, problems = cases_from(source)
    except ValueError as exc:  # an unreadable intake workbook: the reader says why
        return _fail(str(exc), 1)
    if out_dir.exists() and not out_dir.is_dir():
        return _fail(f"{out_dir} exists and is not a folder", 2)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"cannot create the folder {out_dir}: {exc.strerror or exc}", 2)
    try:
        with FolderLock(out_dir):
            return _run(args, source, out_dir, cases, problems)
    except FolderBusy as exc:
        return _fail(str(exc), 2)
    except OSError as exc:  # the lock cannot be created: a read-only or full destination
        return _fail(f"cannot write into {out_dir}: {exc.strerror or exc}", 2)


def _run(args, source, out_dir, cases, problems) -> int:
    from ..safefile import OutputError
    from .run import Progress, existing_outputs, resumable, run_batch
    from .summary import write_summary

    progress = Progress(out_dir)
    kept: list[dict] = []
    todo = cases
    if args.resume:
        done, planned = progress.done()
        todo, kept = resumable(cases, out_dir, done)
        ours = {f"{name}.xlsx" for name in set(done) | planned} | {"summary.xlsx", "summary.json"}
        clash = [n for n in existing_outputs(todo, out_dir) if n not in ours]
    else:
        clash = existing_outputs(cases, out_dir)
    if clash and not args.force:
        shown = ", ".join(clash[:5]) + (f" and {len(clash) - 5} more" if len(clash) > 5 else "")
        hint = "Use --force to replace them" + ("" if args.resume else ", or --resume to finish a batch that was "
                                                                        "stopped")
        return _fail(f"{out_dir} already holds {shown}; nothing was written. {hint}.", 1)
    jobs = _jobs(args, todo)
    if kept:
        print(f"  resuming: {len(kept)} return(s) already written from the same inputs are kept", file=sys.stderr)
    start = time.perf_counter()
    progress.start(kept, planned=[c.name for c in cases])
    records = run_batch(todo, out_dir, jobs, force=True, on_record=progress.add)
    order = {c.name: i for i, c in enumerate(cases)}
    records = sorted(kept + records, key=lambda r: order.get(r.get("file"), len(order)))
    try:
        summary = write_summary(records, problems, out_dir)
    except OutputError as exc:
        return _fail(f"{exc}; the workbooks written are listed in {progress.path.name}", 1)
    if all(r.get("output") for r in records):
        progress.path.unlink(missing_ok=True)  # complete: the summary says it all
    # else kept, so that --resume redoes only the returns that were not written
    failed = _report(records, problems, summary, jobs, time.perf_counter() - start, out_dir)
    return 1 if failed or problems else 0


def _jobs(args, todo) -> int:
    """Worker processes: --jobs, or one per core, never more than the cores or the inputs to compute."""
    from .run import default_jobs

    cores = default_jobs()
    wanted = args.jobs or cores
    jobs = max(1, min(wanted, cores, len(todo) or 1))
    if args.jobs and jobs < args.jobs:
        print(f"  --jobs {args.jobs} lowered to {jobs} ({len(todo)} input{'s' if len(todo) != 1 else ''} to "
              f"compute, {cores} core{'s' if cores != 1 else ''})", file=sys.stderr)
    return jobs


def _report(records: list[dict], problems: list[str], summary: dict, jobs: int, elapsed: float, out_dir) -> list:
    """The batch's one-line total on stdout, its problems and output-name notes on stderr; returns the
    names of the returns not computed."""
    totals = summary["totals"]
    failed = totals["not_computed"]
    written = totals["written"]
    print(f"{len(records)} returns in {elapsed:.1f} s ({jobs} job{'s' if jobs > 1 else ''}), {written} written: "
          f"Form 7207 line 8c total {grouped(totals['7207']['line_8c'], 2)}; "
          f"NJ-306 allowed total {grouped(totals['NJ-306']['allowed'], 2)}; "
          f"{totals['findings']['error']} errors, {totals['findings']['warning']} warnings"
          + (f"; not computed: {', '.join(failed[:5])}" + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
             if failed else "") + f". Summary: {out_dir / 'summary.xlsx'}")
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    for record in records:
        for finding in record.get("findings", []):
            if finding.get("where") == "(output name)":
                print(f"  NOTE     {finding['message']}", file=sys.stderr)
    return failed


def register(sub) -> None:
    p = sub.add_parser("batch", help="fill many inputs at once (a folder of JSON or an intake workbook)")
    p.add_argument("input", help="a folder of JSON inputs (Form 7207 and NJ-306 mixed) or an intake workbook")
    p.add_argument("-o", "--output", required=True, help="folder for the completed workbooks and the summary "
                                                         "(not the input folder, nor inside it)")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: the machine's cores; never more than the cores or the "
                        "inputs, and the batch says so when it lowers the number)")
    p.add_argument("--force", action="store_true", help="replace outputs that already exist")
    p.add_argument("--resume", action="store_true",
                   help="finish a stopped batch: keep the workbooks already written from the same inputs")
    p.set_defaults(run=cmd_batch)
