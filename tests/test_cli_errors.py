"""The console entry (``llmcost`` / ``python -m llmcost``): a usage error is one line on stderr and
exit 2, like every other error; help, the version and the commands' own exit codes are unchanged.
Run in a fresh interpreter, as a user runs it (CliRunner bypasses ``cli.main``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PROMPT = str(ROOT / "samples" / "prompts" / "legal_review.txt")
TRAFFIC = str(ROOT / "tests" / "fixtures" / "whatif" / "traffic.jsonl")
ALL_HAIKU = str(ROOT / "tests" / "fixtures" / "whatif" / "routes_all_haiku.yaml")


def llmcost(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "llmcost", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "args, message",
    [
        (["compress", PROMPT, "--target-ratio", "abc"],
         "llmcost: error: Invalid value for '--target-ratio': Input should be a valid number, unable to parse "
         "string as a number (see 'python -m llmcost compress --help')"),
        (["compress"], "llmcost: error: Missing argument 'files'. (see 'python -m llmcost compress --help')"),
        (["compress", PROMPT, "--level", "extreme"],
         "llmcost: error: Invalid value for '--level': Value error, 'extreme' is not one of 'safe', 'balanced', "
         "'aggressive'. (see 'python -m llmcost compress --help')"),
        (["nocmd"], "llmcost: error: No such command 'nocmd'. (see 'python -m llmcost --help')"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str], message: str):
    res = llmcost(*args)
    assert res.returncode == 2
    assert res.stderr == message + "\n"
    assert res.stdout == ""


def test_help_version_and_command_exit_codes_are_unchanged():
    bare = llmcost()
    assert bare.returncode == 2  # no command: the help, as before
    assert bare.stderr.startswith("Usage: python -m llmcost [OPTIONS] COMMAND [ARGS]...")
    assert llmcost("--version").stdout == "llmcost 0.1.0\n"
    helped = llmcost("compress", "--help")
    assert (helped.returncode, helped.stdout.splitlines()[0]) == (0, "Usage: python -m llmcost compress [OPTIONS] {files}...")
    # a command's own error (exit 2) and a CI gate's failure (exit 1) come through as they are
    missing = llmcost("compress", str(ROOT / "nope.txt"))
    assert (missing.returncode, missing.stderr) == (2, f"llmcost: error: {ROOT / 'nope.txt'}: no such file or folder\n")
    gate = llmcost("whatif", TRAFFIC, "--baseline", ALL_HAIKU, "--fail-above", "5%", "--format", "markdown")
    assert gate.returncode == 1, gate.stderr
    ok = llmcost("compress", PROMPT, "-o", "-")
    assert ok.returncode == 0, ok.stderr
