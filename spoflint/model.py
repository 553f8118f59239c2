"""Stage 2, model: loaded documents to one validated, typed Topology.

Documents are checked against the JSON Schema, merged (ids unique across every section
and file), references resolved and checked for type and cycles, and every default of
topology.md applied once here (effective power, service state/role/access/ha from the
kind catalogue, quorum, public), so that later stages never re-derive them.
"""
from __future__ import annotations

import difflib
import itertools
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from operator import itemgetter
from typing import Iterable

from . import kinds, schema_check
from .errors import InputError, quote
from .load import MarkedList, MarkedMap, locate
from .nogc import pausing

# the sections whose elements may fail; zones only when the failure scope asks
FAILING = ("power", "cooling", "racks", "network", "links", "hosts", "storage", "zones")
DEFAULT_SCOPE = frozenset(FAILING) - {"zones"}
SECTIONS = ("zones", "power", "cooling", "racks", "network", "links", "hosts", "storage", "services")
NOT_FAILING_NETWORK = ("external",)


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Acceptance:
    rule: str
    reason: str
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Zone:
    id: str


@dataclass(frozen=True, slots=True)
class Power:
    id: str
    kind: str
    sources: tuple[str, ...]
    zone: str | None


@dataclass(frozen=True, slots=True)
class Cooling:
    id: str
    zone: str | None
    power: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rack:
    id: str
    zone: str | None
    cooling: tuple[str, ...]
    power: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NetworkNode:
    id: str
    kind: str
    rack: str | None
    zone: str | None
    power: tuple[str, ...]  # effective: its own, else its rack's


@dataclass(frozen=True, slots=True)
class Link:
    id: str
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class Host:
    id: str
    rack: str | None
    zone: str | None
    power: tuple[str, ...]  # effective: its own, else its rack's
    links: tuple[str, ...]  # every link with this host at one end
    fencing: str | None


@dataclass(frozen=True, slots=True)
class Storage:
    id: str
    kind: str
    hosts: tuple[str, ...]
    replicas: int  # copies of each piece of data (at most one per host)
    min_replicas: int
    zone: str | None


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    kind: str | None
    state: str | None  # None: unknown kind and no state declared
    role: str | None
    hosts: tuple[str, ...]  # one instance per host; empty when scheduled on a pool
    replicas: int  # number of instances
    pool: tuple[str, ...]
    spread: str | None
    ha: str
    manager: str | None
    quorum: int  # instances a quorum needs (0: no quorum)
    min_instances: int
    load_balancer: str | None
    vip: str | None
    access: str
    depends_on: tuple[str, ...]
    storage: tuple[str, ...]  # empty: local
    public: bool

    @property
    def need(self) -> int:
        """Usable instances the service needs to be up."""
        return max(self.quorum, self.min_instances, 1)

    @property
    def addresses_one(self) -> bool:
        """Clients address one instance: no VIP, no load balancer, `access: single`."""
        return self.vip is None and self.load_balancer is None and self.access == "single"

    @property
    def needs(self) -> tuple[str, ...]:
        """Services and storage backends every instance needs."""
        return self.depends_on + tuple(s for s in self.storage if s not in self.depends_on)


@dataclass(frozen=True)
class Topology:
    name: str
    objectives: dict
    entrypoints: tuple[str, ...]
    zones: dict[str, Zone]
    power: dict[str, Power]
    cooling: dict[str, Cooling]
    racks: dict[str, Rack]
    network: dict[str, NetworkNode]
    links: dict[str, Link]
    hosts: dict[str, Host]
    storage: dict[str, Storage]
    services: dict[str, Service]
    where: dict[str, Location]
    accepted: dict[str, tuple[Acceptance, ...]] = field(default_factory=dict)
    declared: dict[str, frozenset] = field(default_factory=dict)  # fields written per element
    availability: dict[str, float] = field(default_factory=dict)  # declared figures, as fractions (0, 1]

    @cached_property
    def section_of(self) -> dict[str, str]:
        return {eid: name for name in SECTIONS for eid in getattr(self, name)}

    def element(self, eid: str):
        return getattr(self, self.section_of[eid])[eid]

    def can_fail(self, eid: str, scope: frozenset = DEFAULT_SCOPE) -> bool:
        """Whether an element is a failure candidate (topology.md, "What can fail"):
        one of the sections in the failure scope (every one but zones by default),
        never an entry point or an external node, and storage only when it has no hosts
        (else it fails through them)."""
        section = self.section_of.get(eid)
        if section not in scope:
            return False
        if section == "network":
            return self.network[eid].kind not in NOT_FAILING_NETWORK and eid not in self.entrypoints
        if section == "storage":
            return not self.storage[eid].hosts
        return True

    def failure_candidates(self, scope: frozenset = DEFAULT_SCOPE) -> dict[str, bool]:
        """`can_fail` for every element at once, a section at a time."""
        result = dict.fromkeys(self.section_of, False)
        for section in SECTIONS:
            if section in scope:
                result.update(dict.fromkeys(getattr(self, section), True))
        if "network" in scope:
            for eid in self.entrypoints:
                if eid in self.network:
                    result[eid] = False
            for node in self.network.values():
                if node.kind in NOT_FAILING_NETWORK:
                    result[node.id] = False
        if "storage" in scope:
            for backend in self.storage.values():
                if backend.hosts:
                    result[backend.id] = False
        return result


# --- building ----------------------------------------------------------------------

_validator = None
_fast = None
MAX_SCHEMA_ERRORS = 1000  # enough to find the first; a broken huge file need not list all

# Names for what the schema's patterns accept, for messages.
_PATTERNS = {
    "^[A-Za-z0-9_][A-Za-z0-9_.:@/+=-]*$":
        "a valid id (letters, digits and _ . : @ / + = -, starting with a letter, digit or _)",
    "^([A-Z]+[0-9]{3}|[a-z][a-z0-9-]*)$": "a rule id or name (like SPOF001 or single-point-of-failure)",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date (YYYY-MM-DD)",
    "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$": "a duration (seconds, or a number with ms, s, m or h: 90s, 2m)",
}
_TYPES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
          "number": "a number", "boolean": "true or false", "null": "nothing"}
SINGULAR = {"zones": "zone", "power": "power element", "cooling": "cooling unit", "racks": "rack",
            "network": "network node", "links": "link", "hosts": "host", "storage": "storage backend",
            "services": "service"}


def schema() -> dict:
    return json.loads(resources.files("spoflint").joinpath("topology.schema.json").read_text())


def _schema_validator():
    """Draft 2020-12, except that an integer is an int (not 2.0 or true) and a number
    is finite (not .nan or .inf): YAML writes all of those. schema_check holds both
    definitions, so that its fast verdict and jsonschema's agree."""
    global _validator
    if _validator is None:
        import jsonschema

        base = jsonschema.Draft202012Validator
        checker = base.TYPE_CHECKER.redefine_many({
            "integer": lambda _, value: schema_check.is_integer(value),
            "number": lambda _, value: schema_check.is_number(value),
        })
        _validator = jsonschema.validators.extend(base, type_checker=checker)(schema())
    return _validator


def _fast_check():
    """The schema compiled to a yes/no predicate: the fast path of `validate`."""
    global _fast
    if _fast is None:
        _fast = schema_check.compile_schema(schema())
    return _fast


def is_topology(document: MarkedMap) -> bool:
    """A YAML file found in a directory is a topology when its `version` is 1."""
    return type(document.get("version")) is int and document["version"] == 1


def validate(document: MarkedMap) -> None:
    """Check one document against the schema.

    Of the errors, the one written first in the file becomes the InputError, said in
    the file's terms (which key, which value, what was expected) rather than the
    schema's."""
    if "version" not in document:
        raise InputError(document.path, document.line, document.column,
                         "missing `version: 1` (the topology format version)")
    if not is_topology(document):
        line, column = document.value_at("version")
        raise InputError(document.path, line, column,
                         f"unsupported format version {quote(document['version'])}; this spoflint reads version 1")
    if _fast_check()(document):  # the usual case; jsonschema only to explain a problem
        return
    errors = list(itertools.islice(_schema_validator().iter_errors(document), MAX_SCHEMA_ERRORS))
    if not errors:
        return
    from jsonschema.exceptions import relevance

    problems = [(*_explain(document, error), error) for error in errors]
    first = min((line, column) for line, column, _, _ in problems)
    tied = [p for p in problems if (p[0], p[1]) == first]
    _, _, message, _ = max(tied, key=lambda p: relevance(p[3]))
    raise InputError(document.path, first[0], first[1], message)


def _explain(document: MarkedMap, error) -> tuple[int, int, str]:
    """Where a schema error is in the file, and a one-line message for it."""
    steps = list(error.absolute_path)
    where = _dotted(steps)
    instance = error.instance
    if "propertyNames" in error.absolute_schema_path:  # a key that is not a valid name
        container = _node_at(document, steps)
        line, column = (container.key_at(instance) if isinstance(container, MarkedMap) and instance in container.where
                        else locate(document, steps))
        what = _PATTERNS.get(error.schema.get("pattern"), "a valid key here")
        return line, column, _at(where, f"{quote(instance)} is not {what}")
    if error.validator == "additionalProperties" and isinstance(instance, MarkedMap):
        known = error.schema.get("properties", {})
        extensions = error.schema.get("patternProperties", {})
        extra = [k for k in instance if k not in known and not any(re.search(p, k) for p in extensions)]
        if extra:
            key = min(extra, key=instance.key_at)
            line, column = instance.key_at(key)
            close = _close_to(key, known)
            hint = f"; did you mean {close!r}?" if close else ""
            return line, column, (f"{where}: unknown key {quote(key)}{hint}" if where
                                   else f"unknown key {quote(key)} at the top level{hint}")
    line, column = locate(document, steps)
    if error.validator in ("oneOf", "anyOf") and error.context:
        if tuple(error.absolute_schema_path) == ("properties", "services", "additionalProperties", "oneOf"):
            return line, column, _at(where, _service_placement(instance))
        alternatives: dict[int, list] = {}
        for sub in error.context:
            alternatives.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [subs for subs in alternatives.values()
                   if not any(s.validator == "type" and not s.relative_path for s in subs)]
        if len(fitting) == 1:  # the one form of the right type: what is wrong inside it
            return min(_explain(document, sub) for sub in fitting[0])
        types = [t for alt in error.validator_value for t in _as_list(alt.get("type"))]
        if not fitting and types:
            return line, column, _at(where, f"expected {_type_names(types)}, got {_describe(instance)}")
    return line, column, _at(where, _message(error))


def _message(error) -> str:
    """A message for a schema error at one value."""
    instance, expected, kind = error.instance, error.validator_value, error.validator
    if kind == "type":
        if instance is None and error.schema.get("required"):
            return f"expected a mapping with {', '.join(map(repr, error.schema['required']))}, got nothing (null)"
        hint = ""
        if error.schema.get("pattern") in _PATTERNS and isinstance(instance, (bool, int, float)):
            hint = " (YAML reads it as a value: quote an id like this)"
        return f"expected {_type_names(_as_list(expected))}, got {_describe(instance)}{hint}"
    if kind == "required":
        name = next((r for r in expected if r not in instance), expected[0])
        choices = error.schema.get("properties", {}).get(name, {}).get("enum")
        if choices:
            return f"missing required key {name!r} (one of: {', '.join(map(str, choices))})"
        typo = _close_to(name, [k for k in instance if isinstance(k, str)])
        return f"missing required key {name!r}" + (f"; is {quote(typo)} a typo?" if typo else "")
    if kind == "enum":
        if not isinstance(instance, str) and all(isinstance(e, str) for e in expected):
            return f"expected one of: {', '.join(expected)}; got {_describe(instance)}"
        close = _close_to(instance, [str(e) for e in expected])
        hint = f"; did you mean {close!r}?" if close else ""
        return f"{quote(instance)} is not one of: {', '.join(map(str, expected))}{hint}"
    if kind == "const":
        return f"must be {expected!r}, not {quote(instance)}"
    if kind == "pattern":
        return f"{quote(instance)} is not {_PATTERNS.get(expected, f'matching {expected}')}"
    if kind in ("minItems", "maxItems"):
        if list(error.absolute_path)[:1] == ["links"]:
            return f"a link joins exactly two ends; this lists {len(instance)}"
        bound = "at least" if kind == "minItems" else "at most"
        return f"expected {bound} {expected} item{'s' * (expected != 1)}, got {len(instance)}"
    if kind == "minimum":
        return f"{quote(instance)} is too small: the least allowed is {expected}"
    if kind == "exclusiveMinimum":
        return f"{quote(instance)} is too small: it must be more than {expected}"
    if kind == "maximum":
        return f"{quote(instance)} is too large: the most allowed is {expected}"
    if kind == "minLength":
        return "must not be empty"
    return re.sub(r"\s+", " ", error.message)[:200]


def _close_to(word, candidates) -> str | None:
    """The candidate a typo of `word` most likely meant, if any (for a `did you mean`).
    difflib is slow on long words and many candidates: then there is no suggestion."""
    if not isinstance(word, str) or len(word) > 100 or len(candidates) > 10_000:
        return None
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return close[0] if close else None


def _service_placement(service) -> str:
    """What is wrong with where a service runs (its `hosts` / `replicas` + `pool`)."""
    has = {key for key in ("hosts", "replicas", "pool") if isinstance(service, dict) and key in service}
    if "hosts" in has and has & {"replicas", "pool"}:
        return "give either `hosts`, or `replicas` with `pool`, not both"
    if has == {"replicas"}:
        return "`replicas` needs `pool`: the hosts its instances may run on"
    if has == {"pool"}:
        return "`pool` needs `replicas`: how many instances run on it"
    return "a service needs `hosts`, or `replicas` with `pool`, to say where it runs"


def _at(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


def _dotted(steps) -> str:
    """`hosts.h1.nics[0]`: a path into the document as a person would write it."""
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _node_at(document, steps):
    node = document
    for step in steps:
        node = node[step]
    return node


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _type_names(types: list[str]) -> str:
    names = [_TYPES.get(t, t) for t in dict.fromkeys(types)]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]


def _describe(value) -> str:
    """What a value is, in YAML's words: `the number 42`, `a list`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {quote(value)}"
    if isinstance(value, str):
        return f"the string {quote(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class _Builder:
    """Merges documents and resolves references; raises InputError at the first problem."""

    def __init__(self, documents: list[MarkedMap]):
        self.documents = documents
        self.where: dict[str, Location] = {}
        self.section_of: dict[str, str] = {}
        self.nodes: dict[str, MarkedMap] = {}  # element id -> its fields, for cycle positions

    # -- locations and errors
    def fail(self, container, key, message) -> InputError:
        if isinstance(container, MarkedMap) and key in container.where:
            line, column = container.value_at(key)
        elif isinstance(container, MarkedList) and isinstance(key, int) and key < len(container.where):
            line, column = container.item_at(key)
        else:
            line, column = container.line, container.column
        return InputError(container.path, line, column, message)

    def declare(self, eid: str, section: str, where: Location):
        if eid in self.section_of:
            first = self.where[eid]
            hint = " (name parallel links with `name:`)" if section == "links" == self.section_of[eid] else ""
            raise InputError(where.path, where.line, where.column,
                             f"duplicate id {quote(eid)}: already used by the {SINGULAR[self.section_of[eid]]} "
                             f"at {first.path}:{first.line}:{first.column}{hint}")
        self.section_of[eid] = section
        self.where[eid] = where

    def ref(self, container, key, value, allowed: Iterable[str], what: str) -> str:
        section = self.section_of.get(value)
        if section is None:
            raise self.fail(container, key, f"unknown {what} {quote(value)}{self._did_you_mean(value, allowed)}")
        if section not in allowed:
            raise self.fail(container, key, f"{quote(value)} is a {SINGULAR[section]}, not a {what}")
        return value

    def _did_you_mean(self, value, allowed) -> str:
        close = _close_to(value, [eid for eid, section in self.section_of.items() if section in allowed])
        return f"; did you mean {close!r}?" if close else ""

    def refs(self, node: MarkedMap, key: str, allowed, what) -> tuple[str, ...]:
        values = node.get(key) or ()
        section_of = self.section_of
        for value in values:  # the usual case, quickly: every one known, of the right kind...
            if section_of.get(value) not in allowed:
                break
        else:
            result = tuple(dict.fromkeys(values))
            if len(result) == len(values):  # ...and none listed twice
                return result
        # else say what is wrong with the first that is
        seen: dict[str, None] = {}  # ordered, and O(1) membership for services on thousands of hosts
        for index, value in enumerate(values):
            self.ref(values, index, value, allowed, what)
            if value in seen:
                raise self.fail(values, index, f"{quote(value)} is listed twice")
            seen[value] = None
        return tuple(seen)

    def _listed_twice(self, values: MarkedList):
        seen = set()
        for index, value in enumerate(values):
            if value in seen:
                raise self.fail(values, index, f"{quote(value)} is listed twice")
            seen.add(value)

    def opt_ref(self, node: MarkedMap, key: str, allowed, what) -> str | None:
        value = node.get(key)
        if value is None or self.section_of.get(value) in allowed:
            return value
        return self.ref(node, key, value, allowed, what)

    # -- the build
    def _declare_all(self, sections, link_specs) -> None:
        """Collect every element, link and nic link of every document, and declare their
        ids in the order written, so that a duplicate is reported at its second writing."""
        declarations: list[tuple[int, int, int, str, str, str]] = []  # (doc, line, column, id, section, path)
        declare, nodes = declarations.append, self.nodes
        for number, document in enumerate(self.documents):
            for section in sections:
                table = document.get(section)
                if not table:
                    continue
                entries, where, path = sections[section], table.where, table.path
                for eid, node in table.items():
                    node = node or _empty(table, eid)
                    entries.append((eid, node, table))
                    nodes[eid] = node
                    at = where[eid]
                    declare((number, at[0], at[1], eid, section, path))
                    if section == "hosts":  # each nic is a link host--node
                        nics = node.get("nics")
                        if not nics:
                            continue
                        if len(set(nics)) != len(nics):
                            self._listed_twice(nics)
                        for index, switch in enumerate(nics):
                            link = f"{eid}--{switch}"
                            link_specs.append((link, eid, switch, None, None))
                            at = nics.where[index]
                            declare((number, at[0], at[1], link, "links", nics.path))
            links = document.get("links") or []
            for index, item in enumerate(links):
                if isinstance(item, MarkedMap):
                    ends, name, node = item["between"], item.get("name"), item
                    line, column = item.value_at("name") if name else ends.item_at(0)
                else:
                    ends, name, node = item, None, None
                    line, column = links.item_at(index)
                eid = name or f"{ends[0]}--{ends[1]}"  # unnamed: its ends as written
                link_specs.append((eid, ends[0], ends[1], ends, node))
                declarations.append((number, line, column, eid, "links", links.path))
        section_of, where = self.section_of, self.where
        for _, line, column, eid, section, path in sorted(declarations, key=itemgetter(0, 1, 2)):
            if eid in section_of:
                self.declare(eid, section, Location(path, line, column))  # says it is a duplicate
            section_of[eid] = section
            where[eid] = Location(path, line, column)
        for _, node, _ in sections["hosts"]:  # before the links they make: a nic names a network node
            self.refs(node, "nics", ("network",), "network node")

    def build(self) -> Topology:
        sections: dict[str, list[tuple[str, MarkedMap, MarkedMap]]] = {s: [] for s in SECTIONS if s != "links"}
        link_specs: list[tuple[str, str, str, MarkedList | None, MarkedMap | None]] = []
        self._declare_all(sections, link_specs)

        zones = {eid: Zone(eid) for eid, _, _ in sections["zones"]}
        power = {}
        for eid, node, _ in sections["power"]:
            power[eid] = Power(eid, node["kind"], self.refs(node, "from", ("power",), "power element"),
                               self.opt_ref(node, "zone", ("zones",), "zone"))
        cooling = {eid: Cooling(eid, self.opt_ref(node, "zone", ("zones",), "zone"),
                                self.refs(node, "power", ("power",), "power element"))
                   for eid, node, _ in sections["cooling"]}
        racks = {eid: Rack(eid, self.opt_ref(node, "zone", ("zones",), "zone"),
                           self.refs(node, "cooling", ("cooling",), "cooling unit"),
                           self.refs(node, "power", ("power",), "power element"))
                 for eid, node, _ in sections["racks"]}
        network = {}
        for eid, node, _ in sections["network"]:
            rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element")
            network[eid] = NetworkNode(eid, node["kind"], rack, self.opt_ref(node, "zone", ("zones",), "zone"),
                                       own or (racks[rack].power if rack else ()))
        links: dict[str, Link] = {}
        host_links: dict[str, list[str]] = {eid: [] for eid, _, _ in sections["hosts"]}
        for eid, a, b, ends, _ in link_specs:
            if ends is not None:  # written in `links` (a nic's ends were checked above)
                self.ref(ends, 0, a, ("network", "hosts"), "network node or host")
                self.ref(ends, 1, b, ("network", "hosts"), "network node or host")
                if a == b:
                    raise self.fail(ends, 1, f"link {quote(eid)} joins {quote(a)} to itself")
                if self.section_of[a] == "hosts" and self.section_of[b] == "hosts":
                    raise self.fail(ends, 1, f"link {quote(eid)} joins two hosts; "
                                             "a host is cabled to a network node")
            links[eid] = Link(eid, a, b)
            for end in (a, b):
                if end in host_links:
                    host_links[end].append(eid)
        hosts = {}
        for eid, node, _ in sections["hosts"]:
            rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element")
            hosts[eid] = Host(eid, rack, self.opt_ref(node, "zone", ("zones",), "zone"),
                              own or (racks[rack].power if rack else ()), tuple(host_links[eid]),
                              node.get("fencing"))
        storage = {}
        for eid, node, _ in sections["storage"]:
            members = self.refs(node, "hosts", ("hosts",), "host")
            replicas = node.get("replicas", len(members) or 1)
            storage[eid] = Storage(eid, node["kind"], members, min(replicas, len(members)) if members else replicas,
                                   node.get("min_replicas", 1), self.opt_ref(node, "zone", ("zones",), "zone"))
        entrypoints = self._entrypoints(network)
        services = self._services(sections["services"])
        self._check_cycles(power, services)
        accepted, declared, availability = {}, {}, {}
        key_sets: dict[frozenset, frozenset] = {}  # elements of a section mostly write the same keys
        for section, entries in sections.items():
            for eid, node, _ in entries:
                declared[eid] = _shared(frozenset(node), key_sets)
                self._availability(eid, node, availability)
                if node.get("accept"):
                    accepted[eid] = _acceptances(node["accept"])
        for eid, _, _, _, node in link_specs:
            if node is not None:
                declared[eid] = _shared(frozenset(node), key_sets)
                self._availability(eid, node, availability)
                if node.get("accept"):
                    accepted[eid] = _acceptances(node["accept"])
        self._comment_acceptances(accepted)
        first = self.documents[0]
        objectives = {}
        for document in self.documents:
            objectives.update(document.get("objectives") or {})
        return Topology(
            name=next((d["name"] for d in self.documents if d.get("name")), first.path),
            objectives=objectives, entrypoints=entrypoints, zones=zones, power=power,
            cooling=cooling, racks=racks, network=network, links=links, hosts=hosts,
            storage=storage, services=services, where=self.where, accepted=accepted, declared=declared,
            availability=availability)

    def _availability(self, eid: str, node, out: dict) -> None:
        """An element's own availability figure, if it declares one: `availability`
        (percent), or `mtbf` and `mttr` (hours) as mtbf / (mtbf + mttr)."""
        if "availability" in node:
            if "mtbf" in node or "mttr" in node:
                raise self.fail(node, "availability", "give `availability` or `mtbf` and `mttr`, not both")
            out[eid] = node["availability"] / 100
        elif "mtbf" in node or "mttr" in node:
            if "mtbf" not in node or "mttr" not in node:
                raise self.fail(node, "mtbf" if "mtbf" in node else "mttr", "`mtbf` and `mttr` go together")
            out[eid] = node["mtbf"] / (node["mtbf"] + node["mttr"])

    def _comment_acceptances(self, accepted: dict) -> None:
        """`# spoflint: accept RULE reason` on an element's line accepts that risk on it."""
        comments = {d.path: d.comments for d in self.documents if getattr(d, "comments", None)}
        if not comments:
            return
        # The element a line declares is the one written first on it: `web-1: {nics:
        # [sw-1]}` also places the implied link web-1--sw-1 on that line, further right.
        first: dict[tuple[str, int], tuple[int, str]] = {}
        for eid, at in self.where.items():
            if at.line in comments.get(at.path, {}):
                key = (at.path, at.line)
                first[key] = min(first.get(key, (at.column, eid)), (at.column, eid))
        for (path, line), (_, eid) in first.items():
            for rule, reason, _ in comments[path][line]:
                accepted[eid] = accepted.get(eid, ()) + (Acceptance(rule, reason),)
        for path, lines in comments.items():
            for line, entries in sorted(lines.items()):
                if (path, line) not in first:
                    raise InputError(path, line, entries[0][2],
                                     "a `# spoflint: accept` comment must stand on the line of the element it accepts")

    def _entrypoints(self, network) -> tuple[str, ...]:
        declared: dict[str, None] = {}  # ordered set
        for document in self.documents:
            values = document.get("entrypoints") or []
            for index, value in enumerate(values):
                declared[self.ref(values, index, value, ("network",), "network node")] = None
        if declared:
            return tuple(declared)
        return tuple(eid for eid, node in network.items() if node.kind == "external")

    def _services(self, entries) -> dict[str, Service]:
        referenced: set[str] = set()
        balancers: set[str] = set()
        for eid, node, _ in entries:
            referenced.update(node.get("depends_on") or ())
            if node.get("load_balancer"):
                referenced.add(node["load_balancer"])
                balancers.add(node["load_balancer"])
        services = {}
        for eid, node, _ in entries:
            kind_name = node.get("kind")
            known = kinds.lookup(kind_name)
            members = self.refs(node, "hosts", ("hosts",), "host")
            pool = self.refs(node, "pool", ("hosts",), "host")
            replicas = node.get("replicas", len(members))
            spread = node.get("spread")
            if pool and spread == "host" and len(pool) < replicas:
                raise self.fail(node, "pool", f"`spread: host` needs {replicas} hosts in the pool, it has {len(pool)}")
            ha = node.get("ha") or (known.ha if known else "none")
            declared_role = node.get("role")
            role = (None if declared_role == "none" else declared_role) if declared_role else (
                known.role if known and known.role else ("load-balancer" if eid in balancers else None))
            quorum = node.get("quorum")
            if quorum == "majority":
                quorum_count = replicas // 2 + 1
            elif quorum == "none":
                quorum_count = 0
            elif isinstance(quorum, int):
                quorum_count = quorum
            else:
                quorum_count = replicas // 2 + 1 if (ha == "active-active" and known and known.quorum) else 1
            lb = self.opt_ref(node, "load_balancer", ("services",), "service (the load balancer)")
            if lb == eid:
                raise self.fail(node, "load_balancer", f"{eid!r} cannot be its own load balancer")
            vip = node.get("vip")
            if isinstance(vip, dict):
                vip = vip.get("manager") or "address"
            services[eid] = Service(
                id=eid, kind=kind_name, state=node.get("state") or (known.state if known else None),
                role=role, hosts=members, replicas=replicas, pool=pool, spread=spread, ha=ha,
                manager=node.get("manager") or (known.manager if known else None), quorum=quorum_count,
                min_instances=node.get("min_instances", 1), load_balancer=lb, vip=vip,
                access=node.get("access") or (known.access if known else "single"),
                depends_on=self.refs(node, "depends_on", ("services", "storage"), "service or storage backend"),
                storage=self.refs(node, "storage", ("storage",), "storage backend"),
                public=node.get("public", eid not in referenced))
        return services

    def _check_cycles(self, power, services):
        edges = {eid: p.sources for eid, p in power.items()}
        edges.update({eid: s.depends_on + ((s.load_balancer,) if s.load_balancer else ())
                      for eid, s in services.items()})
        cycle = find_cycle(edges)
        if not cycle:
            return
        first, second = cycle[0], (cycle + cycle)[1]
        node = self.nodes[first]
        for key in ("from", "depends_on", "load_balancer"):  # point at the reference that closes it
            value = node.get(key)
            if value == second:
                raise self.fail(node, key, _cycle_message(first in power, cycle))
            if isinstance(value, list) and second in value:
                raise self.fail(value, value.index(second), _cycle_message(first in power, cycle))
        at = self.where[first]
        raise InputError(at.path, at.line, at.column, _cycle_message(first in power, cycle))


def _shared(value, table: dict):
    """One object for equal values: a million elements declare a few sets of keys."""
    return table.setdefault(value, value)


def _cycle_message(power: bool, cycle: list[str]) -> str:
    loop = " -> ".join(cycle + [cycle[0]])
    if len(cycle) == 1:
        return f"{quote(cycle[0])} {'is fed from' if power else 'depends on'} itself"
    return f"power cycle (each is fed from the next): {loop}" if power else f"dependency cycle: {loop}"


def find_cycle(edges: dict[str, tuple[str, ...]]) -> list[str] | None:
    """One cycle in a directed graph given as adjacency, in a deterministic order."""
    state: dict[str, int] = {}
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    return path[path.index(child):]
                if not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(edges.get(child, ()))))
                    break
            else:
                stack.pop()
                path.pop()
                state[node] = 2
    return None


def _empty(table: MarkedMap, key) -> MarkedMap:
    """An element written with no fields (`dc1:`), as an empty mapping at its place."""
    node = MarkedMap()
    node.path, node.where = table.path, {}
    node.line, node.column = table.value_at(key)
    return node


def _acceptances(accept: dict) -> tuple[Acceptance, ...]:
    out = []
    for rule, value in accept.items():
        if isinstance(value, dict):
            out.append(Acceptance(rule, value["reason"], value.get("until")))
        else:
            out.append(Acceptance(rule, value))
    return tuple(out)


@pausing
def build(documents: list[MarkedMap]) -> Topology:
    """Validate each document, then merge them into one Topology."""
    for document in documents:
        validate(document)
    return _Builder(documents).build()
