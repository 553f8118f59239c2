"""Benchmark `spoflint check` on synthetic estates of several sizes, and print a
Markdown table (docs/performance.md quotes it).

    python bench/run.py [SIZES...] [--runs 3] [--large-runs 1] [--naive-budget 300]

For each size (default 10000 100000 1000000) it generates an estate with planted single
points of failure (bench/generate.py; files are cached), then runs, each as its own
process so that timings and memory do not mix:

- `spoflint check FILE --format json --output ...`, several times: the median wall
  time, and the peak resident memory of the runs;
- reference (a): `yaml.load(text, Loader=yaml.CSafeLoader)` of the same file, the
  same number of times: what merely reading the file with PyYAML's C loader costs;
- reference (b): the naive analysis, failing each failure candidate in turn and
  re-evaluating the whole estate with `spoflint.analysis.reference.evaluate`, where it can end
  within the time budget (it stops early when its own projection says it cannot);

and checks that the findings name every planted SPOF001/SPOF002 subject and no other.
This is a benchmark, not a test: CI machines are too noisy to time anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, beside this file)

LARGE = 1_000_000  # sizes from here on run --large-runs times


# --- measuring a child process -----------------------------------------------------------


def measured(command: list[str], timeout: float | None = None) -> tuple[float, int, int, str]:
    """Run a command: (wall seconds, peak resident bytes, exit code, stderr).

    The child's own peak memory comes from wait4 (RUSAGE_CHILDREN would be the largest
    of every child so far)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        timer = threading.Timer(timeout, process.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            if timer:
                timer.cancel()
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        return elapsed, usage.ru_maxrss * 1024, process.returncode, errors.read().decode("utf-8", "replace")


# --- the estates ---------------------------------------------------------------------


def estate(size: int, cache: Path, seed: int, planted: int) -> tuple[Path, int, dict]:
    """The estate file for a size (generated once, and again when generate.py changes):
    its path, its element count and the planted SPOFs."""
    version = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:10]
    path = cache / f"estate-{size}-s{seed}-p{planted}-{version}.yaml"
    if not path.exists():
        text, _ = generate.generate(size, seed, planted)
        partial = path.with_suffix(".part")
        partial.write_text(text)
        partial.replace(path)
    text = path.read_text()
    marker = "\nx-planted: "
    expected = json.loads(text[text.rindex(marker) + len(marker) :])
    return path, generate.count_elements(text), expected


# --- the two references ------------------------------------------------------------------

# (a), as its own process like spoflint's runs: start-up and import count on both sides
CSAFELOADER = (
    "import sys, yaml\n"
    "with open(sys.argv[1], encoding='utf-8') as handle:\n"
    "    text = handle.read()\n"
    "yaml.load(text, Loader=yaml.CSafeLoader)\n"
)


def naive(path: str, budget: float, output: str) -> int:
    """Every failure candidate failed alone, and the whole estate evaluated again: the
    SPOF001 (a user-facing service goes down) and SPOF002 (data lost) subjects. Exits
    with 3 as soon as its own projection passes the budget."""
    from spoflint.analysis.reference import evaluate
    from spoflint.importers.assemble import read_topology

    start = time.perf_counter()
    topology = read_topology([path])
    base = evaluate(topology, set())
    down, lost = set(base.public_down), set(base.lost)
    candidates = [e for e, fails in topology.failure_candidates().items() if fails]
    found: dict[str, list[str]] = {"SPOF001": [], "SPOF002": []}
    began = time.perf_counter()
    for done, element in enumerate(candidates, 1):
        result = evaluate(topology, {element})
        if set(result.public_down) - down:
            found["SPOF001"].append(element)
        if set(result.lost) - lost:
            found["SPOF002"].append(element)
        spent = time.perf_counter() - began
        if spent > 5 and done < len(candidates):
            projected = (began - start) + spent / done * len(candidates)
            if projected > budget:
                print(f"projected {projected:.0f} s for {len(candidates)} candidates", file=sys.stderr)
                return 3
    with open(output, "w") as handle:
        json.dump({k: sorted(v) for k, v in found.items()}, handle)
    return 0


# --- one size ------------------------------------------------------------------------


def spof_subjects(report: str) -> dict[str, list[str]]:
    with open(report) as handle:
        findings = json.load(handle)["findings"]
    return {rule: sorted({f["subject"] for f in findings if f["rule"] == rule}) for rule in ("SPOF001", "SPOF002")}


def planted_verdict(found: dict, expected: dict) -> str:
    missing = sum(len(set(expected[r]) - set(found[r])) for r in expected)
    extra = sum(len(set(found[r]) - set(expected[r])) for r in expected)
    total = sum(len(v) for v in expected.values())
    if not missing and not extra:
        return f"all {total}, nothing else"
    return f"**{total - missing}/{total}, {extra} other**"


def bench_size(size: int, args, cache: Path) -> dict:
    path, elements, expected = estate(size, cache, args.seed, args.planted)
    runs = args.large_runs if size >= LARGE else args.runs
    report = cache / f"report-{size}.json"
    times, peaks, verdicts = [], [], []
    for _ in range(runs):
        if report.exists():
            report.unlink()
        elapsed, peak, code, errors = measured(
            [sys.executable, "-m", "spoflint", "check", str(path), "--format", "json", "--output", str(report)]
        )
        if code not in (0, 1):  # 1: findings at the failing severity, as planted
            raise SystemExit(f"spoflint check failed on {path} (exit {code}):\n{errors}")
        times.append(elapsed)
        peaks.append(peak)
        verdicts.append(planted_verdict(spof_subjects(str(report)), expected))
    loader = []
    for _ in range(runs):
        elapsed, _, code, errors = measured([sys.executable, "-c", CSAFELOADER, str(path)])
        if code:
            raise SystemExit(f"yaml.load failed on {path}:\n{errors}")
        loader.append(elapsed)
    naive_time, naive_note = None, ""
    if args.naive_budget > 0:
        result = cache / f"naive-{size}.json"
        elapsed, _, code, errors = measured(
            [sys.executable, str(HERE / "run.py"), "--naive", str(path), str(result), str(args.naive_budget)],
            timeout=args.naive_budget * 1.5,
        )
        if code == 0:
            naive_time = elapsed
            agrees = spof_subjects(str(report)) == json.loads(result.read_text())
            naive_note = "" if agrees else " (its SPOFs differ!)"
        else:
            naive_note = errors.strip().splitlines()[-1] if errors.strip() else f"exit {code}"
    return {
        "size": size,
        "elements": elements,
        "bytes": path.stat().st_size,
        "runs": runs,
        "time": statistics.median(times),
        "peak": max(peaks),
        "loader": statistics.median(loader),
        "naive": naive_time,
        "naive_note": naive_note,
        "planted": verdicts[0] if len(set(verdicts)) == 1 else " / ".join(verdicts),
    }


# --- the table -----------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    lines = [
        "| elements | file | runs | median time | growth per 10× size | peak memory "
        "| vs CSafeLoader | vs naive re-check | planted SPOFs found |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    previous = None
    for row in rows:
        growth = "—"
        if previous:
            steps = math.log10(row["elements"] / previous["elements"])
            if steps > 0:
                growth = f"{(row['time'] / previous['time']) ** (1 / steps):.1f}×"
        loader = f"{row['time'] / row['loader']:.2f}× ({row['loader']:.2f} s)"
        naive_ratio = (
            f"{row['time'] / row['naive']:.4f}× ({row['naive']:.0f} s){row['naive_note']}" if row["naive"] else "—"
        )
        size = f"{row['bytes'] / 1e6:.1f} MB" if row["bytes"] >= 1e6 else f"{row['bytes'] / 1e3:.0f} kB"
        lines.append(
            f"| {row['elements']:,} | {size} | {row['runs']} | {row['time']:.2f} s | {growth} "
            f"| {row['peak'] / 2**20:,.0f} MiB | {loader} | {naive_ratio} | {row['planted']} |"
        )
        previous = row
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "sizes",
        nargs="*",
        type=int,
        default=[10_000, 100_000, 1_000_000],
        help="estate sizes, about how many elements (default: 10000 100000 1000000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median time)")
    parser.add_argument("--large-runs", type=int, default=1, help=f"runs per size from {LARGE:,} elements")
    parser.add_argument(
        "--naive-budget", type=float, default=300, help="seconds the naive re-check may take per size (0: skip it)"
    )
    parser.add_argument(
        "--cache",
        default=os.path.join(tempfile.gettempdir(), "spoflint-bench"),
        help="folder for the generated estates",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--planted", type=int, default=10)
    parser.add_argument("--naive", nargs=3, metavar=("FILE", "OUTPUT", "BUDGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.naive:
        return naive(args.naive[0], float(args.naive[2]), args.naive[1])
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        rows.append(bench_size(size, args, cache))
        print(f"{size}: {rows[-1]['time']:.2f} s", file=sys.stderr, flush=True)
    from spoflint import __version__

    print(
        f"spoflint {__version__}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}\n"
    )
    print(table(rows))
    notes = [
        f"- {row['elements']:,}: naive re-check not run to the end: {row['naive_note']}"
        for row in rows
        if not row["naive"] and row["naive_note"]
    ]
    if notes:
        print("\n" + "\n".join(notes))
    return 0 if all(row["planted"].startswith("all") for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
