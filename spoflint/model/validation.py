"""The topology JSON Schema, and checking a document against it: the compiled predicate
first, jsonschema only to explain a document that fails."""

from __future__ import annotations

import itertools
import json
import os
from typing import TYPE_CHECKING, Any

from ..errors import InputError, gathered, quote
from ..load import MarkedMap
from . import json_values, schema_check
from .messages import _explain

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

_validator: Validator | None = None  # built on first use: importing jsonschema takes a while
_fast: schema_check.Check | None = None
MAX_SCHEMA_ERRORS = 1000  # enough to find the first; a broken huge file need not list all


def schema() -> dict[str, Any]:
    """The topology JSON Schema (topology.schema.json), read by the package's loader
    (a file, or a zip's member; importlib.resources costs a check's start-up more)."""
    path = os.path.join(os.path.dirname(__file__), "topology.schema.json")
    data = __spec__.loader.get_data(path)  # type: ignore[union-attr]  # SourceFileLoader, zipimporter
    return json.loads(data.decode("utf-8"))


def schema_validator() -> Validator:
    """Draft 2020-12, except that an integer is an int (not 2.0 or true) and a number
    is finite (not .nan or .inf): YAML writes all of those. schema_check holds both
    definitions, so that its fast verdict and jsonschema's agree."""
    global _validator
    if _validator is None:
        import jsonschema

        base = jsonschema.Draft202012Validator
        checker = base.TYPE_CHECKER.redefine_many(
            {
                "integer": lambda _, value: json_values.is_integer(value),
                "number": lambda _, value: json_values.is_number(value),
            }
        )
        _validator = jsonschema.validators.extend(base, type_checker=checker)(schema())
    return _validator


def fast_check() -> schema_check.Check:
    """The schema compiled to a yes/no predicate: the fast path of `validate`."""
    global _fast
    if _fast is None:
        _fast = schema_check.compile_schema(schema())
    return _fast


def is_topology(document: MarkedMap) -> bool:
    """A YAML file found in a directory is a topology when its `version` is 1."""
    return type(document.get("version")) is int and document["version"] == 1


def _version_message(version: object) -> str:
    """What is wrong with a `version` that is not 1: the string "1" is the usual slip."""
    if isinstance(version, str) and version.strip() in ("1", "1.0"):
        return f"write `version: 1` (a number, not the string {quote(version)})"
    return f"unsupported format version {quote(version)}; this spoflint reads version 1"


def validate(document: MarkedMap) -> None:
    """Check one document against the schema.

    Of the errors, the one written first in the file becomes the InputError, said in
    the file's terms (which key, which value, what was expected) rather than the
    schema's."""
    if "version" not in document:
        raise InputError(
            document.path, document.line, document.column, "missing `version: 1` (the topology format version)"
        )
    if not is_topology(document):
        line, column = document.value_at("version")
        raise InputError(
            document.path,
            line,
            column,
            _version_message(document["version"]),
        )
    if fast_check()(document):  # the usual case; jsonschema only to explain a problem
        return
    errors = list(itertools.islice(schema_validator().iter_errors(document), MAX_SCHEMA_ERRORS))
    if not errors:
        return
    from jsonschema.exceptions import relevance

    problems = [(*_explain(document, error), error) for error in errors]
    found = []  # one error per place written, the most relevant there, in file order
    for place in sorted({(line, column) for line, column, _, _ in problems}):
        tied = [p for p in problems if (p[0], p[1]) == place]
        _, _, message, _ = max(tied, key=lambda p: relevance(p[3]))
        found.append(InputError(document.path, place[0], place[1], message))
    raise gathered(found)
