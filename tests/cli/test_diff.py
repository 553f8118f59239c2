"""`spoflint check --diff REV` in a scratch git repository: only the findings new since
REV are reported (by fingerprint), with what the change added and fixed; `--format
markdown` with and without --diff; a revision git does not know, or no repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import HA, invoke

# ctl-3 moved into ctl-1's rack: r1 holds two of the three quorum members, the one
# finding this adds to the redundant reference cloud
SPOF = ("ctl-3: {rack: r3,", "ctl-3: {rack: r1,")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A git repository with the HA reference cloud committed as infra/cloud.yaml, the
    working directory."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    git(tmp_path, "init", "-q")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "cloud.yaml").write_text(HA.read_text())
    commit(tmp_path, "the reference cloud")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / "infra" / "cloud.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def new_findings(*args) -> tuple[int, list[dict], str]:
    result = invoke("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"], result.stderr


def test_a_commit_that_adds_a_spof_reports_exactly_that_one(repo):
    edit(repo, *SPOF)
    commit(repo, "move ctl-3")
    status, found, said = new_findings("--diff", "HEAD~1", "infra")
    assert status == 1
    assert [(f["rule"], f["subject"], f["path"]) for f in found] == [("SPOF001", "r1", "infra/cloud.yaml")]
    assert "this change (against HEAD~1) adds 1 single point of failure, removes none" in said
    assert "availability 99.9997 % → 99.99" in said


def test_the_working_tree_against_head_from_a_subfolder(repo, monkeypatch):
    edit(repo, *SPOF)  # not committed: the working tree is the change
    monkeypatch.chdir(repo / "infra")
    status, found, _ = new_findings("--diff", "HEAD", ".")
    assert status == 1
    assert [(f["rule"], f["subject"], f["path"]) for f in found] == [("SPOF001", "r1", "cloud.yaml")]
    absolute = str(repo / "infra" / "cloud.yaml")  # taken from the revision too, not from the working tree
    assert [(f["rule"], f["subject"], f["path"]) for f in new_findings("--diff", "HEAD", absolute)[1]] == [
        ("SPOF001", "r1", "cloud.yaml")
    ]
    edit(repo, SPOF[1], SPOF[0])
    assert new_findings("--diff", "HEAD", absolute)[:2] == (0, [])


def test_a_commit_that_removes_a_spof_reports_it_fixed(repo):
    edit(repo, *SPOF)
    commit(repo, "move ctl-3")
    edit(repo, SPOF[1], SPOF[0])
    commit(repo, "move it back")
    status, found, said = new_findings("--diff", "HEAD~1", "infra")
    assert (status, found) == (0, [])
    assert "adds no findings, removes 1 single point of failure" in said
    result = invoke("check", "--diff", "HEAD~1", "-f", "markdown", "-o", "comment.md", "infra")
    assert result.exit_code == 0, result.output
    markdown = (repo / "comment.md").read_text()
    assert markdown.startswith("### spoflint: what this change does\n")
    assert "No new findings." in markdown
    assert "<details><summary>1 finding: 1 error fixed</summary>" in markdown
    assert "| 🔴 error | `SPOF001` single-point-of-failure | `infra/cloud.yaml:27:3` |" in markdown
    assert "| glance | 99.99" in markdown  # its availability rose back


def test_findings_that_were_there_before_do_not_fail_the_change(repo):
    edit(repo, *SPOF)
    commit(repo, "move ctl-3")
    # lines move, the finding stays: fingerprints know no line numbers
    path = repo / "infra" / "cloud.yaml"
    path.write_text("# a comment\n# and another\n" + path.read_text())
    status, found, said = new_findings("--diff", "HEAD", "infra")
    assert (status, found) == (0, [])
    assert "adds no findings, removes none" in said
    assert invoke("check", "infra").exit_code == 1  # without --diff it still fails


def test_a_new_finding_below_fail_on_passes(repo):
    edit(
        repo,
        "  sw-2: {kind: switch, rack: r2}\n",
        "  sw-2: {kind: switch, rack: r2}\n  sw-3: {kind: switch, rack: r3}\n",
    )
    status, found, _ = new_findings("--diff", "HEAD", "infra")
    assert {f["severity"] for f in found} == {"note"}  # an unused switch
    assert status == 0
    assert invoke("check", "--diff", "HEAD", "--fail-on", "note", "infra").exit_code == 1


def test_a_file_the_revision_did_not_have_is_all_new(repo):
    (repo / "other").mkdir()
    (repo / "other" / "cloud.yaml").write_text(HA.read_text().replace(*SPOF))
    status, found, said = new_findings("--diff", "HEAD", "other")
    assert status == 1
    assert [(f["rule"], f["path"]) for f in found] == [("SPOF001", "other/cloud.yaml")]
    assert "adds 1 single point of failure" in said


def test_markdown_without_diff_lists_every_finding(repo):
    edit(repo, *SPOF)
    result = invoke("check", "-f", "markdown", "infra")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:3] == ["### spoflint", "", "1 finding: 1 error"]
    assert [line for line in lines if line.startswith("| 🔴")][0].startswith("| 🔴 error | `SPOF001`")
    clean = invoke("check", "-f", "markdown", "infra", "--select", "NET001")
    assert clean.stdout == "### spoflint\n\nNo findings.\n"


@pytest.mark.parametrize("rev", ["no-such-branch", "HEAD~5", "--all"])
def test_a_revision_git_does_not_know_is_one_line(repo, rev):
    result = invoke("check", f"--diff={rev}", "infra")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"spoflint: error: --diff: git knows no revision {rev!r}"]


def test_standard_input_cannot_be_compared(repo):
    result = invoke("check", "--diff", "HEAD", "-")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "spoflint: error: --diff cannot compare standard input: name the files"
    ]


def test_no_repository_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "cloud.yaml").write_text(HA.read_text())
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--diff", "HEAD", "cloud.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["spoflint: error: --diff HEAD: not in a git repository"]


def test_diff_does_not_record_a_baseline(repo):
    result = invoke("check", "--diff", "HEAD", "--write-baseline", "b.json", "infra")
    assert result.exit_code == 2
    assert "do not go together" in result.stderr
    assert not (repo / "b.json").exists()


def test_markdown_keeps_a_message_in_its_cell():
    from spoflint.findings import Finding
    from spoflint.reporters import render

    odd = Finding("a|b.yaml", 3, 1, "SPOF001", "single-point-of-failure", "error", "x | y\n<b>`z`</b>", "x")
    row = render("markdown", [odd], {}).splitlines()[-1]
    assert row == "| 🔴 error | `SPOF001` single-point-of-failure | `a\\|b.yaml:3:1` | x \\| y \\<b>\\`z\\`\\</b> |"
