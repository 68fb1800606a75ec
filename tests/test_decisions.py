"""The project's decisions live inside the repository and every ID resolves.

Code, tests, the README and the workbook notes cite decisions by ID (F7207-D5, NJ306-A3). Each ID
must be an entry of xlcredits/rules/decisions_*.toml with its rule, its sources and the test that
proves it, and docs/decisions.md (generated from those files) must be current.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DECISION_ID = re.compile(r"\b(?:F7207-D\d+|NJ306-[AD]\d+)\b")
# The notes outside the repository used bare IDs (the word "decision" and A3, or a section sign and A3):
# a reader of the repository cannot resolve them.
BARE_ID = re.compile(r"\bdecisions? [AD]\d+\b|§ ?\d+ [AD]\d+\b")
SKIP = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", "out"}
SUFFIXES = {".py", ".md", ".toml", ".json", ".yaml", ".yml", ".txt", ".csv", ".bas", ".cls", ".sh", ""}
FILES = {"decisions_f7207": "F7207-D", "decisions_nj306": "NJ306-"}


@cache
def decisions() -> dict[str, dict]:
    found = {}
    for stem, prefix in FILES.items():
        table = tomllib.loads((ROOT / "xlcredits/rules" / f"{stem}.toml").read_text(encoding="utf-8"))
        for key, entry in table.items():
            assert key.startswith(prefix) and DECISION_ID.fullmatch(key), f"{stem}.toml: badly named {key}"
            assert key not in found, f"{key} is defined twice"
            found[key] = entry
    return found


@cache
def _text_files() -> tuple[tuple[str, str], ...]:
    return tuple(_read_text_files())


def _read_text_files():
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if path.is_file() and path.suffix.lower() in SUFFIXES \
                and not any(part in SKIP or part.endswith(".egg-info") for part in rel.parts):
            try:
                yield rel.as_posix(), path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def test_every_decision_id_cited_in_the_repository_is_defined():
    known = decisions()
    missing = [f"{rel}:{n}: {match}" for rel, text in _text_files()
               for n, line in enumerate(text.splitlines(), 1) for match in DECISION_ID.findall(line)
               if match not in known]
    assert not missing, "decision IDs with no entry in xlcredits/rules/decisions_*.toml:\n" + "\n".join(missing)


def test_no_bare_decision_ids_from_notes_outside_the_repository():
    bare = [f"{rel}:{n}: {line.strip()}" for rel, text in _text_files()
            for n, line in enumerate(text.splitlines(), 1) if BARE_ID.search(line)]
    assert not bare, "cite the full ID (NJ306-A3, F7207-D5):\n" + "\n".join(bare)


def test_every_decision_states_its_rule_and_sources():
    for key, entry in decisions().items():
        assert set(entry) <= {"rule", "sources", "tested_by"}, (key, sorted(entry))
        assert isinstance(entry["rule"], str) and len(entry["rule"]) > 20, key
        assert entry["sources"] and all(isinstance(s, str) and s.strip() for s in entry["sources"]), key


def test_every_decision_names_an_existing_test():
    for key, entry in decisions().items():
        path, sep, name = entry["tested_by"].partition("::")
        assert sep and path.startswith("tests/test_") and path.endswith(".py"), (key, entry["tested_by"])
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        tests = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert name in tests and name.startswith("test_"), f"{key}: {entry['tested_by']} is not a test"


def test_every_decision_is_cited_somewhere_besides_its_own_file():
    """A decision no code, test or note refers to is either dead or uncited where it applies."""
    cited = {match for rel, text in _text_files()
             if not rel.startswith(("xlcredits/rules/decisions_", "docs/decisions.md"))
             for match in DECISION_ID.findall(text)}
    assert not set(decisions()) - cited, sorted(set(decisions()) - cited)


def test_docs_decisions_md_is_generated_from_the_toml_files():
    spec = importlib.util.spec_from_file_location("decisions_doc", ROOT / "scripts/decisions_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (ROOT / "docs/decisions.md").read_text(encoding="utf-8")
    assert page == module.render(), "docs/decisions.md is out of date: run python scripts/decisions_doc.py"
    for key in decisions():
        assert f"### {key}\n" in page, key


def test_the_patterns():
    assert DECISION_ID.findall("floored at zero (NJ306-A1); see F7207-D17") == ["NJ306-A1", "F7207-D17"]
    assert not DECISION_ID.search("F7207_8a NJ306_28")  # defined names of form lines, not decisions
    assert BARE_ID.search("(decision" + " A7: $562.50)") and BARE_ID.search("nj306 §5" + " A3")
    assert not BARE_ID.search("NJ306-A7 and line 3a")
