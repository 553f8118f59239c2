"""Fuzzing the reporters with hostile text: every `--format` on findings whose paths,
subjects, messages, related places, chains, accepted reasons and fixes hold control
characters, newlines, Unicode line and paragraph separators, bidirectional overrides,
lone surrogates (a Latin-1 file name read with `surrogateescape`), markup (`<`, `&`,
`]]>`, `|`, backquotes), GitHub's own escapes (`%0A`, `::error::`) and very long strings.

Whatever the text: JSON and SARIF parse and keep it exactly (SARIF validates against
its official schema when `shared/` has it), JUnit is well-formed XML, the text formats
show one line per finding and no control character, and each GitHub line is one
workflow command that a value cannot end or start anew. The number of examples is
`SPOFLINT_FUZZ_EXAMPLES` (small by default, so the quick suite stays fast).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint.errors import printable
from spoflint.findings import Finding, Fix, Place
from spoflint.load.discover import name_as_text
from spoflint.registry import rules
from spoflint.reporters import FORMATS, render
from tests.helpers import HIDDEN, SHARED, invoke

EXAMPLES = int(os.environ.get("SPOFLINT_FUZZ_EXAMPLES", "40"))
SARIF_SCHEMA = SHARED / "schemas" / "sarif-2.1.0.json"
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # all but \n
RULES = rules()
PIECES = [
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x00",
    "\x07",
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u2066",
    "\ufeff",
    "::error::x",
    "::warning file=a,line=1::y",
    "%0A",
    "%25",
    "%",
    ",",
    ":",
    "<",
    "&amp;",
    "]]>",
    '"',
    "|",
    "`",
    "\\",
    "é",
    "数据",
    "\U0001f525",
]
# a Latin-1 file name, as Python holds it (lone surrogates): only file names can be that
LATIN1 = os.fsdecode(b"caf\xe9")
HOSTILE = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=8).map("".join)
TEXT = st.one_of(HOSTILE, HOSTILE.map(lambda t: t + "x" * 5000 + t))  # and a very long one
NAME = st.text(min_size=1, max_size=6)


@st.composite
def findings(draw) -> list[Finding]:
    """A few findings of real rules, any of them accepted, baselined, or caused by an earlier root."""
    out: list[Finding] = []
    for index in range(draw(st.integers(1, 4))):
        rule = RULES[draw(st.sampled_from(sorted(RULES)))]
        fingerprint = f"{index:032x}"
        suppressed_by = draw(st.sampled_from([None, None, "accept", "baseline"]))
        # a cause is always a root (engine/causes.py follows the links to the end)
        cause = draw(st.sampled_from([None, *[f.fingerprint for f in out if f.cause is None]]))
        out.append(
            Finding(
                path=draw(TEXT) or "f.yaml",
                line=draw(st.integers(1, 10**6)),
                column=draw(st.integers(1, 10**4)),
                rule=rule.id,
                name=rule.name,
                severity=draw(st.sampled_from(["error", "warning", "note"])),
                message=draw(TEXT),
                subject=draw(TEXT),
                related=tuple(
                    Place(draw(TEXT), draw(TEXT) or "g.yaml", draw(st.integers(1, 99)), 1)
                    for _ in range(draw(st.integers(0, 2)))
                ),
                services=tuple(draw(st.lists(HOSTILE, max_size=2))),
                impact=tuple(draw(st.lists(HOSTILE, max_size=2))),
                chain=tuple(draw(st.lists(HOSTILE, max_size=3))),
                fingerprint=fingerprint,
                suppressed=None if suppressed_by is None else draw(TEXT),
                suppressed_by=suppressed_by,
                cause=cause,
                fixes=tuple(Fix(draw(TEXT), (fingerprint,)) for _ in range(draw(st.integers(0, 2)))),
            )
        )
    return sorted(out, key=Finding.sort_key)


def reported(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.suppressed is None]


def finding_lines(out: str, found: list[Finding]) -> int:
    """How many lines of a text report begin as one of the reported findings does."""
    # (an accepted root cause is shown above what it explains, as `[accepted]`: not counted)
    heads = {f"{printable(f.path)}:{f.line}:{f.column}: {f.rule} [{f.severity}]" for f in reported(found)}
    return sum(1 for line in out.splitlines() if any(line.startswith((h, f"  {h}")) for h in heads))


@functools.cache
def sarif_validator():
    """The official schema's validator, or None where `shared/` is missing (the schema
    check is skipped then; the document must still parse)."""
    if not SARIF_SCHEMA.exists():
        return None
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_well_formed(fmt: str, out: str, found: list[Finding]) -> None:
    """The invariants of one format's output for the findings `found`."""
    out.encode("utf-8")  # what is printed can be written: no lone surrogate left raw
    if fmt == "json":
        document = json.loads(out)
        assert [(f["path"], f["message"], f["subject"]) for f in document["findings"]] == [
            (f.path, f.message, f.subject) for f in found
        ]
    elif fmt == "sarif":
        document = json.loads(out)
        results = document["runs"][0]["results"]
        assert len(results) == len(found)
        for result, f in zip(results, found, strict=True):  # the exact text (an empty one is said otherwise)
            assert result["message"]["text"] == f.message or not f.message, (result["message"], f.message)
        validator = sarif_validator()
        if validator is not None:
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
            assert not errors, errors[:3]
    elif fmt == "junit":
        ET.fromstring(out)
    elif fmt == "github":
        lines = out.splitlines()
        assert out.count("\n") == len(lines) == len(reported(found))
        assert all(re.match(r"::(error|warning|notice) file=[^:,]*,line=\d+,col=\d+,title=[^:,]*::", x) for x in lines)
        assert not CONTROLS.search(out)
    else:  # text, concise, markdown
        assert not CONTROLS.search(out)
        if fmt == "markdown":
            rows = [row for row in out.splitlines() if row.startswith("| ") and not row.startswith("| | Rule")]
            assert len(rows) == len(reported(found)) and all(row.endswith(" |") for row in rows)
        else:
            assert finding_lines(out, found) == len(reported(found)), out


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(found=findings())
def test_every_format_stays_well_formed_on_hostile_text(fmt, found):
    assert_well_formed(fmt, render(fmt, found, RULES), found)


def test_the_strategy_reaches_what_it_means_to():
    """A fixed worst case, so the invariants are known to bite on each format."""
    nasty = "a\r\n::error file=x,line=1::pwned\x1b]0;t\x07\u2028\x85]]>&<|`%0A" + "y" * 9000
    found = [
        Finding(nasty, 1, 1, "SPOF001", "single-point-of-failure", "error", nasty, nasty, fingerprint="0" * 32),
        Finding(
            nasty,
            2,
            1,
            "SVC001",
            "single-instance",
            "warning",
            nasty,
            nasty,
            fingerprint="1" * 32,
            cause="0" * 32,
            fixes=(Fix(nasty, ("1" * 32,)),),
        ),
    ]
    for fmt in FORMATS:
        assert_well_formed(fmt, render(fmt, found, RULES), found)


# --- through the command line: a hostile file name, every format --------------------------

FILE_NAME = (
    st.lists(
        st.one_of(st.sampled_from([*PIECES, LATIN1]), st.text(max_size=3)),
        min_size=1,
        max_size=6,
    )
    .map(lambda parts: "".join(parts).replace("/", "_").replace("\x00", "_"))
    .filter(lambda name: name not in ("", ".", "..") and len(os.fsencode(name)) < 200)
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=FILE_NAME)
def test_a_hostile_file_name_through_the_command_line(name, tmp_path_factory, monkeypatch):
    """hidden-spof copied to a hostile file name, checked in every format: exit 1
    (its findings), never a traceback, and every output well formed."""
    folder = tmp_path_factory.mktemp("names")
    monkeypatch.chdir(folder)
    target = Path(name + ".yaml")  # in a folder of its own, so the reports land beside it
    shutil.copy(HIDDEN, target)
    report = invoke("check", "--format", "json", "--", str(target))  # "--": a name may start with "-"
    assert report.exit_code == 1, report.output
    found = [
        Finding(
            f["path"],
            f["line"],
            f["column"],
            f["rule"],
            f["name"],
            f["severity"],
            f["message"],
            f["subject"],
            fingerprint=f["fingerprint"],
            suppressed=None if f["suppressed"] is None else "x",
            cause=f["cause"],
        )
        for f in json.loads(report.stdout)["findings"]
    ]
    assert {f.path for f in found} == {name_as_text(str(target))}  # `caf\\xe9` for a Latin-1 name
    # every format in one run: each but github to a file of its own, github to standard output
    files = [fmt for fmt in FORMATS if fmt != "github"]
    args = [a for fmt in files for a in ("-f", fmt)] + ["-f", "github"]
    args += [a for fmt in files for a in ("-o", f"report.{fmt}")]
    result = invoke("check", *args, "--", str(target))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert_well_formed("github", result.stdout, found)
    for fmt in files:
        out = Path(f"report.{fmt}").read_text(encoding="utf-8")
        if fmt in ("json", "sarif", "junit"):
            assert_well_formed(fmt, out, found)
        else:
            assert not CONTROLS.search(out)
