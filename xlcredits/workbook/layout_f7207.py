"""Form 7207 laid out like the form: header, Part I, Part II columns (a)–(e), Part III, Part IV,
plus the Products, Minerals and Coal input schedules. Only positions live here; labels, kinds,
units and formulas come from `forms.f7207.definition`."""

from __future__ import annotations

from functools import cache

from ..forms.f7207 import catalog
from ..forms.f7207 import definition as d
from ..rules.text import after, day, percent
from ..schedules import Column
from . import layout
from .layout import Builder, Layout, SheetBuilder
from .pages import column_breaks, print_percent

FORM, SLUG, PREFIX = "7207", "7207", "F7207"
FORM_SHEET = "Form 7207"
BOTTOM_LINE = "8a"  # the summary line printed by `xlcredits fill`
TAXPAYER = "filer.name"
# Printed in every page header (Form 7207 is filed once per facility: the facility tells pages apart).
HEADER_FIELDS = (("ID", "filer.tin"), ("Registration", "facility.registration_number"),
                 ("Facility", "facility.address"))
# The totals on the Review sheet (lines 8b and 8c are for estates and trusts only).
REVIEW_TOTALS = (("8a", "Advanced manufacturing production credit"),
                 ("8b", "Allocated to beneficiaries (estates and trusts)"),
                 ("8c", "Credit after allocation (estates and trusts)"))


def review_remark(key: str, data: dict, result) -> str | None:
    """Where a total goes (Form 7207 instructions, lines 8a-8c: Schedule K for partnerships and S
    corporations, Form 3800 Part III line 1b for others, line 8c for estates and trusts)."""
    kind = (data.get("entity_type") or "") if isinstance(data, dict) else ""
    if key == "8a":
        if kind in ("partnership", "s_corporation"):
            return "Partnerships and S corporations: report on Schedule K (not on Form 3800)."
        if kind == "estate_or_trust":
            return "Estates and trusts: line 8c, not 8a, goes to Form 3800."
        return "Form 3800, Part III, line 1b (one row per facility, with its registration number)."
    if key == "8c" and kind == "estate_or_trust":
        return "Form 3800, Part III, line 1b."
    return None if kind == "estate_or_trust" else "Blank: for estates and trusts only."

# Component fields the JSON carries beyond the schedule's columns (kept so extract is lossless).
# Their help restates rules: worded from the rule book (f7207.toml), so it follows the law.
_MODULE_SIZE = catalog.PART_II["5b"].size[0]  # a module's minimum size, and a fuel cell vehicle module's
PRODUCT_EXTRAS = (
    Column("fuel_cell_vehicle", "Fuel cell vehicle module (Yes/No)", "input", "bool", 10,
           help=f"Battery module for a hydrogen fuel cell vehicle: {_MODULE_SIZE.fuel_cell_vehicle_value} "
                f"{catalog.PART_II['5b'].unit_text} minimum instead of {_MODULE_SIZE.value}"),
    Column("integrated", "Sold through integration (Yes/No)", "input", "bool", 11,
           help="Sold to an unrelated person through integration into a secondary component"),
    Column("integration_test_met", "Integration test met (Yes/No)", "input", "bool", 11,
           help=f"Same facility and at least {percent(catalog.INTEGRATED_MIN_SHARE)} of the secondary component's "
                "direct material costs from US-made primary components (tax years beginning after "
                f"{after(catalog.in_force_after('integrated_components'))})"),
)

PART_II_GROUPS = {"1a": "Solar energy components", "2a": "Wind energy components", "3a": "Inverters",
                  "4a": "Qualifying battery components", "6a": "Applicable critical minerals"}

A, B, C, D_, E, F = range(6)


def revisions() -> tuple[str, ...]:
    return layout.revisions_of(catalog)


def revision_for_year(year: int | None) -> str:
    return layout.revision_for_year(catalog, year)


def normalise_row(schedule: str, row: dict) -> dict:
    """The workbook's line column holds the line itself ("1e"), which its SUMIFS formulas match
    on: a JSON component named by component ("solar_module") or typed loosely (" 1E") is written
    as its line. Text that names no line is kept as typed, for the engine to report."""
    if schedule != "products" or not isinstance(row, dict):
        return row
    text = row.get("line") if row.get("line") is not None else row.get("component")
    entry = catalog.find_line(str(text)) if text is not None else None
    if entry is None or (row.get("line") is not None and row.get("component") is not None):
        return row
    row = {k: v for k, v in row.items() if k != "component"}
    row["line"] = entry.line
    return row


@cache
def build(revision: str) -> Layout:
    import sys

    b = Builder(form=FORM, slug=SLUG, revision=revision, prefix=PREFIX, title=d.TITLE,
                lines=d.lines(revision), fields=d.FIELDS, schedules=d.SCHEDULES, hooks=sys.modules[__name__])
    form = b.sheet(FORM_SHEET, {A: 6, B: 40, C: 11.5, D_: 11, E: 14.5, F: 14.5, 6: 3, 7: 9, 8: 9, 9: 9, 10: 10,
                                11: 10, 12: 8, 13: 14},
                   (A, F), gridlines=False)
    _header(b, form, revision)
    _part_i(form, revision)
    _part_ii(form, revision)
    _part_iii(form)
    _part_iv(form)
    form.spec.freeze = (2, 0)
    _schedule_sheet(b, "Products", "products", d.PRODUCTS, PRODUCT_EXTRAS,
                    "One row per product sold. Line: the Part II line (1a–1g, 2b–2f, 3a–3f, 4a, 5a–5c). Capacity "
                    "lines: units and capacity per unit (W, or kWh for batteries). Measured lines (1b, 1c, 1d, 1f, "
                    "1g): quantity. Line 4a: costs. Grey and blue columns are filled by xlcredits.")
    _schedule_sheet(b, "Minerals", "minerals", d.MINERALS, (),
                    "Part IV: one row per cost pool of an applicable critical mineral. Line: the Part IV line "
                    "(1–73) on the form sheet. Costs incurred in producing the mineral.")
    _schedule_sheet(b, "Coal", "coal", d.COAL, (),
                    f"Line 6b (Form 7207 Rev. {catalog.revision_adding('6b')}, tax years beginning after "
                    f"{day(catalog.in_force_after('metallurgical_coal'))}): costs incurred "
                    "producing metallurgical coal.")
    return b.finish()


def _header(b: Builder, s: SheetBuilder, revision: str) -> None:
    s.title("", "Form 7207   Advanced Manufacturing Production Credit",
            f"Form 7207 (Rev. {revision}) · Department of the Treasury, Internal Revenue Service · "
            f"Attach to your tax return · Go to www.irs.gov/Form7207 for instructions")
    s.field_row("", "filer.name", "Name(s) shown on return", col=C, last_col=F)
    s.field_row("", "filer.tin", "Identifying number", col=C, last_col=D_)
    b.tax_year_rows(s)
    s.field_row("", "entity_type", "Kind of filer (estates and trusts complete lines 8b and 8c)", col=C, last_col=D_)
    s.field_row("", "attestations.prohibited_foreign_entity",
                "Filer is a specified foreign entity or foreign-influenced entity (Yes/No)", col=C)
    s.spec.heights[s.row] = 4  # a thin gap: the form's first page holds Parts I and II
    s.row += 1


def _part_i(s: SheetBuilder, revision: str) -> None:
    s.section("Part I   Facility Information")
    printed = catalog.part_i_lines(revision)  # each revision's Part I as it is printed (decision F7207-D11)
    address = "3" if "3" in printed else "3a"
    candidates = [
        ("1", "1", "facility.registration_number", "Registration number (if making an elective payment or transfer "
                                                   "election)"),
        ("2", "2", "facility.placed_in_service", "Date facility was placed in service"),
        (address, address, "facility.address", "Address of facility"),
        (address, "", "facility.description", "Description of facility"),
        ("3b", "3b", "facility.owner_name", "Owner's name, if different from filer"),
        ("3b", "", "facility.owner_tin", "Owner's TIN, if different from filer"),
        ("4", "4", "facility.latitude", "Latitude of facility (decimal degrees)"),
        ("4", "", "facility.longitude", "Longitude of facility (decimal degrees)"),
        ("5", "5", "facility.related_person_election",
         "Are you making the election under section 45X(a)(3)(B) to treat sales to related persons as "
         "sales to unrelated persons? (Yes/No)"),
        ("6", "6", "facility.section_48c_property",
         "Do the eligible components include property produced at a facility for which a section 48C "
         "credit was allowed? (Yes/No)"),
    ]
    for line, number, path, text in candidates:
        if line not in printed:
            continue
        wide = path in ("facility.address", "facility.description", "facility.owner_name")
        s.field_row(number, path, text, col=C, last_col=F if wide else None)
    s.spec.heights[s.row] = 4  # a thin gap: the form's first page holds Parts I and II
    s.row += 1


def _part_ii(s: SheetBuilder, revision: str) -> None:
    s.section("Part II   Eligible Components")
    s.headings({A: "", B: "(a) Eligible component", C: "(b) Unit of measure", D_: "(c) Rate",
                E: "(d) Capacity, quantity, or costs", F: "(e) Credit amount: (c) × (d)"}, height=24)
    for entry in catalog.PART_II.values():
        if entry.line == "6b" and not catalog.revision_has_6b(revision):
            continue
        group = PART_II_GROUPS.get(entry.line)
        if group:
            s.put(s.row, B, group, "label_bold")
            s.row += 1
        r = s.line_row(entry.line, entry.label, {D_: f"{entry.line}.c", E: f"{entry.line}.d", F: f"{entry.line}.e"})
        s.put(r, C, entry.unit_text, "label", align="center")
    r = s.line_row("7", "Credit from partnerships, S corporations, estates, and trusts",
                   {D_: "entity_eligible", E: "passthrough_credit", F: "7"})
    s.spec.cells[(r, B)].note = ("xlcredits: type the credit from Schedule K-1 in column (d) and 1 in column (c) "
                                 "if the filer may claim it (0 if not); the form prints column (e) only.")
    s.line_row("8a", "Add column (e), lines 1a through " + ("6b" if catalog.revision_has_6b(revision) else "6a")
               + ", and line 7. Partnerships and S corporations, report on Schedule K; all others, report on "
                 "Form 3800, Part III, line 1b", {F: "8a"})
    s.line_row("8b", "Estates and trusts: enter the amount allocated to beneficiaries", {F: "8b"})
    s.line_row("8c", "Estates and trusts: subtract line 8b from line 8a. Report on Form 3800, Part III, line 1b",
               {F: "8c"})
    s.spec.heights[s.row] = 4  # a thin gap: the form's first page holds Parts I and II
    s.row += 1


def _part_iii(s: SheetBuilder) -> None:
    s.spec.page_breaks.append(s.row)  # the printed form's page 2 begins with Part III
    s.section("Part III   Related Offshore Wind Vessels")
    work = {7: "Year sold", 8: "Year produced", 9: "MACR", 10: "Rate", 11: "Phase-out %", 12: "Eligible",
            13: "Credit"}
    notes = {c: d.VESSELS.column(k).help for c, k in zip(work, ("sold_year", "produced_year", "macr", "rate",
                                                                 "phase_out", "eligible", "credit"))}
    s.headings({A: "", B: "(a) Name of vessel", C: "(b) Purpose", D_: "(c) Official number",
                E: "(d) New or retrofitted", F: "(e) Sales price", **work}, height=30, notes=notes)
    s.put(s.row - 2, 7, "Worksheet columns (not printed on the form)", "help")
    s.merge(s.row - 2, 7, 13)
    first = s.row
    for i in range(d.VESSELS.max_rows):
        s.put(first + i, A, str(i + 1), "line_no")
    s.schedule("vessels", {"name": B, "purpose": C, "official_number": D_, "status": E, "sales_price": F,
                           "sold_year": 7, "produced_year": 8, "macr": 9, "rate": 10, "phase_out": 11,
                           "eligible": 12, "credit": 13}, first_row=first)
    s.row = first + d.VESSELS.max_rows
    s.spec.hide_unused.append((first, s.row - 1, B, F, False))  # empty vessel rows do not print
    s.line_row("", "Total. Add the amounts in column (e). Enter here and on Part II, line 2a, column (d)",
               {F: "III.total"}, height=30)
    s.row += 1


def _part_iv(s: SheetBuilder) -> None:
    s.section("Part IV   Applicable Critical Minerals")
    s.headings({A: "", B: "Applicable critical mineral (enter costs on the Minerals sheet, one row per cost "
                          "pool, with its line number)", F: "Costs incurred"}, height=30)
    s.merge(s.row - 1, B, E)
    first = s.row
    for n, mineral in catalog.minerals().items():
        s.line_row(str(n), mineral.description, {F: f"IV.{n}"}, text_cols=(B, E),
                   height=30 if len(mineral.description) > 92 else None)
    s.spec.hide_unused.append((first, s.row - 1, F, F, True))  # minerals without costs do not print
    s.line_row("74", "Total. Add lines 1 through 73. Enter here and on Part II, line 6a, column (d)", {F: "IV.74"},
               text_cols=(B, E))


def _schedule_sheet(b: Builder, name: str, key: str, schedule, extras, help_text: str) -> None:
    inputs = [c for c in schedule.columns if c.kind == "input"]
    outputs = [c for c in schedule.columns if c.kind != "input"]
    columns = inputs + list(extras) + outputs
    widths = {i: c.width for i, c in enumerate(columns)}
    s = b.sheet(name, widths, (0, len(columns) - 1), landscape=True)
    s.title("", f"Form 7207 · {schedule.title}")
    # A schedule printed several pages wide: its help wraps within the first page, not across all
    across = column_breaks(s.spec, print_percent(s.spec))
    s.help(help_text, last=across[0] - 1 if across else None, height=30)
    head = s.headings({i: c.label for i, c in enumerate(columns)}, height=45,
                      notes={i: c.help for i, c in enumerate(columns) if c.help})
    s.schedule(key, {c.key: i for i, c in enumerate(columns)}, extras=extras)
    s.spec.freeze = (head + 1, 2)
    s.spec.repeat_rows = (head, head)
    s.spec.schedule_rows = (head + 1, 25)
