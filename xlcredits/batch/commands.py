"""`xlcredits batch INPUT -o OUTDIR`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..numbers import grouped


def cmd_batch(args) -> int:
    from .run import cases_from, default_jobs, existing_outputs, run_batch
    from .summary import write_summary

    source, out_dir = Path(args.input), Path(args.output)
    if not source.exists():
        print(f"xlcredits: {source}: no such file or folder", file=sys.stderr)
        return 2
    try:
        cases, problems = cases_from(source)
    except ValueError as exc:  # an unreadable intake workbook: the reader says why
        print(f"xlcredits: {exc}", file=sys.stderr)
        return 1
    if out_dir.exists() and not out_dir.is_dir():
        print(f"xlcredits: {out_dir} exists and is not a folder", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    clash = existing_outputs(cases, out_dir)
    if clash and not args.force:
        shown = ", ".join(clash[:5]) + (f" and {len(clash) - 5} more" if len(clash) > 5 else "")
        print(f"xlcredits: {out_dir} already holds {shown}; nothing was written. Use --force to replace them.",
              file=sys.stderr)
        return 1
    jobs = args.jobs or default_jobs()
    start = time.perf_counter()
    records = run_batch(cases, out_dir, jobs, force=True)
    summary = write_summary(records, problems, out_dir)
    elapsed = time.perf_counter() - start
    totals = summary["totals"]
    failed = totals["not_computed"]
    print(f"{len(records)} returns in {elapsed:.1f} s ({jobs} job{'s' if jobs > 1 else ''}): "
          f"Form 7207 line 8c total {grouped(totals['7207']['line_8c'], 2)}; "
          f"NJ-306 allowed total {grouped(totals['NJ-306']['allowed'], 2)}; "
          f"{totals['findings']['error']} errors, {totals['findings']['warning']} warnings"
          + (f"; not computed: {', '.join(failed[:5])}" if failed else "") + f". Summary: {out_dir / 'summary.xlsx'}")
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if failed or problems else 0


def register(sub) -> None:
    p = sub.add_parser("batch", help="fill many inputs at once (a folder of JSON or an intake workbook)")
    p.add_argument("input", help="a folder of JSON inputs (Form 7207 and NJ-306 mixed) or an intake workbook")
    p.add_argument("-o", "--output", required=True, help="folder for the completed workbooks and the summary")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: the machine's cores)")
    p.add_argument("--force", action="store_true", help="replace outputs that already exist")
    p.set_defaults(run=cmd_batch)
