"""Row-level sections: the most expensive single calls and the unpriced rows.

Top calls use only *per-request* rows (see :mod:`llmcost.analyze.frame`):
a daily bucket is not a call. Unpriced rows are grouped by model and provider
with their requests, tokens by kind, the provider's reported cost where the
rows carry one, and the files they came from, so a price can be added for
them (``--prices``) or the model name fixed.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from .frame import Prepared
from .model import UNKNOWN, TopCall, UnpricedRow


def top_calls(p: Prepared, top: int = 10) -> list[TopCall]:
    df = p.rows
    per_request = df["per_request"].to_numpy(dtype=bool)
    if not per_request.any() or top <= 0:
        return []
    cost = pd.Series(np.where(per_request, df["cost_usd"].to_numpy(), -np.inf), index=df.index)
    idx = cost.nlargest(min(top, int(per_request.sum())), keep="first").index
    cols = ["time", "provider_eff", "input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "cost_usd", "source", "pos"]
    best = df.loc[idx, cols].sort_values(["cost_usd", "pos"], ascending=[False, True], kind="mergesort")
    pos = best["pos"]
    ids, models, apps, users = (p.raw(c, pos) for c in ("request_id", "model", "app", "user"))
    lines = p.source_rows(pos)
    out = []
    records: list[dict[Any, Any]] = best.to_dict("records")
    for rec, rid, model, app, user, line in zip(records, ids, models, apps, users, lines):
        r = SimpleNamespace(**rec)
        out.append(
            TopCall(
                time=None if pd.isna(r.time) else r.time,
                model=model,
                provider="" if r.provider_eff == UNKNOWN else str(r.provider_eff),
                app=app,
                user=user,
                request_id=rid,
                input_tokens=int(r.input_tokens),
                cache_read_tokens=int(r.cache_read_tokens),
                cache_write_tokens=int(r.cache_write_tokens),
                output_tokens=int(r.output_tokens),
                cost_usd=float(r.cost_usd),
                source=str(r.source),
                source_row=line,
            )
        )
    return out


def unpriced(p: Prepared) -> list[UnpricedRow]:
    df = p.unpriced
    if len(df) == 0:
        return []
    model = df["model"].rename("m")
    prov = df["provider_eff"].rename("p")
    cols = ["requests", "input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens"]
    g = df[cols].groupby([model, prov], sort=False, observed=True)
    agg = g.sum()
    agg["rows"] = g.size()
    agg["reported"] = df["reported_cost_usd"].groupby([model, prov], sort=False, observed=True).sum(min_count=1)
    srcs = df["source"].astype(str).groupby([model, prov], sort=False, observed=True).unique()
    agg = agg.sort_values(["requests", "rows"], ascending=False, kind="mergesort")
    out = []
    for (m, pv), r in zip(agg.index.tolist(), agg.to_dict("records")):
        rep = r["reported"]
        out.append(
            UnpricedRow(
                model=str(m),
                provider="" if pv == UNKNOWN else str(pv),
                rows=int(r["rows"]),
                requests=int(r["requests"]),
                input_tokens=int(r["input_tokens"]),
                cache_read_tokens=int(r["cache_read_tokens"]),
                cache_write_tokens=int(r["cache_write_tokens"]),
                output_tokens=int(r["output_tokens"]),
                reported_cost_usd=None if pd.isna(rep) else float(rep),
                sources=sorted(str(s) for s in srcs.loc[(m, pv)] if str(s)),
            )
        )
    return out
