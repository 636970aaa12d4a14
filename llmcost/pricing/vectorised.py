"""Price a whole canonical usage table at once.

Each distinct (model, provider hint) is resolved once; each distinct
(resolved model, day, batch, service tier) gets its :class:`Quote` once (models
with time-of-day prices, like DeepSeek's off-peak hours, are keyed by
half-hour instead of day); then every row is priced with numpy arithmetic.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from ..schema import PRICED_COLUMNS
from .book import PriceBook, Quote, Resolution

BILLED_MODEL = "(billed amount)"


def _norm_tier(s: pd.Series) -> pd.Series:
    low = s.astype("string").str.lower().fillna("")
    keep = low.isin(["priority", "flex", "fast", "scale"])
    return low.where(keep, "")


def price_usage(table: pd.DataFrame, book: PriceBook | None = None) -> pd.DataFrame:
    """Return ``table`` plus the priced columns of :data:`llmcost.schema.PRICED_COLUMNS`.

    Rows whose model cannot be resolved get ``priced=False`` and zero cost (they
    are reported separately, never silently counted as free). Cost-only rows
    (no tokens, no requests, a billed amount) are counted at their billed amount.
    """
    book = book or PriceBook.default()
    df = table.copy(deep=False)
    n = len(df)
    zeros = np.zeros(n)
    if n == 0:
        for c in PRICED_COLUMNS:
            df[c] = pd.Series([], dtype=_dtype(c))
        return df

    tok = {c: df[c].to_numpy(dtype="int64") for c in (
        "input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens")}
    total_tokens = tok["input_tokens"] + tok["cache_read_tokens"] + tok["cache_write_tokens"] + tok["output_tokens"]
    reported = df["reported_cost_usd"].to_numpy(dtype="float64")
    requests = df["requests"].to_numpy(dtype="int64")
    cost_only = (requests == 0) & (total_tokens == 0) & ~np.isnan(reported)

    # 1. resolve each distinct (model, provider) once
    mp = pd.DataFrame({"model": df["model"].astype("string").fillna(""), "provider": df["provider"].astype("string").fillna("")})
    mp_codes, mp_uniques = pd.MultiIndex.from_frame(mp).factorize()
    resolutions: list[Resolution | None] = [book.resolve(str(m), str(p)) for m, p in mp_uniques]
    res_ok = np.array([r is not None for r in resolutions], dtype=bool)
    tod = np.array([r is not None and book.has_time_of_day_prices(r) for r in resolutions], dtype=bool)
    row_res_ok = res_ok[mp_codes] & ~cost_only
    row_tod = tod[mp_codes]

    # 2. one quote per (resolution, time bucket, batch, tier)
    times = df["time"]
    now = pd.Timestamp(datetime.now(tz=UTC))
    times = times.fillna(now)
    bucket = times.dt.floor("D")
    if row_tod.any():
        bucket = bucket.where(~pd.Series(row_tod, index=df.index), times.dt.floor("30min"))
    keys = pd.DataFrame(
        {
            "res": mp_codes,
            "bucket": bucket.to_numpy(),
            "batch": df["batch"].to_numpy(dtype=bool),
            "tier": _norm_tier(df["service_tier"]).to_numpy(),
        }
    )
    keys = keys[row_res_ok]
    q_codes = np.full(n, -1, dtype="int64")
    quotes: list[Quote] = []
    if len(keys):
        codes, uniq = pd.MultiIndex.from_frame(keys).factorize()
        q_codes[row_res_ok] = codes
        for res_i, bucket_ts, is_batch, tier in uniq:
            res = resolutions[int(res_i)]
            assert res is not None
            when = pd.Timestamp(bucket_ts).to_pydatetime()
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            quotes.append(book.quote_resolved(res, when, batch=bool(is_batch), service_tier=str(tier)))

    # 3. price arrays per quote, including up to T long-context tiers
    n_tiers = max((len(q.tiers) for q in quotes), default=0)
    base = np.array([q.prices() for q in quotes], dtype="float64").reshape(len(quotes), 5)
    starts = np.full((len(quotes), max(n_tiers, 1)), np.inf)
    tier_prices = np.zeros((len(quotes), max(n_tiers, 1), 5))
    for i, q in enumerate(quotes):
        for j, (start, tq) in enumerate(q.tiers):
            starts[i, j] = start
            tier_prices[i, j] = tq.prices()

    priced = q_codes >= 0
    qc = np.where(priced, q_codes, 0)
    if len(quotes):
        row_prices = base[qc].copy()
        total_in = tok["input_tokens"] + tok["cache_read_tokens"] + tok["cache_write_tokens"]
        lc = df["long_context"]
        lc_known = lc.notna().to_numpy()
        lc_true = lc.fillna(False).to_numpy(dtype=bool)
        # per-request rows: tier from the request's own input; aggregated rows: only from long_context
        level = np.full(n, -1, dtype="int64")
        per_request = requests <= 1
        for j in range(n_tiers):
            hit = per_request & ~lc_known & (total_in > starts[qc, j])
            level = np.where(hit, j, level)
        has_tier = np.isfinite(starts[qc, 0])
        level = np.where(lc_known & lc_true & has_tier, 0, level)
        level = np.where(lc_known & ~lc_true, -1, level)
        long_billed = priced & (level >= 0)
        if long_billed.any():
            idx = np.nonzero(long_billed)[0]
            row_prices[idx] = tier_prices[qc[idx], level[idx]]
        row_prices[~priced] = 0.0
    else:
        row_prices = np.zeros((n, 5))
        long_billed = np.zeros(n, dtype=bool)

    five_m = tok["cache_write_tokens"] - tok["cache_write_1h_tokens"]
    c_in = tok["input_tokens"] * row_prices[:, 0] / 1e6
    c_cr = tok["cache_read_tokens"] * row_prices[:, 1] / 1e6
    c_cw = (five_m * row_prices[:, 2] + tok["cache_write_1h_tokens"] * row_prices[:, 3]) / 1e6
    c_out = tok["output_tokens"] * row_prices[:, 4] / 1e6
    total = c_in + c_cr + c_cw + c_out
    total = np.where(cost_only, reported, total)

    res_model = np.array([r.model_id if r is not None else "" for r in resolutions] or [""], dtype=object)
    res_prov = np.array([r.provider if r is not None else "" for r in resolutions] or [""], dtype=object)
    price_model = np.where(priced, res_model[mp_codes], "")
    price_model = np.where(cost_only, BILLED_MODEL, price_model)
    price_provider = np.where(priced | cost_only, res_prov[mp_codes], "")

    df["cost_input_usd"] = np.where(priced, c_in, zeros)
    df["cost_cache_read_usd"] = np.where(priced, c_cr, zeros)
    df["cost_cache_write_usd"] = np.where(priced, c_cw, zeros)
    df["cost_output_usd"] = np.where(priced, c_out, zeros)
    df["cost_usd"] = np.where(priced | cost_only, total, zeros)
    df["priced"] = priced | cost_only
    df["price_model"] = pd.Series(price_model, index=df.index, dtype="string")
    df["price_provider"] = pd.Series(price_provider, index=df.index, dtype="string")
    df["long_context_billed"] = long_billed
    # fill in the provider the price table found, where the log did not say
    missing = (df["provider"] == "") & (df["price_provider"] != "")
    if missing.any():
        df.loc[missing, "provider"] = df.loc[missing, "price_provider"]
    return df


def _dtype(col: str) -> str:
    if col in ("priced", "long_context_billed"):
        return "bool"
    if col in ("price_model", "price_provider"):
        return "string"
    return "float64"


def price_one(
    book: PriceBook,
    model: str,
    *,
    provider: str = "",
    when: datetime | None = None,
    input_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    output_tokens: int = 0,
    batch: bool = False,
    long_context: bool | None = None,
) -> float | None:
    """Price one request the slow way (reference and benchmarks): None if unknown."""
    q = book.quote(model, when, provider=provider, batch=batch)
    if q is None:
        return None
    return q.cost(
        input_tokens=input_tokens,
        cache_read_tokens=cache_read_tokens,
        cache_write_tokens=cache_write_tokens,
        cache_write_1h_tokens=cache_write_1h_tokens,
        output_tokens=output_tokens,
        long_context=long_context,
    )
