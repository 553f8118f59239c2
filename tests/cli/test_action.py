"""The GitHub Action (action.yml) and the CI recipes of docs/ci.md, run the way a runner
runs them, with no network.

`run_action` does what GitHub's runner does with a composite action: each `run:` step's
script in `bash --noprofile --norc -eo pipefail` (what `shell: bash` means), in its
`working-directory` under the workspace, with its `env:`; `${{ ... }}` expressions
substituted from the inputs (the `with:` values over the defaults), `github.*`,
`runner.*` and earlier steps' outputs; `$GITHUB_OUTPUT` and `$GITHUB_PATH` read back
after each step; `if:` evaluated (`success()` by default), so a failed check still runs
the upload step. A `uses:` step is not run: what it would be given is recorded, and the
tests check that (the SARIF file it would upload). An expression the emulation does not
know fails the test rather than being guessed at.

The quick tests run the check step with the spoflint of the running environment. The
slow ones run every step: the install step really creates its virtual environment and
pip-installs a copy of this repository into it, with no package index (the build runs
without isolation, on the setuptools and wheel of `.[test]`, and the dependencies are
borrowed from the running environment through a .pth file, as in test_packaging.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.helpers import FIXTURES, HA, HIDDEN, REPO, WARNINGS_AND_NOTES, run_command, write

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
CI_DOC = REPO / "docs" / "ci.md"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COPY_SKIP = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
    ".mypy_cache", ".ruff_cache", ".benchmarks", "tests", "fixtures", "bench",
)  # fmt: skip


# --- the runner, emulated ------------------------------------------------------------------


@dataclass
class Run:
    exit_code: int  # the first failed step's status, else 0
    outputs: dict[str, str]  # the action's outputs
    stdout: str  # every run step's standard output (where annotations go)
    stderr: str
    uses: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (action, evaluated `with:`) run


def _value(expression: str, context: dict) -> str | bool:
    """One expression of the forms the action and the recipes use."""
    terms = [t.strip() for t in expression.split("&&")]
    if len(terms) > 1:
        return all(_value(t, context) for t in terms)
    comparison = re.fullmatch(r"(.+?)\s*(==|!=)\s*'([^']*)'", expression)
    if comparison:
        left, operator, right = comparison.groups()
        return (str(_value(left, context)) == right) == (operator == "==")
    if expression in ("always()", "success()", "failure()"):
        return {"always()": True, "success()": not context["failed"], "failure()": context["failed"]}[expression]
    hashed = re.fullmatch(r"hashFiles\('([^']+)'\)", expression)
    if hashed:
        return "some-hash" if (context["github"]["workspace"] / hashed.group(1)).is_file() else ""
    step_output = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
    if step_output and step_output.group(1) in context["steps"]:  # an output a step did not set is empty
        return context["steps"][step_output.group(1)]["outputs"].get(step_output.group(2), "")
    node: object = context
    for part in expression.split("."):
        assert isinstance(node, dict) and part in node, f"the emulated runner does not know ${{{{ {expression} }}}}"
        node = node[part]
    return "" if node is None else str(node)


def substitute(text: str, context: dict) -> str:
    return EXPRESSION.sub(lambda m: str(_value(m.group(1), context)), text)


def _condition(step: dict, context: dict) -> bool:
    condition = step.get("if", "success()")
    condition = EXPRESSION.sub(lambda m: m.group(1), condition)  # `if:` may be written with or without ${{ }}
    return bool(_value(condition, context))


def run_steps(steps: list[dict], workspace: Path, env: dict, context: dict, temp: Path) -> tuple[Run, dict]:
    """Run `steps` as a runner does, in `workspace` with the environment `env`; the run,
    and the expression context it ends with (the steps' outputs)."""
    path = env.get("PATH", "")
    stdout, stderr, uses, status = [], [], [], 0
    context = {**context, "steps": {}, "failed": False}
    for index, step in enumerate(steps):
        if not _condition(step, context):
            continue
        if "uses" in step:
            uses.append((step["uses"], {k: substitute(str(v), context) for k, v in (step.get("with") or {}).items()}))
            continue
        assert step.get("shell", "bash") == "bash", step
        files = {name: temp / f"{name}-{index}" for name in ("GITHUB_OUTPUT", "GITHUB_PATH")}
        for file in files.values():
            file.write_text("")
        script = temp / f"step-{index}.sh"
        script.write_text(substitute(step["run"], context))
        step_env = {**env, "PATH": path, **{k: str(v) for k, v in files.items()}}
        step_env.update({k: substitute(str(v), context) for k, v in (step.get("env") or {}).items()})
        cwd = workspace / substitute(step.get("working-directory", "."), context)
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd, env=step_env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        stdout.append(result.stdout)
        stderr.append(result.stderr)
        lines = files["GITHUB_OUTPUT"].read_text().splitlines()
        assert not any("<<" in line for line in lines), "multi-line outputs are not emulated"
        outputs = dict(line.split("=", 1) for line in lines if line)
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": outputs}
        for added in files["GITHUB_PATH"].read_text().splitlines():
            path = added + os.pathsep + path
        if result.returncode != 0 and not context["failed"]:
            context["failed"], status = True, result.returncode
    return Run(status, {}, "".join(stdout), "".join(stderr), uses), context


def run_action(
    workspace: Path, inputs: dict[str, str], env: dict, temp: Path, action_path: Path = REPO, install: bool = False
) -> Run:
    """The action run with `with: inputs` (unknown inputs fail the test, as GitHub warns
    of them); without `install`, its install step is left out and `env`'s PATH must
    already find spoflint."""
    declared = ACTION["inputs"]
    assert set(inputs) <= set(declared), f"undeclared inputs: {set(inputs) - set(declared)}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | inputs
    runner_temp = temp / "runner-temp"
    runner_temp.mkdir(parents=True, exist_ok=True)
    context = {
        "inputs": values,
        "github": {"action_path": action_path, "workspace": workspace},
        "runner": {"temp": runner_temp},
    }
    steps = [s for s in ACTION["runs"]["steps"] if install or "pip install" not in s.get("run", "")]
    environment = {**env, "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(workspace)}
    environment |= {"GITHUB_ACTION_PATH": str(action_path), "RUNNER_TEMP": str(runner_temp)}
    run, final = run_steps(steps, workspace, environment, context, temp)
    run.outputs = {name: substitute(spec["value"], final) for name, spec in ACTION["outputs"].items()}
    return run


def here_env() -> dict:
    """The environment with the running interpreter's scripts (its `spoflint`) first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def sarif(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def uploaded(run: Run) -> list[dict[str, str]]:
    return [given for action, given in run.uses if action == "github/codeql-action/upload-sarif@v3"]


@pytest.fixture
def workspace(tmp_path):
    """A checked-out repository: infra/ holds the full example."""
    root = tmp_path / "workspace"
    (root / "infra").mkdir(parents=True)
    shutil.copy(HA, root / "infra" / HA.name)
    return root


# --- the action's shape --------------------------------------------------------------------


def test_the_action_is_composite_and_installs_from_its_own_checkout():
    assert ACTION["runs"]["using"] == "composite"
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(ACTION)
    install, check, upload = ACTION["runs"]["steps"]
    assert '"$SPOFLINT_SOURCE"' in install["run"] and install["env"]["SPOFLINT_SOURCE"] == "${{ github.action_path }}"
    assert "pip install" in install["run"] and all(s.get("shell") == "bash" for s in (install, check))
    assert '-f sarif -o "$SPOFLINT_SARIF" -f github' in check["run"]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"].startswith("always()")
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description") and "default" in spec, name
    for step in (install, check):  # inputs reach the scripts through env, never pasted into them
        assert not EXPRESSION.search(step["run"]), step["name"]


# --- the check step, quick -----------------------------------------------------------------


def test_a_clean_topology_passes_and_is_uploaded(workspace, tmp_path):
    run = run_action(workspace, {"paths": "infra/"}, here_env(), tmp_path)
    assert run.exit_code == 0, run.stderr
    assert run.outputs == {"exit-code": "0", "sarif-file": str(workspace / "spoflint.sarif")}
    report = sarif(run.outputs["sarif-file"])
    assert report["version"] == "2.1.0"
    assert not [r for r in report["runs"][0]["results"] if r.get("level") in ("error", "warning")]
    assert uploaded(run) == [{"sarif_file": str(workspace / "spoflint.sarif"), "category": "spoflint"}]


def test_findings_fail_the_job_are_annotated_and_still_uploaded(workspace, tmp_path):
    shutil.copy(HIDDEN, workspace / "infra" / "hidden-spof.yaml")
    run = run_action(workspace, {"paths": "infra/hidden-spof.yaml"}, here_env(), tmp_path)
    assert run.exit_code == 1
    assert run.outputs["exit-code"] == "1"
    assert re.search(
        r"^::error file=infra/hidden-spof\.yaml,line=21,col=3,title=SPOF001 [^:]*::sw-1 ", run.stdout, re.M
    )
    rules = {r["ruleId"] for r in sarif(run.outputs["sarif-file"])["runs"][0]["results"]}
    assert {"SPOF001", "SPOF002", "SVC002"} <= rules
    assert len(uploaded(run)) == 1, "if: always() uploads after a failed check"


def test_fail_on_and_args_reach_the_check(workspace, tmp_path):
    write(workspace / "infra" / "openstack-ha.yaml", WARNINGS_AND_NOTES)
    assert run_action(workspace, {}, here_env(), tmp_path / "a").exit_code == 0  # the working directory: the repo
    assert run_action(workspace, {"fail-on": "warning"}, here_env(), tmp_path / "b").exit_code == 1
    run = run_action(workspace, {"fail-on": "warning", "args": "--select SPOF003"}, here_env(), tmp_path / "c")
    assert run.exit_code == 1
    assert {r["ruleId"] for r in sarif(run.outputs["sarif-file"])["runs"][0]["results"]} == {"SPOF003"}
    run = run_action(
        workspace, {"fail-on": "warning", "args": "--ignore SPOF003 --ignore SPOF004"}, here_env(), tmp_path / "d"
    )
    assert run.exit_code == 0, run.stdout


def test_an_extra_report_in_args_pairs_with_its_output(workspace, tmp_path):
    shutil.copy(HIDDEN, workspace / "infra" / "hidden-spof.yaml")
    inputs = {"paths": "infra/hidden-spof.yaml", "args": "-f json -o spoflint.json"}
    run = run_action(workspace, inputs, here_env(), tmp_path)
    assert run.exit_code == 1, run.stderr
    assert json.loads((workspace / "spoflint.json").read_text())["findings"]
    assert "::error file=infra/hidden-spof.yaml" in run.stdout
    assert sarif(run.outputs["sarif-file"])["runs"][0]["results"]


def test_paths_split_on_white_space_and_are_never_globbed(workspace, tmp_path):
    shutil.copy(FIXTURES / "import" / "compose" / "blog.compose.yaml", workspace / "infra" / "blog.compose.yaml")
    both = "infra/openstack-ha.yaml\n  infra/blog.compose.yaml "  # two units, checked apart
    run = run_action(workspace, {"paths": both}, here_env(), tmp_path / "a")
    assert run.exit_code == 1, run.stderr
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif(run.outputs["sarif-file"])["runs"][0]["results"]
    }
    assert "infra/blog.compose.yaml" in uris
    run = run_action(workspace, {"paths": "infra/*.yaml"}, here_env(), tmp_path / "b")
    assert run.exit_code == 2 and "infra/*.yaml:1:1: no such file or directory" in run.stderr


def test_working_directory_and_sarif_file(workspace, tmp_path):
    deploy = workspace / "deploy"
    shutil.copytree(workspace / "infra", deploy / "infra")
    inputs = {"working-directory": "deploy", "paths": "infra", "sarif-file": "reports/spoflint.sarif"}
    (deploy / "reports").mkdir()
    run = run_action(workspace, inputs, here_env(), tmp_path)
    assert run.exit_code == 0, run.stderr
    assert run.outputs["sarif-file"] == str(deploy / "reports" / "spoflint.sarif")
    assert uploaded(run)[0]["sarif_file"] == run.outputs["sarif-file"]


def test_the_upload_can_be_turned_off_and_categorised(workspace, tmp_path):
    assert uploaded(run_action(workspace, {"upload-sarif": "false"}, here_env(), tmp_path / "a")) == []
    run = run_action(workspace, {"category": "spoflint-dc2"}, here_env(), tmp_path / "b")
    assert uploaded(run)[0]["category"] == "spoflint-dc2"


def test_an_input_error_still_shows_on_the_pull_request(workspace, tmp_path):
    """Issue 12, item 4, through the action: a broken file is an annotation and a SARIF
    notification, the report is uploaded, and the job fails with status 2."""
    write(workspace / "infra" / "broken.yaml", "version: 1\nhosts: [\n")
    run = run_action(workspace, {"paths": "infra/broken.yaml"}, here_env(), tmp_path)
    assert run.exit_code == 2 and run.outputs["exit-code"] == "2"
    assert re.search(r"^::error file=infra/broken\.yaml,line=3,col=1", run.stdout, re.M), run.stdout
    assert run.outputs["sarif-file"] == str(workspace / "spoflint.sarif")
    notifications = sarif(run.outputs["sarif-file"])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("invalid YAML" in n["message"]["text"] for n in notifications)
    assert len(uploaded(run)) == 1


def test_no_report_no_upload(workspace, tmp_path):
    """A command line spoflint cannot run writes no report: the upload is skipped rather
    than failing on a missing file (the job still fails, with status 2), and a report an
    earlier run left behind (a self-hosted runner's workspace) is not taken for this one's."""
    write(workspace / "spoflint.sarif", '{"version": "2.1.0", "runs": []}')
    run = run_action(workspace, {"args": "--no-such-option"}, here_env(), tmp_path)
    assert run.exit_code == 2 and run.outputs == {"exit-code": "2", "sarif-file": ""}
    assert uploaded(run) == []


# --- the recipes of docs/ci.md ---------------------------------------------------------------


def recipes() -> list:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", CI_DOC.read_text(), re.S)]


def action_recipe() -> dict:
    """The workflow that uses the action, and the step that does."""
    (workflow,) = [r for r in recipes() if isinstance(r, dict) and "jobs" in r]
    assert workflow["permissions"]["security-events"] == "write", "the upload needs it"
    (step,) = [s for job in workflow["jobs"].values() for s in job["steps"] if "spoflint@" in s.get("uses", "")]
    assert step["uses"] == "<owner>/spoflint@main"
    return step


def pip_recipe() -> list[dict]:
    (steps,) = [
        r["steps"] for r in recipes() if "steps" in r and any("pip install" in s.get("run", "") for s in r["steps"])
    ]
    return steps


def test_the_documented_workflow_runs_as_written(workspace, tmp_path):
    step = action_recipe()
    run = run_action(workspace, {k: str(v) for k, v in step["with"].items()}, here_env(), tmp_path)
    assert run.exit_code == 0, run.stderr
    assert len(uploaded(run)) == 1


def test_the_documented_steps_upload_only_a_report_that_exists(workspace, tmp_path):
    steps = pip_recipe()
    assert [s.get("uses") for s in steps if "uses" in s] == [
        "actions/checkout@v4",
        "actions/setup-python@v5",  # the runners' own python3 refuses pip install (PEP 668)
        "github/codeql-action/upload-sarif@v3",
    ]
    runnable = [s for s in steps if "pip install" not in s.get("run", "")]
    context = {"github": {"workspace": workspace}, "inputs": {}}
    env = here_env() | {"GITHUB_WORKSPACE": str(workspace)}
    run, _ = run_steps(runnable, workspace, env, context, tmp_path)
    assert run.exit_code == 0, run.stderr
    assert [u for a, u in run.uses if a.startswith("github/codeql")] == [{"sarif_file": "spoflint.sarif"}]
    (workspace / "infra" / "openstack-ha.yaml").write_text("version: 1\nhosts: [\n")
    (workspace / "spoflint.sarif").unlink()
    run, _ = run_steps(runnable, workspace, env, context, tmp_path)
    assert run.exit_code == 2
    assert (workspace / "spoflint.sarif").is_file() == any(a.startswith("github/codeql") for a, _ in run.uses)


# --- every step, installing for real (slow) --------------------------------------------------


def borrowing_venv(venv: Path) -> Path:
    """A virtual environment whose site-packages reach the running environment's, after
    its own (the dependencies, setuptools and wheel, without an index); its bin folder."""
    run_command(sys.executable, "-m", "venv", venv, cwd=venv.parent)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    purelib = Path(
        run_command(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv).stdout.strip()
    )
    borrowed = [p for p in {*site.getsitepackages(), sysconfig.get_paths()["purelib"]} if Path(p).is_dir()]
    (purelib / "_borrowed_dependencies.pth").write_text("".join(p + "\n" for p in sorted(borrowed)))
    return python.parent


def offline_env() -> dict:
    """pip with no index and no build isolation; nothing of the running venv on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env = {k: v for k, v in env.items() if not k.startswith(("GITHUB_", "RUNNER_", "PIP_"))}
    here = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != here)
    env |= {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PYTHONNOUSERSITE": "1"}  # "0" turns isolation off
    return env


def assert_installed_in(bin_dir: Path, env: dict, cwd: Path) -> None:
    found = run_command(bin_dir / "python", "-c", "import spoflint; print(spoflint.__file__)", cwd=cwd, env=env)
    assert Path(found.stdout.strip()).resolve().is_relative_to(bin_dir.parent.resolve()), found.stdout


@pytest.mark.slow
def test_the_action_installs_spoflint_and_checks(workspace, tmp_path):
    source = tmp_path / "action"
    shutil.copytree(REPO, source, ignore=COPY_SKIP)
    venv = tmp_path / "runner-temp" / "spoflint-venv"
    venv.parent.mkdir()
    bin_dir = borrowing_venv(venv)  # the step makes it again in place, keeping the borrowed path
    shutil.copy(HIDDEN, workspace / "infra" / "hidden-spof.yaml")
    env = offline_env()
    inputs = {"python": sys.executable, "paths": "infra/hidden-spof.yaml"}
    run = run_action(workspace, inputs, env, tmp_path, action_path=source, install=True)
    assert run.exit_code == 1, run.stdout + run.stderr
    assert "::error file=infra/hidden-spof.yaml,line=21,col=3,title=SPOF001" in run.stdout
    assert len(uploaded(run)) == 1 and Path(run.outputs["sarif-file"]).is_file()
    assert_installed_in(bin_dir, env, workspace)
    starter = "from spoflint.views import starter; print(starter.render(), end='')"  # package data installed
    shipped = run_command(bin_dir / "python", "-c", starter, cwd=workspace, env=env).stdout
    assert shipped == (REPO / "spoflint" / "views" / "starter.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_documented_pip_install_works(workspace, tmp_path):
    """The recipe's `pip install "spoflint @ git+https://github.com/<owner>/spoflint@main"`,
    with the URL pointing at a git commit of this working tree."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    clone = snapshot(tmp_path / "spoflint")
    steps = pip_recipe()
    (install,) = [s for s in steps if "pip install" in s.get("run", "")]
    url = "git+https://github.com/<owner>/spoflint@main"
    assert url in install["run"]
    local = f"git+file://localhost{clone.as_posix()}@main"  # older pip refuses `file:///` in a requirement
    install = {**install, "run": install["run"].replace(url, local)}
    bin_dir = borrowing_venv(tmp_path / "venv")
    env = offline_env() | git_env()
    env["PATH"] = str(bin_dir) + os.pathsep + env["PATH"]
    context = {"github": {"workspace": workspace}, "inputs": {}}
    runnable = [install if s.get("run", "").startswith("pip install") else s for s in steps]
    run, _ = run_steps(runnable, workspace, env | {"GITHUB_WORKSPACE": str(workspace)}, context, tmp_path)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert (workspace / "spoflint.sarif").is_file()
    assert_installed_in(bin_dir, env, workspace)


def git_env() -> dict:
    return {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "spoflint tests",
        "GIT_AUTHOR_EMAIL": "tests@example.invalid",
        "GIT_COMMITTER_NAME": "spoflint tests",
        "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    }


def snapshot(target: Path) -> Path:
    """A git repository holding this working tree as one commit on `main`."""
    shutil.copytree(REPO, target, ignore=COPY_SKIP)
    env = {**os.environ, **git_env()}
    options = ("-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "snapshot")):
        run_command("git", *options, *args, cwd=target, env=env)
    return target
