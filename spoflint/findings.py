"""What rules say and what the engine reports: small immutable values.

A rule yields `Problem`s about model elements, never about lines; the engine turns each
into a `Finding` with the element's file, line and column and a fingerprint that is the
finding's identity (rule, file, subject, key): no line numbers, so baselines and SARIF
fingerprints survive edits that move lines.
"""

from __future__ import annotations

from dataclasses import dataclass

# SHA-256 from CPython's own module where it has one: hashlib's digest without loading
# OpenSSL, which importing hashlib does (3 ms of a check)
try:
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.12 on
except ImportError:  # pragma: no cover - the version's other name, or a build without it
    try:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256 as _sha256  # type: ignore[assignment,no-redef,unused-ignore]

SEVERITIES = ("error", "warning", "note")
RANK = {"error": 3, "warning": 2, "note": 1}
RELATED = 50  # related locations a finding carries: a chain of 20,000 PDUs has no use for 20,000


def listed(ids: tuple[str, ...] | list[str], most: int) -> str:
    """`a, b, c`, or past `most` ids the first `most` and how many more: a message about
    an estate stays one readable line."""
    if len(ids) <= most:
        return ", ".join(ids)
    return f"{', '.join(ids[:most])} and {len(ids) - most} more"


@dataclass(frozen=True, slots=True)
class Place:
    subject: str
    path: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule's judgement about one element."""

    subject: str
    message: str
    related: tuple[str, ...] = ()  # other elements involved, shown as related locations
    services: tuple[str, ...] = ()  # user-facing services affected
    impact: tuple[str, ...] = ()  # "downtime", "data-loss"
    chain: tuple[str, ...] = ()  # from the failing element to what it takes down
    key: str = ""  # tells apart several problems of one rule about one subject
    # where the problem is written when that is not the subject's place in the topology:
    # a line of another file (MODEL002's stale baseline entries), or a place in a foreign
    # file that no element stands for (MODEL001's note on custom resources a reader skipped);
    # no accept comment reaches it there
    at: Place | None = None
    # for each any/k-of-n gate on the chain, the inputs that fail together ("pdu-a and
    # pdu-b are both fed only by ups-a")
    lost_together: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Fix:
    """A change to the description that removes findings, confirmed by running the
    analysis again on the changed model."""

    change: str  # what to change, in the description's own terms ("feed pdu-b from ups-b")
    removes: tuple[str, ...]  # fingerprints of the findings it removes
    new_element: bool = False  # whether it needs an element the description does not have yet


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    name: str
    severity: str
    message: str
    subject: str
    related: tuple[Place, ...] = ()
    services: tuple[str, ...] = ()
    impact: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    fingerprint: str = ""
    suppressed: str | None = None  # why it does not count: an accepted risk's reason, or the baseline
    suppressed_by: str | None = None  # "accept" or "baseline"
    cause: str | None = None  # fingerprint of the root-cause finding that explains this one; None: a root
    lost_together: tuple[tuple[str, ...], ...] = ()  # per gate on the chain, the inputs lost together
    fixes: tuple[Fix, ...] = ()  # verified changes that remove it (root findings only)

    def sort_key(self):
        return (self.path, self.line, self.column, self.rule, self.subject, self.fingerprint)


def fingerprint(rule: str, path: str, subject: str, key: str = "") -> str:
    text = "\0".join((rule, path, subject, key))
    return _sha256(text.encode()).hexdigest()[:32]
