"""`xlcredits build-addin` and `xlcredits excel-setup` (registered by xlcredits.cli)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def cmd_build_addin(args) -> int:
    from ..safefile import refuse_replacing
    from .build import ALL_BUTTONS, build, read_vba, ribbon_callbacks

    output = Path(args.output) if args.output else _default_output()
    refused = refuse_replacing(output, args.force)
    if refused:
        print(f"xlcredits: {refused}", file=sys.stderr)
        return 2
    try:
        path = build(output, Path(args.template) if args.template else None)
    except (OSError, ValueError) as exc:
        why = f"{exc.strerror} ({exc.filename})" if isinstance(exc, OSError) and exc.strerror else exc
        print(f"xlcredits: cannot build the add-in: {why}", file=sys.stderr)
        return 1
    modules = read_vba(path)
    functions = modules["xlwings_udfs"].count("XLPy.CallUDF(") // 2
    print(f"Built {path}\n  VBA modules: {', '.join(modules)}\n"
          f"  ribbon tab 'Tax Credits': {', '.join(b.label for b in ALL_BUTTONS)} -> "
          f"{', '.join(sorted(ribbon_callbacks(modules)))}\n  worksheet functions inside: {functions}")
    return 0


def _default_output() -> Path:
    """The repository's workbooks/ folder in a source checkout; the current folder from a wheel
    (never site-packages)."""
    from .build import default_output

    path = default_output()
    return path if path.parent.is_dir() and (path.parents[1] / "pyproject.toml").is_file() else Path("xlcredits.xlam")


def cmd_excel_setup(args) -> int:
    from . import setup

    windows = setup.is_windows()
    steps = setup.plan(interpreter=args.interpreter)
    if args.dry_run:
        print(setup.describe(steps, windows=windows), end="")
        try:
            with tempfile.TemporaryDirectory() as folder:
                built = setup.build_addin(Path(folder))
                print(f"The add-in builds: {built.name}, {built.stat().st_size:,} bytes.")
        except (OSError, ValueError) as exc:
            print(f"FAILED: the add-in does not build: {exc}")
            return 1
        return 0
    if not windows:
        print(f"xlcredits: excel-setup needs Windows: it sets up Excel on Windows; this machine is {sys.platform}. "
              f"Nothing was changed.\n"
              f"Run `py -m xlcredits excel-setup` on the Windows PC that has Excel "
              f"(or `--dry-run` here to see what it would do).", file=sys.stderr)
        return setup.NOT_WINDOWS
    problems = setup.run(steps)
    if problems:
        print(f"\nExcel is NOT set up: {len(problems)} step(s) FAILED (see above).")
        return 1
    print("\nExcel is set up: restart Excel. The 'Tax Credits' tab and =CREDIT_45X(...) are in every workbook.")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("build-addin", help="build the ribbon add-in xlcredits.xlam (worksheet functions inside)")
    p.add_argument("-o", "--output", help="where to write it (default: workbooks/xlcredits.xlam in a source "
                                          "checkout, else xlcredits.xlam in the current folder); the file must be "
                                          "named xlcredits.xlam")
    p.add_argument("--template", help="xlwings' quickstart_addin_ribbon.xlam (default: the installed xlwings')")
    p.add_argument("--force", action="store_true", help="replace the add-in if it exists")
    p.set_defaults(run=cmd_build_addin)

    p = subparsers.add_parser("excel-setup", help="install the add-in for Excel on this Windows PC "
                                                  "(run as: py -m xlcredits excel-setup)")
    p.add_argument("--dry-run", action="store_true", help="show what would change (old -> new) and change nothing")
    p.add_argument("--interpreter", help="python.exe for Excel to run (default: the one running this command)")
    p.set_defaults(run=cmd_excel_setup)
