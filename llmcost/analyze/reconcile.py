"""Reconciliation: our computed cost vs the provider's reported cost.

Only *usage* rows (they carry requests or tokens) that are priced and have a
``reported_cost_usd`` are compared, row for row, so both sides cover exactly
the same usage. Cost-only rows have no tokens to price and are never on the
"ours" side. The difference is ``ours - provider`` in $ and as a fraction of
the provider's cost.

Split by model, and by token kind: the provider's per-kind amounts are known
only when every compared row names its token kind in ``feature`` (the
Anthropic cost report's ``token_type`` such as ``uncached_input_tokens``,
``cache_read_input_tokens``, ``cache_creation...``, ``output_tokens``, its
``cost_type`` ``web_search``, or an OpenAI line item ending in ``input`` /
``cached input`` / ``output``, or naming web search); the ``web_search`` kind is
listed only when either side has web-search cost;
otherwise only our per-kind split is shown, next to the total difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frame import Prepared
from .model import Reconciliation, ReconRow

KIND_COST_COLUMNS: dict[str, str] = {
    "input": "cost_input_usd",
    "cache_read": "cost_cache_read_usd",
    "cache_write": "cost_cache_write_usd",
    "output": "cost_output_usd",
    "web_search": "cost_web_search_usd",
}


def token_kind(label: str) -> str:
    """The kind a token-type / cost-type label names: input/cache_read/
    cache_write/output/web_search, "" if none."""
    f = label.lower()
    if any(k in f for k in ("web_search", "web search", "web-search")):
        return "web_search"
    if "uncached" in f or "no_cache" in f:
        return "input"
    if any(k in f for k in ("cache_read", "cached input", "cached_input", "cache read")):
        return "cache_read"
    if any(k in f for k in ("cache_creation", "cache_write", "cache write", "cache creation")):
        return "cache_write"
    if "output" in f:
        return "output"
    if "input" in f:
        return "input"
    return ""


def feature_kind(feature: pd.Series) -> np.ndarray:
    """Token kind per row of a categorical ``feature`` column."""
    cats = feature.cat.categories
    table = np.array([token_kind(str(c)) for c in cats] + [""], dtype=object)
    return table[feature.cat.codes.to_numpy()]


def reconcile(p: Prepared, top: int = 10) -> Reconciliation:
    df = p.rows
    has_rep = df["reported_cost_usd"].notna().to_numpy() & df["usage"].to_numpy(dtype=bool)
    unp = p.unpriced
    unpriced_rep = int((unp["reported_cost_usd"].notna() & unp["usage"]).sum()) if len(unp) else 0
    if not has_rep.any():
        return Reconciliation(
            available=False,
            rows=0,
            requests=0,
            total=None,
            unpriced_rows_with_reported_cost=unpriced_rep,
            note="no usage row carries a provider-reported cost",
        )
    r = df.loc[has_rep]
    ours = float(r["cost_usd"].sum())
    theirs = float(r["reported_cost_usd"].sum())
    total = ReconRow(key="total", ours_usd=ours, provider_usd=theirs, rows=len(r))

    g = r[["cost_usd", "reported_cost_usd"]].groupby(r["model"], sort=False, observed=True)
    by = g.sum().assign(rows=g.size())
    by = by.assign(absdiff=(by["cost_usd"] - by["reported_cost_usd"]).abs())
    by = by.sort_values(["absdiff", "cost_usd"], ascending=[False, False], kind="mergesort")
    if top > 0:
        by = by.head(top)
    by_model = [
        ReconRow(key=str(k), ours_usd=float(o), provider_usd=float(t), rows=int(n))
        for k, o, t, n in zip(by.index.tolist(), by["cost_usd"].tolist(), by["reported_cost_usd"].tolist(), by["rows"].tolist())
    ]

    kinds = feature_kind(p.dimension("feature", r))
    split = bool((kinds != "").all())
    by_kind: list[ReconRow] = []
    for kind, col in KIND_COST_COLUMNS.items():
        prov: float | None = None
        if split:
            prov = float(r["reported_cost_usd"].to_numpy()[kinds == kind].sum())
        ours_kind = float(r[col].sum())
        if kind == "web_search" and not ours_kind and not prov:
            continue
        by_kind.append(ReconRow(key=kind, ours_usd=ours_kind, provider_usd=prov, rows=len(r)))
    other = ours - sum(k.ours_usd for k in by_kind)
    if abs(other) > 1e-9:
        by_kind.append(ReconRow(key="other", ours_usd=other, provider_usd=0.0 if split else None, rows=len(r)))
    note = (
        "provider split by token kind taken from the rows' token type"
        if split
        else "the provider gives no split by token kind: our split is shown next to the total difference"
    )
    return Reconciliation(
        available=True,
        rows=len(r),
        requests=int(np.asarray(r["requests"]).sum()),
        total=total,
        by_model=by_model,
        by_kind=by_kind,
        kind_split_from_provider=split,
        unpriced_rows_with_reported_cost=unpriced_rep,
        note=note,
    )


def split_cost_exports(priced: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Separate cost-export rows that describe the same spend as usage rows.

    A cost-only row (no tokens, no requests, a billed amount) whose provider
    also has usage rows on the same UTC day is the provider's bill for that
    usage: counting both would double the spend. Such rows are taken out of
    the totals and used for reconciliation instead. Returns
    ``(rows kept for the totals, cost-export rows moved to reconciliation)``.
    """
    if len(priced) == 0:
        return priced, priced.iloc[0:0]
    tokens = priced[["input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens"]].sum(axis=1)
    if "web_search_requests" in priced.columns:
        tokens = tokens + priced["web_search_requests"]
    cost_only = (priced["requests"] == 0) & (tokens == 0) & priced["reported_cost_usd"].notna()
    if not cost_only.any() or cost_only.all():
        return priced, priced.iloc[0:0]
    day = priced["time"].dt.floor("D")
    prov = priced["provider"].astype("string").fillna("").str.lower()
    usage_keys = set(zip(prov[~cost_only], day[~cost_only]))
    same = cost_only & pd.Series([k in usage_keys for k in zip(prov, day)], index=priced.index)
    if not same.any():
        return priced, priced.iloc[0:0]
    return priced.loc[~same], priced.loc[same]


def reconcile_exports(usage: pd.DataFrame, exports: pd.DataFrame, top: int = 10) -> Reconciliation:
    """Provider cost exports vs our price of the usage rows on the same days.

    Compared per provider over the (provider, day) pairs both sides cover;
    by token kind when the export rows name one (Anthropic's ``token_type``,
    OpenAI line items such as "gpt-4o, cached input").
    """
    day_u = usage["time"].dt.floor("D")
    day_e = exports["time"].dt.floor("D")
    prov_u = usage["provider"].astype("string").fillna("").str.lower()
    prov_e = exports["provider"].astype("string").fillna("").str.lower()
    keys = set(zip(prov_e, day_e))
    in_common = pd.Series([k in keys for k in zip(prov_u, day_u)], index=usage.index) & usage["priced"].astype(bool)
    u = usage.loc[in_common]
    ours = float(u["cost_usd"].sum())
    theirs = float(exports["reported_cost_usd"].sum())
    days = len({d for _, d in keys})
    total = ReconRow(key="total", ours_usd=ours, provider_usd=theirs, rows=len(u))
    by_provider: list[ReconRow] = []
    for p in sorted(set(prov_e)):
        o = float(u.loc[u["provider"].astype("string").str.lower() == p, "cost_usd"].sum())
        t = float(exports.loc[prov_e == p, "reported_cost_usd"].sum())
        by_provider.append(ReconRow(key=p or "(unknown)", ours_usd=o, provider_usd=t, rows=int((prov_e == p).sum())))
    kinds = np.array([token_kind(str(f)) for f in exports["feature"].astype("string").fillna("")], dtype=object)
    split = bool(len(kinds)) and bool((kinds != "").all())
    by_kind: list[ReconRow] = []
    for kind, col in KIND_COST_COLUMNS.items():
        prov = float(exports["reported_cost_usd"].to_numpy()[kinds == kind].sum()) if split else None
        ours_kind = float(u[col].sum())
        if kind == "web_search" and not ours_kind and not prov:
            continue
        by_kind.append(ReconRow(key=kind, ours_usd=ours_kind, provider_usd=prov, rows=len(u)))
    note = (
        f"provider cost exports ({', '.join(sorted(set(exports['source'].astype(str))))}) compared with our price of "
        f"the usage rows of the same provider on the same {days} day{'s' if days != 1 else ''}; "
        "the exports are not added to the totals"
    )
    return Reconciliation(
        available=True,
        rows=len(u),
        requests=int(u["requests"].sum()),
        total=total,
        by_model=by_provider[:top] if top > 0 else by_provider,
        by_kind=by_kind,
        kind_split_from_provider=split,
        unpriced_rows_with_reported_cost=0,
        note=note,
        group_by="provider",
    )
