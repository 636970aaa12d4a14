"""Savings suggestions, each backed by the rows that support it.

Every estimate is over the analysed period and scaled to a month
(× 365.25 / 12 = 30.4375 / the calendar days from the first to the last
request, inclusive: see :mod:`llmcost.periods`). They are estimates built on stated
assumptions, not promises; several apply to the same spend (Batch halves what
is left after the other changes), so do not add them up. A suggestion is only
made when the data can support it: size-based ones (a, c, f) need per-request
rows (a bucket's average hides its requests), the caching one (b) needs
sources that report cache tokens.

Effective prices per model are derived from the data itself: cost of a token
kind / tokens of that kind (batch rows counted at 2× since Batch is 50 % off).

(a) premium-short: per-request rows on a *premium* model (effective input
    price ≥ $2.50 or output ≥ $10 per 1M tokens) with < 1,000 input tokens
    (all kinds) and < 300 output tokens. Saving = 80 % of their token cost
    (per-call fees such as web searches stay), assuming
    a cheaper tier of the same provider is at least 80 % cheaper and good
    enough.
(b) no-caching: OpenAI/Anthropic usage rows averaging ≥ 1,024 uncached input
    tokens per request and no cache reads or writes (per-request rows, or
    buckets counting 2+ requests: a bucket of "1 request" usually comes from a
    source without request counts, so its average means nothing). Saving = input cost × 50 % (assumed
    repeated prefix) × (1 − cache-read price ratio); the ratio is the model's
    own read/input price ratio: from the data where it shows cache reads,
    else from the price table where it lists a cheaper cached input (OpenAI
    varies by model: 0.5 for gpt-4o, 0.25 for gpt-4.1 and o3, 0.1 for gpt-5),
    else 0.1 (Anthropic) or 0.5 (OpenAI). Anthropic's 1.25× write on a
    prefix's first use is not counted.
(c) long-output: per-request rows whose visible output (output − reasoning)
    exceeds 4 × their input and 1,000 tokens. Saving = the output cost of the
    tokens above max(1,000, 4 × input), as if capped with ``max_tokens`` or a
    length instruction.
(d) batch: usage rows at standard price (not batch, not flex) on providers
    with a 50 %-off Batch API (OpenAI, Anthropic, Google), per app. Apps with
    ≥ 40 % of that spend at night (20:00–08:00 UTC) or at weekends look
    automated; saving = 50 % of their off-hours standard spend on tokens
    (per-call fees such as web searches are not discounted). Day-level
    sources only tell weekends apart; needs a period of 7+ days and 20+
    requests per app.
(e) cache-writes-unread: models with cache writes read less than once per
    written token. Saving = (cache write + cache read cost) − the same tokens
    at the base input price, when positive (i.e. caching costs more than it
    saves for that model). The base price is the model's uncached input cost
    per token, or, with no uncached input, its write cost per token over
    1.25 (5-minute writes) or 2 (1-hour writes).
(f) reasoning-heavy: per-request rows (not already in (a)) where reasoning is
    ≥ 80 % of output, visible output < 300 and input < 2,000 tokens. Saving =
    half the reasoning tokens' output cost, assuming a lower reasoning effort
    halves them on such simple requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..periods import DAYS_PER_MONTH  # 30.4375
from .fmt import money as _money
from .fmt import plural
from .frame import Prepared, cat_map, select
from .model import Suggestion

if TYPE_CHECKING:
    from ..pricing import PriceBook

PREMIUM_INPUT_PER_M = 2.5
PREMIUM_OUTPUT_PER_M = 10.0
SHORT_INPUT = 1_000
SHORT_OUTPUT = 300
CHEAPER_TIER_SAVING = 0.8

CACHE_MIN_INPUT = 1_024
CACHE_REPEATED_SHARE = 0.5
CACHE_READ_RATIO = {"anthropic": 0.1, "openai": 0.5}

LONG_OUTPUT_FACTOR = 4
LONG_OUTPUT_MIN = 1_000

CACHE_WRITE_5M_FACTOR = 1.25  # Anthropic cache writes, x the input price
CACHE_WRITE_1H_FACTOR = 2.0

BATCH_PROVIDERS = ("openai", "anthropic", "google")
BATCH_DISCOUNT = 0.5
OFF_HOURS_START = 20
OFF_HOURS_END = 8
OFF_HOURS_MIN_SHARE = 0.4
BATCH_MIN_DAYS = 7  # fewer days cannot tell a weekly pattern
BATCH_MIN_REQUESTS = 20  # per app: fewer requests cannot tell a daily pattern

REASONING_SHARE = 0.8
REASONING_MAX_VISIBLE = 300
REASONING_MAX_INPUT = 2_000
REASONING_CUT = 0.5

# Effective prices, spend shares and savings are sums of float costs: two
# gpt-4o requests (100 + 798 input tokens at $2.50/1M) come out at
# $2.4999999999999996 per 1M, 8 of 20 equal requests at 0.28 < 0.4 x 0.7,
# and a cache write that breaks even exactly at +$1e-17. Comparisons with a
# threshold allow this much relative rounding error.
FLOAT_SLACK = 1e-9


def _at_least(value: np.ndarray | pd.Series, threshold: np.ndarray | pd.Series | float) -> np.ndarray:
    """``value >= threshold`` up to float rounding of sums of costs."""
    return np.asarray(value >= threshold * (1 - FLOAT_SLACK))


def _token_cost(rows: pd.DataFrame) -> np.ndarray:
    """Each row's cost without per-call fees (web searches): the part a
    cheaper tier or the Batch API discounts."""
    return rows["cost_usd"].to_numpy(dtype="float64") - rows["cost_web_search_usd"].to_numpy(dtype="float64")


def _model_label(df: pd.DataFrame) -> pd.Series:
    return df["model"]


def _top_names(values: pd.Series, weights: pd.Series, n: int = 3) -> str:
    s = weights.groupby(values, sort=False, observed=True).sum().sort_values(ascending=False, kind="mergesort")
    names = [str(k) for k in s.index[:n]]
    more = len(s) - n
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _model_prices(u: pd.DataFrame) -> pd.DataFrame:
    """Effective $/1M input, output and cache-read prices per model label."""
    w = np.where(u["batch"].to_numpy(dtype=bool), 2.0, 1.0)
    key = _model_label(u)
    frame = pd.DataFrame(
        {
            "ci": u["cost_input_usd"].to_numpy() * w,
            "co": u["cost_output_usd"].to_numpy() * w,
            "cr": u["cost_cache_read_usd"].to_numpy() * w,
            "ti": u["input_tokens"].to_numpy(dtype="float64"),
            "to": u["output_tokens"].to_numpy(dtype="float64"),
            "tr": u["cache_read_tokens"].to_numpy(dtype="float64"),
        },
        index=u.index,
    )
    g = frame.groupby(key, sort=False, observed=True).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "in": np.where(g["ti"] > 0, g["ci"] / g["ti"] * 1e6, np.nan),
                "out": np.where(g["to"] > 0, g["co"] / g["to"] * 1e6, np.nan),
                "read": np.where(g["tr"] > 0, g["cr"] / g["tr"] * 1e6, np.nan),
            },
            index=g.index,
        )


def _make(
    sid: str,
    title: str,
    detail: str,
    assumption: str,
    savings: float,
    rows: pd.DataFrame,
    days: int,
) -> Suggestion | None:
    if not savings > 0:
        return None
    return Suggestion(
        id=sid,
        title=title,
        detail=detail,
        assumption=assumption,
        estimated_savings_usd=float(savings),
        monthly_savings_usd=float(savings) * DAYS_PER_MONTH / max(days, 1),
        affected_requests=int(rows["requests"].sum()),
        affected_cost_usd=float(rows["cost_usd"].sum()),
    )


def _premium_short(pr: pd.DataFrame, premium: np.ndarray, days: int) -> tuple[Suggestion | None, np.ndarray]:
    mask = premium & (pr["input_all"].to_numpy() < SHORT_INPUT) & (pr["output_tokens"].to_numpy() < SHORT_OUTPUT)
    rows = pr.loc[mask]
    if len(rows) == 0:
        return None, mask
    cost = float(rows["cost_usd"].sum())
    detail = (
        f"{plural(len(rows), 'request')} to premium models ({_top_names(_model_label(rows), rows['cost_usd'])}) "
        f"used fewer than {SHORT_INPUT:,} input and {SHORT_OUTPUT} output tokens and cost {_money(cost)}."
    )
    return (
        _make(
            "premium-short",
            "Route short requests on premium models to a cheaper tier",
            detail,
            f"a smaller tier of the same provider costs at least {CHEAPER_TIER_SAVING:.0%} less and handles "
            "these short requests well enough: check quality on a sample first",
            CHEAPER_TIER_SAVING * float(_token_cost(rows).sum()),
            rows,
            days,
        ),
        mask,
    )


def _table_read_ratios(p: Prepared, rows: pd.DataFrame, book: PriceBook | None) -> pd.Series:
    """Cache-read / input price ratio per model label of ``rows`` from the
    price table, at the model's last request; only where the table lists a
    cheaper cached input (a model without one may just lack the entry)."""
    if book is None:
        from ..pricing import PriceBook

        book = PriceBook.default()
    out: dict[str, float] = {}
    for label, g in rows.groupby(_model_label(rows), sort=False, observed=True):
        last = g["time"].max()
        pos = g["pos"].iloc[0]
        model = str(p.original["model"].iloc[pos])
        provider = p.original["provider"].iloc[pos]
        q = book.quote(
            model,
            None if pd.isna(last) else last.to_pydatetime(),
            provider="" if pd.isna(provider) else str(provider),
        )
        if q is not None and q.input > 0 and 0 <= q.cache_read < q.input:
            out[str(label)] = q.cache_read / q.input
    return pd.Series(out, dtype="float64")


def _no_caching(
    p: Prepared, u: pd.DataFrame, prices: pd.DataFrame, days: int, book: PriceBook | None
) -> Suggestion | None:
    prov = u["provider_eff"]
    req = u["requests"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_in = np.where(req > 0, u["input_tokens"].to_numpy() / np.where(req > 0, req, 1), 0.0)
    # a bucket of "1 request" usually means the source has no request count
    counted = u["per_request"].to_numpy(dtype=bool) | (req >= 2)
    mask = (
        prov.isin(list(CACHE_READ_RATIO)).to_numpy()
        & u["cache_known"].to_numpy(dtype=bool)
        & counted
        & (avg_in >= CACHE_MIN_INPUT)
        & (u["cache_read_tokens"].to_numpy() == 0)
        & (u["cache_write_tokens"].to_numpy() == 0)
    )
    rows = u.loc[mask]
    if len(rows) == 0:
        return None
    model = _model_label(rows)
    ratio_data = (prices["read"] / prices["in"]).where(prices["read"].notna() & (prices["in"] > 0))
    default = cat_map(rows["provider_eff"], CACHE_READ_RATIO)
    ratio = cat_map(model, ratio_data)
    if np.isnan(ratio).any():
        table = cat_map(model, _table_read_ratios(p, rows.loc[np.isnan(ratio)], book))
        ratio = np.where(np.isnan(ratio), table, ratio)
    ratio = np.where(np.isnan(ratio), default, ratio)
    saving = float((rows["cost_input_usd"].to_numpy() * CACHE_REPEATED_SHARE * (1.0 - ratio)).sum())
    detail = (
        f"{plural(int(rows['requests'].sum()), 'request')} ({_top_names(model, rows['cost_input_usd'])}) sent "
        f"{CACHE_MIN_INPUT:,}+ input tokens each with no cache reads; their input cost {_money(float(rows['cost_input_usd'].sum()))}. "
        "Put the stable part of the prompt (system prompt, tools, documents) first; on Anthropic mark it "
        "with cache_control, OpenAI caches matching prefixes of 1,024+ tokens automatically."
    )
    return _make(
        "no-caching",
        "Cache long repeated prompt prefixes",
        detail,
        f"{CACHE_REPEATED_SHARE:.0%} of these input tokens are a prefix repeated within the cache lifetime; "
        "cached reads cost the model's read/input price ratio (seen in the data, else from the price "
        "table, else 0.1 for Anthropic, 0.5 for OpenAI); Anthropic's 1.25x first "
        "write is not counted",
        saving,
        rows,
        days,
    )


def _long_output(pr: pd.DataFrame, exclude: np.ndarray, days: int) -> Suggestion | None:
    out = pr["output_tokens"].to_numpy(dtype="float64")
    visible = out - pr["reasoning_tokens"].to_numpy(dtype="float64")
    inp = pr["input_all"].to_numpy(dtype="float64")
    mask = ~exclude & (visible > LONG_OUTPUT_FACTOR * inp) & (visible > LONG_OUTPUT_MIN)
    rows = pr.loc[mask]
    if len(rows) == 0:
        return None
    cap = np.maximum(LONG_OUTPUT_MIN, LONG_OUTPUT_FACTOR * inp[mask])
    excess = visible[mask] - cap
    saving = float((rows["cost_output_usd"].to_numpy() * excess / out[mask]).sum())
    detail = (
        f"{plural(len(rows), 'request')} ({_top_names(_model_label(rows), rows['cost_output_usd'])}) wrote over "
        f"{LONG_OUTPUT_MIN:,} visible output tokens and more than {LONG_OUTPUT_FACTOR}x their input "
        f"(median {int(np.median(visible[mask])):,} tokens); their output cost {_money(float(rows['cost_output_usd'].sum()))}. "
        "Set max_tokens or ask for shorter answers where the length is not needed."
    )
    return _make(
        "long-output",
        "Cap very long outputs",
        detail,
        f"output capped at max({LONG_OUTPUT_MIN:,}, {LONG_OUTPUT_FACTOR}x input) tokens loses nothing the "
        "application needs; only the tokens above the cap are counted",
        saving,
        rows,
        days,
    )


def _off_hours(u: pd.DataFrame) -> np.ndarray:
    t = u["time"]
    weekend = (t.dt.day_of_week >= 5).fillna(False).to_numpy(dtype=bool)
    hour = t.dt.hour.fillna(12).to_numpy()
    at_midnight = (t == t.dt.floor("D")).fillna(True)
    day_level = at_midnight.groupby(u["source"], sort=False, observed=True).transform("all").to_numpy(dtype=bool)
    night = ~day_level & ((hour >= OFF_HOURS_START) | (hour < OFF_HOURS_END))
    return weekend | night


def _batch(u: pd.DataFrame, days: int) -> Suggestion | None:
    if days < BATCH_MIN_DAYS:
        return None
    prov = u["provider_eff"]
    tier = u["service_tier"]
    std = (
        ~u["batch"].to_numpy(dtype=bool)
        & prov.isin(list(BATCH_PROVIDERS)).to_numpy()
        & ~tier.isin(["batch", "flex"]).to_numpy()
        & u["time"].notna().to_numpy()
    )
    rows = u.loc[std, ["time", "app", "source", "requests", "cost_usd", "cost_web_search_usd"]]
    if len(rows) == 0:
        return None
    off = _off_hours(rows)
    app = rows["app"]
    cost = rows["cost_usd"].to_numpy(dtype="float64")
    per_app = pd.DataFrame(
        {
            "cost": cost,
            "off": np.where(off, cost, 0.0),
            "off_tokens": np.where(off, _token_cost(rows), 0.0),
            "requests": rows["requests"].to_numpy(),
        },
        index=rows.index,
    ).groupby(app, sort=False, observed=True).sum()
    per_app = per_app[
        (per_app["cost"] > 0)
        & (per_app["requests"] >= BATCH_MIN_REQUESTS)
        & _at_least(per_app["off"], OFF_HOURS_MIN_SHARE * per_app["cost"])
    ]
    if len(per_app) == 0:
        return None
    per_app = per_app.sort_values("off", ascending=False, kind="mergesort")
    chosen = app.isin(per_app.index.tolist()).to_numpy() & off
    parts = [
        f"{k}: {r['off'] / r['cost']:.0%} of its {_money(r['cost'])} standard-price spend"
        for k, r in per_app.head(3).iterrows()
    ]
    detail = (
        "Apps that run mostly at night (20:00-08:00 UTC) or at weekends look automated: "
        + "; ".join(parts)
        + (f"; and {len(per_app) - 3} more" if len(per_app) > 3 else "")
        + ". Send such work through the Batch API (results within 24 h)."
    )
    return _make(
        "batch",
        "Move off-hours work to the Batch API (50% off)",
        detail,
        "requests made at night or at weekends (UTC) can wait up to 24 h; only that off-hours part of "
        f"apps with at least {OFF_HOURS_MIN_SHARE:.0%} off-hours spend is counted; Batch is 50% off tokens "
        "(not web-search fees) at OpenAI, Anthropic and Google",
        BATCH_DISCOUNT * float(per_app["off_tokens"].sum()),
        rows.loc[chosen],
        days,
    )


def _unread_cache_writes(u: pd.DataFrame, days: int) -> Suggestion | None:
    key = _model_label(u)
    cols = [
        "input_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cache_write_1h_tokens",
        "cost_input_usd",
        "cost_cache_read_usd",
        "cost_cache_write_usd",
        "requests",
        "cost_usd",
    ]
    g = u[cols].groupby(key, sort=False, observed=True).sum()
    g = g[(g["cache_write_tokens"] > 0) & (g["cache_read_tokens"] < g["cache_write_tokens"])]
    if len(g) == 0:
        return None
    # no uncached input to read the base price from: writes cost 1.25x (5 min) or 2x (1 h) of it
    write_weight = (
        CACHE_WRITE_5M_FACTOR * (g["cache_write_tokens"] - g["cache_write_1h_tokens"])
        + CACHE_WRITE_1H_FACTOR * g["cache_write_1h_tokens"]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(
            g["input_tokens"] > 0,
            g["cost_input_usd"] / g["input_tokens"].where(g["input_tokens"] > 0, 1),
            g["cost_cache_write_usd"] / write_weight,
        )
    without = base * (g["cache_write_tokens"] + g["cache_read_tokens"])
    cached = g["cost_cache_write_usd"] + g["cost_cache_read_usd"]
    g = g.assign(saving=cached - without)
    g = g[~_at_least(without, cached)].sort_values("saving", ascending=False, kind="mergesort")
    if len(g) == 0:
        return None
    parts = [
        f"{k}: {int(r['cache_write_tokens']):,} tokens written, {int(r['cache_read_tokens']):,} read "
        f"({r['cache_read_tokens'] / r['cache_write_tokens']:.2f} reads per written token)"
        for k, r in g.head(3).iterrows()
    ]
    rows = u.loc[key.isin(g.index.tolist()).to_numpy() & (u["cache_write_tokens"].to_numpy() > 0)]
    detail = (
        "Cache writes cost more than plain input (1.25x for 5 minutes, 2x for 1 hour at Anthropic) and pay off "
        "only when read again: "
        + "; ".join(parts)
        + ". Move the cache breakpoint to the part of the prompt that really repeats, or drop cache_control."
    )
    return _make(
        "cache-writes-unread",
        "Stop paying for cache writes that are never read",
        detail,
        "without caching these written and read tokens would be billed at the model's base input price "
        "(derived from its uncached input cost)",
        float(g["saving"].sum()),
        rows,
        days,
    )


def _reasoning_heavy(pr: pd.DataFrame, exclude: np.ndarray, days: int) -> Suggestion | None:
    out = pr["output_tokens"].to_numpy(dtype="float64")
    rsn = pr["reasoning_tokens"].to_numpy(dtype="float64")
    visible = out - rsn
    mask = (
        ~exclude
        & (rsn > 0)
        & (rsn >= REASONING_SHARE * out)
        & (visible < REASONING_MAX_VISIBLE)
        & (pr["input_all"].to_numpy() < REASONING_MAX_INPUT)
    )
    rows = pr.loc[mask]
    if len(rows) == 0:
        return None
    reasoning_cost = rows["cost_output_usd"].to_numpy() * rsn[mask] / out[mask]
    detail = (
        f"{plural(len(rows), 'short request')} ({_top_names(_model_label(rows), rows['cost_output_usd'])}: under "
        f"{REASONING_MAX_INPUT:,} input and {REASONING_MAX_VISIBLE} visible output tokens) spent "
        f"{int(rsn[mask].sum()):,} tokens ({_money(float(reasoning_cost.sum()))}) on reasoning, "
        f"at least {REASONING_SHARE:.0%} of their output. Use a lower reasoning effort or a non-reasoning model for them."
    )
    return _make(
        "reasoning-heavy",
        "Lower the reasoning effort on simple requests",
        detail,
        f"a lower reasoning effort cuts reasoning tokens by {REASONING_CUT:.0%} on these requests without hurting answers",
        REASONING_CUT * float(reasoning_cost.sum()),
        rows,
        days,
    )


PER_REQUEST_COLUMNS = (
    "model",
    "requests",
    "input_all",
    "output_tokens",
    "reasoning_tokens",
    "cost_usd",
    "cost_output_usd",
    "cost_web_search_usd",
)


def suggest(p: Prepared, days: int, book: PriceBook | None = None) -> list[Suggestion]:
    """The suggestions for ``p`` over ``days`` calendar days, largest saving
    first. ``book``: the price table the rows were priced with, for cached
    input prices the data does not show (default: the bundled table)."""
    df = p.rows
    u = select(df, df["usage"].to_numpy(dtype=bool))
    if len(u) == 0:
        return []
    prices = _model_prices(u)
    pr = u.loc[u["per_request"].to_numpy(dtype=bool), list(PER_REQUEST_COLUMNS)]
    found: list[Suggestion | None] = []
    if len(pr):
        model = _model_label(pr)
        in_p = cat_map(model, prices["in"], 0.0)
        out_p = cat_map(model, prices["out"], 0.0)
        premium = _at_least(in_p, PREMIUM_INPUT_PER_M) | _at_least(out_p, PREMIUM_OUTPUT_PER_M)
        short, short_mask = _premium_short(pr, premium, days)
        found += [
            short,
            _long_output(pr, short_mask, days),
            _reasoning_heavy(pr, short_mask, days),
        ]
    found += [_no_caching(p, u, prices, days, book), _batch(u, days), _unread_cache_writes(u, days)]
    out = [s for s in found if s is not None]
    out.sort(key=lambda s: (-s.estimated_savings_usd, s.id))
    return out
