"""Self-hosting break-even: the log's API spend vs renting GPUs for the same tokens.

Inputs: ``gpu_hourly`` (USD per GPU-hour), ``gpus`` (GPUs in one serving
deployment) and ``throughput``: sustained tokens per second of the whole
deployment (``per_gpu=True``: per GPU, multiplied by ``gpus``). Tokens are
all billed tokens (input + cache read + cache write + output) by default, or
only output tokens (``count="output"``) when the throughput figure is a
decode rate.

Over the log's period (calendar UTC days from the first to the last row's
date, inclusive; ``H`` = days × 24 hours), with ``V`` the token volume and
``C`` the API cost of the priced rows (unpriced rows are left out of both):

* blended API price ``p = C / V`` USD per token;
* capacity of one deployment ``K = throughput × 3600`` tokens per hour;
* utilisation ``u = V / (K × H)`` (above 1: one deployment cannot keep up,
  ``ceil(u)`` are needed);
* self-host cost over the period ``S = gpu_hourly × gpus × H × max(1, ceil(u))``
  (always on: rented GPUs bill whether busy or idle);
* per month (30.4375 days = 730.5 hours): API ``C / days × 30.4375``,
  self-hosting ``gpu_hourly × gpus × 730.5 × deployments``;
* break-even monthly volume ``B = gpu_hourly × gpus × 730.5 / p`` tokens per
  month: the volume at which one always-on deployment costs what the API
  would charge for it. It needs utilisation ``B / (K × 730.5)``; above 100 %
  self-hosting never breaks even at these prices (each extra deployment adds
  capacity and cost in the same proportion).

Not included: engineering and operations time, storage, egress, redundancy
(a second deployment for availability doubles the GPU cost), quality
differences between the API model and the self-hosted one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError

HOURS_PER_MONTH = 730.5  # 365.25 × 24 / 12
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
COUNTS = ("all", "output")


@dataclass(frozen=True)
class SelfHostResult:
    days: int
    hours: float
    tokens: int  # volume counted (all tokens or output only)
    api_cost_usd: float
    api_usd_per_million: float  # blended API price per 1M counted tokens
    gpu_hourly_usd: float
    gpus: int
    throughput_tokens_per_s: float  # of one deployment
    capacity_tokens_per_hour: float
    utilisation: float  # of one deployment over the period
    deployments_needed: int
    selfhost_cost_usd: float  # over the period
    selfhost_usd_per_million: float  # at the log's volume
    api_monthly_usd: float
    selfhost_monthly_usd: float
    monthly_savings_usd: float  # API minus self-hosting (negative: the API is cheaper)
    monthly_tokens: float  # the log's volume scaled to a month
    breakeven_monthly_tokens: float | None  # None when the API cost is 0
    breakeven_utilisation: float | None  # break-even volume / monthly capacity of one deployment
    breakeven_reachable: bool
    count: str
    unpriced_rows: int


def _period_days(times: pd.Series) -> int:
    t = times.dropna()
    if len(t) == 0:
        raise InputError("no rows with a time: cannot tell the period the usage covers")
    start, end = t.min().normalize(), t.max().normalize()
    return int((end - start).days) + 1


def break_even(
    priced: pd.DataFrame,
    *,
    gpu_hourly: float,
    gpus: int,
    throughput: float,
    per_gpu: bool = False,
    count: str = "all",
) -> SelfHostResult:
    if gpu_hourly <= 0 or not math.isfinite(gpu_hourly):
        raise InputError(f"--gpu-hourly must be a positive price per GPU-hour, got {gpu_hourly}")
    if gpus < 1:
        raise InputError(f"--gpus must be at least 1, got {gpus}")
    if throughput <= 0 or not math.isfinite(throughput):
        raise InputError(f"--throughput must be positive tokens per second, got {throughput}")
    if count not in COUNTS:
        raise InputError(f"--count must be one of {', '.join(COUNTS)}, got {count!r}")
    is_priced = priced["priced"].fillna(False).to_numpy(dtype=bool)
    rows = priced.loc[is_priced]
    days = _period_days(priced["time"])
    hours = days * 24.0
    cols = ["output_tokens"] if count == "output" else ["input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens"]
    tokens = int(sum(int(rows[c].sum()) for c in cols))
    cost = float(np.nan_to_num(rows["cost_usd"].to_numpy(dtype="float64"), nan=0.0).sum())
    if "cost_web_search_usd" in rows.columns:  # searches are bought either way: only tokens move in-house
        cost -= float(np.nan_to_num(rows["cost_web_search_usd"].to_numpy(dtype="float64"), nan=0.0).sum())
    if tokens <= 0:
        raise InputError("the priced rows have no tokens: nothing to compare with self-hosting")
    deployment_tps = throughput * gpus if per_gpu else throughput
    capacity_h = deployment_tps * 3600.0
    hourly = gpu_hourly * gpus
    util = tokens / (capacity_h * hours)
    needed = max(1, math.ceil(util - 1e-12))
    selfhost = hourly * hours * needed
    price = cost / tokens
    monthly_tokens = tokens / days * DAYS_PER_MONTH
    api_monthly = cost / days * DAYS_PER_MONTH
    monthly_needed = max(1, math.ceil(monthly_tokens / (capacity_h * HOURS_PER_MONTH) - 1e-12))
    selfhost_monthly = hourly * HOURS_PER_MONTH * monthly_needed
    be = hourly * HOURS_PER_MONTH / price if price > 0 else None
    be_util = be / (capacity_h * HOURS_PER_MONTH) if be is not None else None
    return SelfHostResult(
        days=days,
        hours=hours,
        tokens=tokens,
        api_cost_usd=cost,
        api_usd_per_million=price * 1e6,
        gpu_hourly_usd=float(gpu_hourly),
        gpus=int(gpus),
        throughput_tokens_per_s=float(deployment_tps),
        capacity_tokens_per_hour=capacity_h,
        utilisation=util,
        deployments_needed=needed,
        selfhost_cost_usd=selfhost,
        selfhost_usd_per_million=selfhost / tokens * 1e6,
        api_monthly_usd=api_monthly,
        selfhost_monthly_usd=selfhost_monthly,
        monthly_savings_usd=api_monthly - selfhost_monthly,
        monthly_tokens=monthly_tokens,
        breakeven_monthly_tokens=be,
        breakeven_utilisation=be_util,
        breakeven_reachable=be_util is not None and be_util <= 1.0,
        count=count,
        unpriced_rows=int((~is_priced).sum()),
    )


def _tokens(n: float) -> str:
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= div:
            return f"{n / div:,.2f}{suffix}"
    return f"{n:,.0f}"


def render_text(r: SelfHostResult) -> str:
    from .analyze.fmt import money, pct

    kind = "output tokens" if r.count == "output" else "tokens"
    lines = [
        f"Self-hosting break-even over {r.days} day{'s' if r.days != 1 else ''} ({r.hours:,.0f} h) of usage",
        f"  API: {money(r.api_cost_usd)} for {_tokens(r.tokens)} {kind} = {money(r.api_usd_per_million)} per 1M (blended)",
        (
            f"  Self-hosted: {r.gpus} GPU{'s' if r.gpus != 1 else ''} x {money(r.gpu_hourly_usd)}/h, "
            f"{r.throughput_tokens_per_s:,.0f} {kind}/s per deployment = {_tokens(r.capacity_tokens_per_hour)} {kind}/h"
        ),
        (
            f"  Utilisation of one deployment: {pct(r.utilisation)}"
            + (f" (needs {r.deployments_needed} deployments)" if r.deployments_needed > 1 else "")
        ),
        (
            f"  Over the period: API {money(r.api_cost_usd)} vs self-hosted {money(r.selfhost_cost_usd)} "
            f"({money(r.selfhost_usd_per_million)} per 1M at this volume)"
        ),
        (
            f"  Per month: API {money(r.api_monthly_usd)} vs self-hosted {money(r.selfhost_monthly_usd)}: "
            + (
                f"self-hosting saves {money(r.monthly_savings_usd)}"
                if r.monthly_savings_usd > 0
                else f"the API is cheaper by {money(-r.monthly_savings_usd)}"
            )
        ),
    ]
    if r.breakeven_monthly_tokens is None:
        lines.append("  Break-even: none (the API cost of these rows is $0)")
    else:
        lines.append(
            f"  Break-even volume: {_tokens(r.breakeven_monthly_tokens)} {kind}/month "
            f"(you have {_tokens(r.monthly_tokens)}/month); needs {pct(r.breakeven_utilisation)} utilisation"
            + ("" if r.breakeven_reachable else ": above 100 %, self-hosting cannot break even at these prices")
        )
    lines.append("  Not included: engineering/ops time, redundancy, storage, egress, model quality differences.")
    if r.unpriced_rows:
        lines.append(f"  Note: {r.unpriced_rows:,} unpriced rows left out of both sides.")
    return "\n".join(lines) + "\n"
