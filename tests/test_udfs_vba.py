"""What Excel would get from "Import Functions": xlwings' own VBA wrapper generator run on `udfs`.

On Linux `xw.func`/`xw.arg` are no-op decorators, so the module is imported again with xlwings'
Windows decorators (`xlwings.udfs.xlfunc`/`xlarg`), whose module loads once its Windows-only
imports (pythoncom, pywintypes, win32com.client) are stubbed. Then xlwings' `import_udfs` runs
against a fake workbook that records the VBA module it would import and the `MacroOptions`
(Function Wizard descriptions and category) it would set.
"""

import importlib
import inspect
import re
import sys
import types
from io import StringIO

import pytest

import xlwings

EXPECTED = {
    "CREDIT_45X": ["component", "quantity", "Optional capacity_per_unit", "Optional year_sold",
                   "Optional year_produced", "Optional tax_year_begins", "Optional macr"],
    "RATE_45X": ["component"],
    "UNIT_45X": ["component"],
    "LINE_45X": ["component"],
    "PHASEOUT_45X": ["year", "Optional schedule", "Optional tax_year_begins"],
    "MACR_THRESHOLD_45X": ["category", "year_sold"],
    "NJ_RD_CREDIT": ["method", "qre", "base", "Optional avg_gross_receipts", "Optional energy_consortia",
                     "Optional basic_research_payments", "Optional base_period_amount"],
    "NJ_MINIMUM_TAX": ["nj_gross_receipts", "Optional return_type", "Optional group_payroll",
                       "Optional period_months"],
    "NJ_FIXED_BASE_STARTUP": ["credit_year", "history", "Optional selected_years"],
    "NJ_FIXED_BASE_EXISTING": ["qre_total", "gross_receipts_total"],
    "NJ_ALLOWABLE_CREDIT": ["credit_available", "liability", "minimum_tax", "Optional other_credits"],
}


class ComError(Exception):
    pass


def _stub_windows_modules(monkeypatch):
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pythoncom.IID_IDispatch = object()
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = ComError
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *a, **k: None
    win32com.client = client
    for name, module in {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com,
                         "win32com.client": client}.items():
        monkeypatch.setitem(sys.modules, name, module)


@pytest.fixture
def windows_udfs(monkeypatch):
    """(xlwings.udfs, udfs decorated as on Windows); sys.modules restored afterwards."""
    _stub_windows_modules(monkeypatch)
    saved = {k: v for k, v in sys.modules.items() if k == "udfs" or k.startswith("udfs.") or k == "xlwings.udfs"}
    for name in saved:
        del sys.modules[name]
    try:
        xu = importlib.import_module("xlwings.udfs")
        monkeypatch.setattr(xlwings, "func", xu.xlfunc)
        monkeypatch.setattr(xlwings, "arg", xu.xlarg)
        monkeypatch.setattr(xlwings, "ret", xu.xlret)
        module = importlib.import_module("udfs")
        yield xu, module
    finally:
        for name in [k for k in sys.modules if k == "udfs" or k.startswith("udfs.") or k == "xlwings.udfs"]:
            del sys.modules[name]
        sys.modules.update(saved)


class FakeWorkbook:
    """Just what xlwings.udfs.import_udfs touches on an add-in workbook."""

    Name = "xlcredits.xlam"

    def __init__(self):
        self.imported = None
        self.macro_options = []
        book = self

        class Components:
            def __call__(self, name):
                raise ComError("no such component")

            def Remove(self, component):
                pass

            def Import(self, path):
                with open(path, encoding="utf-8") as handle:
                    book.imported = handle.read()

        class Application:
            Version = "16.0"

            def MacroOptions(self, macro, **kwargs):
                book.macro_options.append((macro, kwargs))

        self.VBProject = types.SimpleNamespace(VBComponents=Components())
        self.Application = Application()


def _signatures(vba: str) -> dict[str, list[str]]:
    found = {}
    for name, params in re.findall(r"^Function (\w+)\((.*)\)$", vba, re.M):
        found[name] = [p.strip() for p in params.split(",")] if params else []
    return found


def test_wrappers_excel_would_get(windows_udfs):
    xu, module = windows_udfs
    out = StringIO()
    xu.generate_vba_wrapper("udfs", module, out, FakeWorkbook())
    vba = out.getvalue()
    assert _signatures(vba) == EXPECTED
    assert "Sub " not in vba.replace("End Sub", "")
    for name, params in EXPECTED.items():
        args = ", ".join(p.replace("Optional ", "") for p in params)
        # an add-in calls back with ActiveWorkbook, the workbook whose cell is being calculated
        assert (f'{name} = XLPy.CallUDF("udfs", "{name}", Array({args}), ActiveWorkbook, Application.Caller)'
                in vba)
        assert f"{name} = Err.Description" in vba


def test_import_functions_sets_descriptions_and_category(windows_udfs):
    xu, module = windows_udfs
    xu.udf_modules["udfs"] = {"module": module, "filename": module.__file__, "filetime": None}
    book = FakeWorkbook()
    xu.import_udfs("udfs", book)
    assert book.imported.startswith('Attribute VB_Name = "xlwings_udfs"')
    assert set(_signatures(book.imported)) == set(EXPECTED)
    options = {macro: kw for macro, kw in book.macro_options}
    assert set(options) == {f"'xlcredits.xlam'!{name}" for name in EXPECTED}
    for name in EXPECTED:
        function = getattr(module, name)
        kw = options[f"'xlcredits.xlam'!{name}"]
        assert kw["Category"] == "Tax Credits"
        # the docstring is the Function Wizard description, whole (Excel keeps 255 characters)
        assert kw["Description"] == function.__doc__ and 20 < len(function.__doc__) <= 255
        params = list(inspect.signature(function).parameters)
        docs = kw["ArgumentDescriptions"]
        assert len(docs) == len(params)
        for param, doc in zip(params, docs):
            assert not doc.startswith("Positional argument"), f"{name}.{param} has no doc"
            assert 10 < len(doc) <= 255, (name, param, len(doc))


def test_type_hints_are_converters_xlwings_knows(windows_udfs):
    """Every argument and result is hinted `Any`: xlwings' default value converter (the one an
    unhinted argument gets: scalars, 1-D and 2-D lists as Excel gives them), and the hint xlwings
    Lite recommends for cell arguments. No classic-only options (legacy `expand`, async)."""
    xu, module = windows_udfs
    from typing import Any

    from xlwings import conversion

    assert conversion.accessors[Any] is conversion.accessors[None] is conversion.ValueAccessor
    for name in EXPECTED:
        info = getattr(module, name).__xlfunc__
        assert info["category"] == "Tax Credits"
        assert info["ret"]["options"] == {"convert": Any}
        assert info["async_mode"] is None and info["volatile"] is False
        for arg in info["args"]:
            assert arg["options"] == {"convert": Any, "err_to_str": True}, (name, arg["name"])
