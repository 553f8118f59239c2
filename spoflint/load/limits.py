"""The bounds on what a file may hold: anything past them is hostile or a mistake."""

MAX_DEPTH = 64
MAX_BYTES = 256 << 20  # ~2M elements; a bigger file is hostile or a mistake
MAX_INT_BITS = 4096  # integers past this are not infrastructure (and Python's int/str limit is near)
MAX_EXPANSION_FACTOR = 8  # expanded nodes per parsed event that aliases may add
MIN_EXPANSION_BUDGET = 1_000_000
YAML_SUFFIXES = (".yaml", ".yml")
