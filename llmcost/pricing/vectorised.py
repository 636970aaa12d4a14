"""Price a whole canonical usage table at once.

Each distinct (model, provider hint) is resolved once; each distinct
(resolved model, day, batch, service tier) gets its :class:`Quote` once (models
with time-of-day prices, like DeepSeek's off-peak hours, are keyed by
half-hour instead of day); then every row is priced with numpy arithmetic.

Server-side web searches (``web_search_requests``) are priced per 1,000
searches at the quote's ``web_search_per_k`` into ``cost_web_search_usd``,
which is part of ``cost_usd``. A row with searches but no tokens is still a
usage row (not a cost-only row).
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
    searches = df["web_search_requests"].to_numpy(dtype="int64") if "web_search_requests" in df.columns else np.zeros(n, dtype="int64")
    cost_only = (requests == 0) & (total_tokens == 0) & (searches == 0) & ~np.isnan(reported)

    # 1. resolve each distinct (model, provider) once
    m_codes, m_uniq = pd.factorize(df["model"].astype("string").fillna(""), sort=False)
    p_codes, p_uniq = pd.factorize(df["provider"].astype("string").fillna(""), sort=False)
    mp_codes, mp_pairs = _combine([m_codes, p_codes], [len(m_uniq), len(p_uniq)])
    resolutions: list[Resolution | None] = [
        book.resolve(str(m_uniq[mi]), str(p_uniq[pi])) for mi, pi in mp_pairs
    ]
    res_ok = np.array([r is not None for r in resolutions], dtype=bool)
    tod = np.array([r is not None and book.has_time_of_day_prices(r) for r in resolutions], dtype=bool)
    row_res_ok = res_ok[mp_codes] & ~cost_only
    row_tod = tod[mp_codes]

    # 2. one quote per (resolution, time bucket, batch, tier)
    now_ns = pd.Timestamp(datetime.now(tz=UTC)).value
    t_ns = df["time"].array.asi8 if len(df) else np.zeros(0, dtype="int64")
    t_ns = np.where(df["time"].isna().to_numpy(), now_ns, t_ns)
    day_ns = 86_400 * 10**9
    half_hour_ns = 1_800 * 10**9
    bucket = np.where(row_tod, (t_ns // half_hour_ns) * half_hour_ns, (t_ns // day_ns) * day_ns)
    b_codes, b_uniq = pd.factorize(bucket, sort=False)
    tier_codes, tier_uniq = pd.factorize(_norm_tier(df["service_tier"]), sort=False)
    batch_codes = df["batch"].to_numpy(dtype=bool).astype("int64")
    q_codes = np.full(n, -1, dtype="int64")
    quotes: list[Quote] = []
    sel = np.nonzero(row_res_ok)[0]
    if len(sel):
        codes, combos = _combine(
            [mp_codes[sel], b_codes[sel], batch_codes[sel], tier_codes[sel]],
            [len(resolutions), len(b_uniq), 2, max(len(tier_uniq), 1)],
        )
        q_codes[sel] = codes
        for res_i, b_i, is_batch, tier_i in combos:
            res = resolutions[int(res_i)]
            assert res is not None
            when = pd.Timestamp(int(b_uniq[b_i]), tz="UTC").to_pydatetime()
            quotes.append(book.quote_resolved(res, when, batch=bool(is_batch), service_tier=str(tier_uniq[tier_i])))

    # 3. price arrays per quote, including up to T long-context tiers
    n_tiers = max((len(q.tiers) for q in quotes), default=0)
    base = np.array([q.prices() for q in quotes], dtype="float64").reshape(len(quotes), 5)
    web_per_k = np.array([q.web_search_per_k for q in quotes] or [0.0], dtype="float64")
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
    c_web = searches * np.where(priced, web_per_k[qc] if len(quotes) else 0.0, 0.0) / 1e3
    total = c_in + c_cr + c_cw + c_out + c_web
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
    df["cost_web_search_usd"] = np.where(priced, c_web, zeros)
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


def _combine(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Factorize several code arrays jointly: (joint codes, unique code tuples)."""
    key = np.zeros(len(codes[0]), dtype="int64")
    for c, size in zip(codes, sizes):
        key = key * max(size, 1) + np.asarray(c, dtype="int64")
    joint, uniq = pd.factorize(key, sort=False)
    combos: list[tuple[int, ...]] = []
    for k in uniq:
        parts = []
        for size in reversed(sizes):
            parts.append(int(k % max(size, 1)))
            k //= max(size, 1)
        combos.append(tuple(reversed(parts)))
    return joint.astype("int64"), combos


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
    web_search_requests: int = 0,
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
        web_search_requests=web_search_requests,
        long_context=long_context,
    )
