"""The fixtures of the page tests: `browser`, one headless Chromium per module (see
chromium.py), skipped without a browser unless CI is set."""

from __future__ import annotations

import pytest

from tests.views.chromium import start


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = start(tmp_path_factory)
    yield b
    b.close()
