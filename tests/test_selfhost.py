"""Self-hosting break-even, checked against hand-computed numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_analyze import make_priced, req
from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.errors import InputError
from llmcost.selfhost import break_even, render_text


def table() -> object:
    # two days, gpt-4o: 1M input x $2.5/M + 100k output x $10/M = $3.50 per request
    return make_priced(
        [
            req("2025-03-01T10:00:00Z", "gpt-4o", 1_000_000, 100_000, rid="a"),
            req("2025-03-02T10:00:00Z", "gpt-4o", 1_000_000, 100_000, rid="b"),
        ]
    )


def test_break_even_by_hand() -> None:
    r = break_even(table(), gpu_hourly=2.5, gpus=4, throughput=2500)  # type: ignore[arg-type]
    assert r.days == 2 and r.hours == 48
    assert r.tokens == 2_200_000 and r.api_cost_usd == pytest.approx(7.0)
    assert r.api_usd_per_million == pytest.approx(7.0 / 2.2)  # $3.1818 per 1M
    assert r.capacity_tokens_per_hour == 9_000_000  # 2,500 tokens/s x 3,600
    assert r.utilisation == pytest.approx(2_200_000 / (9_000_000 * 48))  # 0.509 %
    assert r.deployments_needed == 1
    assert r.selfhost_cost_usd == pytest.approx(10.0 * 48)  # 4 GPUs x $2.50 x 48 h
    assert r.api_monthly_usd == pytest.approx(3.5 * 30.4375)
    assert r.selfhost_monthly_usd == pytest.approx(10.0 * 730.5)
    assert r.monthly_savings_usd == pytest.approx(3.5 * 30.4375 - 7305)
    # break-even: $7,305 a month / ($7 / 2.2M tokens) = 2,295,857,142.9 tokens a month
    assert r.breakeven_monthly_tokens == pytest.approx(7305 * 2_200_000 / 7)
    assert r.breakeven_utilisation == pytest.approx(7305 * 2_200_000 / 7 / (9_000_000 * 730.5))  # 34.9 %
    assert r.breakeven_reachable
    text = render_text(r)
    assert "Break-even volume: 2.30B tokens/month" in text and "34.9%" in text


def test_per_gpu_output_only_and_overload() -> None:
    r = break_even(table(), gpu_hourly=2.5, gpus=4, throughput=1, per_gpu=True, count="output")  # type: ignore[arg-type]
    # 4 tokens/s = 14,400/h; 200k output tokens over 48 h -> utilisation 200,000 / 691,200
    assert r.tokens == 200_000 and r.throughput_tokens_per_s == 4
    assert r.utilisation == pytest.approx(200_000 / 691_200)
    # break-even needs 7305 / (7 / 200k) = 208.7M tokens/month vs 10.5M capacity -> unreachable
    assert r.breakeven_monthly_tokens == pytest.approx(7305 * 200_000 / 7)
    assert not r.breakeven_reachable
    tiny = break_even(table(), gpu_hourly=1, gpus=1, throughput=5)  # type: ignore[arg-type]
    # 5 tokens/s x 172,800 s = 864,000 < 2.2M: 3 deployments needed
    assert tiny.deployments_needed == 3 and tiny.selfhost_cost_usd == pytest.approx(3 * 48)


def test_bad_parameters() -> None:
    with pytest.raises(InputError, match="--gpu-hourly"):
        break_even(table(), gpu_hourly=0, gpus=1, throughput=1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="--throughput"):
        break_even(table(), gpu_hourly=1, gpus=1, throughput=-3)  # type: ignore[arg-type]


def test_cli(tmp_path: Path) -> None:
    p = tmp_path / "usage.csv"
    p.write_text(
        "timestamp,provider,model,input_tokens,output_tokens\n"
        "2025-03-01T10:00:00Z,openai,gpt-4o-mini,1000000,100000\n"
        "2025-03-02T10:00:00Z,openai,gpt-4o-mini,1000000,100000\n"
    )
    r = CliRunner().invoke(
        app, ["selfhost", str(p), "--gpu-hourly", "2.5", "--gpus", "4", "--throughput", "2500", "--format", "json"]
    )
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    # 2 x (1M x $0.15 + 100k x $0.60 per 1M) = $0.42 for 2.2M tokens
    assert d["api_cost_usd"] == pytest.approx(0.42) and d["tokens"] == 2_200_000
    assert d["breakeven_monthly_tokens"] == pytest.approx(7305 * 2_200_000 / 0.42)
    r = CliRunner().invoke(app, ["selfhost", str(p), "--gpu-hourly", "2.5", "--throughput", "2500"])
    assert r.exit_code == 0 and "Break-even volume" in r.stdout
