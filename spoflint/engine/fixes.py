"""Verified fixes: for each root finding, the smallest change to the description that
removes it, kept only once the analysis, run again on the changed model, confirms it.

`attach(findings, facts, config)` is the engine's last step (after the root causes are
linked). For every root finding (no `cause`, not accepted or baselined) of a rule that
has fixes (`COVERED`), about an element written in a native topology (a fix is
said in its terms, which a Compose file or a manifest cannot take), the fixers propose candidates, best first; each is
applied to the Topology (a new, changed model: the original is untouched) and the
rules run on it exactly as `engine.check` runs them: the rules that have fixes, with
SPOF003 and SPOF004, those of them that have findings now (a rule without one has
nothing to remove), and SPOF001 and SPOF002 always. A candidate is kept when the
root's own fingerprint is gone, no SPOF001 or SPOF002 finding appeared, and no service
that was up is down with nothing failed; its `removes` lists every current finding the
re-run no longer makes (fingerprints are (rule, file, subject, key), so they compare
across the two runs). The first confirmed candidate of a root is its fix; a root whose
own candidates all fail, or that the budget leaves untried, takes a fix confirmed for
another root if that one removes it too.

Each re-analysis costs about as much as the analysis of the check itself, so the work
is bounded by counts, never by time: at most PER_ROOT candidates per root, and at most
`min(PER_RUN, WORK // elements)` re-analyses per check, spent on the roots in order:
errors first, then those that explain the most findings. A large estate gets fewer
fixes (none above WORK elements), never a check slower than docs/performance.md's
budgets (docs/analyses.md, "Fixes").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..analysis import Facts
from ..findings import RANK, Finding, Fix, fingerprint
from ..nogc import pausing

if TYPE_CHECKING:
    from ..model import Topology
    from ..registry import Rule
    from . import Config
    from .fixers import Candidate, Context

# the rules whose findings get fixes (fixers/by_rule.py's PROPOSERS, imported only when a root needs one)
COVERED = ("SPOF001", "SPOF002", "SVC001", "SVC002", "SVC004", "STATE002", "STATE005", "NET001", "PWR001")
PER_ROOT = 4  # candidates tried per root finding
PER_RUN = 64  # re-analyses per check, at most
# work re-analysed per check, in the units of `_cost`: 4 re-analyses of the 10k benchmark
# estate (24k fault-graph nodes, ~0.09 s each), one of a 2,000-PDU chain (its 2,000
# findings walk 70k steps of explanation)
WORK = 100_000
GUARDED = ("SPOF001", "SPOF002")  # a fix never adds a finding of these
ALSO = ("SPOF003", "SPOF004")  # cheap rules whose findings a fix may remove too (a second cable)


@dataclass(frozen=True)
class Verified:
    """A confirmed fix of one root finding, with the candidate it came from."""

    root: str  # the root finding's fingerprint
    candidate: Candidate
    fix: Fix


def attach(findings: list[Finding], facts: Facts, config: Config) -> list[Finding]:
    """The findings, each root given its verified fix (at most one)."""
    fixes: dict[str, tuple[Fix, ...]] = {}
    for v in verify(findings, facts, config):
        fixes[v.root] = (*fixes.get(v.root, ()), v.fix)
    if not fixes:
        return findings
    return [replace(f, fixes=fixes[f.fingerprint]) if f.fingerprint in fixes else f for f in findings]


def roots(findings: list[Finding]) -> list[Finding]:
    """The root findings that get fixes, in the order the budget serves them: errors
    first, then those that explain the most other findings, then by place."""
    explained: dict[str, int] = {}
    for f in findings:
        if f.cause is not None:
            explained[f.cause] = explained.get(f.cause, 0) + 1
    chosen = [f for f in findings if f.cause is None and f.suppressed is None and f.rule in COVERED]
    return sorted(chosen, key=lambda f: (-RANK[f.severity], -explained.get(f.fingerprint, 0), f.sort_key()))


@pausing  # each re-analysis builds a model's worth of small objects, none of them in cycles
def verify(findings: list[Finding], facts: Facts, config: Config) -> list[Verified]:
    """The confirmed fix of every root finding that has one within the budget."""
    todo = roots(findings)
    budget = min(PER_RUN, WORK // _cost(facts))
    if not todo or budget <= 0:
        return []
    from .fixers import Context

    checker = _Checker(facts, config, {f.rule for f in findings})
    context = Context(facts, checker.options)
    current = [f.fingerprint for f in findings]
    tried: dict[str, Fix | None] = {}
    found: dict[str, Verified] = {}
    for root in todo:
        if budget <= 0:  # the roots left can still take another root's fix (below)
            break
        for candidate in _candidates(context, root):
            if candidate.change not in tried:
                if budget <= 0:
                    break
                budget -= 1
                tried[candidate.change] = checker.confirm(candidate, current)
            fix = tried[candidate.change]
            if fix is not None and root.fingerprint in fix.removes:
                found[root.fingerprint] = Verified(root.fingerprint, candidate, fix)
                break
    own = list(found.values())
    for root in todo:  # without a fix of its own: another root's fix that removes it too
        if root.fingerprint not in found:
            other = next((v for v in own if root.fingerprint in v.fix.removes), None)
            if other is not None:
                found[root.fingerprint] = Verified(root.fingerprint, other.candidate, other.fix)
    return [found[r.fingerprint] for r in todo if r.fingerprint in found]


def _cost(facts: Facts) -> int:
    """What one re-analysis costs, in work, as the check's own analysis measured it: its
    fault-graph nodes and the steps its explanations walked (chains, groups lost
    together). Counted, not timed: one input gets the same fixes on every machine."""
    return max(1, len(facts.graph.gates) + facts.single_failures.walked)


def _candidates(context: Context, root: Finding) -> Iterator[Candidate]:
    """The first PER_ROOT distinct candidates the root's rule proposes."""
    seen: set[str] = set()
    from .fixers import PROPOSERS

    if not context.native(root.subject):
        return
    for candidate in PROPOSERS[root.rule](context, root):
        if candidate is None or candidate.change in seen:
            continue
        seen.add(candidate.change)
        yield candidate
        if len(seen) >= PER_ROOT:
            return


class _Checker:
    """Runs the rules again on a changed model, as `engine.check` runs them."""

    def __init__(self, facts: Facts, config: Config, found: set[str]):
        from .. import registry
        from . import enabled_rules

        self.topology = facts.topology
        self.scope = config.scope
        table = registry.rules(config.rule_paths)
        enabled = {r.id: r for r in enabled_rules(config) if not r.after_findings}
        # the rules whose findings a fix may remove (a rule with none has nothing to remove), and the guarded ones
        wanted = [i for i in (*COVERED, *ALSO) if i in enabled and i in found] + list(GUARDED)
        self.rules: list[Rule] = [enabled.get(i) or table[i] for i in dict.fromkeys(wanted) if i in table]
        self.options: dict[str, dict[str, Any]] = {
            r.id: {**r.options, **config.options.get(r.id, {})} for r in self.rules
        }
        self.enabled = set(enabled)
        self.before = self.fingerprints(facts)
        self.never_up = set(facts.never_up)

    def fingerprints(self, facts: Facts) -> dict[str, str]:
        """Fingerprint -> rule of every problem the rules find."""
        from . import _problems

        t = facts.topology
        out: dict[str, str] = {}
        for rule in self.rules:
            for p in _problems(rule, facts, self.options[rule.id], t):
                path = p.at.path if p.at is not None else t.where[p.subject].path
                out[fingerprint(rule.id, path, p.subject, p.key)] = rule.id
        return out

    def confirm(self, candidate: Candidate, current: list[str]) -> Fix | None:
        """The fix, if the changed model adds no SPOF001/SPOF002 finding; its `removes`:
        the current findings of the enabled rules that the changed model no longer makes."""
        changed: Topology = candidate.apply(self.topology)
        facts = Facts(changed, scope=self.scope)
        after = self.fingerprints(facts)
        if any(rule in GUARDED and fp not in self.before for fp, rule in after.items()):
            return None
        if set(facts.never_up) - self.never_up:  # a finding gone because its service is down for good
            return None
        removes = tuple(
            fp for fp in current if fp in self.before and self.before[fp] in self.enabled and fp not in after
        )
        return Fix(candidate.change, removes, candidate.new_element) if removes else None
