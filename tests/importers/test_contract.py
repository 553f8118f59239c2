"""The readers' registry: `FORMATS` (known without importing the readers) names each
reader's own `FORMAT`, in the order `detect` asks them, and `by_format` finds each."""

from __future__ import annotations

import pytest

from spoflint import importers


def test_formats_are_the_readers_own():
    assert importers.FORMATS == tuple(importers.reader(name).FORMAT for name in importers.READERS)


def test_by_format_finds_each_reader():
    for fmt in importers.FORMATS:
        assert importers.by_format(fmt).FORMAT == fmt
    with pytest.raises(KeyError):
        importers.by_format("native")


def test_every_reader_detects_and_reads():
    for name in importers.READERS:
        module = importers.reader(name)
        assert callable(module.detect) and callable(module.read), name
