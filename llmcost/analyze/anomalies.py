"""Cost anomalies: unusual days (in total, per app and per model) and single
requests far above their app's usual cost.

Days. For every UTC day with at least ``MIN_HISTORY`` (7) preceding days of
data in the series (days without rows count as $0), the baseline is the
*median* of the preceding ``WINDOW`` (14) days and the spread is their median
absolute deviation (MAD, scaled by 1.4826 to estimate a standard deviation). A day is anomalous when

    cost > median + 3 × max(MAD, 5 % of the median)

(the 5 % floor stops a perfectly flat history from flagging cent-level noise)
and it adds at least $0.01. The history must have spend on at least half of
its days (a sparse series has a median of $0 and would flag every busy day).
The same test runs on the total, on each app's own daily cost ("app-day",
when the data names at least two apps) and on each model's ("model-day");
an app or model jump must also add at least 5 % of that day's total cost. A
new app or model has no history, so it is not an anomaly by itself (a new
model replacing an old one shows up as a *model switch* of the total or of
its app).

Likely cause: cost = requests × tokens/request × cost/token, so the day's
ratio to the baseline medians of those three factors (each ratio at least
1.5 to count; the largest wins) says which moved:

* *volume spike*: requests (or, for sources without request counts, tokens);
* *token explosion*: tokens per request;
* cost per token, split by what the models did (total and app days):
  *model switch* when the model that gained most cost share took at least
  half of the day's tokens while the baseline's main model lost at least half
  of its requests (traffic moved); *model mix change* when a model's cost
  share rose by 10 points or more otherwise (traffic added on a dearer
  model); else (and for model days) *cost per token rise (less caching or
  long-context tier)*.

Days whose cost comes from cost-only rows (no tokens, no requests) are
reported as "billed cost jump".

Hours. Rows from sources with real per-request (or hourly) times build an
hourly cost series, for the total ("hour") and, when the data names at least
two apps, per app ("app-hour"). A source whose dated rows all share one time
of day (daily buckets at midnight, or at a time-zone offset) has no hourly
information and is left out. Each hour is compared with the *same hour of
day* on the preceding ``WINDOW`` (14) days, at least ``MIN_HISTORY`` (7) of
them (UTC hours; a business-hours peak is its own baseline, so it is not an
anomaly): median + 4 × max(MAD, 5 % of the median) (a stricter bar: a month has ~1,000 hours), and the
excess must be at least $0.01 and at least 5 % of the average daily cost of
those days (all apps together), so near-zero baselines do not flag trivial
amounts. An hour of day that had spend on fewer than half of its baseline
days (night hours, or a tool used at random times) has a $0 median: there
the hour must also cost more than every hour of the window in the same scope,
so a night-time runaway job is flagged but sporadic use at a new time of day
is not. The cause is found as for days, against the same hour of day; an
hour that is usually idle and shows no other notable factor is a *volume
spike*. An hour is not reported when its day is already flagged for the same
scope with the same cause, unless that one hour carries at least half of the
day's excess (then the hour says where the day's jump happened). Hours are
labelled "YYYY-MM-DD HH:00" (UTC).

Single requests: per-request rows costing more than 10 × the 95th percentile
of their app's per-request costs (apps with at least 20 per-request rows).
Cause: *model switch* when the request used another model than the app's
most used one at a cost per token 1.5 × the app's median or more, and that
ratio beats the tokens ratio; *token explosion* when its tokens are at least
1.5 × the app's median request; else "single expensive request".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from .frame import Prepared, cat_map, group_sum, select
from .model import UNKNOWN, Anomaly

WINDOW = 14
MIN_HISTORY = 7
MAD_K = 3.0
MAD_SCALE = 1.4826  # MAD x 1.4826 estimates the standard deviation of normal noise
HOUR_MAD_K = 4.0  # ~1,000 hour tests a month: a stricter bar keeps false flags rare
MAD_FLOOR_FRACTION = 0.05
MIN_EXCESS_USD = 0.01
MIN_DAY_SHARE = 0.05
RATIO_NOTABLE = 1.5
MIX_SHARE_POINTS = 0.10
SWITCH_NEW_SHARE = 0.5
SWITCH_OLD_DROP = 0.5
REQUEST_P95_MULTIPLE = 10.0
REQUEST_MIN_APP_ROWS = 20
HOUR_DAY_SHARE = 0.10  # an hour's excess must be >= 10 % of the window's average daily cost
HOUR_CONCENTRATED = 0.25  # an hour with this share of its flagged day's excess is kept
HOUR_MAX_CELLS = 5_000_000  # days × 24 × apps kept in memory for app hours
_NS_PER_HOUR = 3_600 * 10**9
_NS_PER_DAY = 24 * _NS_PER_HOUR

CAUSE_VOLUME = "volume spike"
CAUSE_TOKENS = "token explosion"
CAUSE_SWITCH = "model switch"
CAUSE_MIX = "model mix change"
CAUSE_CPT = "cost per token rise (less caching or long-context tier)"
CAUSE_BILLED = "billed cost jump"
CAUSE_MIXED = "mixed / gradual"
_CPT = "cost/token"


@dataclass(frozen=True)
class _Slice:
    """Daily series of one slice (total, an app or a model), days × models."""

    cost: np.ndarray  # (days,)
    req: np.ndarray
    tok: np.ndarray
    mcost: np.ndarray | None  # (days, models) within the slice; None for a model slice
    mreq: np.ndarray | None
    mtok: np.ndarray | None
    models: list[str]


def _thresholds(hist: np.ndarray, k: float = MAD_K) -> tuple[np.ndarray, np.ndarray]:
    med = np.median(hist, axis=0)
    mad = MAD_SCALE * np.median(np.abs(hist - med), axis=0)
    return med, med + k * np.maximum(mad, MAD_FLOOR_FRACTION * med)


def _ratio(value: float, base: float) -> float | None:
    if base > 0 and value > 0:
        return value / base
    return None


def _fmt_ratio(name: str, r: float | None) -> str:
    return f"{name} x{r:.1f}" if r is not None else f"{name} n/a"


def _top_factor(ratios: dict[str, float | None]) -> str | None:
    scored = {k: math.log(v) for k, v in ratios.items() if v is not None and v >= RATIO_NOTABLE}
    if not scored:
        return None
    return max(scored.items(), key=lambda kv: kv[1])[0]


def _median_pos(x: np.ndarray) -> float:
    x = x[np.isfinite(x) & (x > 0)]
    return float(np.median(x)) if len(x) else 0.0


def _per(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _matrix(frame: pd.DataFrame | pd.Series, column: str, days: pd.Index) -> pd.DataFrame:
    wide: pd.DataFrame = frame[column].unstack(fill_value=0)
    return wide.reindex(days, fill_value=0)


def _flags(cost: np.ndarray, i: int, lo: int, day_total: float, share_rule: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns of ``cost`` (days × columns) anomalous on day ``i``; their medians and thresholds."""
    hist = cost[lo:i]
    med, thr = _thresholds(hist)
    active = (hist > 0).sum(axis=0) * 2 >= (i - lo)
    hit = active & (cost[i] > thr) & (cost[i] - med >= MIN_EXCESS_USD)
    if share_rule:
        hit &= cost[i] - med >= MIN_DAY_SHARE * max(day_total, 0.0)
    return np.flatnonzero(hit), med, thr


def _explain(s: _Slice, i: int, lo: int) -> tuple[str, str, str]:
    """(cause, detail, model named by the cause) for day ``i`` of a slice."""
    if s.req[i] == 0 and s.tok[i] == 0:
        return CAUSE_BILLED, "the day's cost comes from cost-only rows (no token counts to explain it)", ""
    cpt = _per(s.cost, s.tok)
    cpt_r = _ratio(float(cpt[i]), _median_pos(cpt[lo:i]))
    if s.req[i] > 0:
        tpr = _per(s.tok, s.req)
        vol_r = _ratio(float(s.req[i]), _median_pos(s.req[lo:i]))
        tpr_r = _ratio(float(tpr[i]), _median_pos(tpr[lo:i]))
        parts = [_fmt_ratio("requests", vol_r), _fmt_ratio("tokens/request", tpr_r), _fmt_ratio(_CPT, cpt_r)]
    else:  # sources without request counts: token volume stands in for requests
        vol_r = _ratio(float(s.tok[i]), _median_pos(s.tok[lo:i]))
        tpr_r = None
        parts = [_fmt_ratio("tokens", vol_r), _fmt_ratio(_CPT, cpt_r)]
    detail = ", ".join(parts)
    top = _top_factor({CAUSE_VOLUME: vol_r, CAUSE_TOKENS: tpr_r, _CPT: cpt_r})
    if s.mcost is None or s.mreq is None or s.mtok is None:
        if top is None:
            return CAUSE_MIXED, detail, ""
        return (CAUSE_CPT if top == _CPT else top), detail, ""
    hist_cost = s.mcost[lo:i].sum(axis=0)
    hist_share = hist_cost / hist_cost.sum() if hist_cost.sum() > 0 else np.zeros_like(hist_cost)
    day_share = s.mcost[i] / s.mcost[i].sum() if s.mcost[i].sum() > 0 else np.zeros_like(hist_cost)
    j = int(np.argmax(day_share - hist_share))
    if abs(day_share[j] - hist_share[j]) >= 0.05:  # only a real change in the model mix is worth saying
        detail += f"; {s.models[j]} {hist_share[j]:.0%} -> {day_share[j]:.0%} of cost"
    if top != _CPT:
        return (top or CAUSE_MIXED), detail, ""
    old = int(np.argmax(s.mtok[lo:i].sum(axis=0)))
    day_tok = s.mtok[i].sum()
    old_base = _median_pos(s.mreq[lo:i, old])
    moved = old_base > 0 and s.mreq[i, old] <= SWITCH_OLD_DROP * old_base
    if old != j and moved and day_tok > 0 and s.mtok[i, j] >= SWITCH_NEW_SHARE * day_tok:
        return CAUSE_SWITCH, detail + f"; traffic moved from {s.models[old]} to {s.models[j]}", s.models[j]
    if day_share[j] - hist_share[j] >= MIX_SHARE_POINTS:
        return CAUSE_MIX, detail, s.models[j]
    return CAUSE_CPT, detail, ""


def _anomaly(kind: str, label: str, s: _Slice, i: int, lo: int, med: float, thr: float, **names: str) -> Anomaly:
    cause, detail, model = _explain(s, i, lo)
    return Anomaly(
        kind=kind,
        date=label,
        cost_usd=float(s.cost[i]),
        expected_usd=med,
        threshold_usd=thr,
        cause=cause,
        detail=detail,
        model=names.get("model") or model,
        app=names.get("app", ""),
    )


def _app_models(df: pd.DataFrame, day: pd.Series, app: pd.Series) -> pd.DataFrame:
    """Sparse sums per (day, app, model) for explaining app days."""
    keys = pd.DataFrame({"day": day.to_numpy(), "app": app.to_numpy(), "model": df["model"].to_numpy()}, index=df.index)
    vals = df[["requests", "tokens", "cost_usd"]]
    return vals.groupby([keys["day"], keys["app"], keys["model"]], observed=True, sort=False).sum()


def _app_slice(sparse: pd.DataFrame, app: str, days: pd.DatetimeIndex, acost: np.ndarray, areq: np.ndarray, atok: np.ndarray) -> _Slice:
    sub = sparse.xs(app, level="app")
    return _Slice(
        cost=acost,
        req=areq,
        tok=atok,
        mcost=_matrix(sub, "cost_usd", days).to_numpy(dtype="float64"),
        mreq=_matrix(sub, "requests", days).to_numpy(dtype="float64"),
        mtok=_matrix(sub, "tokens", days).to_numpy(dtype="float64"),
        models=[str(m) for m in _matrix(sub, "cost_usd", days).columns],
    )


def _day_found(p: Prepared) -> list[Anomaly]:
    """Every anomalous day (total, app-day, model-day), unsorted."""
    day, dated = p.days()
    if not dated.any():
        return []
    days = pd.DatetimeIndex(day.cat.categories)
    if len(days) <= MIN_HISTORY:
        return []
    df = select(p.rows, dated)
    sums = ("requests", "tokens", "cost_usd")
    per_model = group_sum(df, [day, df["model"]], sums)
    mc = _matrix(per_model, "cost_usd", days).to_numpy(dtype="float64")
    mreq = _matrix(per_model, "requests", days).to_numpy(dtype="float64")
    mtok = _matrix(per_model, "tokens", days).to_numpy(dtype="float64")
    models = [str(m) for m in _matrix(per_model, "cost_usd", days).columns]
    total = _Slice(mc.sum(axis=1), mreq.sum(axis=1), mtok.sum(axis=1), mc, mreq, mtok, models)

    app_col = df["app"]
    app_names = [str(a) for a in app_col.cat.categories]
    per_app = group_sum(df, [day, app_col], sums)
    ac = _matrix(per_app, "cost_usd", days)
    apps = [str(a) for a in ac.columns]
    use_apps = len([a for a in apps if a != UNKNOWN]) >= 2 and len(app_names) >= 2
    acost = ac.to_numpy(dtype="float64")
    areq = _matrix(per_app, "requests", days).to_numpy(dtype="float64")
    atok = _matrix(per_app, "tokens", days).to_numpy(dtype="float64")
    sparse: pd.DataFrame | None = None

    labels = days.strftime("%Y-%m-%d").tolist()
    found: list[Anomaly] = []
    for i in range(MIN_HISTORY, len(days)):
        lo = max(0, i - WINDOW)
        day_total = float(total.cost[i])
        hits, med, thr = _flags(total.cost[:, None], i, lo, day_total, share_rule=False)
        if len(hits):
            found.append(_anomaly("day", labels[i], total, i, lo, float(med[0]), float(thr[0])))
        if use_apps:
            hits, med, thr = _flags(acost, i, lo, day_total, share_rule=True)
            for k in hits:
                if sparse is None:
                    sparse = _app_models(df, day, app_col)
                s = _app_slice(sparse, apps[k], days, acost[:, k], areq[:, k], atok[:, k])
                found.append(_anomaly("app-day", labels[i], s, i, lo, float(med[k]), float(thr[k]), app=apps[k]))
        hits, med, thr = _flags(mc, i, lo, day_total, share_rule=True)
        for j in hits:
            s = _Slice(mc[:, j], mreq[:, j], mtok[:, j], None, None, None, [models[j]])
            found.append(_anomaly("model-day", labels[i], s, i, lo, float(med[j]), float(thr[j]), model=models[j]))
    return found


def day_anomalies(p: Prepared, limit: int = 20) -> list[Anomaly]:
    """Anomalous days and hours (total, per app, per model), largest excess first."""
    days = _day_found(p)
    found = days + hour_anomalies(p, days)
    found.sort(key=lambda a: (-a.excess_usd, a.date, a.kind, a.app, a.model))
    return found[:limit]


@dataclass
class _Hours:
    """Hour-resolved rows and their (day, hour-of-day) position from ``first``."""

    rows: pd.DataFrame
    day: np.ndarray  # int64 day index per row
    hod: np.ndarray  # int64 hour of day (UTC) per row
    first: pd.Timestamp
    ndays: int

    def label(self, d: int, h: int) -> str:
        return f"{(self.first + pd.Timedelta(days=d)):%Y-%m-%d} {h:02d}:00"


def _hour_rows(p: Prepared) -> _Hours | None:
    """Dated rows of sources that carry times of day (see the module docstring)."""
    dated = p.rows["time"].notna().to_numpy()
    if not dated.any():
        return None
    rows = select(p.rows, dated)
    ns = rows["time"].dt.tz_convert(None).to_numpy().astype("datetime64[ns]").astype("int64")
    tod = ns % _NS_PER_DAY
    codes = rows["source"].cat.codes.to_numpy().astype("int64")
    k = int(codes.max()) + 1
    first_row = np.zeros(k, dtype="int64")
    first_row[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # repeated indices: the last write (first row) wins
    varies = tod != tod[first_row[codes]]
    keep = (np.bincount(codes, weights=varies, minlength=k) > 0)[codes]
    if not keep.any():
        return None
    rows, ns = select(rows, keep), ns[keep]
    start = int(ns.min()) - int(ns.min()) % _NS_PER_DAY
    offset = (ns - start) // _NS_PER_HOUR
    day = offset // 24
    return _Hours(rows, day, offset % 24, pd.Timestamp(start, tz="UTC"), int(day.max()) + 1)


@dataclass
class _HourSeries:
    """Hourly series of every scope: scope 0 is the total, then one per app."""

    apps: list[str]  # "" for the total
    app_codes: list[int]  # the app's code in ``rows["app"]``; -1 for the total
    cost: np.ndarray  # (days, 24, scopes)
    req: np.ndarray
    tok: np.ndarray


def _hour_series(h: _Hours) -> _HourSeries:
    """Sums per (day, hour of day) for the total and, when the data names at
    least two apps, per app (the costliest apps up to ``HOUR_MAX_CELLS``)."""
    rows = h.rows
    cells = h.ndays * 24
    hidx = h.day * 24 + h.hod
    values = [rows[c].to_numpy(dtype="float64") for c in ("cost_usd", "requests", "tokens")]
    series = [np.bincount(hidx, weights=v, minlength=cells).reshape(h.ndays, 24, 1) for v in values]
    apps, app_codes = [""], [-1]
    app = rows["app"].cat
    codes = app.codes.to_numpy().astype("int64")
    ncat = len(app.categories)
    present = np.bincount(codes[codes >= 0], minlength=ncat) > 0
    if sum(1 for a, here in zip(app.categories, present) if here and str(a) != UNKNOWN) >= 2:
        by_cost = np.bincount(codes[codes >= 0], weights=values[0][codes >= 0], minlength=ncat)
        chosen = [int(k) for k in np.argsort(-by_cost, kind="stable") if present[k]][: max(1, HOUR_MAX_CELLS // cells)]
        slot = np.full(ncat + 1, -1, dtype="int64")  # index -1 (no app code) maps to the extra last entry
        slot[chosen] = np.arange(len(chosen))
        pos = slot[codes]
        used = pos >= 0
        idx = pos * cells + hidx
        if not used.all():
            idx = idx[used]
        size = len(chosen) * cells
        for n, v in enumerate(values):
            w = v if used.all() else v[used]
            per_app = np.bincount(idx, weights=w, minlength=size).reshape(len(chosen), h.ndays, 24)
            series[n] = np.concatenate([series[n], per_app.transpose(1, 2, 0)], axis=2)
        apps += [str(app.categories[k]) for k in chosen]
        app_codes += chosen
    return _HourSeries(apps, app_codes, series[0], series[1], series[2])


def _hour_slice(h: _Hours, hs: _HourSeries, scope: int, hod: int, cache: dict[tuple[int, int], _Slice]) -> _Slice:
    """The daily series of one hour of day in a scope, with its per-model split."""
    key = (scope, hod)
    if key not in cache:
        mask = h.hod == hod
        if hs.app_codes[scope] >= 0:
            mask &= h.rows["app"].cat.codes.to_numpy() == hs.app_codes[scope]
        sub = h.rows.loc[mask]
        day = pd.Series(pd.Categorical(h.day[mask], categories=range(h.ndays)), index=sub.index, name="d")
        per_model = group_sum(sub, [day, sub["model"]], ("requests", "tokens", "cost_usd"))
        days = pd.RangeIndex(h.ndays)
        cost_m = _matrix(per_model, "cost_usd", days)
        cache[key] = _Slice(
            cost=hs.cost[:, hod, scope],
            req=hs.req[:, hod, scope],
            tok=hs.tok[:, hod, scope],
            mcost=cost_m.to_numpy(dtype="float64"),
            mreq=_matrix(per_model, "requests", days).to_numpy(dtype="float64"),
            mtok=_matrix(per_model, "tokens", days).to_numpy(dtype="float64"),
            models=[str(m) for m in cost_m.columns],
        )
    return cache[key]


@dataclass(frozen=True)
class _HourHit:
    hod: int
    scope: int
    median: float
    bound: float  # the cost the hour had to exceed (all rules together)
    idle: bool  # the hour of day had spend on fewer than half of its baseline days


def _hour_hits(hs: _HourSeries, d: int, lo: int) -> list[_HourHit]:
    """Anomalous (hour of day, scope) cells of day ``d``, every scope at once."""
    hist = hs.cost[lo:d]  # (days, 24, scopes)
    med, thr = _thresholds(hist, HOUR_MAD_K)
    active = (hist > 0).sum(axis=0) * 2 >= (d - lo)
    floor = max(MIN_EXCESS_USD, HOUR_DAY_SHARE * float(hist[:, :, 0].sum()) / (d - lo))
    peak = hist.max(axis=(0, 1))  # (scopes,): the costliest hour of the window
    today = hs.cost[d]
    hit = (today > thr) & (today - med >= floor) & (active | (today > peak))
    out = []
    for hod, scope in zip(*np.nonzero(hit)):
        idle = not bool(active[hod, scope])
        bound = max(float(thr[hod, scope]), float(med[hod, scope]) + floor, float(peak[scope]) if idle else 0.0)
        out.append(_HourHit(int(hod), int(scope), float(med[hod, scope]), bound, idle))
    return out


def _hour_anomaly(h: _Hours, hs: _HourSeries, s: _Slice, d: int, lo: int, x: _HourHit) -> Anomaly:
    cause, detail, model = _explain(s, d, lo)
    if x.idle:
        spent = int((s.cost[lo:d] > 0).sum())
        detail = f"usually idle at this hour (spend on {spent} of the previous {d - lo} days); " + detail
        if cause == CAUSE_MIXED:
            cause = CAUSE_VOLUME
    return Anomaly(
        kind="hour" if x.scope == 0 else "app-hour",
        date=h.label(d, x.hod),
        cost_usd=float(s.cost[d]),
        expected_usd=x.median,
        threshold_usd=x.bound,
        cause=cause,
        detail=detail,
        model=model,
        app=hs.apps[x.scope],
    )


def _keep_hour(x: Anomaly, days: dict[tuple[str, str], list[Anomaly]]) -> bool:
    """False when the hour's day is flagged for the same scope and cause and
    the hour carries less than half of that day's excess."""
    for day in days.get((x.app, x.date[:10]), []):
        if day.cause == x.cause and x.excess_usd < HOUR_CONCENTRATED * day.excess_usd:
            return False
    return True


def hour_anomalies(p: Prepared, days: list[Anomaly]) -> list[Anomaly]:
    """Anomalous hours of the total and of each app, given the day anomalies
    ``days`` (an hour that only repeats its flagged day is left out)."""
    h = _hour_rows(p)
    if h is None or h.ndays <= MIN_HISTORY:
        return []
    hs = _hour_series(h)
    cache: dict[tuple[int, int], _Slice] = {}
    found: list[Anomaly] = []
    for d in range(MIN_HISTORY, h.ndays):
        lo = max(0, d - WINDOW)
        for x in _hour_hits(hs, d, lo):
            found.append(_hour_anomaly(h, hs, _hour_slice(h, hs, x.scope, x.hod, cache), d, lo, x))
    flagged: dict[tuple[str, str], list[Anomaly]] = {}
    for a in days:
        if a.kind in ("day", "app-day"):
            flagged.setdefault((a.app, a.date), []).append(a)
    return [a for a in found if _keep_hour(a, flagged)]


def _request_causes(pr: pd.DataFrame, rows: pd.DataFrame) -> list[tuple[str, str]]:
    """(cause, extra detail) per flagged request, against its app's usual request."""
    tokens = pr["input_all"] + pr["output_tokens"]
    cpt = _per(pr["cost_usd"].to_numpy(dtype="float64"), tokens.to_numpy(dtype="float64"))
    g = pd.DataFrame({"app": pr["app"].astype(str).to_numpy(), "tokens": tokens.to_numpy(dtype="float64"), "cpt": cpt})
    by_app = g.groupby("app")
    med_tok: dict[str, float] = {str(k): float(v) for k, v in by_app["tokens"].median().items()}
    med_cpt: dict[str, float] = {str(k): float(v) for k, v in by_app["cpt"].median().items()}
    pairs = pd.DataFrame({"app": g["app"], "model": pr["model"].astype(str).to_numpy()})
    sizes = pairs.groupby(["app", "model"]).size().rename("n").reset_index()
    sizes = sizes.sort_values(["n", "model"], ascending=[False, True]).drop_duplicates("app")
    usual_model = dict(zip(sizes["app"].tolist(), sizes["model"].tolist()))
    out: list[tuple[str, str]] = []
    row_tokens = (rows["input_all"] + rows["output_tokens"]).to_numpy(dtype="float64")
    row_cost = rows["cost_usd"].to_numpy(dtype="float64")
    for app, model, tok, cost in zip(rows["app"].astype(str), rows["model"].astype(str), row_tokens, row_cost):
        tok_r = _ratio(float(tok), med_tok.get(app, 0.0))
        cpt_r = _ratio(float(cost / tok) if tok > 0 else 0.0, med_cpt.get(app, 0.0))
        base_model = usual_model.get(app, "")
        other_model = bool(base_model) and model != base_model
        extra = f"; {_fmt_ratio('tokens', tok_r)}, {_fmt_ratio(_CPT, cpt_r)} vs the app's median request"
        top = _top_factor({CAUSE_TOKENS: tok_r, _CPT: cpt_r})
        if top == _CPT and other_model:
            out.append((CAUSE_SWITCH, extra + f"; {model} instead of the app's usual {base_model}"))
        elif tok_r is not None and tok_r >= RATIO_NOTABLE:
            out.append((CAUSE_TOKENS, extra))
        else:
            out.append(("single expensive request", extra))
    return out


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
    causes = _request_causes(pr, rows)
    ids = p.request_ids(rows["pos"])
    lines = p.source_rows(rows["pos"])
    out = []
    records: list[dict[Any, Any]] = rows.to_dict("records")
    for rec, rid, line, (cause, extra) in zip(records, ids, lines, causes):
        r = SimpleNamespace(**rec)
        t = r.time
        out.append(
            Anomaly(
                kind="request",
                date=t.strftime("%Y-%m-%d") if not pd.isna(t) else "",
                cost_usd=float(r.cost_usd),
                expected_usd=float(r.anom_base),
                threshold_usd=float(r.anom_base) * REQUEST_P95_MULTIPLE,
                cause=cause,
                detail=(
                    f"{int(r.input_all):,} input / {int(r.output_tokens):,} output tokens; "
                    f"{r.cost_usd / r.anom_base:.0f}x the app's p95 request cost{extra}"
                ),
                model=str(r.model),
                app=str(r.app),
                request_id=rid,
                source=str(r.source),
                source_row=line,
            )
        )
    return out
