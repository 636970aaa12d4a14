"""OpenRouter activity export (openrouter.ai/activity → Export, CSV).

Columns (the export's header): ``generation_id, created_at, cost_total,
cost_web_search, cost_cache, cost_file_processing, byok_usage_inference,
tokens_prompt, tokens_completion, tokens_reasoning, tokens_cached,
model_permaslug, provider_name, variant, cancelled, streamed, user,
finish_reason_raw, finish_reason_normalized, generation_time_ms,
time_to_first_token_ms, api_key_disabled, api_key_name, app_name``; exports
written by older versions carry a subset (at least ``generation_id``,
``created_at``, ``cost_total``, ``tokens_prompt``, ``tokens_completion``,
``model_permaslug``).

Semantics, as in OpenRouter's ``usage`` accounting (OpenAI-style):
``tokens_prompt`` includes ``tokens_cached`` (uncached = prompt − cached) and
``tokens_completion`` includes ``tokens_reasoning`` (a row whose reasoning
exceeds its completion count is taken to report reasoning separately and the
two are added). ``cost_total`` is what OpenRouter billed; for BYOK requests
the upstream provider also bills ``byok_usage_inference``, so the reported
cost is their sum. One row is one generation (``requests = 1``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import finalize
from . import Reader
from ._io import ReadContext, Source
from ._numbers import plain_numbers

FORMAT = "openrouter-activity-csv"
_REQUIRED = {"generation_id", "created_at", "cost_total", "tokens_prompt", "tokens_completion", "model_permaslug"}


def _sniff(source: Source) -> int:
    header = {h.strip().lower() for h in (source.header or [])}
    return 95 if _REQUIRED <= header else 0


def _num(
    df: pd.DataFrame, col: str, source: Source, ctx: ReadContext, *, whole: bool = True
) -> tuple[pd.Series, pd.Series]:
    """A numeric column (absent = 0) and the mask of rows reported as bad."""
    if col not in df.columns:
        return pd.Series(np.zeros(len(df)), index=df.index), pd.Series(False, index=df.index)
    raw = df[col]
    text = plain_numbers(raw, col, source, ctx, whole=whole)
    present = text.notna() & (text != "")
    vals = pd.to_numeric(text.where(present, None), errors="coerce").astype("float64")
    bad = present & (vals.isna() | (vals < 0) | ((vals % 1 != 0) if whole else False))
    for idx in df.index[bad.to_numpy()]:
        ctx.bad(source.name, int(df.loc[idx, "source_row"]), f"{col} is not a non-negative number: {raw.loc[idx]!r}")
    keep = ~bad
    return vals.where(keep, np.nan).fillna(0.0), bad


def _read(source: Source, ctx: ReadContext) -> pd.DataFrame:
    df = source.csv_frame(dtype=str, keep_default_na=False)
    df.columns = [c.lower() for c in df.columns]
    bad_any = pd.Series(False, index=df.index)
    cols = {}
    for col, whole in (("tokens_prompt", True), ("tokens_completion", True), ("tokens_reasoning", True),
                       ("tokens_cached", True), ("cost_total", False), ("byok_usage_inference", False)):
        cols[col], bad = _num(df, col, source, ctx, whole=whole)
        bad_any |= bad
    prompt, completion = cols["tokens_prompt"], cols["tokens_completion"]
    cached, reasoning = cols["tokens_cached"], cols["tokens_reasoning"]
    over = cached > prompt
    for idx in df.index[(over & ~bad_any).to_numpy()]:
        ctx.bad(source.name, int(df.loc[idx, "source_row"]), "tokens_cached exceed tokens_prompt")
    bad_any |= over
    output = np.where(reasoning > completion, completion + reasoning, completion)
    keep = ~bad_any
    out = pd.DataFrame(
        {
            "time": df["created_at"],
            "provider": "openrouter",
            "model": _model(df),
            "app": df.get("app_name", ""),
            "user": _user(df),
            "feature": df.get("variant", ""),
            "request_id": df["generation_id"],
            "input_tokens": (prompt - cached).astype("int64"),
            "cache_read_tokens": cached.astype("int64"),
            "output_tokens": pd.Series(output, index=df.index).astype("int64"),
            "reasoning_tokens": reasoning.astype("int64"),
            "reported_cost_usd": cols["cost_total"] + cols["byok_usage_inference"],
            "source_row": df["source_row"],
        }
    )[keep.to_numpy()]
    return finalize(out, source=source.name, source_format=FORMAT)


def _model(df: pd.DataFrame) -> pd.Series:
    """The model slug; a ``free`` variant is OpenRouter's ``:free`` model (billed $0)."""
    model = df["model_permaslug"].astype("string").str.strip()
    if "variant" not in df.columns:
        return model
    free = (df["variant"].astype("string").str.strip().str.lower() == "free") & ~model.str.endswith(":free")
    return model.where(~free, model + ":free")


def _user(df: pd.DataFrame) -> pd.Series | str:
    key = df["api_key_name"] if "api_key_name" in df.columns else pd.Series("", index=df.index)
    if "user" not in df.columns:
        return key
    return df["user"].where(df["user"] != "", key)


READERS = [
    Reader(
        name=FORMAT,
        description="OpenRouter activity export (CSV)",
        kinds=frozenset({"csv"}),
        sniff=_sniff,
        read=_read,
        dedup=True,
    )
]
