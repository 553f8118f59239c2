"""Stage 2, model: loaded documents to one validated, typed Topology.

Documents are checked against the JSON Schema, merged (ids unique across every section
and file), references resolved and checked for type and cycles, and every default of
the format (docs/format.md) applied once here (effective power, service
state/role/access/ha from the kind catalogue, quorum, public), so that later stages
never re-derive them.

The modules, in the order a document goes through them: `validation` (the JSON Schema
and `validate`), `schema_check` (the schema compiled to a fast yes/no predicate),
`messages` (schema errors in the file's terms), `builder` (documents to one Topology),
`references` (ids declared once, references checked, no cycles), `services` (the defaults of
services), `kinds` (the catalogue of known service kinds those come from),
`acceptances` (accepted risks) and `elements` (the types of the result).
"""

from __future__ import annotations

from ..errors import InputError, gathered
from ..load import MarkedMap
from ..nogc import pausing
from .builder import _Builder
from .elements import (
    DEFAULT_SCOPE,
    FAILING,
    NOT_FAILING_NETWORK,
    SECTIONS,
    Acceptance,
    Cooling,
    Host,
    Link,
    Location,
    NetworkNode,
    Power,
    Rack,
    Service,
    Storage,
    Topology,
    Zone,
)
from .references import find_cycle
from .validation import is_topology, schema, validate

__all__ = [
    "DEFAULT_SCOPE",
    "FAILING",
    "NOT_FAILING_NETWORK",
    "SECTIONS",
    "Acceptance",
    "Cooling",
    "Host",
    "Link",
    "Location",
    "NetworkNode",
    "Power",
    "Rack",
    "Service",
    "Storage",
    "Topology",
    "Zone",
    "build",
    "find_cycle",
    "is_topology",
    "schema",
    "validate",
]


@pausing
def build(documents: list[MarkedMap]) -> Topology:
    """Validate each document (the schema errors of all of them are raised together),
    then merge them into one Topology."""
    errors: list[InputError] = []
    for document in documents:
        try:
            validate(document)
        except InputError as error:
            errors.append(error)
    if errors:
        raise gathered(errors)
    return _Builder(documents).build()
