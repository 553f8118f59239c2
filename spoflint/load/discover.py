"""Input discovery: which files to read, and how reports show their paths."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from .files import kind, not_regular, read_bytes, too_big
from .limits import MAX_BYTES, YAML_SUFFIXES
from .marked import ReaderNote


class Discovered(list):
    """The files found (`Found` or `(path, named)` items), and `skipped`: what a directory
    walk met but did not read (FIFOs, devices, sockets, dangling links, files past the
    size limit, folders it cannot list), as MODEL001 notes to attach to a unit."""

    skipped: list[ReaderNote]


def _walk(path: Path, keep, exclude: Sequence[str], skipped: list[ReaderNote]):
    """(file, name) of each candidate file under the folder `path`, in sorted order,
    skipping hidden names, `exclude` globs and, with a note, what is not a regular file
    or is past the size limit; a subfolder that cannot be listed is a note too (the
    folder named itself, an input error)."""

    def unlisted(error: OSError) -> None:
        where = Path(error.filename) if error.filename else path
        if where == path:
            raise InputError(shown_path(path), 1, 1, f"cannot list this folder: {error.strerror or error}")
        shown = shown_path(where)
        message = f"{shown} was not read: the folder cannot be listed ({error.strerror or error})"
        skipped.append(ReaderNote(shown, 1, 1, "unlisted", message))

    for folder, dirs, files in os.walk(path, onerror=unlisted):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not excluded(here / d, exclude))
        for name in sorted(files):
            child = here / name
            if keep(name) and not excluded(child, exclude) and _readable(child, skipped):
                yield child


def _readable(path: Path, skipped: list[ReaderNote]) -> bool:
    """Whether a file a walk found is a regular file within the size limit; else a note."""
    try:
        info = os.stat(path)
        what = kind(info.st_mode)
    except OSError:
        what, info = not_regular(path), None
    if what is None and info is not None and info.st_size <= MAX_BYTES:
        return True
    shown = shown_path(path)
    why = f"it is {what}" if what else too_big(info.st_size if info else 0)
    skipped.append(ReaderNote(shown, 1, 1, "not-regular", f"{shown} was not read: {why}"))
    return False


def _named(raw: str, path: Path) -> None:
    """A file named on the command line must be a regular file within the size limit."""
    what = not_regular(path)
    if what == "missing":
        raise InputError(name_as_text(raw), 1, 1, "no such file or directory")
    if what is not None:
        raise InputError(shown_path(path), 1, 1, f"cannot read file: it is {what}, not a regular file")


def expand_paths(paths: list[str]) -> list[tuple[Path, bool]]:
    """Files to read: (path, named) where named means the user named the file itself.

    A directory contributes its YAML files, recursively and in sorted order, skipping
    hidden files and folders and what is not a regular file; whether such a file is a
    topology is decided later.
    """
    found: Discovered = Discovered()
    found.skipped = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            keep = lambda name: name.endswith(YAML_SUFFIXES) and not name.startswith(".")  # noqa: E731
            for child in _walk(path, keep, (), found.skipped):
                if child.resolve() not in seen:
                    seen.add(child.resolve())
                    found.append((child, False))
        else:
            _named(raw, path)
            if path.resolve() not in seen:
                seen.add(path.resolve())
                found.append((path, True))
    return found


@dataclass(frozen=True)
class Found:
    """A file to read: `root` is the directory named on the command line it was found
    in, None when the user named the file itself."""

    path: Path
    root: Path | None

    @property
    def named(self) -> bool:
        return self.root is None


# files without a YAML suffix that a directory check reads: kolla-ansible's inventories
# (as kolla-ansible ships and names them) and its NFS share lists
INVENTORY_NAMES = ("multinode", "all-in-one", "inventory", "hosts", "nfs_shares")


def discover(paths: Sequence[str], exclude: Sequence[str] = (), exclude_named: bool = False) -> Discovered:
    """The files to read under `paths`, in order, each once: a file named is read (it
    must be a regular file: a FIFO or a device named is an input error); a directory
    contributes its YAML files and its Ansible inventories (`multinode`, `all-in-one`,
    `*.ini`, ...), recursively in sorted order, skipping hidden files and folders and
    whatever an `exclude` glob matches (`exclude_named`: files named too), and, each with
    a note in `skipped`, what is not a regular file, past the size limit, or a subfolder
    that cannot be listed."""
    found: Discovered = Discovered()
    found.skipped = []
    seen: set[Path] = set()

    def add(path: Path, root: Path | None) -> None:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            found.append(Found(path, root))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in _walk(path, _candidate, exclude, found.skipped):
                add(child, path)
        elif not (exclude_named and excluded(path, exclude)):
            _named(raw, path)
            add(path, None)
        elif not path.exists():
            raise InputError(name_as_text(raw), 1, 1, "no such file or directory")
    return found


def _candidate(name: str) -> bool:
    return not name.startswith(".") and (name.endswith((*YAML_SUFFIXES, ".ini")) or name in INVENTORY_NAMES)


def excluded(path: Path, patterns: Sequence[str]) -> bool:
    """Whether a glob matches the path (as reports show it) or, for a glob without `/`,
    any one of its names: `vendor` and `docker-compose.*` match at any depth,
    `deploy/legacy/*` from the current directory."""
    return bool(patterns) and matches(shown_path(path), patterns)


def matches(shown: str, patterns: Sequence[str]) -> bool:
    parts = shown.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern:
            prefixes = ("/".join(parts[: i + 1]) for i in range(len(parts)))
            if any(fnmatchcase(prefix, pattern) for prefix in prefixes):
                return True
        elif any(fnmatchcase(part, pattern) for part in parts):
            return True
    return False


# files reported under another name: standard input, read into a temporary file
# (`check -`, `--stdin-filename`): its absolute path -> the name reports show
SHOWN_AS: dict[str, str] = {}


@lru_cache(maxsize=16)
def git_top_level(folder: Path) -> Path | None:
    """The top level of the git repository that holds `folder`, or None outside one or
    without git; asked once per folder. Reports and baselines name files from there, and
    a config is looked for up to it (load/trust.py). Found by walking up to the `.git`
    folder, as git does; git itself is asked only where its answer could differ from the
    walk's (`_walked`)."""
    found = _walked(Path(os.path.realpath(folder)))
    return _asked_git(folder) if found is _ASK else found


_ASK = Path("\0ask git")  # what _walked returns when only git can tell
# the variables that change how git finds a repository (git help environment)
_GIT_ENVIRONMENT = (
    *("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM"),
    *("GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"),
)
_CONFIG_ASKS = re.compile(rb"^[ \t]*(worktree|bare[ \t]*=(?![ \t]*false\b)|\[[ \t]*include)", re.M | re.I)


def _walked(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` (a real path) whose `.git` is a git
    directory, owned with it by the user running spoflint; None when none is before `/`
    or a filesystem boundary (where git stops looking). `_ASK` where git's own answer
    may differ: its environment variables set, a `.git` that is a file (a worktree, a
    submodule) or not a repository, a repository another user owns (git refuses it
    unless `safe.directory` says otherwise), a bare one or the inside of `.git`, a
    `core.worktree`, `core.bare` or include in its config, a folder that cannot be read."""
    if not hasattr(os, "geteuid") or any(name in os.environ for name in _GIT_ENVIRONMENT):
        return _ASK
    me = os.geteuid()
    try:
        device = os.stat(folder).st_dev
        for current in (folder, *folder.parents):
            status = os.stat(current)
            if status.st_dev != device:
                return None
            dot = current / ".git"
            if not os.path.lexists(dot):
                if _git_directory(current):
                    return _ASK
                continue
            mode = os.lstat(dot)
            if not stat.S_ISDIR(mode.st_mode) or not _git_directory(dot) or me != mode.st_uid or me != status.st_uid:
                return _ASK
            with open(dot / "config", "rb") as handle:
                config = handle.read(MAX_GIT_CONFIG + 1)
            return _ASK if len(config) > MAX_GIT_CONFIG or _CONFIG_ASKS.search(config) else current
    except OSError:
        return _ASK
    return None


MAX_GIT_CONFIG = 1 << 16


def _git_directory(path: Path) -> bool:
    """Whether `path` looks like a git directory: `HEAD`, `objects/` and `refs/` (git's test)."""
    return os.path.lexists(path / "HEAD") and os.path.isdir(path / "objects") and os.path.isdir(path / "refs")


def _asked_git(folder: Path) -> Path | None:
    """`git rev-parse --show-toplevel` in `folder`: None outside a repository or without git."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None


def shown_path(path: Path) -> str:
    """The path as reports show it: relative to the current directory, with `/`."""
    if SHOWN_AS and os.path.abspath(path) in SHOWN_AS:
        return SHOWN_AS[os.path.abspath(path)]
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return name_as_text(rel.replace(os.sep, "/"))


def name_as_text(name: str) -> str:
    """A file name as text: the bytes of a name that is not UTF-8 (a legacy Latin-1
    `caf\\xe9.yaml`, held by Python as lone surrogates that no output can encode) shown
    as `\\xe9`."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def sniff_format(path: Path, input_format: str | None) -> str | None:
    """The importer for a file: the one asked for, else the one that recognises it;
    None for a native topology (`version: 1`) or a file nobody recognises."""
    if input_format:
        return None if input_format == "native" else input_format
    try:
        text = read_once(path)
    except InputError:
        return None  # load_file says what is wrong with it
    identity = _identity(path)
    if identity in _SNIFFED:  # asked again (how a fix is worded): the file is not parsed again
        return _SNIFFED[identity]
    found = _sniffed(path, text)
    if identity:
        if len(_SNIFFED) >= MAX_SNIFFED:
            del _SNIFFED[next(iter(_SNIFFED))]
        _SNIFFED[identity] = found
    return found


_SNIFFED: dict[tuple, str | None] = {}  # a file's identity (as read_once has it) -> its format, oldest first
MAX_SNIFFED = 1 << 16


def _sniffed(path: Path, text: bytes) -> str | None:
    if _VERSION_1.search(text):
        return None
    if path.name == "nfs_shares":  # kolla-ansible's list of NFS shares for Cinder (`host:/path` lines)
        return "kolla-ansible"
    from .. import importers

    return importers.detect(path, text)


_VERSION_1 = re.compile(rb"^version[ \t]*:[ \t]*1[ \t]*(#[^\n]*)?\r?$", re.M)


def claims_compose(path: Path) -> bool:
    """Whether a file's name says it is a Compose file (`compose.yaml`,
    `docker-compose.prod.yml`, `blog.compose.yaml`): then one that cannot be read is a
    broken Compose project, to be reported, not some other YAML, to be skipped."""
    return _COMPOSE_NAME.match(path.name) is not None


_COMPOSE_NAME = re.compile(r"^((docker-)?compose(\.[^.]+)?|[^.]+\.compose)\.ya?ml$")


def claims_version_1(path: Path) -> bool:
    """Whether a file that could not be read says `version: 1` at its top level: then it
    is a broken topology, to be reported, not some other tool's YAML, to be skipped."""
    try:
        return _VERSION_1.search(read_once(path)) is not None
    except InputError:
        return True  # unreadable: say so rather than skip it silently


KEPT_BYTES = 512 * 1024 * 1024  # what read_once keeps between sniffing files and reading them
_KEPT: dict[tuple, bytes] = {}  # identity -> bytes, oldest first
_KEPT_TOTAL = [0]  # the bytes _KEPT holds


def read_once(path: str | os.PathLike[str], shown: str | None = None) -> bytes:
    """A file's bytes (bounded, regular files only: `files.read_bytes`), read once per
    run: sniffing a file's format, the reader that reads it, and asking again why it
    failed share one read. A file unchanged since (same inode, size and modification
    time) is not read again; the files kept total at most KEPT_BYTES (past that, the
    oldest are let go and read again if asked for)."""
    identity = _identity(path)
    if identity in _KEPT:
        return _KEPT[identity]
    data = read_bytes(path, shown or shown_path(Path(path)))
    if identity:
        _KEPT[identity] = data
        _KEPT_TOTAL[0] += len(data)
        while _KEPT_TOTAL[0] > KEPT_BYTES and len(_KEPT) > 1:
            _KEPT_TOTAL[0] -= len(_KEPT.pop(next(iter(_KEPT))))
    return data


def _identity(path: str | os.PathLike[str]) -> tuple:
    """What tells a file apart from itself changed: its absolute path, inode, size and
    modification time; () for one that cannot be asked."""
    try:
        info = os.stat(path)
    except OSError:
        return ()
    return (os.path.abspath(path), info.st_ino, info.st_size, info.st_mtime_ns)
