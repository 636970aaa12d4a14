"""Long-format CSV: one ``section,key,metric,value`` row per number.

A spreadsheet can pivot it (rows = key, columns = metric, filter on section).
Sections follow the JSON report's keys: ``period``, ``totals``, ``shares``,
``by_<dimension>`` (key = the dimension value), ``trend`` (key = date),
``forecast``, ``anomalies`` / ``top_calls`` (key = rank), ``reconciliation``,
``reconciliation_by_model``, ``reconciliation_by_kind``, ``unpriced`` (key =
model, or provider/model), ``suggestions`` (key = id), ``files`` (key = file),
``meta`` (skipped rows, duplicates) and ``warnings``. Lists are joined with
``;``; missing values are empty.
"""

from __future__ import annotations

import csv as _csv
import io
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..analyze.model import Analysis, to_dict

HEADER = ("section", "key", "metric", "value")


def _value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        # the shortest digits that read back as the same float, never in scientific notation
        # (a one-token cost is 0.0000025, not 2.5e-06: not every CSV consumer reads exponents)
        return repr(v) if not math.isfinite(v) else np.format_float_positional(v, trim="0")
    if isinstance(v, list):
        return ";".join(_value(x) for x in v)
    return str(v)


def _unique_keys(keys: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    return out


def _records(section: str, items: list[dict[str, Any]], key_of: Any, skip: tuple[str, ...] = ()) -> Iterator[tuple[str, str, str, str]]:
    keys = _unique_keys([key_of(i, item) for i, item in enumerate(items, 1)])
    for key, item in zip(keys, items):
        for metric, value in item.items():
            if metric in skip:
                continue
            yield section, key, metric, _value(value)


def _flat(section: str, d: dict[str, Any], key: str = "") -> Iterator[tuple[str, str, str, str]]:
    for metric, value in d.items():
        yield section, key, metric, _value(value)


def rows(a: Analysis) -> Iterator[tuple[str, str, str, str]]:
    d = to_dict(a)
    yield from _flat("period", d["period"])
    yield from _flat("totals", d["totals"])
    yield from _flat("shares", d["shares"])
    for dim in a.breakdowns:
        sec = f"by_{dim}"
        yield from _records(sec, d[sec], lambda i, r: str(r["key"]), skip=("key", dim))
    yield from _records("trend", d["trend"], lambda i, r: str(r["date"]), skip=("date",))
    yield from _flat("forecast", d["forecast"])
    yield from _records("anomalies", d["anomalies"], lambda i, r: str(i))
    yield from _records("top_calls", d["top_calls"], lambda i, r: str(i))
    rec = d["reconciliation"]
    yield from _flat(
        "reconciliation",
        {k: v for k, v in rec.items() if k not in ("total", "by_model", "by_kind")},
    )
    if rec["total"] is not None:
        yield from _flat("reconciliation", {k: v for k, v in rec["total"].items() if k != "key"}, key="total")
    yield from _records("reconciliation_by_model", rec["by_model"], lambda i, r: str(r["key"]), skip=("key",))
    yield from _records("reconciliation_by_kind", rec["by_kind"], lambda i, r: str(r["key"]), skip=("key",))
    yield from _records(
        "unpriced",
        d["unpriced"],
        lambda i, r: f"{r['provider']}/{r['model']}" if r["provider"] else str(r["model"]),
    )
    yield from _records("suggestions", d["suggestions"], lambda i, r: str(r["id"]), skip=("id",))
    yield from _records("files", d["files"], lambda i, r: str(r["file"]), skip=("file",))
    yield "meta", "", "skipped_rows", _value(d["skipped_rows"])
    yield "meta", "", "duplicates_dropped", _value(d["duplicates_dropped"])
    for i, w in enumerate(d["warnings"], 1):
        yield "warnings", str(i), "message", w


def _cell(value: object) -> object:
    """Guard text that a spreadsheet would run as a formula (CSV injection):
    app/user/model names come from logs."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def render_csv(a: Analysis) -> str:
    buf = io.StringIO()
    w = _csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows([[_cell(v) for v in r] for r in rows(a)])
    return buf.getvalue()
