"""spoflint's built-in rule pack: one module per rule, registered like any third-party
pack through the `spoflint.rules` entry-point group (see spoflint.registry).

A new rule: a module here, added to `RULES` (see CONTRIBUTING.md, "Adding a rule")."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from spoflint.registry import RuleModule

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
