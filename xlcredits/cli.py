"""The `xlcredits` command.

Exit codes (the same for every command, also in the README and `xlcredits --help`):
  0  done (a computed form may still list warnings, and errors that zero a credit)
  1  the input cannot be computed (its problems are listed), nothing to compute, or
     `verify` found cells that differ
  2  the command itself cannot run: unknown form or option, unreadable or missing file, an
     output that exists without --force, a command that needs Windows
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .jsonio import InputError, dumps, load_path
from .lines import Findings, Result

EXIT_CODES = """exit codes:
  0  done (a computed form may still list warnings)
  1  the input cannot be computed (each problem is listed with its place), nothing to
     compute, or verify found cells that differ
  2  the command cannot run: unknown form or option, missing or unreadable file, an output
     that exists without --force, a command that needs Windows"""

# Commands for the people who build xlcredits itself, shown by --help-all only.
DEVELOPER_COMMANDS = ("build-templates", "build-addin")


def _unreadable(path: str, message: str) -> Result:
    findings = Findings()
    findings.error(path, message.removeprefix(f"{path}: "), blocking=True)
    return Result("", "", None, findings=findings)


def empty_input(result: Result) -> bool:
    from .messages import NOTHING

    return any(f.message.startswith(NOTHING) for f in result.findings)


def cmd_compute(args) -> int:
    from .forms import compute
    from .messages import render
    from .report import as_text

    data = None
    try:
        data = load_path(args.input)
        result = compute(data)
    except InputError as exc:
        result = _unreadable(args.input, str(exc))
    if args.format == "text":
        sys.stdout.write(as_text(result, all_lines=args.all, render=lambda f: render(f, data)))
    else:
        from .messages import place

        payload = result.to_json()
        payload.pop("values", None)
        # each finding also names its place as a person reads it: the row number (from 1) and description
        payload["findings"] = [{**f, "place": place(f["where"], data)} for f in payload.get("findings", [])]
        sys.stdout.write(dumps(payload) + "\n")
    return 0 if result.computed and not empty_input(result) else 1


def schema_of(info) -> dict:
    from .schema import json_schema

    return json_schema(info)


def cmd_schema(args) -> int:
    from .forms import by_slug, registry

    info = by_slug(args.form)
    if info is None:
        known = ", ".join(f.slug for f in registry().values())
        print(f"xlcredits: unknown form {args.form!r}; known: {known}", file=sys.stderr)
        return 2
    print(json.dumps(schema_of(info), indent=2, ensure_ascii=False))
    return 0


def cmd_example(args) -> int:
    from .examples import copy_examples, example_names, example_text

    if args.name:
        text = example_text(args.name)
        if text is None:
            print(f"xlcredits: no bundled example {args.name!r}; the examples are: {', '.join(example_names())}",
                  file=sys.stderr)
            return 2
        sys.stdout.write(text)
        return 0
    if args.output:
        try:
            written = copy_examples(args.output, force=args.force)
        except FileExistsError as exc:
            print(f"xlcredits: {exc}", file=sys.stderr)
            return 2
        for path in written:
            print(f"wrote {path}")
        return 0
    print("The bundled examples (print one with `xlcredits example NAME`, copy all with "
          "`xlcredits example -o FOLDER`):")
    for name in example_names():
        print(f"  {name}")
    return 0


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's lines and shows each option's default (when it has a meaningful one)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" not in text and action.default not in (None, False, argparse.SUPPRESS) \
                and action.option_strings and not isinstance(action.default, bool):
            text += " (default: %(default)s)"
        return text


def build_parser(show_all: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlcredits", formatter_class=_Formatter,
        description="Prepare IRS Form 7207 (§45X advanced manufacturing production credit) and NJ Form 306 "
                    "(R&D tax credit) from JSON inputs or Excel workbooks.",
        epilog=EXIT_CODES + ("" if show_all else "\n\n--help-all also lists the developer commands "
                                                 f"({', '.join(DEVELOPER_COMMANDS)})."))
    parser.add_argument("--version", action="version", version=f"xlcredits {__version__}")
    parser.add_argument("--help-all", action="store_true", help="list the developer commands too, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    sub.add_parser = _adder(sub.add_parser, show_all)  # the extensions register through this too
    add = sub.add_parser

    p = add("compute", help="compute a form from a JSON input and print every line")
    p.add_argument("input", metavar="INPUT.json", help="the form's input (see `xlcredits schema` and `xlcredits example`)")
    p.add_argument("--format", choices=("json", "text"), default="json",
                   help="json: every line, explanation and finding as one JSON object; text: the form as a table")
    p.add_argument("--all", action="store_true", help="text format: also show the lines without amounts")
    p.set_defaults(run=cmd_compute)

    p = add("schema", help="print the JSON Schema of a form's input (every field described)")
    p.add_argument("form", help="which form: 7207 or nj306")
    p.set_defaults(run=cmd_schema)

    p = add("example", help="list, print or copy the bundled example inputs")
    p.add_argument("name", nargs="?", help="print this example (e.g. form7207_acme_2025.json)")
    p.add_argument("-o", "--output", metavar="FOLDER", help="copy every example into this folder")
    p.add_argument("--force", action="store_true", help="replace files that already exist in FOLDER")
    p.set_defaults(run=cmd_example)

    for register in _extensions():
        register(sub)
    return parser


def _adder(add_parser, show_all: bool):
    """Every sub-command gets the defaults-and-exit-codes help; developer commands are hidden
    from the command list unless --help-all."""
    def add(name, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("epilog", EXIT_CODES)
        if "help" in kwargs:
            kwargs.setdefault("description", kwargs["help"])
        if name in DEVELOPER_COMMANDS and not show_all:
            kwargs.pop("help", None)
            parser = add_parser(name, **kwargs)
            _hide(add_parser, name)
            return parser
        if name in DEVELOPER_COMMANDS:
            kwargs["help"] = "(developers) " + kwargs.get("help", "")
        return add_parser(name, **kwargs)
    return add


def _hide(add_parser, name: str) -> None:
    subparsers = add_parser.__self__
    subparsers._choices_actions = [a for a in subparsers._choices_actions if a.dest != name]


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
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--help-all" in argv:
        build_parser(show_all=True).print_help()
        return 0
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 2
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 2
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
