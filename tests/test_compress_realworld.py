"""Regressions found by compressing prompts nobody on the team wrote
(awesome-chatgpt-prompts, PlexPt's Chinese prompts, open-source agents'
system prompts; see benchmarks/data/realprompts/SOURCE.txt): each case is
the smallest real-shaped snippet that showed the fault, with its exact output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.compress import compress_text
from llmcost.compress.protect import mask

runner = CliRunner()

# --------------------------------------------------------------------------- #
# protected spans inside protected spans
# --------------------------------------------------------------------------- #

NESTED = ('Render the tower at a height of “${height_value_1}” metres.\n'
          '{"style": "isometric ${style}", "size": "${size}"}\n')


def test_span_inside_a_quoted_span_is_tracked_through_the_outer_one():
    m = mask(NESTED)
    inner = m.spans.index("${height_value_1}")
    outer = m.spans.index("“${height_value_1}”")
    # only the outer span has a placeholder in the masked text; the inner one is present through it
    assert inner in m.nested[outer]
    assert {inner, outer} <= m.used()


@pytest.mark.parametrize("level", ["safe", "balanced", "aggressive"])
def test_nested_template_variables_survive_and_are_reported_ok(level: str):
    r = compress_text(NESTED, level=level)
    assert r.protected_spans_ok, r.missing_spans
    assert r.missing_spans == []
    for span in ("${height_value_1}", "“${height_value_1}”", '"isometric ${style}"', '"${size}"'):
        assert span in r.text
    # the JSON line is minified around its (protected) strings
    assert r.text.endswith('{"style":"isometric ${style}","size":"${size}"}')


def test_cli_writes_a_prompt_with_nested_spans(tmp_path: Path):
    src = tmp_path / "diorama.txt"
    src.write_text(NESTED, encoding="utf-8")
    out = tmp_path / "out.txt"
    res = runner.invoke(app, ["compress", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "${height_value_1}" in out.read_text(encoding="utf-8")
