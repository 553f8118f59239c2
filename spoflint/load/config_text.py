"""A config file's text to data, and where each setting is written: `.spoflint.yaml` as
marked YAML, `[tool.spoflint]` of a `pyproject.toml` with positions found in its text
(tomllib keeps none). Used by spoflint.config to name the line of a wrong setting."""

from __future__ import annotations

import re
import sys

from ..errors import InputError
from .trust import TABLE


def blank(raw: bytes) -> bool:
    """Whether a YAML file holds nothing but comments and blank lines."""
    text = raw.decode("utf-8", "replace")
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def yaml_locator(document):
    """Where a step path points in a YAML config: a value, or with `key=True` the key
    that names it (for unknown keys, the key is what is wrong)."""
    from .marked import MarkedMap
    from .marked import locate as find_in

    def locate(steps, key=False):
        if key and steps:
            parent = document
            for step in steps[:-1]:
                parent = parent.get(step) if isinstance(parent, dict) else None
            if isinstance(parent, MarkedMap) and steps[-1] in parent.where:
                return parent.key_at(steps[-1])
        return find_in(document, steps)

    return locate


def pyproject(text: str, shown: str):
    """The [tool.spoflint] table, and positions found by reading the text (tomllib
    keeps none): a key's line within the spoflint tables (inline tables too), or a
    subtable's header, else the table's header."""
    if sys.version_info < (3, 11):
        raise InputError(shown, 1, 1, "reading [tool.spoflint] needs Python 3.11 or later; use .spoflint.yaml instead")
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+), column (\d+)", str(error))
        line, column = (int(match[1]), int(match[2])) if match else (1, 1)
        raise InputError(shown, line, column, f"invalid TOML: {str(error).split(' (at')[0]}") from None
    table = data.get("tool", {}).get("spoflint", {})
    lines = text.splitlines()
    header = next((i for i, l in enumerate(lines) if TABLE.match(l)), 0)

    def spoflint_lines():
        """(index, text, subtable names or None) of the lines in spoflint's tables."""
        inside = False
        for number, line in enumerate(lines):
            heading = re.match(r"\s*\[\[?\s*([^\]]*?)\s*\]", line)
            if heading:
                parts = [part.strip().strip("\"'") for part in heading[1].split(".")]
                inside = parts[:2] == ["tool", "spoflint"]
                if inside:
                    yield number, line, parts[2:]
            elif inside:
                yield number, line, None

    def locate(steps, key=False):
        for step in reversed([s for s in steps if isinstance(s, str)]):
            pattern = re.compile(rf"(?:^|[{{,])\s*[\"']?({re.escape(step)})[\"']?\s*=")
            for number, line, subtable in spoflint_lines():
                if subtable is not None:
                    if step in subtable:
                        return number + 1, line.index(step) + 1
                elif match := pattern.search(line):
                    return number + 1, match.start(1) + 1
        return header + 1, 1

    return table, locate
