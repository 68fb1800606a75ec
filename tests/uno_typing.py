"""Run by the system Python (python3-uno): open a workbook in LibreOffice over UNO and type into
cells as a user would (the EnterString command on the selected cell). Prints one JSON object:
{cell: value after typing}. Usage: python3 uno_typing.py WORKBOOK SHEET CELL [CELL ...]
(a CELL may name its own sheet: "Products!C500").

Starts its own soffice with a throw-away profile and ends it by its process id."""

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.append("/usr/lib/python3/dist-packages")
import uno  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(path, sheet_name, cells):
    pipe = "xlc" + uuid.uuid4().hex[:12]
    profile = tempfile.mkdtemp(prefix="xlc-lo-")
    soffice = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                                f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                           (prop("Hidden", True),))
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        sheet = doc.Sheets.getByName(sheet_name)
        frame = doc.CurrentController.Frame
        doc.CurrentController.setActiveSheet(sheet)
        out = {"protected": sheet.isProtected()}
        for ref in cells:
            where = doc.Sheets.getByName(ref.split("!")[0]) if "!" in ref else sheet
            doc.CurrentController.setActiveSheet(where)
            cell = where.getCellRangeByName(ref.split("!")[-1])
            doc.CurrentController.select(cell)
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", "123456"),))
            out[ref] = cell.getString()
        print(json.dumps(out))
        doc.close(True)
    finally:
        soffice.kill()  # its own process, by id
        soffice.wait(timeout=30)
        # soffice may re-exec as soffice.bin; the pipe name makes ours findable without a broad kill
        try:
            found = subprocess.run(["pgrep", "-f", pipe], capture_output=True, text=True).stdout.split()
            for pid in found:
                os.kill(int(pid), 9)
        except Exception:
            pass


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
