"""Totals, ratios and cost breakdowns by dimension.

All sums are over *priced* rows. Keys that are empty strings become
``(unknown)``. Non-time breakdowns are sorted by cost (then requests, then
key) and cut to the top N with one ``(other)`` row aggregating the rest;
time breakdowns (day, week, month) are sorted by date and never cut, with rows
without a time in a final ``(unknown)`` row.

Dimensions: model (with its provider), provider, app, user, feature, session,
service_tier, batch ("batch"/"standard"), day (UTC date), week (ISO week,
``2025-W14``), month (``2025-03``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .frame import Prepared, group_sum, select
from .model import OTHER, UNKNOWN, Breakdown, BreakdownRow, DailyPoint, Shares, Totals

DIMENSIONS: tuple[str, ...] = (
    "model",
    "provider",
    "app",
    "user",
    "feature",
    "session",
    "service_tier",
    "batch",
    "day",
    "week",
    "month",
)
TIME_DIMENSIONS = ("day", "week", "month")

SUM_COLUMNS = (
    "requests",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "output_tokens",
    "tokens",
    "cost_usd",
)


def validate_dimensions(by: Sequence[str]) -> list[str]:
    out: list[str] = []
    for dim in by:
        d = dim.strip().lower()
        if d not in DIMENSIONS:
            raise InputError(f"unknown breakdown dimension {dim!r}", hint=f"choose from {', '.join(DIMENSIONS)}")
        if d not in out:
            out.append(d)
    return out


def totals(p: Prepared) -> Totals:
    df = p.rows
    s = df[
        [
            "requests",
            "input_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "output_tokens",
            "reasoning_tokens",
            "web_search_requests",
            "cost_usd",
            "cost_input_usd",
            "cost_cache_read_usd",
            "cost_cache_write_usd",
            "cost_output_usd",
            "cost_web_search_usd",
        ]
    ].sum()
    kinds = float(
        s["cost_input_usd"] + s["cost_cache_read_usd"] + s["cost_cache_write_usd"] + s["cost_output_usd"]
        + s["cost_web_search_usd"]
    )
    other = float(s["cost_usd"]) - kinds
    if abs(other) < 1e-9:
        other = 0.0
    return Totals(
        rows=len(df),
        requests=int(s["requests"]),
        input_tokens=int(s["input_tokens"]),
        cache_read_tokens=int(s["cache_read_tokens"]),
        cache_write_tokens=int(s["cache_write_tokens"]),
        output_tokens=int(s["output_tokens"]),
        reasoning_tokens=int(s["reasoning_tokens"]),
        web_search_requests=int(s["web_search_requests"]),
        cost_usd=float(s["cost_usd"]),
        cost_input_usd=float(s["cost_input_usd"]),
        cost_cache_read_usd=float(s["cost_cache_read_usd"]),
        cost_cache_write_usd=float(s["cost_cache_write_usd"]),
        cost_output_usd=float(s["cost_output_usd"]),
        cost_web_search_usd=float(s["cost_web_search_usd"]),
        cost_other_usd=other,
        cost_only_rows=int((~df["usage"]).sum()),
        unpriced_rows=len(p.unpriced),
        unpriced_requests=int(p.unpriced["requests"].sum()),
    )


def shares(t: Totals, cache_info: bool) -> Shares:
    token_cost = t.cost_input_usd + t.cost_cache_read_usd + t.cost_cache_write_usd + t.cost_output_usd
    in_cost = t.cost_input_usd + t.cost_cache_read_usd + t.cost_cache_write_usd
    all_input = t.input_tokens + t.cache_read_tokens + t.cache_write_tokens
    cache_ok = cache_info and all_input > 0
    return Shares(
        input_cost_share=in_cost / token_cost if token_cost > 0 else None,
        output_cost_share=t.cost_output_usd / token_cost if token_cost > 0 else None,
        cache_share_of_input=(t.cache_read_tokens + t.cache_write_tokens) / all_input if cache_ok else None,
        cache_hit_ratio=t.cache_read_tokens / all_input if cache_ok else None,
        cache_info_available=cache_info,
    )


def _rows_from(agg: pd.DataFrame, total_cost: float, provider: pd.Series | None = None) -> list[BreakdownRow]:
    recs = agg.to_dict("records")
    keys = agg.index.tolist()
    provs = provider.tolist() if provider is not None else [None] * len(keys)
    out = []
    for key, prov, r in zip(keys, provs, recs):
        cost = float(r["cost_usd"])
        out.append(
            BreakdownRow(
                key=str(key),
                provider=prov,
                requests=int(r["requests"]),
                input_tokens=int(r["input_tokens"]),
                cache_read_tokens=int(r["cache_read_tokens"]),
                cache_write_tokens=int(r["cache_write_tokens"]),
                output_tokens=int(r["output_tokens"]),
                tokens=int(r["tokens"]),
                cost_usd=cost,
                share=cost / total_cost if total_cost > 0 else 0.0,
                keys=int(r.get("keys", 1)),
            )
        )
    return out


def _ranked(agg: pd.DataFrame, dim: str, top: int, total_cost: float, provider: pd.Series | None = None) -> Breakdown:
    agg = agg.assign(_k=agg.index.astype(str)).sort_values(
        ["cost_usd", "requests", "_k"], ascending=[False, False, True], kind="mergesort"
    )
    agg = agg.drop(columns="_k")
    if provider is not None:
        provider = provider.loc[agg.index]
    n = len(agg)
    agg = agg.assign(keys=1)
    if top > 0 and n > top:
        head = agg.iloc[:top]
        rest = agg.iloc[top:].sum(numeric_only=True)
        rest["keys"] = n - top
        other = pd.DataFrame([rest], index=pd.Index([OTHER]))
        rows = _rows_from(head, total_cost, provider.iloc[:top] if provider is not None else None)
        rows += _rows_from(other, total_cost, pd.Series([""]) if provider is not None else None)
        return Breakdown(dimension=dim, rows=rows, total_keys=n, truncated=True)
    return Breakdown(dimension=dim, rows=_rows_from(agg, total_cost, provider), total_keys=n, truncated=False)


def _model_breakdown(df: pd.DataFrame, top: int, total_cost: float) -> Breakdown:
    g = group_sum(df, [df["model"], df["provider_eff"]], SUM_COLUMNS).drop(columns="rows")
    models = [str(m) for m in g.index.get_level_values(0)]
    provs = [str(p) for p in g.index.get_level_values(1)]
    provs = ["" if p == UNKNOWN else p for p in provs]
    # the same model under two providers stays two rows; keys must be unique to sort
    keys = models if len(set(models)) == len(models) else [f"{m}\x00{p}" for m, p in zip(models, provs)]
    g.index = pd.Index(keys)
    b = _ranked(g, "model", top, total_cost, pd.Series(provs, index=g.index))
    rows = [dataclasses.replace(r, key=r.key.split("\x00", 1)[0]) for r in b.rows]
    return Breakdown(dimension="model", rows=rows, total_keys=b.total_keys, truncated=b.truncated)


def _day_agg(p: Prepared) -> pd.DataFrame:
    """Sums per UTC day, every day from the first to the last (gaps = 0); computed once."""
    cached = p.memo.get("day_agg")
    if cached is None:
        cached = p.memo["day_agg"] = _compute_day_agg(p)
    return cached


def _compute_day_agg(p: Prepared) -> pd.DataFrame:
    df = p.rows
    day, dated = p.days()
    if not dated.any():
        return pd.DataFrame(columns=list(SUM_COLUMNS), index=pd.DatetimeIndex([], tz="UTC"))
    sub = select(df, dated)
    g = group_sum(sub, [day], SUM_COLUMNS).drop(columns="rows")
    full = day.cat.categories
    return g.reindex(full, fill_value=0)


def _time_breakdown(df: pd.DataFrame, day_agg: pd.DataFrame, dim: str, total_cost: float) -> Breakdown:
    days = pd.DatetimeIndex(day_agg.index)
    nonzero = (day_agg[["requests", "tokens"]].sum(axis=1) > 0) | (day_agg["cost_usd"] != 0)
    if dim == "day":
        agg = day_agg[nonzero.to_numpy()]
        agg = agg.set_axis(pd.Index(pd.DatetimeIndex(agg.index).strftime("%Y-%m-%d")))
    else:
        if dim == "week":
            iso = days.isocalendar()
            lab = [f"{y}-W{w:02d}" for y, w in zip(iso["year"].tolist(), iso["week"].tolist())]
        else:
            lab = days.strftime("%Y-%m").tolist()
        agg = day_agg.groupby(np.asarray(lab, dtype=object), sort=True).sum()
    no_time = df["day"].isna().to_numpy()
    agg = agg.assign(keys=1)
    if bool(no_time.any()):
        extra = df.loc[no_time, list(SUM_COLUMNS)].sum()
        extra["keys"] = 1
        agg = pd.concat([agg, pd.DataFrame([extra], index=pd.Index([UNKNOWN]))])
    return Breakdown(dimension=dim, rows=_rows_from(agg, total_cost), total_keys=len(agg), truncated=False)


def breakdowns(p: Prepared, dims: Sequence[str], top: int, total_cost: float) -> dict[str, Breakdown]:
    df = p.rows
    out: dict[str, Breakdown] = {}
    day_agg = _day_agg(p) if any(d in TIME_DIMENSIONS for d in dims) else None
    for dim in dims:
        if dim == "model":
            out[dim] = _model_breakdown(df, top, total_cost)
        elif dim in TIME_DIMENSIONS:
            assert day_agg is not None
            out[dim] = _time_breakdown(df, day_agg, dim, total_cost)
        else:
            if dim == "provider":
                key = df["provider_eff"]
            elif dim == "batch":
                codes = df["batch"].to_numpy(dtype=bool).astype("int8")
                key = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(["standard", "batch"])), index=df.index)
            else:
                key = p.dimension(dim, df)
            g = group_sum(df, [key], SUM_COLUMNS).drop(columns="rows")
            out[dim] = _ranked(g, dim, top, total_cost)
    return out


def daily_trend(p: Prepared) -> list[DailyPoint]:
    """Cost per UTC day from the first to the last day, gaps filled with 0."""
    agg = _day_agg(p)
    if len(agg) == 0:
        return []
    return [
        DailyPoint(date=d, requests=int(r), tokens=int(t), cost_usd=float(c))
        for d, r, t, c in zip(
            pd.DatetimeIndex(agg.index).strftime("%Y-%m-%d").tolist(),
            agg["requests"].tolist(),
            agg["tokens"].tolist(),
            agg["cost_usd"].tolist(),
        )
    ]
