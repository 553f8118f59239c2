"""Fuzzing the files a check reads besides the topology: `.spoflint.yaml`, a
`pyproject.toml` with `[tool.spoflint]`, and baseline files.

Each case is a file generated from the documented keys with values of every type (and
keys misspelt), or a valid file broken at random (bytes flipped or inserted, the file
cut short), run through the command line in-process on a copy of hidden-spof. The
outcome is an answer (exit 0 or 1) or one located line on standard error (exit 2, with
nothing on standard output); never a traceback. The number of examples is
`SPOFLINT_FUZZ_EXAMPLES` (small by default, so the quick suite stays fast).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers import HIDDEN, assert_one_line_error, invoke

EXAMPLES = int(os.environ.get("SPOFLINT_FUZZ_EXAMPLES", "30"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LOCATED = r"(.+:\d+:\d+: .+|spoflint: error: .+)"
NOTICE = "spoflint: loading local rules from "

KEYS = [
    "paths",
    "select",
    "ignore",
    "severity",
    "options",
    "fail-on",
    "baseline",
    "failure-scope",
    "rule-paths",
    "include",
    "exclude",
    "kubernetes",
    "netbox",
    "fail_on",  # misspelt
    "Select",
    "",
]
WORDS = st.sampled_from(
    ["SPOF001", "SPOF", "SPOF01", "single-point-of-failure", "MODEL001", "error", "warning", "note", "none"]
    + ["power", "zones", "hosts", "order", "min_members", "rack-label", "url", "x", "", "*", "**/x", "../.."]
    + ["/dev/zero", "/dev/null", "nonexistent", "t.yaml", "\x1b[2J", "a\nb", "é", "🔥" * 3, "x" * 3000]
)
SCALARS = st.one_of(
    WORDS,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(WORDS, inner, max_size=3)),
    max_leaves=8,
)
RULE_NAMES = st.sampled_from(["SPOF001", "SPOF", "SVC", "STATE002", "single-point-of-failure", "MODEL001", "SPOF01"])
LEVEL = st.sampled_from(["error", "warning", "note", "none", "Error"])
PLAUSIBLE = {  # each key's own shape, with an item or two that may be wrong
    "select": st.lists(RULE_NAMES, max_size=3),
    "ignore": st.lists(RULE_NAMES, max_size=3),
    "severity": st.dictionaries(RULE_NAMES, LEVEL, max_size=2),
    "options": st.dictionaries(
        st.sampled_from(["STATE002", "SPOF005", "OBJ001", "SPOF001"]),
        st.dictionaries(st.sampled_from(["min_members", "order", "target", "x"]), SCALARS, max_size=2),
        max_size=2,
    ),
    "fail-on": LEVEL,
    "failure-scope": st.lists(st.sampled_from(["power", "cooling", "racks", "zones", "hosts", "x"]), max_size=4),
    "exclude": st.lists(st.sampled_from(["vendor", "*.yaml", "**", "t.yaml", "[", "/"]), max_size=2),
    "include": st.lists(st.sampled_from(["*.compose.yaml", "**/*", "["]), max_size=2),
    "baseline": st.sampled_from(["b.json", "/dev/null", "missing.json", "."]),
    "kubernetes": st.dictionaries(st.sampled_from(["rack-label", "rack_label"]), SCALARS, max_size=1),
    "netbox": st.dictionaries(st.sampled_from(["url", "token-env", "verify-tls", "sites"]), SCALARS, max_size=2),
}
CONFIGS = st.one_of(
    st.fixed_dictionaries({}, optional={key: value for key, value in PLAUSIBLE.items()}),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=4)), VALUES, max_size=5),
)


def _toml_value(value: object) -> str:
    """A value as TOML writes it (a small writer: no TOML library is a dependency); a
    None becomes an empty inline table, a key an inline table's quoted key."""
    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)  # outside 64 bits TOML says no: the reader's error to give
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML's
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def to_toml(config: dict, table: str) -> str:
    return f'[project]\nname = "x"\n\n[{table}]\n' + "".join(
        f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in config.items()
    )


@st.composite
def broken(draw, text: str) -> bytes:
    """`text` with a few bytes flipped, a few pieces inserted, or cut short."""
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["byte", "insert", "truncate"]))
        if kind == "byte":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "insert":
            piece = draw(st.sampled_from(['"', "'", "[", "]", "{", "}", ":", ",", "\n", "\t", "=", "#", "\\", "\x00"]))
            data = data[:at] + piece.encode() + data[at:]
        else:
            data = data[:at]
    return data


def assert_answer_or_located_error(result) -> None:
    """Exit 0 or 1 with no traceback, or exit 2 and one located line (after the notice
    that local rules are loaded, when a config names some)."""
    assert "Traceback" not in result.output, result.output
    event(f"exit {result.exit_code}")
    if os.environ.get("SPOFLINT_FUZZ_SHOW") and result.exit_code == 2:  # what the errors say, for a look
        event(re.sub(r"\d+|'[^']*'", "N", result.stderr.splitlines()[-1])[:70])
    if result.exit_code in (0, 1):
        return
    notices = [line for line in result.stderr.splitlines() if line.startswith(NOTICE)]
    assert_one_line_error(result, LOCATED, after=notices)


def _checkout(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copy(HIDDEN, folder / "t.yaml")
    return folder


VALID_YAML = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
VALID_YAML = re.search(r"```yaml\n(# \.spoflint\.yaml\n.*?)```", VALID_YAML, re.S).group(1)  # the documented example
VALID_TOML = '[project]\nname = "x"\n\n[tool.spoflint]\nfail-on = "warning"\nselect = ["SPOF"]\n\n[tool.spoflint.options.STATE002]\nmin_members = 5\n'


def test_the_documented_examples_are_valid(tmp_path_factory, monkeypatch):
    """What the fuzzing breaks is valid to start with (less the files it names)."""
    folder = _checkout(tmp_path_factory)
    monkeypatch.chdir(folder)
    text = VALID_YAML.replace("baseline: .spoflint-baseline.json\n", "").replace(
        "rule-paths: [tools/spoflint-rules]", ""
    )
    Path(".spoflint.yaml").write_text(text, encoding="utf-8")
    assert invoke("check", "t.yaml").exit_code == 1
    Path(".spoflint.yaml").unlink()
    Path("pyproject.toml").write_text(VALID_TOML, encoding="utf-8")
    result = invoke("check", "t.yaml")
    assert result.exit_code == 1 and "SPOF001" in result.stdout and "SVC" not in result.stdout, result.output


@SETTINGS
@given(config=CONFIGS, where=st.sampled_from(["found", "--config"]))
def test_a_generated_spoflint_yaml(config, where, tmp_path_factory, monkeypatch):
    import yaml

    folder = _checkout(tmp_path_factory)
    monkeypatch.chdir(folder)
    Path(".spoflint.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    args = ("--config", ".spoflint.yaml") if where == "--config" else ()
    assert_answer_or_located_error(invoke("check", *args, "t.yaml"))


@SETTINGS
@given(config=CONFIGS, table=st.sampled_from(["tool.spoflint", "tool.spoflint.options", "tool"]))
def test_a_generated_pyproject_table(config, table, tmp_path_factory, monkeypatch):
    folder = _checkout(tmp_path_factory)
    monkeypatch.chdir(folder)
    Path("pyproject.toml").write_text(to_toml(config, table), encoding="utf-8")
    assert_answer_or_located_error(invoke("check", "t.yaml"))


@SETTINGS
@given(data=st.data(), name=st.sampled_from([".spoflint.yaml", "pyproject.toml"]))
def test_a_broken_config_file(data, name, tmp_path_factory, monkeypatch):
    folder = _checkout(tmp_path_factory)
    monkeypatch.chdir(folder)
    text = VALID_YAML.replace("rule-paths: [tools/spoflint-rules]", "") if name != "pyproject.toml" else VALID_TOML
    Path(name).write_bytes(data.draw(broken(text)))
    assert_answer_or_located_error(invoke("check", "t.yaml"))


# --- baselines ----------------------------------------------------------------------------

ENTRY_KEYS = st.sampled_from(["rule", "path", "subject", "line", "Rule", "extra"])
ENTRY = st.fixed_dictionaries(
    {
        "rule": st.sampled_from(["SPOF001", "SVC001", "NOPE999", "spof001", ""]),
        "path": st.sampled_from(["t.yaml", "./t.yaml", "other.yaml", "", "/t.yaml", "..\\t.yaml"]),
        "subject": st.one_of(st.sampled_from(["sw-1", "feed-a", "gone", ""]), st.text(max_size=6)),
    }
)
ENTRIES = st.one_of(ENTRY, ENTRY, st.dictionaries(ENTRY_KEYS, VALUES, max_size=4), VALUES)
ENVELOPE = st.fixed_dictionaries(  # mostly the right envelope, so that the entries are read
    {
        "format": st.sampled_from(["spoflint-baseline"] * 4 + ["spoflint-findings", ""]),
        "version": st.sampled_from([1, 1, 1, 1, 1, 2, "1", None]),
        "findings": st.one_of(st.lists(ENTRIES, max_size=6), st.lists(ENTRIES, max_size=6), VALUES),
    }
)
BASELINES = st.one_of(ENVELOPE, ENVELOPE, ENVELOPE, VALUES)


@SETTINGS
@given(document=BASELINES, nest=st.sampled_from([0, 0, 0, 0, 0, 2, 3]))
def test_a_generated_baseline(document, nest, tmp_path_factory, monkeypatch):
    folder = _checkout(tmp_path_factory)
    monkeypatch.chdir(folder)
    text = json.dumps(document, ensure_ascii=False)
    text = "[" * (10**nest) + text + "]" * (10**nest) if nest > 1 else text  # up to a thousand deep
    Path("b.json").write_text(text, encoding="utf-8")
    assert_answer_or_located_error(invoke("check", "--baseline", "b.json", "t.yaml"))


@SETTINGS
@given(data=st.data(), through=st.sampled_from(["--baseline", "config"]))
def test_a_broken_baseline(data, through, tmp_path_factory, monkeypatch):
    folder = _checkout(tmp_path_factory)
    monkeypatch.chdir(folder)
    assert invoke("check", "t.yaml", "--write-baseline", "b.json").exit_code == 0
    Path("b.json").write_bytes(data.draw(broken(Path("b.json").read_text(encoding="utf-8"))))
    if through == "config":
        Path(".spoflint.yaml").write_text("baseline: b.json\n", encoding="utf-8")
        args: tuple[str, ...] = ()
    else:
        args = ("--baseline", "b.json")
    result = invoke("check", *args, "t.yaml")
    assert_answer_or_located_error(result)
    if result.exit_code == 2:  # an error names the baseline, wherever it was given
        assert result.stderr.startswith("b.json:"), result.stderr
