"""The benchmark runs in CI in its quick mode, and the budgets that do not depend on the machine's
load hold there: COM round trips of the ribbon fill, and compute within 6× its floor at 10k rows."""

import json
import subprocess
import sys

import pytest

from xlcredits.bench import TARGETS


@pytest.fixture(scope="module")
def quick():
    run = subprocess.run([sys.executable, "-m", "xlcredits.bench", "--quick", "--json"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def test_quick_bench_reports_every_stable_key(quick):
    figures = quick["figures"]
    for key in ("compute_10k_vs_floor", "fill_200_vs_xlsxwriter", "verify_200_vs_readonly",
                "batch_cpu_ms_per_facility", "batch_speedup_2_jobs", "com_calls_fill_example",
                "com_calls_fill_2000", "import_udfs_vs_xlwings", "fill_refuse_oversized_s"):
        assert key in figures, key


def test_compute_at_10k_rows_stays_within_6x_its_floor(quick):
    assert quick["figures"]["compute_10k_vs_floor"] < 6


def test_ribbon_fill_com_round_trips_within_budget(quick):
    figures = quick["figures"]
    assert figures["com_calls_fill_example"] is not None, "the COM-level fake of Excel must be importable"
    assert figures["com_calls_fill_example"] <= TARGETS["com_calls_fill_example"][1]
    assert figures["com_calls_fill_2000"] <= TARGETS["com_calls_fill_2000"][1]
