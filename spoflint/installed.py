"""What the installed distributions say, read through importlib.metadata once and then
from a cache per set of installed distributions: the entry points of a group (the rule
packs) and spoflint's own `Project-URL` entries (the rules page). Importing
importlib.metadata and scanning every distribution is most of a small check's start-up,
so the common path never does it (docs/configuration.md says where the cache lives).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_VALUE = re.compile(r"^\s*([\w.]+)\s*(?::\s*([\w.]+)\s*)?(?:\[.*\])?\s*$")  # module[:attr] [extras]
_CACHE_FORMAT = 1


@dataclass(frozen=True)
class EntryPoint:
    """An installed entry point as the cache keeps it (what the registry uses of importlib.metadata's)."""

    name: str
    value: str

    @property
    def module(self) -> str:
        return self.value.partition(":")[0].strip()

    def load(self) -> Any:
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"not an entry point: {self.value!r}")
        found: Any = importlib.import_module(match.group(1))
        for attribute in match.group(2).split(".") if match.group(2) else ():
            found = getattr(found, attribute)
        return found


def entry_points(group: str) -> list[EntryPoint]:
    """The installed entry points of `group`, cached (`_cached`)."""

    def installed() -> list[tuple[str, str]]:
        from importlib.metadata import entry_points as found

        return sorted({(ep.name, ep.value) for ep in found(group=group)})

    return [EntryPoint(name, value) for name, value in _cached(group, installed)]


def project_urls() -> list[tuple[str, str]]:
    """spoflint's own `Project-URL` entries as installed, (label, address) each, cached
    like the entry points (`_cached`): reading them is importing importlib.metadata, 35 ms
    of every JSON or SARIF report otherwise. None from a checkout with no metadata."""

    def installed() -> list[tuple[str, str]]:
        from importlib.metadata import PackageNotFoundError, metadata

        try:
            entries = metadata("spoflint").get_all("Project-URL") or []
        except PackageNotFoundError:
            return []
        return [(label.strip(), address.strip()) for label, _, address in (e.partition(",") for e in entries)]

    return _cached("Project-URL", installed)


def _cached(group: str, installed: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """`installed()`, pairs read from importlib.metadata, cached (`cache_file`) per set of
    installed distributions (`_installed_key`); a missing, stale or unreadable cache is
    rebuilt and written atomically (or not at all, where it cannot be)."""
    key, path, known = _installed_key(group), cache_file(), {}
    try:  # {"format": 1, "keys": {key: [[name, value], ...]}}, the latest 8 sets of distributions and groups
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        known = dict(data["keys"]) if data["format"] == _CACHE_FORMAT else {}
        if key in known:
            return [(str(name), str(value)) for name, value in known[key]]
    except (OSError, ValueError, KeyError, TypeError):
        known = {}
    found = installed()
    kept = {k: v for k, v in list(known.items())[-7:] if k != key}
    _write_cache(path, {"format": _CACHE_FORMAT, "keys": {**kept, key: found}})
    return found


def cache_file() -> Path:
    """`$SPOFLINT_CACHE_DIR`, else the user cache directory's `spoflint/` ($XDG_CACHE_HOME,
    else ~/.cache, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows)."""
    base = {"win32": os.environ.get("LOCALAPPDATA") or "~/AppData/Local", "darwin": "~/Library/Caches"}
    folder = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser(base.get(sys.platform, "~/.cache"))
    return Path(os.environ.get("SPOFLINT_CACHE_DIR") or os.path.join(folder, "spoflint")) / "entry-points.json"


def _installed_key(group: str) -> str:
    """What identifies the distributions importlib.metadata reads: each `sys.path` folder's
    `*.dist-info` and `*.egg-info` (named by name and version), with their modification
    times (a reinstall rewrites them); an egg or zip on the path with its own."""
    parts = [f"{_CACHE_FORMAT}", group, sys.version]
    for folder in (os.path.abspath(entry or ".") for entry in sys.path):
        try:
            with os.scandir(folder) as listing:
                found = [item for item in listing if item.name.endswith((".dist-info", ".egg-info"))]
            parts.extend(sorted(f"{item.path}\0{item.stat().st_mtime_ns}" for item in found))
        except NotADirectoryError:
            parts.append(f"{folder}\0{os.stat(folder).st_mtime_ns if os.path.exists(folder) else 0}")
        except OSError:
            continue
    return "\n".join(parts)  # compared whole: no digest to collide


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    """`data` to `path` atomically (a temporary file renamed), or nothing if it cannot be."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry-points-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
