"""The files of a kolla-ansible deployment: Ansible INI inventories as kolla-ansible
writes them (`[group]` sections of host lines, with host ranges, ports and
`ansible_host`, and `[group:children]` sections), merged into one view of which hosts
each group has through its children; the settings of its globals.yml with where each
is written; and the NFS shares of its `nfs_shares` files (the rules are in the
`kolla_ansible` module's docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..load import MarkedMap
from ..load.comments import ini_accept_comments
from ..load.messages import render_first
from ._openstack import At, key_at, known, truthy

OUTSIDE = {"deployment", "bifrost"}  # groups of the deployment host, not of the cloud

_SECTION = re.compile(r"^\[([^\]]*)\][ \t]*(?:[#;].*)?$")
_JINJA = re.compile(r"\{\{|\{%|\{#")
_RANGE = re.compile(r"\[([^\]]*)\]")
_PORT = re.compile(r":\d+$")


MAX_HOSTS = 100_000  # names one host line may expand to, counted before any is made


def expand(pattern: str) -> list[str]:
    """Ansible's host ranges: `control[01:03]` -> control01, control02, control03;
    `[a:c]` letters; `[1:9:2]` a step. The names are counted first (ranges multiply):
    past MAX_HOSTS, nothing is made."""
    pieces: list[str] = []  # text, range, text, range, ..., text
    ranges: list[tuple[range, int, bool]] = []
    rest, total = pattern, 1
    while match := _RANGE.search(rest):
        pieces.append(rest[: match.start()])
        ranges.append(_range(match.group(0), match.group(1).split(":")))
        total *= len(ranges[-1][0])
        if total > MAX_HOSTS:
            raise ValueError(f"{pattern} expands to more than {MAX_HOSTS:,} hosts")
        rest = rest[match.end() :]
    names = [""]
    for text, (values, width, letters) in zip(pieces, ranges, strict=True):
        shown = [chr(n) if letters else str(n).zfill(width) for n in values]
        names = [name + text + value for name in names for value in shown]
    return [name + rest for name in names]


def _range(written: str, parts: list[str]) -> tuple[range, int, bool]:
    """The values of one range `written` (`[01:03]`), split at its colons: numbers (or
    letters' code points), the width numbers are padded to, and whether they are letters."""
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError(f"{written} is not a host range ([start:end] or [start:end:step])")
    start, end = parts[0], parts[1]
    if len(parts) == 3 and parts[2] and not parts[2].isdigit():
        raise ValueError(f"the step of {written} must be a positive number")
    step = int(parts[2]) if len(parts) == 3 and parts[2] else 1
    if step < 1:
        raise ValueError(f"the step of {written} must be positive")
    if start.isdigit() and end.isdigit():
        width = len(start) if start.startswith("0") else 0
        values, letters = range(int(start), int(end) + 1, step), False
    elif len(start) == 1 and len(end) == 1 and start.isalpha() and end.isalpha():
        values, width, letters = range(ord(start), ord(end) + 1, step), 0, True
    else:
        raise ValueError(f"{written} is not a host range of numbers or letters")
    if not values:
        raise ValueError(f"{written} is an empty range")
    return values, width, letters


_BLANK = " \t\r\n"  # what separates words on a host line (shlex's whitespace)


def split(line: str) -> list[str]:
    """A host line's words as Ansible reads them (`shlex.split(line, comments=True)`:
    quotes, backslashes, a `#` outside quotes starting a comment), in one pass: shlex
    grows each word a character at a time, quadratic on a long one."""
    words: list[str] = []
    word: list[str] = []
    state, started, i, n = " ", False, 0, len(line)  # state: " " between words, "a" in one, or a quote
    while i < n:
        c = line[i]
        i += 1
        if state in "'\"":
            if c == state:
                state = "a"
            elif c == "\\" and state == '"':
                if i == n:
                    raise ValueError("No escaped character")
                if line[i] not in '"\\':
                    word.append(c)
                word.append(line[i])
                i += 1
            else:
                word.append(c)
        elif c in _BLANK or c == "#":
            if word or started:
                words.append("".join(word))
            word, started, state = [], False, " "
            if c == "#":
                break
        elif c in "'\"":
            state, started = c, True
        elif c == "\\":
            if i == n:
                raise ValueError("No escaped character")
            word.append(line[i])
            i += 1
            state = "a"
        else:
            word.append(c)
            state = "a"
    if state in "'\"":
        raise ValueError("No closing quotation")
    if word or started:
        words.append("".join(word))
    return words


class Inventory:
    """One INI inventory: groups, their hosts and children, with positions."""

    def __init__(self, data: bytes, shown: str):
        self.path = shown
        text = _decode(data, shown)
        self.comments = ini_accept_comments(text, shown)  # comments as Ansible reads them
        self.group_at: dict[str, At] = {}
        self.hosts: dict[str, list[str]] = {}  # group -> hosts written in it
        self.children: dict[str, list[str]] = {}
        self.host_at: dict[str, At] = {}
        self.address: dict[str, str] = {}  # host -> ansible_host
        self._group, self._kind = "ungrouped", ""  # the section being read, and its kind
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            column = len(raw) - len(raw.lstrip()) + 1
            self._line(line, (shown, number, column))

    def _line(self, line: str, at: At) -> None:
        """One line that is not blank or a comment: a section header, a host or a child."""
        if _JINJA.search(line.split(None, 1)[0]):  # variables may hold Jinja; names and headers may not
            raise InputError(*at, render_first("this inventory"))
        section = _SECTION.match(line)
        if section:
            self._section(section.group(1), at)
            return
        if line.startswith("["):
            raise InputError(*at, "a section header must be [name], [name:children] or [name:vars]")
        if self._kind == "vars":
            return
        try:
            tokens = split(line)
        except ValueError as error:
            raise InputError(*at, f"cannot read this line: {error}") from None
        if not tokens:
            return
        if self._kind == "children":
            self.children[self._group].append(tokens[0])
            return
        self._host(tokens, at)

    def _section(self, header: str, at: At) -> None:
        """`[group]`, `[group:children]` or `[group:vars]`."""
        group, _, kind = header.strip().partition(":")
        if not group or kind not in ("", "children", "vars"):
            raise InputError(*at, f"[{header}] is not a group ([name], [name:children] or [name:vars])")
        self._group, self._kind = group, kind
        self.group_at.setdefault(group, at)
        if kind == "children":
            self.children.setdefault(group, [])
        elif not kind:
            self.hosts.setdefault(group, [])

    def _host(self, tokens: list[str], at: At) -> None:
        """A host line: a name or range (with an optional `:port`) and its variables."""
        variables = dict(t.split("=", 1) for t in tokens[1:] if "=" in t)
        try:
            names = expand(_PORT.sub("", tokens[0]))
        except ValueError as error:
            raise InputError(*at, str(error)) from None
        self.group_at.setdefault(self._group, at)
        for name in names:
            self.hosts.setdefault(self._group, []).append(name)
            self.host_at.setdefault(name, at)
            if known(variables.get("ansible_host")) and name not in self.address:
                self.address[name] = variables["ansible_host"]


def _decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(shown, line, 1, "invalid text: not UTF-8") from None


class Groups:
    """Every inventory merged: a group's hosts, through its children, in order."""

    def __init__(self, inventories: list[Inventory]):
        self.group_at: dict[str, At] = {}
        self.hosts: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        self.host_at: dict[str, At] = {}
        self.canonical: dict[str, str] = {}  # host name -> the first name of its machine
        by_address: dict[str, str] = {}
        for inventory in inventories:
            for group, at in inventory.group_at.items():
                self.group_at.setdefault(group, at)
            for group, names in inventory.hosts.items():
                self.hosts.setdefault(group, []).extend(names)
            for group, names in inventory.children.items():
                self.children.setdefault(group, []).extend(names)
            for name, at in inventory.host_at.items():
                self.host_at.setdefault(name, at)
                address = inventory.address.get(name)
                if address:
                    self.canonical[name] = by_address.setdefault(address, name)
        self._memo: dict[str, list[str]] = {}

    def members(self, group: str) -> list[str]:
        """The hosts of a group and of its children, transitively, first written first."""
        if group in self._memo:
            return self._memo[group]
        found: dict[str, None] = {}
        for current in self.closure(group):
            for name in self.hosts.get(current, []):
                found.setdefault(self.canonical.get(name, name), None)
        self._memo[group] = list(found)
        return self._memo[group]

    def closure(self, group: str) -> list[str]:
        """A group and its children, transitively, depth-first in the order written."""
        stack, seen = [group], set()
        order: list[str] = []
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return order

    def with_hosts(self) -> list[str]:
        """The groups with hosts written in them (not only through children), but the
        deployment host's, in the order written."""
        return [g for g in self.group_at if self.hosts.get(g) and g not in OUTSIDE]

    def defined(self, group: str) -> bool:
        return group in self.group_at

    def cloud_hosts(self) -> list[str]:
        """Hosts of every group but the deployment host's."""
        inside: dict[str, None] = {}
        for group in self.group_at:
            if group in OUTSIDE:
                continue
            for name in self.members(group):
                inside.setdefault(name, None)
        return sorted(inside, key=lambda n: (self.host_at[n][1], self.host_at[n][2], n))


# --- globals.yml and nfs_shares ------------------------------------------------------


class Settings:
    """The settings of a deployment's globals.yml files (later files win), with where
    each is written; a Jinja expression or a vaulted value reads as not set, so that
    kolla-ansible's default applies."""

    def __init__(self) -> None:
        self.values: dict = {}
        self.at: dict[str, At] = {}

    def update(self, document: MarkedMap) -> None:
        for key, value in document.items():
            self.values[key] = value
            self.at[key] = key_at(document, key)

    def get(self, name: str, default: object = None) -> object:
        value = known(self.values.get(name))
        return default if value is None else value

    def written(self, name: str) -> object:
        """The value as written (a Jinja expression too), or None."""
        return self.values.get(name)

    def switch(self, name: str, default: bool | str) -> bool:
        """An `enable_*` switch, its default a bool or the name of another switch."""
        fallback = self.switch(default, True) if isinstance(default, str) else default
        return truthy(self.get(name), fallback)


@dataclass(frozen=True)
class Share:
    """One NFS share: `server:/path`, and where it is written."""

    server: str
    path: str
    at: At


@dataclass
class Shares:
    """The shares of the nfs_shares files given, and the lines that are Jinja
    expressions (kolla-ansible renders the file as a template)."""

    shares: list[Share] = field(default_factory=list)
    templates: list[At] = field(default_factory=list)
    files: list[At] = field(default_factory=list)  # where each file starts

    def read(self, data: bytes, shown: str) -> None:
        """One nfs_shares file: a share per line (`server:/export [mount options]`), `#`
        comments, as cinder's NFS driver reads it."""
        self.files.append((shown, 1, 1))
        for number, raw in enumerate(_decode(data, shown).splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            at = (shown, number, len(raw) - len(raw.lstrip()) + 1)
            if _JINJA.search(line):
                self.templates.append(at)
                continue
            share = line.split(None, 1)[0]
            server, sep, path = share.rpartition(":")
            if not sep or not server or not path.startswith("/"):
                raise InputError(*at, f"{share!r} is not an NFS share (server:/path), as nfs_shares lists them")
            self.shares.append(Share(server.strip("[]"), path, at))


def nfs_share(value: object) -> tuple[str, str] | None:
    """(server, path) of a share written `server:/path` (cinder_backup_share), else None."""
    if not isinstance(value, str) or known(value) is None:
        return None
    server, sep, path = value.strip().rpartition(":")
    return (server.strip("[]"), path) if sep and server and path.startswith("/") else None
