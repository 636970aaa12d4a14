"""The CLI imports only what the invoked command needs.

Every command module is imported to build the ``llmcost`` app, so a heavy
import at the top of any of them (pandas, numpy, the readers, the vectorised
pricer, the price table, tiktoken, rich...) would slow down every command,
``--help`` included.  These tests run the CLI in a fresh interpreter and
check ``sys.modules`` afterwards: no timing, no flakiness.  Figures are in
``benchmarks/bench_cli_startup.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# never needed to build the CLI or show any help
HELP_HEAVY = (
    "pandas", "numpy", "pyarrow", "genai_prices", "tiktoken", "rich", "yaml",
    "llmcost.ingest", "llmcost.pricing", "llmcost.pricing.vectorised", "llmcost.tokens",
    # (the package itself is light and holds DEFAULT_MODEL; these are the compressor)
    "llmcost.compress.pipeline", "llmcost.compress.passes", "llmcost.compress.meter", "llmcost.compress.protect",
    "llmcost.analyze", "llmcost.render", "llmcost.simulate", "llmcost.budget", "llmcost.export",
)
# never needed to compress a prompt (the usage-log stack)
COMPRESS_HEAVY = (
    "pandas", "numpy", "pyarrow", "llmcost.ingest", "llmcost.pricing.vectorised",
    "llmcost.analyze", "llmcost.render", "llmcost.simulate", "llmcost.schema",
)

_PROBE = """
import json, sys
from typer.testing import CliRunner
from llmcost.cli import app
result = CliRunner().invoke(app, json.loads(sys.argv[1]))
print(json.dumps({"exit_code": result.exit_code, "output": result.output,
                  "loaded": [m for m in json.loads(sys.argv[2]) if m in sys.modules]}))
"""


def _run(args: list[str], watch: tuple[str, ...]) -> dict:
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(watch)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.splitlines()[-1])


def test_importing_the_cli_is_light():
    code = ("import json, sys; import llmcost.cli; "
            f"print(json.dumps([m for m in {list(HELP_HEAVY)!r} if m in sys.modules]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == []


@pytest.mark.parametrize("args", [["--help"], ["compress", "--help"], ["analyze", "--help"], ["tokens", "--help"],
                                  ["budget", "check", "--help"], ["--version"]])
def test_help_imports_no_heavy_module(args: list[str]):
    res = _run(args, HELP_HEAVY)
    assert res["exit_code"] == 0, res["output"]
    assert res["loaded"] == []


def test_compress_help_still_lists_every_pass():
    from llmcost.commands.compress import PASS_NAMES_HELP
    from llmcost.compress import PASS_NAMES

    # the --no-pass help is spelled out so that --help need not import the compressor
    assert PASS_NAMES_HELP == PASS_NAMES
    res = _run(["compress", "--help"], ())
    assert ", ".join(PASS_NAMES) in " ".join(res["output"].split())


def test_compress_run_imports_no_usage_stack(tmp_path: Path):
    prompt = tmp_path / "system.md"
    prompt.write_text("Please could you kindly summarise the text below in order to save time.\n", encoding="utf-8")
    # a Markdown prompt and no --prices: no PyYAML either
    res = _run(["compress", str(prompt), "-o", str(tmp_path / "out.md")],
               (*COMPRESS_HEAVY, "yaml", "llmcost.pricing.overrides"))
    assert res["exit_code"] == 0, res["output"]
    assert "Prompt compression" in res["output"]
    assert res["loaded"] == []


def test_compress_check_reads_no_price_table(tmp_path: Path):
    # --check reports tokens only; the price table is read for --prices alone (to validate it)
    prompt = tmp_path / "system.md"
    prompt.write_text("Please could you kindly summarise the text below in order to save time.\n", encoding="utf-8")
    res = _run(["compress", "--check", str(prompt), "--max-tokens", "1000"], ("genai_prices", *COMPRESS_HEAVY))
    assert res["exit_code"] == 0, res["output"]
    assert "OK: every prompt within budget." in res["output"]
    assert res["loaded"] == []
    bad = tmp_path / "prices.yaml"
    bad.write_text("models: [", encoding="utf-8")
    res = _run(["compress", "--check", str(prompt), "--max-tokens", "1000", "--prices", str(bad)], ())
    assert res["exit_code"] == 2
