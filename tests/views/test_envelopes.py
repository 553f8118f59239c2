"""Every JSON output starts with the same envelope: `format` (spoflint-<name>), then
`version` (an integer), whatever command writes it (docs/outputs.md, "JSON")."""

from __future__ import annotations

import json

import pytest

from tests.helpers import HA, invoke

COMMANDS = {
    "spoflint-findings": ["check", "-f", "json", HA],
    "spoflint-simulation": ["simulate", "-f", "json", "--fail", "ctl-1", HA],
    "spoflint-cutsets": ["cutsets", "-f", "json", HA],
    "spoflint-availability": ["availability", "-f", "json", HA],
    "spoflint-graph": ["graph", "-f", "json", HA],
    "spoflint-kinds": ["kinds", "-f", "json"],
}


def _assert_envelope(text: str, name: str) -> None:
    document = json.loads(text)
    first, second = list(document)[:2]
    assert (first, second) == ("format", "version"), list(document)
    assert document["format"] == name
    assert isinstance(document["version"], int) and not isinstance(document["version"], bool)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_output_starts_with_the_envelope(name):
    result = invoke(*COMMANDS[name])
    assert result.exit_code in (0, 1), result.output  # check exits 1: the example has findings
    _assert_envelope(result.stdout, name)


def test_baseline_file_starts_with_the_envelope(tmp_path):
    baseline = tmp_path / "baseline.json"
    result = invoke("check", HA, "--write-baseline", baseline)
    assert result.exit_code == 0, result.output
    _assert_envelope(baseline.read_text(), "spoflint-baseline")


def test_availability_keeps_the_rest_sorted():
    """Only the envelope moves to the front; the rest keeps its sorted order, at every level."""
    document = json.loads(invoke(*COMMANDS["spoflint-availability"]).stdout)
    rest = list(document)[2:]
    assert rest == sorted(rest)
    for service in document["services"]:
        assert list(service) == sorted(service)
