"""The paired measurement behind bench/run.py: each command its own process, started by
a small launcher that reads the child's own usage (CPU = user + system time, peak
resident memory) and caps its address space; the cases run in pairs whose order
alternates; each row gives the medians and the median of the pairs' ratios; and the two
Markdown tables.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SPOFLINT = [sys.executable, "-m", "spoflint"]
MEMORY = [6 * 2**30]  # the address-space cap of every measured run (bench/run.py --memory)

# Every run finds its modules compiled, as an installed package has them (pip compiles
# at install time): a shell that sets PYTHONDONTWRITEBYTECODE would make each run compile
# every module again (11x a bare interpreter's start-up instead of 5x). The bytecode goes
# to a cache of the bench's own, so the checkout is left as it is.
PYCACHE = Path(tempfile.gettempdir()) / "spoflint-bench-pycache"
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENVIRONMENT["PYTHONPYCACHEPREFIX"] = str(PYCACHE)


def compile_once() -> None:
    """Compile spoflint and its dependencies into the bench's bytecode cache before the
    first measured run, so that no pair pays for it."""
    warm = "import spoflint.cli, spoflint.engine, spoflint.analysis.facts, yaml, spoflint_rules"
    subprocess.run([sys.executable, "-c", warm], env=ENVIRONMENT, check=False, capture_output=True)
    package = Path(__file__).resolve().parents[1]
    for folder in ("spoflint", "rules"):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(package / folder)],
            env=ENVIRONMENT,
            check=False,
            capture_output=True,
        )


# --- measuring a child process -----------------------------------------------------------


@dataclass
class Run:
    cpu: float  # the child's user + system seconds
    wall: float
    peak: int  # bytes
    code: int
    errors: str


# The child is started by a small launcher, which measures it: on Linux a child's peak
# resident memory starts at its parent's (fork copies the high-water mark, exec keeps
# it), and this process holds whole estates, so the launcher's few MiB are the floor
# instead. It caps the child's address space at argv[2] bytes (0: no cap), so that a run
# gone wrong fails with a MemoryError rather than take a shared machine's memory, and
# writes the child's CPU time, wall time, peak and exit code to argv[1].
LAUNCHER = (
    "import json, os, resource, sys, time\n"
    "if int(sys.argv[2]):\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]),) * 2)\n"
    "start = time.perf_counter()\n"
    "pid = os.posix_spawn(sys.argv[3], sys.argv[3:], os.environ)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "wall = time.perf_counter() - start\n"
    "code = os.waitstatus_to_exitcode(status)\n"
    "with open(sys.argv[1], 'w') as handle:\n"
    "    json.dump([usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss * 1024, code], handle)\n"
)


def measured(command: list[str], stdout: Path | None = None, timeout: float | None = None) -> Run:
    """Run a command as its own process (through the launcher): its CPU time (user +
    system, from wait4), wall time, peak memory, exit code and standard error. Past the
    timeout its process group is killed (exit code -9)."""
    executable = command[0] if os.path.isabs(command[0]) else shutil.which(command[0]) or command[0]
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryDirectory() as scratch:
        numbers = Path(scratch) / "usage.json"
        launch = [sys.executable, "-S", "-c", LAUNCHER, str(numbers), str(MEMORY[0]), executable, *command[1:]]
        with open(stdout, "wb") if stdout else open(os.devnull, "wb") as out:
            process = subprocess.Popen(launch, stdout=out, stderr=errors, start_new_session=True, env=ENVIRONMENT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
        if not numbers.exists():
            return Run(math.inf, math.inf, 0, -9, text or f"killed after {timeout} s")
        cpu, wall, peak, code = json.loads(numbers.read_text())
    return Run(cpu, wall, peak, code, text)


def pair_ratios(ours: list[float], theirs: list[float]) -> list[float]:
    """Each run's time over its own pair's reference, pair by pair."""
    if len(ours) != len(theirs) or not ours:
        raise ValueError(f"{len(ours)} runs against {len(theirs)} references: not pairs")
    return [a / b if b > 0 else math.inf for a, b in zip(ours, theirs)]


def median_ratio(ours: list[float], theirs: list[float]) -> float:
    return statistics.median(pair_ratios(ours, theirs))


def pair_order(index: int, count: int) -> list[int]:
    """The order of the commands in pair `index` (0 is spoflint): A B ..., then ... B A."""
    order = list(range(count))
    return order if index % 2 == 0 else order[::-1]


# --- the cases ---------------------------------------------------------------------


@dataclass
class Reference:
    name: str
    command: list[str]
    judged: bool = True  # the row carries the case's target (False: the floor, for information)


@dataclass
class Case:
    name: str
    size: str
    command: list[str]  # spoflint's arguments
    references: list[Reference]
    target: str
    met: Callable[[dict], bool] | None  # a result -> whether the target is met
    output: Path | None = None  # where its stdout goes (for verify)
    verify: Callable[[Path], str] | None = None  # spoflint's output -> "" or what is wrong
    note: Callable[[Path], str] | None = None  # spoflint's output -> a remark for the table
    answers: Callable[[Path], bool] | None = None  # spoflint's output -> whether it answers (the target)
    codes: tuple[int, ...] = (0, 1)  # 1: findings at the failing severity, as planted
    pairs: int = 3


@dataclass
class Result:
    case: Case
    ours: list[Run] = field(default_factory=list)
    theirs: dict[str, list[Run]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    answers: bool = True


def run_case(case: Case, timeout: float) -> Result:
    result = Result(case, theirs={r.name: [] for r in case.references})
    commands = [SPOFLINT + case.command] + [r.command for r in case.references]
    for index in range(case.pairs):
        for which in pair_order(index, len(commands)):
            if which == 0:
                run = measured(commands[0], case.output, timeout)
                if run.code not in case.codes or "Traceback (most recent call last)" in run.errors:
                    last = run.errors.strip().splitlines()[-1:] or [f"killed after {timeout:.0f} s"]
                    result.problems.append(f"spoflint exit {run.code}: {last[0]}")
                    return result
                result.ours.append(run)
                if index == 0:
                    problem = case.verify(case.output) if case.verify and case.output else ""
                    if problem:
                        result.problems.append(problem)
                    if case.note and case.output:
                        result.notes.append(case.note(case.output))
                    if case.answers and case.output:
                        result.answers = case.answers(case.output)
            else:
                reference = case.references[which - 1]
                run = measured(reference.command, None, timeout)
                if run.code:
                    raise SystemExit(f"reference {reference.name} failed:\n{run.errors}")
                result.theirs[reference.name].append(run)
    return result


# --- the tables ----------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def rows(result: Result) -> list[dict]:
    """One row per reference: the medians, the median of the pairs' ratios, and the verdict."""
    case, out = result.case, []
    for reference in case.references:
        theirs = result.theirs[reference.name][: len(result.ours)]
        row = {
            "case": case.name,
            "size": case.size,
            "reference": reference.name,
            "pairs": len(result.ours),
            "problems": result.problems,
            "notes": result.notes,
            "answers": result.answers,
        }
        if result.ours and len(theirs) == len(result.ours):
            row |= {
                "cpu": statistics.median(r.cpu for r in result.ours),
                "ref_cpu": statistics.median(r.cpu for r in theirs),
                "ratio": median_ratio([r.cpu for r in result.ours], [r.cpu for r in theirs]),
                "wall": statistics.median(r.wall for r in result.ours),
                "ref_wall": statistics.median(r.wall for r in theirs),
                "wall_ratio": median_ratio([r.wall for r in result.ours], [r.wall for r in theirs]),
                "peak": max(r.peak for r in result.ours),
                "cpus": [r.cpu for r in result.ours],
                "ref_cpus": [r.cpu for r in theirs],
                "ref_peak": max(r.peak for r in theirs),
            }
        judged = reference.judged and case.met is not None
        row["target"] = case.target if reference.judged else "floor"
        if not judged:
            row["met"] = "—"
        elif "cpu" not in row or result.problems:
            row["met"] = "**no**"
        else:
            row["met"] = "yes" if case.met(row) else "**no**"
        out.append(row)
    return out


def table(all_rows: list[dict]) -> str:
    lines = [
        "| case | size | spoflint CPU | reference | reference CPU | ratio (median of pairs) | target | met? |",
        "|---|---:|---:|---|---:|---:|---|---|",
    ]
    for row in all_rows:
        if "cpu" in row:
            numbers = f"{seconds(row['cpu'])} | {row['reference']} | {seconds(row['ref_cpu'])} | {row['ratio']:.2f}×"
        else:
            numbers = f"— | {row['reference']} | — | —"
        lines.append(f"| {row['case']} | {row['size']} | {numbers} | {row['target']} | {row['met']} |")
    return "\n".join(lines)


def details(all_rows: list[dict]) -> str:
    lines = [
        "| case | size | reference | pairs | spoflint wall | reference wall | wall ratio | spoflint peak | reference peak | notes |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in all_rows:
        notes = "; ".join(row["problems"] + row["notes"]) or ""
        if "cpu" in row:
            lines.append(
                f"| {row['case']} | {row['size']} | {row['reference']} | {row['pairs']} | {seconds(row['wall'])} "
                f"| {seconds(row['ref_wall'])} | {row['wall_ratio']:.2f}× | {row['peak'] / 2**20:,.0f} MiB "
                f"| {row['ref_peak'] / 2**20:,.0f} MiB | {notes} |"
            )
        else:
            lines.append(f"| {row['case']} | {row['size']} | {row['reference']} | 0 | — | — | — | — | — | {notes} |")
    return "\n".join(lines)
