"""Configuration: `.spoflint.yaml` found upward from the current directory (up to the
repository's root or the home directory, and only one the user owns: load/trust.py), or
a `[tool.spoflint]` table in `pyproject.toml`; one format, schema-checked, unknown keys
are errors naming the key. Precedence: rule defaults < config file < command line.

```yaml
paths: [infra/]                 # what `spoflint check` reads when given no path
select: [SPOF, SVC]             # rule ids, names or id prefixes
ignore: [MODEL001]
severity: {SPOF003: error}      # per-rule severity
options: {STATE002: {min_members: 5}}
fail-on: warning
baseline: .spoflint-baseline.json
failure-scope: [power, cooling, racks, network, links, hosts, storage, zones]
rule-paths: [tools/spoflint-rules]   # local rule modules (docs/configuration.md)
```

Paths in the file are relative to the file's folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, UsageError, quote
from .load.config_text import blank, pyproject, yaml_locator
from .load.trust import MAX_CONFIG_BYTES, find
from .model import DEFAULT_SCOPE
from .model import FAILING as SCOPE

if TYPE_CHECKING:
    from .engine import Config

LEVELS = ("error", "warning", "note")

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "paths": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "select": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "ignore": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "severity": {"type": "object", "additionalProperties": {"enum": list(LEVELS)}},
        "options": {"type": "object", "additionalProperties": {"type": "object"}},
        "fail-on": {"enum": list(LEVELS)},
        "baseline": {"type": "string", "minLength": 1},
        "failure-scope": {"type": "array", "items": {"enum": list(SCOPE)}, "uniqueItems": True, "minItems": 1},
        "rule-paths": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "include": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "kubernetes": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"rack-label": {"type": "string"}},
        },
        "netbox": {"type": "object", "additionalProperties": False, "properties": {  # docs/importers.md, "NetBox"
            "url": {"type": "string", "pattern": "^https?://"}, "verify-tls": {"type": "boolean"},
            "token-env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},  # the token's variable
            "sites": {"type": "array", "items": {"type": "string", "minLength": 1}},  # slugs
            "tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "roles": {"type": "object", "additionalProperties": {"enum": [
                "router", "switch", "firewall", "lb-appliance", "host", "pdu", "patch-panel"]}}}},
    },
}  # fmt: skip


@dataclass(frozen=True)
class FileConfig:
    """A config file's settings, paths made relative to the current directory."""

    path: str | None = None
    paths: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    fail_on: str | None = None
    baseline: str | None = None
    scope: frozenset | None = None
    rule_paths: tuple[str, ...] = ()
    include: tuple[str, ...] = ()  # globs, anchored at the current directory when they hold a `/`
    exclude: tuple[str, ...] = ()
    netbox: dict | None = None  # the `netbox:` mapping as written (spoflint.importers.netbox.settings)
    kubernetes: dict = field(default_factory=dict)  # `kubernetes: {rack-label}` (docs/importers.md, Kubernetes)


def read(path: Path, say: Callable[[str], None] | None = None) -> FileConfig:
    """A config file's settings. `say` is told, before any is imported, that the file
    names local rule modules to load (`rule-paths`): they are code, run with the
    user's rights."""
    from .load import load_text, shown_path
    from .load.files import read_bytes

    shown = shown_path(path)
    raw = read_bytes(path, shown, MAX_CONFIG_BYTES, regular=False)
    if path.name == "pyproject.toml":
        data, locate = pyproject(raw.decode("utf-8", "replace"), shown)
    elif blank(raw):
        return FileConfig(path=shown)  # a config file with everything commented out
    else:
        try:
            data = load_text(raw, shown)
        except InputError as error:
            if not error.message.startswith("the top level must be a mapping"):
                raise
            raise InputError(
                shown,
                error.line,
                error.column,
                "the configuration must be a mapping of settings "
                f"(paths: ..., select: ...), not {error.message.rsplit(', not ', 1)[-1]}",
            ) from None
        locate = yaml_locator(data)
    _validate(data, shown, locate)
    base = path.parent

    def rel(p: str) -> str:
        return shown_path(base / p)

    for index, folder in enumerate(data.get("rule-paths", ())):
        if not (base / folder).is_dir():
            line, column = locate(["rule-paths", index])
            raise InputError(shown, line, column, f"rule-paths: {folder!r} is not a folder")
    local = tuple(rel(p) for p in data.get("rule-paths", ()))
    if local and say is not None:
        say(f"spoflint: loading local rules from {', '.join(local)} (rule-paths in {shown})")
    severity = {
        _rule_id(rule, shown, locate, ["severity", rule], local): level
        for rule, level in (data.get("severity") or {}).items()
    }
    options = _options(data, shown, locate, local)
    for key in ("select", "ignore"):
        for index, rule in enumerate(data.get(key, ())):
            _rule_ids(rule, shown, locate, [key, index], local)
    return FileConfig(
        path=shown,
        paths=tuple(rel(p) for p in data.get("paths", ())),
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        severity=severity,
        options=options,
        fail_on=data.get("fail-on"),
        baseline=rel(data["baseline"]) if data.get("baseline") else None,
        scope=frozenset(data["failure-scope"]) if "failure-scope" in data else None,
        rule_paths=local,
        include=_globs(data.get("include", ()), rel),
        exclude=_globs(data.get("exclude", ()), rel),
        netbox=data.get("netbox"),  # as written: spoflint.importers.netbox.settings reads it
        kubernetes=data.get("kubernetes", {}),
    )


def _options(data, shown: str, locate, local: tuple[str, ...]) -> dict:
    """The `options` mapping checked: each rule known, each option one of its own, of the
    type of its default (an integer for a float is taken)."""
    options = {}
    for rule, values in (data.get("options") or {}).items():
        rule_id = _rule_id(rule, shown, locate, ["options", rule], local)
        known = _rules(local)[rule_id].options
        checked = {}
        for name, value in values.items():
            if name not in known:
                line, column = locate(["options", rule, name], key=True)
                allowed = ", ".join(sorted(known)) or "none"
                raise InputError(shown, line, column, f"rule {rule_id} has no option {name!r} (options: {allowed})")
            default = known[name]
            if type(default) is float and type(value) is int:
                value = float(value)  # 1 for 1.0
            if type(value) is not type(default):
                line, column = locate(["options", rule, name])
                raise InputError(
                    shown,
                    line,
                    column,
                    f"option {name} of {rule_id} takes "
                    f"{_TYPES.get(type(default), type(default).__name__)}, "
                    f"not {quote(value)}",
                )
            checked[name] = value
        options[rule_id] = checked
    return options


def _globs(patterns, rel) -> tuple[str, ...]:
    """`include`/`exclude` globs: one with a `/` is anchored at the config's folder (made
    relative to the current directory, as paths are shown), one without matches a name."""
    return tuple(rel(g) if "/" in g else g for g in patterns)


_TYPES = {
    int: "an integer",
    float: "a number",
    bool: "true or false",
    str: "a string",
    list: "a list",
    dict: "a mapping",
}


def _rules(local=()):
    from .registry import rules

    return rules(local)


def _rule_ids(name: str, shown: str, locate, steps, local=()) -> set[str]:
    from .registry import resolve, unknown_rule

    try:
        return resolve([name], local)
    except KeyError:
        line, column = locate(steps, key=isinstance(steps[-1], str))
        raise InputError(shown, line, column, unknown_rule(name, local)) from None


def _rule_id(name: str, shown: str, locate, steps, local=()) -> str:
    ids = _rule_ids(name, shown, locate, steps, local)
    if len(ids) != 1:
        line, column = locate(steps, key=True)
        raise InputError(shown, line, column, f"{name!r} names several rules; give one id or name")
    return ids.pop()


def _validate(data, shown: str, locate) -> None:
    import jsonschema

    if not isinstance(data, dict):
        raise InputError(shown, 1, 1, "the configuration must be a mapping of settings (paths: ..., select: ...)")
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    steps = list(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        line, column = locate(steps + [extra[0]], key=True) if extra else locate(steps)
        raise InputError(shown, line, column, _unknown_key(extra[0], error.schema.get("properties", {})))
    line, column = locate(steps)
    where = ".".join(str(s) for s in steps)
    raise InputError(shown, line, column, f"{where + ': ' if where else ''}{error.message}")


def _unknown_key(key: str, known) -> str:
    """`unknown configuration key 'fail_on'; did you mean 'fail-on'?`"""
    import difflib

    spelt = key.replace("_", "-").lower() if isinstance(key, str) else key
    close = [spelt] if spelt in known else difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.7)
    return f"unknown configuration key {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")


def for_command(
    config_file: str | None, isolated: bool = False, say: Callable[[str], None] | None = None
) -> FileConfig:
    """The config a command runs with: the file named by `--config` (it must exist; it
    is trusted whoever owns it), else the one found upward from the current directory
    (`find`), else none; none at all with `isolated` (`--isolated`). `say` hears that
    local rules are loaded (`read`)."""
    if isolated:
        if config_file:
            raise UsageError("--isolated ignores configuration files: drop --config, or --isolated")
        return FileConfig()
    if config_file and not os.path.exists(config_file):
        raise UsageError(f"--config {config_file}: no such file")
    if config_file and os.path.isdir(config_file):
        raise UsageError(f"--config {config_file}: a folder, not a file")
    found = Path(config_file) if config_file else find()
    return read(found, say) if found else FileConfig()


def for_check(
    file: FileConfig,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    fail_on: str | None = None,
    baseline: str | None = None,
    order: int | None = None,
    recording: bool = False,
    exclude: Sequence[str] = (),
) -> Config:
    """`spoflint check`'s engine.Config: `settings` with the command line's rule names
    (comma-separated or repeated; an unknown one is a usage error) and `--order`, which
    sets SPOF005's option over the file's. `recording` (`--write-baseline`): no baseline
    applies, the file's included, so that everything is recorded."""
    try:
        config = settings(
            file, select=_names(select), ignore=_names(ignore), fail_on=fail_on, baseline=baseline, exclude=exclude
        )
    except KeyError as error:
        from .registry import unknown_rule

        raise UsageError(unknown_rule(error.args[0], file.rule_paths)) from None
    if recording:
        config = replace(config, baseline=None)
    if order is None:
        return config
    spof005 = {**config.options.get("SPOF005", {}), "order": order}
    return replace(config, options={**config.options, "SPOF005": spof005})


def _names(values: Sequence[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def settings(
    file: FileConfig,
    *,
    select=(),
    ignore=(),
    fail_on=None,
    severity=None,
    baseline=None,
    scope=None,
    today=None,
    exclude: Sequence[str] = (),
) -> Config:
    """The run's engine.Config: the rules' defaults, then the file, then the command
    line (a command-line `select` or `ignore` replaces the file's; `--exclude` globs add
    to the file's)."""
    from .engine import Config
    from .registry import resolve

    local = file.rule_paths

    def ids(names):
        return frozenset(resolve(names, local)) if names else frozenset()

    return Config(
        select=ids(select) or ids(file.select),
        ignore=ids(ignore) if ignore else ids(file.ignore),
        fail_on=fail_on or file.fail_on or "error",
        severity={**file.severity, **(severity or {})},
        options=file.options,
        scope=scope or file.scope or DEFAULT_SCOPE,
        baseline=baseline or file.baseline,
        rule_paths=local,
        today=today,
        include=file.include,
        exclude=file.exclude + tuple(exclude),
        readers={"kubernetes": {"rack_label": file.kubernetes["rack-label"]}}
        if "rack-label" in file.kubernetes
        else {},
    )
