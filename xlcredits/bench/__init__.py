"""`python -m xlcredits.bench`: xlcredits measured against floors taken in the same run.

Every figure is a ratio against the least work that produces the same output (see floors.py),
measured interleaved (floor, subject, floor, subject, …) and reported as medians, so a busy
machine slows both sides alike. In Excel the cost that matters is COM round trips between
Python and Excel, so the ribbon fill is measured in round trips, counted by a COM-level fake of
Excel driven through xlwings' own Windows code.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import floors

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "form7207_acme_2025.json"  # package data: works from a wheel
TESTS = ROOT / "tests"

# What each measure must meet (issue "Performance where it matters"); ratios are subject ÷ floor.
TARGETS: dict[str, tuple[str, float]] = {
    "compute_100k_vs_floor": ("<=", 5.0),
    "compute_10k_vs_floor": ("<=", 4.0),
    "compute_exponent_1k_100k": ("<=", 1.05),
    "compute_bytes_per_row": ("<=", 2048),
    "fill_2000_vs_xlsxwriter": ("<=", 1.6),
    "fill_refuse_oversized_s": ("<=", 0.5),
    "verify_2000_vs_readonly": ("<=", 1.5),
    "batch_cpu_ms_per_facility": ("<=", 40.0),
    "batch_speedup_2_jobs": (">=", 1.85),
    "com_calls_fill_example": ("<=", 150),
    "com_calls_fill_2000": ("<=", 400),
    "import_udfs_vs_xlwings": ("<=", 1.5),
}


@dataclass
class Figure:
    key: str
    value: float | None
    detail: str

    @property
    def met(self) -> bool | None:
        if self.value is None or self.key not in TARGETS:
            return None
        op, bound = TARGETS[self.key]
        return self.value <= bound if op == "<=" else self.value >= bound

    def target(self) -> str:
        op, bound = TARGETS.get(self.key, ("", None))
        return f"{'≤' if op == '<=' else '≥'} {bound:g}" if bound is not None else "reported"


def interleaved(subject, floor, rounds: int) -> tuple[float, float]:
    """Median seconds of subject and floor, run alternately after one warm-up of each."""
    subject(), floor()
    s_times, f_times = [], []
    for _ in range(rounds):
        for fn, times in ((floor, f_times), (subject, s_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(s_times), statistics.median(f_times)


# --- inputs ------------------------------------------------------------------------------------

def generated_return(rows: int, seed: int = 7207) -> dict:
    """A calendar-2025 Form 7207 with `rows` product rows of realistic sizes (fractional kg too)."""
    rng = random.Random(seed)
    kinds = [("1e", "Module {} W", (400, 435, 550)), ("1a", "PV cell {} W", (5, 7, 9)),
             ("3d", "Residential inverter {} W", (3800, 7600, 11400)), ("5a", "Battery cell {} kWh", ("0.2", "0.3")),
             ("1c", "Polysilicon lot", None), ("1f", "Torque tube lot", None)]
    components = []
    for _ in range(rows):
        line, text, sizes = rng.choice(kinds)
        if sizes:
            size = rng.choice(sizes)
            components.append({"line": line, "description": text.format(size), "units": rng.randint(1, 5000),
                               "capacity_per_unit": float(size) if isinstance(size, str) else size})
        else:
            components.append({"line": line, "description": text, "quantity": round(rng.uniform(10, 9000), 3)})
    return {"form": "7207", "tax_year": 2025, "entity_type": "corporation",
            "filer": {"name": "Bench Manufacturing Inc.", "tin": "12-3456789"},
            "facility": {"registration_number": "AMP-2025-000001", "address": "1 Bench Way"},
            "components": components}


def write_json(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- measures ----------------------------------------------------------------------------------

def bench_compute(tmp: Path, sizes: list[int], rounds: int) -> list[Figure]:
    from ..forms import compute
    from ..jsonio import load_path

    figures, times = [], {}
    for n in sizes:
        path = write_json(generated_return(n), tmp / f"compute_{n}.json")
        check = compute(load_path(path))
        if not check.computed:
            raise SystemExit(f"bench input with {n} rows does not compute: {check.findings[:3]}")
        subject_s, floor_s = interleaved(lambda: compute(load_path(path)), lambda: floors.compute_floor(path),
                                         rounds if n <= 10_000 else max(1, rounds // 2))
        times[n] = subject_s
        label = f"{n // 1000}k" if n >= 1000 else str(n)
        figures.append(Figure(f"compute_{label}_vs_floor", subject_s / floor_s,
                              f"compute {n:,} rows {subject_s:.3f} s vs floor {floor_s:.3f} s"))
    if len(times) >= 2:
        lo, hi = min(times), max(times)
        exponent = math.log(times[hi] / times[lo]) / math.log(hi / lo)
        figures.append(Figure(f"compute_exponent_{_k(lo)}_{_k(hi)}", exponent,
                              f"time grows as rows^{exponent:.2f} from {lo:,} to {hi:,} rows"))
        figures.append(_compute_memory(tmp, hi))
    return figures


def _k(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def _peak_rss_kb(path: Path) -> int:
    # VmHWM, not ru_maxrss: a child's ru_maxrss starts from its parent's at fork, so it would
    # report the benchmark's own size rather than the computation's.
    code = ("import sys\nfrom xlcredits.forms import compute\nfrom xlcredits.jsonio import load_path\n"
            "compute(load_path(sys.argv[1]))\n"
            "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])")
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return int(run.stdout.split()[-1])


def _compute_memory(tmp: Path, n: int) -> Figure:
    """Peak resident memory of compute in a fresh process, above the same process on a 10-row input."""
    small = write_json(generated_return(10), tmp / "memory_small.json")
    big = tmp / f"compute_{n}.json"
    per_row = (_peak_rss_kb(big) - _peak_rss_kb(small)) * 1024 / n
    return Figure("compute_bytes_per_row", per_row, f"peak memory {per_row:,.0f} bytes per row at {n:,} rows")


def bench_fill_verify(tmp: Path, rows: int, rounds: int) -> list[Figure]:
    from ..workbook.files import fill_data_to_file
    from ..workbook.verify import verify

    data = generated_return(rows)
    filled = tmp / f"filled_{rows}.xlsx"
    fill_data_to_file(data, filled, force=True)
    content = floors.workbook_content(filled)
    subject_s, floor_s = interleaved(lambda: fill_data_to_file(data, filled, force=True),
                                     lambda: floors.xlsxwriter_floor(content, tmp / "floor.xlsx"), rounds)
    figures = [Figure(f"fill_{rows}_vs_xlsxwriter", subject_s / floor_s,
                      f"fill {rows:,} rows {subject_s * 1000:.0f} ms vs XlsxWriter same content {floor_s * 1000:.0f} ms")]
    v_s, r_s = interleaved(lambda: verify(filled), lambda: floors.readonly_floor(filled), rounds)
    figures.append(Figure(f"verify_{rows}_vs_readonly", v_s / r_s,
                          f"verify {rows:,} rows {v_s * 1000:.0f} ms vs openpyxl read-only pass {r_s * 1000:.0f} ms"))
    return figures


def bench_refuse_oversized(tmp: Path, rows: int) -> Figure:
    from ..workbook.files import fill_data_to_file
    from ..workbook.writer import WorkbookError

    data = generated_return(rows)
    start = time.perf_counter()
    try:
        fill_data_to_file(data, tmp / "oversized.xlsx", force=True)
        refused = False
    except WorkbookError:
        refused = True
    elapsed = time.perf_counter() - start
    if not refused:
        raise SystemExit(f"fill accepted {rows:,} product rows: the oversized-input measure has no refusal to time")
    return Figure("fill_refuse_oversized_s", elapsed, f"fill refuses {rows:,} product rows in {elapsed * 1000:.0f} ms")


def _run_batch(inputs: Path, target: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the batch process and every worker) of one batch run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "xlcredits", "batch", str(inputs), "-o", str(target),
                          "--jobs", str(jobs), "--force"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise SystemExit(f"batch failed: {run.stdout[-2000:]}{run.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_batch(tmp: Path, count: int, rounds: int) -> list[Figure]:
    inputs = tmp / "batch_in"
    inputs.mkdir()
    rng = random.Random(3800)
    for i in range(count):
        data = generated_return(rng.randint(5, 15), seed=i)
        data["facility"] = {"registration_number": f"AMP-2025-{i:06d}", "address": f"{i} Industrial Way"}
        write_json(data, inputs / f"facility_{i:04d}.json")
    # 1 job and 2 jobs take turns (medians of the rounds), so a busy moment slows both alike
    ones, twos = [], []
    for _ in range(rounds):
        ones.append(_run_batch(inputs, tmp / "batch_out_1", 1))
        twos.append(_run_batch(inputs, tmp / "batch_out_2", 2))
    wall1, cpu1 = statistics.median(w for w, _ in ones), statistics.median(c for _, c in ones)
    wall2 = statistics.median(w for w, _ in twos)
    return [Figure("batch_cpu_ms_per_facility", cpu1 * 1000 / count,
                   f"batch of {count}: {cpu1:.1f} s CPU with 1 job ({wall1:.1f} s wall)"),
            Figure("batch_speedup_2_jobs", wall1 / wall2, f"batch of {count}: {wall1:.1f} s with 1 job, {wall2:.1f} s with 2")]


def _com_calls(path: Path) -> int:
    """Round trips of one ribbon fill of the input at `path`, counted in a fresh interpreter: the
    fake stands in for pywin32 in sys.modules, which must not leak into the other measures."""
    code = ("import sys\nsys.path.insert(0, sys.argv[1])\nfrom xlfake import count_fill_com_calls\n"
            "print(count_fill_com_calls(sys.argv[2]))")
    run = subprocess.run([sys.executable, "-c", code, str(TESTS), str(path)], capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"counting COM calls failed: {run.stderr[-2000:]}")
    return int(run.stdout.split()[-1])


def bench_com_calls(tmp: Path) -> list[Figure]:
    """Round trips of the ribbon fill, counted by the COM-level fake of Excel (tests/xlfake) that
    runs xlwings' own Windows code: in Excel the cost of a fill is its round trips."""
    keys = ("com_calls_fill_example", "com_calls_fill_2000")
    if not (TESTS / "xlfake").is_dir():
        return [Figure(key, None, "needs a source checkout: the COM-level fake of Excel lives in tests/xlfake")
                for key in keys]
    example = _com_calls(EXAMPLE)
    big = _com_calls(write_json(generated_return(2000), tmp / "com_2000.json"))
    return [Figure(keys[0], example, f"ribbon fill of the bundled Form 7207 example: {example} COM calls"),
            Figure(keys[1], big, f"ribbon fill of a 2,000-row schedule: {big} COM calls")]


def cold_imports(modules: tuple[str, ...], runs: int) -> list[float]:
    """Median seconds of `import module` in a fresh interpreter (bytecode already compiled), timed
    inside the child around the import alone, so the interpreter's own start (which varies more
    than the imports) is not in the figure; the modules take turns, so a busy moment slows each alike."""
    def once(module: str) -> float:
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                    text=True).stdout)

    for module in modules:
        once(module)  # compiles and caches bytecode, as an installed package has it
    times: dict[str, list[float]] = {module: [] for module in modules}
    for _ in range(runs):
        for module in modules:
            times[module].append(once(module))
    return [statistics.median(times[module]) for module in modules]


def bench_imports(runs: int) -> list[Figure]:
    xlwings_s, udfs_s = cold_imports(("xlwings", "udfs"), runs)
    return [Figure("import_udfs_vs_xlwings", udfs_s / xlwings_s,
                   f"cold import udfs {udfs_s * 1000:.0f} ms vs xlwings {xlwings_s * 1000:.0f} ms")]


# --- report ------------------------------------------------------------------------------------

def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as handle:
            mem = f", {int(handle.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="xlcredits-bench-") as tmpdir:
        tmp = Path(tmpdir)
        figures += bench_compute(tmp, [1_000, 10_000] if quick else [1_000, 10_000, 100_000], 3 if quick else 5)
        figures += bench_fill_verify(tmp, 200 if quick else 2_000, 3 if quick else 7)
        figures.append(bench_refuse_oversized(tmp, 100_000))
        figures += bench_batch(tmp, 10 if quick else 500, 1 if quick else 3)
        figures += bench_com_calls(tmp)
        figures += bench_imports(3 if quick else 15)
    return figures


def table(figures: list[Figure]) -> str:
    width = max(len(f.key) for f in figures)
    out = [f"{'measure':<{width}}  {'value':>10}  {'target':<8}  {'result':<8}  figures"]
    for f in figures:
        value = "n/a" if f.value is None else (f"{f.value:,.0f}" if f.value >= 100 else f"{f.value:.2f}")
        verdict = {True: "met", False: "NOT MET", None: "—"}[f.met]
        out.append(f"{f.key:<{width}}  {value:>10}  {f.target():<8}  {verdict:<8}  {f.detail}")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m xlcredits.bench",
        description="Measure xlcredits against floors taken in the same run (medians of interleaved runs) "
                    "and print each figure with its ratio and target.")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for CI: compute 1k/10k rows, fill/verify 200 rows, batch of 10 "
                             "(ratios are noisier; the full run is the measurement)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object with stable keys")
    args = parser.parse_args(argv)
    figures = run(args.quick)
    if args.json:
        print(json.dumps({"machine": machine(), "quick": args.quick,
                          "figures": {f.key: f.value for f in figures},
                          "targets": {f.key: f.target() for f in figures},
                          "met": {f.key: f.met for f in figures}}, indent=2))
    else:
        print(f"xlcredits benchmark — {machine()}{' (quick)' if args.quick else ''}")
        print(table(figures))
    return 0
