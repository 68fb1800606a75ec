"""Issue 15, batch integrity: nothing overwrites, one bad file never sinks a batch, nothing is left
running. Each test is one numbered problem of the issue, reproduced with real processes and files."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import EXAMPLES, put_intake_row as put

ACME = EXAMPLES / "form7207_acme_2025.json"
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="kills processes and reads /proc (Linux)")


def xlcredits(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "xlcredits", *args], capture_output=True, text=True, timeout=timeout)


def start(*args):
    return subprocess.Popen([sys.executable, "-m", "xlcredits", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def compact(path: Path) -> str:
    """The example's JSON on one line, so a test can replace `"units": 500, "capacity_per_unit": 100`
    whatever the file's own line breaks."""
    return json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"), parse_float=Decimal)


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds=30.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


@pytest.fixture
def many(tmp_path):
    """30 Form 7207 inputs (the Acme example, units varied so that each return differs)."""
    folder = tmp_path / "in"
    folder.mkdir()
    base = ACME.read_text(encoding="utf-8")
    for i in range(30):
        (folder / f"client{i:02}.json").write_text(base.replace('"units": 500', f'"units": {500 + i}'),
                                                   encoding="utf-8")
    return folder


def test_colliding_and_reserved_names_never_overwrite(tmp_path):
    """Problem 2: "a b", "a_b" and "a_b-2" cleaned up to one output name; "summary" was replaced by
    the summary. Each now gets its own file, and the summary says which was renamed and why."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = ACME.read_text(encoding="utf-8")
    names = {"a b.json": 500, "a_b.json": 600, "a_b-2.json": 700, "summary.json": 800, "SUMMARY.json": 900}
    for name, units in names.items():
        (folder / name).write_text(text.replace('"units": 500', f'"units": {units}'), encoding="utf-8")
    out = tmp_path / "out"
    run = xlcredits("batch", str(folder), "-o", str(out), "--jobs", "1")
    assert run.returncode == 0, run.stderr
    summary = summary_of(out)
    by_source = {r["source"]: r for r in summary["returns"]}
    outputs = [r["output"] for r in summary["returns"]]
    assert len(set(o.lower() for o in outputs)) == 5  # five inputs, five files
    assert {o.lower() for o in outputs}.isdisjoint({"summary.xlsx"})
    for source, record in by_source.items():
        filled = openpyxl.load_workbook(out / record["output"])
        units = filled["Products"]["C4"].value if filled["Products"]["C4"].value else None
        # each workbook holds its own input: row 1 units as typed in that file
        assert units == names[source], (source, record["output"], units)
    notes = [f["message"] for r in summary["returns"] for f in r["findings"] if f["severity"] == "note"]
    assert any("a_b.json is written as a_b-3.xlsx" in n for n in notes), notes
    # sorted, "SUMMARY.json" comes first and takes summary-2 (names differing in case clash on Windows)
    assert any("SUMMARY.json is written as SUMMARY-2.xlsx" in n and "keeps for itself" in n for n in notes)
    assert any("summary.json is written as summary-3.xlsx" in n and "keeps for itself" in n for n in notes)
    assert "is written as" in run.stderr  # and the terminal says so too


def test_output_equal_to_or_inside_the_input_folder_is_refused(many):
    for out in (many, many / "out"):
        run = xlcredits("batch", str(many), "-o", str(out), "--force")
        assert run.returncode == 2 and "input folder" in run.stderr and "Traceback" not in run.stderr
    assert sorted(p.suffix for p in many.iterdir()) == [".json"] * 30  # nothing written, nothing replaced


def test_a_second_batch_into_the_same_folder_is_refused(many, tmp_path):
    """Problem 2: two batches into one folder both reported success."""
    out = tmp_path / "out"
    first = start("batch", str(many), "-o", str(out), "--jobs", "1")
    try:
        wait_for(lambda: (out / ".xlcredits.lock").exists())
        second = xlcredits("batch", str(many), "-o", str(out), "--force")
        assert second.returncode == 2
        assert "in use by another batch" in second.stderr and f"process {first.pid}" in second.stderr
    finally:
        first.wait(120)
    assert first.returncode == 0
    assert not (out / ".xlcredits.lock").exists()  # released at the end
    assert summary_of(out)["totals"]["written"] == 30


def test_one_bad_input_of_each_kind_never_sinks_the_batch(tmp_path):
    """Problem 3 and 7: a 4,400-digit integer, a lone surrogate, 0E-200, 10**400, 1e15 x 1e15 and
    a FIFO named .json each become that file's finding; every other return is written, and the
    summary exists."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = compact(ACME)
    shutil.copy(ACME, folder / "good.json")
    bad = {"digits4400": text.replace('"units": 500', '"units": 1' + "0" * 4400),
           "surrogate": text.replace("Acme Solar", "\\ud800 Acme"),
           "tiny_zero": text.replace('"units": 500', '"units": 0E-200'),
           "pow400": text.replace('"units": 500', '"units": 1' + "0" * 400),
           "huge_product": text.replace('"units": 500, "capacity_per_unit": 100',
                                        '"units": 1e15, "capacity_per_unit": 1e15')}
    for name, content in bad.items():
        assert content != text, f"{name}: the example no longer holds the text this case replaces"
        (folder / f"{name}.json").write_text(content, encoding="utf-8")
    os.mkfifo(folder / "pipe.json")
    out = tmp_path / "out"
    run = xlcredits("batch", str(folder), "-o", str(out), "--jobs", "2", timeout=60)
    assert "Traceback" not in run.stderr and run.returncode == 1
    by_file = {r["file"]: r for r in summary_of(out)["returns"]}
    assert by_file["good"]["status"] == "ok" and by_file["tiny_zero"]["status"] == "ok"  # 0E-200 units is 0
    assert by_file["good"]["line_8c"] == Decimal("981750.44")  # examples/form7207_acme_2025.expected.json
    messages = {name: " ".join(f["message"] for f in r["findings"]) for name, r in by_file.items()}
    # the limit in words a preparer reads (issue 16's standard), never the library's "1E+15"
    for name, digits in (("digits4400", "4,401"), ("pow400", "401")):
        assert f"units is a number of {digits} digits, more than 1,000,000,000,000,000" in messages[name]
        assert "at most 1,000,000,000,000,000" in messages[name] and "1E+15" not in messages[name]
    assert "broken character" in messages["surrogate"] and "filer.name" in messages["surrogate"]
    assert "more than the largest amount a line may hold (1,000,000,000,000,000)" in messages["huge_product"]
    assert "not a regular file" in messages["pipe"]
    # totals: the good return and the all-zero one; nothing of the refused ones
    assert summary_of(out)["totals"]["7207"]["line_8c"] == Decimal("981750.44") + by_file["tiny_zero"]["line_8c"]


def test_a_duplicate_facility_id_in_the_intake_is_an_error_not_a_merge(tmp_path):
    """Problem 5: two Facilities rows with one id merged their products into one return (line 8c
    7,000,070 instead of 70) and the summary said 0 errors."""
    intake = tmp_path / "intake.xlsx"
    assert xlcredits("new", "batch", "-o", str(intake)).returncode == 0
    book = openpyxl.load_workbook(intake)
    for reg in ("R-1", "R-2"):
        put(book, "Facilities", {"#id": "Plant", "tax_year.begins": 2025, "filer.name": "Acme",
                                 "facility.registration_number": reg})
    put(book, "Facilities", {"#id": "Other", "tax_year.begins": 2025, "filer.name": "Acme",
                             "facility.registration_number": "R-3"})
    put(book, "Products", {"#id": "Plant", "line": "1e", "units": 1, "capacity_per_unit": 1000})
    put(book, "Products", {"#id": "Other", "line": "1e", "units": 1, "capacity_per_unit": 1000})
    book.save(intake)
    out = tmp_path / "out"
    run = xlcredits("batch", str(intake), "-o", str(out), "--jobs", "1")
    assert run.returncode == 1
    summary = summary_of(out)
    by_file = {r["file"]: r for r in summary["returns"]}
    assert by_file["Plant"]["status"] == "failed" and not (out / "Plant.xlsx").exists()
    refused = by_file["Plant"]["findings"][0]["message"]
    assert refused.startswith('Facilities rows 2 and 3 both have Facility ID "Plant"') and "Neither row was read" in refused
    # 1e: 1,000 W x 7 cents = $70 [26 U.S.C. 45X(b)(1)(A)(ii)]; only Other is counted
    assert by_file["Other"]["line_8c"] == Decimal("70.00")
    assert summary["totals"]["7207"]["line_8c"] == Decimal("70.00")
    assert summary["totals"]["findings"]["error"] >= 1


def test_a_killed_worker_fails_its_input_and_the_batch_goes_on(many, tmp_path):
    """Problem 4: a killed worker gave BrokenProcessPool with 7 of 30 files and no summary."""
    out = tmp_path / "out"
    batch = start("batch", str(many), "-o", str(out), "--jobs", "2")
    try:
        workers = wait_for(lambda: children(batch.pid) if len(children(batch.pid)) >= 2 else None)
        wait_for(lambda: list(out.glob("client*.xlsx")))
        os.kill(workers[0], signal.SIGKILL)
        stdout, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 1 and "Traceback" not in stderr
    records = summary_of(out)["returns"]
    assert len(records) == 30
    stopped = [r for r in records if r["status"] == "failed"]
    assert len(stopped) == 1 and "stopped by signal 9" in stopped[0]["findings"][0]["message"]
    assert stopped[0]["source"] in stopped[0]["findings"][0]["message"]  # the file is named
    # 29, or 30 when the kill came between the worker's rename and its report (the message says so)
    assert len(list(out.glob("client*.xlsx"))) in (29, 30)
    assert summary_of(out)["totals"]["written"] == 29
    assert not list(out.glob(".xlcredits-*"))  # no temporary file left by the killed worker


def test_workers_end_with_their_parent_and_resume_finishes_the_batch(many, tmp_path):
    """Problem 4: a killed parent left its workers alive forever; a rerun after the kill was
    refused until --force, which redid everything."""
    out = tmp_path / "out"
    batch = start("batch", str(many), "-o", str(out), "--jobs", "2")
    workers = wait_for(lambda: children(batch.pid) if len(children(batch.pid)) >= 2 else None)
    wait_for(lambda: len(list(out.glob("client*.xlsx"))) >= 4)
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait(10)
    wait_for(lambda: not any(alive(w) for w in workers), seconds=5)  # PR_SET_PDEATHSIG / watchdog
    done_before = {p.name: p.stat().st_mtime_ns for p in out.glob("client*.xlsx")}
    assert 4 <= len(done_before) < 30 and not (out / "summary.json").exists()

    again = xlcredits("batch", str(many), "-o", str(out))
    assert again.returncode == 1 and "--resume" in again.stderr  # refused, and told how to go on

    # one input changed since: its workbook must be redone, not kept
    changed = sorted(done_before)[0]
    path = many / changed.replace(".xlsx", ".json")
    path.write_text(path.read_text(encoding="utf-8").replace('"units": 1500', '"units": 1501'), encoding="utf-8")
    resumed = xlcredits("batch", str(many), "-o", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming:" in resumed.stderr
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("client*.xlsx")}
    assert len(after) == 30
    kept = [n for n in done_before if after[n] == done_before[n]]
    assert changed not in kept and len(kept) >= len(done_before) - 2  # at most the changed one and one cut short
    summary = summary_of(out)
    assert summary["totals"]["written"] == 30 and len(summary["returns"]) == 30
    assert [r["file"] for r in summary["returns"]] == [f"client{i:02}" for i in range(30)]
    assert not (out / ".xlcredits.lock").exists() and not (out / ".xlcredits.progress").exists()


def test_jobs_are_capped_at_inputs_and_cores(tmp_path):
    """Problem 9: --jobs 64 forked 64 workers for 10 inputs."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        shutil.copy(ACME, folder / f"c{i}.json")
    run = xlcredits("batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "64")
    assert run.returncode == 0
    cores = len(os.sched_getaffinity(0))
    assert f"--jobs 64 lowered to {min(3, cores)}" in run.stderr
    assert f"({min(3, cores)} job" in run.stdout


def test_totals_count_only_written_returns(tmp_path, monkeypatch):
    """Problem 9: a return whose workbook was never written (disk full) was in the totals."""
    from xlcredits.batch.summary import totals

    written = {"file": "a", "form": "7207", "status": "ok", "output": "a.xlsx", "line_8a": Decimal("10.00"),
               "line_8c": Decimal("10.00")}
    lost = {"file": "b", "form": "7207", "status": "failed", "output": None, "line_8a": Decimal("5.00"),
            "line_8c": Decimal("5.00"), "findings": [{"severity": "error", "where": "(input)",
                                                      "message": "cannot write b.xlsx: the disk is full"}]}
    t = totals([written, lost])
    assert t["7207"]["line_8c"] == Decimal("10.00") and t["7207"]["count"] == 1 and t["written"] == 1
    assert t["not_computed"] == ["b"] and t["findings"]["error"] == 1


def test_summary_is_print_ready(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ACME, folder / "acme.json")
    out = tmp_path / "out"
    assert xlcredits("batch", str(folder), "-o", str(out)).returncode == 0
    book = openpyxl.load_workbook(out / "summary.xlsx")
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        # fitToWidth absent means 1 (ECMA-376 Part 1, 18.3.1.63 pageSetup: default 1)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1)
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1"
        assert "Page &P of &N" in sheet.oddFooter.right.text and sheet.oddHeader.left.text
    f7207 = book["Form 7207"]
    head = [c.value for c in f7207[1]]
    row = [c.value for c in f7207[2]]
    assert row[head.index("Tax year")] == 2025  # a number, not the text "2025"
    assert isinstance(row[head.index("Line 8a")], float)
    assert f7207.cell(3, 1).value == "Total" and f7207.cell(3, head.index("Line 8a") + 1).value.startswith("=SUM(")


def test_file_names_that_are_not_utf8_never_sink_the_batch(tmp_path):
    """A lone surrogate crashed the batch after every workbook was written (no summary). File
    names that are not UTF-8 reach Python as lone surrogates too."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ACME, os.path.join(os.fsencode(folder), b"bad\xff.json"))
    Path(os.fsdecode(os.path.join(os.fsencode(folder), b"worse\xfe.json"))).write_text("{bad", encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "xlcredits", "batch", str(folder), "-o", str(out)],
                         capture_output=True, timeout=120)
    assert run.returncode == 1 and b"Traceback" not in run.stderr
    run.stdout.decode("utf-8")  # printable: the surrogates were escaped
    by_source = {r["source"]: r for r in summary_of(out)["returns"]}
    assert by_source["bad\\udcff.json"]["status"] == "ok" and (out / "bad.xlsx").exists()
    assert by_source["worse\\udcfe.json"]["status"] == "failed"


def test_duplicate_ids_for_intake_readers():
    """The check an intake reader calls (problem 5): ids given on more than one row, with the rows,
    case and surrounding spaces ignored (Excel's lookups ignore case too)."""
    from xlcredits.batch.run import duplicate_ids

    rows = [(2, "Plant"), (3, "Other"), (4, " plant "), (5, ""), (6, "Third"), (7, "PLANT"), (8, None)]
    assert duplicate_ids(rows) == {"plant": [2, 4, 7]}
    assert duplicate_ids([(2, "a"), (3, "b")]) == {}
