"""The README as a new user follows it: a fresh copy of the repository, `scripts/example`, then every
shell block top to bottom exactly as written.

A block preceded by `<!-- readme-test: skip (why) -->` is not run (the whole test suite, the
minutes-long benchmark); blocks that are not ```bash (the Windows Command Prompt steps) are not
shell for this machine. The copy shares this checkout's `.venv` (a symlink) so the test takes
seconds; `test_fresh_install_from_nothing` (marked slow) makes its own `.venv` from the package
registry as a first-time user does.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\b")


def shell_blocks(text: str) -> list[tuple[int, str, bool]]:
    """(line number, code, skipped) of every ```bash block, in order."""
    blocks = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```bash":
            start = i + 1
            j = start
            while lines[j].strip() != "```":
                j += 1
            before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            blocks.append((start + 1, "\n".join(lines[start:j]), bool(SKIP.search(before))))
            i = j
        i += 1
    return blocks


def fresh_copy(target: Path) -> Path:
    """The files a fresh clone of this checkout would have (tracked, plus new files not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def installed_key(extras: str = "") -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    return f"{digest} extras={extras} python={sys.version.split()[0]}"


def run_block(code: str, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_readme_has_the_two_commands_and_the_command_blocks():
    blocks = shell_blocks(README.read_text(encoding="utf-8"))
    run = [code for _, code, skipped in blocks if not skipped]
    assert run[0].splitlines()[0].startswith("scripts/example")
    assert any(code.startswith("scripts/test") for _, code, skipped in blocks if skipped)
    # a new user's order: the two commands, then how an accountant installs the add-in in Excel
    sections = re.findall(r"^## (.+)$", README.read_text(encoding="utf-8"), re.M)
    assert sections[:2] == ["Two commands on a fresh machine", "Use it in Excel"], sections
    # a bare `xlcredits` (or `python`) only after the environment is activated in that same block
    # (skipped blocks too: a reader copies them)
    for _, code, _ in blocks:
        if re.search(r"^(\S+=\S+ )?(xlcredits|python) ", code, re.M):
            assert code.startswith("source .venv/bin/activate"), code


def test_every_readme_block_runs_top_to_bottom_in_a_fresh_copy(tmp_path):
    venv = Path(sys.prefix)
    stamp = venv / ".xlcredits-installed"
    if venv == Path(sys.base_prefix) or not stamp.is_file() or installed_key() not in stamp.read_text().split("\n"):
        pytest.skip("run under the .venv that scripts/setup made (scripts/test does)")
    clone = fresh_copy(tmp_path / "xlcredits")
    (clone / ".venv").symlink_to(venv)
    for line, code, skipped in shell_blocks(README.read_text(encoding="utf-8")):
        if skipped:
            continue
        done = run_block(code, clone)
        shown = f"README line {line}:\n{code}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
        assert done.returncode == 0, shown
        assert "Traceback" not in done.stdout + done.stderr, shown
    # what the blocks promised is there
    assert (clone / "out" / "form7207_acme_2025.xlsx").is_file()
    for name in ("acme.xlsx", "acme-filled.xlsx", "acme-refilled.xlsx", "acme-inputs.json", "intake.xlsx",
                 "form7207.schema.json", "returns/summary.xlsx", "inputs/form7207_acme_2025.json",
                 "Acme-Solar-Manufacturing-LLC-7207-2025-for-review.xlsx",
                 "Acme-Solar-Manufacturing-LLC-7207-2025-for-review.eml", "Garden-State-NJ-306-2026.xlsx",
                 "nj306-2026.json"):
        assert (clone / name).is_file(), name
    # a second run of the example installs nothing (the stamp) and says nothing about setup
    again = run_block("scripts/example", clone)
    assert again.returncode == 0 and "installing" not in again.stderr


def test_an_old_python_is_named_before_anything_is_installed(tmp_path):
    """Python 3.10 on the PATH (and no newer one): setup stops at once and says what to do."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python3"
    fake.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.10.12' && exit 0\nexit 1\n")
    fake.chmod(0o755)
    for tool in ("bash", "dirname"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "setup", clone / "scripts" / "setup")
    shutil.copy2(ROOT / "pyproject.toml", clone / "pyproject.toml")
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run([str(bin_dir / "bash"), "scripts/setup"], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 1
    assert "needs Python 3.11 or later" in done.stderr and "3.10.12" in done.stderr
    assert "PYTHON=" in done.stderr  # how to point it at another Python
    assert not (clone / ".venv").exists()


@pytest.mark.slow
def test_fresh_install_from_nothing(tmp_path):
    """scripts/example in a copy without .venv: creates it, installs only the runtime packages."""
    if os.environ.get("XLCREDITS_OFFLINE"):
        pytest.skip("no package registry")
    clone = fresh_copy(tmp_path / "xlcredits")
    done = run_block("scripts/example", clone, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Form 7207" in done.stdout and (clone / "out" / "form7207_acme_2025.xlsx").is_file()
    assert "setup:   Collecting" in done.stderr or "setup:   Installing" in done.stderr  # progress shown
    have = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                          capture_output=True, text=True).stdout.lower()
    assert "pydantic" in have and "pytest" not in have and "hypothesis" not in have
