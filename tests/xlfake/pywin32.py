"""Stand-ins for the pywin32 modules xlwings' Windows code imports, so that the installed
`xlwings._xlwindows`, `xlwings.udfs` and `xlwings.com_server` import on Linux unchanged.

Only what those modules touch at import time or on the paths the tests drive is given a
meaning; everything else is a name that fails loudly if it is ever called (a test that reaches
it must model it first). No module is installed if the real pywin32 is importable.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import sys
import types


class com_error(Exception):  # noqa: N801 - pywintypes' own name
    """pywintypes.com_error: args = (hresult, text, excepinfo, argerr)."""

    def __init__(self, hresult=-2147352567, text="Exception occurred.", excepinfo=None, argerr=None):
        super().__init__(hresult, text, excepinfo, argerr)
        self.hresult, self.strerror, self.excepinfo, self.argerror = hresult, text, excepinfo, argerr


class TimeType(dt.datetime):
    """pywintypes.datetime: what pywin32 returns for a date cell (a datetime with a time zone)."""


class _UTC(dt.tzinfo):
    def utcoffset(self, when):
        return dt.timedelta(0)

    def dst(self, when):
        return dt.timedelta(0)

    def tzname(self, when):
        return "Coordinated Universal Time"


class TimeZoneInfo:
    @staticmethod
    def utc():
        return UTC


UTC = _UTC()


def IID(text: str) -> str:  # noqa: N802
    return text.upper()


class MessageBoxes(list):
    """Every `win32api.MessageBox` shown: (title, text, style). The user clicks OK (1)."""


message_boxes = MessageBoxes()


def _message_box(hwnd, text, title, style=0):
    message_boxes.append((title, text, style))
    return 1


def _not_modelled(name):
    def call(*args, **kwargs):
        raise NotImplementedError(f"{name} is not modelled by the test harness")
    return call


class _Placeholder:
    """A class name pywin32 exports that xlwings only uses for isinstance checks."""


def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    module.__file__ = f"<xlfake {name}>"
    return module


def _modules() -> dict[str, types.ModuleType]:
    pywintypes = _module("pywintypes", com_error=com_error, error=com_error, TimeType=TimeType, IID=IID)
    pythoncom = _module(
        "pythoncom", CoInitialize=lambda *a: None, CoUninitialize=lambda *a: None,
        IID_IDispatch=IID("{00020400-0000-0000-C000-000000000046}"),
        IID_IEnumVARIANT=IID("{00020404-0000-0000-C000-000000000046}"),
        TypeIIDs={}, com_error=com_error, ole_error=com_error, DISPATCH_PROPERTYGET=2, DISPATCH_PROPERTYPUT=4,
        CLSCTX_LOCAL_SERVER=4, REGCLS_MULTIPLEUSE=1, REGCLS_SUSPENDED=4,
        PumpWaitingMessages=lambda *a: 0, EnableQuitMessage=lambda *a: None,
        **{n: _not_modelled(f"pythoncom.{n}") for n in (
            "CoMarshalInterThreadInterfaceInStream", "CoGetInterfaceAndReleaseStream", "CoRegisterClassObject",
            "CoResumeClassObjects", "CoRevokeClassObject", "MakePyFactory", "PyCom_PyObjectFromIUnknown", "new")})
    pythoncom.TypeIIDs[pythoncom.IID_IDispatch] = _Placeholder
    win32api = _module("win32api", MessageBox=_message_box, GetCurrentThreadId=lambda: 1,
                       **{n: _not_modelled(f"win32api.{n}") for n in ("OpenProcess", "TerminateProcess",
                                                                        "CloseHandle")})
    win32con = _module("win32con", MB_OK=0, MB_OKCANCEL=1, MB_YESNOCANCEL=3, MB_YESNO=4, MB_ICONWARNING=0x30,
                       MB_ICONINFORMATION=0x40)
    win32gui = _module("win32gui", FindWindowEx=lambda *a: 0)
    win32process = _module("win32process", GetWindowThreadProcessId=lambda hwnd: (1, 4242))
    win32timezone = _module("win32timezone", TimeZoneInfo=TimeZoneInfo)
    win32event = _module("win32event", INFINITE=-1, QS_ALLEVENTS=0x4BF, WAIT_OBJECT_0=0,
                         MsgWaitForMultipleObjects=_not_modelled("win32event.MsgWaitForMultipleObjects"))
    client = _module("win32com.client", CDispatch=type("CDispatch", (_Placeholder,), {}),
                     CoClassBaseClass=type("CoClassBaseClass", (_Placeholder,), {}),
                     DispatchBaseClass=type("DispatchBaseClass", (_Placeholder,), {}),
                     Dispatch=lambda obj, *a, **k: obj,  # the fake objects are already "dispatched"
                     DispatchEx=_not_modelled("win32com.client.DispatchEx (start a new Excel)"),
                     GetObject=_not_modelled("win32com.client.GetObject"))
    client.gencache = _module("win32com.client.gencache", EnsureModule=_not_modelled("gencache.EnsureModule"))
    server = _module("win32com.server")
    server.dispatcher = _module("win32com.server.dispatcher")
    server.policy = _module("win32com.server.policy", DesignatedWrapPolicy=object)
    server.util = _module("win32com.server.util", wrap=_not_modelled("win32com.server.util.wrap"))
    win32com = _module("win32com", client=client, server=server)
    win32com.__path__ = []
    return {m.__name__: m for m in (pywintypes, pythoncom, win32api, win32con, win32gui, win32process,
                                    win32timezone, win32event, win32com, client, client.gencache, server,
                                    server.dispatcher, server.policy, server.util)}


def install() -> bool:
    """Put the stand-ins in `sys.modules` (unless pywin32 itself is there). True if installed."""
    try:
        import pywintypes  # noqa: F401
        return "xlfake" in getattr(sys.modules["pywintypes"], "__file__", "")
    except ImportError:
        pass
    sys.modules.update(_modules())
    return True


class _Dll:
    """A Windows DLL as ctypes would load it: xlwings calls `ole32.CLSIDFromString` at import time
    (harmless here) and looks up `PyCom_PyObjectFromIUnknown`; any other call fails loudly."""

    def __init__(self, name="dll"):
        self._name = name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "CLSIDFromString":
            return lambda *a: 0
        if name in ("ole32", "oleacc", "user32", "kernel32"):
            return _Dll(name)
        return _Function(f"{self._name}.{name}")


class _Function:
    def __init__(self, name):
        self.name = name

    def __call__(self, *args):
        raise NotImplementedError(f"{self.name}: a Windows DLL call, not modelled by the test harness")


def windows_ctypes():
    """`from ctypes import oledll, windll` and `PyDLL(pythoncom.__file__)`, for the duration of
    xlwings' import; returns what to undo."""
    saved = {n: getattr(ctypes, n) for n in ("windll", "oledll", "PyDLL") if hasattr(ctypes, n)}
    ctypes.windll, ctypes.oledll = _Dll("windll"), _Dll("oledll")
    ctypes.PyDLL = lambda path, *a, **k: _Dll(path) if str(path).startswith("<xlfake") else saved["PyDLL"](path, *a, **k)
    return saved


def remove_windows_ctypes(saved):
    for n in ("windll", "oledll", "PyDLL"):
        if n in saved:
            setattr(ctypes, n, saved[n])
        elif hasattr(ctypes, n):
            delattr(ctypes, n)
