"""The ribbon button's Python side: `xlcredits.main()` fills the open book through `XlwingsAdapter`.

There is no Excel on Linux, so the book is a fake of the xlwings subset the adapter uses, loaded
from a real workbook the project wrote (cells, formulas, notes, fill and font colours, defined
names) and behaving like Excel where it matters: numbers come back as floats, text written with
`.value` is parsed as if typed ("2025" becomes a number, "=X" a formula, unless it starts with an
apostrophe), a Decimal is refused (pywin32 would pass it as Currency), a flat list is a row. It is
strict: anything outside the subset raises AttributeError, and every call is counted.

The file it is compared with is what `xlcredits fill` writes for the same inputs."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from openpyxl.utils.cell import range_boundaries

import xlcredits
from test_workbook_support import ALL_CASES, CASES_7207, _7207, _cap
from xlcredits.addin import live, ribbon
from xlcredits.cli import main as cli
from xlcredits.workbook.filler import InputCellWritten, plan_fill
from xlcredits.workbook.files import fill_book, template_book
from xlcredits.workbook.inputs import put_inputs
from xlcredits.workbook.layout import address
from xlcredits.workbook.styles import HIGHLIGHT
from xlcredits.workbook.writer import save

# --- the fake: xlwings' documented subset, over a real workbook ------------------------------------


@dataclass
class XCell:
    value: object = None
    formula: str | None = None
    note: str | None = None
    color: tuple | None = None
    font: tuple | None = None


def _rgb(value) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return value
    if isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))
    raise TypeError(f"not a colour xlwings accepts: {value!r}")


def _typed(value):
    """What Excel stores when `value` is assigned through COM (`Range.Value`/`Range.Formula`)."""
    if isinstance(value, Decimal):
        raise TypeError("a Decimal goes to Excel as Currency (4 decimals): convert it first")
    if value is None or isinstance(value, (bool, datetime)):
        return value, None
    if isinstance(value, (int, float)):
        return float(value), None
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} to a cell")
    if value == "":
        return None, None
    if value.startswith("'"):
        return value[1:], None
    if value.startswith("="):
        return NOT_CALCULATED, value
    try:
        number = float(value.replace(",", ""))
        if number == number and abs(number) != float("inf"):
            return number, None
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return datetime.fromisoformat(value), None
    return value, None


NOT_CALCULATED = object()  # a formula loaded from the file: the fake does not calculate


class Excel:
    """The state behind the fake: cells, names, calls, writes, alerts."""

    def __init__(self, name: str, cells: dict, names: dict, sheets: list[str]):
        self.name, self.cells, self.names, self.sheets = name, cells, names, sheets
        self.calls = 0
        self.written: list[tuple[str, int, int]] = []
        self.alerts: list[dict] = []
        self.screen_updating = [True]
        self.calculation = ["automatic"]

    @classmethod
    def load(cls, path) -> "Excel":
        wb = openpyxl.load_workbook(path)
        looks: dict[int, tuple] = {}  # style id -> (fill, font colour)
        cells = {}

        def look(styled) -> tuple:
            if styled.style_id not in looks:
                fill = styled.fill.fgColor.rgb if styled.fill is not None and styled.fill.patternType == "solid" else None
                font = styled.font.color.rgb if styled.font is not None and styled.font.color is not None and \
                    styled.font.color.type == "rgb" else None
                looks[styled.style_id] = tuple(None if v is None else _rgb("#" + v[-6:]) for v in (fill, font))
            return looks[styled.style_id]

        column_looks: dict[tuple, tuple] = {}  # (sheet, column) -> look: Excel shows a column's format
        for ws in wb.worksheets:                # in every cell that has none of its own
            for dim in ws.column_dimensions.values():
                if dim.style_id:
                    for col in range(dim.min, dim.max + 1):
                        column_looks[(ws.title, col - 1)] = look(dim)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    own = look(c) if c.style_id else column_looks.get((ws.title, c.column - 1), look(c))
                    x = XCell(None, None, c.comment.text if c.comment is not None else None, *own)
                    if c.data_type == "f":
                        x.formula, x.value = str(c.value), NOT_CALCULATED
                    else:
                        x.value = float(c.value) if type(c.value) is int else c.value
                    if x != XCell():
                        cells[(ws.title, c.row - 1, c.column - 1)] = x
        names = {name: "=" + dn.attr_text for name, dn in wb.defined_names.items()}
        for ws in wb.worksheets:  # Excel lists sheet-scoped names too
            if ws.print_area:
                names[f"'{ws.title}'!Print_Area"] = "=" + str(ws.print_area).split(",")[0]
        excel = cls(Path(path).name, cells, names, wb.sheetnames)
        excel.column_looks = column_looks
        return excel

    def copy(self) -> "Excel":
        cells = {k: XCell(x.value, x.formula, x.note, x.color, x.font) for k, x in self.cells.items()}
        excel = Excel(self.name, cells, dict(self.names), list(self.sheets))
        excel.column_looks = self.column_looks
        return excel

    @property
    def book(self) -> "FakeBook":
        return FakeBook(self)

    def tick(self) -> None:
        self.calls += 1

    column_looks: dict = {}

    def cell(self, sheet: str, r: int, c: int) -> XCell:
        if (sheet, r, c) not in self.cells:
            self.cells[(sheet, r, c)] = XCell(None, None, None, *self.column_looks.get((sheet, c), (None, None)))
        return self.cells[(sheet, r, c)]

    def type(self, target: str, value) -> None:
        """A person typing into a cell (named or 'Sheet'!$A$1)."""
        ref = self.names.get(target, "=" + target)[1:]
        sheet, cell = ref.rsplit("!", 1)
        c1, r1, _, _ = range_boundaries(cell.replace("$", ""))
        x = self.cell(sheet.strip("'").replace("''", "'"), r1 - 1, c1 - 1)
        x.value, x.formula = _typed(value)

    def snapshot(self) -> dict:
        """Every non-empty cell as compared between the two paths: a formula's text (its value is
        Excel's to compute), else the value; the note; the fill; the font colour (automatic = black)."""
        out = {}
        for key, x in self.cells.items():
            content = x.formula if x.formula else (None if x.value is NOT_CALCULATED else x.value)
            if isinstance(content, float):  # Excel keeps 15 significant digits
                content = float(f"{content:.15g}")
            shown = (content, x.note, x.color, x.font or (0, 0, 0))
            fill, font = self.column_looks.get((key[0], key[2]), (None, None))
            if shown != (None, None, fill, font or (0, 0, 0)):  # a blank cell showing its column's format
                out[key] = shown
        return out


class _Strict:
    __slots__ = ("_x",)

    def __init__(self, x: Excel):
        self._x = x


class FakeApp(_Strict):
    __slots__ = ()

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self._x.tick()
        assert isinstance(prompt, str) and buttons in ("ok", "ok_cancel", "yes_no", "yes_no_cancel")
        assert mode in (None, "info", "critical")
        self._x.alerts.append({"prompt": prompt, "title": title, "mode": mode})
        return "ok"

    @property
    def screen_updating(self):
        self._x.tick()
        return self._x.screen_updating[-1]

    @screen_updating.setter
    def screen_updating(self, value):
        self._x.tick()
        self._x.screen_updating.append(bool(value))

    @property
    def calculation(self):
        self._x.tick()
        return self._x.calculation[-1]

    @calculation.setter
    def calculation(self, value):
        self._x.tick()
        assert value in ("automatic", "manual", "semiautomatic")
        self._x.calculation.append(value)


class FakeBook(_Strict):
    __slots__ = ()

    @property
    def name(self):
        self._x.tick()
        return self._x.name

    @property
    def app(self):
        return FakeApp(self._x)

    @property
    def names(self):
        return FakeNames(self._x)

    @property
    def sheets(self):
        return FakeSheets(self._x)


class FakeNames(_Strict):
    __slots__ = ()

    def __iter__(self):
        self._x.tick()
        return iter([FakeName(self._x, n) for n in self._x.names])

    def __len__(self):
        self._x.tick()
        return len(self._x.names)


class FakeName:
    __slots__ = ("_x", "_name")

    def __init__(self, x: Excel, name: str):
        self._x, self._name = x, name

    @property
    def name(self):
        self._x.tick()
        return self._name

    @property
    def refers_to(self):
        self._x.tick()
        return self._x.names[self._name]

    @property
    def refers_to_range(self):
        self._x.tick()
        sheet, ref = self._x.names[self._name][1:].rsplit("!", 1)
        return FakeSheet(self._x, sheet.strip("'").replace("''", "'")).range(ref)


class FakeSheets(_Strict):
    __slots__ = ()

    def __getitem__(self, name):
        self._x.tick()
        if name not in self._x.sheets:
            raise KeyError(name)
        return FakeSheet(self._x, name)


class FakeSheet:
    __slots__ = ("_x", "_sheet")

    def __init__(self, x: Excel, sheet: str):
        self._x, self._sheet = x, sheet

    @property
    def name(self):
        self._x.tick()
        return self._sheet

    def range(self, ref):
        self._x.tick()
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        return FakeRange(self._x, self._sheet, r1 - 1, c1 - 1, r2 - 1, c2 - 1)


class FakeRange:
    __slots__ = ("_x", "_sheet", "_r1", "_c1", "_r2", "_c2")

    def __init__(self, x, sheet, r1, c1, r2, c2):
        self._x, self._sheet, self._r1, self._c1, self._r2, self._c2 = x, sheet, r1, c1, r2, c2

    def _keys(self):
        return [[(self._sheet, r, c) for c in range(self._c1, self._c2 + 1)] for r in range(self._r1, self._r2 + 1)]

    def _single(self):
        if (self._r1, self._c1) != (self._r2, self._c2):
            raise ValueError("a single cell is required")
        return self._x.cell(self._sheet, self._r1, self._c1)

    def _get(self, key):
        x = self._x.cells.get(key)
        if x is not None and x.value is NOT_CALCULATED:
            raise AssertionError(f"{key}: the fake does not calculate formulas; the adapter reads no formula cell")
        return None if x is None else x.value

    @property
    def value(self):
        self._x.tick()
        grid = [[self._get(k) for k in row] for row in self._keys()]
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1:
            return grid[0]
        if len(grid[0]) == 1:
            return [row[0] for row in grid]
        return grid

    @value.setter
    def value(self, data):
        self._put(data)

    @property
    def formula(self):
        self._x.tick()
        x = self._single()
        return x.formula or ("" if x.value is None else str(x.value))

    @formula.setter
    def formula(self, data):
        self._put(data)

    def _put(self, data):
        self._x.tick()
        keys = self._keys()
        if not isinstance(data, (list, tuple)):
            grid = [[data] * len(keys[0]) for _ in keys]
        elif data and isinstance(data[0], (list, tuple)):
            grid = data
        else:
            grid = [list(data)]  # xlwings writes a flat list as a row
        if len(grid) != len(keys) or any(len(g) != len(k) for g, k in zip(grid, keys)):
            raise ValueError(f"{len(grid)}x{len(grid[0])} values for a {len(keys)}x{len(keys[0])} range")
        for row_keys, row_values in zip(keys, grid):
            for key, value in zip(row_keys, row_values):
                x = self._x.cell(*key)
                x.value, x.formula = _typed(value)
                self._x.written.append(key)

    @property
    def note(self):
        self._x.tick()
        x = self._single()
        return None if x.note is None else FakeNote(self._x, x)

    def add_note(self, text):
        self._x.tick()
        if not isinstance(text, str):
            raise TypeError("Note text must be a string")
        if not text:
            raise ValueError("Note text must not be empty")
        x = self._single()
        if x.note is not None:
            raise ValueError("This cell already has a note")
        x.note = text
        return FakeNote(self._x, x)

    @property
    def color(self):
        self._x.tick()
        return self._single().color

    @color.setter
    def color(self, value):
        self._x.tick()
        for row in self._keys():
            for key in row:
                self._x.cell(*key).color = _rgb(value)

    @property
    def font(self):
        self._x.tick()
        return FakeFont(self._x, self)


class FakeNote:
    __slots__ = ("_x", "_cell")

    def __init__(self, x, cell):
        self._x, self._cell = x, cell

    @property
    def text(self):
        self._x.tick()
        return self._cell.note

    @text.setter
    def text(self, value):
        self._x.tick()
        self._cell.note = value

    def delete(self):
        self._x.tick()
        self._cell.note = None


class FakeFont:
    __slots__ = ("_x", "_range")

    def __init__(self, x, rng):
        self._x, self._range = x, rng

    @property
    def color(self):
        self._x.tick()
        return self._range._single().font

    @color.setter
    def color(self, value):
        self._x.tick()
        if value is None:
            raise TypeError("Font.color takes an RGB tuple or a hex string")
        for row in self._range._keys():
            for key in row:
                self._x.cell(*key).font = _rgb(value)


# --- workbooks --------------------------------------------------------------------------------------

_LOADED: dict[str, tuple[Path, Excel]] = {}


def _typed_file(data: dict, tmp: Path, name: str) -> tuple[Path, Excel]:
    key = json.dumps(data, sort_keys=True, default=str)
    if key not in _LOADED:
        _, layout, _ = fill_book(copy.deepcopy(data))
        book = template_book(layout)
        put_inputs(book, layout, copy.deepcopy(data))
        path = tmp / f"{name}-typed.xlsx"
        save(book, path, force=True)
        _LOADED[key] = (path, Excel.load(path))
    return _LOADED[key]


def typed_book(data: dict, tmp: Path, name: str) -> Excel:
    """The template for `data`'s form revision with `data` typed into its input cells, as Excel
    would hold it (a fresh copy per call; each file is written and loaded once)."""
    return _typed_file(data, tmp, name)[1].copy()


def file_path(data: dict, tmp: Path, name: str) -> Excel:
    """What `xlcredits fill` writes from the same typed-in workbook, loaded the same way."""
    typed, _ = _typed_file(data, tmp, name)
    out = tmp / f"{name}-filled.xlsx"
    assert cli(["fill", str(typed), "-o", str(out), "--force"]) in (0, 1)
    return Excel.load(out)


def differences(live_book: Excel, file_book: Excel) -> list[str]:
    a, b = live_book.snapshot(), file_book.snapshot()
    out = []
    for key in sorted(set(a) | set(b)):
        got, want = a.get(key), b.get(key)
        if got != want:
            out.append(f"{address(*key)}: live {got!r}, file {want!r}")
    return out


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("live")


@pytest.fixture
def caller(monkeypatch):
    """Make `xw.Book.caller()` return a fake book."""
    def use(excel: Excel) -> Excel:
        monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: excel.book))
        return excel
    return use


EQUIVALENCE = ["acme", "i24_3a", "obbba_2030", "rev_01_2024", "nj_regular", "nj_asc_combined", "nj_startup_scorp",
               "nj_existing_fiscal"]


# --- the fake itself --------------------------------------------------------------------------------

def test_the_fake_is_strict_and_excel_like(tmp):
    excel = typed_book(CASES_7207["i24_1a"], tmp, "i24_1a")
    book = excel.book
    rng = book.sheets["Audit"].range("$C$4")
    for attribute in ("api", "number_format", "options", "clear_contents"):
        with pytest.raises(AttributeError):
            getattr(rng, attribute)
    with pytest.raises(AttributeError):
        rng.number_format = "@"
    with pytest.raises(AttributeError):
        book.api  # noqa: B018
    with pytest.raises(TypeError):
        rng.value = Decimal("1.5")
    with pytest.raises(ValueError):
        book.sheets["Audit"].range("$C$4:$C$5").value = [1, 2]  # a flat list is a row
    rng.value = "2025"
    assert rng.value == 2025.0
    rng.value = "'2025"
    assert rng.value == "2025"
    rng.value = "=1+1"
    assert rng.formula == "=1+1"
    names = {n.name: n for n in book.names}
    assert names["XLC_form"].refers_to_range.value == "7207"
    assert book.sheets["Products"].range("$C$4:$C$6").value == [500.0, 1500.0, None]


# --- the same fill as `xlcredits fill` ------------------------------------------------------------------

@pytest.mark.parametrize("name", EQUIVALENCE)
def test_live_fill_writes_what_the_file_path_writes(tmp, name):
    data = ALL_CASES[name]
    excel = typed_book(data, tmp, name)
    result, layout = live.fill(excel.book)
    expected = file_path(data, tmp, name)
    assert differences(excel, expected) == []
    # the macro path writes exactly the plan, and never an input cell
    written = {address(*key) for key in excel.written}
    _, plan = plan_fill(live.XlwingsAdapter(typed_book(data, tmp, name).book))
    assert written == plan.cells_written()
    assert not written & layout.input_addresses()


def test_text_stays_text_and_numbers_stay_numbers(tmp):
    excel = typed_book(CASES_7207["acme"], tmp, "acme")
    live.fill(excel.book)
    book = excel.book
    names = {n.name: n for n in book.names}
    assert names["XLC_tax_year"].refers_to_range.value == "2025"  # text, as in the file
    assert names["XLC_engine"].refers_to_range.value == xlcredits.__version__
    state = json.loads(names["XLC_state"].refers_to_range.value)
    assert state["findings"] == 0
    assert names["F7207_8a"].refers_to_range.formula.startswith("=")


def test_the_adapter_refuses_to_write_an_input_cell(tmp):
    excel = typed_book(CASES_7207["acme"], tmp, "acme")
    adapter = live.XlwingsAdapter(excel.book)
    with pytest.raises(InputCellWritten):
        adapter.write("F7207_in_filer_name", "x")
    with pytest.raises(InputCellWritten):
        adapter.write("'Products'!$C$4", 1)
    assert excel.written == []


def test_filling_twice_leaves_no_stale_marks(tmp):
    data = CASES_7207["i24_3a"]
    excel = typed_book(data, tmp, "i24_3a")
    result, layout = live.fill(excel.book)
    assert [f.severity for f in result.findings] == ["warning", "warning"]
    sp = layout.schedules["products"]
    first = excel.cell(sp.sheet, sp.first_row, sp.cols["capacity_per_unit"])
    assert first.color == _rgb(HIGHLIGHT["warning"][0]) and "central inverter" in first.note.lower()

    once = excel.snapshot()
    live.fill(excel.book)
    assert excel.snapshot() == once  # the same inputs: the same book

    # the preparer fixes both rows (central inverters over 1,000 kW)
    excel.type(sp.address(0, "capacity_per_unit"), 1500000)
    excel.type(sp.address(1, "capacity_per_unit"), 2000000)
    result, _ = live.fill(excel.book)
    assert result.computed and not result.findings
    fixed = _7207([_cap("3a", 50, 1500000), _cap("3a", 100, 2000000)])
    assert differences(excel, file_path(fixed, tmp, "i24_3a-fixed")) == []


def test_a_removed_row_leaves_nothing_behind(tmp):
    data = CASES_7207["i24_3a"]
    excel = typed_book(data, tmp, "i24_3a")
    _, layout = live.fill(excel.book)
    sp = layout.schedules["products"]
    excel.type(sp.address(0, "capacity_per_unit"), 1500000)
    for column in sp.inputs():  # the preparer deletes the second row's inputs
        excel.type(sp.address(1, column.key), None)
    live.fill(excel.book)
    assert differences(excel, file_path(_7207([_cap("3a", 50, 1500000)]), tmp, "i24_3a-one-row")) == []


def test_a_cleared_mark_gives_an_input_field_its_help_note_back(tmp):
    """A finding's note replaces a field's help note; once the finding is gone the help should be
    back, as in a fresh `xlcredits fill` of the same inputs."""
    data = ALL_CASES["nj_regular"]
    excel = typed_book(data, tmp, "nj_regular")
    excel.type("NJ306_in_base_period_amount", 10**12)  # more than line 2: a note on the cell
    result, layout = live.fill(excel.book)
    assert [f.where for f in result.findings] == ["base_period_amount"]
    excel.type("NJ306_in_base_period_amount", data["base_period_amount"])
    live.fill(excel.book)
    assert differences(excel, file_path(data, tmp, "nj_regular")) == []


# --- main(): the ribbon button ------------------------------------------------------------------------

def test_main_fills_the_calling_book_and_says_how_it_went(tmp, caller):
    excel = caller(typed_book(CASES_7207["acme"], tmp, "acme"))
    xlcredits.main()
    assert excel.alerts == [{"prompt": "Form 7207 filled: line 8a $981,750.44 — 0 errors, 0 warnings. "
                                       "See the Audit sheet.", "title": "xlcredits", "mode": "info"}]
    assert excel.screen_updating == [True, False, True] and excel.calculation == ["automatic", "manual", "automatic"]
    assert excel.written


def test_the_message_names_the_bottom_line_and_the_findings(tmp, caller):
    data = ALL_CASES["i24_3a"]
    excel = caller(typed_book(data, tmp, "i24_3a"))
    xlcredits.main()
    prompt = excel.alerts[0]["prompt"]
    assert prompt.startswith("Form 7207 filled: line 8a $") and "0 errors, 2 warnings." in prompt
    assert "Highlighted cells carry a note" in prompt
    excel = caller(typed_book(ALL_CASES["nj_regular"], tmp, "nj_regular"))
    xlcredits.main()
    assert excel.alerts[0]["prompt"].startswith("Form NJ-306 filled: line 30 $")


def test_blocking_input_errors_are_marked_and_told(tmp, caller):
    data = copy.deepcopy(CASES_7207["i24_1a"])
    del data["components"][1]["units"]
    excel = caller(typed_book(data, tmp, "i24_1a-missing-units"))
    xlcredits.main()
    (alert,) = excel.alerts
    assert alert["mode"] == "critical" and "Traceback" not in alert["prompt"]
    assert alert["prompt"].startswith("Form 7207 not computed: 1 error in the inputs")
    assert "components[1].units is required" in alert["prompt"]
    layout = live.XlwingsAdapter(excel.book).layout
    names = {n.name: n for n in excel.book.names}
    assert names["F7207_8a"].refers_to_range.value is None
    assert names["XLC_status"].refers_to_range.value.startswith("Not computed")
    sp = layout.schedules["products"]
    assert excel.cell(sp.sheet, sp.first_row + 1, sp.cols["units"]).color == _rgb(HIGHLIGHT["error"][0])
    assert differences(excel, file_path(data, tmp, "i24_1a-missing-units")) == []


def test_a_workbook_that_is_not_a_form_says_what_to_do(tmp, caller):
    path = tmp / "Book1.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(path)
    excel = caller(Excel.load(path))
    xlcredits.main()
    (alert,) = excel.alerts
    assert alert["prompt"].startswith("Nothing was filled: This is not an xlcredits form workbook")
    assert alert["prompt"].endswith(ribbon.HOW_TO_START) and "xlcredits new 7207" in alert["prompt"]
    assert alert["mode"] == "critical" and excel.written == []
    assert excel.screen_updating[-1] is True and excel.calculation[-1] == "automatic"


def test_no_open_workbook(monkeypatch, tmp):
    excel = typed_book(CASES_7207["acme"], tmp, "acme")  # only its app is used

    def no_book(cls):
        raise Exception("Book.caller() must not be called directly.")

    class Apps:
        active = FakeApp(excel)

    monkeypatch.setattr(xw.Book, "caller", classmethod(no_book))
    monkeypatch.setattr(xw, "apps", Apps())
    xlcredits.main()
    assert excel.alerts[0]["prompt"].startswith("There is no open workbook to fill.")


def test_a_changed_layout_is_refused_before_anything_is_written(tmp, caller):
    excel = caller(typed_book(CASES_7207["acme"], tmp, "acme"))
    excel.names["F7207_8a"] = "='Form 7207'!$C$3"  # rows deleted above line 8a: it now sits on an input
    xlcredits.main()
    (alert,) = excel.alerts
    assert "layout was changed" in alert["prompt"] and "F7207_8a refers to 'Form 7207'!$C$3" in alert["prompt"]
    assert excel.written == [] and excel.screen_updating[-1] is True


def test_an_unexpected_failure_is_one_sentence(tmp, caller, monkeypatch):
    excel = caller(typed_book(CASES_7207["acme"], tmp, "acme"))

    def broken(book):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(live, "fill", broken)
    xlcredits.main()
    (alert,) = excel.alerts
    assert alert["prompt"].startswith("xlcredits could not fill this workbook (RuntimeError: disk on fire)")
    assert "Traceback" not in alert["prompt"]
    assert excel.screen_updating == [True, False, True] and excel.calculation[-1] == "automatic"


# --- speed: COM calls -------------------------------------------------------------------------------------

def _calls(data, tmp, name) -> tuple[int, int, int, int]:
    """COM calls to read (and plan), to set notes and colours, to write values and formulas; and
    the number of notes and highlights the plan sets."""
    excel = typed_book(data, tmp, name)
    adapter = live.XlwingsAdapter(excel.book)
    result, plan = plan_fill(adapter)
    reading = excel.calls
    plan.apply(adapter)
    marking = excel.calls - reading
    adapter.flush()
    assert result.computed
    marks = sum(1 for op in plan.ops if op.kind != "write")
    return reading, marking, excel.calls - reading - marking, marks


def test_com_calls_do_not_grow_with_the_rows(tmp):
    """Columns are read with one call and written one run per call: 400 rows cost what 4 do, but
    for the notes, a few calls each (the filler notes every row's rule values)."""
    few = _7207([_cap("1a", 10 + i, 100) for i in range(4)])
    many = _7207([_cap("1a", 10 + i, 100) for i in range(400)])
    read_few, mark_few, write_few, _ = _calls(few, tmp, "few")
    read_many, mark_many, write_many, marks = _calls(many, tmp, "many")
    assert read_many == read_few and write_many == write_few
    assert mark_many <= 3 * marks + 10  # sheet.range, .note, .add_note per noted cell (+ sheet look-ups)
    assert read_few + mark_few + write_few < 1000, (read_few, mark_few, write_few)
