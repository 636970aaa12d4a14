"""Reconciliation: our computed cost vs the provider's reported cost.

Only *usage* rows (they carry requests or tokens) that are priced and have a
``reported_cost_usd`` are compared, row for row, so both sides cover exactly
the same usage. Cost-only rows have no tokens to price and are never on the
"ours" side. The difference is ``ours - provider`` in $ and as a fraction of
the provider's cost.

Split by model, and by token kind: the provider's per-kind amounts are known
only when every compared row names its token kind in ``feature`` (the
Anthropic cost report's ``token_type`` such as ``uncached_input_tokens``,
``cache_read_input_tokens``, ``cache_creation...``, ``output_tokens``, or an
OpenAI line item ending in ``input`` / ``cached input`` / ``output``);
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
}


def token_kind(label: str) -> str:
    """The token kind a token-type label names: input/cache_read/cache_write/output, "" if none."""
    f = label.lower()
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
        by_kind.append(ReconRow(key=kind, ours_usd=float(r[col].sum()), provider_usd=prov, rows=len(r)))
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
