"""`llmcost analyze` with no files reads this machine's Claude Code / Codex logs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from llmcost.cli import app

FIX = Path(__file__).parent / "fixtures"


def test_no_files_finds_claude_code_and_codex_logs(tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(FIX / "claude_code" / "projects", home / ".claude" / "projects")
    shutil.copytree(FIX / "codex" / "sessions", home / ".codex" / "sessions")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    r = CliRunner().invoke(app, ["analyze", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    formats = {f["format"] for f in json.loads(r.stdout)["files"]}
    assert formats == {"claude-code", "codex"}


def test_no_files_and_no_logs_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    r = CliRunner().invoke(app, ["analyze"])
    assert r.exit_code == 2
    assert "no usage files given and no Claude Code or Codex logs found" in r.stderr
