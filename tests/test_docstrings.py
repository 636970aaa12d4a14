"""The examples in the package docstrings run as written."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import llmcost
import llmcost.compress

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", [llmcost, llmcost.compress], ids=lambda m: m.__name__)
def test_docstring_examples_run(module, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples read samples/
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
