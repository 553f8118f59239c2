"""Which workloads a selector picks, answered from an index built once over the
workloads of the files, so that each Service, budget or autoscaler looks at the few
workloads that can match instead of every one.

The index only narrows: every candidate is checked against the selector as the API
defines it (a Service's `selector`: every pair equal, in the Service's namespace; a
label selector: `matchLabels` and the `matchExpressions` operators In, NotIn, Exists
and DoesNotExist, `_kubernetes_addresses.selector_matches`), so the answer is the one
a scan of every workload gives, in the same order (the order the files list them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._kubernetes_addresses import selector_matches

if TYPE_CHECKING:
    from ._kubernetes_objects import Workload

_INDEXED = (str, int, float, bool)  # label values as `labels_of` keeps them: hashable, never None


class LabelIndex:
    """Namespace -> its workloads, and (namespace, label key, value) -> the workloads
    whose pods carry that label, each list in the order of `workloads`."""

    def __init__(self, workloads: list[Workload]):
        self.workloads = workloads
        self.size = len(workloads)
        self.by_namespace: dict[str, list[Workload]] = {}
        self.by_label: dict[tuple[str, str, object], list[Workload]] = {}
        for w in workloads:
            self.by_namespace.setdefault(w.namespace, []).append(w)
            for key, value in w.labels.items():
                if isinstance(value, _INDEXED):
                    self.by_label.setdefault((w.namespace, key, value), []).append(w)

    def current(self, workloads: list[Workload]) -> bool:
        """Whether the index was built over this list as it is now."""
        return self.workloads is workloads and self.size == len(workloads)

    def _narrowed(self, namespace: str, pairs: dict) -> list[Workload]:
        """The shortest list that holds every workload of `namespace` whose labels have
        all of `pairs` (a superset: callers check each)."""
        best = self.by_namespace.get(namespace, [])
        for key, value in pairs.items():
            if not isinstance(value, _INDEXED):
                continue  # None matches a missing label; anything else no label value
            found = self.by_label.get((namespace, key, value), [])
            if len(found) < len(best):
                best = found
        return best

    def equal(self, namespace: object, selector: dict | None) -> list[Workload]:
        """A Service's selection: the workloads of `namespace` whose labels hold every
        pair of `selector` (None selects nothing; `{}` every workload of the namespace)."""
        if selector is None or not isinstance(namespace, str):
            return []
        return [
            w for w in self._narrowed(namespace, selector) if all(w.labels.get(k) == v for k, v in selector.items())
        ]

    def matching(self, namespace: object, selector: object) -> list[Workload]:
        """A label selector's selection (`matchLabels`, `matchExpressions`) in `namespace`:
        an empty selector selects every workload of it, a malformed one none."""
        if not isinstance(namespace, str) or not isinstance(selector, dict):
            return []
        pairs = selector.get("matchLabels")
        candidates = self._narrowed(namespace, pairs if isinstance(pairs, dict) else {})
        return [w for w in candidates if selector_matches(selector, w.labels)]
