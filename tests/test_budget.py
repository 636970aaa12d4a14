"""Budgets: config validation, status, projection, breach dates, CLI exit codes and the webhook."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
from test_analyze import make_priced, req
from typer.testing import CliRunner

from llmcost.budget import check_budgets, parse_budgets, webhook_body
from llmcost.cli import app
from llmcost.errors import ConfigError, InputError


def dollar_days(start: str, end: str, app_name: str = "chat", user: str = "", per_day: float = 1.0) -> list[dict[str, Any]]:
    """One gpt-4o request per day costing ``per_day`` (output tokens at $10/M)."""
    out = round(per_day * 100_000)
    return [
        req(f"{d:%Y-%m-%d}T12:00:00Z", "gpt-4o", 0, out, app=app_name, user=user, rid=f"{app_name}-{d:%m%d}")
        for d in pd.date_range(start, end, freq="D")
    ]


def config(text: str) -> Any:
    return parse_budgets(text, "budgets.yaml")


def test_monthly_warning_projection_and_breach_date() -> None:
    t = make_priced(dollar_days("2025-03-01", "2025-03-10"))  # $1/day, $10 so far
    r = check_budgets(t, config("budgets: [{name: all, monthly: 20}]"))
    (s,) = r.statuses
    assert r.as_of == "2025-03-10" and s.period_label == "2025-03"
    assert s.spent_usd == pytest.approx(10.0) and s.used == pytest.approx(0.5)
    assert s.status == "warning" and s.threshold_crossed == 50.0
    # flat $1/day: 21 more days -> $31 at month end; cumulative reaches $20 on Mar 20
    assert s.projected_usd == pytest.approx(31.0) and s.projected_low_usd == pytest.approx(31.0)
    assert s.breach_date == "2025-03-20" and s.breach_projected
    assert r.exit_code == 1
    rp = check_budgets(t, config("budgets: [{name: all, monthly: 20}]"), projected=True)
    assert rp.statuses[0].status == "exceeded" and rp.exit_code == 2


def test_weekday_aware_breach_date() -> None:
    # weekdays $10, weekends $2, Mon 3 .. Sun 16 March: $108 so far; limit $150:
    # Mon 17 .. Thu 20 add $40 -> $148; Fri 21 -> $158: the limit is reached on Mar 21
    recs = []
    for d in pd.date_range("2025-03-03", "2025-03-16", freq="D"):
        out = 200_000 if d.day_of_week >= 5 else 1_000_000
        recs.append(req(f"{d:%Y-%m-%d}T12:00:00Z", "gpt-4o", 0, out, rid=f"r{d:%d}"))
    (s,) = check_budgets(make_priced(recs), config("budgets: [{monthly: 150}]")).statuses
    assert s.spent_usd == pytest.approx(108.0)
    assert s.projected_usd == pytest.approx(226.0)
    assert s.breach_date == "2025-03-21"
    assert s.name == "total" and s.status == "warning" and s.threshold_crossed == 50.0


def test_daily_limit_exceeded_and_reached_date() -> None:
    t = make_priced(dollar_days("2025-03-01", "2025-03-10"))
    r = check_budgets(t, config("budgets: [{daily: 0.9}, {name: roomy, daily: 5}]"))
    tight, roomy = r.statuses
    assert tight.period_label == "2025-03-10" and tight.spent_usd == pytest.approx(1.0)
    assert tight.status == "exceeded" and tight.breach_date == "2025-03-10" and not tight.breach_projected
    assert roomy.status == "ok" and roomy.breach_date is None and roomy.projected_usd == pytest.approx(1.0)
    assert r.exit_code == 2


def test_scopes_app_model_team_and_as_of() -> None:
    recs = dollar_days("2025-03-01", "2025-03-10", "chat", "alice") + dollar_days("2025-03-01", "2025-03-10", "search", "bob", 2.0)
    cfg = config(
        """
thresholds: [25, 75]
teams:
  growth: {users: [ALICE]}
budgets:
  - {app: search, monthly: 100}
  - {model: "gpt-4*", monthly: 100}
  - {team: growth, monthly: 100}
  - {team: {apps: [sea*]}, monthly: 100}
  - {app: nothing, monthly: 100}
"""
    )
    r = check_budgets(make_priced(recs), cfg, as_of=pd.Timestamp("2025-03-05"))
    spent = [s.spent_usd for s in r.statuses]
    assert spent == pytest.approx([10.0, 15.0, 5.0, 10.0, 0.0])
    assert r.statuses[1].status == "ok" and r.statuses[1].thresholds == (25.0, 75.0)
    assert r.as_of == "2025-03-05" and r.as_of_source == "--as-of"
    assert any("'app=nothing'" in n and "matches no rows" in n for n in r.notes)


def test_empty_period_and_single_day() -> None:
    t = make_priced(dollar_days("2025-03-01", "2025-03-10"))
    with pytest.raises(InputError, match=r"no usage rows in the current period 2025-04 .*2025-03-01 to 2025-03-10"):
        check_budgets(t, config("budgets: [{monthly: 5}]"), as_of=pd.Timestamp("2025-04-02"), source="log.jsonl")
    with pytest.raises(InputError, match="current period 2025-02"):
        check_budgets(t, config("budgets: [{monthly: 5}]"), as_of=pd.Timestamp("2025-02-27"))
    (s,) = check_budgets(make_priced(dollar_days("2025-03-01", "2025-03-01")), config("budgets: [{monthly: 5}]")).statuses
    assert s.projected_usd is None and s.breach_date is None and "cannot project" in s.note


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("budgets:\n  - app: x\n    montly: 5\n", "budgets.yaml:3: budgets[0]: unknown key 'montly'"),
        ("budgets:\n  - monthly: -5\n", "budgets.yaml:2: budgets[0].monthly is negative"),
        ("budgets:\n  - daily: 0\n", "budgets[0].daily is 0"),
        ("budgets:\n  - app: x\n", "budgets[0] has no limit"),
        ("budgets:\n  - {monthly: 5, team: nope}\n", "unknown team 'nope'"),
        ("thresholds: [50, 120]\nbudgets: [{monthly: 5}]\n", "thresholds: 120 is not a percentage"),
        ("colour: red\nbudgets: [{monthly: 5}]\n", "top level: unknown key 'colour'"),
        ("budgets: [{monthly: five}]\n", "must be a number of USD"),
        ("budgets: {monthly: 5}\n", "budgets must be a non-empty list"),
        ("", "the file is empty"),
        ("budgets: [\n", "not valid YAML"),
        ("teams: {a: {apps: [x], extra: 1}}\nbudgets: [{monthly: 5}]\n", "teams.a: unknown key 'extra'"),
    ],
)
def test_bad_budget_files(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        config(text)
    assert message in str(err.value)
    assert str(err.value).startswith("budgets.yaml")


def test_webhook_body_shape() -> None:
    t = make_priced(dollar_days("2025-03-01", "2025-03-10"))
    body = webhook_body(check_budgets(t, config("budgets: [{name: all, monthly: 20}, {daily: 0.5}]")))
    assert body["text"].startswith("LLM budgets as of 2025-03-10")
    assert body["blocks"][0]["type"] == "header"
    sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    assert sections[0].startswith(":rotating_light: *total*")  # exceeded first
    assert "$10.00 of $20.00 (50%)" in sections[1]
    assert body["blocks"][-1]["type"] == "context"


# ----------------------------------------------------------------------------- CLI


def usage_csv(tmp_path: Path, days: int = 10) -> Path:
    rows = ["timestamp,provider,model,app,user,input_tokens,output_tokens"]
    for d in pd.date_range("2025-03-01", periods=days, freq="D"):
        rows.append(f"{d:%Y-%m-%d}T12:00:00Z,openai,gpt-4o-mini,chat,alice,100000,10000")
    p = tmp_path / "usage.csv"
    p.write_text("\n".join(rows) + "\n")
    return p


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_cli_exit_codes(tmp_path: Path) -> None:
    usage = usage_csv(tmp_path)
    # gpt-4o-mini: 100k input x $0.15/M + 10k output x $0.60/M = $0.021/day; $0.21 so far
    ok = write(tmp_path, "ok.yaml", "budgets: [{monthly: 10}]")
    warn = write(tmp_path, "warn.yaml", "budgets: [{monthly: 0.4}]")
    over = write(tmp_path, "over.yaml", "budgets: [{monthly: 0.2}]")
    assert run("budget", "check", str(usage), "--budgets", str(ok)).exit_code == 0
    r = run("budget", "check", str(usage), "--budgets", str(warn), "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["exit_code"] == 1 and data["budgets"][0]["spent_usd"] == pytest.approx(0.21)
    assert data["budgets"][0]["threshold_crossed"] == 50.0
    assert run("budget", "check", str(usage), "--budgets", str(warn), "--projected").exit_code == 2
    assert run("budget", "check", str(usage), "--budgets", str(over)).exit_code == 2


def test_cli_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    usage = usage_csv(tmp_path)
    bad = write(tmp_path, "bad.yaml", "budgets:\n  - monthly: -1\n")
    r = run("budget", "check", str(usage), "--budgets", str(bad))
    assert r.exit_code == 2
    assert "bad.yaml:2: budgets[0].monthly is negative" in r.stderr and r.stdout == ""
    ok = write(tmp_path, "ok.yaml", "budgets: [{monthly: 10}]")
    r = run("budget", "check", str(usage), "--budgets", str(ok), "--as-of", "2025-05-01")
    assert r.exit_code == 2 and "no usage rows in the current period 2025-05" in r.stderr


def test_cli_strict_fails_on_unpriced_requests_after_the_report(tmp_path: Path) -> None:
    usage = usage_csv(tmp_path)
    with usage.open("a") as fh:  # two requests of a model no price table knows
        fh.write("2025-03-05T12:00:00Z,acme,acme-llm-7b,chat,alice,5000,500\n" * 2)
    ok = write(tmp_path, "ok.yaml", "budgets: [{monthly: 10}]")
    # without --strict: the budget is judged on the priced rows ($0.21) and the rest is a note
    r = run("budget", "check", str(usage), "--budgets", str(ok))
    assert r.exit_code == 0 and "Note: 2 requests (2 rows) could not be priced: not counted" in r.stdout
    r = run("budget", "check", str(usage), "--budgets", str(ok), "--strict", "--format", "json")
    assert r.exit_code == 2
    assert json.loads(r.stdout)["budgets"][0]["spent_usd"] == pytest.approx(0.21)  # the report is still written
    assert r.stderr == ("llmcost: error: 2 request(s) of 1 model(s) could not be priced (--strict); add them to a "
                        "--prices overrides file\n")


class _Capture(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Capture.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    do_PUT = do_POST

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def server() -> Any:
    _Capture.received = []
    srv = HTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_cli_webhook_post_and_dry_run(tmp_path: Path, server: str) -> None:
    usage = usage_csv(tmp_path)
    warn = write(tmp_path, "warn.yaml", "budgets: [{name: team-a, monthly: 0.4}]")
    r = run("budget", "check", str(usage), "--budgets", str(warn), "--notify", server + "/hook", "--dry-run")
    assert r.exit_code == 1 and _Capture.received == []
    assert "would POST to" in r.stderr and '"blocks"' in r.stderr
    r = run("budget", "check", str(usage), "--budgets", str(warn), "--notify", server + "/hook")
    assert r.exit_code == 1
    ((path, ctype, body),) = _Capture.received
    assert path == "/hook" and ctype == "application/json"
    msg = json.loads(body)
    assert "*team-a*" in msg["blocks"][1]["text"]["text"] and "1 warning" in msg["text"]


def test_cli_webhook_failure_is_an_error(tmp_path: Path) -> None:
    usage = usage_csv(tmp_path)
    warn = write(tmp_path, "warn.yaml", "budgets: [{monthly: 0.4}]")
    r = run("budget", "check", str(usage), "--budgets", str(warn), "--notify", "http://127.0.0.1:9/hook")
    assert r.exit_code == 2 and "could not be reached" in r.stderr
    r = run("budget", "check", str(usage), "--budgets", str(warn), "--notify", "ftp://x/y")
    assert r.exit_code == 2 and "http:// or https://" in r.stderr


def test_a_log_that_stops_mid_day_projects_that_day_instead_of_averaging_it() -> None:
    # $0.60/day (1M gpt-4o-mini output tokens) Oct 1-14 at 23:30, and $0.30 on Oct 15 up to 11:59
    recs = [req(f"2025-10-{d:02d}T23:30:00Z", "gpt-4o-mini", 0, 1_000_000) for d in range(1, 15)]
    recs.append(req("2025-10-15T11:59:00Z", "gpt-4o-mini", 0, 500_000))
    cfg = parse_budgets("budgets:\n  - name: all\n    monthly: 100\n    daily: 1\n", "budgets.yaml")
    report = check_budgets(make_priced(recs), cfg)
    daily, monthly = sorted(report.statuses, key=lambda s: s.period)
    # month: 14 full days x $0.60 + 17 projected days (Oct 15..31) x $0.60 = 31 x $0.60
    assert monthly.spent_usd == pytest.approx(14 * 0.6 + 0.3)
    assert monthly.projected_usd == pytest.approx(31 * 0.6)
    # today: the expected $0.60, not the $0.30 spent so far nor tomorrow
    assert daily.spent_usd == pytest.approx(0.3) and daily.projected_usd == pytest.approx(0.6)


def test_cli_table_rows_stay_on_one_line_and_say_how_many_full_days(tmp_path: Path) -> None:
    # 2025-03-01 12:00 and 2025-03-02 11:00: day 1 is full, day 2 is where the data stops
    usage = tmp_path / "u.csv"
    usage.write_text(
        "timestamp,provider,model,app,user,input_tokens,output_tokens\n"
        "2025-03-01T12:00:00Z,openai,gpt-4o,chat,alice,1000000,0\n"  # $2.50
        "2025-03-02T11:00:00Z,openai,gpt-4o,summariser-for-the-whole-company,bob,1000000,100000\n"  # $3.50
    )
    cfg = write(tmp_path, "b.yaml",
                "budgets:\n  - {name: all, monthly: 7}\n  - {app: summariser-for-the-whole-company, daily: 10}\n")
    r = run("budget", "check", str(usage), "--budgets", str(cfg))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "LLM budgets as of 2025-03-02 (last timestamp in the data): 0 exceeded, 1 warning, 1 ok"
    # each budget is one line (no name or status folded onto a second line), no trailing blanks
    assert lines[4].split() == ["all", "(total)", "2025-03", "$7.00", "$6.00", "86%", "warning", "(>=", "80%)", "n/a",
                                "cannot", "project"]
    assert lines[5].split() == ["app=summariser-for-the-whole-company", "2025-03-02", "$10.00", "$3.50", "35%",
                                "ok", "n/a", "cannot", "project"]
    assert lines[6] == ""
    assert all(line == line.rstrip() for line in lines)
    # one full day (the last day is cut short): not "2 days of data (need 2)"
    assert "Note: all (monthly): cannot project: 1 full day of data (need 2)" in lines


def test_cli_unpriced_note_is_in_the_singular_for_one_request(tmp_path: Path) -> None:
    usage = tmp_path / "u.csv"
    usage.write_text("timestamp,provider,model,app,user,input_tokens,output_tokens\n"
                     "2025-03-01T12:00:00Z,openai,gpt-4o,chat,alice,1000000,0\n"  # $2.50
                     "2025-03-01T13:00:00Z,openai,gpt-4o-typo,chat,alice,1000000,0\n")  # unpriced
    cfg = write(tmp_path, "b.yaml", "budgets: [{name: all, monthly: 10}]\n")
    r = run("budget", "check", str(usage), "--budgets", str(cfg))
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-1] == "Note: 1 request (1 row) could not be priced: not counted"
