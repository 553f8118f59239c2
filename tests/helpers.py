"""What the importer tests share: reading a fixture's `# expect:` lines and keeping the
findings that count."""

from __future__ import annotations

import re
from pathlib import Path

EXPECT = re.compile(r"^#\s*expect:(.*)$")
TOKEN = re.compile(r"^[A-Z]+[0-9]{3}@\S+$")


def judged(findings) -> set[tuple[str, str]]:
    """(rule, subject) of the errors and warnings that were not accepted."""
    return {(f.rule, f.subject) for f in findings if f.severity != "note" and f.suppressed is None}


def pairs(text: str) -> set[tuple[str, str]]:
    return {tuple(t.split("@", 1)) for t in text.split()}


def expected(path: Path) -> set[tuple[str, str]]:
    """The `# expect: RULE@subject ...` (or `# expect: none`) lines at the top of a
    fixture; for a folder, of its first YAML file."""
    first = path if path.is_file() else sorted(path.glob("*.y*ml"))[0]
    tokens: list[str] = []
    for line in first.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if not match:
            break
        tokens += match.group(1).split()
    assert tokens, f"{first}: the first lines must be `# expect: RULE@subject ...` or `# expect: none`"
    if tokens == ["none"]:
        return set()
    bad = [t for t in tokens if not TOKEN.match(t)]
    assert not bad, f"{first}: {bad[0]!r} is not RULE@subject"
    return pairs(" ".join(tokens))
