"""spoflint's built-in rule pack: one module per rule, registered like any third-party
pack through the `spoflint.rules` entry-point group (see spoflint.registry)."""
from . import model001, spof001, spof002, spof003, spof004, state001, svc001, svc003, svc004, svc006

RULES = (spof001, spof002, spof003, spof004, svc001, svc003, svc004, svc006, state001, model001)
