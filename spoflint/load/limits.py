"""The bounds on what a file may hold: anything past them is hostile or a mistake."""

MAX_DEPTH = 64
MAX_BYTES = 256 << 20  # ~2M elements; a bigger file is hostile or a mistake
MAX_INT_BITS = 4096  # integers past this are not infrastructure (and Python's int/str limit is near)
MAX_EXPANSION_FACTOR = 8  # expanded nodes per parsed event that aliases may add
MIN_EXPANSION_BUDGET = 1_000_000
YAML_SUFFIXES = (".yaml", ".yml")
MAX_IMPLIED_NODES = 5_000  # nodes a reader declares for one workload's replicas (Kubernetes' largest cluster)


def too_many_nodes(count: int) -> str:
    """The error for replicas that would make a reader declare more nodes than that."""
    return (
        f"{count:,} replicas spread one per node would need as many nodes: spoflint declares "
        f"at most {MAX_IMPLIED_NODES:,} nodes for the replicas of one workload"
    )
