"""List the VBA modules LibreOffice imports from a workbook: run with the *system* python3 (the
UNO bridge, Debian's python3-uno, lives in /usr/lib/python3/dist-packages).

    python3 lo_vba.py FILE.xlsm  ->  prints JSON {"libraries": {name: [modules...]}, "sources": {module: text}}

LibreOffice refuses an .xlam as such; the caller passes a copy whose main part is typed as a
macro-enabled workbook (see NOTES: "Calc MS Excel 2007 VBA XML"). soffice runs headless with a
throw-away profile and is ended by its process id.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.append("/usr/lib/python3/dist-packages")

import uno  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(path):
    profile = tempfile.mkdtemp(prefix="xlc-lo-vba-")
    pipe = f"xlc_vba_{os.getpid()}"
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=profile)
    process = subprocess.Popen(["soffice", "--headless", "--norestore", "--nolockcheck", "--nodefault",
                                f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(300):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit("soffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                           (prop("Hidden", True), prop("FilterName", "Calc MS Excel 2007 VBA XML"),
                                            prop("MacroExecutionMode", 0)))
        libraries, sources = {}, {}
        basic = doc.BasicLibraries
        for name in basic.getElementNames():
            if name == "Standard" and not basic.getByName(name).getElementNames():
                continue
            basic.loadLibrary(name)
            library = basic.getByName(name)
            libraries[name] = sorted(library.getElementNames())
            for module in library.getElementNames():
                sources[module] = library.getByName(module)
        doc.close(True)
        print(json.dumps({"libraries": libraries, "sources": sources}))
    finally:
        family = _descendants(process.pid)  # soffice (oosplash) starts soffice.bin as its child
        try:
            desktop.terminate()
        except Exception:
            pass
        for pid in [process.pid, *family]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def _descendants(pid):
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry))
                frontier.append(int(entry))
    return found


if __name__ == "__main__":
    main(sys.argv[1])
