"""`xlcredits build-addin` and `xlcredits excel-setup` (registered by xlcredits.cli)."""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_build_addin(args) -> int:
    from .build import build, python_command, read_vba, ribbon_callbacks

    try:
        path = build(Path(args.output) if args.output else _default_output(), Path(args.template) if args.template else None)
    except (OSError, ValueError) as exc:
        print(f"xlcredits: cannot build the add-in: {exc}", file=sys.stderr)
        return 1
    callbacks = ", ".join(sorted(ribbon_callbacks(read_vba(path))))
    print(f"Built {path}\n  ribbon tab 'Tax Credits', button 'Compute form' -> VBA {callbacks}\n"
          f"  which runs: {python_command(path.name)}")
    return 0


def _default_output() -> Path:
    """The repository's workbooks/ folder in a source checkout; the current folder from a wheel
    (never site-packages)."""
    from .build import default_output

    path = default_output()
    return path if path.parent.is_dir() and (path.parents[1] / "pyproject.toml").is_file() else Path("xlcredits.xlam")


def cmd_excel_setup(args) -> int:
    from . import setup

    steps = setup.plan(interpreter=args.interpreter, xlwings_addin=not args.no_xlwings_addin,
                       import_udfs=not args.no_import_udfs)
    if args.dry_run or not setup.is_windows():
        print(setup.describe(steps, dry_run=True), end="")
        if not setup.is_windows() and not args.dry_run:
            print("xlcredits: excel-setup needs Windows with desktop Excel: nothing was changed. Run it in "
                  "Command Prompt on the Windows PC that has Excel.", file=sys.stderr)
            return 2
        return 0
    problems = setup.run(steps)
    if not problems:
        print("Excel is set up: restart Excel; the 'Tax Credits' tab and =CREDIT_45X(...) are ready.")
    return 1 if problems else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("build-addin", help="build the ribbon add-in xlcredits.xlam from xlwings' template")
    p.add_argument("-o", "--output", help="where to write it (default: workbooks/xlcredits.xlam in a source "
                                          "checkout, else xlcredits.xlam in the current folder); the file name "
                                          "must be xlcredits.xlam for the button to run 'import xlcredits'")
    p.add_argument("--template", help="xlwings' quickstart_addin_ribbon.xlam (default: the installed xlwings')")
    p.set_defaults(run=cmd_build_addin)

    p = subparsers.add_parser("excel-setup", help="install the add-ins and write the xlwings settings (Windows)")
    p.add_argument("--dry-run", action="store_true", help="print what would be done and change nothing")
    p.add_argument("--interpreter", help="python.exe for Excel to run (default: the one running this command)")
    p.add_argument("--no-xlwings-addin", action="store_true", help="do not install xlwings' own add-in")
    p.add_argument("--no-import-udfs", action="store_true",
                   help="do not import the worksheet functions into the add-in (needs Excel's VBA trust setting)")
    p.set_defaults(run=cmd_excel_setup)
