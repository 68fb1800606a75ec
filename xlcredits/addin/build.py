"""Build the ribbon add-in `workbooks/xlcredits.xlam`: xlwings' ribbon add-in template with the
xlcredits ribbon, its own VBA project, and the worksheet functions already inside.

`xlwings quickstart NAME --addin --ribbon` copies `quickstart_addin_ribbon.xlam`; the worksheet
functions are then imported by "Import Functions", which writes VBA into the add-in through
Excel's VBA object model (it needs "Trust access to the VBA project object model", often locked by
IT). Here everything happens at build time, on any platform, with no Excel:

- the VBA project is written anew (`vba.py`, [MS-OVBA], source only) with these modules:
    Sheet2, Dictionary                 the template's, unchanged
    xlwings          the template's, made `Option Private Module` (no cell can call RunPython
                     or any of its ~30 public procedures) and with PROJECT_NAME "xlcredits", so the
                     add-in reads `%USERPROFILE%\\.xlcredits\\xlcredits.conf` (not `.myaddin`, shared by
                     every add-in made from the template); its settings layers that a client's
                     workbook or folder could supply are switched off (`harden`)
    ThisWorkbook     the template's, plus Workbook_Open giving each function its Function Wizard
                     description and category (what "Import Functions" sets through Excel)
    RibbonXlcredits  one callback, `OnAction`, for every button: it dispatches on `control.Tag`
                     to a fixed list of commands
    xlwings_udfs     the wrappers xlwings' own generator writes for `udfs` (`udf_vba.py`)
- `customUI/customUI.xml` is the "Tax Credits" tab (`customui_xml`);
- the template's (disabled) settings sheet `_myaddin.conf` becomes `_xlcredits.conf`.

Every other part is copied byte for byte, in order, with its timestamp: the same xlwings gives
the same bytes. The template's xlwings module names its DLL with the xlwings version
(`xlwings64-0.37.8.dll`), so the add-in must be rebuilt for the installed xlwings: `excel-setup`
does that.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from .vba_read import VBA_PART, _cfb_streams, _ovba_decompress, read_vba, vba_modules  # noqa: F401

ADDIN_NAME = "xlcredits"  # the file name; the VBA project's name; the settings file's name
CUSTOMUI_PART = "customUI/customUI.xml"
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"  # as in the template (Office 2007+)
CUSTOMUI_NAMESPACES = (CUSTOMUI_NS, "http://schemas.microsoft.com/office/2009/07/customui")
EXTENSIBILITY_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
CALLBACK_MODULE, CALLBACK_SUB = "RibbonXlcredits", "OnAction"  # the one ribbon callback
CALLBACK = f"{CALLBACK_MODULE}.{CALLBACK_SUB}"
TEMPLATE_PROJECT_NAME = "myaddin"
TEMPLATE_SETTINGS_SHEET, SETTINGS_SHEET = "_myaddin.conf", f"_{ADDIN_NAME}.conf"
PYTHON_ENTRY = "from xlcredits.addin.ribbon import command;command"  # + "('compute')"


def template_path() -> Path:
    import xlwings

    return Path(xlwings.__file__).resolve().parent / "quickstart_addin_ribbon.xlam"


def default_output() -> Path:
    return Path(__file__).resolve().parents[2] / "workbooks" / f"{ADDIN_NAME}.xlam"


# --- the ribbon ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Button:
    id: str
    tag: str  # what RibbonXlcredits.OnAction dispatches on; also the Python command's name
    label: str
    supertip: str
    image: str = "MacroPlay"  # an Office built-in image: no image files to ship
    needs_workbook: bool = True  # False: the button makes a new workbook

    @property
    def screentip(self) -> str:
        return f"{self.label} (xlcredits)"


TAB_ID, TAB_LABEL = "xlcreditsTab", "Tax Credits"
GROUP_ID, GROUP_LABEL = "xlcreditsForms", "Form 7207 / NJ-306"
REVIEW_GROUP_ID, REVIEW_GROUP_LABEL = "xlcreditsReview", "Review"
BUTTONS = (
    Button("xlcreditsCompute", "compute", "Compute form",
           "Check every input of this workbook (a Form 7207 or NJ-306 workbook) and fill in every computed "
           "line, the findings and the Audit sheet.", "CalculateNow"),
    Button("xlcreditsCheck", "check", "Check inputs",
           "Check the inputs and mark what is wrong, without filling in any line.", "ReviewAcceptChange"),
    Button("xlcreditsVerify", "verify", "Verify workbook",
           "Check that every line in this workbook still equals what xlcredits computes from its inputs.",
           "AcceptInvitation"),
    Button("xlcreditsNew7207", "new_7207", "New Form 7207",
           "Open a new, empty Form 7207 workbook (§45X advanced manufacturing production credit).",
           "FileNew", needs_workbook=False),
    Button("xlcreditsNewNJ306", "new_nj306", "New NJ-306",
           "Open a new, empty NJ Form 306 workbook (New Jersey research and development credit).",
           "FileNew", needs_workbook=False),
)
REVIEW_BUTTONS = (
    Button("xlcreditsSendForReview", "send_for_review", "Send for review",
           "Make the reviewer's copy of this workbook.", "FileSendAsAttachment"),
    Button("xlcreditsStartNextYear", "start_next_year", "Start next year",
           "Start next year's workbook from this one (carryforwards and base-period amounts).", "FileNew"),
)
ALL_BUTTONS = BUTTONS + REVIEW_BUTTONS


def customui_xml(groups=None) -> str:
    """The add-in's customUI.xml: a "Tax Credits" tab, two groups, every button on one callback."""
    groups = groups or ((GROUP_ID, GROUP_LABEL, BUTTONS), (REVIEW_GROUP_ID, REVIEW_GROUP_LABEL, REVIEW_BUTTONS))
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<customUI xmlns="{CUSTOMUI_NS}">',
        "  <ribbon>",
        "    <tabs>",
        f"      <tab id={quoteattr(TAB_ID)} label={quoteattr(TAB_LABEL)}>",
    ]
    for group_id, group_label, buttons in groups:
        lines.append(f"        <group id={quoteattr(group_id)} label={quoteattr(group_label)}>")
        for b in buttons:
            lines.append(f"          <button id={quoteattr(b.id)} tag={quoteattr(b.tag)} label={quoteattr(b.label)} "
                         f"size=\"large\" imageMso={quoteattr(b.image)} screentip={quoteattr(b.screentip)} "
                         f"supertip={quoteattr(b.supertip)} onAction={quoteattr(CALLBACK)} />")
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines)


def ribbon_module(buttons=ALL_BUTTONS) -> str:
    """The VBA module behind every button: one callback that dispatches on the button's tag.

    Only the tags listed here reach Python, each as a fixed command text; an unknown tag is
    refused in VBA. With no workbook open, the commands that work on a workbook say so instead of
    failing with runtime error 91 (xlwings' RunPython reads ActiveWorkbook); the "New" commands
    open a blank workbook first, because RunPython needs one to read its settings."""
    cases = []
    for b in buttons:
        cases.append(f'        Case "{b.tag}": needsWorkbook = {"True" if b.needs_workbook else "False"}')
    return "\n".join([
        f'Attribute VB_Name = "{CALLBACK_MODULE}"',
        "Option Explicit",
        "' Every button of the Tax Credits tab calls OnAction; its tag (customUI.xml) says what to run.",
        "",
        "Sub OnAction(control As IRibbonControl)",
        "    Dim needsWorkbook As Boolean",
        "    Select Case control.Tag",
        *cases,
        "        Case Else",
        '            MsgBox "This button is not known to this version of xlcredits (" & control.Tag & "). Run "'
        ' & "py -m xlcredits excel-setup again.", vbExclamation, "xlcredits"',
        "            Exit Sub",
        "    End Select",
        "    If ActiveWorkbook Is Nothing Then",
        "        If needsWorkbook Then",
        '            MsgBox "There is no open workbook. Open the Form 7207 or NJ-306 workbook first, or click "'
        ' & "New Form 7207 or New NJ-306.", vbInformation, "xlcredits"',
        "            Exit Sub",
        "        End If",
        "        Workbooks.Add",
        "    End If",
        f"    RunPython \"{PYTHON_ENTRY}('\" & control.Tag & \"')\"",
        "End Sub",
        "",
    ])


# --- structure checks (used by build and by the tests) -------------------------------------

NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def customui_problems(xml: str | bytes, callbacks: set[str] | None = None) -> list[str]:
    """What is wrong with a customUI document, checked against the ribbon schema's basic structure:
    customUI (2006/01 or 2009/07 namespace) > ribbon > tabs > tab > group > button; ids unique
    NCNames; labels 1-1024 characters; every button has an onAction (one of `callbacks`, if given)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        return [f"customUI.xml does not parse: {exc}"]
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns not in CUSTOMUI_NAMESPACES or root.tag != f"{{{ns}}}customUI":
        return [f"root element is {root.tag}, not customUI in {' or '.join(CUSTOMUI_NAMESPACES)}"]
    q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
    problems: list[str] = []
    ribbon = root.find(q("ribbon"))
    tabs = ribbon.find(q("tabs")) if ribbon is not None else None
    if tabs is None or not tabs.findall(q("tab")):
        return problems + ["no customUI/ribbon/tabs/tab"]
    ids: list[str] = []
    for tab in tabs.findall(q("tab")):
        groups = tab.findall(q("group"))
        if not groups:
            problems.append(f"tab {tab.get('id')!r} has no group")
        for element in [tab, *groups]:
            ids.append(element.get("id", ""))
            if not 1 <= len(element.get("label", "")) <= 1024:
                problems.append(f"{element.tag.split('}')[1]} {element.get('id')!r} needs a label")
        for group in groups:
            buttons = group.findall(q("button"))
            if not buttons:
                problems.append(f"group {group.get('id')!r} has no button")
            for button in buttons:
                ids.append(button.get("id", ""))
                if not 1 <= len(button.get("label", "")) <= 1024:
                    problems.append(f"button {button.get('id')!r} needs a label")
                action = button.get("onAction")
                if not action:
                    problems.append(f"button {button.get('id')!r} has no onAction")
                elif callbacks is not None and action not in callbacks:
                    problems.append(f"button {button.get('id')!r} calls {action}, which the VBA does not define")
    for element_id in ids:
        if not NCNAME.match(element_id):
            problems.append(f"id {element_id!r} is not a valid XML name")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {', '.join(duplicates)}")
    return problems


def xlam_problems(path: Path) -> list[str]:
    """What is wrong with a built add-in: zip integrity, content types, the ribbon part and its
    relationship, a VBA project whose ribbon callback, private xlwings module and worksheet
    function wrappers are the ones relied on."""
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad:
                return [f"{path.name}: corrupt zip member {bad}"]
            names = set(z.namelist())
            parts = {n: z.read(n) for n in ("[Content_Types].xml", "_rels/.rels", CUSTOMUI_PART, VBA_PART)
                     if n in names}
    except zipfile.BadZipFile as exc:
        return [f"{path.name}: not a zip file ({exc})"]
    problems = [f"{path.name}: missing part {n}" for n in ("[Content_Types].xml", "_rels/.rels", CUSTOMUI_PART,
                                                           VBA_PART, "xl/workbook.xml") if n not in names]
    if problems:
        return problems
    types = parts["[Content_Types].xml"].decode("utf-8")
    if "application/vnd.ms-excel.addin.macroEnabled.main+xml" not in types:
        problems.append("the workbook part is not typed as a macro-enabled add-in (.xlam)")
    if "/xl/vbaProject.bin" not in types:
        problems.append("vbaProject.bin has no content type")
    rels = parts["_rels/.rels"].decode("utf-8")
    if not re.search(rf'Type="{re.escape(EXTENSIBILITY_REL)}"\s+Target="/?{re.escape(CUSTOMUI_PART)}"', rels) and \
            not re.search(rf'Target="/?{re.escape(CUSTOMUI_PART)}"[^>]*Type="{re.escape(EXTENSIBILITY_REL)}"', rels):
        problems.append("_rels/.rels does not point Office at customUI/customUI.xml")
    try:
        modules = vba_modules(parts[VBA_PART])
    except ValueError as exc:
        return problems + [f"vbaProject.bin: {exc}"]
    problems += callback_problems(modules)
    problems += customui_problems(parts[CUSTOMUI_PART], callbacks=ribbon_callbacks(modules))
    xlwings_module = modules.get("xlwings", "")
    if not re.search(r"^Option Private Module\s*$", xlwings_module, re.M):
        problems.append("the xlwings module is not Option Private Module: cells could call RunPython")
    if f'PROJECT_NAME As String = "{ADDIN_NAME}"' not in xlwings_module:
        problems.append(f"the xlwings module's PROJECT_NAME is not {ADDIN_NAME!r}")
    if "XLPy.CallUDF" not in modules.get("xlwings_udfs", ""):
        problems.append("the VBA project has no worksheet function wrappers (module xlwings_udfs)")
    return problems


def ribbon_callbacks(modules: dict[str, str]) -> set[str]:
    """Module.Sub names with the ribbon callback signature `Sub X(control As IRibbonControl)`."""
    found = set()
    for module, source in modules.items():
        for sub in re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*control\s+As\s+IRibbonControl\s*\)",
                              source, re.M | re.I):
            found.add(f"{module}.{sub}")
    return found


def callback_problems(modules: dict[str, str]) -> list[str]:
    """The one callback must dispatch on control.Tag and run the xlcredits command."""
    source = modules.get(CALLBACK_MODULE, "")
    if CALLBACK not in ribbon_callbacks(modules):
        return [f"the VBA project has no {CALLBACK}(control As IRibbonControl)"]
    if "Select Case control.Tag" not in source or PYTHON_ENTRY not in source:
        return [f"{CALLBACK} no longer dispatches on control.Tag to {PYTHON_ENTRY}(...)"]
    return []


def python_command(tag: str) -> str:
    """What OnAction passes to RunPython for a button with this tag."""
    return f"{PYTHON_ENTRY}('{tag}')"


# --- the VBA project ---------------------------------------------------------------------------

def _replace_once(source: str, old: str, new: str, what: str) -> str:
    if source.count(old) != 1:
        raise ValueError(f"xlwings' template changed: cannot {what} (expected {old!r} once)")
    return source.replace(old, new)


def harden(xlwings_source: str) -> str:
    """The template's xlwings module as the add-in needs it.

    - `Option Private Module`: its Public procedures (RunPython, ImportPythonUDFs, ...) stay
      callable inside the add-in but no longer appear as worksheet functions or macros elsewhere;
    - PROJECT_NAME "xlcredits": settings from `%USERPROFILE%\\.xlcredits\\xlcredits.conf`;
    - GetConfig skips the settings a *client's* workbook or folder could carry (an `xlcredits.conf`
      sheet in the active workbook, an `xlcredits.conf` file beside it): otherwise any workbook
      could choose the Python the add-in starts. The user's own file and the add-in's sheet remain.
    """
    lines = xlwings_source.split("\n")
    if not lines[0].startswith("Attribute VB_Name"):
        raise ValueError("xlwings' template changed: its module does not start with Attribute VB_Name")
    source = "\n".join([lines[0], "Option Private Module", *lines[1:]])
    source = _replace_once(source, f'PROJECT_NAME As String = "{TEMPLATE_PROJECT_NAME}"',
                           f'PROJECT_NAME As String = "{ADDIN_NAME}"', "rename the project")
    source = _replace_once(source, "If SheetExists(ActiveWorkbook, PROJECT_NAME & \".conf\") = True Then",
                           "If False Then ' xlcredits: settings never come from a client's workbook",
                           "switch off workbook settings")
    source = _replace_once(source, "    If source = \"\" Or source = \"directory\" Then",
                           "    If False Then ' xlcredits: settings never come from a client's folder",
                           "switch off folder settings")
    return source


def addin_modules(template_modules: dict[str, str], wrappers: str):
    from .udf_vba import descriptions_code
    from .vba import Module

    for name in ("ThisWorkbook", "Sheet2", "Dictionary", "xlwings"):
        if name not in template_modules:
            raise ValueError(f"xlwings' template changed: its VBA project has no module {name}")
    return [
        Module("ThisWorkbook", template_modules["ThisWorkbook"].rstrip("\n") + "\n" + descriptions_code(), "document"),
        Module("Sheet2", template_modules["Sheet2"], "document"),
        Module("Dictionary", template_modules["Dictionary"], "class"),
        Module("xlwings", harden(template_modules["xlwings"])),
        Module(CALLBACK_MODULE, ribbon_module()),
        Module("xlwings_udfs", wrappers),
    ]


def vba_project_bin(template_bin: bytes, wrappers: str | None = None) -> bytes:
    """The add-in's vbaProject.bin, from the template's and the wrappers of `udfs`."""
    from .udf_vba import wrappers_module
    from .vba import vba_project

    streams = _cfb_streams(template_bin)
    modules = addin_modules(vba_modules(template_bin), wrappers or wrappers_module(f"{ADDIN_NAME}.xlam"))
    return vba_project(modules, ADDIN_NAME, _ovba_decompress(streams["VBA/dir"]),
                       streams["PROJECT"].decode("cp1252"))


# --- build ---------------------------------------------------------------------------------

def build(output: Path | None = None, template: Path | None = None) -> Path:
    """Write the add-in: the template's parts in their order and with their timestamps, with the
    new VBA project, ribbon and settings-sheet name. Checked before it replaces `output`."""
    template = Path(template or template_path())
    output = Path(output or default_output())
    if output.name != f"{ADDIN_NAME}.xlam":
        raise ValueError(f"{output.name}: the add-in's file must be named {ADDIN_NAME}.xlam (Excel names its "
                         f"VBA project and settings after it)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(buffer, "w") as target:
        names = source.namelist()
        for part in (CUSTOMUI_PART, VBA_PART, "xl/workbook.xml"):
            if part not in names:
                raise ValueError(f"{template.name} has no {part}: not xlwings' ribbon add-in template")
        replaced = {
            CUSTOMUI_PART: customui_xml().encode("utf-8"),
            VBA_PART: vba_project_bin(source.read(VBA_PART)),
            "xl/workbook.xml": _replace_once(source.read("xl/workbook.xml").decode("utf-8"),
                                             f'name="{TEMPLATE_SETTINGS_SHEET}"', f'name="{SETTINGS_SHEET}"',
                                             "rename the settings sheet").encode("utf-8"),
        }
        for info in source.infolist():
            data = replaced.get(info.filename) or source.read(info.filename)
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = info.external_attr
            target.writestr(copy, data)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=output.parent, suffix=".xlam", delete=False) as handle:
        handle.write(buffer.getvalue())
        staged = Path(handle.name)
    problems = xlam_problems(staged)
    if problems:
        staged.unlink()
        raise ValueError("the built add-in is not usable: " + "; ".join(problems))
    shutil.move(str(staged), output)
    return output
