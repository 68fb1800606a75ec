"""How cells look: inputs look typed-into, computed cells look computed, rule values look looked-up,
findings are highlighted. One table, turned into XlsxWriter formats on demand."""

from __future__ import annotations

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "watts": '#,##0" W"',
    "kwh": '#,##0.00" kWh"',
    "kg": '#,##0.00" kg"',
    "m2": '#,##0.00" m²"',
    "quantity": "#,##0.00##",
    "number": "General",
    "fraction": "0.00%",
    "percent": "0.00%",
    "rate": "#,##0.00##",
    "count": "0",
    "year": "0",
    "date": "mm/dd/yyyy",  # as the forms ask,
    "text": "@",
    "bool": "General",
}

INPUT_FILL, COMPUTED_FILL, RULE_FILL = "#FFF2CC", "#EDEDED", "#DDEBF7"
SECTION_FILL, HEAD_FILL = "#1F3864", "#D9E1F2"
HIGHLIGHT = {"error": ("#FFC7CE", "#9C0006"), "warning": ("#FFEB9C", "#9C5700"), "note": ("#E2EFDA", "#375623")}

ROLE = {
    "title": {"bold": True, "font_size": 14, "valign": "vcenter"},
    "subtitle": {"italic": True, "font_size": 9, "font_color": "#404040"},
    "section": {"bold": True, "font_color": "#FFFFFF", "bg_color": SECTION_FILL, "valign": "vcenter"},
    "label": {"valign": "top", "font_size": 9},
    "label_bold": {"bold": True, "font_size": 9, "valign": "top"},
    "line_no": {"bold": True, "font_size": 9, "align": "center", "valign": "top"},
    "colhead": {"bold": True, "font_size": 9, "bg_color": HEAD_FILL, "text_wrap": True, "align": "center",
                "valign": "vcenter", "border": 1, "border_color": "#8EA9DB"},
    "help": {"italic": True, "font_size": 9, "font_color": "#404040", "valign": "top"},
    # Inputs have a dashed box, computed cells a solid one: told apart in black and white too.
    "input": {"bg_color": INPUT_FILL, "font_color": "#0000CC", "border": 3, "border_color": "#7F7F7F",
              "locked": False, "font_size": 9, "valign": "top"},
    "computed": {"bg_color": COMPUTED_FILL, "border": 1, "border_color": "#7F7F7F", "font_size": 9, "valign": "top"},
    "rule": {"bg_color": RULE_FILL, "italic": True, "border": 1, "border_color": "#7F7F7F", "font_size": 9,
             "valign": "top"},
    "meta": {"font_size": 9, "valign": "top"},
    "meta_value": {"font_size": 9, "valign": "top", "align": "left"},
    "audit_text": {"font_size": 9, "valign": "top", "indent": 1},
    "review_cell": {"font_size": 9, "valign": "top"},
    "review_text": {"font_size": 9, "valign": "top", "text_wrap": True},
    "mark": {"bold": True, "font_size": 9, "valign": "top", "align": "left"},
}

LEGEND = ("Legend: dashed box = typed input; solid box = computed by xlcredits; italic = rate or rule looked up; "
          "!N beside a line or input = finding N on the Review sheet.")


def format_props(role: str, unit: str = "", highlight: str | None = None, wrap: bool = False,
                 align: str = "") -> dict:
    props = dict(ROLE.get(role, ROLE["label"]))
    if role in ("input", "computed", "rule", "meta_value") and unit in NUMBER_FORMATS:
        props["num_format"] = NUMBER_FORMATS[unit]
    if role == "meta_value" and unit in NUMBER_FORMATS and unit not in ("text", "date", "bool"):
        props["align"] = "right"
    if role == "input" and unit in ("text", "bool", "date", "year") or unit == "count":
        props.setdefault("align", "left" if unit == "text" else "center")
    if highlight in HIGHLIGHT:
        fill, font = HIGHLIGHT[highlight]
        props.update({"bg_color": fill, "font_color": font, "border": 2, "border_color": font})
    if wrap:
        props["text_wrap"] = True
    if align:
        props["align"] = align
    return props


class Formats:
    """XlsxWriter formats, one per distinct look."""

    def __init__(self, workbook):
        self.workbook, self.cache = workbook, {}

    def get(self, role: str, unit: str = "", highlight: str | None = None, wrap: bool = False, align: str = ""):
        key = (role, unit, highlight, wrap, align)
        fmt = self.cache.get(key)
        if fmt is None:
            fmt = self.cache[key] = self.workbook.add_format(format_props(*key))
        return fmt
