"""Fuzzing the readers with their own fixtures, reshaped at random.

Real files are full of values of the wrong type (a `name:` that is a list, a `ports:`
that is a mapping, a null where a mapping goes) and every reader walks deep structures
of them. Whatever one value is replaced by, a reader either reads the file (and what it
wrote builds and is checked without raising) or raises one InputError; a TypeError,
KeyError or AttributeError is a bug.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint import engine, model
from spoflint.errors import InputError
from spoflint.importers import by_format
from tests.helpers import REPO

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
