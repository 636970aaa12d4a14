"""Generic usage tables: CSV / TSV, JSON Lines, JSON and Parquet with obvious
column names, optionally described by a ``--map mapping.yaml`` file.

These readers sniff low (2-5) so every specific format wins; with ``--map``
they always win (see :func:`llmcost.ingest.detect`). A file with neither a
model column nor a token column is not claimed (score 0), so detection fails
with the "unrecognised usage format" error that lists its columns.

Column names
------------
Matched case-insensitively (spaces and hyphens count as underscores); the
first spelling found in :data:`ALIASES` wins. Nested JSON objects are
flattened with dots (``{"usage": {"prompt_tokens": 3}}`` → ``usage.prompt_tokens``)
and a container prefix (``usage.``, ``usageDetails.``, ``properties.``,
``attributes.``, ``extra.metadata.``, see :data:`_CONTAINER_PREFIXES`) may be
omitted when matching. The aliases cover the exports of LLM observability tools:
Langfuse observations (``usage.input``, ``promptTokens``, ``calculatedTotalCost``,
``userId``), Helicone requests (``request_created_at``, ``prompt_cache_read_tokens``),
LangSmith runs (``extra.metadata.ls_model_name``, ``prompt_token_details.cache_read``),
PostHog ``$ai_generation`` events (``$ai_model``, ``$ai_input_tokens``, ``distinct_id``),
OpenTelemetry GenAI spans (``gen_ai.request.model``, ``gen_ai.usage.input_tokens``,
``gen_ai.system``), Vercel AI SDK spans (``ai.model.id``, ``ai.usage.inputTokens``)
and Portkey log exports (``ai_model``, ``req_units``, ``response.body.usage.*``;
their ``cost`` is in cents and is divided by 100).
Columns that match
nothing are ignored and listed once in a warning. ``input``/``output`` count as
token columns only when their values are numbers; otherwise they are read as
prompt/response text.

Does the input-token column include cached tokens?
--------------------------------------------------
The canonical ``input_tokens`` excludes cache reads and writes. A generic
``input_tokens`` / ``prompt_tokens`` column is ambiguous, so the default is:

* column named ``prompt_tokens`` (OpenAI's chat naming, used by most
  OpenAI-compatible APIs): cache INCLUDED, unless the row is Anthropic-like
  (provider ``anthropic`` or a model containing ``claude``);
* column named ``input_tokens`` (also PostHog ``$ai_input_tokens``, OpenTelemetry
  ``gen_ai.usage.input_tokens``, Vercel ``ai.usage.inputTokens``, which follow
  the provider): cache INCLUDED only for OpenAI-like rows
  (provider ``openai``/``azure`` or a model such as ``gpt-4o``, ``o3``,
  ``chatgpt-…``, ``text-embedding-…``); excluded otherwise (Anthropic naming);
* cache columns of LangChain/LangSmith (``prompt_token_details.cache_read``):
  INCLUDED whatever the provider (LangChain sums all input kinds);
* any other name (``tokens_in``, ``input``, Langfuse ``usage.input`` /
  ``promptTokens``, ...): cache EXCLUDED.

When included, ``input_tokens = input − cache_read − cache_write``. The mapping
key ``input_includes_cache: true|false`` overrides the default for every row.

Mapping file (``--map``)
------------------------
::

    format: csv                      # optional: csv | json | jsonl | parquet
    columns:                         # canonical name: column in the file
      time: ts                       # dotted paths reach into nested JSON
      model: llm
      input_tokens: usage.in
      output_tokens: usage.out
      app: service
    input_includes_cache: false      # optional
    time_format: "%d/%m/%Y %H:%M"    # optional strftime format (naive = UTC)
    defaults: {provider: openai, app: chatbot}

Canonical keys: see :data:`CANONICAL` (plus ``cost``/``cost_usd`` for
``reported_cost_usd`` and ``cached_tokens`` for ``cache_read_tokens``). An
unknown key, or a mapped column missing from the file, is a
:class:`~llmcost.errors.ConfigError` naming the mapping file (the CLI stores
its path under the ``"__file__"`` key of the parsed mapping).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from ..schema import TOKEN_COLUMNS, finalize
from ..textfiles import yaml_error_line
from . import Reader
from ._io import ReadContext, Source
from ._numbers import plain_numbers

CANONICAL: tuple[str, ...] = (
    "time", "provider", "model", "app", "user", "feature", "session", "request_id",
    "input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
    "output_tokens", "reasoning_tokens", "requests", "batch", "service_tier",
    "reported_cost_usd", "quality", "temperature", "prompt", "response",
)

_KEY_ALIASES: dict[str, str] = {
    "cost": "reported_cost_usd",
    "cost_usd": "reported_cost_usd",
    "cached_tokens": "cache_read_tokens",
}

ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("timestamp", "time", "created_at", "date", "datetime", "start_time", "ts", "created",
             "start_time_iso", "starttime", "request_created_at", "start_time_unix_nano", "starttimeunixnano"),
    "model": ("model", "model_name", "model_id", "engine", "model_version",
              "$ai_model", "ai_model", "gen_ai.response.model", "gen_ai.request.model", "ai.model.id",
              "ls_model_name", "invocation_params.model", "llm.model_name"),
    "provider": ("provider", "vendor", "api", "llm_provider", "custom_llm_provider",
                 "$ai_provider", "ai_org", "gen_ai.provider.name", "gen_ai.system", "ai.model.provider",
                 "ls_provider", "llm.provider"),
    "app": ("app", "application", "project", "project_id", "workspace", "service", "team",
            "gen_ai.application_name", "service.name", "servicename"),
    "user": ("user", "user_id", "customer", "api_key", "tenant", "end_user",
             "userid", "distinct_id", "enduser.id", "user.id", "ai.telemetry.metadata.userid", "metadata._user"),
    "feature": ("feature", "endpoint", "route", "tag", "task", "operation", "ai.telemetry.functionid"),
    "session": ("session", "session_id", "conversation_id", "thread_id",
                "sessionid", "$ai_session_id", "gen_ai.conversation.id", "$ai_trace_id", "trace_id", "traceid"),
    "request_id": ("request_id", "id", "call_id", "span_id", "spanid"),
    "input_tokens": ("input_tokens", "prompt_tokens", "tokens_in",
                     "$ai_input_tokens", "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens",
                     "ai.usage.inputtokens", "ai.usage.prompttokens", "prompttokens", "req_units", "input"),
    "cache_read_tokens": ("cached_tokens", "cache_read_tokens", "cache_read_input_tokens", "input_cached_tokens",
                          "prompt_tokens_details.cached_tokens", "input_tokens_details.cached_tokens",
                          "prompt_cache_read_tokens", "$ai_cache_read_input_tokens",
                          "gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens",
                          "ai.usage.cachedinputtokens", "prompt_token_details.cache_read",
                          "input_token_details.cache_read"),
    "cache_write_tokens": ("cache_write_tokens", "cache_creation_input_tokens",
                           "prompt_cache_write_tokens", "$ai_cache_creation_input_tokens",
                           "gen_ai.usage.cache_creation_input_tokens", "gen_ai.usage.cache_creation.input_tokens",
                           "prompt_token_details.cache_creation", "input_token_details.cache_creation"),
    "cache_write_1h_tokens": ("cache_write_1h_tokens", "cache_creation.ephemeral_1h_input_tokens"),
    "output_tokens": ("output_tokens", "completion_tokens", "tokens_out",
                      "$ai_output_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
                      "ai.usage.outputtokens", "ai.usage.completiontokens", "completiontokens", "res_units",
                      "output"),
    "reasoning_tokens": ("reasoning_tokens", "completion_tokens_details.reasoning_tokens",
                         "output_tokens_details.reasoning_tokens", "$ai_reasoning_tokens",
                         "output_reasoning_tokens", "gen_ai.usage.reasoning_tokens", "ai.usage.reasoningtokens",
                         "completion_token_details.reasoning", "output_token_details.reasoning"),
    "requests": ("requests", "count", "num_requests", "n", "num_model_requests", "request_count",
                 "api_requests"),
    "batch": ("batch", "is_batch"),
    "service_tier": ("service_tier",),
    "reported_cost_usd": ("cost", "cost_usd", "spend", "amount", "total_cost", "cost_in_usd",
                          "calculatedtotalcost", "$ai_total_cost_usd", "gen_ai.usage.cost"),
    "quality": ("quality", "score", "rating", "thumbs", "feedback", "user_rating", "quality_score"),
    "temperature": ("temperature", "request.temperature", "params.temperature"),
    "prompt": ("prompt", "input_text", "input"),
    "response": ("response", "output_text", "completion", "output"),
}

# Prefixes under which tools nest their fields: Langfuse ``usage.input`` /
# ``usageDetails.input``, PostHog event ``properties.$ai_model``, OpenTelemetry
# span ``attributes.gen_ai.usage.input_tokens`` (ClickHouse ``SpanAttributes``),
# LangSmith ``extra.metadata.ls_model_name``. A column answers to its name
# without the prefix too (a top-level column of that name comes first).
_CONTAINER_PREFIXES = ("usage.", "usagedetails.", "usage_details.", "properties.", "attributes.",
                       "span_attributes.", "spanattributes.", "extra.metadata.", "extra.",
                       "response.body.usage.")

# Portkey log exports (``ai_org``, ``req_units``, ``res_units``) give ``cost``
# in cents of USD.
_PORTKEY_COLUMNS = frozenset({"ai_org", "req_units", "res_units"})

# Vercel AI SDK spans name the provider with its API (``openai.chat``,
# ``anthropic.messages``, ``google.generative-ai``): the part before the dot is the provider.
_PROVIDER_API = re.compile(r"^([a-z0-9-]+)\.(?:chat|messages|responses|completions?|embeddings?|generative-ai|"
                           r"text|image|transcription|speech)$", re.IGNORECASE)

# How a tool's input-token column treats cached tokens, by (prefix-less) name:
# "prompt" = OpenAI's prompt_tokens rule, "input" = follows the provider (OpenAI
# includes, Anthropic excludes: PostHog ``$ai_input_tokens``, OpenTelemetry
# ``gen_ai.usage.input_tokens``, Vercel AI SDK ``ai.usage.inputTokens``);
# anything else excludes them (Langfuse ``usage.input``/``promptTokens``, whose
# integrations subtract cached tokens from the input count).
_INPUT_SEMANTICS: dict[str, str] = {
    "prompt_tokens": "prompt",
    "input_tokens": "input",
    "$ai_input_tokens": "input",
    "gen_ai.usage.input_tokens": "input",
    "gen_ai.usage.prompt_tokens": "input",
    "ai.usage.inputtokens": "input",
}
# LangChain / LangSmith cache details: their input count is the sum of all input
# kinds, cached included, whatever the provider.
_INCLUSIVE_CACHE_COLUMNS = frozenset({
    "prompt_token_details.cache_read", "prompt_token_details.cache_creation",
    "input_token_details.cache_read", "input_token_details.cache_creation",
})

_TOKEN_KEYS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens")
_AMBIGUOUS_TEXT = {"input": "prompt", "output": "response"}
_MAPPING_KEYS = frozenset({"format", "columns", "input_includes_cache", "time_format", "defaults", "__file__"})
_DEFAULT_KEYS = frozenset({"provider", "model", "app", "user", "feature", "session", "service_tier", "batch"})
_FORMATS = frozenset({"csv", "json", "jsonl", "parquet"})
_CONTAINER_KEYS = ("data", "records", "rows", "items", "results", "logs")
_OPENAI_MODEL = re.compile(r"^(?:openai/|azure/)?(?:ft:)?(?:gpt-|o\d|chatgpt|text-embedding|davinci|babbage|codex)",
                           re.IGNORECASE)


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


# ------------------------------------------------------------------------------
# Mapping files
# ------------------------------------------------------------------------------

def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read and validate a ``--map`` YAML file; the result carries ``__file__``."""
    import yaml

    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such mapping file", file=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read mapping file ({exc})", file=name) from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}", file=name, line=yaml_error_line(exc)) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError("a mapping file must be a YAML mapping (columns: {...})", file=name)
    doc = dict(doc)
    doc["__file__"] = name
    return validate_mapping(doc)


def validate_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Check a parsed mapping; return it with canonical column keys."""
    where = str(mapping.get("__file__") or "--map")
    unknown = sorted(str(k) for k in mapping if k not in _MAPPING_KEYS)
    if unknown:
        raise ConfigError(f"unknown mapping key {unknown[0]!r}",
                          file=where, hint=f"allowed: {', '.join(sorted(_MAPPING_KEYS - {'__file__'}))}")
    out: dict[str, Any] = dict(mapping)
    fmt = mapping.get("format")
    if fmt is not None and str(fmt).lower() not in _FORMATS:
        raise ConfigError(f"format: {fmt!r} is not one of csv, json, jsonl, parquet", file=where)
    columns = mapping.get("columns") or {}
    if not isinstance(columns, dict):
        raise ConfigError("columns: must map canonical names to column names", file=where)
    canon_cols: dict[str, str] = {}
    for key, col in columns.items():
        canon = _KEY_ALIASES.get(str(key), str(key))
        if canon not in CANONICAL:
            raise ConfigError(f"columns.{key}: unknown canonical column",
                              file=where, hint=f"known: {', '.join(CANONICAL)}")
        if not isinstance(col, (str, int)) or isinstance(col, bool) or str(col) == "":
            raise ConfigError(f"columns.{key}: must name one column of the file", file=where)
        canon_cols[canon] = str(col)
    out["columns"] = canon_cols
    inc = mapping.get("input_includes_cache")
    if inc is not None and not isinstance(inc, bool):
        raise ConfigError("input_includes_cache: must be true or false", file=where)
    tf = mapping.get("time_format")
    if tf is not None and not isinstance(tf, str):
        raise ConfigError("time_format: must be a strftime format string", file=where)
    defaults = mapping.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError("defaults: must be a mapping such as {provider: openai}", file=where)
    for key in defaults:
        if key not in _DEFAULT_KEYS:
            raise ConfigError(f"defaults.{key}: unknown key",
                              file=where, hint=f"allowed: {', '.join(sorted(_DEFAULT_KEYS))}")
    out["defaults"] = {k: (v if k == "batch" else ("" if v is None else str(v))) for k, v in defaults.items()}
    return out


# ------------------------------------------------------------------------------
# Column resolution
# ------------------------------------------------------------------------------

def _strip_prefix(name: str) -> str:
    """A normalised name without its container prefix (``usage.``, ``properties.``, ...)."""
    for prefix in _CONTAINER_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def _lookup(columns: Iterable[str]) -> dict[str, list[str]]:
    """Normalised name → original columns, exact spelling first; a nested
    ``usage.x`` / ``properties.x`` / ``attributes.x`` also answers to ``x``."""
    table: dict[str, list[str]] = {}
    cols = list(columns)
    for col in cols:
        table.setdefault(_norm(col), []).append(col)
    for col in cols:
        n = _norm(col)
        short = _strip_prefix(n)
        if short != n:
            table.setdefault(short, []).append(col)
    return table


def resolve_all(columns: Iterable[str], explicit: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Canonical name → every matching source column, best spelling first.

    Records of one JSON Lines file may spell a field differently from line to
    line; the reader takes, row by row, the first of these columns with a value.
    An explicitly mapped column is the only source of its canonical name.
    """
    cols = [str(c) for c in columns if str(c) != "source_row"]
    found: dict[str, list[str]] = {k: [v] for k, v in (explicit or {}).items()}
    used = {v for vs in found.values() for v in vs}
    table = _lookup(c for c in cols if c not in used)
    for canon in CANONICAL:
        if canon in found:
            continue
        for alias in ALIASES.get(canon, ()):
            for col in table.get(alias, ()):
                if col not in used:
                    found.setdefault(canon, []).append(col)
                    used.add(col)
    return found


def resolve_columns(columns: Iterable[str], explicit: Mapping[str, str] | None = None) -> dict[str, str]:
    """Canonical name → the preferred source column (explicit mapping first)."""
    return {k: v[0] for k, v in resolve_all(columns, explicit).items()}


def _score(columns: Iterable[str]) -> int:
    found = resolve_columns(columns)
    has_model = "model" in found
    has_tokens = any(k in found for k in _TOKEN_KEYS)
    if has_model and has_tokens:
        return 5
    if has_tokens:
        return 3
    if has_model and any(k in found for k in ("prompt", "response")):
        return 2  # text without usage numbers: tokens are counted from the text
    return 0  # a model column alone (a settings file, a list of models) is not a usage log


# ------------------------------------------------------------------------------
# Opening each kind as a flat DataFrame with source_row
# ------------------------------------------------------------------------------

def _csv_columns(source: Source) -> list[str]:
    return list(source.header or [])


def _flatten(value: Mapping[str, Any], prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {} if out is None else out
    for key, v in value.items():
        name = f"{prefix}{key}"
        if isinstance(v, dict) and v:
            _flatten(v, name + ".", out)
        else:
            out[name] = v
    return out


def _otlp_value(v: Any) -> Any:
    """An OTLP ``AnyValue`` (``{"intValue": "12"}``) as a plain value."""
    if not isinstance(v, dict):
        return v
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        try:
            return int(v["intValue"])
        except (TypeError, ValueError):
            return v["intValue"]
    return None


def _otlp_attributes(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {str(a["key"]): _otlp_value(a.get("value")) for a in items if isinstance(a, dict) and "key" in a}


def _otlp_spans(doc: Any) -> list[dict[str, Any]] | None:
    """The spans of an OTLP/JSON trace export (``resourceSpans`` → ``scopeSpans`` →
    ``spans``, attributes as key/value lists), each with its resource attributes
    (``service.name``) and span attributes under ``attributes``; None if not OTLP."""
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceSpans"), list):
        return None
    spans: list[dict[str, Any]] = []
    for rs in doc["resourceSpans"]:
        if not isinstance(rs, dict):
            continue
        resource = _otlp_attributes((rs.get("resource") or {}).get("attributes"))
        for ss in rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []:
            for span in (ss or {}).get("spans") or []:
                if isinstance(span, dict):
                    rec = {k: v for k, v in span.items() if k not in ("attributes", "events", "links", "status")}
                    rec["attributes"] = {**resource, **_otlp_attributes(span.get("attributes"))}
                    spans.append(rec)
    return spans


def _expand(rec: Any) -> list[Any]:
    """One JSON Lines record: itself, or the spans of an OTLP export line."""
    spans = _otlp_spans(rec)
    return [rec] if spans is None else list(spans)


def _json_items(doc: Any) -> list[Any]:
    if (spans := _otlp_spans(doc)) is not None:
        return list(spans)
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in _CONTAINER_KEYS:
            inner = doc.get(key)
            if isinstance(inner, list) and inner and all(isinstance(x, dict) for x in inner[:20]):
                return inner
        return [doc]
    return [doc]


def _json_columns(source: Source) -> list[str]:
    if source.kind == "json":
        sample = _json_items(source.doc)[:50]
    else:
        sample = [x for rec in source.sample_records() for x in _expand(rec)]
    names: dict[str, None] = {}
    for rec in sample:
        if isinstance(rec, dict):
            names.update(dict.fromkeys(_flatten(rec)))
    return list(names)


def _parquet_table(source: Source) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(source.raw))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read Parquet ({exc})".splitlines()[0], file=source.name) from None
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return table


def _parquet_columns(source: Source) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(io.BytesIO(source.raw))
    except (pa.ArrowException, OSError):
        return []
    names: list[str] = []

    def walk(field: Any, prefix: str) -> None:
        if pa.types.is_struct(field.type):
            for i in range(field.type.num_fields):
                walk(field.type.field(i), f"{prefix}{field.name}.")
        else:
            names.append(prefix + field.name)

    for field in schema:
        walk(field, "")
    return names


def source_columns(source: Source) -> list[str]:
    """The (flattened) column names of any source kind."""
    if source.kind == "csv":
        return _csv_columns(source)
    if source.kind == "parquet":
        return _parquet_columns(source)
    return _json_columns(source)


def _counts_as_text(df: pd.DataFrame, source: Source, explicit: Mapping[str, Any]) -> pd.DataFrame:
    """Count columns (tokens, requests) the C reader parsed as floats, re-read as
    text: a spreadsheet's "1.000" (one thousand) parses as 1.0, which only the
    text tells apart. Whole numbers parse as int64 and are left alone (the
    common case: no second read)."""
    counts = {*TOKEN_COLUMNS, "requests"}
    names = [c for canon, cols in resolve_all(_csv_columns(source), explicit).items() if canon in counts for c in cols]
    names += [str(c) for k, c in explicit.items() if _KEY_ALIASES.get(str(k), str(k)) in counts]
    floats = sorted({c for c in names if c in df.columns and pd.api.types.is_float_dtype(df[c].dtype)})
    if floats:
        text = source.csv_frame(dtype=str, usecols=lambda c: str(c).strip() in floats)
        if len(text) == len(df):
            for c in floats:
                df[c] = text[c].to_numpy()
    return df


def _frame(source: Source, ctx: ReadContext) -> pd.DataFrame:
    if source.kind == "csv":
        # Text columns stay text (ids keep leading zeros); numbers parse in C.
        numeric = {*TOKEN_COLUMNS, "requests", "reported_cost_usd"}
        text_cols = [c for canon, cols in resolve_all(_csv_columns(source)).items() if canon not in numeric
                     for c in cols]
        explicit = (ctx.mapping or {}).get("columns") or {}
        text_cols += [str(c) for k, c in explicit.items() if _KEY_ALIASES.get(str(k), str(k)) not in numeric]
        df = source.csv_frame(dtype={c: str for c in text_cols})
        return _counts_as_text(df, source, explicit)
    if source.kind == "parquet":
        df = _parquet_table(source).to_pandas()
        df["source_row"] = np.arange(1, len(df) + 1, dtype="int64")
        return df
    records = ([(line, x) for line, rec in source.records(ctx) for x in _expand(rec)]
               if source.kind == "jsonl" else list(enumerate(_json_items(source.doc), start=1)))
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for line, rec in records:
        if not isinstance(rec, dict):
            ctx.bad(source.name, line, "not a usage record (expected a JSON object)")
            continue
        rows.append(_flatten(rec))
        lines.append(line)
    df = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    df["source_row"] = np.asarray(lines, dtype="int64")
    return df


# ------------------------------------------------------------------------------
# Converting to canonical
# ------------------------------------------------------------------------------

def _mapped_columns(df: pd.DataFrame, mapping: Mapping[str, Any], source: Source) -> dict[str, str]:
    where = str(mapping.get("__file__") or "--map")
    by_norm = {_norm(c): c for c in df.columns if c != "source_row"}
    out: dict[str, str] = {}
    for canon, col in (mapping.get("columns") or {}).items():
        if col in df.columns:
            out[canon] = col
        elif _norm(col) in by_norm:
            out[canon] = by_norm[_norm(col)]
        else:
            listed = ", ".join(c for c in list(df.columns) if c != "source_row")
            if len(listed) > 200:
                listed = listed[:200] + "..."
            raise ConfigError(f"columns.{canon}: column {col!r} not found in {source.name} (columns: {listed})",
                              file=where)
    return out


def _looks_numeric(s: pd.Series, typed: bool) -> bool:
    """Does a column hold numbers? In typed sources (JSON, Parquet) only real
    numbers count; in CSV, text that parses as numbers does."""
    vals = s.dropna()
    if vals.empty or pd.api.types.is_numeric_dtype(vals.dtype):
        return True
    if typed:
        return bool(vals.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all())
    nums = pd.to_numeric(vals.astype(str).str.strip().replace("", "0"), errors="coerce")
    return bool(nums.notna().mean() >= 0.5)


def _fast_numeric(s: pd.Series) -> pd.Series | None:
    """Plain numbers (JSON ints with some missing values): parse at C speed."""
    if s.dtype == object and s.map(lambda v: isinstance(v, bool)).any():
        return None
    try:
        return pd.to_numeric(s, errors="raise").astype("float64")
    except (ValueError, TypeError):
        return None


def _numbers(s: pd.Series, col: str, canon: str, rows: pd.Series, source: Source, ctx: ReadContext,
             *, whole: bool) -> tuple[pd.Series, pd.Series]:
    """Parse a numeric column; returns (values with NaN where empty, bad-row mask).

    Each bad value goes through ``ctx.bad`` (raise, or skip with --skip-bad).
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(object)
    if pd.api.types.is_numeric_dtype(s.dtype):
        vals = s.astype("float64")
        present = vals.notna()
    elif source.kind != "csv" and (fast := _fast_numeric(s)) is not None:  # CSV text: "1.000" is not 1
        vals = fast
        present = vals.notna()
    else:
        text = plain_numbers(s.astype("string").str.replace("_", "", regex=False), col, source, ctx, whole=whole)
        present = text.notna() & (text != "")
        vals = pd.to_numeric(text.where(present, None), errors="coerce").astype("float64")
    invalid = present & vals.isna()
    if whole:
        invalid |= present & vals.notna() & ((vals % 1) != 0)
        invalid |= vals < 0
    bad = pd.Series(False, index=s.index)
    for idx in s.index[invalid.to_numpy()]:
        v = s.loc[idx]
        what = "is negative" if whole and vals.loc[idx] < 0 else (
            "is not a whole number" if whole and pd.notna(vals.loc[idx]) else "is not a number")
        shown = repr(v.item() if hasattr(v, "item") else v)
        ctx.bad(source.name, int(rows.loc[idx]), f"{canon} (column {col!r}) {what}: {shown}")
        bad.loc[idx] = True
    return vals.where(~invalid, np.nan), bad


def _base_name(col: str) -> str:
    return _strip_prefix(_norm(col))


def _includes_cache(out: pd.DataFrame, input_names: pd.Series, mapping: Mapping[str, Any],
                    cache_columns: Iterable[str] = ()) -> pd.Series:
    """Per row: does the input-token value include cache reads/writes?"""
    explicit = mapping.get("input_includes_cache")
    if explicit is not None:
        return pd.Series(bool(explicit), index=out.index)
    if any(_base_name(c) in _INCLUSIVE_CACHE_COLUMNS for c in cache_columns):
        return input_names != ""
    defaults = mapping.get("defaults") or {}
    provider = _filled(out, "provider", defaults).str.lower()
    model = _filled(out, "model", defaults)
    anthropic_like = _per_value(provider, lambda p: "anthropic" in p) | _per_value(
        model, lambda m: "claude" in m.lower())
    openai_like = provider.isin(["openai", "azure"]) | _per_value(model, lambda m: bool(_OPENAI_MODEL.match(m)))
    semantics = input_names.map(lambda n: _INPUT_SEMANTICS.get(n, ""))
    named_prompt = semantics == "prompt"
    named_input = semantics == "input"
    return (named_prompt & ~anthropic_like) | (named_input & openai_like & ~anthropic_like)


def _filled(out: pd.DataFrame, col: str, defaults: Mapping[str, Any]) -> pd.Series:
    s = out[col] if col in out else pd.Series(None, index=out.index, dtype=object)
    return s.where(s.notna(), defaults.get(col, "")).astype(str)


def _per_value(s: pd.Series, test: Any) -> pd.Series:
    """Apply ``test`` once per distinct value (columns repeat a few models)."""
    codes, uniques = pd.factorize(s)
    answers = np.array([bool(test(str(u))) for u in uniques] + [False], dtype=bool)
    return pd.Series(answers[codes], index=s.index)


def _to_canonical(df: pd.DataFrame, source: Source, ctx: ReadContext, fmt: str) -> pd.DataFrame:
    mapping: Mapping[str, Any] = validate_mapping(ctx.mapping) if ctx.mapping is not None else {}
    where = str(mapping.get("__file__") or "--map")
    want = mapping.get("format")
    if want and str(want).lower() != source.kind and {str(want).lower(), source.kind} != {"json", "jsonl"}:
        raise ConfigError(f"format: mapping says {want!r} but {source.name} is {source.kind}", file=where)
    explicit = _mapped_columns(df, mapping, source) if mapping else {}
    found = resolve_all(df.columns, explicit)
    if not explicit and "model" not in found and not any(k in found for k in _TOKEN_KEYS):
        listed = ", ".join(str(c) for c in list(df.columns)[:12] if c != "source_row")
        raise InputError(f"unrecognised usage format (columns {listed})", file=source.name,
                         hint="pass --map mapping.yaml to name the columns")
    _text_not_tokens(df, found, explicit, typed=source.kind != "csv")

    used = {c for cols in found.values() for c in cols}
    ignored = [c for c in df.columns if c != "source_row" and c not in used]
    if ignored:
        shown = ", ".join(map(str, ignored[:25])) + (f" (+{len(ignored) - 25} more)" if len(ignored) > 25 else "")
        ctx.warn(f"{source.name}: ignored columns: {shown}")

    rows = df["source_row"]
    out = pd.DataFrame({"source_row": rows})
    bad = pd.Series(False, index=df.index)
    input_names = pd.Series("", index=df.index, dtype=object)
    for canon, cols in found.items():
        if canon in (*TOKEN_COLUMNS, "requests", "reported_cost_usd"):
            whole = canon != "reported_cost_usd"
            merged: pd.Series | None = None
            for col in cols:
                vals, b = _numbers(df[col], col, canon, rows, source, ctx, whole=whole)
                bad |= b
                if canon == "input_tokens":
                    fill = vals.notna() if merged is None else (merged.isna() & vals.notna())
                    input_names = input_names.where(~fill, _base_name(col))
                merged = vals if merged is None else merged.fillna(vals)
            assert merged is not None
            if canon == "reported_cost_usd" and _in_cents(df, cols):
                merged = merged / 100.0
            out[canon] = merged if not whole else merged.fillna(0.0).astype("int64")
        elif canon == "time":
            out[canon] = _times(_coalesce(df, cols), mapping.get("time_format"), rows, source)
        elif canon == "batch":
            out[canon] = _coalesce(df, cols)
        elif canon == "provider":
            out[canon] = _as_text(_coalesce(df, cols)).replace(_PROVIDER_API, r"\1", regex=True)
        else:
            out[canon] = _as_text(_coalesce(df, cols))
    if "input_tokens" in out and ("cache_read_tokens" in out or "cache_write_tokens" in out):
        cached = out.get("cache_read_tokens", 0) + out.get("cache_write_tokens", 0)
        cache_cols = found.get("cache_read_tokens", []) + found.get("cache_write_tokens", [])
        inc = _includes_cache(out, input_names, mapping, cache_cols) & ~bad
        uncached = out["input_tokens"] - cached
        negative = inc & (uncached < 0)
        for idx in out.index[negative.to_numpy()]:
            ctx.bad(source.name, int(rows.loc[idx]),
                    "cached tokens exceed input tokens although the input column is taken to include them "
                    "(set input_includes_cache: false in a --map file)")
        bad |= negative
        out["input_tokens"] = uncached.where(inc, out["input_tokens"])
    if bad.any():
        out = out[~bad]
    defaults = dict(mapping.get("defaults") or {})
    return finalize(out, source=source.name, source_format=fmt, defaults=defaults)


def _in_cents(df: pd.DataFrame, cols: list[str]) -> bool:
    """Is the cost column Portkey's ``cost`` (cents of USD)?"""
    names = {_norm(c) for c in df.columns}
    return len(cols) == 1 and _norm(cols[0]) == "cost" and len(names & _PORTKEY_COLUMNS) >= 2


def _text_not_tokens(df: pd.DataFrame, found: dict[str, list[str]], explicit: Mapping[str, str], *,
                     typed: bool) -> None:
    """Columns named "input"/"output" holding text are prompt/response, not tokens."""
    for canon in ("input_tokens", "output_tokens"):
        if canon in explicit:
            continue
        for col in list(found.get(canon, [])):
            word = _norm(col)
            if word in _AMBIGUOUS_TEXT and not _looks_numeric(df[col], typed):
                found[canon].remove(col)
                if not found[canon]:
                    del found[canon]
                found.setdefault(_AMBIGUOUS_TEXT[word], []).append(col)


def _coalesce(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    s = df[cols[0]]
    for col in cols[1:]:
        s = s.where(s.notna(), df[col])
    return s


def _as_text(s: pd.Series) -> pd.Series:
    """Strings as they appear (no '12.0' for integer ids stored as floats)."""
    if pd.api.types.is_float_dtype(s.dtype):
        whole = s.dropna()
        if len(whole) and (whole % 1 == 0).all():
            return s.astype("Int64").astype("string")
    return s


def _times(s: pd.Series, fmt: str | None, rows: pd.Series, source: Source) -> pd.Series:
    if not fmt:
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            try:  # the common case, fast; anything else goes to schema.to_utc
                return pd.to_datetime(s, utc=True, format="ISO8601")
            except (ValueError, TypeError):
                return s
        return s
    text = s.astype("string").str.strip()
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    bad = parsed.isna() & text.notna() & (text != "")
    if bad.any():
        idx = parsed.index[bad.to_numpy()][0]
        raise InputError(f"time {s.loc[idx]!r} does not match time_format {fmt!r}",
                         file=source.name, line=int(rows.loc[idx]))
    return parsed


# ------------------------------------------------------------------------------
# Readers
# ------------------------------------------------------------------------------

def _sniff(source: Source) -> int:
    return _score(source_columns(source))


def _make_read(fmt: str):
    def read(source: Source, ctx: ReadContext) -> pd.DataFrame:
        return _to_canonical(_frame(source, ctx), source, ctx, fmt)

    return read


READERS: list[Reader] = [
    Reader(
        name=f"generic-{kind}",
        description=f"any {kind.upper()} usage table with recognisable column names (or a --map file)",
        kinds=frozenset({kind}),
        sniff=_sniff,
        read=_make_read(f"generic-{kind}"),
    )
    for kind in ("csv", "jsonl", "json", "parquet")
]
