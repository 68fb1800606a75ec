"""The `xlcredits` command as a user runs it: exit codes, JSON on stdout, never a traceback."""

import json
import re
import subprocess
import sys

import pytest

from conftest import EXAMPLES
from xlcredits.jsonio import loads


def xlcredits(*args, input_text=None):
    return subprocess.run([sys.executable, "-m", "xlcredits", *args], capture_output=True, text=True,
                          input=input_text, timeout=120)


@pytest.mark.parametrize("content,needle", [
    ("{not json", "not valid JSON"),
    ('{"form": "7207", "tax_year": NaN}', "NaN is not a number"),
    ('[1, 2]', "JSON object"),
    ('{"form": "1040", "tax_year": 2025}', "prepares"),
    ('{"form": "7207", "tax_year": 2025, "components": [{"line": "1e", "units": 5}]}', "capacity_per_unit"),
])
def test_bad_input_exits_1_with_findings_and_no_traceback(tmp_path, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    run = xlcredits("compute", str(path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    out = loads(run.stdout)
    assert out["findings"] and out["findings"][0]["severity"] == "error"
    assert any(needle in f["message"] for f in out["findings"]), out["findings"]


def test_missing_file_and_binary_file(tmp_path):
    run = xlcredits("compute", str(tmp_path / "nope.json"))
    assert run.returncode == 1 and "no such file" in run.stdout
    binary = tmp_path / "x.json"
    binary.write_bytes(b"\x00\xff\xfe\x81binary")
    run = xlcredits("compute", str(binary))
    assert run.returncode == 1 and "not UTF-8" in run.stdout
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00")  # a workbook given as the JSON input
    run = xlcredits("compute", str(binary))
    assert run.returncode == 1 and "x.json is a zip package such as an .xlsx workbook, not a JSON input" in run.stdout


def test_text_format_shows_lines_explanations_and_findings(tmp_path):
    run = xlcredits("compute", str(EXAMPLES / "form7207_acme_2025.json"), "--format", "text")
    assert run.returncode == 0, run.stderr
    assert "981,750.44" in run.stdout
    assert "300 × 100 + 400 × 200" in run.stdout
    data = json.loads((EXAMPLES / "form7207_acme_2025.json").read_text())
    data["components"][0]["sold_year"] = 2024
    path = tmp_path / "warn.json"
    path.write_text(json.dumps(data))
    run = xlcredits("compute", str(path), "--format", "text")
    # sold in the year before the tax year: the row earns nothing, an error on a computed form
    # [26 U.S.C. 45X(a)(1)(B)] (decision F7207-D1)
    assert run.returncode == 0 and "ERROR" in run.stdout and "components[0].sold_year" in run.stdout


def test_warnings_and_credit_zeroing_errors_still_exit_0(tmp_path):
    data = {"form": "7207", "tax_year": 2026, "attestations": {"prohibited_foreign_entity": True},
            "components": [{"line": "1e", "units": 1, "capacity_per_unit": 100}]}
    path = tmp_path / "pfe.json"
    path.write_text(json.dumps(data))
    run = xlcredits("compute", str(path))
    assert run.returncode == 0
    out = loads(run.stdout)
    assert out["lines"]["8a"] == 0
    assert any(f["severity"] == "error" for f in out["findings"])


def test_schema_command():
    run = xlcredits("schema", "7207")
    assert run.returncode == 0
    schema = json.loads(run.stdout)
    assert {"components", "critical_minerals", "tax_year", "attestations"} <= set(schema["properties"])
    assert xlcredits("schema", "1040").returncode == 2


# --- help, exit codes, the commands a new user meets first (issue 16) ----------------------------

EXIT_CODE_LINES = ("0  done", "1  the input cannot be computed", "2  the command cannot run")


def test_help_lists_user_commands_exit_codes_and_hides_developer_commands():
    run = xlcredits("--help")
    assert run.returncode == 0
    for command in ("compute", "schema", "example", "new", "fill", "extract", "verify", "batch", "excel-setup"):
        assert f"    {command}" in run.stdout, command
    assert "build-templates" not in run.stdout.split("--help-all also")[0].split("commands:")[1]
    assert "build-addin" not in run.stdout.split("--help-all also")[0].split("commands:")[1]
    for line in EXIT_CODE_LINES:
        assert line in run.stdout
    everything = xlcredits("--help-all")
    assert everything.returncode == 0 and "(developers) write the blank form templates" in everything.stdout
    assert "(developers) build the ribbon add-in" in everything.stdout


@pytest.mark.parametrize("command", ["compute", "schema", "example", "new", "fill", "extract", "verify", "batch",
                                     "excel-setup", "build-templates", "build-addin"])
def test_every_command_help_has_every_option_explained_and_the_exit_codes(command):
    run = xlcredits(command, "--help")
    assert run.returncode == 0
    for line in EXIT_CODE_LINES:
        assert line in run.stdout
    options = run.stdout.split("options:")[1].split("exit codes:")[0]
    # every option line carries words after its flags (a help text)
    for entry in re.split(r"\n  (?=-)", options.strip()):
        flags, _, rest = entry.partition("  ")
        assert rest.strip() or "\n" in entry, f"{command}: {entry!r} has no help"


def test_defaults_are_shown():
    assert "(default: json)" in xlcredits("compute", "--help").stdout
    assert "default: the machine's cores" in xlcredits("batch", "--help").stdout


def test_no_command_prints_help_and_exits_2():
    run = xlcredits()
    assert run.returncode == 2 and "COMMAND" in run.stdout


def test_fill_to_a_csv_name_is_refused_with_a_sentence(tmp_path):
    run = xlcredits("fill", str(EXAMPLES / "form7207_acme_2025.json"), "-o", str(tmp_path / "out.csv"))
    assert run.returncode == 2
    assert "fill writes an Excel workbook (.xlsx), not under a .csv name; name the output like out.xlsx" in run.stderr
    assert not (tmp_path / "out.csv").exists()


def test_excel_setup_off_windows_exits_2_saying_it_needs_windows():
    if sys.platform == "win32":
        pytest.skip("this is Windows")
    run = xlcredits("excel-setup")
    # issue 16: not exit 0 off Windows; one message says what the command needs, that nothing was
    # changed, and what to do instead (the Excel branch prints it on stdout)
    said = " ".join((run.stdout + run.stderr).split())
    assert run.returncode == 2 and "sets up Excel on Windows" in said and "Nothing was changed" in said
    assert "on the Windows PC that has Excel" in said and "Traceback" not in said
    assert xlcredits("excel-setup", "--dry-run").returncode == 0  # showing the plan works anywhere


def test_example_lists_prints_and_copies(tmp_path):
    listed = xlcredits("example")
    assert listed.returncode == 0 and "nj306_regular_2025.json" in listed.stdout
    printed = xlcredits("example", "form7207_acme_2025")
    assert printed.returncode == 0 and json.loads(printed.stdout)["form"] == "7207"
    assert xlcredits("example", "nope").returncode == 2
    copied = xlcredits("example", "-o", str(tmp_path / "in"))
    assert copied.returncode == 0 and (tmp_path / "in" / "form7207_acme_2025.json").is_file()
    again = xlcredits("example", "-o", str(tmp_path / "in"))
    assert again.returncode == 2 and "--force" in again.stderr  # never overwritten silently


def test_a_blank_form_exits_1_nothing_to_compute(tmp_path):
    path = tmp_path / "blank.json"
    path.write_text('{"form": "7207", "tax_year": 2025}')
    run = xlcredits("compute", str(path))
    assert run.returncode == 1
    assert any(f["message"].startswith("Nothing to compute: the input has no product rows")
               for f in loads(run.stdout)["findings"])


def test_a_blank_intake_exits_1(tmp_path):
    assert xlcredits("new", "batch", "-o", str(tmp_path / "intake.xlsx")).returncode == 0
    run = xlcredits("batch", str(tmp_path / "intake.xlsx"), "-o", str(tmp_path / "out"))
    assert run.returncode == 1 and "Nothing to compute" in run.stderr
