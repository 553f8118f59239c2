"""The paired benchmark (bench/run.py): its pairs alternate, its ratios are medians of
the pairs' ratios (not ratios of medians), its table has the shape the README quotes,
and its correctness checks (planted SPOFs, availability's answers) say what they find.

Nothing here asserts a time: CI machines are noisy; bench/run.py measures.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

import paired  # noqa: E402
import run  # noqa: E402

HEADER = "| case | size | spoflint CPU | reference | reference CPU | ratio (median of pairs) | target | met? |"


def test_the_ratio_is_the_median_of_the_pairs_ratios_not_a_ratio_of_medians():
    ours, theirs = [1.0, 4.0, 9.0], [2.0, 2.0, 30.0]
    assert paired.pair_ratios(ours, theirs) == [0.5, 2.0, 0.3]
    assert paired.median_ratio(ours, theirs) == 0.5
    assert statistics.median(ours) / statistics.median(theirs) == 2.0  # what it is not
    assert paired.median_ratio([3.0, 1.0], [1.0, 1.0]) == 2.0  # an even count: the mean of the middle two


def test_runs_that_are_not_pairs_are_refused():
    with pytest.raises(ValueError, match="not pairs"):
        paired.pair_ratios([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="not pairs"):
        paired.pair_ratios([], [])


def test_the_order_alternates_within_pairs():
    assert [paired.pair_order(i, 2) for i in range(4)] == [[0, 1], [1, 0], [0, 1], [1, 0]]
    assert paired.pair_order(1, 3) == [2, 1, 0]


def fake_case(tmp_path: Path, **changes) -> paired.Case:
    fields = {
        "name": "check",
        "size": "5 elements",
        "command": ["check", "x.yaml"],
        "references": [paired.Reference("ref", ["ref"]), paired.Reference("floor", ["floor"], judged=False)],
        "target": "≤ 1× ref",
        "met": lambda r: r["ratio"] <= 1,
        "pairs": 3,
    }
    return paired.Case(**(fields | changes))


def test_a_case_runs_its_pairs_in_alternating_order_and_rows_use_each_pair(tmp_path, monkeypatch):
    seen: list[str] = []
    cpu = {"spoflint": iter([1.0, 4.0, 9.0]), "ref": iter([2.0, 2.0, 30.0]), "floor": iter([1.0, 1.0, 1.0])}

    def fake(command, stdout=None, timeout=None):
        name = "spoflint" if command[:3] == paired.SPOFLINT else command[0]
        seen.append(name)
        return paired.Run(next(cpu[name]), 1.0, 2**20, 0, "")

    monkeypatch.setattr(paired, "measured", fake)
    result = paired.run_case(fake_case(tmp_path), timeout=10)
    assert seen == ["spoflint", "ref", "floor", "floor", "ref", "spoflint", "spoflint", "ref", "floor"]
    judged, floor = paired.rows(result)
    assert judged["ratio"] == 0.5 and judged["cpu"] == 4.0 and judged["ref_cpu"] == 2.0
    assert judged["cpus"] == [1.0, 4.0, 9.0] and judged["ref_cpus"] == [2.0, 2.0, 30.0]
    assert judged["met"] == "yes" and judged["target"] == "≤ 1× ref"
    assert floor["ratio"] == 4.0 and floor["met"] == "—" and floor["target"] == "floor"
    lines = paired.table([judged, floor]).splitlines()
    assert lines[0] == HEADER
    assert lines[2] == "| check | 5 elements | 4.00 s | ref | 2.00 s | 0.50× | ≤ 1× ref | yes |"
    assert lines[3] == "| check | 5 elements | 4.00 s | floor | 1.00 s | 4.00× | floor | — |"


def test_a_failing_run_is_a_problem_and_not_a_measurement(tmp_path, monkeypatch):
    def fake(command, stdout=None, timeout=None):
        if command[:3] == paired.SPOFLINT:
            return paired.Run(0.1, 0.1, 0, 1, "Traceback (most recent call last):\n  ...\nKeyError: 'x'\n")
        return paired.Run(0.1, 0.1, 0, 0, "")

    monkeypatch.setattr(paired, "measured", fake)
    result = paired.run_case(fake_case(tmp_path), timeout=10)
    assert result.problems == ["spoflint exit 1: KeyError: 'x'"]
    rows = paired.rows(result)
    assert rows[0]["met"] == "**no**" and "cpu" not in rows[0]
    assert "| check | 5 elements | — | ref | — | — | ≤ 1× ref | **no** |" in paired.table(rows)


def test_a_child_is_measured_by_its_own_usage(tmp_path):
    burn = "import sys\nsum(range(3_000_000))\nprint('out')\nsys.exit(3)"
    out = tmp_path / "out.txt"
    measured = paired.measured([sys.executable, "-c", burn], out)
    assert measured.code == 3 and out.read_text() == "out\n"
    assert 0 < measured.cpu < measured.wall + 1 and measured.peak > 2**20
    idle = paired.measured([sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert idle.wall >= 0.3 and idle.cpu < idle.wall
    killed = paired.measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert killed.code != 0


def test_a_run_past_the_memory_cap_fails_with_a_memory_error(monkeypatch):
    monkeypatch.setattr(paired, "MEMORY", [512 * 2**20])
    greedy = paired.measured([sys.executable, "-c", "x = bytearray(1024 * 2**20)"])
    assert greedy.code == 1 and "MemoryError" in greedy.errors
    monkeypatch.setattr(paired, "MEMORY", [0])
    assert paired.measured([sys.executable, "-c", "x = bytearray(64 * 2**20)"]).peak > 64 * 2**20


def test_availability_answers_are_exact_or_narrow_intervals(tmp_path):
    report = tmp_path / "availability.json"
    services = [
        {"service": "exact", "exact": True, "availability_percent": 99.9, "upper_percent": 99.9},
        {"service": "narrow", "exact": False, "availability_percent": 99.9950, "upper_percent": 99.9955},
        {"service": "bound", "exact": False, "availability_percent": 0.0, "upper_percent": 100.0},
        {"service": "wide", "exact": False, "availability_percent": 99.99, "upper_percent": 99.999},
    ]
    report.write_text(json.dumps({"services": services}))
    assert run.unanswered(report) == ["bound", "wide"]
    assert run.availability_note(report) == "2/4 services answered"


def test_the_planted_verdict_names_what_is_missing_or_extra():
    expected = {"SPOF001": ["a", "b"], "SPOF002": ["a"]}
    assert run.planted_verdict(expected, expected) == "all 3, nothing else"
    assert run.planted_verdict({"SPOF001": ["a", "c"], "SPOF002": ["a"]}, expected) == "**2/3, 1 other**"


def bench(tmp_path: Path, *arguments: str) -> tuple[subprocess.CompletedProcess, list[dict], str]:
    rows, markdown = tmp_path / "rows.json", tmp_path / "table.md"
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), *arguments, "--cache", str(tmp_path / "cache")]
        + ["--markdown", str(markdown), "--json", str(rows)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result, json.loads(rows.read_text()), markdown.read_text()


@pytest.mark.slow
def test_the_quick_run_prints_every_case_with_ratios_from_its_pairs(tmp_path):
    result, rows, markdown = bench(tmp_path, "--quick", "--sizes", "700")
    assert result.stdout == markdown
    lines = markdown.splitlines()
    assert HEADER in lines
    table = [line for line in lines[lines.index(HEADER) + 2 :] if line.startswith("| ")]
    cases = [(row["case"], row["reference"]) for row in rows]
    assert cases == [
        ("check", "CSafeLoader"),
        ("check", "libyaml events (floor)"),
        ("availability", "CSafeLoader"),
        ("cutsets --order 2", "CSafeLoader"),
        ("cutsets --order 3", "CSafeLoader"),
        ("graph --format html", "CSafeLoader"),
        ("check (Kubernetes reader)", "CSafeLoader"),
        ("check (Compose reader)", "CSafeLoader"),
        ("start-up (check)", "python -c pass"),
    ]
    for row, line in zip(rows, table):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 8 and cells[0] == row["case"] and cells[3] == row["reference"], line
        assert len(row["cpus"]) == len(row["ref_cpus"]) == row["pairs"] >= 2
        ratio = statistics.median(a / b for a, b in zip(row["cpus"], row["ref_cpus"]))
        assert row["ratio"] == ratio and cells[5] == f"{ratio:.2f}×"
        assert cells[7] in ("yes", "**no**", "—")
    assert "planted SPOFs: all 16, nothing else" in rows[0]["notes"]
    assert rows[2]["notes"][0].endswith("services answered")


@pytest.mark.slow
def test_check_names_exactly_the_planted_spofs_at_each_size(tmp_path):
    _, rows, _ = bench(tmp_path, "700", "1500", "--cases", "check", "--pairs", "1")
    judged = [row for row in rows if row["reference"] == "CSafeLoader"]
    assert len(judged) == 2 and judged[0]["size"] != judged[1]["size"]
    assert all(row["notes"] == ["planted SPOFs: all 16, nothing else"] for row in judged), rows
