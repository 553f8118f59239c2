"""spoflint's built-in rule pack: one module per rule, registered like any third-party
pack through the `spoflint.rules` entry-point group (see spoflint.registry).

`RULES` holds a stand-in for each module (`Declared`): its `ID`, `NAME`, `SEVERITY`,
`OPTIONS` and `AFTER_FINDINGS` as `TABLE` declares them, so that the registry knows
every rule without importing any; the module itself is imported when its docstring is
read or its `check` is first asked for (start-up for pre-commit, docs/performance.md).
tests/cli/test_startup.py holds the table to the modules.

A new rule: a module here, its line in `TABLE` and its name in the `TYPE_CHECKING`
list below (see CONTRIBUTING.md, "Adding a rule")."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

# module, ID, NAME, SEVERITY[, OPTIONS[, AFTER_FINDINGS]], in the order `spoflint rules` groups them
TABLE: tuple[tuple[Any, ...], ...] = (
    ("spof001", "SPOF001", "single-point-of-failure", "error"),
    ("spof002", "SPOF002", "single-copy-of-data", "error"),
    ("spof003", "SPOF003", "network-articulation-point", "warning"),
    ("spof004", "SPOF004", "bridge-link", "warning"),
    ("spof005", "SPOF005", "low-fault-tolerance", "note", {"order": 0}),
    ("svc001", "SVC001", "single-instance", "error"),
    ("svc002", "SVC002", "shared-fate", "error"),
    ("svc003", "SVC003", "missing-load-balancer", "error"),
    ("svc004", "SVC004", "load-balancer-not-redundant", "error"),
    ("svc005", "SVC005", "no-spare-capacity", "warning"),
    ("svc006", "SVC006", "unclassified-service", "warning"),
    ("svc007", "SVC007", "best-effort-spread", "warning"),
    ("state001", "STATE001", "unprotected-stateful-service", "error"),
    ("state002", "STATE002", "quorum-unsafe-cluster", "warning", {"min_members": 3}),
    ("state003", "STATE003", "failover-without-fencing", "error"),
    ("state004", "STATE004", "failover-without-manager", "error"),
    ("state005", "STATE005", "under-replicated-storage", "error", {"min_replicas": 3}),
    ("pwr001", "PWR001", "single-power-path", "warning"),
    ("net001", "NET001", "single-homed-host", "warning"),
    ("fac001", "FAC001", "single-cooling", "warning"),
    ("obj001", "OBJ001", "availability-below-objective", "warning"),
    ("obj002", "OBJ002", "failover-slower-than-objective", "warning"),
    ("model001", "MODEL001", "incomplete-description", "note"),
    ("model002", "MODEL002", "unused-acceptance", "note", {}, True),
    ("model003", "MODEL003", "unused-element", "note"),
)


class Declared:
    """A rule module as the registry first sees it: the constants declared in `TABLE`;
    the docstring (`__doc__`) and `check` of the module, imported when first asked for."""

    def __init__(
        self, module: str, id: str, name: str, severity: str, options: dict | None = None, after_findings: bool = False
    ):
        self.__name__ = f"{__name__}.{module}"
        self.ID, self.NAME, self.SEVERITY = id, name, severity
        self.OPTIONS: dict[str, Any] = dict(options or {})
        self.AFTER_FINDINGS = after_findings

    @property
    def module(self) -> ModuleType:
        return import_module(self.__name__)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]  # the module's, read when asked for
        return self.module.__doc__

    @property
    def check(self) -> Any:
        return self.module.check


if TYPE_CHECKING:  # mypy checks each module against the interface
    from spoflint.registry import RuleModule

    from . import (
        fac001,
        model001,
        model002,
        model003,
        net001,
        obj001,
        obj002,
        pwr001,
        spof001,
        spof002,
        spof003,
        spof004,
        spof005,
        state001,
        state002,
        state003,
        state004,
        state005,
        svc001,
        svc002,
        svc003,
        svc004,
        svc005,
        svc006,
        svc007,
    )

    RULES: tuple[RuleModule, ...] = (
        spof001,
        spof002,
        spof003,
        spof004,
        spof005,
        svc001,
        svc002,
        svc003,
        svc004,
        svc005,
        svc006,
        svc007,
        state001,
        state002,
        state003,
        state004,
        state005,
        pwr001,
        net001,
        fac001,
        obj001,
        obj002,
        model001,
        model002,
        model003,
    )
else:
    RULES = tuple(Declared(*line) for line in TABLE)
