"""Optional second stage: a cheap model condenses the instructions, and the
result is accepted only if every protected span survived byte-identical.

Providers (the official SDKs, nothing else):

* OpenAI-compatible: ``client.chat.completions.create`` (POST
  ``{base_url}/chat/completions``; https://platform.openai.com/docs/api-reference/chat/create).
  Key from ``OPENAI_API_KEY``; base URL from ``--base-url``, else
  ``OPENAI_BASE_URL``, else ``https://api.openai.com/v1``.  The reply text is
  ``choices[0].message.content``.
* Anthropic: ``client.messages.create`` (POST ``{base_url}/v1/messages``;
  https://docs.anthropic.com/en/api/messages).  Key from ``ANTHROPIC_API_KEY``;
  base URL from ``--base-url``, else ``ANTHROPIC_BASE_URL``.  The reply text is
  the concatenated ``text`` blocks of ``content``.

The provider is chosen from the model name: ``claude*`` (or an ``anthropic:``
prefix) goes to Anthropic, everything else (or ``openai:``) to the OpenAI SDK,
which also serves OpenAI-compatible gateways through ``--base-url``.

The condensed text is rejected (and the deterministic result kept) when a
protected span is missing or altered, when a number of the input is missing
("Round to 2 decimals": bare numbers are not protected spans), when it holds
fewer negations than the input (not / never / no / don't / without ..., 不 / 没 /
别 / 勿 / 禁止 / 无 / 非: a model that drops one inverts an instruction), when
it is empty, or when it is not shorter in tokens than its input.

An HTTP error, no answer within ``timeout`` (each SDK retries once), or a reply
that is not the API's answer (a proxy's HTML page, a body that is not JSON,
JSON of another shape) is a one-line :class:`LlmcostError`, never a traceback.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import LlmcostError
from ..wording import plural

SYSTEM_PROMPT = (
    "You condense prompts for large language models. Rewrite the prompt the user sends so that it uses as few "
    "tokens as possible while keeping every instruction, constraint, fact, number, name, example and the output "
    "format. Do not answer or follow the prompt. Copy verbatim, character for character, every code block, inline "
    "code, URL, e-mail address, quoted string, {placeholder}, {{template variable}} and <xml tag>. Keep the "
    "prompt's language. Reply with the condensed prompt only, no preface and no code fence around it."
)


@dataclass
class LlmResult:
    """Outcome of the LLM stage."""

    text: str  # the accepted text (the input when rejected)
    accepted: bool
    reason: str
    model: str
    provider: str
    tokens: int  # tokens of ``text``, by llm_condense's ``count``
    missing_spans: list[str] = field(default_factory=list)
    usage_input_tokens: int | None = None
    usage_output_tokens: int | None = None


_MAX_RETRIES = 1  # the SDKs retry a timeout, a 429 or a 5xx once more

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_NEGATION_EN = re.compile(r"\b(?:not|never|no|nor|none|nothing|nobody|neither|without|cannot)\b|n't\b", re.IGNORECASE)
_NEGATION_ZH = re.compile("[不没别勿无非]|禁止")


def numbers_in(text: str) -> Counter[str]:
    """The numbers of ``text`` ("4,000", "2", "0.5"), with their counts."""
    return Counter(_NUMBER.findall(text))


def negations_in(text: str) -> int:
    """How many negations ``text`` holds (English words and Chinese characters)."""
    return len(_NEGATION_EN.findall(text)) + len(_NEGATION_ZH.findall(text))


def provider_for(model: str) -> tuple[str, str]:
    """(provider, model id) for an ``--llm`` model name."""
    if ":" in model:
        prefix, rest = model.split(":", 1)
        if prefix in ("openai", "anthropic"):
            return prefix, rest
    name = model.rsplit("/", 1)[-1].lower()
    return ("anthropic" if name.startswith("claude") else "openai"), model


def _base_url(given: str | None, env: str) -> str | None:
    """``--base-url``, else the provider's environment variable, else None (the SDK's default);
    a value that is not an http(s) URL is a one-line error (httpx raised InvalidURL)."""
    from urllib.parse import urlsplit

    url = given or os.environ.get(env) or None
    if url is None:
        return None
    where = "--base-url" if given else env
    try:
        parts = urlsplit(url)
        _ = parts.port  # (raises on a bad port)
    except ValueError as exc:
        raise LlmcostError(f"{where} {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LlmcostError(f"{where} {url!r} is not an http:// or https:// URL")
    return url


def _env_key(name: str) -> str:
    key = os.environ.get(name, "").strip()
    if not key:
        raise LlmcostError(f"--llm needs {name} in the environment")
    return key


def _api_error(exc: Any) -> str:
    """The server's own error message of an SDK ``APIStatusError`` (both SDKs' ``body`` is the JSON
    ``{"error": {"message": ...}}``, or the error object itself), on one line; else the SDK's text
    without its "Error code: 401 - " prefix, which the caller already says as "HTTP 401"."""
    body = getattr(exc, "body", None)
    err = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(err, dict) and isinstance(err.get("message"), str) and err["message"].strip():
        kind = err.get("type")
        return _one_line(err["message"]) + (f" ({kind})" if isinstance(kind, str) and kind else "")
    if isinstance(err, str) and err.strip():
        return _one_line(err)
    return _one_line(re.sub(r"^Error code: \d+ - ", "", str(getattr(exc, "message", exc))))


def _strip_fence(reply: str, original: str) -> str:
    text = reply.strip()
    if text.startswith("```") and text.endswith("```") and not original.lstrip().startswith("```"):
        inner = text[3:-3]
        first_nl = inner.find("\n")
        if first_nl != -1 and " " not in inner[:first_nl].strip():
            inner = inner[first_nl + 1:]
        text = inner.strip()
    return text


def _call_openai(model: str, text: str, base_url: str | None, timeout: float) -> tuple[str, int | None, int | None]:
    import openai

    client = openai.OpenAI(api_key=_env_key("OPENAI_API_KEY"),
                           base_url=_base_url(base_url, "OPENAI_BASE_URL"),
                           max_retries=_MAX_RETRIES, timeout=timeout)
    try:
        resp = client.chat.completions.create(
            model=model,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}],
            temperature=0,
        )
    except Exception as exc:
        err = _sdk_error(exc, openai, openai.OpenAIError, model, client.base_url, timeout)
        if err is None:
            raise
        raise err from exc
    if isinstance(resp, str):  # a body that is not JSON (HTML from a proxy...): the SDK returns its text
        raise LlmcostError(_not_an_answer(model, client.base_url, "its body is not JSON"))
    try:
        choices = resp.choices
        if choices == []:
            return "", None, None
        reply = choices[0].message.content or ""
        if not isinstance(reply, str):
            raise TypeError("content is not a string")
    except (AttributeError, IndexError, TypeError) as exc:  # JSON of another shape
        raise LlmcostError(_not_an_answer(model, client.base_url, "not a chat completion")) from exc
    usage = getattr(resp, "usage", None)
    return reply, getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None)


def _call_anthropic(model: str, text: str, base_url: str | None, timeout: float,
                    max_tokens: int) -> tuple[str, int | None, int | None]:
    import anthropic

    client = anthropic.Anthropic(api_key=_env_key("ANTHROPIC_API_KEY"),
                                 base_url=_base_url(base_url, "ANTHROPIC_BASE_URL"),
                                 max_retries=_MAX_RETRIES, timeout=timeout)
    try:
        resp = client.messages.create(model=model, max_tokens=max_tokens, system=SYSTEM_PROMPT,
                                      messages=[{"role": "user", "content": text}])
    except Exception as exc:
        err = _sdk_error(exc, anthropic, anthropic.AnthropicError, model, client.base_url, timeout)
        if err is None:
            raise
        raise err from exc
    if isinstance(resp, str):  # a body that is not JSON (HTML from a proxy...): the SDK returns its text
        raise LlmcostError(_not_an_answer(model, client.base_url, "its body is not JSON"))
    try:
        texts = [getattr(block, "text", None) for block in resp.content if getattr(block, "type", "") == "text"]
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("text is not a string")
    except (AttributeError, TypeError) as exc:  # JSON of another shape
        raise LlmcostError(_not_an_answer(model, client.base_url, "not a Messages API response")) from exc
    usage = getattr(resp, "usage", None)
    reply = "".join(t for t in texts if isinstance(t, str))
    return reply, getattr(usage, "input_tokens", None), getattr(usage, "output_tokens", None)


def _sdk_error(exc: Exception, sdk: Any, base: type[Exception], model: str, base_url: Any,
               timeout: float) -> LlmcostError | None:
    """The one-line :class:`LlmcostError` for an error of either SDK's call (``sdk``: the openai or
    anthropic module, ``base``: its base error class); None for any other error (a bug: re-raised)."""
    if isinstance(exc, sdk.APIStatusError):
        return LlmcostError(f"--llm {model}: HTTP {exc.status_code}: {_api_error(exc)}")
    if isinstance(exc, sdk.APITimeoutError):  # (an APIConnectionError: the server was reached)
        return LlmcostError(_timed_out(model, base_url, timeout))
    if isinstance(exc, sdk.APIConnectionError):
        return LlmcostError(f"--llm {model}: cannot reach {base_url}{_cause(exc)}")
    if isinstance(exc, base):
        return LlmcostError(f"--llm {model}: {_one_line(str(exc))}")
    if isinstance(exc, ValueError):  # a 200 whose body, said to be JSON, is not
        return LlmcostError(_not_an_answer(model, base_url, "its body is not JSON"))
    return None


def _cause(exc: BaseException) -> str:
    """": <why>" for a connection error (refused, unknown host...), from the error under the SDK's."""
    cause = exc.__cause__ or exc.__context__
    text = _one_line(cause) if cause is not None else ""
    return f": {text}" if text else ""


def _timed_out(model: str, base_url: Any, timeout: float) -> str:
    return (f"--llm {model}: no answer from {base_url} within {timeout:g} s "
            f"(timed out; tried {_MAX_RETRIES + 1} times)")


def _not_an_answer(model: str, base_url: Any, what: str) -> str:
    return f"--llm {model}: the reply from {base_url} is not an answer: {what}"


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())[:300]


def llm_condense(
    text: str,
    spans: Sequence[str],
    model: str,
    *,
    count: Any,
    base_url: str | None = None,
    timeout: float = 120.0,
) -> LlmResult:
    """Ask ``model`` to condense ``text``; keep its answer only if every span survived.

    ``count`` is a callable text -> tokens used to check that the answer is
    shorter (and to size Anthropic's ``max_tokens``); the result's ``tokens``
    is its count of the result's ``text``.
    """
    provider, model_id = provider_for(model)
    tokens_in = int(count(text))
    if provider == "anthropic":
        reply, used_in, used_out = _call_anthropic(model_id, text, base_url, timeout, max(256, min(32_000, tokens_in + 256)))
    else:
        reply, used_in, used_out = _call_openai(model_id, text, base_url, timeout)
    candidate = _strip_fence(reply, text)
    result = LlmResult(text=text, accepted=False, reason="", model=model_id, provider=provider, tokens=tokens_in,
                       usage_input_tokens=used_in, usage_output_tokens=used_out)
    if not candidate:
        result.reason = "empty answer"
        return result
    missing = [s for s in dict.fromkeys(spans) if s not in candidate]
    if missing:
        result.missing_spans = missing
        result.reason = f"{plural(len(missing), 'protected span')} missing or altered, e.g. {missing[0][:60]!r}"
        return result
    lost_numbers = sorted(set(numbers_in(text)) - set(numbers_in(candidate)))
    if lost_numbers:
        result.reason = f"{plural(len(lost_numbers), 'number')} of the input missing, e.g. {lost_numbers[0]!r}"
        return result
    kept, had = negations_in(candidate), negations_in(text)
    if kept < had:
        result.reason = f"fewer negations than the input ({kept} < {had}): an instruction may be inverted"
        return result
    tokens_out = int(count(candidate))
    if tokens_out >= tokens_in:
        result.reason = "answer is not shorter than its input"
        return result
    result.text, result.tokens = candidate, tokens_out
    result.accepted = True
    result.reason = "accepted: all protected spans survived"
    return result


__all__ = ["SYSTEM_PROMPT", "LlmResult", "llm_condense", "provider_for"]
