"""Fuzzing the readers with their own fixtures, reshaped at random.

Real files are full of values of the wrong type (a `name:` that is a list, a `ports:`
that is a mapping, a null where a mapping goes) and every reader walks deep structures
of them. Whatever one value is replaced by, a reader either reads the file (and what it
wrote builds and is checked without raising) or raises one InputError; a TypeError,
KeyError or AttributeError is a bug.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from spoflint import engine, model
from spoflint.errors import InputError
from spoflint.importers import by_format
from spoflint.importers._kolla_inventory import expand, split
from tests.helpers import REPO, invoke

FIXTURES = REPO / "fixtures" / "import"
# the fixtures that are one file (a folder is one input of several files)
FILES = sorted(
    (fmt, p) for fmt in ("compose", "kubernetes", "openstack-ansible") for p in (FIXTURES / fmt).glob("*.y*ml")
)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading Ansible's local tags (`!vault`, `!unsafe`) as text."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node))
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70000),
    st.sampled_from(["", "x", "db", "10.0.0.1", "redis:7", "{{ x }}", "0.5", "none", "-1"]),
    st.just([]),
    st.just({}),
    st.just([{"name": ["x"]}]),
    st.just({"name": {"a": 1}}),
)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a YAML tree."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _replace(node: object, path: tuple, value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _replace(node[head], rest, value)}
    assert isinstance(node, list)
    return [_replace(v, rest, value) if i == head else v for i, v in enumerate(node)]


def test_there_are_fixtures_to_fuzz():
    assert {fmt for fmt, _ in FILES} == {"compose", "kubernetes", "openstack-ansible"}


@pytest.mark.parametrize("fmt,path", FILES, ids=[str(p.relative_to(FIXTURES)) for _, p in FILES])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_reshaped_fixture_reads_or_fails_cleanly(fmt: str, path: Path, data, tmp_path_factory):
    documents = [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Loader) if d is not None]
    index = data.draw(st.integers(0, len(documents) - 1))
    places = _paths(documents[index])
    if not places:
        return
    where = data.draw(st.sampled_from(places))
    documents[index] = _replace(documents[index], where, data.draw(VALUES))
    target = tmp_path_factory.mktemp("fuzz") / path.name
    target.write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")
    try:
        topology = model.build(by_format(fmt).read([target]))
    except InputError:
        return
    engine.check(topology, engine.Config())


@settings(max_examples=int(os.environ.get("SPOFLINT_FUZZ_EXAMPLES", "300")), deadline=None)
@given(line=st.text(alphabet=st.sampled_from(list("ab =#'\"\\\t:[]") + ["é", "\r"]), max_size=24))
def test_kolla_host_lines_split_as_shlex_splits_them(line: str):
    """kolla's one-pass word splitter says what `shlex.split(line, comments=True)` says
    (Ansible's reading of a host line), the same words or the same error."""
    try:
        expected: list[str] | str = shlex.split(line, comments=True)
    except ValueError as error:
        expected = str(error)
    try:
        found: list[str] | str = split(line)
    except ValueError as error:
        found = str(error)
    assert found == expected


@settings(max_examples=int(os.environ.get("SPOFLINT_FUZZ_EXAMPLES", "300")), deadline=None)
@given(
    ranges=st.lists(
        st.one_of(
            st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(1, 3)).map(
                lambda r: f"[{r[0]:02d}:{r[1]}:{r[2]}]"
            ),
            st.sampled_from(["[a:c]", "[b:b]", "[1:3]", "[x:1]", "[1]", "[1:2:0]"]),
        ),
        max_size=3,
    ),
    texts=st.lists(st.sampled_from(["ctl", "-", ".lan", ""]), min_size=4, max_size=4),
)
def test_kolla_host_ranges_expand_as_ansible_does(ranges: list[str], texts: list[str]):
    """Ranges counted first expand to what expanding them one by one gives, in order."""
    pattern = texts[0] + "".join(r + t for r, t in zip(ranges, texts[1:], strict=False))

    def slowly(rest: str) -> list[str]:  # Ansible's way: the first range, then the rest
        match = re.search(r"\[([^\]]*)\]", rest)
        if not match:
            return [rest]
        start, end, *step = match.group(1).split(":")
        by = int(step[0]) if step and step[0] else 1
        if start.isdigit():
            values = [
                str(n).zfill(len(start) if start.startswith("0") else 0) for n in range(int(start), int(end) + 1, by)
            ]
        else:
            values = [chr(c) for c in range(ord(start), ord(end) + 1, by)]
        return [rest[: match.start()] + v + tail for v in values for tail in slowly(rest[match.end() :])]

    try:
        found = expand(pattern)
    except ValueError:
        return  # a malformed or empty range: the reader's InputError
    assert found == slowly(pattern)


def test_a_workload_named_when_created_is_read_after_its_prefix(tmp_path):
    """`metadata.generateName` (no `name`): Kubernetes names it when it is created; the
    reader reads it after its prefix, at the prefix (it was skipped without a word)."""
    path = tmp_path / "jobs.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generateName: worker-\n"
        "spec:\n  replicas: 2\n  template: {spec: {containers: [{name: w, image: nginx}]}}\n",
        encoding="utf-8",
    )
    result = invoke("check", "--format", "json", path)
    findings = json.loads(result.stdout)["findings"]
    assert {(f["rule"], f["subject"], f["line"], f["column"]) for f in findings if f["severity"] != "note"} == {
        ("SVC003", "worker", 4, 17),
        ("SVC007", "worker", 4, 17),
    }


# --- through the command line: files broken as text, folders, and `spoflint import` -------

EXAMPLES = int(os.environ.get("SPOFLINT_FUZZ_EXAMPLES", "30"))
# every input of the three YAML readers: the one-file fixtures and the folders (a Compose
# project with its override or `extends` file, a Kubernetes tree, an OSA config with conf.d
# and env.d); kolla's INI inventories are fuzzed by the splitter and range tests above
INPUTS = [(fmt, p) for fmt, p in FILES] + sorted(
    (fmt, p) for fmt in ("compose", "kubernetes", "openstack-ansible") for p in (FIXTURES / fmt).iterdir() if p.is_dir()
)
LOCATED = r".+:\d+:\d+: .+|spoflint: error: .+"
# values that are hostile to a reader rather than of the wrong type: counts that would
# allocate (replicas, Swarm's max_replicas_per_node), interpolation, names Compose and
# Kubernetes refuse, control characters, and very long text
HOSTILE_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        [10**9, 2**63, -(2**63), 1e308, "1e9", "${X:?unset}", "${X:-${Y}}", "$$", "a\nb\x1b[2J", "é数据🔥"]
        + ["::error::x", "../../etc/passwd", "/dev/zero", "x" * 5000, "host:[::1]:80", "1-65535:1-65535"]
    ),
    st.recursive(st.sampled_from([None, "x", 1]), lambda inner: st.lists(inner, max_size=2), max_leaves=6),
)
TEXT_EDITS = [
    "\n",
    "  ",
    "\t",
    ": ",
    "- ",
    "{",
    "[",
    "!reset ",
    "!override ",
    "&a ",
    "*a",
    "<<: *a\n",
    "\x00",
    "\ufeff",
]


def _copy(fmt: str, source: Path, folder: Path) -> tuple[Path, list[Path]]:
    """The input copied into `folder`: what to check, and the YAML files in it."""
    import shutil

    target = folder / source.name
    if source.is_dir():
        shutil.copytree(source, target)
        return target, sorted(p for p in target.rglob("*") if p.suffix in (".yml", ".yaml"))
    shutil.copy(source, target)
    return target, [target]


def _reshape(path: Path, data) -> None:
    """One value of one document replaced by a hostile one, or a few bytes of the text edited."""
    text = path.read_text(encoding="utf-8")
    if data.draw(st.booleans(), label="as text"):
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(0, len(text)))
            piece = data.draw(st.sampled_from(TEXT_EDITS))
            cut = data.draw(st.integers(0, 3))
            text = text[:at] + piece + text[at + cut :]
        path.write_text(text, encoding="utf-8")
        return
    try:
        documents = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError:  # Compose's `!reset` and friends: edit as text instead
        path.write_text(text.replace(":", ": x", 1), encoding="utf-8")
        return
    if not documents:
        return
    index = data.draw(st.integers(0, len(documents) - 1))
    places = _paths(documents[index])
    if places:
        where = data.draw(st.sampled_from(places))
        documents[index] = _replace(documents[index], where, data.draw(HOSTILE_VALUES))
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True), encoding="utf-8")


def assert_answer_or_located_errors(result) -> None:
    """Exit 0 or 1; or exit 2 with every line on standard error one located error (one
    per unit that could not be read; the others' findings still shown). Never a traceback."""
    assert "Traceback" not in result.output, result.output
    assert result.exit_code in (0, 1, 2), result.output
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert lines and all(re.fullmatch(LOCATED, line) for line in lines), result.stderr
        assert all(len(line) < 2000 for line in lines), "an error line quotes too much"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_broken_foreign_input_is_checked_or_fails_cleanly(data, tmp_path_factory, monkeypatch):
    """A fixture (a file or a whole folder) with one of its files broken, checked through
    the command line, detected or with `--input-format`: JSON findings, or located errors."""
    fmt, source = data.draw(st.sampled_from(INPUTS), label="input")
    folder = tmp_path_factory.mktemp("reader")
    monkeypatch.chdir(folder)
    target, files = _copy(fmt, source, folder)
    _reshape(data.draw(st.sampled_from(files), label="file"), data)
    forced = ("--input-format", fmt) if data.draw(st.booleans(), label="forced") else ()
    result = invoke("check", "--format", "json", *forced, target.name)
    assert_answer_or_located_errors(result)
    if result.stdout:
        findings = json.loads(result.stdout)["findings"]
        assert all(f["line"] >= 1 and f["column"] >= 1 for f in findings)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_what_import_writes_from_a_broken_input_checks_again(data, tmp_path_factory, monkeypatch):
    """`spoflint import` on a broken fixture writes a native topology that `check` reads
    (never YAML it refuses), or fails with a located error and writes nothing."""
    fmt, source = data.draw(st.sampled_from(INPUTS), label="input")
    folder = tmp_path_factory.mktemp("import")
    monkeypatch.chdir(folder)
    target, files = _copy(fmt, source, folder)
    _reshape(data.draw(st.sampled_from(files), label="file"), data)
    result = invoke("import", fmt, target.name, "-o", "native.yaml")
    assert_answer_or_located_errors(result)
    if result.exit_code != 0:
        assert result.exit_code == 2 and not Path("native.yaml").exists()
        return
    again = invoke("check", "--format", "json", "native.yaml")
    assert again.exit_code in (0, 1), again.output
