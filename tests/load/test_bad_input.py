"""Bad input is a user's normal day: every kind of it ends in exactly one InputError
that says where (file, 1-based line and column) and what, in one line, and fast.

Positions are asserted, not just the exception type. Most cases find the expected
position by searching the text for what the error must point at (`at(text, needle)`),
so that the cases stay readable and the numbers cannot drift from the text.
"""

from __future__ import annotations

import os
import time

import pytest

from spoflint import load
from spoflint.errors import InputError
from spoflint.load import documents, load_file, load_text
from spoflint.model import build
from tests.helpers import topology_of


def at(text: str, needle: str, nth: int = 1, skip: int = 0) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of `needle` in `text`, plus
    `skip` characters."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    index += skip
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def error(*texts: str | bytes, names: tuple[str, ...] = ()) -> InputError:
    """The one InputError that loading and building `texts` (one per file) raises."""
    names = names or tuple(f"t{i}.yaml" if i else "t.yaml" for i in range(len(texts)))
    with pytest.raises(InputError) as info:
        build([load_text(text, name) for text, name in zip(texts, names)])
    problem = info.value
    assert problem.message and "\n" not in problem.message and len(problem.message) < 300, problem.message
    assert str(problem).startswith(f"{problem.path}:{problem.line}:{problem.column}: ")
    return problem


def check(text, where: tuple[int, int], *words: str, path: str = "t.yaml") -> InputError:
    """`text` fails at `where` with a message holding every one of `words`."""
    problem = error(text)
    assert (problem.path, problem.line, problem.column) == (path, *where), str(problem)
    for word in words:
        assert word in problem.message, str(problem)
    return problem


# A small valid topology with one element of every section, for the reference cases
# to break. Keep it valid: test_base_is_valid says so.
BASE = """\
version: 1
zones: {dc1: {}}
power:
  feed-a: {kind: feed, zone: dc1}
  pdu-a: {kind: pdu, from: [feed-a]}
cooling:
  crac-1: {zone: dc1, power: [pdu-a]}
racks:
  r1: {zone: dc1, cooling: [crac-1], power: [pdu-a]}
network:
  internet: {kind: external}
  sw-1: {kind: switch, rack: r1, zone: dc1, power: [pdu-a]}
links:
  - [internet, sw-1]
hosts:
  h1: {rack: r1, zone: dc1, power: [pdu-a], nics: [sw-1]}
  h2: {rack: r1, nics: [sw-1]}
storage:
  ceph: {kind: ceph, hosts: [h1, h2], zone: dc1}
services:
  lb: {role: load-balancer, hosts: [h1, h2]}
  db: {kind: mariadb-galera, hosts: [h1, h2], storage: [ceph]}
  web: {hosts: [h1, h2], load_balancer: lb, depends_on: [db]}
  jobs: {replicas: 2, pool: [h1, h2]}
entrypoints: [internet]
"""


def with_(replace: str, by: str) -> str:
    """BASE with one piece of text replaced (which must be there)."""
    assert replace in BASE, replace
    return BASE.replace(replace, by, 1)


def test_base_is_valid():
    topology = topology_of(BASE)
    assert set(topology.services) == {"lb", "db", "web", "jobs"}


# --- not YAML at all ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, needle, words",
    [
        ("version: 1\nhosts: [a, b\n", None, ("'['", "line 2, column 8")),  # unclosed [: found at the end
        ("version: 1\nhosts: {a: {}\n", None, ("'{'", "line 2, column 8")),
        ("version: 1\nname: 'unclosed\n", None, ("quote", "line 2, column 7")),
        ("version: 1\nhosts: {a: [}\n", "}", ("missing",)),
        ("version: 1\nhosts:\n  a: {}\n b: {}\n", "b: {}", ("indentation",)),
        ("version: 1\nhosts:\n\ta: {}\n", "\t", ("tab",)),
        ("version: 1\nservices:\n  web:\n    hosts:\n    - a\n   - b\n", "- b", ("indentation",)),
        ("version: 1\nname: a: b\n", ": b", ("':'",)),
        ("version: 1\nname: @home\n", "@", ("'@'", "quotes")),
        ('version: 1\nname: "bad \\q escape"\n', "\\q", ("escape",)),
        ("Dear operator,\nthis file: is not: a topology.\n", ": is", ("':'",)),
    ],
)
def test_syntax_errors_point_at_the_problem(text, needle, words):
    if needle is None:  # found at the end of the text; the message says where it began
        where = (text.count("\n") + 1, 1)
    else:
        where = at(text, needle)
    problem = check(text, where, "invalid YAML", *words)
    assert "while parsing" not in problem.message  # libyaml's wording, translated


def test_an_error_at_the_end_of_a_file_without_a_final_line_break_is_on_its_last_line():
    check("version: 1\nhosts: [a", (2, 10), "'['")
    check("version: 1\np", (2, 2), "expected ':' after the key at line 2, column 1")


def test_a_template_is_not_yaml():
    check("image: {{ .Values.image }}\n", (1, 9), "mapping key must be a plain value")  # the inner {


# --- not text ---------------------------------------------------------------------------


def test_binary_file():
    check(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (1, 1), "not UTF-8", "0x89", "binary")
    check(b"\x00\x01\x02\x03", (1, 1), "control character U+0000", "binary")
    check(b"version: 1\nname: a\x00b\n", (2, 8), "U+0000", "binary")


def test_not_utf8():
    check("version: 1\nname: café\n".encode("latin-1"), (2, 10), "not UTF-8", "0xe9")
    check(b"version: 1\nname: \xff\xfe\n", (2, 7), "not UTF-8")
    check(b"version: 1\nname: ab\xc3", (2, 9), "not UTF-8")  # cut mid-character


def test_utf16_with_a_byte_order_mark_is_text():
    topology = topology_of("version: 1\nname: x\n".encode("utf-16"))
    assert topology.name == "x"


def test_str_with_a_lone_surrogate():
    check("version: 1\nname: \udce9\n", (2, 7), "U+DCE9")


# --- wrong shape ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n   \n", "# only a comment\n"])
def test_empty_file(text):
    check(text, (1, 1), "no YAML document")


@pytest.mark.parametrize(
    "text, where",
    [
        ("version: 1\n---\nversion: 1\n", (2, 1)),
        ("---\nversion: 1\n---\n", (3, 1)),
        ("version: 1\n...\n---\nname: b\n", (3, 1)),
    ],
)
def test_several_documents_in_one_file(text, where):
    check(text, where, "second YAML document")


def test_one_document_with_an_end_marker_is_fine():
    topology_of("version: 1\n...\n")


@pytest.mark.parametrize(
    "text, where, kind",
    [
        ("- version: 1\n", (1, 1), "a list"),
        ("just words\n", (1, 1), "a string"),
        ("~\n", (1, 1), "nothing"),
        ("---\n", (2, 1), "nothing"),
        ("# comment\n42\n", (2, 1), "a number"),
    ],
)
def test_top_level_not_a_mapping(text, where, kind):
    check(text, where, "top level must be a mapping", kind)


def test_missing_version():
    check("name: x\nhosts: {}\n", (1, 1), "missing `version: 1`")


@pytest.mark.parametrize("value", ["2", "'2'", "true", "1.0", "[1]", ""])
def test_wrong_version(value):
    text = f"name: x\nversion: {value}\n"
    check(text, (2, 10 if value else 9), "unsupported format version")  # 9: where the value is missing


def test_version_as_a_string_says_write_a_number():
    check("name: x\nversion: '1'\n", (2, 10), "write `version: 1` (a number, not the string '1')")


# --- schema ---------------------------------------------------------------------------------


def test_unknown_key_at_top_level_names_it():
    text = "version: 1\nhostz: {}\n"
    check(text, (2, 1), "unknown key 'hostz'", "top level", "did you mean 'hosts'?")


def test_unknown_key_in_an_element_names_it():
    text = with_("h2: {rack: r1, nics: [sw-1]}", "h2: {rack: r1, nics: [sw-1], colour: red}")
    check(text, at(text, "colour"), "hosts.h2", "unknown key 'colour'")
    text = with_("h2: {rack: r1, nics: [sw-1]}", "h2:\n    rack: r1\n    rak: r1")
    check(text, at(text, "rak:"), "unknown key 'rak'", "did you mean 'rack'?")


def test_unknown_key_deeper_down():
    text = with_(
        "lb: {role: load-balancer, hosts: [h1, h2]}",
        "lb: {role: load-balancer, hosts: [h1, h2], vip: {manager: keepalived, adress: x}}",
    )
    check(text, at(text, "adress"), "services.lb.vip", "unknown key 'adress'")
    text = with_("  - [internet, sw-1]", "  - {betwen: [internet, sw-1]}")
    check(text, at(text, "{betwen"), "links[0]", "'between'", "'betwen'")


def test_extension_keys_are_allowed():
    text = with_("h2: {rack: r1, nics: [sw-1]}", "h2: {rack: r1, nics: [sw-1], x-owner: me}")
    topology_of("x-defaults: &d {rack: r1}\n" + text)


@pytest.mark.parametrize(
    "replace, by, needle, words",
    [
        ("nics: [sw-1]}\n  h2", "nics: sw-1}\n  h2", "sw-1}\n  h2", ("hosts.h1.nics", "expected a list", "'sw-1'")),
        ("hosts:\n  h1", "hosts: [h1]\nx-hosts:\n  h1", "[h1]", ("hosts: expected a mapping or nothing", "a list")),
        ("jobs: {replicas: 2,", "jobs: {replicas: two,", "two,", ("services.jobs.replicas", "an integer")),
        ("jobs: {replicas: 2,", "jobs: {replicas: 2.0,", "2.0", ("an integer", "2.0")),
        ("h2: {rack: r1,", "h2: {rack: 42,", "42", ("hosts.h2.rack", "the number 42", "quote")),
        ("links:\n  - [internet, sw-1]", "links:\n  - [internet, on]", "on]", ("the boolean true", "quote")),
        ("version: 1\n", "version: 1\nname: [a, b]\n", "[a, b]", ("name", "expected a string, got a list")),
        ("version: 1\n", "version: 1\nobjectives: {availability: .nan}\n", ".nan", ("expected a number",)),
        ("version: 1\n", "version: 1\nobjectives: {availability: 100.5}\n", "100.5", ("too large",)),
        ("version: 1\n", "version: 1\nobjectives: {recovery_time: 5 minutes}\n", "5 minutes", ("a duration",)),
        ("version: 1\n", "version: 1\nobjectives: {recovery_time: -5}\n", "-5", ("too small",)),
    ],
)
def test_wrong_type(replace, by, needle, words):
    text = with_(replace, by)
    check(text, at(text, needle), *words)


@pytest.mark.parametrize(
    "replace, by, needle, words",
    [
        (
            "{kind: pdu, from",
            "{kind: pdx, from",
            "pdx",
            ("power.pdu-a.kind", "'pdx'", "feed, generator, ups, pdu", "did you mean 'pdu'?"),
        ),
        ("sw-1: {kind: switch", "sw-1: {kind: swich", "swich", ("network.sw-1.kind", "did you mean 'switch'?")),
        ("{kind: ceph,", "{kind: cephfs,", "cephfs", ("storage.ceph.kind",)),
        ("jobs: {replicas: 2,", "jobs: {spread: node, replicas: 2,", "node", ("host, rack, zone",)),
        (
            "db: {kind: mariadb-galera,",
            "db: {ha: yes, kind: mariadb-galera,",
            "yes",
            ("services.db.ha", "got the boolean true"),
        ),
        ("db: {kind: mariadb-galera,", "db: {quorum: most, kind: mariadb-galera,", "most", ("majority, none",)),
        ("db: {kind: mariadb-galera,", "db: {quorum: 0, kind: mariadb-galera,", "0,", ("too small",)),
    ],
)
def test_bad_enum(replace, by, needle, words):
    text = with_(replace, by)
    check(text, at(text, needle), *words)


@pytest.mark.parametrize(
    "service, words",
    [
        ("{hosts: [h1], replicas: 2, pool: [h1, h2]}", ("either `hosts`, or `replicas` with `pool`, not both",)),
        ("{hosts: [h1], replicas: 2}", ("not both",)),
        ("{hosts: [h1], pool: [h1]}", ("not both",)),
        ("{replicas: 2}", ("`replicas` needs `pool`",)),
        ("{pool: [h1]}", ("`pool` needs `replicas`",)),
        ("{kind: nginx}", ("needs `hosts`, or `replicas` with `pool`",)),
    ],
)
def test_where_a_service_runs(service, words):
    text = with_("jobs: {replicas: 2, pool: [h1, h2]}", f"jobs: {service}")
    problem = check(text, at(text, service), "services.jobs", *words)
    assert "valid under" not in problem.message  # jsonschema's oneOf wording


@pytest.mark.parametrize(
    "section, element",
    [
        ("power", "feed-a: {kind: feed, zone: dc1}"),
        ("network", "internet: {kind: external}"),
        ("storage", "ceph: {kind: ceph, hosts: [h1, h2], zone: dc1}"),
    ],
)
def test_an_element_that_needs_a_kind_written_empty(section, element):
    eid = element.split(":")[0]
    text = with_(element, f"{eid}:")
    check(text, at(text, f"{eid}:", skip=len(eid) + 1), f"{section}.{eid}", "expected a mapping with 'kind'")


def test_elements_without_required_fields_may_be_written_empty():
    text = with_("r1: {zone: dc1, cooling: [crac-1], power: [pdu-a]}", "r1:")
    text = text.replace("zones: {dc1: {}}", "zones:\n  dc1:")
    assert topology_of(text).racks["r1"].power == ()


def test_a_service_written_empty():
    text = with_("jobs: {replicas: 2, pool: [h1, h2]}", "jobs:")
    check(text, at(text, "jobs:", skip=5), "services.jobs", "expected a mapping", "nothing")  # the missing value


@pytest.mark.parametrize(
    "replace, by, needle, words",
    [
        (
            "feed-a: {kind: feed, zone: dc1}",
            "feed-a: {zone: dc1}",
            "{zone: dc1}",
            ("power.feed-a", "missing required key 'kind'", "feed, generator"),
        ),
        ("h2: {", "-h2: {", "-h2", ("hosts", "'-h2' is not a valid id")),
        ("h2: {", "'h 2': {", "'h 2'", ("'h 2' is not a valid id",)),
        ("  - [internet, sw-1]", "  - [internet, sw-1, h1]", "[internet, sw-1, h1]", ("links[0]", "exactly two ends")),
        ("  - [internet, sw-1]", "  - 5", "5", ("links[0]", "expected a list or a mapping")),
        ("h1: {rack: r1,", "h1: {accept: {SPOF001: ''}, rack: r1,", "''", ("hosts.h1.accept.SPOF001", "empty")),
        ("h1: {rack: r1,", "h1: {accept: {'no such rule!': x}, rack: r1,", "'no such", ("a rule id or name",)),
        ("h1: {rack: r1,", "h1: {accept: {SPOF001: {reason: x, until: soon}}, rack: r1,", "soon", ("until", "a date")),
        (
            "h1: {rack: r1,",
            "h1: {accept: {SPOF001: {until: 2030-01-01}}, rack: r1,",
            "{until",
            ("missing required key 'reason'",),
        ),
        (
            "lb: {role: load-balancer, hosts: [h1, h2]}",
            "lb: {role: load-balancer, hosts: []}",
            "[]}",
            ("services.lb.hosts", "at least 1 item,"),
        ),
    ],
)
def test_other_schema_errors(replace, by, needle, words):
    text = with_(replace, by)
    check(text, at(text, needle), *words)


def test_the_first_error_in_the_file_is_reported():
    text = with_("r1: {zone: dc1,", "r1: {colour: red, zone: dc1,")
    text = text.replace("jobs: {replicas: 2,", "jobs: {replicas: many,")
    check(text, at(text, "colour"), "unknown key 'colour'")


# --- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "replace, by, what",
    [
        ("{kind: pdu, from: [feed-a]}", "{kind: pdu, from: [NOPE]}", "power element"),
        ("{kind: feed, zone: dc1}", "{kind: feed, zone: NOPE}", "zone"),
        ("crac-1: {zone: dc1,", "crac-1: {zone: NOPE,", "zone"),
        ("crac-1: {zone: dc1, power: [pdu-a]}", "crac-1: {zone: dc1, power: [NOPE]}", "power element"),
        ("cooling: [crac-1]", "cooling: [NOPE]", "cooling unit"),
        ("r1: {zone: dc1,", "r1: {zone: NOPE,", "zone"),
        ("cooling: [crac-1], power: [pdu-a]}", "cooling: [crac-1], power: [NOPE]}", "power element"),
        ("sw-1: {kind: switch, rack: r1,", "sw-1: {kind: switch, rack: NOPE,", "rack"),
        ("rack: r1, zone: dc1, power: [pdu-a]}\nlinks", "rack: r1, zone: NOPE, power: [pdu-a]}\nlinks", "zone"),
        ("zone: dc1, power: [pdu-a]}\nlinks", "zone: dc1, power: [NOPE]}\nlinks", "power element"),
        ("- [internet, sw-1]", "- [NOPE, sw-1]", "network node or host"),
        ("- [internet, sw-1]", "- [internet, NOPE]", "network node or host"),
        ("- [internet, sw-1]", "- {between: [internet, NOPE], name: uplink}", "network node or host"),
        ("h1: {rack: r1,", "h1: {rack: NOPE,", "rack"),
        ("h1: {rack: r1, zone: dc1,", "h1: {rack: r1, zone: NOPE,", "zone"),
        ("h1: {rack: r1, zone: dc1, power: [pdu-a]", "h1: {rack: r1, zone: dc1, power: [NOPE]", "power element"),
        ("h2: {rack: r1, nics: [sw-1]}", "h2: {rack: r1, nics: [NOPE]}", "network node"),
        ("{kind: ceph, hosts: [h1, h2]", "{kind: ceph, hosts: [h1, NOPE]", "host"),
        ("hosts: [h1, h2], zone: dc1}", "hosts: [h1, h2], zone: NOPE}", "zone"),
        ("lb: {role: load-balancer, hosts: [h1, h2]}", "lb: {role: load-balancer, hosts: [NOPE, h2]}", "host"),
        ("pool: [h1, h2]", "pool: [h1, NOPE]", "host"),
        ("depends_on: [db]", "depends_on: [NOPE]", "service or storage backend"),
        ("storage: [ceph]", "storage: [NOPE]", "storage backend"),
        ("load_balancer: lb", "load_balancer: NOPE", "service (the load balancer)"),
        ("entrypoints: [internet]", "entrypoints: [NOPE]", "network node"),
    ],
)
def test_unknown_reference(replace, by, what):
    text = with_(replace, by)
    check(text, at(text, "NOPE"), f"unknown {what} 'NOPE'")


def test_unknown_reference_suggests_a_near_id():
    text = with_("h2: {rack: r1,", "h2: {rack: r-1,")
    check(text, at(text, "r-1"), "unknown rack 'r-1'", "did you mean 'r1'?")


@pytest.mark.parametrize(
    "replace, by, needle, words",
    [
        ("from: [feed-a]", "from: [dc1]", "dc1]", ("'dc1' is a zone, not a power element",)),
        ("cooling: [crac-1]", "cooling: [pdu-a]", "pdu-a], power", ("'pdu-a' is a power element, not a cooling unit",)),
        ("h1: {rack: r1,", "h1: {rack: dc1,", "dc1, zone", ("'dc1' is a zone, not a rack",)),
        ("h2: {rack: r1, nics: [sw-1]}", "h2: {rack: r1, nics: [h1]}", "h1]}", ("'h1' is a host, not a network node",)),
        ("- [internet, sw-1]", "- [internet, r1]", "r1]", ("'r1' is a rack, not a network node or host",)),
        ("{kind: ceph, hosts: [h1, h2]", "{kind: ceph, hosts: [h1, lb]", "lb]", ("'lb' is a service, not a host",)),
        ("pool: [h1, h2]", "pool: [h1, sw-1]", ("[h1, sw-1]", 5), ("'sw-1' is a network node, not a host",)),
        ("depends_on: [db]", "depends_on: [h1]", "h1]", ("'h1' is a host, not a service or storage backend",)),
        ("storage: [ceph]", "storage: [db]", ("[db]}", 1), ("'db' is a service, not a storage backend",)),
        ("load_balancer: lb", "load_balancer: ceph", "ceph, depends", ("'ceph' is a storage backend, not a service",)),
        ("entrypoints: [internet]", "entrypoints: [h1]", "h1]\n", ("'h1' is a host, not a network node",)),
    ],
)
def test_reference_to_the_wrong_kind_of_element(replace, by, needle, words):
    text = with_(replace, by)
    needle, skip = needle if isinstance(needle, tuple) else (needle, 0)
    check(text, at(text, needle, skip=skip), *words)


def test_reference_listed_twice():
    text = with_("lb: {role: load-balancer, hosts: [h1, h2]}", "lb: {role: load-balancer, hosts: [h1, h1]}")
    check(text, at(text, "h1]}"), "'h1' is listed twice")
    text = with_("h2: {rack: r1, nics: [sw-1]}", "h2: {rack: r1, nics: [sw-1, sw-1]}")
    check(text, at(text, "sw-1, sw-1]", skip=6), "'sw-1' is listed twice")


# --- duplicates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, needle, first",
    [
        ("version: 1\nhosts:\n  a: {}\n  a: {}\n", "a: {}\n", "line 3, column 3"),
        ("version: 1\nname: x\nversion: 1\n", "version: 1\n", "line 1, column 1"),
        ("version: 1\nhosts: {a: {rack: r1, rack: r2}}\n", "rack: r2", "line 2, column 13"),
        ("version: 1\nhosts:\n  a:\n    rack: r1\n    fencing: ipmi\n    rack: r2\n", "rack: r2", "line 4, column 5"),
        ("version: 1\nhosts: {}\nhosts: {}\n", "hosts: {}\n", "line 2, column 1"),
    ],
)
def test_duplicate_key_in_one_mapping(text, needle, first):
    nth = 2 if text.count(needle) > 1 else 1
    check(text, at(text, needle, nth), "duplicate key", first)


def test_merge_keys_are_not_duplicates():
    text = "x-rack: &r {rack: r1}\n" + with_("h2: {rack: r1,", "h2: {<<: *r, fencing: ipmi,")
    topology = topology_of(text)
    assert topology.hosts["h2"].rack == "r1" and topology.hosts["h2"].fencing == "ipmi"


def test_quoted_merge_key_is_a_plain_key():
    text = "x-rack: &r {rack: r1}\n" + with_("h2: {rack: r1,", "h2: {'<<': *r, rack: r1,")
    check(text, at(text, "'<<'"), "unknown key '<<'")


def test_duplicate_id_across_sections_names_the_first():
    text = with_("h2: {rack: r1, nics: [sw-1]}", "sw-1: {rack: r1}")
    first = "t.yaml:{}:{}".format(*at(text, "sw-1: {kind"))
    check(text, at(text, "sw-1: {rack"), "duplicate id 'sw-1'", f"already used by the network node at {first}")


def test_duplicate_id_reported_at_its_second_writing_whatever_the_sections():
    # hosts come after network in the schema, but here the host is written first
    text = "version: 1\nhosts:\n  x: {}\nnetwork:\n  x: {kind: switch}\n"
    check(text, (5, 3), "duplicate id 'x'", "host at t.yaml:3:3")


def test_duplicate_id_across_files_names_the_first():
    first = "version: 1\nhosts:\n  a: {}\n  web-1: {}\n"
    second = "version: 1\nnetwork:\n  sw: {kind: switch}\n  web-1: {kind: switch}\n"
    problem = error(first, second, names=("a.yaml", "b.yaml"))
    assert (problem.path, problem.line, problem.column) == ("b.yaml", 4, 3)
    assert "duplicate id 'web-1'" in problem.message and "host at a.yaml:4:3" in problem.message


def test_duplicate_links():
    text = with_("  - [internet, sw-1]", "  - [internet, sw-1]\n  - [internet, sw-1]")
    check(text, at(text, "[internet, sw-1]", 2), "duplicate id 'internet--sw-1'", "name:")
    text = with_("  - [internet, sw-1]", "  - [internet, sw-1]\n  - [h1, sw-1]")  # h1 has a nic on sw-1
    check(text, at(text, "sw-1]", 3), "duplicate id 'h1--sw-1'", f"t.yaml:{at(text, '[h1, sw-1]')[0]}")
    text = with_("  - [internet, sw-1]", "  - {between: [internet, sw-1], name: h1}")
    check(text, at(text, "h1: {"), "duplicate id 'h1'", "link at")


def test_parallel_links_with_names_are_fine():
    text = with_(
        "  - [internet, sw-1]",
        "  - {between: [internet, sw-1], name: up-a}\n  - {between: [internet, sw-1], name: up-b}",
    )
    assert {"up-a", "up-b"} <= set(topology_of(text).links)


# --- links ---------------------------------------------------------------------------------------


def test_link_to_itself():
    text = with_("- [internet, sw-1]", "- [sw-1, sw-1]")
    check(text, at(text, "sw-1]"), "link 'sw-1--sw-1' joins 'sw-1' to itself")
    text = with_("- [internet, sw-1]", "- {between: [sw-1, sw-1], name: loop}")
    check(text, at(text, "sw-1]"), "link 'loop' joins 'sw-1' to itself")


def test_link_between_two_hosts():
    text = with_("- [internet, sw-1]", "- [internet, sw-1]\n  - [h1, h2]")
    check(text, at(text, "h2]"), "link 'h1--h2' joins two hosts")


# --- cycles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "replace, by, needle, words",
    [
        (
            "db: {kind: mariadb-galera,",
            "db: {depends_on: [web], kind: mariadb-galera,",
            "web]",
            ("dependency cycle: db -> web -> db",),
        ),
        (
            "db: {kind: mariadb-galera,",
            "db: {depends_on: [jobs], kind: mariadb-galera,",
            "jobs]",
            ("dependency cycle",),
        ),
        (
            "db: {kind: mariadb-galera,",
            "db: {depends_on: [db], kind: mariadb-galera,",
            "db]",
            ("'db' depends on itself",),
        ),
        (
            "lb: {role: load-balancer, hosts: [h1, h2]}",
            "lb: {role: load-balancer, hosts: [h1, h2], load_balancer: web}",
            "web}",
            ("dependency cycle: lb -> web -> lb",),
        ),
        (
            "lb: {role: load-balancer, hosts: [h1, h2]}",
            "lb: {role: load-balancer, hosts: [h1, h2], depends_on: [web]}",
            "web]",
            ("dependency cycle: lb -> web -> lb",),
        ),
        (
            "feed-a: {kind: feed, zone: dc1}",
            "feed-a: {kind: feed, zone: dc1, from: [pdu-a]}",
            "pdu-a]",
            ("power cycle", "feed-a -> pdu-a -> feed-a"),
        ),
        (
            "feed-a: {kind: feed, zone: dc1}",
            "feed-a: {kind: feed, zone: dc1, from: [feed-a]}",
            "feed-a]",
            ("'feed-a' is fed from itself",),
        ),
    ],
)
def test_cycles_point_at_the_reference_that_closes_them(replace, by, needle, words):
    if "[jobs]" in by:  # a three-step cycle: db -> jobs -> web -> db
        text = with_(replace, by).replace("jobs: {replicas", "jobs: {depends_on: [web], replicas")
        check(text, at(text, needle), "db -> jobs -> web -> db")
        return
    text = with_(replace, by)
    check(text, at(text, needle), *words)


def test_own_load_balancer():
    text = with_("load_balancer: lb", "load_balancer: web")
    check(text, at(text, "web,"), "'web' cannot be its own load balancer")


# --- hostile files -----------------------------------------------------------------------------


@pytest.fixture
def no_side_effects(tmp_path, monkeypatch):
    """Fail the test if anything tries to run a command; give it a file to touch."""

    def forbidden(*args, **kwargs):
        raise AssertionError(f"spoflint tried to run {args!r}")

    import subprocess

    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    target = tmp_path / "pwned"
    yield target
    assert not target.exists()


@pytest.mark.parametrize(
    "template, tag",
    [
        ("name: !!python/object/apply:os.system ['touch {target}']\n", "!!python/object/apply:os.system"),
        (
            "name: !!python/object/new:subprocess.Popen [['touch', '{target}']]\n",
            "!!python/object/new:subprocess.Popen",
        ),
        ("name: !!python/name:os.system\n", "!!python/name:os.system"),
        ("name: !!python/module:os\n", "!!python/module:os"),
        ("hosts: !!python/object/apply:os.system\n  args: ['touch {target}']\n", "!!python/object/apply:os.system"),
        ("hosts: {{!!python/object/apply:os.system ['touch {target}']: {{}}}}\n", "!!python/object/apply:os.system"),
        (
            "%TAG !p! tag:yaml.org,2002:python/\n---\nname: !p!object/apply:os.system ['touch {target}']\n",
            "!!python/object/apply:os.system",
        ),
        ("name: !Ref Something\n", "!Ref"),
        ("name: !!binary aGVsbG8=\n", "!!binary"),
        ("name: !!timestamp 2024-01-01\n", "!!timestamp"),
        ("hosts: !!set {{a, b}}\n", "!!set"),
        ("hosts: !!omap [a: 1]\n", "!!omap"),
        ("name: !<tag:example.com,2024:thing> x\n", "'tag:example.com,2024:thing'"),
    ],
)
def test_non_standard_tags_are_refused_and_never_run(no_side_effects, template, tag):
    text = template.format(target=no_side_effects)
    text = text.replace("---\n", "---\nversion: 1\n") if text.startswith("%") else "version: 1\n" + text
    check(text, at(text, "!", nth=1 + text[: text.index("version")].count("!")), "YAML tag", tag, "not allowed")


def test_standard_tags_that_mean_plain_data_are_fine():
    text = "version: 1\nname: !!str 123\nobjectives: !!map {availability: !!float 99}\nentrypoints: !!seq []\n"
    topology = topology_of(text)
    assert topology.name == "123" and topology.objectives["availability"] == 99.0


def test_explicit_tag_that_does_not_fit_its_value():
    check("version: 1\nname: !!int twelve\n", (2, 7), "'twelve' is not a valid int")


def billion_laughs(levels: int = 10, fan: int = 10) -> str:
    text = "version: 1\nx-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in range(1, levels):
        text += f"x-{level}: &a{level} [{', '.join([f'*a{level - 1}'] * fan)}]\n"
    return text + f"name: *a{levels - 1}\n"


def test_billion_laughs_fails_fast():
    text = billion_laughs()
    start = time.perf_counter()
    problem = error(text)
    elapsed = time.perf_counter() - start
    assert "alias bomb" in problem.message
    assert problem.line < text.count("\n") and problem.column > 1  # at an alias, before the end
    assert elapsed < 2, elapsed


def test_alias_bomb_through_merge_keys_fails_fast():
    text = "version: 1\nx-0: &m0 {a: 1, b: 2, c: 3, d: 4}\n"
    for level in range(1, 25):
        text += f"x-{level}: &m{level} {{<<: [*m{level - 1}], l{level}: [*m{level - 1}, *m{level - 1}]}}\n"
    start = time.perf_counter()
    problem = error(text)
    assert time.perf_counter() - start < 2
    assert "alias bomb" in problem.message


def test_many_small_aliases_are_fine():
    # a shared fragment used by 2000 hosts is normal use, not a bomb
    text = "version: 1\nx-h: &h {fencing: ipmi}\nhosts:\n" + "".join(f"  h{i}: *h\n" for i in range(2000))
    assert len(topology_of(text).hosts) == 2000


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}")])
def test_ten_thousand_levels_of_flow_nesting(opener, closer):
    text = "version: 1\nname: " + opener * 10_000 + "x" + closer * 10_000 + "\n"
    start = time.perf_counter()
    problem = check(text, (2, len("name: ") + (load.MAX_DEPTH - 1) * len(opener) + 1), "nested more than")
    assert time.perf_counter() - start < 2, problem


def test_ten_thousand_levels_of_block_nesting():
    lists = "version: 1\nname:\n" + "".join(" " * i + "-\n" for i in range(10_000))
    # line 3 + i holds the list at level i + 2 (the top mapping is level 1), indented i
    check(lists, (load.MAX_DEPTH + 2, load.MAX_DEPTH), "nested more than")
    # line 2 + i holds the mapping at level i + 1, indented i
    maps = "version: 1\n" + "".join(" " * i + f"k{i}:\n" for i in range(10_000))
    check(maps, (load.MAX_DEPTH + 2, load.MAX_DEPTH + 1), "nested more than")


def test_ten_thousand_unclosed_brackets():
    check("[" * 10_000, (1, load.MAX_DEPTH + 1), "nested more than")


def test_deep_nesting_that_is_allowed_still_validates():
    text = "version: 1\nx-deep: " + "[" * 50 + "]" * 50 + "\nname: " + "[" * 50 + "]" * 50 + "\n"
    check(text, (3, 7), "name", "expected a string, got a list")


def test_huge_numbers():
    check("version: 1\nname: " + "9" * 5000 + "\n", (2, 7), "too large")
    check("version: 1\nname: " + "1:" * 3000 + "1\n", (2, 7), "too large")  # sexagesimal
    check("version: 1\nname: 1" + "0" * 400 + ".5\n", (2, 7), "expected a string, got the number inf")


def test_huge_values_are_cut_short_in_messages():
    text = "version: 1\nname: '" + "x" * 100_000 + "'\nhosts: {h: {rack: '" + "y" * 100_000 + "'}}\n"
    check(text, (3, 19), "unknown rack 'yyyy")  # error() checks that the message is short


def test_file_over_the_size_limit_fails_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:  # sparse: instant, takes no disk
        handle.truncate(load.MAX_BYTES + 1)
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_file(path, "huge.yaml")
    assert time.perf_counter() - start < 1
    assert (info.value.line, info.value.column) == (1, 1) and "limit" in info.value.message


def test_text_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    check("version: 1\nname: '" + "x" * 1000 + "'\n", (1, 1), "limit")


@pytest.mark.slow
def test_fifty_megabytes_load_or_fail_cleanly(tmp_path):
    """~50 MB of valid-looking YAML: a small topology whose bulk is text (comments,
    descriptions, an extension key of notes), as generated files and dumps have."""
    path = tmp_path / "big.yaml"
    line = "  # " + "padding " * 12 + "\n"
    note = "    " + "lorem ipsum dolor sit amet " * 4 + "\n"
    with open(path, "w") as out:
        out.write(BASE.replace("hosts:\n", "hosts:\n" + line * 100_000, 1))
        out.write("x-notes:\n  description: |\n" + note * 350_000)
    assert path.stat().st_size > 45_000_000
    start = time.perf_counter()
    topology = build([load_file(path, "big.yaml")])
    assert time.perf_counter() - start < 30
    assert set(topology.hosts) == {"h1", "h2"}


ELEMENTS = int(os.environ.get("SPOFLINT_TEST_HOSTS", "10000"))  # 700000: ~50 MB, over a minute


@pytest.mark.slow
def test_many_elements_load_or_fail_cleanly(tmp_path):
    """A generated estate of many hosts (set SPOFLINT_TEST_HOSTS for a bigger one),
    once valid and once with a duplicate id at the very end."""
    path = tmp_path / "estate.yaml"
    rows = "".join(
        f"  host-{i:07d}: {{rack: r1, power: [pdu-a], nics: [sw-1], fencing: ipmi}}\n" for i in range(ELEMENTS)
    )
    path.write_text(BASE.replace("hosts:\n", "hosts:\n" + rows, 1))
    assert len(build([load_file(path, "estate.yaml")]).hosts) == ELEMENTS + 2
    path.write_text(BASE.replace("hosts:\n", "hosts:\n" + rows, 1) + "x-late:\n  db: {}\n  db: {}\n")
    with pytest.raises(InputError) as info:
        load_file(path, "estate.yaml")
    assert info.value.line == BASE.count("\n") + ELEMENTS + 3 and info.value.column == 3


# --- aliases and anchors ------------------------------------------------------------------------


def test_unknown_alias():
    text = with_("h2: {rack: r1,", "h2: {rack: *rack,")
    check(text, at(text, "*rack"), "unknown alias *rack")


def test_alias_before_its_anchor():
    text = "version: 1\nname: *n\nx-name: &n x\n"
    check(text, (2, 7), "unknown alias *n")


def test_recursive_alias():
    for text in ("version: 1\nx-loop: &l [a, *l]\n", "version: 1\nx-loop: &l {<<: *l}\n"):
        check(text, at(text, "*l"), "recursive alias")


def test_anchors_do_not_cross_documents_or_files():
    problem = error("version: 1\nx-a: &a {rack: r1}\n", "version: 1\nhosts: {h: *a}\n")
    assert (problem.path, problem.line, problem.column) == ("t1.yaml", 2, 12)


def test_alias_as_a_key_and_a_list_as_a_key():
    check("version: 1\nx-k: &k h\nhosts: {*k : {}}\n", (3, 9), "alias cannot be a mapping key")
    check("version: 1\nhosts: {[a, b]: {}}\n", (2, 9), "mapping key must be a plain value")
    check("version: 1\nhosts:\n  ? {a: 1}\n  : {}\n", (3, 5), "mapping key must be a plain value")


def test_merge_of_something_that_is_not_a_mapping():
    check("version: 1\nhosts: {h: {<<: [a, b]}}\n", (2, 13), "merge key (<<) takes a mapping")


# --- files --------------------------------------------------------------------------------------


def test_missing_file_and_directory(tmp_path):
    for path in (tmp_path / "nope.yaml", tmp_path):
        with pytest.raises(InputError) as info:
            load_file(path, "shown.yaml")
        assert (info.value.path, info.value.line, info.value.column) == ("shown.yaml", 1, 1)
        assert "cannot read file" in info.value.message
