"""Split a priced table into priced/unpriced rows and add the derived columns
every analysis step uses, once, with vectorised pandas operations.

Row classes (all decided per row, without Python loops):

* *priced*: ``priced`` is true. Everything cost-related is computed on these.
* *cost-only*: no tokens and ``requests == 0`` (OpenAI Costs API, Anthropic
  cost report): counted at its billed ``cost_usd``; never "ours" in a
  reconciliation, never a request.
* *usage*: every other row (it has requests or tokens).
* *per-request*: a usage row that stands for exactly one request and is not a
  bucket: ``requests == 1``, ``long_context`` is NA (readers set it only on
  aggregated rows) and the row has a ``request_id`` or a time that is not on a
  whole hour (buckets start on whole hours or days). Size-based suggestions,
  top calls and single-request anomalies use only these rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import COLUMNS, PRICED_COLUMNS
from .model import UNKNOWN

# Source formats whose records carry cache token fields even when they are 0.
# Used only to tell "0 % cache hits" from "the data cannot say".
CACHE_FIELD_FORMAT_HINTS: tuple[str, ...] = (
    "openai",
    "anthropic",
    "claude-code",
    "codex",
    "litellm",
    "responses",
)

# String columns every step needs, as categoricals; empty values "(unknown)".
ALWAYS_DIMENSIONS: tuple[str, ...] = ("model", "app", "service_tier")
# Dimensions factorized only when a breakdown asks for them.
OPTIONAL_DIMENSIONS: tuple[str, ...] = ("user", "feature", "session")
# Other string columns kept as categoricals with their raw values.
RAW_STRING_COLUMNS: tuple[str, ...] = ("source", "source_format")
NUMERIC_COLUMNS: tuple[str, ...] = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "web_search_requests",
    "requests",
    "reported_cost_usd",
)
COST_COLUMNS: tuple[str, ...] = (
    "cost_input_usd",
    "cost_cache_read_usd",
    "cost_cache_write_usd",
    "cost_output_usd",
    "cost_web_search_usd",
    "cost_usd",
)
# Added after the first releases: a table without them (built by hand or by
# older code) reads as having no web searches.
ZERO_IF_MISSING: tuple[str, ...] = ("web_search_requests", "cost_web_search_usd")
_NS_PER_DAY = 86_400 * 10**9


@dataclass
class Prepared:
    """Priced rows with derived columns, unpriced rows, and data facts.

    String columns are categoricals (fast to group and filter on a million
    rows); ``pos`` is the row's position in the original table, to fetch
    per-row text such as ``request_id`` for the few rows a report shows.
    """

    rows: pd.DataFrame  # priced rows (see module docstring for derived columns)
    unpriced: pd.DataFrame  # unpriced rows, same columns
    cache_info: bool  # some row/source carries cache fields
    missing_time_rows: int
    original: pd.DataFrame  # the table passed in (not copied)

    memo: dict[str, Any] = field(default_factory=dict)  # results shared by several steps

    def days(self) -> tuple[pd.Series, np.ndarray]:
        """:func:`day_categorical` of :attr:`rows`, computed once."""
        if "days" not in self.memo:
            self.memo["days"] = day_categorical(self.rows)
        result: tuple[pd.Series, np.ndarray] = self.memo["days"]
        return result

    def source_rows(self, pos: pd.Series) -> list[int]:
        return [int(v) for v in self.original["source_row"].iloc[pos.to_numpy()].tolist()]

    def raw(self, column: str, pos: pd.Series) -> list[str]:
        """The original text of ``column`` for the rows at positions ``pos`` (few rows)."""
        vals = self.original[column].iloc[pos.to_numpy()]
        return ["" if pd.isna(v) else str(v) for v in vals.tolist()]

    def request_ids(self, pos: pd.Series) -> list[str]:
        return self.raw("request_id", pos)

    def dimension(self, column: str, rows: pd.DataFrame) -> pd.Series:
        """A dimension column for ``rows`` (a subset of :attr:`rows`), as a
        labelled categorical, factorized from the original table if needed."""
        if column in rows.columns:
            return rows[column]
        vals = self.original[column].iloc[rows["pos"].to_numpy()]
        return pd.Series(categorical(vals, unknown=True), index=rows.index, name=column)


def check_columns(priced: pd.DataFrame) -> None:
    optional = ("prompt", "response", *ZERO_IF_MISSING)
    missing = [c for c in (*COLUMNS, *PRICED_COLUMNS) if c not in priced.columns and c not in optional]
    if missing:
        raise ValueError(f"analyze() needs a priced canonical table; missing columns: {', '.join(missing)}")


def _codes_and_labels(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values.fillna(""), use_na_sentinel=False)
    labels = np.asarray(pd.Series(uniques, dtype="object").fillna("").astype(str), dtype=object)
    return np.asarray(codes), labels


def _from_labels(codes: np.ndarray, labels: np.ndarray) -> pd.Categorical:
    """A categorical with unique categories from per-code labels (labels may repeat)."""
    inverse, cats = pd.factorize(np.asarray(labels, dtype=object))
    cat_index = pd.Index(np.asarray(cats, dtype=object), dtype=object)
    if len(codes) == 0:
        return pd.Categorical.from_codes(np.zeros(0, dtype="int64"), categories=cat_index)
    return pd.Categorical.from_codes(inverse[codes], categories=cat_index)


def categorical(values: pd.Series, *, unknown: bool) -> pd.Categorical:
    """Factorize a string column once; empty/missing become ``(unknown)`` when asked."""
    codes, labels = _codes_and_labels(values)
    if unknown:
        labels = np.where(labels == "", UNKNOWN, labels).astype(object)
    return _from_labels(codes, labels)


def _provider_eff(priced: pd.DataFrame) -> pd.Categorical:
    """The price table's provider where it resolved one, else the log's; lowercased."""
    pp_codes, pp_u = _codes_and_labels(priced["price_provider"])
    pr_codes, pr_u = _codes_and_labels(priced["provider"])
    width = max(len(pr_u), 1)
    pair_codes, pair_u = pd.factorize(pp_codes.astype("int64") * width + pr_codes)
    labels = [(pp_u[v // width] or pr_u[v % width]).lower() or UNKNOWN for v in pair_u.tolist()]
    return _from_labels(np.asarray(pair_codes), np.asarray(labels, dtype=object))


def prepare(priced: pd.DataFrame, dims: Sequence[str] = ()) -> Prepared:
    """Derived columns: ``provider_eff`` (the price table's provider, else the
    log's, lowercased), ``day`` (UTC midnight), ``input_all`` (all input
    kinds), ``tokens`` (all billed tokens), ``usage``, ``per_request``,
    ``cache_known`` (the row's file reports cache tokens), ``pos``."""
    check_columns(priced)
    n = len(priced)
    index = pd.RangeIndex(n)
    cols: dict[str, object] = {"time": pd.Series(priced["time"].array, index=index)}
    for c in (*ALWAYS_DIMENSIONS, *(d for d in OPTIONAL_DIMENSIONS if d in dims)):
        cols[c] = categorical(priced[c], unknown=True)
    for c in RAW_STRING_COLUMNS:
        cols[c] = categorical(priced[c], unknown=False)
    cols["provider_eff"] = _provider_eff(priced)
    for c in NUMERIC_COLUMNS:
        cols[c] = priced[c].to_numpy() if c in priced.columns else np.zeros(n, dtype="int64")
    for c in COST_COLUMNS:
        cols[c] = np.nan_to_num(priced[c].to_numpy(dtype="float64"), nan=0.0) if c in priced.columns else np.zeros(n)
    cols["batch"] = priced["batch"].fillna(False).to_numpy(dtype=bool)
    cols["pos"] = np.arange(n, dtype="int64")
    df = pd.DataFrame(cols, index=index)
    df["day"] = df["time"].dt.floor("D")
    df["input_all"] = df["input_tokens"] + df["cache_read_tokens"] + df["cache_write_tokens"]
    df["tokens"] = df["input_all"] + df["output_tokens"]
    df["usage"] = (df["requests"] > 0) | (df["tokens"] > 0)
    on_hour = (df["time"] == df["time"].dt.floor("h")).fillna(True).to_numpy(dtype=bool)
    has_id = (priced["request_id"].fillna("") != "").to_numpy(dtype=bool)
    aggregated = priced["long_context"].notna().to_numpy(dtype=bool)
    df["per_request"] = (df["requests"].to_numpy() == 1) & ~aggregated & (has_id | ~on_hour)
    df["cache_known"] = _cache_known(df)
    is_priced = priced["priced"].fillna(False).to_numpy(dtype=bool)
    if is_priced.all():
        rows, unpriced = df, df.iloc[:0]
    else:
        rows = df.loc[is_priced].reset_index(drop=True)
        unpriced = df.loc[~is_priced].reset_index(drop=True)
    return Prepared(
        rows=rows,
        unpriced=unpriced,
        cache_info=bool(n and df["cache_known"].any()),
        missing_time_rows=int(df["time"].isna().sum()),
        original=priced,
    )


def select(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """Rows of ``df`` where ``mask``; no copy when every row is kept."""
    return df if bool(mask.all()) else df.loc[mask]


def group_sum(df: pd.DataFrame, keys: Sequence[pd.Series], columns: Sequence[str]) -> pd.DataFrame:
    """Sum ``columns`` per combination of categorical ``keys`` with
    ``np.bincount`` (several times faster than ``groupby`` on a million rows).

    Returns one row per combination present, with a ``rows`` count; integer
    columns stay integers (sums below 2**53 are exact). Index: the key labels
    (a MultiIndex for several keys).
    """
    n = len(df)
    code = np.zeros(n, dtype="int64")
    sizes: list[int] = []
    levels: list[pd.Index] = []
    for k in keys:
        cat = k.cat
        m = max(len(cat.categories), 1)
        code = code * m + cat.codes.to_numpy().astype("int64")
        sizes.append(m)
        levels.append(cat.categories)
    size = int(np.prod(sizes)) if sizes else 1
    counts = np.bincount(code, minlength=size)
    used = np.flatnonzero(counts)
    out: dict[str, np.ndarray] = {"rows": counts[used]}
    for c in columns:
        v = df[c].to_numpy()
        s = np.bincount(code, weights=v.astype("float64"), minlength=size)[used]
        out[c] = np.rint(s).astype("int64") if np.issubdtype(v.dtype, np.integer) or v.dtype == bool else s
    if len(keys) == 1:
        idx: pd.Index = pd.Index(levels[0][used], name=keys[0].name)
    else:
        parts = np.unravel_index(used, sizes)
        idx = pd.MultiIndex.from_arrays([lvl[p] for lvl, p in zip(levels, parts)], names=[k.name for k in keys])
    return pd.DataFrame(out, index=idx)


def day_categorical(df: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """UTC day of each dated row as a categorical over every day from the
    first to the last (gaps included), and the mask of dated rows."""
    dated = df["day"].notna().to_numpy()
    days = df["day"][dated]
    if len(days) == 0:
        return pd.Series(pd.Categorical([]), dtype="category"), dated
    ns = days.dt.tz_convert(None).to_numpy().astype("datetime64[ns]").astype("int64")
    first = int(ns.min())
    codes = (ns - first) // _NS_PER_DAY
    all_days = pd.date_range(pd.Timestamp(first, tz="UTC"), periods=int(codes.max()) + 1, freq="D")
    cat = pd.Categorical.from_codes(codes, categories=all_days)  # type: ignore[type-var]
    return pd.Series(cat, index=days.index, name="day"), dated


def _format_has_cache_fields(fmt: str) -> bool:
    f = fmt.lower()
    return any(f.startswith(h) for h in CACHE_FIELD_FORMAT_HINTS)


def _cache_known(df: pd.DataFrame) -> pd.Series:
    """Per row: does its source carry cache fields? True when any row of the
    same file has cache tokens, or the file's format is known to report them."""
    if len(df) == 0:
        return pd.Series([], dtype=bool)
    has = (df["cache_read_tokens"] > 0) | (df["cache_write_tokens"] > 0)
    by_source = has.groupby(df["source"], sort=False, observed=True).transform("any").to_numpy(dtype=bool)
    fmt = df["source_format"].cat
    fmt_ok = np.array([_format_has_cache_fields(str(f)) for f in fmt.categories], dtype=bool)
    codes = fmt.codes.to_numpy()
    by_format = fmt_ok[codes] if len(fmt_ok) else np.zeros(len(df), dtype=bool)
    return pd.Series(by_source | by_format, index=df.index)


def cat_map(values: pd.Series, mapping: Mapping[Any, float] | pd.Series, default: float = np.nan) -> np.ndarray:
    """Map a categorical column through ``mapping`` per category (fast on many rows)."""
    cat = values.cat
    table = pd.Series(cat.categories).map(mapping).astype("float64").fillna(default).to_numpy()
    codes = cat.codes.to_numpy()
    if len(table) == 0:
        return np.full(len(codes), default, dtype="float64")
    out = table[codes]
    out[codes < 0] = default
    return out
