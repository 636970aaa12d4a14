"""Usage totals as Prometheus metrics, for the node_exporter textfile collector
or a Pushgateway.

Metrics (each labelled ``provider``, ``model``, ``app``; totals over every
row of the files read):

* ``llm_cost_usd_total`` (counter): cost in USD of the priced rows;
* ``llm_tokens_total{kind="input|cache_read|cache_write|output"}`` (counter):
  billed tokens, the canonical disjoint kinds (``input`` = uncached input,
  ``output`` includes reasoning);
* ``llm_requests_total`` (counter): requests;
* ``llm_cache_hit_ratio`` (gauge): cache_read / (input + cache_read +
  cache_write), only for label sets with input tokens;
* ``llm_unpriced_requests_total`` (counter): requests that could not be
  priced (their cost is not in ``llm_cost_usd_total``), only when there are some;
* ``llm_usage_last_timestamp_seconds`` (gauge, no labels): the last usage
  time in the data (Unix seconds), to alert on stale exports.

``provider`` is the price table's provider where the model resolved, else
the log's, lowercased; empty strings stand for unknown values (Prometheus
treats an empty label as an absent one). Label values are escaped as both
formats require: ``\\`` → ``\\\\``, ``"`` → ``\\"``, newline → ``\\n``. No
sample carries a timestamp (the textfile collector rejects them).

Two text formats:

* :func:`to_text` (default): the Prometheus text exposition format 0.0.4
  (https://prometheus.io/docs/instrumenting/exposition_formats/). The
  node_exporter textfile collector and the Pushgateway parse this format;
  the textfile collector does not read OpenMetrics
  (prometheus/node_exporter#1988). Counter families are declared under
  their sample name (``# TYPE llm_cost_usd_total counter``), as
  ``prometheus_client`` writes them.
* :func:`to_openmetrics`: OpenMetrics 1.0 text
  (https://prometheus.io/docs/specs/om/open_metrics_spec/): counter
  families named without ``_total`` (``# TYPE llm_cost_usd counter`` then
  ``llm_cost_usd_total`` samples), ending with ``# EOF``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

LABELS: tuple[str, ...] = ("provider", "model", "app")
TOKEN_KINDS: tuple[tuple[str, str], ...] = (
    ("input", "input_tokens"),
    ("cache_read", "cache_read_tokens"),
    ("cache_write", "cache_write_tokens"),
    ("output", "output_tokens"),
)


@dataclass(frozen=True)
class Family:
    name: str  # OpenMetrics family name (no _total)
    kind: str  # counter / gauge
    help: str
    samples: list[tuple[dict[str, str], float]]

    @property
    def sample_name(self) -> str:
        return self.name + "_total" if self.kind == "counter" else self.name


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if float(v).is_integer() and abs(v) < 2**53:
        return str(int(v))
    return repr(float(f"{v:.12g}"))  # drop float noise from summing many rows


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items()) + "}"


def _provider(priced: pd.DataFrame) -> pd.Series:
    log = priced["provider"].astype("string").fillna("") if "provider" in priced.columns else ""
    if "price_provider" in priced.columns:
        pp = priced["price_provider"].astype("string").fillna("")
        return pp.where(pp != "", log).str.lower()
    return pd.Series(log, index=priced.index, dtype="string").str.lower()


def aggregate(priced: pd.DataFrame) -> pd.DataFrame:
    """Sums per (provider, model, app): requests, the four token kinds, cost, unpriced requests."""
    is_priced = priced["priced"].fillna(False).to_numpy(dtype=bool) if "priced" in priced.columns else np.ones(len(priced), bool)
    cost = priced["cost_usd"].to_numpy(dtype="float64") if "cost_usd" in priced.columns else np.zeros(len(priced))
    requests = priced["requests"].to_numpy(dtype="int64")
    frame = pd.DataFrame(
        {
            "provider": _provider(priced).to_numpy(dtype=object),
            "model": priced["model"].astype("string").fillna("").to_numpy(dtype=object),
            "app": priced["app"].astype("string").fillna("").to_numpy(dtype=object),
            "requests": requests,
            **{col: priced[col].to_numpy(dtype="int64") for _, col in TOKEN_KINDS},
            "cost_usd": np.where(is_priced, np.nan_to_num(cost, nan=0.0), 0.0),
            "unpriced_requests": np.where(is_priced, 0, requests),
            "priced_requests": np.where(is_priced, np.maximum(requests, 1), 0),
        }
    )
    return frame.groupby(list(LABELS), sort=True).sum().reset_index()


def families(priced: pd.DataFrame) -> list[Family]:
    agg = aggregate(priced)
    keys = [dict(zip(LABELS, (str(v) for v in k))) for k in agg[list(LABELS)].itertuples(index=False, name=None)]
    cost = agg["cost_usd"].tolist()
    req = agg["requests"].tolist()
    priced_any = agg["priced_requests"].tolist() if "priced_requests" in agg.columns else [1] * len(keys)
    out = [
        # a series only for label sets with priced usage: an unpriced model must not chart as $0
        Family("llm_cost_usd", "counter", "LLM cost in USD of the priced usage in the files read.",
               [(k, c) for k, c, p in zip(keys, cost, priced_any) if p]),
    ]
    tok_cols = {col: agg[col].to_numpy(dtype="float64") for _, col in TOKEN_KINDS}
    tok_samples: list[tuple[dict[str, str], float]] = []
    for i, k in enumerate(keys):
        for kind, col in TOKEN_KINDS:
            tok_samples.append(({**k, "kind": kind}, float(tok_cols[col][i])))
    out.append(Family("llm_tokens", "counter", "Billed LLM tokens by kind (input = uncached input; output includes reasoning).", tok_samples))
    out.append(Family("llm_requests", "counter", "LLM requests.", list(zip(keys, [float(r) for r in req]))))
    inp = (agg["input_tokens"] + agg["cache_read_tokens"] + agg["cache_write_tokens"]).to_numpy(dtype="float64")
    ratio = [
        (k, float(tok_cols["cache_read_tokens"][i] / inp[i])) for i, k in enumerate(keys) if inp[i] > 0
    ]
    out.append(Family("llm_cache_hit_ratio", "gauge", "Cache read tokens / all input tokens.", ratio))
    unpriced = agg["unpriced_requests"].to_numpy()
    if unpriced.any():
        out.append(
            Family(
                "llm_unpriced_requests",
                "counter",
                "LLM requests that could not be priced (not in llm_cost_usd_total).",
                [(k, float(unpriced[i])) for i, k in enumerate(keys) if unpriced[i] > 0],
            )
        )
    times = priced["time"].dropna()
    if len(times):
        last = pd.Timestamp(times.max())
        out.append(
            Family("llm_usage_last_timestamp_seconds", "gauge", "Time of the last usage row (Unix seconds).", [({}, last.timestamp())])
        )
    return out


def _lines(fams: list[Family], openmetrics: bool) -> Iterator[str]:
    for f in fams:
        name = f.name if openmetrics else f.sample_name
        yield f"# HELP {name} {_escape_help(f.help)}"
        yield f"# TYPE {name} {f.kind}"
        for labels, value in f.samples:
            yield f"{f.sample_name}{_labels(labels)} {format_value(value)}"
    if openmetrics:
        yield "# EOF"


def to_text(priced: pd.DataFrame) -> str:
    """Prometheus text format 0.0.4 (node_exporter textfile collector, Pushgateway)."""
    return "\n".join(_lines(families(priced), openmetrics=False)) + "\n"


def to_openmetrics(priced: pd.DataFrame) -> str:
    """OpenMetrics 1.0 text, ending with ``# EOF``."""
    return "\n".join(_lines(families(priced), openmetrics=True)) + "\n"


TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"


def pushgateway_url(base: str, job: str) -> str:
    """``base`` plus ``/metrics/job/<job>``, unless ``base`` already has a ``/metrics/job/`` path."""
    from urllib.parse import quote

    from ..errors import InputError

    if not job or any(c in job for c in "/ \n"):
        raise InputError(f"--job must be a plain name without slashes or spaces, got {job!r}")
    if "/metrics/job/" in base:
        return base
    return base.rstrip("/") + "/metrics/job/" + quote(job, safe="")


def push(text: str, base_url: str, *, job: str = "llmcost", method: str = "PUT") -> int:
    """Push text-format metrics to a Pushgateway (PUT replaces the job's group,
    POST replaces only same-named metrics); returns the HTTP status."""
    from .http import send

    return send(
        pushgateway_url(base_url, job), text.encode("utf-8"), content_type=TEXT_CONTENT_TYPE, method=method, option="--pushgateway"
    )
