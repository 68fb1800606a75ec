"""The `xlcredits` command."""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .jsonio import InputError, dumps, load_path
from .lines import Findings, Result


def _unreadable(path: str, message: str) -> Result:
    findings = Findings()
    findings.error("(input)", f"{path}: {message}", blocking=True)
    return Result("", "", None, findings=findings)


def cmd_compute(args) -> int:
    from .forms import compute
    from .report import as_text

    try:
        result = compute(load_path(args.input))
    except InputError as exc:
        result = _unreadable(args.input, str(exc))
    if args.format == "text":
        sys.stdout.write(as_text(result, all_lines=args.all))
    else:
        payload = result.to_json()
        payload.pop("values", None)
        sys.stdout.write(dumps(payload) + "\n")
    return 0 if result.computed else 1


def cmd_schema(args) -> int:
    from .forms import by_slug, registry

    info = by_slug(args.form)
    if info is None:
        known = ", ".join(f.slug for f in registry().values())
        print(f"xlcredits: unknown form {args.form!r}; known: {known}", file=sys.stderr)
        return 2
    print(json.dumps(info.model.model_json_schema(), indent=2, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xlcredits", description="Prepare IRS Form 7207 and NJ Form 306.")
    parser.add_argument("--version", action="version", version=f"xlcredits {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("compute", help="compute a form from a JSON input and print every line")
    p.add_argument("input", help="the input JSON file")
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.add_argument("--all", action="store_true", help="text format: show lines without amounts too")
    p.set_defaults(run=cmd_compute)

    p = sub.add_parser("schema", help="print the JSON Schema of a form's input")
    p.add_argument("form", help="7207 or nj306")
    p.set_defaults(run=cmd_schema)

    for register in _extensions():
        register(sub)
    return parser


def _extensions():
    """Sub-commands that live beside their adapters (workbook, add-in, batch), if present."""
    found = []
    for module in ("xlcredits.workbook.commands", "xlcredits.addin.commands", "xlcredits.batch.commands",
                   "xlcredits.review.commands"):
        try:
            found.append(__import__(module, fromlist=["register"]).register)
        except ImportError as exc:
            if exc.name and not module.startswith(exc.name):
                raise
    return found


def main(argv=None) -> int:
    from .safefile import exit_on_terminate
    from .terminal import install

    install()  # every line printed from here on has control characters and escapes escaped
    exit_on_terminate()  # SIGTERM unwinds like Ctrl+C, so temporary files are removed
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("xlcredits: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        if exc.code == 143:
            print("xlcredits: terminated", file=sys.stderr)
        raise
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
