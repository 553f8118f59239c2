"""The pytest fixtures every test folder can use; plain shared code (paths, running the
command line, building a topology from text) is in tests/helpers.py.

- `in_repo`: the current directory is the repository root, so that paths in reports
  read `fixtures/examples/...` as in the golden files;
- `in_tmp`: the current directory is the test's empty `tmp_path`, which it returns.

The `slow` marker is registered in pyproject.toml; `python -m pytest -m "not slow"`
leaves out the wheel build, pre-commit, the browser, the benchmark and the big
property tests (tests/README.md).
"""

from __future__ import annotations

import pytest

from tests.helpers import REPO


@pytest.fixture
def in_repo(monkeypatch):
    """Run the test from the repository root."""
    monkeypatch.chdir(REPO)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run the test from its own empty folder, returned."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
