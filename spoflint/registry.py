"""The rule registry: one explicit table built from the `spoflint.rules` entry points.

A rule pack is a Python package registered under that entry-point group whose `RULES`
lists its rule modules (the built-in pack in `rules/` is one like any other). A rule
module follows `RuleModule`: a docstring (first line: the summary; then why it matters,
its options and one `Fails:` and one `Passes:` YAML example), constants `ID`, `NAME`,
`SEVERITY`, `OPTIONS`, and `check(facts, options)` yielding `Problem`s; optionally
`AFTER_FINDINGS = True` for a rule that judges the other rules' findings.

The built-in pack is found from a source checkout too (`PYTHONPATH=. python -m
spoflint`), where no entry point is installed; and a registry with no rule at all is
an error, never a silent pass. The entry points are read through `installed`'s cache.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from .errors import SetupError
from .findings import SEVERITIES, Problem
from .installed import entry_points

if TYPE_CHECKING:
    from .analysis import Facts

GROUP = "spoflint.rules"
BUILTIN = "builtin"  # the entry point of the built-in pack, `rules/` installed as `spoflint_rules`
_SOURCE_PACK = Path(__file__).resolve().parents[1] / "rules"  # the built-in pack in a source checkout
_ID = re.compile(r"^[A-Z]+[0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_EXAMPLE = re.compile(r"^(Fails|Passes):\s*\n+```yaml\n(.*?)^```", re.M | re.S)


class RuleModule(Protocol):
    """What a rule module provides (mypy checks the built-in pack's `RULES` against it)."""

    @property
    def ID(self) -> str: ...  # like SPOF001: capitals, then three digits

    @property
    def NAME(self) -> str: ...  # like single-point-of-failure

    @property
    def SEVERITY(self) -> str: ...  # error, warning or note

    @property
    def OPTIONS(self) -> Mapping[str, Any]: ...  # option -> default; a config value must have the default's type

    def check(self, facts: Facts, options: dict[str, Any], /) -> Iterable[Problem]:
        """The problems the rule finds, read from the facts only."""
        ...


Check = Callable[["Facts", dict[str, Any]], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    options: dict[str, Any]
    module: Any  # the rule module, or its pack's stand-in that imports it on first use (see `rule_from_module`)
    pack: str
    after_findings: bool = False  # reads the other rules' results (MODEL002)
    local: bool = False  # loaded from a project's rule-paths folder: its failures are input errors

    @cached_property
    def doc(self) -> str:
        return inspect.getdoc(self.module) or ""

    @property
    def check(self) -> Check:
        return self.module.check

    @property
    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        return " ".join(self.doc.split("\n\n", 1)[0].split())

    @property
    def examples(self) -> dict[str, str]:
        """The documented `Fails` and `Passes` topologies."""
        return {kind: text for kind, text in _EXAMPLE.findall(self.doc)}


class RuleError(Exception):
    """A rule pack that does not follow the interface (a bug in that pack)."""


def rule_from_module(module: ModuleType, pack: str) -> Rule:
    """The rule of a module of `pack`. A pack's `RULES` may hold stand-ins for its modules
    that give `ID`, `NAME`, `SEVERITY`, `OPTIONS` and `AFTER_FINDINGS` as declared, and
    import the module for its docstring and `check` (the built-in pack's: start-up):
    those two are asked for only when used."""
    try:
        options = dict(getattr(module, "OPTIONS", {}))
        after = bool(getattr(module, "AFTER_FINDINGS", False))
        rule = Rule(module.ID, module.NAME, module.SEVERITY, options, module, pack, after)
        if isinstance(module, ModuleType) and not callable(module.check):
            raise RuleError(f"rule module {module.__name__}: check is not a function")
    except AttributeError as error:
        raise RuleError(f"rule module {module.__name__} lacks {error.name}") from None
    if not _ID.match(rule.id) or not _NAME.match(rule.name) or rule.severity not in SEVERITIES:
        raise RuleError(f"rule module {module.__name__}: bad id, name or severity")
    if isinstance(module, ModuleType) and not rule.summary:
        raise RuleError(f"rule {rule.id} has no documentation")
    return rule


def rules(local: tuple[str, ...] = ()) -> dict[str, Rule]:
    """Every installed rule by id, sorted by id, plus the rule modules (`*.py`) in the
    `local` folders a project's config names."""
    # Cached by what the folders hold, not by how they were named: a relative folder
    # means another one after a change of directory, and an edited module must reload.
    files = tuple(
        (str(path.resolve()), path.stat().st_mtime_ns)
        for folder in local
        for path in sorted(Path(folder).glob("*.py"))
        if not path.name.startswith("_")
    )
    return _rules(files)


@lru_cache(maxsize=8)
def _rules(files: tuple[tuple[str, int], ...]) -> dict[str, Rule]:
    from .errors import InputError
    from .load import shown_path

    found: dict[str, Rule] = {}

    def add(rule: Rule):
        if rule.id in found:
            raise RuleError(f"rule {rule.id} is registered twice ({found[rule.id].pack}, {rule.pack})")
        found[rule.id] = rule

    for name, package in _packs():
        for module in getattr(package, "RULES", ()):
            try:
                add(rule_from_module(module, name))
            except RuleError as error:
                raise SetupError(f"rule pack {name!r} is broken: {error}; fix or uninstall it") from None
    if not found:
        raise SetupError("no rule packs found: is spoflint installed? pip install -e .")
    for path, _ in files:
        rule = _local_rule(Path(path))
        if rule.id in found:
            other = found[rule.id]
            raise InputError(
                shown_path(Path(path)),
                1,
                1,
                f"rule {rule.id} is already defined by {shown_path(Path(other.pack)) if other.local else other.pack}",
            )
        found[rule.id] = rule
    return dict(sorted(found.items()))


def _packs() -> list[tuple[str, ModuleType]]:
    """The installed rule packs, by entry-point name; the built-in one from the source
    tree when it is not installed (or its installed metadata is stale)."""
    packs = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            packs.append((ep.name, ep.load()))
        except ModuleNotFoundError as error:
            # stale metadata of the built-in pack (a package no longer installed) is
            # looked for in the source tree below
            if ep.name != BUILTIN or error.name != ep.module:
                raise _broken_pack(ep.name, ep.value, error) from None
        except (Exception, SystemExit) as error:  # an installed pack that fails to import
            raise _broken_pack(ep.name, ep.value, error) from None
    if not any(name == BUILTIN for name, _ in packs):
        source = _source_pack()
        if source is not None:
            packs.insert(0, (BUILTIN, source))
    return packs


def _broken_pack(name: str, value: str, error: BaseException) -> SetupError:
    """An installed rule pack whose entry point fails to load, named as pip knows it."""
    reason = f"SystemExit({error.code!r})" if isinstance(error, SystemExit) else f"{type(error).__name__}: {error}"
    return SetupError(f"rule pack {name!r} ({value}) failed to load: {reason}; fix or uninstall it")


def _source_pack() -> ModuleType | None:
    """`rules/` beside the `spoflint` package of a source checkout, imported as
    `spoflint_rules` (the name an install gives it), or None if there is none."""
    if "spoflint_rules" in sys.modules:
        return sys.modules["spoflint_rules"]
    init = _SOURCE_PACK / "__init__.py"
    if not init.is_file():
        return None
    spec = importlib.util.spec_from_file_location(
        "spoflint_rules", init, submodule_search_locations=[str(_SOURCE_PACK)]
    )
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules["spoflint_rules"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["spoflint_rules"]
        raise
    return module


def _local_rule(path: Path) -> Rule:
    """A rule module loaded from a file, under a private name (no sys.path edits);
    any problem in it is the user's input error, with its position where known."""
    from .errors import InputError
    from .load import shown_path

    shown = shown_path(path)
    name = f"spoflint_local_rules.{path.stem}"
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise InputError(shown, 1, 1, "not a Python module")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return replace(rule_from_module(module, str(path)), local=True)
    except SyntaxError as error:
        raise InputError(shown, error.lineno or 1, error.offset or 1, f"rule module: {error.msg}") from None
    except RuleError as error:
        raise InputError(shown, 1, 1, str(error)) from None
    except SystemExit as error:  # sys.exit() at import must not end a check with its status
        raise InputError(
            shown, line_in(path, error), 1, f"rule module called sys.exit({error.code!r}) while loading"
        ) from None
    except Exception as error:  # the module's own code failed while loading
        raise InputError(
            shown, line_in(path, error), 1, f"rule module failed to load: {type(error).__name__}: {error}"
        ) from None


def line_in(path: str | Path, error: BaseException) -> int:
    """The last line of `path` that the error's traceback passed through (else 1)."""
    import traceback

    target = str(Path(path).resolve())
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.lineno and str(Path(frame.filename).resolve()) == target
    ]
    return lines[-1] if lines else 1


def explained(name: str, local: tuple[str, ...] = ()) -> Rule:
    """The one rule an id or name given on the command line names (`spoflint explain`)."""
    from .errors import UsageError

    try:
        matches = resolve([name], local)
    except KeyError:
        matches = set()
    if len(matches) > 1:
        raise UsageError(f"{name!r} names several rules: {', '.join(sorted(matches))}")
    if not matches:
        raise UsageError(unknown_rule(name, local))
    return rules(local)[matches.pop()]


def unknown_rule(name: str, local: tuple[str, ...] = (), table: Mapping[str, Rule] | None = None) -> str:
    """`unknown rule 'SPOF01'; did you mean 'SPOF001'?`: the message for a name that
    names no rule (of `table`, default: every rule with the `local` folders'), with the
    closest id or name when one is close."""
    close = closest_rule(name, rules(local) if table is None else table)
    return f"unknown rule {name!r}" + (f"; did you mean {close!r}?" if close else "") + " (see `spoflint rules`)"


def closest_rule(name: str, table: Mapping[str, Rule]) -> str | None:
    """The id or name of `table` a typo of `name` most likely meant, if one is close."""
    import difflib

    if len(name) > 100:
        return None
    ids = difflib.get_close_matches(name.upper(), list(table), n=1, cutoff=0.8)
    spelt = name.lower().replace("_", "-")
    names = difflib.get_close_matches(spelt, [r.name for r in table.values()], n=1, cutoff=0.8)
    close = ids or names
    return close[0] if close else None


def resolve(names: Iterable[str], local: tuple[str, ...] = ()) -> set[str]:
    """Rule ids for ids, names or id prefixes (`SPOF` selects every SPOF rule);
    raises KeyError naming an unknown one."""
    table = rules(local)
    by_name = {r.name: r.id for r in table.values()}
    out = set()
    for name in names:
        if name.upper() in table:
            out.add(name.upper())
        elif name in by_name:
            out.add(by_name[name])
        elif name and any(i.startswith(name.upper()) for i in table):
            out.update(i for i in table if i.startswith(name.upper()))
        else:
            raise KeyError(name)
    return out
