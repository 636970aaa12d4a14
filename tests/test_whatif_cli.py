"""`llmcost whatif` end to end: report, explain file, gate exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli import app

FIX = Path(__file__).parent / "fixtures" / "whatif"
TRAFFIC = str(FIX / "traffic.jsonl")
ROUTES = str(FIX / "routes.yaml")
ALL_HAIKU = str(FIX / "routes_all_haiku.yaml")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["whatif", *args])


def test_json_report_and_explain(tmp_path: Path) -> None:
    ex = tmp_path / "explain.csv"
    r = run(TRAFFIC, "--route", ROUTES, "--max-output", "500", "--batch", "app=reports", "--format", "json", "--explain", str(ex))
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["baseline_cost_usd"] == pytest.approx(0.147)
    assert doc["scenario_cost_usd"] == pytest.approx(0.0526)
    assert [lv["name"] for lv in doc["levers"]] == ["route", "output-cap", "batch"]
    assert doc["total_monthly_cost"] == pytest.approx(0.0526 / 3 * 30.4375)
    assert "rule 'never' matched no request" in r.stderr
    lines = ex.read_text().splitlines()
    assert lines[0] == "source,source_row,request_id,model,input_tokens,score,tier,rule,to_model"
    assert lines[1].endswith(",1000,0.024,simple,simple-chat,claude-3-5-haiku-20241022")


def _baseline(tmp_path: Path) -> Path:
    base = tmp_path / "base.json"
    r = run(TRAFFIC, "--route", ROUTES, "--format", "json", "-o", str(base))
    assert r.exit_code == 0, r.output
    return base


def test_gate_passes_when_cheaper(tmp_path: Path) -> None:
    base = _baseline(tmp_path)
    r = run(TRAFFIC, "--route", ALL_HAIKU, "--baseline", str(base), "--fail-above", "5%", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    # past: 0.1426 (simple chat on haiku) over 3 calendar days; new: everything on haiku = 0.0396
    assert doc["past_total_monthly_cost"] == pytest.approx(0.1426 / 3 * 30.4375)
    assert doc["total_monthly_cost"] == pytest.approx(0.0392 / 3 * 30.4375)
    assert doc["diff_total_monthly_cost"] == pytest.approx((0.0392 - 0.1426) / 3 * 30.4375)
    assert doc["gate"]["exceeded"] is False


def test_gate_fails_above_threshold_against_routes_yaml() -> None:
    r = run(TRAFFIC, "--baseline", ALL_HAIKU, "--fail-above", "5%", "--format", "markdown")
    assert r.exit_code == 1, r.output
    assert "above the 5% threshold" in r.stdout
    assert "| claude-sonnet-4-20250514 | $0.00 | $1.49 | +$1.49 |" in r.stdout


def test_gate_absolute_threshold_and_quiet(tmp_path: Path) -> None:
    base = _baseline(tmp_path)
    r = run(TRAFFIC, "--route", ROUTES, "--baseline", str(base), "--fail-above", "$1", "--format", "markdown", "--quiet-below")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().count("\n") == 0
    assert "$1.45/month → $1.45/month (+$0.00/month, +0.0%)" in r.stdout
    # without the routing rule: (0.147 − 0.1426) / 3 calendar days × 30.4375 = +$0.0446/month
    r = run(TRAFFIC, "--baseline", str(base), "--fail-above", "$1", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["diff_total_monthly_cost"] == pytest.approx(0.0044 / 3 * 30.4375)
    r = run(TRAFFIC, "--baseline", str(base), "--fail-above", "$0.04", "--format", "markdown", "--quiet-below")
    assert r.exit_code == 1
    assert "above the $0.04/month threshold" in r.stdout and "| Rule |" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--baseline", "BASE_MISSING", "--fail-above", "5%"], "cannot read baseline"),
        (["--baseline", "BASE_BADJSON", "--fail-above", "5%"], "baseline is not valid JSON"),
        (["--baseline", "ROUTES", "--fail-above", "five"], "--fail-above takes a percentage"),
        (["--fail-above", "5%"], "--fail-above needs --baseline"),
        (["--baseline", "BAD_ROUTES", "--fail-above", "5%"], "unknown model 'gpt-9-ultra'"),
    ],
)
def test_gate_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    bad_json = tmp_path / "b.json"
    bad_json.write_text("{not json")
    bad_routes = tmp_path / "bad.yaml"
    bad_routes.write_text("routes:\n  - name: x\n    to: gpt-9-ultra\n")
    subst = {"BASE_MISSING": str(tmp_path / "nope.json"), "BASE_BADJSON": str(bad_json), "ROUTES": ROUTES, "BAD_ROUTES": str(bad_routes)}
    r = run(TRAFFIC, *[subst.get(a, a) for a in args])
    assert r.exit_code == 2, r.output
    assert message in r.stderr and r.stderr.count("\n") == 1


def test_bad_lever_reported_others_still_run(tmp_path: Path) -> None:
    bad_routes = tmp_path / "routes.yaml"
    bad_routes.write_text("routes:\n  - name: x\n    to: gpt-9-ultra\n")
    bad_yaml = tmp_path / "broken.yaml"
    bad_yaml.write_text("routes: [\n")
    r = run(TRAFFIC, "--route", str(bad_routes), "--max-output", "500", "--cache", "semantic", "--threshold", "1.5", "--format", "json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert [lv["name"] for lv in doc["levers"]] == ["output-cap"]
    assert doc["errors"][0].startswith(f"lever route cannot run: {bad_routes}:2: rule 'x': unknown model 'gpt-9-ultra'")
    assert doc["errors"][1] == "lever cache cannot run: --threshold must be in (0, 1], got 1.5"
    assert "llmcost: error: lever route cannot run" in r.stderr
    r = run(TRAFFIC, "--route", str(bad_yaml), "--batch", "app=reports", "--format", "json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["errors"][0].startswith(f"lever route cannot run: {bad_yaml}:2: invalid YAML")
    assert doc["savings_usd"] == pytest.approx(0.06)


def test_history_without_sessions_names_the_lever(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    log.write_text('{"time": "2025-06-01T00:00:00Z", "model": "claude-sonnet-4-20250514", "input_tokens": 10, "output_tokens": 1}\n')
    r = run(str(log), "--max-history", "100", "--max-output", "1")
    assert r.exit_code == 2
    assert "lever history cannot run: the log has no session ids" in r.stderr


def test_cost_export_says_rows_not_zero_requests() -> None:
    """A cost export (billed amounts, no request counts) is not "0 requests": the title counts its rows."""
    cost = str(Path(__file__).parents[1] / "samples" / "exports" / "anthropic_cost_2025-10.csv")
    r = run(cost, "--batch", "50%")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].rstrip() == "What if: 355 billed rows without request counts over 31.0 day(s)"
    md = run(cost, "--batch", "50%", "--format", "markdown")
    assert "355 billed rows without request counts over 31.0 day(s)" in md.stdout
    doc = json.loads(run(cost, "--batch", "50%", "--format", "json").stdout)
    assert (doc["requests"], doc["rows"]) == (0, 355)
    # a log with request counts keeps its title
    assert run(TRAFFIC, "--batch", "50%").stdout.startswith("What if: 4 requests over 3.0 day(s)")


def test_analyze_cost_export_says_the_source_has_no_request_counts() -> None:
    cost = str(Path(__file__).parents[1] / "samples" / "exports" / "anthropic_cost_2025-10.csv")
    r = runner.invoke(app, ["analyze", cost])
    assert r.exit_code == 0, r.output
    assert "Total cost $18.92 (355 priced rows; the source has no request counts)" in r.stdout
    assert "for 0 requests" not in r.stdout


def test_on_a_terminal_warnings_are_said_once() -> None:
    """The report lists the load warnings: on a terminal stderr does not repeat them; piped, it does."""
    import os
    import pty
    import subprocess
    import sys

    # the sample LiteLLM log has 6 rows served from LiteLLM's own cache: a load warning
    log = Path(__file__).parents[1] / "samples" / "logs" / "litellm_spend_logs.csv"
    args = [sys.executable, "-m", "llmcost", "whatif", str(log), "--batch", "50%"]
    env = {**os.environ, "COLUMNS": "200"}
    master, slave = pty.openpty()
    proc = subprocess.run(args, stdout=slave, stderr=subprocess.PIPE, env=env, timeout=120)
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert proc.returncode == 0, proc.stderr
    # rich wraps long lines at the terminal width (a deep checkout path makes the warning long)
    on_screen = " ".join(screen.decode().split())
    assert on_screen.count("served from LiteLLM's own cache") == 1
    assert b"served from" not in proc.stderr
    piped = subprocess.run(args, capture_output=True, env=env, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert " ".join(piped.stdout.decode().split()).count("served from LiteLLM's own cache") == 1
    assert " ".join(piped.stderr.decode().split()).count("served from LiteLLM's own cache") == 1
