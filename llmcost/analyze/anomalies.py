"""Cost anomalies: unusual days (in total and per model) and single requests.

Days. For every UTC day with at least ``MIN_HISTORY`` (7) preceding days of
data in the series (days without rows count as $0), the baseline is the
*median* of the preceding ``WINDOW`` (14) days and the spread is their median
absolute deviation (MAD, unscaled). A day is anomalous when

    cost > median + 3 × max(MAD, 5 % of the median)

(the 5 % floor stops a perfectly flat history from flagging cent-level noise)
and it adds at least $0.01 and at least 5 % of that day's total cost. The
history must have spend on at least half of its days (a sparse series has a
median of $0 and would flag every busy day). Per model, the same test runs on
the model's own daily cost, with the same rule (a new model is not an
anomaly).

Likely cause: cost = requests × tokens/request × cost/token, so the day's
ratio to the baseline medians of those three factors says which moved: a
*volume spike* (requests), a *token explosion* (tokens per request) or, for
the total, a *model mix change* (cost per token, naming the model whose cost
share rose most); per model a rise in cost per token means less caching or a
long-context tier. Days whose cost comes from cost-only rows (no tokens) are
reported as "billed cost jump".

Single requests: per-request rows costing more than 10 × the 95th percentile
of their app's per-request costs (apps with at least 20 per-request rows).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from .frame import Prepared, cat_map, group_sum, select
from .model import Anomaly

WINDOW = 14
MIN_HISTORY = 7
MAD_K = 3.0
MAD_FLOOR_FRACTION = 0.05
MIN_EXCESS_USD = 0.01
MIN_DAY_SHARE = 0.05
RATIO_NOTABLE = 1.5
REQUEST_P95_MULTIPLE = 10.0
REQUEST_MIN_APP_ROWS = 20


def _thresholds(hist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    med = np.median(hist, axis=0)
    mad = np.median(np.abs(hist - med), axis=0)
    return med, med + MAD_K * np.maximum(mad, MAD_FLOOR_FRACTION * med)


def _ratio(value: float, base: float) -> float | None:
    if base > 0 and value > 0:
        return value / base
    return None


def _fmt_ratio(name: str, r: float | None) -> str:
    return f"{name} x{r:.1f}" if r is not None else f"{name} n/a"


def _cause(req_r: float | None, tpr_r: float | None, cpt_r: float | None, cpt_name: str) -> str:
    cands = {"volume spike": req_r, "token explosion": tpr_r, cpt_name: cpt_r}
    scored = {k: math.log(v) for k, v in cands.items() if v is not None and v >= RATIO_NOTABLE}
    if not scored:
        return "mixed / gradual"
    return max(scored.items(), key=lambda kv: kv[1])[0]


def _daily_frames(p: Prepared) -> tuple[pd.DatetimeIndex, pd.DataFrame, pd.DataFrame]:
    """Per-day totals over every day of the series, and per (day, model) sums."""
    day, dated = p.days()
    if not dated.any():
        return pd.DatetimeIndex([]), pd.DataFrame(), pd.DataFrame()
    df = select(p.rows, dated)
    days = pd.DatetimeIndex(day.cat.categories)
    per_model = group_sum(df, [day, df["model"]], ("requests", "tokens", "cost_usd")).drop(columns="rows")
    total = per_model.groupby(level=0).sum().reindex(days, fill_value=0)
    return days, total, per_model


def day_anomalies(p: Prepared, limit: int = 20) -> list[Anomaly]:
    days, total, per_model = _daily_frames(p)
    if len(days) <= MIN_HISTORY:
        return []
    cost = total["cost_usd"].to_numpy(dtype="float64")
    req = total["requests"].to_numpy(dtype="float64")
    tok = total["tokens"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        tpr = np.where(req > 0, tok / np.where(req > 0, req, 1), np.nan)
        cpt = np.where(tok > 0, cost / np.where(tok > 0, tok, 1), np.nan)
    mcost = per_model["cost_usd"].unstack(fill_value=0).reindex(days, fill_value=0)
    mreq = per_model["requests"].unstack(fill_value=0).reindex(days, fill_value=0).to_numpy(dtype="float64")
    mtok = per_model["tokens"].unstack(fill_value=0).reindex(days, fill_value=0).to_numpy(dtype="float64")
    models = [str(m) for m in mcost.columns]
    mc = mcost.to_numpy(dtype="float64")
    labels = days.strftime("%Y-%m-%d").tolist()

    found: list[Anomaly] = []
    for i in range(MIN_HISTORY, len(days)):
        lo = max(0, i - WINDOW)
        med, thr = _thresholds(cost[lo:i])
        day_total = cost[i]
        busy = int((cost[lo:i] > 0).sum()) * 2 >= (i - lo)
        if busy and day_total > thr and day_total - med >= MIN_EXCESS_USD:
            found.append(_total_anomaly(i, lo, labels[i], cost, req, tpr, cpt, mc, models, float(med), float(thr)))
        hist = mc[lo:i]
        mmed, mthr = _thresholds(hist)
        active = (hist > 0).sum(axis=0) * 2 >= (i - lo)
        hits = np.flatnonzero(
            active
            & (mc[i] > mthr)
            & (mc[i] - mmed >= MIN_EXCESS_USD)
            & (mc[i] - mmed >= MIN_DAY_SHARE * max(day_total, 0.0))
        )
        for j in hits:
            found.append(_model_anomaly(i, lo, int(j), labels[i], models[j], mc, mreq, mtok, float(mmed[j]), float(mthr[j])))
    found.sort(key=lambda a: (-a.excess_usd, a.date, a.model))
    return found[:limit]


def _median_pos(x: np.ndarray) -> float:
    x = x[np.isfinite(x) & (x > 0)]
    return float(np.median(x)) if len(x) else 0.0


def _total_anomaly(
    i: int,
    lo: int,
    date: str,
    cost: np.ndarray,
    req: np.ndarray,
    tpr: np.ndarray,
    cpt: np.ndarray,
    mc: np.ndarray,
    models: list[str],
    med: float,
    thr: float,
) -> Anomaly:
    if req[i] == 0:
        return Anomaly(
            kind="day",
            date=date,
            cost_usd=float(cost[i]),
            expected_usd=med,
            threshold_usd=thr,
            cause="billed cost jump",
            detail="the day's cost comes from cost-only rows (no token counts to explain it)",
        )
    req_r = _ratio(float(req[i]), _median_pos(req[lo:i]))
    tpr_r = _ratio(float(tpr[i]), _median_pos(tpr[lo:i]))
    cpt_r = _ratio(float(cpt[i]), _median_pos(cpt[lo:i]))
    hist_cost = mc[lo:i].sum(axis=0)
    hist_share = hist_cost / hist_cost.sum() if hist_cost.sum() > 0 else np.zeros_like(hist_cost)
    day_share = mc[i] / mc[i].sum() if mc[i].sum() > 0 else np.zeros_like(hist_cost)
    j = int(np.argmax(day_share - hist_share))
    cause = _cause(req_r, tpr_r, cpt_r, "model mix change")
    detail = ", ".join([_fmt_ratio("requests", req_r), _fmt_ratio("tokens/request", tpr_r), _fmt_ratio("cost/token", cpt_r)])
    detail += f"; {models[j]} {hist_share[j]:.0%} -> {day_share[j]:.0%} of cost"
    return Anomaly(
        kind="day",
        date=date,
        cost_usd=float(cost[i]),
        expected_usd=med,
        threshold_usd=thr,
        cause=cause,
        detail=detail,
        model=models[j] if cause == "model mix change" else "",
    )


def _model_anomaly(
    i: int,
    lo: int,
    j: int,
    date: str,
    model: str,
    mc: np.ndarray,
    mreq: np.ndarray,
    mtok: np.ndarray,
    med: float,
    thr: float,
) -> Anomaly:
    req, tok, cost = mreq[:, j], mtok[:, j], mc[:, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        tpr = np.where(req > 0, tok / np.where(req > 0, req, 1), np.nan)
        cpt = np.where(tok > 0, cost / np.where(tok > 0, tok, 1), np.nan)
    if req[i] == 0:
        cause, detail = "billed cost jump", "cost-only rows (no token counts to explain it)"
    else:
        req_r = _ratio(float(req[i]), _median_pos(req[lo:i]))
        tpr_r = _ratio(float(tpr[i]), _median_pos(tpr[lo:i]))
        cpt_r = _ratio(float(cpt[i]), _median_pos(cpt[lo:i]))
        cause = _cause(req_r, tpr_r, cpt_r, "cost per token rise (less caching or long-context tier)")
        detail = ", ".join(
            [_fmt_ratio("requests", req_r), _fmt_ratio("tokens/request", tpr_r), _fmt_ratio("cost/token", cpt_r)]
        )
    return Anomaly(
        kind="model-day",
        date=date,
        cost_usd=float(cost[i]),
        expected_usd=med,
        threshold_usd=thr,
        cause=cause,
        detail=detail,
        model=model,
    )


def request_anomalies(p: Prepared, limit: int = 10) -> list[Anomaly]:
    cols = ["time", "model", "app", "input_all", "output_tokens", "cost_usd", "source", "pos"]
    pr = p.rows.loc[p.rows["per_request"].to_numpy(dtype=bool), cols]
    if len(pr) == 0:
        return []
    app = pr["app"]
    g = pr["cost_usd"].groupby(app, sort=False, observed=True)
    counts = g.size()
    p95 = g.quantile(0.95)
    p95 = p95[(counts >= REQUEST_MIN_APP_ROWS) & (p95 > 0)]
    if len(p95) == 0:
        return []
    base = cat_map(app, p95)
    cost = pr["cost_usd"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        hit = np.nan_to_num(cost > REQUEST_P95_MULTIPLE * base, nan=False).astype(bool)
    if not hit.any():
        return []
    rows = pr.loc[hit].assign(anom_base=base[hit])
    rows = rows.sort_values(["cost_usd", "pos"], ascending=[False, True], kind="mergesort").head(limit)
    ids = p.request_ids(rows["pos"])
    lines = p.source_rows(rows["pos"])
    out = []
    records: list[dict[Any, Any]] = rows.to_dict("records")
    for rec, rid, line in zip(records, ids, lines):
        r = SimpleNamespace(**rec)
        t = r.time
        out.append(
            Anomaly(
                kind="request",
                date=t.strftime("%Y-%m-%d") if not pd.isna(t) else "",
                cost_usd=float(r.cost_usd),
                expected_usd=float(r.anom_base),
                threshold_usd=float(r.anom_base) * REQUEST_P95_MULTIPLE,
                cause="single expensive request",
                detail=(
                    f"{int(r.input_all):,} input / {int(r.output_tokens):,} output tokens; "
                    f"{r.cost_usd / r.anom_base:.0f}x the app's p95 request cost"
                ),
                model=str(r.model),
                app=str(r.app),
                request_id=rid,
                source=str(r.source),
                source_row=line,
            )
        )
    return out
