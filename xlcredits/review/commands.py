"""`xlcredits diff | send | rollover`: the preparer–reviewer loop.

Exit codes: diff 0 same, 1 different, 2 a file could not be read or compared; send and rollover 0
done, 1 refused (one sentence on stderr, nothing half-written)."""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation


def _fail(message: str, code: int) -> int:
    print(f"xlcredits: {message}", file=sys.stderr)
    return code


def cmd_diff(args) -> int:
    from ..jsonio import dumps
    from .diff import Mismatch, as_json, as_text, compare
    from .sources import SourceError, load

    try:
        d = compare(load(args.old), load(args.new))
    except (SourceError, Mismatch) as exc:
        return _fail(str(exc), 2)
    sys.stdout.write(dumps(as_json(d)) + "\n" if args.format == "json" else as_text(d))
    return 0 if d.same else 1


def cmd_send(args) -> int:
    from .send import SendError, send, summary_line

    try:
        sent = send(args.workbook, args.to, args.cc, eml=args.eml, smtp=args.smtp, user=args.user,
                    sender=args.sender, force=args.force, outdir=args.outdir, insecure_local=args.insecure_local)
    except SendError as exc:
        return _fail(str(exc), 1)
    print(summary_line(sent))
    return 0


def cmd_rollover(args) -> int:
    from .rollover import RolloverError, rollover_file

    receipts = None
    if args.gross_receipts is not None:
        try:
            receipts = Decimal(args.gross_receipts.replace(",", ""))
        except InvalidOperation:
            return _fail(f"--gross-receipts {args.gross_receipts!r} is not an amount (expected 1250000.00)", 1)
    try:
        r = rollover_file(args.last, args.output, args.tax_year, force=args.force, gross_receipts=receipts)
    except RolloverError as exc:
        return _fail(str(exc), 1)
    where = (" (each an open row of its Review notes)" if str(args.output).lower().endswith(".xlsx")
             else " (listed in its _carried_from)")
    print(f"wrote {args.output}: Form {r.form}, tax year {args.tax_year}; {len(r.carried)} value(s) carried "
          f"from {args.last}{where}")
    for note in r.notes:
        print(f"  NOTE     {note}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("diff", help="what changed between two versions of a return (workbooks or JSON)")
    p.add_argument("old", help="the earlier version: a workbook (.xlsx) or a JSON input")
    p.add_argument("new", help="the later version: a workbook (.xlsx) or a JSON input")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_diff)

    p = sub.add_parser("send", help="verify a completed workbook and send a review copy (e-mail draft or SMTP)")
    p.add_argument("workbook", help="the completed workbook (.xlsx)")
    p.add_argument("--to", action="append", metavar="ADDRESS", help="the reviewer (repeat, or separate by commas)")
    p.add_argument("--cc", action="append", metavar="ADDRESS")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--eml", metavar="OUT.eml", help="write a draft to open in Outlook, Apple Mail or Thunderbird "
                                                      "(the default, beside the review copy)")
    how.add_argument("--smtp", metavar="HOST:PORT", help="send now through this mail server (STARTTLS required)")
    p.add_argument("--user", metavar="U", help="SMTP user name; the password comes from XLCREDITS_SMTP_PASSWORD or "
                                               "the system keyring, never the command line")
    p.add_argument("--from", dest="sender", metavar="ADDRESS", help="the sender (default: XLCREDITS_FROM, or --user)")
    p.add_argument("--outdir", metavar="FOLDER", help="where the review copy goes (default: beside the workbook)")
    p.add_argument("--insecure-local", action="store_true",
                   help="allow a mail server on this machine (127.0.0.1) that does not offer STARTTLS")
    p.add_argument("--force", action="store_true", help="send a workbook that fails verify; replace existing files")
    p.set_defaults(run=cmd_send)

    p = sub.add_parser("rollover", help="start next year's return from this year's (carryforward, prior QREs, Part I)")
    p.add_argument("last", help="this year's return: a workbook (.xlsx) or a JSON input")
    p.add_argument("--tax-year", type=int, required=True, metavar="YYYY", help="the new tax year (the year after)")
    p.add_argument("-o", "--output", required=True, metavar="NEXT.xlsx|NEXT.json")
    p.add_argument("--gross-receipts", metavar="AMOUNT",
                   help="NJ-306 start-up companies: this year's gross receipts, for the start-up history")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.set_defaults(run=cmd_rollover)
