"""Fuzzing the input stages with the bundled examples, broken at random.

Whatever the edit (lines deleted, duplicated, swapped or re-indented, characters
inserted, bytes flipped, the file cut short), loading and building either succeed or
raise one InputError with a position inside the file; anything else is a bug. What
loads is analysed too, which must not raise either.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint.analysis import Facts
from spoflint.errors import InputError
from tests import helpers
from tests.helpers import topology_of

EXAMPLES = sorted(helpers.EXAMPLES.glob("*.yaml"))
# Characters that mean something to YAML, whitespace, and a few that are not text.
SPECIAL = list(":-[]{},&*!|>'\"#%@`?~\t\n\r ") + ["\x00", "\x85", "\u2028", "\ufeff", "é", "<<", "---", "..."]


def test_the_examples_are_there():
    assert len(EXAMPLES) == 3


@st.composite
def edits(draw, lines: list[bytes]):
    """One random edit of a file given as lines (each ending in b"\\n")."""
    lines = list(lines)
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "insert", "byte", "truncate", "move"]))
    index = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    elif kind == "move":
        lines.insert(draw(st.integers(0, len(lines))), lines.pop(index))
    elif kind == "indent":
        body = lines[index].lstrip(b" ")
        indent = draw(st.sampled_from([b"", b" ", b"  ", b"    ", b"\t", b" \t", b" " * 7]))
        lines[index] = indent + body
    else:
        data = b"".join(lines)
        at = draw(st.integers(0, len(data)))
        if kind == "insert":
            piece = draw(st.one_of(st.sampled_from(SPECIAL), st.text(min_size=1, max_size=4)))
            data = data[:at] + piece.encode("utf-8", "surrogatepass") + data[at:]
        elif kind == "byte":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        else:
            data = data[:at]
        return data.splitlines(keepends=True) or [b""]
    return lines or [b""]


@st.composite
def broken_examples(draw) -> bytes:
    path = draw(st.sampled_from(EXAMPLES))
    lines = path.read_bytes().splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        lines = draw(edits(lines))
    return b"".join(lines)


def load_and_build(data: bytes):
    """Build the topology, or return the InputError, checked for a sane position."""
    try:
        return topology_of(data, "f.yaml")
    except InputError as error:
        assert error.path == "f.yaml"
        assert 1 <= error.line and 1 <= error.column, str(error)
        # a position inside the file, counting lines as YAML does (NEL, LS and PS too)
        assert error.line <= len(re.split(r"\r\n|[\r\n\x85\u2028\u2029]", data.decode("utf-8", "replace"))), str(error)
        assert error.message and "\n" not in error.message and len(error.message) < 300, str(error)
        return error


def analyse(topology) -> None:
    """What loaded is analysed too, which must not raise."""
    facts = Facts(topology)
    assert isinstance(facts.single_points, dict)
    assert isinstance(facts.articulation_points, dict)
    assert isinstance(facts.bridges, dict)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_examples())
def test_broken_examples_fail_cleanly_or_analyse(data):
    result = load_and_build(data)
    if not isinstance(result, InputError):
        analyse(result)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_prefix_of_an_example(path):
    """The file cut short after every line, and in the middle of every line."""
    data = path.read_bytes()
    cuts = {0, len(data)}
    for line_end in (i + 1 for i, byte in enumerate(data) if byte == 0x0A):
        cuts.update((line_end, max(0, line_end - 7)))
    for cut in sorted(cuts):
        load_and_build(data[:cut])


# --- structural edits: YAML that parses, and a model that is subtly wrong ------------------


def paths_in(node, prefix=()):
    """Every path (keys and indexes) to a value inside a parsed document."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield prefix + (key,)
        yield from paths_in(value, prefix + (key,))


def ids_in(document: dict) -> list[str]:
    ids = [eid for section in document.values() if isinstance(section, dict) for eid in section]
    return sorted({str(eid) for eid in ids}) or ["x"]


def values(ids: list[str]):
    an_id = st.sampled_from(ids)
    return st.one_of(
        an_id,
        st.lists(an_id, max_size=4),
        st.none(),
        st.booleans(),
        st.integers(-2, 5),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=6),
        st.sampled_from(["majority", "none", "stateful", "load-balancer", "switch", "pdu", "ceph", "host"]),
        st.just({}),
        st.dictionaries(st.sampled_from(["kind", "hosts", "rack", "from"]), an_id, max_size=2),
    )


@st.composite
def reshaped_examples(draw) -> str:
    import yaml

    document = yaml.safe_load(draw(st.sampled_from(EXAMPLES)).read_text())
    ids = ids_in(document)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths_in(document))))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        kind = draw(st.sampled_from(["delete", "replace", "add", "rename"]))
        if kind == "delete":
            del parent[path[-1]]
        elif kind == "replace":
            parent[path[-1]] = draw(values(ids))
        elif kind == "add" and isinstance(parent, dict):
            key = draw(
                st.one_of(
                    st.sampled_from(
                        [
                            "kind",
                            "hosts",
                            "replicas",
                            "pool",
                            "rack",
                            "zone",
                            "power",
                            "from",
                            "nics",
                            "depends_on",
                            "storage",
                            "load_balancer",
                            "quorum",
                            "ha",
                            "spread",
                            "min_replicas",
                            "accept",
                            "between",
                        ]
                    ),
                    st.sampled_from(ids),
                )
            )
            parent[key] = draw(values(ids))
        elif kind == "rename" and isinstance(parent, dict):  # an element gets another's id
            parent[draw(st.sampled_from(ids))] = parent.pop(path[-1])
        if not list(paths_in(document)):
            break
    return yaml.safe_dump(document, sort_keys=False)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reshaped_examples())
def test_reshaped_examples_fail_cleanly_or_analyse(text):
    result = load_and_build(text.encode())
    if not isinstance(result, InputError):
        analyse(result)


# --- every command on what loads: simulate, cutsets, availability, graph -----------------

COMMAND_EXAMPLES = int(os.environ.get("SPOFLINT_FUZZ_EXAMPLES", "6"))


@settings(max_examples=COMMAND_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=reshaped_examples(), data=st.data())
def test_every_command_runs_on_a_reshaped_example_or_fails_on_one_line(text, data, tmp_path_factory):
    """Through the command line, as a user runs them: an answer (exit 0 or 1) or one
    located line per error on standard error (exit 2); `invoke` fails the test on any
    exception."""
    path = tmp_path_factory.mktemp("fuzz") / "t.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_and_build(text.encode())
    failing = sorted(e for e in result.section_of if result.can_fail(e)) if not isinstance(result, InputError) else []
    fail = data.draw(st.sampled_from(failing)) if failing else "x"
    runs = [
        ("simulate", "--fail", fail, "--format", data.draw(st.sampled_from(["text", "json"]))),
        ("cutsets", "--order", data.draw(st.integers(1, 3))),
        ("availability",),
        ("graph", "--format", data.draw(st.sampled_from(["dot", "mermaid", "json", "html"]))),
    ]
    for args in runs:
        outcome = helpers.invoke(*args, path)
        assert outcome.exit_code in (0, 1, 2), (args, outcome.output)
        if outcome.exit_code == 2:
            assert "Traceback" not in outcome.output
            lines = outcome.stderr.splitlines()
            assert lines and all(re.match(r"\S+:\d+:\d+: \S", line) or line.startswith("--") for line in lines), (
                args,
                outcome.stderr,
            )
        elif not isinstance(result, InputError):
            assert outcome.stdout, args
