"""One streamed pass over a worksheet's XML with expat, the C parser of the standard library:
each stored cell's value, style id and formula text, the hidden rows and columns and the merged
ranges, collected as plain tuples and dicts (no element tree, no cell objects).

Values are converted as openpyxl's own sheet reader converts cached values (`WorkSheetParser.
parse_cell` with data_only): numbers to int or float, dates by their cell's number format, shared
and inline strings (phonetic runs left out), booleans, error codes as their text. Client files are
untrusted: a sheet that declares an entity or refers to an external one is refused, as defusedxml
refuses it for openpyxl."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SEP = "\x01"  # expat joins an element's namespace and local name with this
_C, _V, _F, _ROW = f"{MAIN}{_SEP}c", f"{MAIN}{_SEP}v", f"{MAIN}{_SEP}f", f"{MAIN}{_SEP}row"
_IS, _T, _RPH = f"{MAIN}{_SEP}is", f"{MAIN}{_SEP}t", f"{MAIN}{_SEP}rPh"
_COL, _MERGE = f"{MAIN}{_SEP}col", f"{MAIN}{_SEP}mergeCell"
_HIDDEN = ("1", "true")
_CHUNK = 1 << 20


class DamagedSheet(ValueError):
    """A sheet part whose XML parses but whose content no spreadsheet program writes: the sentence
    names the cell (or the row) and what is wrong with it."""


_KINDS = {"n": "number", "b": "true/false value", "d": "date", "s": "text"}


@dataclass
class SheetCells:
    """What one pass over a sheet's XML found. Positions are 0-based (row, column)."""

    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    styles: dict[tuple[int, int], int] = field(default_factory=dict)  # only cells with a style other than 0
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # "=..." as the file stores it
    shared_formulas: bool = False  # one formula text for a range: `verify_checks.read_formulas` expands those
    hidden_rows: set[int] = field(default_factory=set)  # 1-based, as the file numbers them
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)  # 1-based (min, max) of each hidden <col>
    merged: list[str] = field(default_factory=list)  # "A1:B2"


@dataclass
class Conversions:
    """The workbook-wide facts a cell's value is converted with (openpyxl reads them once per book)."""

    shared_strings: Any  # list-like: index -> str
    date_formats: set[int]  # style ids whose number format shows a date
    timedelta_formats: set[int]  # ... or a duration
    epoch: Any
    style_count: int


class _Columns(dict):
    """Column letters -> 0-based index, worked out once per spelling."""

    def __missing__(self, letters: str) -> int:
        from openpyxl.utils.cell import column_index_from_string

        self[letters] = index = column_index_from_string(letters.upper()) - 1  # ValueError for nonsense, as openpyxl
        return index


_COLUMNS = _Columns()


def parse_sheet(source: BinaryIO, conv: Conversions) -> SheetCells:
    """Read a worksheet part once; damaged XML raises (expat's error, a ValueError, an IndexError)."""
    from xml.parsers import expat

    out = SheetCells()
    state = _State(out, conv)
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    parser.StartElementHandler = state.start
    parser.EndElementHandler = state.end
    parser.CharacterDataHandler = state.text
    parser.EntityDeclHandler = _entity_declared
    parser.UnparsedEntityDeclHandler = _entity_declared
    parser.ExternalEntityRefHandler = _external_entity
    while chunk := source.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return out


def _entity_declared(name, *_):
    from defusedxml import EntitiesForbidden

    raise EntitiesForbidden(name, None, None, None, None, None)


def _external_entity(context, base, system_id, public_id):
    from defusedxml import ExternalReferenceForbidden

    raise ExternalReferenceForbidden(context, base, system_id, public_id)


class _State:
    """The parser's position: the row and cell being read and the text being collected."""

    __slots__ = ("out", "conv", "row", "at", "col", "kind", "style", "v", "f", "inline", "phonetic", "buf", "collecting")

    def __init__(self, out: SheetCells, conv: Conversions):
        self.out, self.conv = out, conv
        self.row, self.at, self.col = 0, 0, 0  # the row counter, the cell's row, its column (1-based)
        self.kind = self.v = self.f = self.inline = None
        self.style, self.phonetic, self.collecting = 0, False, False
        self.buf: list[str] = []

    def start(self, name: str, attrs: dict) -> None:
        if name == _C:
            self._start_cell(attrs)
        elif name == _V or name == _F:
            self.collecting = True
            self.buf = []
            if name == _F and attrs.get("t") == "shared":
                self.out.shared_formulas = True
        elif name == _ROW:
            self._start_row(attrs)
        elif name == _T:
            if self.inline is not None and not self.phonetic:  # a run of an inline string, not its reading aid
                self.collecting = True
                self.buf = []
        elif name == _IS:
            self.inline = []
        elif name == _RPH:
            self.phonetic = True
        elif name == _COL:
            if attrs.get("hidden") in _HIDDEN:
                low = int(attrs["min"])
                self.out.hidden_columns.append((low, int(attrs.get("max", low))))
        elif name == _MERGE:
            ref = attrs.get("ref")
            if ref:
                self.out.merged.append(ref)

    def text(self, data: str) -> None:
        if self.collecting:
            self.buf.append(data)

    def end(self, name: str) -> None:
        if name == _C:
            key = (self.at - 1, self.col - 1)
            if self.f is not None:
                self.out.formulas[key] = self.f
            if self.style:
                self.out.styles[key] = self.style
            v = self.v
            try:
                self.out.values[key] = (self.conv.shared_strings[int(v)] if self.kind == "s" and v else
                                        _number(v, self.style, self.conv) if self.kind == "n" else self._value())
            except (ValueError, IndexError):
                raise DamagedSheet(self._unreadable_value()) from None
            self.v = self.f = self.inline = None
            self.collecting = False
        elif name == _V:
            if self.v is None:  # openpyxl reads a cell's first <v>
                self.v = "".join(self.buf)
            self.collecting = False
        elif name == _F:
            self.f = "=" + "".join(self.buf)
            self.collecting = False
        elif name == _T:
            if self.collecting and self.inline is not None:
                self.inline.append("".join(self.buf))
                self.buf = []
            self.collecting = False
        elif name == _RPH:
            self.phonetic = False

    def _unreadable_value(self) -> str:
        where = f"cell {_cell_name(self.at, self.col)}"
        if self.kind == "s":
            return (f"{where} refers to text number {self.v[:20]} of the workbook's {len(self.conv.shared_strings)}, "
                    f"which it does not have")
        return f"{where} holds {self.v[:20]!r}, which is not a {_KINDS.get(self.kind, 'value')}"

    def _start_row(self, attrs: dict) -> None:
        r = attrs.get("r")
        if r is None:
            self.row += 1
        else:
            try:
                self.row = int(r)
            except ValueError:
                try:
                    number = float(r)  # "7.0", as some programs write it
                except ValueError:
                    number = 0.5
                if not number.is_integer():
                    raise DamagedSheet(f"a row is numbered {r[:20]!r}") from None
                self.row = int(number)
        self.col = 0
        if attrs.get("hidden") in _HIDDEN:
            self.out.hidden_rows.add(self.row)

    def _start_cell(self, attrs: dict) -> None:
        ref = attrs.get("r")
        if ref:
            letters = ref.rstrip("0123456789")
            digits = ref[len(letters):]
            try:
                if not digits or not letters.isalpha():
                    from openpyxl.utils.cell import coordinate_to_tuple

                    self.at, self.col = coordinate_to_tuple(ref)  # "$A$1" and the like
                else:
                    self.at, self.col = int(digits), _COLUMNS[letters] + 1
            except ValueError:  # "1B", "ABCD1": no column has that name
                raise DamagedSheet(f"a cell is at {ref[:20]!r}, which is not a cell reference") from None
        else:  # openpyxl: the next column of the row being read
            self.at, self.col = self.row, self.col + 1
        self.kind = attrs.get("t", "n")
        style = attrs.get("s")
        self.style = int(style) if style else 0
        if not 0 <= self.style < self.conv.style_count:
            raise DamagedSheet(f"cell {_cell_name(self.at, self.col)} refers to style {self.style}, which the "
                               f"workbook does not have")
        self.v = self.f = self.inline = None
        self.buf = []

    def _value(self) -> Any:
        """The cached value of a cell that is neither a number nor a shared string, as openpyxl
        converts it (`WorkSheetParser.parse_cell`, data_only)."""
        kind, v = self.kind, self.v
        if kind == "inlineStr":
            return None if self.inline is None else "".join(self.inline)
        if not v:
            return None
        if kind == "b":
            return bool(int(v))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(v)
        return v  # "str" (a formula's text result), "e" (an error code) and anything else: the text


def _number(v: str | None, style: int, conv: Conversions) -> Any:
    if not v:
        return None
    number = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
    return _date(number, conv, style) if style in conv.date_formats else number


def _date(number, conv: Conversions, style: int) -> Any:
    from openpyxl.utils.datetime import from_excel

    try:
        return from_excel(number, conv.epoch, timedelta=style in conv.timedelta_formats)
    except (OverflowError, ValueError):
        return "#VALUE!"  # openpyxl's reading of a date serial out of range


def _cell_name(row: int, column: int) -> str:
    from .a1 import col_letter

    return f"{col_letter(column - 1)}{row}"
