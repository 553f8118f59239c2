"""What a change did (`spoflint check --diff REV`): the same check at a git revision,
compared with the working tree's by fingerprint.

The files under the checked paths (and the config's baseline) are taken from git at
REV into a temporary directory laid out as the repository is, and checked from the
same place in it as the working tree's check runs from: every path is shown as in the
working tree, so that a finding's fingerprint (rule, file, subject, key) is the same in
both. A finding is new when no finding at REV has its fingerprint, fixed when no
finding of the working tree has it. The user-facing services in both get their
availability (spoflint.analysis Facts.availability) compared; only the changed ones
are kept. It never prints; a revision git does not know, or no git repository, is a
UsageError.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import InputError, UsageError, quote
from ..findings import Finding
from . import Config, Run, run

# the rules whose findings the summary counts as single points of failure (SPOF005's
# sets of two or more elements are not)
SPOF_RULES = ("SPOF001", "SPOF002", "SPOF003", "SPOF004")


@dataclass(frozen=True)
class Change:
    """A user-facing service's availability before and after (fractions, 0..1)."""

    service: str
    before: float
    after: float


@dataclass(frozen=True)
class Diff:
    """The working tree against REV: the reported findings new since REV, those REV had
    that are gone (fixed), and the services whose availability changed."""

    revision: str  # as the user wrote it
    new: list[Finding]
    fixed: list[Finding]
    availability: list[Change]
    errors: list[InputError]  # units that could not be checked at REV (their findings count as new)


def revision(rev: str) -> tuple[str, str]:
    """(the repository's top level, REV's commit): a UsageError when the working
    directory is in no git repository or git does not know REV."""
    top = _git(["rev-parse", "--show-toplevel"], Path.cwd(), f"--diff {rev}: not in a git repository")
    commit = _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        Path(top.strip()),
        f"--diff: git knows no revision {quote(rev)}",
    )
    return top.strip(), commit.strip()


def compare(
    rev: str,
    paths: Sequence[str],
    config: Config,
    head: Sequence[Finding],
    only_topologies: bool = False,
    input_format: str | None = None,
    progress: Callable[[str], None] = lambda stage: None,
) -> Diff:
    """Check `paths` at `rev` as `head` (the working tree's findings) was checked, and
    compare the two."""
    top, commit = revision(rev)
    here = Path(os.path.realpath(Path.cwd()))
    mapped = [_in_repository(p, here, Path(top)) for p in paths]
    local = tuple(os.path.abspath(p) for p in config.rule_paths)  # the same rules judge both
    wanted = [*mapped, *([_in_repository(config.baseline, here, Path(top))] if config.baseline else [])]
    progress(f"reading {rev}")
    with tempfile.TemporaryDirectory(prefix="spoflint-diff-") as temporary:
        mirror = Path(temporary)
        present = _extract(top, commit, wanted, mirror)
        start = mirror / here.relative_to(Path(top))
        start.mkdir(parents=True, exist_ok=True)
        baseline = config.baseline if config.baseline and _exists(wanted[-1], present) else None
        old_config = replace(config, rule_paths=local, baseline=baseline)
        with _inside(start):
            # a relative path means the same place in the mirror; an absolute one is moved there
            kept = [
                os.path.relpath(mirror / m, start) if os.path.isabs(p) else p
                for p, m in zip(paths, mapped)
                if _exists(m, present)
            ]
            old = _check(kept, old_config, only_topologies, input_format, progress)
            before_facts = _availability(kept, old_config, only_topologies, input_format)
    after_facts = _availability(paths, config, only_topologies, input_format)
    seen = {f.fingerprint for f in old.findings}
    now = {f.fingerprint for f in head}
    return Diff(
        revision=rev,
        new=[f for f in head if f.fingerprint not in seen],
        fixed=[f for f in old.findings if f.fingerprint not in now and f.suppressed is None],
        availability=[
            Change(s, before_facts[s], after_facts[s])
            for s in sorted(set(before_facts) & set(after_facts))
            if round(before_facts[s], 6) != round(after_facts[s], 6)
        ],
        errors=old.errors,
    )


def counts(findings: Sequence[Finding]) -> tuple[int, int]:
    """(single points of failure, other findings) among the reported ones."""
    shown = [f for f in findings if f.suppressed is None]
    spofs = sum(1 for f in shown if f.rule in SPOF_RULES)
    return spofs, len(shown) - spofs


def summary(diff: Diff, services: int = 3) -> str:
    """One sentence: "this change adds 2 single points of failure, removes 1; glance's
    availability 99.95 % → 99.90 %", the `services` largest availability changes named
    (the others counted)."""
    added, fixed = counts(diff.new), counts(diff.fixed)
    text = f"this change (against {diff.revision}) adds {_counted(added, 'no findings')}, removes {_counted(fixed, 'none')}"
    changes = sorted(diff.availability, key=lambda c: (-abs(c.after - c.before), c.service))
    for change in changes[:services]:
        before, after = percents(change)
        text += f"; {change.service}'s availability {before} → {after}"
    if len(changes) > services:
        more = len(changes) - services
        text += f"; the availability of {more} more service{'' if more == 1 else 's'} changed"
    if diff.errors:
        text += f"; {len(diff.errors)} unit(s) could not be checked at {diff.revision}, their findings count as new"
    return text


def _counted(count: tuple[int, int], nothing: str) -> str:
    spofs, others = count
    words = []
    if spofs:
        words.append(f"{spofs} single point{'' if spofs == 1 else 's'} of failure")
    if others:
        words.append(f"{others} other finding{'' if others == 1 else 's'}")
    return " and ".join(words) or nothing


def percents(change: Change) -> tuple[str, str]:
    """Before and after as percentages, with the decimals it takes to tell them apart
    (never rounded up to 100 %)."""
    for decimals in range(2, 9):
        shown = tuple(_percent(v, decimals) for v in (change.before, change.after))
        if shown[0] != shown[1] and all(
            t != "100" + "." + "0" * decimals or v == 1 for t, v in zip(shown, (change.before, change.after))
        ):
            break
    return f"{shown[0]} %", f"{shown[1]} %"


def _percent(value: float, decimals: int) -> str:
    return f"{value * 100:.{decimals}f}"


def _git(args: list[str], cwd: Path, failure: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        raise UsageError("--diff needs git, which cannot be run here") from None
    if done.returncode != 0:
        raise UsageError(failure)
    return done.stdout


def _in_repository(path: str, here: Path, top: Path) -> str:
    """A path given to the check, relative to the repository's top level (`/`)."""
    if path == "-":
        raise UsageError("--diff cannot compare standard input: name the files")
    full = Path(os.path.realpath(here / path))
    try:
        rel = full.relative_to(top)
    except ValueError:
        raise UsageError(f"--diff: {path} is outside the git repository {top}") from None
    return rel.as_posix() or "."


def _extract(top: str, commit: str, wanted: Sequence[str], mirror: Path) -> set[str]:
    """Write the files git tracks at `commit` under `wanted` into `mirror`, at their
    places in the repository; the files written (relative to the top level)."""
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *wanted], Path(top), "git ls-tree failed")
    entries = []
    for record in listing.split("\0"):
        if not record:
            continue
        meta, name = record.split("\t", 1)
        mode, kind, _ = meta.split()
        if kind == "blob":
            entries.append((mode, name))
    if not entries:
        return set()
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=top,
        input="".join(f"{commit}:{name}\n" for _, name in entries).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise UsageError(f"--diff: git cannot read the files at {commit[:12]}: {done.stderr.decode().strip()}")
    batch = done.stdout
    offset = 0
    for mode, name in entries:
        end = batch.index(b"\n", offset)
        size = int(batch[offset:end].split()[2])
        content = batch[end + 1 : end + 1 + size]
        offset = end + 2 + size
        target = mirror / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":  # a symbolic link: the same link
            with contextlib.suppress(OSError):
                os.symlink(content.decode(), target)
        else:
            target.write_bytes(content)
    return {name for _, name in entries}


def _exists(path: str, present: set[str]) -> bool:
    """Whether a path (relative to the top level) was a file or folder at REV."""
    return path in present or any(f.startswith(path + "/") for f in present) or (path == "." and bool(present))


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """The working directory, changed for the check at REV (its paths are shown relative
    to it, as the working tree's are)."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _check(paths, config, only_topologies, input_format, progress) -> Run:
    if not paths:  # nothing of it existed at REV
        return Run([], [], 0)
    progress("analysing the revision")
    try:
        return run(paths, config, only_topologies, lambda stage: None, input_format)
    except InputError as failed:
        return Run([], [failed], 0)


def _availability(paths, config: Config, only_topologies, input_format) -> dict[str, float]:
    """Every user-facing service's availability over the units that can be read."""
    from ..analysis import Facts
    from ..importers.assemble import read_units

    if not paths:
        return {}
    try:
        units = read_units(list(paths), only_topologies, input_format, config.include, config.exclude)
    except InputError:
        return {}
    found: dict[str, float] = {}
    for unit in units:
        if unit.topology is None:
            continue
        for service, figure in Facts(unit.topology, scope=config.scope).availability.items():
            found.setdefault(service, figure.availability)
    return found
