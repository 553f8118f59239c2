"""`spoflint init`: a topology to start from, written to a file that does not exist yet.

Two starts. Without sources, `STARTER`: a commented example (package data,
`starter.yaml`) that is small, redundant at every layer and checks clean, modelled on
fixtures/examples/openstack-ha.yaml. With sources (`--from compose.yaml`, manifests, an
inventory), what `spoflint import` makes of them (spoflint.importers.assemble.import_files),
with the layer no such file describes sketched in comments: power, cooling, racks and
network sections, and under each imported host the `rack` and `nics` lines that place
it. Uncommented as they are, the sketches are a valid topology that describes every
layer (the tests hold them to that); they are a shape to fill in, not a claim about the
real estate, which is why they stay comments until someone writes what is true.

`write` never replaces an existing file unless asked (`force`), and writes atomically:
a temporary file beside the target, linked into place (which fails if the target
appeared meanwhile) or, with `force`, renamed over it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..model import SECTIONS

DEFAULT_PATH = "topology.yaml"
PHYSICAL = ("power", "cooling", "racks", "network", "links")  # what an imported file cannot say
MAX_RACKS = 3  # racks sketched for hosts without a zone: enough for a three-member quorum to outlive one
SWITCHES = ("sw-1", "sw-2")


@cache
def starter() -> str:
    """The commented example topology (package data, starter.yaml)."""
    return resources.files("spoflint.views").joinpath("starter.yaml").read_text(encoding="utf-8")


def render(sources: Sequence[str] = (), input_format: str | None = None) -> str:
    """The text `spoflint init` writes: the example, or the topology imported from
    `sources` (their format detected unless `input_format`) with the physical layer
    sketched in comments."""
    if not sources:
        return starter()
    import yaml

    from ..importers.assemble import import_files

    fmt = input_format or detect_format(sources)
    text = import_files(fmt, list(sources))  # checked to build: what is written must lint
    notes = [line for line in text.splitlines()[1:] if line.startswith("#")]  # below import's first line
    data = yaml.safe_load(text)
    return _header(fmt, sources) + "".join(n + "\n" for n in notes) + _body(data)


def detect_format(sources: Sequence[str]) -> str:
    """The one foreign format of the files named or found under `sources`; a UsageError
    when there is none, or more than one."""
    from .. import load

    formats: dict[str, list[str]] = {}
    native: list[str] = []
    for entry in load.discover(list(sources)):
        fmt = load.sniff_format(entry.path, None)
        shown = load.shown_path(entry.path)
        if fmt:
            formats.setdefault(fmt, []).append(shown)
        elif entry.named and load.claims_version_1(entry.path):
            native.append(shown)
    if native and not formats:
        raise UsageError(f"{native[0]} is already a native topology: there is nothing to import (edit it as it is)")
    if not formats:
        raise UsageError(
            f"no Compose, Kubernetes, OpenStack-Ansible or kolla-ansible files in {', '.join(sources)}: "
            "name the files, or their format with --input-format"
        )
    if len(formats) > 1:
        listed = "; ".join(
            f"{fmt}: {', '.join(files[:2])}{' ...' if len(files) > 2 else ''}" for fmt, files in formats.items()
        )
        raise UsageError(f"{', '.join(sources)} hold files of several formats ({listed}): name one with --input-format")
    return next(iter(formats))


def write(path: str, text: str, force: bool = False) -> None:
    """Write `text` to `path` atomically; an existing file is a UsageError unless `force`."""
    from ..outputs import write_files

    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path} is a directory: name the file to write (for example {target / DEFAULT_PATH})")
    if force:
        write_files([(path, text)])
        return
    if target.exists() or target.is_symlink():
        raise UsageError(f"{path} already exists: spoflint init does not overwrite it (--force does)")
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's file is private; a topology is not
        _link(temporary, path)
    except FileExistsError:
        raise UsageError(f"{path} already exists: spoflint init does not overwrite it (--force does)") from None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _link(temporary: str, path: str) -> None:
    """Put the written file in place unless something is there: a hard link fails if
    the target exists, so no check-then-rename race can clobber a file made meanwhile.
    Where hard links are not supported, the check and a rename come as close."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(temporary, path)


# --- an imported topology, the physical layer sketched ------------------------------------


def _header(fmt: str, sources: Sequence[str]) -> str:
    return (
        f"# Written by `spoflint init --from {' '.join(sources)}`:\n"
        f"# the topology imported from these {fmt} files, to grow by hand.\n"
        "#\n"
        "# They say which services run where, not where the hosts stand, what powers and cools\n"
        "# them or how they are cabled. That layer is sketched in comments below, naming the\n"
        "# imported hosts: write what is true in its place (the racks, PDUs and switches you\n"
        "# have), then uncomment it. Until then `spoflint check` reports, as MODEL001 notes,\n"
        "# the failures it could not check.\n"
    )


def _body(data: dict[str, Any]) -> str:
    hosts = data.get("hosts") or {}
    sketch = _Sketch(hosts, data)
    out = [_dump({k: v for k, v in data.items() if k not in SECTIONS})]
    for section in SECTIONS:
        if section == "hosts" and section in data:
            out.append(sketch.hosts())
        elif section in data:
            out.append(_dump({section: data[section]}))
        elif section in PHYSICAL and hosts:
            out.append(sketch.section(section))
    return "\n".join(out)


def _dump(mapping: dict[str, Any]) -> str:
    """`key: value` lines in block style, as `spoflint import` writes them (collections
    of scalars in flow style)."""
    import yaml

    return "".join(
        yaml.safe_dump(
            {k: v}, sort_keys=False, default_flow_style=None if isinstance(v, (dict, list)) else False, width=100
        )
        for k, v in mapping.items()
    )


def _commented(text: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


class _Sketch:
    """Placeholder racks, power, cooling and switches for the imported hosts: one rack
    per zone the hosts are in, else up to MAX_RACKS racks taken in turn; two PDUs on two
    feeds, two cooling units, a pair of switches every host is cabled to."""

    def __init__(self, hosts: dict[str, Any], data: dict[str, Any]):
        self.hosts_data = {h: dict(v or {}) for h, v in hosts.items()}
        self.present = {s for s in PHYSICAL if s in data}
        zones = list(dict.fromkeys(v["zone"] for v in self.hosts_data.values() if v.get("zone")))
        self.racks: dict[str, str | None] = {}  # rack -> its zone
        self.rack_of: dict[str, str] = {}
        unzoned = [h for h, v in self.hosts_data.items() if not v.get("zone") and not v.get("rack")]
        count = min(MAX_RACKS, len(unzoned))
        for i, host in enumerate(unzoned):
            self.rack_of[host] = f"r{i % count + 1}"
            self.racks.setdefault(f"r{i % count + 1}", None)
        for zone in zones:
            self.racks[f"rack-{zone}"] = zone
        for host, fields in self.hosts_data.items():
            if fields.get("zone") and not fields.get("rack"):
                self.rack_of[host] = f"rack-{fields['zone']}"
        self.racks = dict(sorted(self.racks.items(), key=lambda r: (r[1] is not None, r[0])))

    def section(self, name: str) -> str:
        """The commented sketch of one physical section, with what it is for."""
        racks = list(self.racks) or ["r1"]
        held = {r: [h for h, rack in self.rack_of.items() if rack == r] for r in racks}
        bodies = {
            "power": (
                "Power: the chain from the feeds to the PDUs the racks draw on, upstream first\n"
                "(an element is up while any one of its `from` is).",
                "power:\n  feed-a: {kind: feed}\n  feed-b: {kind: feed}\n"
                "  pdu-a: {kind: pdu, from: [feed-a]}\n  pdu-b: {kind: pdu, from: [feed-b]}",
            ),
            "cooling": (
                "Cooling: the units the racks need one of, and their power.",
                "cooling:\n  crac-1: {power: [pdu-a]}\n  crac-2: {power: [pdu-b]}",
            ),
            "racks": (
                "Racks: where the hosts stand (what a rack holds takes its power and cooling).\n"
                + "".join(f"In this sketch {r} holds {_some(held[r])}.\n" for r in racks if held[r]),
                "racks:\n"
                + "".join(
                    f"  {r}: {{{'zone: ' + z + ', ' if z else ''}cooling: [crac-1, crac-2], power: [pdu-a, pdu-b]}}\n"
                    for r, z in self.racks.items()
                ).rstrip("\n"),
            ),
            "network": (
                "Network: the switches the hosts are cabled to, and where users come from.",
                f"network:\n  internet: {{kind: external}}\n  {SWITCHES[0]}: {{kind: switch, rack: {racks[0]}}}\n"
                f"  {SWITCHES[1]}: {{kind: switch, rack: {racks[1 % len(racks)]}}}",
            ),
            "links": (
                "Links: the cables between network nodes (a host's are its `nics`).",
                f"links:\n  - [internet, {SWITCHES[0]}]\n  - [internet, {SWITCHES[1]}]\n  - [{SWITCHES[0]}, {SWITCHES[1]}]",
            ),
        }
        prose, yaml_text = bodies[name]
        return _commented(prose) + _commented(yaml_text)

    def hosts(self) -> str:
        """The hosts section, each host in block style with its placement sketched below
        its fields (a host with no field stays a valid empty entry until uncommented)."""
        import yaml

        out = ["hosts:\n"]
        for host, fields in self.hosts_data.items():
            out.append("  " + yaml.safe_dump({host: None}).removesuffix(" null\n") + "\n")
            for key, value in fields.items():
                out.append("".join(f"    {line}\n" for line in _dump({key: value}).splitlines()))
            if fields.get("assumed") not in (None, False):
                out.append(
                    "    # (the reader made this host up: describe the real machine here, then write\n"
                    "    # `assumed: false`; rename it, where it is named, if you like)\n"
                )
            if "rack" not in fields and "racks" not in self.present and host in self.rack_of:
                out.append(f"    # rack: {self.rack_of[host]}\n")
            if "nics" not in fields and "network" not in self.present:
                out.append(f"    # nics: [{', '.join(SWITCHES)}]\n")
        return "".join(out)


def _some(ids: list[str], shown: int = 6) -> str:
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")
