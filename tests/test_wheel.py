"""xlcredits as a user installs it: a wheel built from a fresh copy, installed into a new virtual
environment in another folder, then the quick start, `new`, `fill`, the examples and the bench.

The new environment gets xlcredits only from the wheel; its dependencies (pydantic, openpyxl, ...)
are taken from this checkout's environment through a path entry, so the test needs no registry and
takes seconds. (tests/test_readme.py's slow test installs from the registry as a new user does.)
"""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from test_readme import fresh_copy

ROOT = Path(__file__).resolve().parents[1]


def test_package_examples_are_the_repository_examples():
    """xlcredits/examples/ ships inside the wheel; examples/ is what the tests and the README use.
    Every file of examples/ is there, byte for byte (after changing one: cp examples/* xlcredits/examples/)."""
    repo = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_file())
    packaged = sorted(p.name for p in (ROOT / "xlcredits" / "examples").iterdir()
                      if p.is_file() and p.name != "__init__.py")
    assert repo == packaged
    for name in repo:
        assert filecmp.cmp(ROOT / "examples" / name, ROOT / "xlcredits" / "examples" / name, shallow=False), name


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    source = fresh_copy(tmp / "src")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(tmp / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("xlcredits-*.whl"))
    venv = tmp / "user-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    target = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; "
                                  "print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True,
                                 check=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, timeout=300, capture_output=True)
    # the dependencies, from this environment, after the wheel's own files (a plain path entry:
    # this environment's editable xlcredits is not activated by it)
    (target / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return wheel, venv, tmp / "work"


def run(venv: Path, *args, cwd: Path, timeout: int = 120):
    cwd.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(venv / "bin" / "python"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_wheel_carries_examples_rules_and_addin_sources(installed):
    wheel, _, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("xlcredits/examples/form7207_acme_2025.json", "xlcredits/examples/nj306_regular_2025.json",
                   "xlcredits/rules/f7207.toml", "xlcredits/rules/nj306.toml", "udfs/__init__.py"):
        assert needed in names, needed


def test_quick_start_new_fill_from_the_wheel(installed):
    _, venv, work = installed
    xl = ("-m", "xlcredits")
    where = run(venv, "-c", "import xlcredits; print(xlcredits.__file__)", cwd=work)
    assert str(venv) in where.stdout, where  # the wheel's copy, not this checkout
    listed = run(venv, *xl, "example", cwd=work)
    assert listed.returncode == 0 and "form7207_acme_2025.json" in listed.stdout
    copied = run(venv, *xl, "example", "-o", "inputs", cwd=work)
    assert copied.returncode == 0 and (work / "inputs" / "form7207_acme_2025.json").is_file()
    computed = run(venv, *xl, "compute", "inputs/form7207_acme_2025.json", "--format", "text", cwd=work)
    assert computed.returncode == 0 and "981,750.44" in computed.stdout, computed.stderr
    new = run(venv, *xl, "new", "7207", "--tax-year", "2025", "-o", "blank.xlsx", cwd=work)
    assert new.returncode == 0 and (work / "blank.xlsx").is_file(), new.stderr
    filled = run(venv, *xl, "fill", "inputs/form7207_acme_2025.json", "-o", "acme.xlsx", cwd=work)
    assert filled.returncode == 0 and "981,750.44" in filled.stdout, filled.stderr
    blank = run(venv, *xl, "fill", "blank.xlsx", "-o", "blank-filled.xlsx", cwd=work)
    assert blank.returncode == 1 and "Nothing to compute" in blank.stdout
    for text in (listed, copied, computed, new, filled, blank):
        assert "Traceback" not in text.stdout + text.stderr
        assert "workbooks\\" not in text.stdout + text.stderr and "workbooks/" not in text.stdout + text.stderr


def test_build_addin_writes_where_the_user_says(installed):
    _, venv, work = installed
    done = run(venv, "-m", "xlcredits", "build-addin", "-o", "mine/xlcredits.xlam", cwd=work)
    if done.returncode == 1 and "template" in (done.stdout + done.stderr):
        pytest.skip("xlwings' ribbon template is not installed")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (work / "mine" / "xlcredits.xlam").is_file()
    assert not list((installed[1]).rglob("workbooks/xlcredits.xlam"))  # nothing written into the environment


SMALL_MEASURE = """
import json, sys, tempfile
from pathlib import Path
from xlcredits import bench
with tempfile.TemporaryDirectory() as tmp:
    figures = bench.bench_fill_verify(Path(tmp), 20, 1) + bench.bench_com_calls(Path(tmp))
print(json.dumps({f.key: f.value for f in figures}))
print(bench.table(figures))
"""


def test_bench_from_the_wheel(installed):
    """The bench's interface from a wheel: its whole help, and one small measure (a full or even
    --quick run takes minutes: the README says so and the integrator runs it) through the same
    functions `python -m xlcredits.bench` calls. Outside a source checkout the COM-count measure,
    whose fake of Excel lives in tests/xlfake, reports n/a instead of failing."""
    _, venv, work = installed
    helped = run(venv, "-m", "xlcredits.bench", "--help", cwd=work)
    assert helped.returncode == 0 and helped.stderr == ""
    text = " ".join(helped.stdout.split())
    assert text.startswith("usage: python -m xlcredits.bench [-h] [--quick] [--json]")
    # the whole description and both options' help, not cut off
    assert "print each figure with its ratio and target." in text
    assert "the full run is the measurement)" in text and "one JSON object with stable keys" in text
    measured = run(venv, "-c", SMALL_MEASURE, cwd=work, timeout=300)
    assert measured.returncode == 0, measured.stdout[-2000:] + measured.stderr[-2000:]
    first, *table = measured.stdout.splitlines()
    figures = json.loads(first)
    assert list(figures) == ["fill_20_vs_xlsxwriter", "verify_20_vs_readonly", "com_calls_fill_example",
                             "com_calls_fill_2000"]
    assert figures["fill_20_vs_xlsxwriter"] > 0 and figures["verify_20_vs_readonly"] > 0
    assert figures["com_calls_fill_example"] is None and figures["com_calls_fill_2000"] is None
    com = [row for row in table if row.startswith("com_calls_fill_example")]
    assert len(com) == 1 and " n/a " in com[0] and "needs a source checkout" in com[0]
    assert "Traceback" not in measured.stdout + measured.stderr


def test_excel_setup_dry_run_from_the_wheel(installed):
    """Issue 12: the wheel in a fresh environment shows what setup would do and builds the add-in,
    without Excel (setup has no step that automates Excel)."""
    _, venv, work = installed
    done = run(venv, "-m", "xlcredits", "excel-setup", "--dry-run", cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "py -m xlcredits excel-setup would (nothing is changed by --dry-run):" in done.stdout
    assert "The add-in builds: xlcredits.xlam" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert not (work / "xlcredits.xlam").exists()  # built in a temporary folder, nothing left behind
