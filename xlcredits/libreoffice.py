"""LibreOffice headless as an independent spreadsheet engine (tests and the benchmark).

`recalculate(files, outdir)` converts workbooks to .xlsx with recalculation forced on load (a
fresh user profile whose registrymodifications.xcu sets Calc's OOXMLRecalcMode to 0 = always), so
every formula is evaluated by LibreOffice, not taken from the cached values xlcredits wrote.
`to_pdf(files, outdir)` prints them. One soffice run handles a batch of files (each run costs a
few seconds of start-up)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <item oor:path="/org.openoffice.Office.Calc/Formula/Load">
    <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
  </item>
  <item oor:path="/org.openoffice.Office.Calc/Formula/Load">
    <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
  </item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    pass


def _profile() -> Path:
    root = Path(tempfile.mkdtemp(prefix="xlc-lo-profile-"))
    (root / "user").mkdir()
    (root / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
    return root


def convert(files, outdir, to: str, timeout: int = 180) -> list[Path]:
    """Convert `files` (a path or a list of paths) with one soffice run; return the converted paths."""
    if SOFFICE is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui")
    files = [Path(files)] if isinstance(files, (str, os.PathLike)) else [Path(f) for f in files]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = _profile()
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=str(profile))
    try:
        run = subprocess.run([SOFFICE, "--headless", "--norestore", "--nolockcheck",
                              f"-env:UserInstallation={profile.as_uri()}", "--convert-to", to,
                              "--outdir", str(outdir), *map(str, files)],
                             capture_output=True, text=True, timeout=timeout, env=env)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = to.split(":")[0]
    out = [outdir / f"{f.stem}.{ext}" for f in files]
    missing = [p.name for p in out if not p.exists()]
    if missing:
        raise LibreOfficeError(f"soffice did not write {missing}: {run.stdout}\n{run.stderr}")
    return out


def recalculate(files, outdir) -> list[Path]:
    return convert(files, outdir, "xlsx")


def to_pdf(files, outdir) -> list[Path]:
    return convert(files, outdir, "pdf")
