"""The page's "if this fails" (spoflint/views/page/evaluate.js on spoflint.views.compact's
model) says exactly what the Python reference says, in a real browser.

One page of our own (evaluate.js alone) is opened once; each topology's compact model
and a batch of failure sets go to it in one script call. For each set the answer must
equal the reference's (spoflint.analysis.reference.evaluate), field by field as
`spoflint simulate --format json` words it: the elements down and cut off, the
services down with their reasons and down_before, the data lost, each element's
causes and its chain. Topologies: random ones (tests/analysis/test_oracle.py's
generator), the bundled examples, and a 2,000-element bench estate.
"""

from __future__ import annotations

import sys
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings

from spoflint.analysis import Facts
from spoflint.analysis.reference import SEP, Evaluation, evaluate, reach_key, usable_key
from spoflint.analysis.simulation import chain, simulate
from spoflint.model import Topology
from spoflint.views.compact import encode
from spoflint.views.simulation import services_down
from tests.analysis.test_oracle import WITH_ZONES, as_yaml, combinations, topologies
from tests.helpers import EXAMPLES, REPO, topology_of

pytestmark = pytest.mark.slow

PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>what-if</title><script>__JS__</script></head></html>'

# arguments[0]: a compact model; arguments[1]: failure sets; arguments[2]: the elements
# to give the chain of, when in the answer's causes (null: every one of them). A function
# does not cross WebDriver, its answers do; causes and chains as [id, value] pairs (an
# object's `__proto__` key would not cross either).
ANSWERS = """
var evaluator = SpoflintWhatIf.create(arguments[0]), chained = arguments[2];
return arguments[1].map(function (failed) {
  var answer = evaluator.fail(failed), ids = Object.keys(answer.causes);
  return {elements_down: answer.elements_down, cut_off: answer.cut_off, services_down: answer.services_down,
          data_lost: answer.data_lost,
          causes: ids.map(function (id) { return [id, answer.causes[id]]; }),
          chains: ids.filter(function (id) { return !chained || chained.indexOf(id) >= 0; })
                     .map(function (id) { return [id, answer.chain(id)]; })};
});
"""


def answers(page, t: Topology, failure_sets: list[list[str]], chained: list[str] | None = None) -> list[dict]:
    """The page's answers, causes and chains as dicts."""
    found = page.script(ANSWERS, encode(t), failure_sets, chained)
    for answer in found:
        answer["causes"], answer["chains"] = dict(answer["causes"]), dict(answer["chains"])
    return found


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    script = resources.files("spoflint.views").joinpath("page", "evaluate.js").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("whatif") / "whatif.html"
    path.write_text(PAGE.replace("__JS__", script), encoding="utf-8")
    browser.open(path.as_uri())
    assert browser.script("return typeof SpoflintWhatIf.create;") == "function"
    return browser


def _key(result: Evaluation, eid: str) -> str:
    """The key an element's answer is about: itself when down, else its usability (a
    host) or reachability (a network node) that is down."""
    t = result.topology
    if eid in result.down:
        return eid
    return usable_key(eid) if eid in t.hosts else reach_key(eid)


def reference(t: Topology, before: Evaluation, after: Evaluation, chained: list[str] | None = None) -> dict:
    """The reference's answer, in the evaluator's terms (the chains of `chained` only)."""
    named = [*after.elements_down, *after.cut_off]
    return {
        "elements_down": after.elements_down,
        "cut_off": after.cut_off,
        "services_down": [
            {"service": s, "public": t.services[s].public, "reason": after.why(s), "down_before": not before.is_up(s)}
            for s in after.services_down
        ],
        "data_lost": [{"holder": h, "reason": after.lost[h]} for h in sorted(after.lost)],
        "causes": {e: list(dict.fromkeys(c.split(SEP, 1)[0] for c in after.down[_key(after, e)][1])) for e in named},
        "chains": {e: chain(after, _key(after, e)) for e in named if chained is None or e in chained},
    }


def assert_same(
    page, t: Topology, failure_sets: list[list[str]], about: str = "", chained: list[str] | None = None
) -> None:
    """The page's answers are the reference's. With `chained` (only their chains asked
    for) the evaluation is `simulate`'s, which works long chains out inputs first, as the
    page does, where the reference would recurse."""
    deep = chained is not None
    before = simulate(t, []).before if deep else evaluate(t, set())
    found = answers(page, t, failure_sets, chained)
    assert len(found) == len(failure_sets)
    for failed, answer in zip(failure_sets, found, strict=True):
        after = simulate(t, failed).after if deep else evaluate(t, set(failed))
        want = reference(t, before, after, chained)
        for field, value in want.items():
            assert answer[field] == value, f"fail {failed}: {field}\n{about}"


def failure_sets(t: Topology) -> list[list[str]]:
    """Nothing; each failure candidate (zones too) alone; each service and storage
    backend with hosts alone (its software); a few candidates together."""
    candidates = [e for e in t.section_of if t.can_fail(e, WITH_ZONES)]
    software = [s for s in t.storage if t.storage[s].hosts] + list(t.services)
    return [[], *([e] for e in candidates + software), *(list(c) for c in combinations(candidates))]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_random_topologies_answer_as_the_reference(page, doc):
    t = topology_of(as_yaml(doc), "rand.yaml")
    assert_same(page, t, failure_sets(t), as_yaml(doc))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_answer_as_the_reference(page, path):
    t = topology_of(path.read_text(), path.name)
    sets = failure_sets(t)
    assert len(sets) > 10
    assert_same(page, t, sets)
    before = evaluate(t, set())
    for failed in sets:  # the reference's services down are simulate's, as its JSON has them
        after = evaluate(t, set(failed))
        said = [
            {key: entry[key] for key in ("service", "public", "reason", "down_before")}
            for entry in services_down(before, after)
        ]
        assert reference(t, before, after)["services_down"] == said


def test_bench_estate_answers_as_the_reference(page):
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    text, planted = generate(2_000)
    t = topology_of(text, "estate-2000.yaml")
    spofs = list(Facts(t).single_points)
    assert set(planted["SPOF001"]) <= set(spofs)
    others = [e for e in t.section_of if t.can_fail(e)][::400]
    assert_same(page, t, [[e] for e in spofs + others] + [spofs[:2], spofs[-3:]])


def test_long_chains_answer_as_the_reference(page):
    """3,000 power elements each fed by the one before and 2,000 services each needing
    the one before: nothing nests a call per link of a chain (no stack overflows), and
    the chains are whole."""
    power = {"p0": {"kind": "feed"}} | {f"p{i}": {"kind": "pdu", "from": [f"p{i - 1}"]} for i in range(1, 3000)}
    services = {"s0": {"hosts": ["h1", "h2"], "public": True}} | {
        f"s{i}": {"hosts": ["h1", "h2"], "depends_on": [f"s{i - 1}"], "public": True} for i in range(1, 2000)
    }
    doc = {
        "version": 1,
        "name": "chains",
        "power": power,
        "hosts": {"h1": {"power": ["p2999"]}, "h2": {"power": ["p2999", "p0"]}},
        "services": services,
    }
    t = topology_of(as_yaml(doc), "chains.yaml")
    chained = ["s1999", "s1000", "s0", "h1", "h2", "p2999"]
    assert_same(page, t, [["p0"], ["p1500"], ["h1"], ["s0"], ["h1", "p1"]], chained=chained)
    answer = answers(page, t, [["p0"]], ["s1999"])[0]
    assert answer["chains"]["s1999"] == [f"p{i}" for i in range(3000)] + ["h1"] + [f"s{i}" for i in range(2000)]


def test_ids_that_name_object_members_answer_as_the_reference(page):
    """Ids are any names the format allows, `__proto__` and `constructor` too."""
    doc = {
        "version": 1,
        "name": "names",
        "entrypoints": ["__proto__"],
        "power": {"constructor": {"kind": "feed"}, "hasOwnProperty": {"kind": "pdu", "from": ["constructor"]}},
        "network": {"__proto__": {"kind": "router", "power": ["hasOwnProperty"]}},
        "hosts": {"toString": {"power": ["constructor"], "nics": ["__proto__"]}, "valueOf": {"nics": ["__proto__"]}},
        "storage": {"__defineGetter__": {"kind": "ceph", "hosts": ["toString", "valueOf"], "replicas": 2}},
        "services": {
            "prototype": {"kind": "postgresql", "hosts": ["toString"], "storage": ["__defineGetter__"], "public": True},
            "isPrototypeOf": {"kind": "redis", "hosts": ["valueOf", "toString"], "public": True},
        },
    }
    t = topology_of(as_yaml(doc), "names.yaml")
    assert_same(page, t, failure_sets(t))
