"""Start-up for pre-commit (docs/performance.md, "Start-up"): `spoflint check` read
without typer (`spoflint.cli.fast`, kept in step with the typer declaration here), and
the rule packs' entry points read from a cache per set of installed distributions.
Nothing here is timed: the tests check what is imported and what is read."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
import typer.main

from spoflint import installed, registry
from spoflint.cli import app, fast, run
from spoflint.cli import check as check_module

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fixtures" / "examples" / "hidden-spof.yaml"


def _is(param, kind: str) -> bool:
    """Of click's type `kind` (typer vendors click in newer releases; its choice type is its own)."""
    if kind == "Choice":
        return hasattr(param.type, "choices")
    return any(c.__name__ == kind for c in type(param.type).__mro__)


def _click_check():
    return typer.main.get_command(app).commands["check"]


def test_the_fast_table_is_the_typer_declaration_of_check():
    params = {p.name: p for p in _click_check().params}
    assert set(params) == {"paths", *fast.OPTIONS}
    assert params["paths"].nargs == -1 and params["paths"].default is None
    for name, (flags, kind, among) in fast.OPTIONS.items():
        param = params[name]
        assert tuple(param.opts) == flags and not param.secondary_opts, name
        expected = (
            "flag" if param.is_flag else "many" if param.multiple else "count" if _is(param, "IntRange") else "one"
        )
        assert kind == expected, name
        if kind == "count":
            assert param.type.min == 0 and not param.type.min_open and param.type.max is None
        if _is(param, "Choice"):
            assert among is not None and tuple(param.type.choices) == fast.choices(among), name
            assert param.type.case_sensitive
        else:
            assert among is None, name
        default = fast.DEFAULTS.get(name, False if kind == "flag" else [] if kind == "many" else None)
        actual = str(param.default) if isinstance(param.default, Enum) else param.default
        assert actual == default, name


def _typer_arguments(monkeypatch, argv):
    """The arguments the typer app passes to `check.lint` for `argv`."""
    seen = []

    def record(*args):
        seen.append(inspect.signature(check_module.lint).bind(*args).arguments)
        return 0

    from spoflint.cli import check_command
    from spoflint.cli.application import run_typer

    monkeypatch.setattr(check_command, "lint", record)
    assert run_typer(argv) == 0
    (arguments,) = seen
    return arguments


PLAIN = [
    ["check"],
    ["check", "a.yaml"],
    ["check", "a.yaml", "-", "dir"],
    ["check", "-f", "json", "--format=sarif", "-o", "r.json", "--output", "r.sarif", "x.yaml"],
    ["check", "--select", "SPOF", "--select=svc001", "--ignore", "PWR001", "--exclude", "*.bak", "x"],
    ["check", "--fail-on", "warning", "--config", "c.yaml", "--baseline", "b.json", "x"],
    ["check", "--write-baseline", "b.json", "--only-topologies", "--input-format", "compose", "x"],
    ["check", "--order", "3", "--diff", "HEAD~1", "--exit-zero", "-q", "--statistics", "x"],
    ["check", "x", "--color=never", "--stdin-filename", "t.yaml", "--show-source", "--netbox", "n.json"],
    ["check", "--order=0", "--isolated", "--quiet", "--input-format=native", "y", "z"],
]


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_the_fast_path_reads_a_command_line_as_typer_does(monkeypatch, argv):
    assert fast.parse(argv) == _typer_arguments(monkeypatch, argv)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--version"],
        ["rules"],
        ["check", "--help"],
        ["check", "-h"],
        ["check", "--bogus"],
        ["check", "--form", "json"],  # click does not complete prefixes either
        ["check", "-fjson"],
        ["check", "-f=json"],
        ["check", "-qf", "json"],
        ["check", "--format", "xml"],
        ["check", "--format"],
        ["check", "--fail-on", "Error"],
        ["check", "--order", "-1"],
        ["check", "--order", "two"],
        ["check", "--order", "٣"],  # a digit, but not one click's int() reads the same way
        ["check", "--output", "-q"],
        ["check", "--config", "a", "--config", "b"],
        ["check", "--quiet", "--quiet"],
        ["check", "--quiet=yes"],
        ["check", "--", "-odd-name.yaml"],
    ],
    ids=repr,
)
def test_anything_else_is_left_to_typer(argv):
    assert fast.parse(argv) is None


def test_usage_errors_and_help_stay_clicks(capsys):
    assert run(["check", "--bogus"]) == 2
    assert capsys.readouterr().err == "spoflint: error: No such option: --bogus\n"
    assert run(["check", "--format", "xml"]) == 2
    assert "'xml' is not one of" in capsys.readouterr().err
    assert run(["check", "--help"]) == 0
    assert "--show-source" in capsys.readouterr().out


def test_the_fast_path_checks_the_example_as_the_app_does(capsys):
    code = run(["check", str(EXAMPLE)])
    fast_out = capsys.readouterr()
    from spoflint.cli.application import run_typer

    assert run_typer(["check", str(EXAMPLE)]) == code == 1
    assert capsys.readouterr() == fast_out
    assert "SPOF001" in fast_out.out


_IMPORTED = """
import sys
from spoflint.__main__ import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("typer", "click") or m == "importlib.metadata")
print(code, heavy, file=sys.stderr)
"""


def _subprocess(cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SPOFLINT_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-c", _IMPORTED, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )


def test_a_check_imports_neither_typer_nor_importlib_metadata_once_the_cache_is_written(tmp_path):
    first = _subprocess(tmp_path / "cache", "check", str(EXAMPLE))
    assert first.stderr.splitlines()[-1] == "1 ['importlib.metadata']"  # the cache is written
    assert (tmp_path / "cache" / "entry-points.json").is_file()
    second = _subprocess(tmp_path / "cache", "check", str(EXAMPLE))
    assert second.stderr.splitlines()[-1] == "1 []"
    assert second.stdout == first.stdout and "SPOF001" in second.stdout
    # a report that links the rules page reads its address once, then from the cache too
    first_json = _subprocess(tmp_path / "cache", "check", str(EXAMPLE), "--format", "json")
    assert first_json.stderr.splitlines()[-1] == "1 ['importlib.metadata']"
    shown = {f: _subprocess(tmp_path / "cache", "check", str(EXAMPLE), "--format", f) for f in ("json", "sarif")}
    assert [r.stderr.splitlines()[-1] for r in shown.values()] == ["1 []", "1 []"]
    assert shown["json"].stdout == first_json.stdout and "docs/rules.md#spof001" in shown["sarif"].stdout
    helped = _subprocess(tmp_path / "cache", "check", "--help")
    assert "typer" in helped.stderr.splitlines()[-1]  # help is typer's


# --- the entry-point cache ---------------------------------------------------------------


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SPOFLINT_CACHE_DIR", str(folder))
    registry._rules.cache_clear()
    yield folder / "entry-points.json"
    registry._rules.cache_clear()


def _installed() -> list[tuple[str, str]]:
    from importlib.metadata import entry_points

    return sorted({(ep.name, ep.value) for ep in entry_points(group=registry.GROUP)})


def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_cache_is_written_atomically_and_then_read(cache):
    found = installed.entry_points(registry.GROUP)
    assert [(e.name, e.value) for e in found] == _installed()
    assert [p.name for p in cache.parent.iterdir()] == ["entry-points.json"]  # no temporary file left
    key = installed._installed_key(registry.GROUP)
    assert _read(cache) == {"format": 1, "keys": {key: [list(pair) for pair in _installed()]}}
    # what the cache says is what is used (importlib.metadata is not asked again)
    cache.write_text(json.dumps({"format": 1, "keys": {key: [["builtin", "spoflint_rules"], ["extra", "json:dumps"]]}}))
    assert [(e.name, e.value) for e in installed.entry_points(registry.GROUP)] == [
        ("builtin", "spoflint_rules"),
        ("extra", "json:dumps"),
    ]
    assert installed.EntryPoint("extra", "json:dumps").load() is json.dumps


def test_the_rules_page_address_is_cached_with_the_entry_points(cache):
    from importlib.metadata import metadata

    from spoflint.views import rules as rules_view

    declared = [tuple(p.strip() for p in e.split(",", 1)) for e in metadata("spoflint").get_all("Project-URL")]
    rules_view.rules_page.cache_clear()
    try:
        installed.entry_points(registry.GROUP)
        assert installed.project_urls() == declared and ("Rules", rules_view.rules_page()) in declared
        keys = _read(cache)["keys"]
        assert keys[installed._installed_key("Project-URL")] == [list(pair) for pair in declared]
        assert keys[installed._installed_key(registry.GROUP)] == [list(pair) for pair in _installed()]
        # what the cache says is what is used (importlib.metadata is not asked again)
        keys[installed._installed_key("Project-URL")] = [
            ["Homepage", "https://a.example"],
            ["Rules", "https://b.example/r"],
        ]
        cache.write_text(json.dumps({"format": 1, "keys": keys}))
        rules_view.rules_page.cache_clear()
        assert rules_view.rules_page() == "https://b.example/r"
        assert rules_view.url(registry.rules()["SPOF001"]) == "https://b.example/r#spof001-single-point-of-failure"
    finally:
        rules_view.rules_page.cache_clear()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe not json",
        b"[]",
        b'{"format": 1}',
        b'{"format": 2, "keys": {}}',
        b'{"format": 1, "keys": []}',
        b'{"format": 1, "keys": {"KEY": [["builtin"]]}}',
        b'{"format": 1, "keys": {"KEY": 7}}',
    ],
    ids=repr,
)
def test_an_unreadable_cache_is_rebuilt(cache, content):
    key = installed._installed_key(registry.GROUP)
    cache.parent.mkdir()
    cache.write_bytes(content.replace(b"KEY", json.dumps(key)[1:-1].encode()))
    assert [(e.name, e.value) for e in installed.entry_points(registry.GROUP)] == _installed()
    assert _read(cache)["keys"][key] == [list(pair) for pair in _installed()]


def test_a_stale_cache_is_rebuilt_when_a_distribution_is_installed_upgraded_or_removed(cache, tmp_path, monkeypatch):
    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(site))
    installed.entry_points(registry.GROUP)
    before = installed._installed_key(registry.GROUP)
    info = site / "acme_rules-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[spoflint.rules]\nacme = acme_pack\n")
    assert ("acme", "acme_pack") in [(e.name, e.value) for e in installed.entry_points(registry.GROUP)]
    with_acme = installed._installed_key(registry.GROUP)
    assert with_acme != before
    upgraded = info.rename(site / "acme_rules-2.0.dist-info")
    (upgraded / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 2.0\n")
    (upgraded / "entry_points.txt").write_text("[spoflint.rules]\nacme = acme_pack_two\n")
    assert ("acme", "acme_pack_two") in [(e.name, e.value) for e in installed.entry_points(registry.GROUP)]
    for path in upgraded.iterdir():
        path.unlink()
    upgraded.rmdir()
    assert installed._installed_key(registry.GROUP) == before
    assert "acme" not in [e.name for e in installed.entry_points(registry.GROUP)]
    assert len(_read(cache)["keys"]) == 3  # each set of distributions keeps its own entry


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SPOFLINT_CACHE_DIR", str(blocker / "below"))
    assert [(e.name, e.value) for e in installed.entry_points(registry.GROUP)] == _installed()


def test_the_cache_keeps_the_latest_eight_sets(cache):
    cache.parent.mkdir()
    old = {f"old-{i}": [] for i in range(10)}
    cache.write_text(json.dumps({"format": 1, "keys": old}))
    installed.entry_points(registry.GROUP)
    kept = list(_read(cache)["keys"])
    assert len(kept) == 8 and kept[:7] == [f"old-{i}" for i in range(3, 10)]


def test_the_user_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("SPOFLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert installed.cache_file() == tmp_path / "spoflint" / "entry-points.json"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(sys, "platform", "linux")
    assert installed.cache_file() == Path.home() / ".cache" / "spoflint" / "entry-points.json"


def test_a_broken_pack_named_by_the_cache_is_still_an_error_naming_it(cache, capsys):
    key = installed._installed_key(registry.GROUP)
    cache.parent.mkdir()
    packs = [["acme", "not_installed_anywhere_pack"], ["builtin", "spoflint_rules"]]
    cache.write_text(json.dumps({"format": 1, "keys": {key: packs}}))
    for argv in (["rules"], ["check", str(EXAMPLE)], ["explain", "SPOF001"]):
        registry._rules.cache_clear()
        assert run(argv) == 2
        assert capsys.readouterr().err == (
            "spoflint: error: rule pack 'acme' (not_installed_anywhere_pack) failed to load: "
            "ModuleNotFoundError: No module named 'not_installed_anywhere_pack'; fix or uninstall it\n"
        )


# --- the rule table: every rule known, none imported until it is used ----------------------


def _builtin_pack():
    packs = dict(registry._packs())
    return packs[registry.BUILTIN]


def test_the_declared_rule_table_is_the_rule_modules():
    """rules/__init__.py declares each rule's constants so that the registry need not
    import its module: the declarations must be the modules' own, for every module."""
    import ast
    import importlib

    pack = _builtin_pack()
    folder = Path(pack.__file__).parent
    on_disk = sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))
    declared = [line[0] for line in pack.TABLE]
    assert sorted(declared) == on_disk and len(set(declared)) == len(declared)
    for stand_in in pack.RULES:
        module = importlib.import_module(stand_in.__name__)
        assert (stand_in.ID, stand_in.NAME, stand_in.SEVERITY) == (module.ID, module.NAME, module.SEVERITY)
        assert stand_in.OPTIONS == dict(getattr(module, "OPTIONS", {})), stand_in.ID
        assert stand_in.AFTER_FINDINGS == bool(getattr(module, "AFTER_FINDINGS", False)), stand_in.ID
        assert stand_in.check is module.check and stand_in.__doc__ == module.__doc__
    # the modules mypy checks against RuleModule (the TYPE_CHECKING list) are the same ones
    tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    checked = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    ]
    assert sorted(checked) == on_disk


_RULE_MODULES = """
import sys
from spoflint import registry
from spoflint.__main__ import main
table = registry.rules()
before = sorted(m for m in sys.modules if m.startswith("spoflint_rules."))
code = main(sys.argv[1:])
after = sorted(m.rsplit(".", 1)[-1] for m in sys.modules if m.startswith("spoflint_rules."))
print(len(table), before, code, after, file=sys.stderr)
"""


def test_rule_modules_are_imported_only_when_their_check_runs(tmp_path):
    env = {**os.environ, "SPOFLINT_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-c", _RULE_MODULES, "check", "--select", "SVC001", str(EXAMPLE)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    count, before, code, after = done.stderr.splitlines()[-1].split(" ", 3)
    assert count == "25" and before == "[]"  # every rule known, no module imported
    assert code == "0" and after == "['svc001']"  # only the selected rule's


def test_a_rule_known_by_its_declaration_reads_its_documentation_from_the_module():
    registry._rules.cache_clear()
    rule = registry.rules()["SPOF001"]
    module = sys.modules[rule.check.__module__]
    assert rule.doc == inspect.getdoc(module) and rule.summary.startswith("An element whose failure")
    assert "Fails" in rule.examples and "Passes" in rule.examples


# --- what start-up leaves out: OpenSSL, PyYAML's slow pattern, the collector at exit -------


def test_the_printable_class_put_in_res_cache_is_pyyamls():
    """`spoflint.cli` puts a cheaper pattern in `re`'s cache under PyYAML's: it must be
    the one PyYAML compiles, and match exactly the code points PyYAML's matches."""
    import re

    import yaml.reader

    from spoflint import cli

    assert yaml.reader.Reader.NON_PRINTABLE.pattern in (cli.YAML_NON_PRINTABLE, cli.NON_PRINTABLE)
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    theirs = re.compile(cli.YAML_NON_PRINTABLE, re.UNICODE)  # a cache key of its own: never the one put there
    ours = re.compile(cli.NON_PRINTABLE)
    assert [m.start() for m in ours.finditer(every)] == [m.start() for m in theirs.finditer(every)]


def test_a_check_loads_neither_openssl_nor_compiles_pyyamls_pattern(tmp_path):
    script = (
        "import re, sys\n"
        "from spoflint.__main__ import main\n"
        "main(sys.argv[1:])\n"
        "import yaml.reader\n"
        "print(sorted({'hashlib', '_hashlib'} & set(sys.modules)), ascii(yaml.reader.Reader.NON_PRINTABLE.pattern), "
        "file=sys.stderr)\n"
    )
    env = {**os.environ, "SPOFLINT_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script, "check", str(EXAMPLE)], capture_output=True, text=True, env=env, cwd=ROOT
    )
    from spoflint import cli

    assert done.stderr.splitlines()[-1] == f"[] {ascii(cli.NON_PRINTABLE)}"
    assert "SPOF001" in done.stdout


def test_fingerprints_are_sha256_whichever_module_computes_them():
    import hashlib

    from spoflint.findings import fingerprint

    for parts in (("SPOF001", "a.yaml", "sw-1", ""), ("SVC002", "b/c.yaml", "db", "key"), ("X001", "é", "ü", "ß")):
        assert fingerprint(*parts) == hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


_EXIT = """
import atexit, gc, os, sys
from spoflint import nogc
from spoflint.__main__ import main
atexit.register(lambda: print("an exit handler", file=sys.stderr))
sys.argv = ["spoflint", "--version"]
main()
print(gc.isenabled(), nogc._kept is None, end=" ", file=sys.stderr)
main(["check", {example!r}])
print(gc.isenabled(), nogc._kept is None, end=" ", file=sys.stderr, flush=True)
ending = os._exit
def _exit(code):
    print(gc.isenabled(), type(nogc._kept[0]).__name__, code, file=sys.stderr, flush=True)
    ending(code)
os._exit = _exit
sys.argv = ["spoflint", "check", {example!r}]
main()
print("after the program's main", file=sys.stderr)
"""


def test_the_program_leaves_the_collector_off_for_the_exit_a_caller_gets_it_back(tmp_path):
    """`main()` as the program (no argv) switches the collector off, so that the
    interpreter's last collections do not walk what the run froze, and ends the process
    with the check's status at once, its exit handlers run, its output flushed and its
    last check's objects (`Facts`) left to the exit unfreed; `main(argv)`, a command
    line run in-process, leaves the collector as it was, keeps nothing, and returns."""
    env = {**os.environ, "SPOFLINT_CACHE_DIR": str(tmp_path)}
    script = _EXIT.format(example=str(EXAMPLE))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    lines = done.stderr.splitlines()
    assert lines[-2:] == ["True True True True an exit handler", "False Facts 1"], done.stderr
    assert done.returncode == 1 and "after the program's main" not in done.stderr
    version, reports = done.stdout.split("\n", 1)  # then the same report twice, the program's in full
    half = len(reports) // 2
    assert version.startswith("spoflint ") and reports[:half] == reports[half:] and "SPOF001" in reports


_THREAD = """
import os, sys, threading
from spoflint.__main__ import main
os._exit = lambda code: print("os._exit", file=sys.stderr)
running = threading.Event()
threading.Thread(target=running.wait, args=(60,)).start()  # alive until main has returned
sys.argv = ["spoflint", "check", {example!r}]
print(main(), file=sys.stderr)
running.set()
"""


def test_the_program_waits_for_a_thread_still_running_as_the_interpreter_would(tmp_path):
    """A thread still running at the end (a plugin's): the program returns to the
    interpreter's own exit, which waits for it, instead of ending the process."""
    env = {**os.environ, "SPOFLINT_CACHE_DIR": str(tmp_path)}
    script = _THREAD.format(example=str(EXAMPLE))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.stderr.splitlines()[-1] == "1" and "os._exit" not in done.stderr, done.stderr
