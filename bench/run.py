"""The paired benchmark: every spoflint case timed against its reference, and a
Markdown table (the README and docs/performance.md quote it).

    python bench/run.py [--sizes 10000 100000 1000000] [--pairs 5] [--markdown FILE]
    python bench/run.py --quick               # a smoke run on small inputs

Each case runs as its own process beside its reference, in pairs (A B, then B A, then
A B ...: the order alternates, so that a machine busy for a while weighs on both
sides). A run's CPU time is the child's user + system time from `os.wait4`, its peak
resident memory too; wall time is measured beside it. The table gives the medians of
the CPU times and the median of the per-pair ratios (never a ratio of medians: a pair
shares the machine's load at that moment). The cases:

- `check` at each size (bench/generate.py estates, cached), against reading the file
  with `yaml.load(text, Loader=yaml.CSafeLoader)`, and beside it the floor: libyaml's
  event stream alone (`yaml.parse` with `CParser`, every event consumed). The findings
  must name exactly the planted SPOF001/SPOF002 subjects, or the run fails (exit 1);
- `availability`, `cutsets --order 2` (the sizes up to --analysis-max), `cutsets
  --order 3` and `graph --format html` (the smallest size), against CSafeLoader on the
  same file; availability must give every user-facing service an answer;
- the Kubernetes reader (`check` of bench/generate_k8s.py's manifests) and the Compose
  reader (its Compose project), against CSafeLoader reading every document of them;
- start-up: `check` of a 17-element example against a bare `python -c pass`.

Options: --pairs (5; start-up at least 5), --large-pairs from 1M (1), --analysis-max,
--k8s and --compose (their sizes), --cases (check,analyses,readers,startup), --timeout
per run, --memory (the address-space cap of each run, GiB), --markdown and --json
(every row with each pair's CPU times), --naive-budget (the brute-force re-check of each
`check` estate, 0: skipped). The exit code is 1 when a run fails, is killed, names other
SPOFs than the planted ones, or a case cannot run; a target not met is in the table.
The measuring itself is bench/paired.py. This is a benchmark, not a test: CI machines
are too noisy to time anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, beside this file)
from paired import MEMORY, Case, Reference, compile_once, details, measured, rows, run_case, table  # noqa: E402

LARGE = 1_000_000  # sizes from here on run --large-pairs pairs
SMALL_EXAMPLE = REPO / "fixtures" / "examples" / "single-controller.yaml"
GIB = 2**30
ANSWER_WIDTH = 0.0009  # percentage points: a tenth of the gap between 99.99 % and 99.999 %


# the references, each its own process like spoflint's runs: start-up counts on both sides
CSAFELOADER = (
    "import sys, yaml\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path, encoding='utf-8') as handle:\n"
    "        text = handle.read()\n"
    "    list(yaml.load_all(text, Loader=yaml.CSafeLoader))\n"
)
EVENTS = (
    "import collections, sys, yaml\n"
    "from yaml.cyaml import CParser\n"
    "with open(sys.argv[1], encoding='utf-8') as handle:\n"
    "    text = handle.read()\n"
    "collections.deque(yaml.parse(text, Loader=CParser), maxlen=0)\n"
)


def csafeloader(*paths: Path) -> Reference:
    return Reference("CSafeLoader", [sys.executable, "-c", CSAFELOADER, *map(str, paths)])


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


def manifests(kind: str, count: int, cache: Path, seed: int) -> Path | str:
    """bench/generate_k8s.py's folder for `count` Deployments (or Compose services),
    cached; or why there is none."""
    script = HERE / "generate_k8s.py"
    if not script.exists():
        return "bench/generate_k8s.py is missing"
    version = hashlib.sha256(script.read_bytes()).hexdigest()[:10]
    folder = cache / f"{kind}-{count}-s{seed}-{version}"
    if not folder.exists():
        partial = cache / f"{folder.name}.part"
        command = [sys.executable, str(script), str(count), "--seed", str(seed), "-o", str(partial)]
        if kind == "compose":
            command += ["--format", "compose"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            return f"generate_k8s.py failed: {done.stderr.strip()}"
        partial.replace(folder)
    return folder


# --- what each case's output must say ------------------------------------------------


def spof_subjects(report: Path) -> dict[str, list[str]]:
    findings = json.loads(report.read_text())["findings"]
    return {rule: sorted({f["subject"] for f in findings if f["rule"] == rule}) for rule in ("SPOF001", "SPOF002")}


def planted_verdict(found: dict, expected: dict) -> str:
    missing = sum(len(set(expected[r]) - set(found[r])) for r in expected)
    extra = sum(len(set(found[r]) - set(expected[r])) for r in expected)
    total = sum(len(v) for v in expected.values())
    if not missing and not extra:
        return f"all {total}, nothing else"
    return f"**{total - missing}/{total}, {extra} other**"


def planted_problem(report: Path, expected: dict) -> str:
    if problem := json_report(report):
        return problem
    verdict = planted_verdict(spof_subjects(report), expected)
    return "" if verdict.startswith("all") else f"planted SPOFs: {verdict}"


def naive(path: str, budget: float, output: str) -> int:
    """The naive analysis: every failure candidate failed alone, and the whole estate
    evaluated again (`spoflint.analysis.reference`): the SPOF001 (a user-facing service
    goes down) and SPOF002 (data lost) subjects. Exits with 3 as soon as its own
    projection passes the budget (seconds)."""
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


def naive_note(case: Case, budget: float) -> str:
    """The naive re-check of a `check` case's estate, once: its wall time and whether it
    names the same SPOFs."""
    path, report = case.command[1], case.output
    assert report is not None
    result = report.with_name(report.stem + "-naive.json")
    run = measured(
        [sys.executable, str(HERE / "run.py"), "--naive", path, str(result), str(budget)], None, budget * 1.5
    )
    if run.code:
        return f"naive re-check not run to the end: {(run.errors.strip().splitlines() or [f'exit {run.code}'])[-1]}"
    agrees = spof_subjects(report) == json.loads(result.read_text())
    return f"naive re-check {run.wall:.0f} s wall{'' if agrees else ', its SPOFs differ!'}"


def unanswered(report: Path) -> list[str]:
    """The services whose availability is no answer: neither exact, nor an interval
    narrower than a tenth of the gap between 99.99 % and 99.999 %."""
    services = json.loads(report.read_text())["services"]
    return [
        s["service"]
        for s in services
        if not s.get("exact") and s.get("upper_percent", 100.0) - s["availability_percent"] > ANSWER_WIDTH
    ]


def availability_note(report: Path) -> str:
    services = json.loads(report.read_text())["services"]
    return f"{len(services) - len(unanswered(report))}/{len(services)} services answered"


def cutsets_note(report: Path) -> str:
    services = json.loads(report.read_text())["services"]
    truncated = [s for s in services if s.get("truncated")]
    return f"{len(services)} services, {len(truncated)} truncated"


def json_report(report: Path) -> str:
    try:
        json.loads(report.read_text())
    except (OSError, ValueError) as error:
        return f"no JSON report: {error}"
    return ""


# --- the plan --------------------------------------------------------------------------


def check_target(elements: int) -> tuple[str, Callable[[dict], bool] | None]:
    """docs/performance.md's targets for `check`: 10k under 1 s, 100k within half of
    CSafeLoader, 1M under 20 s of CPU; no run above 2 GiB up to 100k."""
    if elements < 50_000:
        return "< 1 s CPU", lambda r: r["cpu"] < 1
    if elements < 500_000:
        return "≤ 0.5× CSafeLoader", lambda r: r["ratio"] <= 0.5 and r["peak"] < 2 * GIB
    return "< 20 s CPU", lambda r: r["cpu"] < 20


def analysis_target(name: str, elements: int) -> tuple[str, Callable[[dict], bool] | None]:
    memory = "peak < 2 GiB"
    if name == "availability":
        return f"every service answered, {memory}", lambda r: r["answers"] and r["peak"] < 2 * GIB
    if name == "cutsets --order 2":
        limit = 3 if elements < 50_000 else 30
        return f"< {limit} s CPU, {memory}", lambda r: r["cpu"] < limit and r["peak"] < 2 * GIB
    if name == "cutsets --order 3":
        return f"< 30 s CPU, {memory}", lambda r: r["cpu"] < 30 and r["peak"] < 2 * GIB
    return memory, lambda r: r["peak"] < 2 * GIB


def check_cases(args, cache: Path) -> list[Case]:
    cases = []
    for size in args.sizes:
        path, elements, expected = estate(size, cache, args.seed, args.planted)
        report = cache / f"report-{size}.json"
        target, met = check_target(elements)
        cases.append(
            Case(
                "check",
                f"{elements:,} elements",
                ["check", str(path), "--format", "json", "--output", str(report)],
                [
                    csafeloader(path),
                    Reference("libyaml events (floor)", [sys.executable, "-c", EVENTS, str(path)], False),
                ],
                target,
                met,
                output=report,
                verify=lambda out, e=expected: planted_problem(out, e),
                note=lambda out, e=expected: f"planted SPOFs: {planted_verdict(spof_subjects(out), e)}",
                pairs=args.large_pairs if size >= LARGE else args.pairs,
            )
        )
    return cases


def analysis_cases(args, cache: Path) -> list[Case]:
    cases = []
    sizes = sorted(s for s in args.sizes if s <= args.analysis_max) or [min(args.sizes)]
    for size in sizes:
        path, elements, _ = estate(size, cache, args.seed, args.planted)
        out = cache / f"out-{size}"
        plan = [
            ("availability", ["availability", str(path), "--format", "json"], availability_note),
            ("cutsets --order 2", ["cutsets", str(path), "--order", "2", "--format", "json"], cutsets_note),
        ]
        if size == sizes[0]:
            plan += [
                ("cutsets --order 3", ["cutsets", str(path), "--order", "3", "--format", "json"], cutsets_note),
                ("graph --format html", ["graph", str(path), "--format", "html"], None),
            ]
        for name, command, note in plan:
            target, met = analysis_target(name, elements)
            cases.append(
                Case(
                    name,
                    f"{elements:,} elements",
                    command,
                    [csafeloader(path)],
                    target,
                    met,
                    output=out,
                    verify=json_report if "json" in command else None,
                    note=note,
                    answers=(lambda o: not unanswered(o)) if name == "availability" else None,
                    codes=(0, 1),
                    pairs=args.pairs,
                )
            )
    return cases


def reader_cases(args, cache: Path) -> list[Case | str]:
    cases: list[Case | str] = []
    for kind, count, unit in (("kubernetes", args.k8s, "Deployments"), ("compose", args.compose, "services")):
        folder = manifests(kind, count, cache, args.seed)
        name = f"check ({'Kubernetes' if kind == 'kubernetes' else 'Compose'} reader)"
        if isinstance(folder, str):
            cases.append(f"{name}: not run: {folder}")
            continue
        files = sorted(folder.glob("*.yaml"))
        report = cache / f"report-{kind}-{count}.json"
        cases.append(
            Case(
                name,
                f"{count:,} {unit}",
                ["check", *map(str, files), "--format", "json", "--output", str(report)],
                [csafeloader(*files)],
                "≤ 2× CSafeLoader",
                lambda r: r["ratio"] <= 2,
                output=report,
                verify=json_report,
                pairs=args.pairs,
            )
        )
    return cases


def startup_case(args) -> Case:
    elements = generate.count_elements(SMALL_EXAMPLE.read_text())
    return Case(
        "start-up (check)",
        f"{elements} elements",
        ["check", str(SMALL_EXAMPLE)],
        [Reference("python -c pass", [sys.executable, "-c", "pass"])],
        "≤ 5× python -c pass",
        lambda r: r["ratio"] <= 5,
        pairs=max(args.pairs, 5),
    )


# --- the command line ------------------------------------------------------------------

CASES = ("check", "analyses", "readers", "startup")


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("positional_sizes", nargs="*", type=int, metavar="SIZE", help="the same as --sizes")
    parser.add_argument(
        "--sizes", nargs="+", type=int, help="estate sizes for check, about how many elements (10000 100000 1000000)"
    )
    parser.add_argument("--pairs", "--runs", type=int, help="pairs per case (default 5; --quick: 2)")
    parser.add_argument("--large-pairs", "--large-runs", type=int, default=1, help=f"pairs from {LARGE:,} elements")
    parser.add_argument(
        "--analysis-max", type=int, default=100_000, help="largest size for availability and cutsets (100000)"
    )
    parser.add_argument("--k8s", type=int, help="Deployments for the Kubernetes reader (5000; --quick: 50)")
    parser.add_argument("--compose", type=int, help="services for the Compose reader (2000; --quick: 50)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"which, comma-separated ({','.join(CASES)})")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 elements, 2 pairs, small readers")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one spoflint run may take (900)")
    parser.add_argument("--memory", type=float, default=6, help="GiB of address space one run may take (6; 0: no cap)")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables to FILE")
    parser.add_argument("--json", metavar="FILE", help="also write every row, with each pair's CPU times, to FILE")
    parser.add_argument(
        "--cache", default=os.path.join(tempfile.gettempdir(), "spoflint-bench"), help="folder for generated inputs"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--planted", type=int, default=10)
    parser.add_argument(
        "--naive-budget", type=float, default=0, help="seconds for the naive re-check per check size (0: skip it)"
    )
    parser.add_argument("--naive", nargs=3, metavar=("FILE", "OUTPUT", "BUDGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.naive:
        return args
    args.sizes = args.sizes or args.positional_sizes or ([2_000] if args.quick else [10_000, 100_000, 1_000_000])
    args.pairs = args.pairs or (2 if args.quick else 5)
    args.k8s = args.k8s or (50 if args.quick else 5_000)
    args.compose = args.compose or (50 if args.quick else 2_000)
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(args.cases) - set(CASES)
    if unknown or min(args.sizes) < 1 or args.pairs < 1 or args.large_pairs < 1:
        parser.error(f"unknown cases {sorted(unknown)}" if unknown else "sizes and pairs must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    if args.naive:
        return naive(args.naive[0], float(args.naive[2]), args.naive[1])
    compile_once()
    MEMORY[0] = int(args.memory * 2**30)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    plan: list[Case | str] = []
    if "check" in args.cases:
        plan += check_cases(args, cache)
    if "analyses" in args.cases:
        plan += analysis_cases(args, cache)
    if "readers" in args.cases:
        plan += reader_cases(args, cache)
    if "startup" in args.cases:
        plan.append(startup_case(args))
    all_rows, skipped, failed = [], [], False
    for case in plan:
        if isinstance(case, str):
            skipped.append(case)
            continue
        result = run_case(case, args.timeout)
        if case.name == "check" and args.naive_budget > 0 and result.ours:
            result.notes.append(naive_note(case, args.naive_budget))
        failed |= bool(result.problems)
        these = rows(result)
        all_rows += these
        print(
            f"{case.name}, {case.size}: {these[0].get('ratio', '-')}, met: {these[0]['met']}",
            file=sys.stderr,
            flush=True,
        )
    from spoflint import __version__

    command = shlex.join(["python", "bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    text = (
        f"spoflint {__version__}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}; `{command}`; CPU is user + system time of each process, "
        f"the ratio the median of the pairs' ratios\n\n{table(all_rows)}\n\n{details(all_rows)}\n"
    )
    if skipped:
        text += "\n" + "\n".join(f"- {line}" for line in skipped) + "\n"
    print(text, end="")
    for name, content in ((args.markdown, text), (args.json, json.dumps(all_rows, indent=1) + "\n")):
        if name:
            partial = Path(name + ".part")
            partial.write_text(content, encoding="utf-8")
            partial.replace(name)
    return 1 if failed or skipped else 0


if __name__ == "__main__":
    sys.exit(main())
