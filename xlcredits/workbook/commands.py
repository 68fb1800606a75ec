"""`xlcredits build-templates | new | fill | extract | verify`: the workbook commands.

Exit codes: 0 ok; 1 input errors (a workbook with errors is still written, errors highlighted) or
verify differences; 2 usage (unknown form, unreadable file, existing output without --force)."""

from __future__ import annotations

import sys
from pathlib import Path


def _fail(message: str, code: int = 2) -> int:
    print(f"xlcredits: {message}", file=sys.stderr)
    return code


def cmd_build_templates(args) -> int:
    from .files import build_templates
    from .writer import WorkbookError

    try:
        written = build_templates(args.outdir, force=args.force)
    except WorkbookError as exc:
        return _fail(str(exc))
    except OSError as exc:  # the folder cannot be created (read-only disk, no such parent)
        return _fail(f"cannot create the folder {args.outdir}: {exc.strerror or exc}")
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_new(args) -> int:
    from .files import write_template
    from .writer import WorkbookError

    if args.form.strip().lower() == "batch":
        from ..batch.intake import write_blank_intake
        from ..safefile import OutputError

        try:
            write_blank_intake(Path(args.output), force=args.force)
        except OutputError as exc:
            return _fail(str(exc))
        print(f"wrote {args.output}: a blank batch intake (Form 7207 facilities with their products, vessels, "
              f"minerals and coal; NJ-306 returns with their carryforward, start-up history and credits)")
        return 0

    try:
        layout = write_template(args.form, args.output, tax_year=args.tax_year, force=args.force)
    except WorkbookError as exc:
        return _fail(str(exc))
    year = f", tax year {args.tax_year}" if args.tax_year else ""
    print(f"wrote {args.output}: blank Form {layout.form} (Rev. {layout.revision}{year})")
    return 0


def cmd_fill(args) -> int:
    from .files import fill_file
    from .filler import summary
    from .reader import macro_note
    from .writer import WorkbookError

    from ..messages import fill_problem_lines, refuse_output

    refused = refuse_output(args.output)
    if refused:
        return _fail(refused)
    try:
        layout, result = fill_file(args.input, args.output, force=args.force)
    except WorkbookError as exc:
        return _fail(str(exc))
    print(f"wrote {args.output}: {summary(result, layout)}")
    note = macro_note(args.input)
    if note:
        print(f"  NOTE     {note}")
    for text in fill_problem_lines(args.input, result):
        print(f"  {text}")
    if any(f.message.startswith("Nothing to compute") for f in result.findings):
        return 1
    if not result.computed:
        print("  The inputs have errors: they are highlighted in the workbook and the line cells are left blank.")
        return 1
    return 0


def cmd_extract(args) -> int:
    from ..jsonio import dumps
    from .files import load_source
    from .writer import WorkbookError

    if Path(args.workbook).suffix.lower() not in (".xlsx", ".xlsm"):
        return _fail(f"{args.workbook}: extract reads an .xlsx workbook")
    try:
        data = load_source(args.workbook)
    except WorkbookError as exc:
        return _fail(str(exc))
    text = dumps(data) + "\n"
    if args.output:
        from ..safefile import OutputError, atomic_output

        out = Path(args.output)
        if out.resolve() == Path(args.workbook).resolve():
            return _fail("the output must be a new file: the input is never modified")
        try:
            with atomic_output(out, force=args.force) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OutputError as exc:
            return _fail(str(exc))
    else:
        sys.stdout.write(text)
    return 0


def cmd_verify(args) -> int:
    from .verify import verify_workbook
    from .writer import WorkbookError

    try:
        report = verify_workbook(args.workbook)
    except WorkbookError as exc:
        return _fail(str(exc))
    if report.result is not None and not report.result.computed:
        from ..messages import fill_problem_lines

        print(f"{args.workbook}: the inputs have errors, so the lines cannot be checked:")
        for text in fill_problem_lines(args.workbook, report.result):
            print(f"  {text}")
    for line in report.lines():
        print(line)
    print(report.verdict())
    return 0 if report.ok else 1


def register(sub) -> None:
    p = sub.add_parser("build-templates", help="write the blank form templates (workbooks/*.xlsx)")
    p.add_argument("--outdir", default="workbooks", help="folder to write into (default: workbooks)")
    p.add_argument("--force", action="store_true", help="replace templates that already exist")
    p.set_defaults(run=cmd_build_templates)

    p = sub.add_parser("new", help="write a blank form workbook for a tax year's form revision")
    p.add_argument("form", help="7207, nj306, or batch (a blank intake workbook for `xlcredits batch`)")
    p.add_argument("--tax-year", type=int, metavar="YEAR", help="the tax year (picks the form revision)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="the workbook to write (.xlsx)")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.set_defaults(run=cmd_new)

    p = sub.add_parser("fill", help="write a completed workbook from a JSON input or a typed-in workbook")
    p.add_argument("input", help="INPUT.json, or a workbook (.xlsx) with the inputs typed in")
    p.add_argument("-o", "--output", required=True, metavar="OUT.xlsx",
                   help="the completed workbook to write (.xlsx; never the input itself)")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.set_defaults(run=cmd_fill)

    p = sub.add_parser("extract", help="print a workbook's inputs as JSON")
    p.add_argument("workbook", help="a form workbook (.xlsx)")
    p.add_argument("-o", "--output", metavar="FILE.json", help="write to a file instead of printing")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.set_defaults(run=cmd_extract)

    p = sub.add_parser("verify", help="recompute a workbook and report every line cell that differs")
    p.add_argument("workbook", help="a completed form workbook (.xlsx)")
    p.set_defaults(run=cmd_verify)
