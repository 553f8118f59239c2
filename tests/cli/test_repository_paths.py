"""Issue 12, item 5: code scanning and annotations resolve paths from the repository
root, so a check run from a subdirectory (a CI job's `working-directory:`) must write
them from there: the git top level, else GITHUB_WORKSPACE, else the working directory.
Text and JSON keep the paths as given (relative to where you run it)."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess

from tests.helpers import SINGLE, invoke


def _repo(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "infra").mkdir()
    shutil.copy(SINGLE, tmp_path / "infra" / "site.yaml")
    return tmp_path / "infra"


def test_sarif_github_and_junit_paths_are_from_the_git_top_level(tmp_path, monkeypatch):
    monkeypatch.chdir(_repo(tmp_path))
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    sarif = json.loads(invoke("check", "-f", "sarif", "site.yaml").stdout)
    run = sarif["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"infra/site.yaml"} and "%SRCROOT%" in run["originalUriBaseIds"]
    assert all(
        line.split(",")[0].endswith("file=infra/site.yaml")
        for line in invoke("check", "-f", "github", "site.yaml").stdout.splitlines()
    )
    assert 'file="infra/site.yaml"' in invoke("check", "-f", "junit", "site.yaml").stdout
    assert {f["path"] for f in json.loads(invoke("check", "-f", "json", "site.yaml").stdout)["findings"]} == {
        "site.yaml"
    }


def test_without_git_the_workspace_is_the_root(tmp_path, monkeypatch):
    (tmp_path / "deploy").mkdir()
    shutil.copy(SINGLE, tmp_path / "deploy" / "site.yaml")
    monkeypatch.chdir(tmp_path / "deploy")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # no repository above
    lines = invoke("check", "-f", "github", "site.yaml").stdout.splitlines()
    assert lines and all(line.split(",")[0].endswith("file=deploy/site.yaml") for line in lines)


def test_an_input_error_is_located_from_the_root_too(tmp_path, monkeypatch):
    infra = _repo(tmp_path)
    (infra / "site.yaml").write_text("version: 1\nhosts: [\n")
    monkeypatch.chdir(infra)
    result = invoke("check", "-f", "github", "site.yaml")
    assert result.exit_code == 2 and result.stdout.startswith("::error file=infra/site.yaml,line=3,col=1")


def test_a_baseline_names_files_from_the_repository_root(tmp_path, monkeypatch):
    """Written from one directory, it matches from another: the paths in it are from the
    git top level, wherever the baseline itself sits."""
    infra = _repo(tmp_path)
    (tmp_path / "ci").mkdir()
    monkeypatch.chdir(infra)
    assert invoke("check", "--write-baseline", "../ci/baseline.json", "site.yaml").exit_code == 0
    paths = {e["path"] for e in json.loads((tmp_path / "ci" / "baseline.json").read_text())["findings"]}
    assert paths == {"infra/site.yaml"}
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "-f", "json", "--baseline", "ci/baseline.json", "infra/site.yaml")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert findings and all(f["suppressed"] for f in findings if f["rule"] != "MODEL002")
    assert not [f for f in findings if f["rule"] == "MODEL002"]


# --- the repository root found by walking up (start-up: no git process per check) -------


def _git(*args, cwd=None):
    subprocess.run(["git", *args], check=True, capture_output=True, cwd=cwd)


def _layouts(tmp_path):
    """Folders in and around repositories of every shape git finds, with whether the
    walk answers alone (True) or leaves it to git."""
    main = tmp_path / "main"
    _git("init", "-q", str(main))
    (main / "infra" / "deep").mkdir(parents=True)
    (main / "README").write_text("x\n")
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "m", cwd=main)
    _git("worktree", "add", "-q", str(tmp_path / "tree"), cwd=main)  # `.git` is a file
    _git("init", "-q", "--bare", str(tmp_path / "bare.git"))
    (tmp_path / "fake" / ".git").mkdir(parents=True)  # not a repository: git looks further up
    (tmp_path / "odd").mkdir()
    _git("init", "-q", str(tmp_path / "odd"))
    _git("config", "core.worktree", str(main), cwd=tmp_path / "odd")
    (tmp_path / "outside").mkdir()
    return [
        (main, True),
        (main / "infra" / "deep", True),
        (main / ".git", False),
        (main / ".git" / "refs", False),
        (tmp_path / "tree", False),
        (tmp_path / "bare.git", False),
        (tmp_path / "fake", False),
        (tmp_path / "odd", False),
        (tmp_path / "outside", True),
    ]


def test_the_walk_finds_the_root_git_finds(tmp_path, monkeypatch):
    discover = importlib.import_module("spoflint.load.discover")  # the package names a function so

    for folder, alone in _layouts(tmp_path):
        discover.git_top_level.cache_clear()
        asked = discover._asked_git(folder)
        walked = discover._walked(folder.resolve())
        assert (walked is not discover._ASK) == alone, folder
        assert discover.git_top_level(folder) == asked, folder
        if alone:
            assert walked == asked, folder
    assert discover._walked((tmp_path / "main" / "infra").resolve()) == (tmp_path / "main").resolve()
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "main" / ".git"))  # git's environment: git answers
    assert discover._walked((tmp_path / "outside").resolve()) is discover._ASK
    discover.git_top_level.cache_clear()


def test_a_check_in_a_repository_starts_no_git(tmp_path, monkeypatch):
    infra = _repo(tmp_path)
    monkeypatch.chdir(infra)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    discover = importlib.import_module("spoflint.load.discover")  # the package names a function so

    def no_git(*args, **kwargs):
        raise AssertionError(f"git was run: {args}")

    discover.git_top_level.cache_clear()
    monkeypatch.setattr(subprocess, "run", no_git)
    sarif = json.loads(invoke("check", "-f", "sarif", "site.yaml").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"infra/site.yaml"}
    discover.git_top_level.cache_clear()
