"""Response-cache lever: small logs whose hits and savings are computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.pricing import PriceBook, price_usage
from llmcost.schema import finalize
from llmcost.simulate import similarity as sim
from llmcost.simulate.base import LeverError
from llmcost.simulate.cache import DEFAULT_THRESHOLD, ResponseCache, normalise_prompts

T0 = pd.Timestamp("2025-03-01T00:00:00Z")


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.default()


def log(rows: list[dict]) -> pd.DataFrame:
    """rows: dicts with at least ``prompt`` and ``at`` (seconds after T0)."""
    df = pd.DataFrame(
        {
            "time": [T0 + pd.Timedelta(seconds=r["at"]) for r in rows],
            "model": [r.get("model", "gpt-4o") for r in rows],
            "app": [r.get("app", "") for r in rows],
            "user": [r.get("user", "") for r in rows],
            "prompt": [r["prompt"] for r in rows],
            "input_tokens": [r.get("input", 1000) for r in rows],
            "output_tokens": [r.get("output", 500) for r in rows],
            "source_row": list(range(1, len(rows) + 1)),
        }
    )
    extra = {k for r in rows for k in r} - {"prompt", "at", "model", "app", "user", "input", "output"}
    out = finalize(df, source="t.jsonl", source_format="test")
    for k in extra:
        out[k] = [r.get(k) for r in rows]
    return out


def hits(outcome) -> list[bool]:
    return outcome.table["cache_hit"].tolist()


# --------------------------------------------------------------------------- exact


def test_exact_normalisation_whitespace_case_trailing_punctuation(book):
    t = log(
        [
            {"prompt": "What is the capital of France?", "at": 0},
            {"prompt": "  what IS the   capital of france?!  ", "at": 10},
            {"prompt": "What is the capital of France", "at": 20},
            {"prompt": "What is the capital of Spain?", "at": 30},
        ]
    )
    out = ResponseCache(mode="exact").apply(t, book)
    assert hits(out) == [False, True, True, False]
    assert out.requests_affected == 2
    assert out.details["hit_rate"] == 0.5
    # hits keep their rows with every token column zeroed
    assert out.table.loc[1, ["input_tokens", "output_tokens", "cache_read_tokens"]].tolist() == [0, 0, 0]
    assert out.table.loc[3, "input_tokens"] == 1000
    # gpt-4o: 1000 input * $2.5/M + 500 output * $10/M = $0.0075 per request, two hits
    assert out.details["saved_usd"] == pytest.approx(0.015)
    before = price_usage(t, book)["cost_usd"].sum()
    after = price_usage(out.table, book)["cost_usd"].sum()
    assert before - after == pytest.approx(0.015)


def test_exact_normalisation_is_configurable(book):
    t = log([{"prompt": "Hello World", "at": 0}, {"prompt": "hello world", "at": 1}, {"prompt": "Hello  World", "at": 2}])
    assert hits(ResponseCache(normalise={"case": False}).apply(t, book)) == [False, False, True]
    assert hits(ResponseCache(normalise={"case": False, "whitespace": False}).apply(t, book)) == [False, False, False]
    keys = normalise_prompts(pd.Series(["  A  b. ", "x?!", "中文。"]))
    assert keys.tolist() == ["a b", "x", "中文"]


def test_ttl_expiry_counts_from_store_time_and_a_hit_does_not_refresh(book):
    p = "Summarise the quarterly report"
    h = 3600
    t = log(
        [
            {"prompt": p, "at": 0},  # miss, stored at 0
            {"prompt": p, "at": 23 * h},  # hit (23 h old)
            {"prompt": p, "at": 24 * h},  # exactly the TTL: expired -> miss, re-stored at 24 h
            {"prompt": p, "at": 47 * h},  # hit (23 h after the refresh)
            {"prompt": p, "at": 72 * h},  # 48 h after the last store: miss
        ]
    )
    out = ResponseCache(mode="exact", ttl_seconds=24 * h).apply(t, book)
    assert hits(out) == [False, True, False, True, False]
    # a shorter TTL: only nothing hits
    assert hits(ResponseCache(mode="exact", ttl_seconds=3600).apply(t, book)) == [False] * 5


def test_replay_is_in_time_order_not_file_order(book):
    t = log([{"prompt": "same question", "at": 100}, {"prompt": "same question", "at": 0}])
    assert hits(ResponseCache().apply(t, book)) == [True, False]


def test_scope_app_and_user(book):
    rows = [
        {"prompt": "Translate 'good morning' to German", "at": 0, "app": "a", "user": "u1"},
        {"prompt": "Translate 'good morning' to German", "at": 5, "app": "b", "user": "u1"},
        {"prompt": "Translate 'good morning' to German", "at": 9, "app": "b", "user": "u2"},
    ]
    t = log(rows)
    assert hits(ResponseCache(scope="global").apply(t, book)) == [False, True, True]
    assert hits(ResponseCache(scope="app").apply(t, book)) == [False, False, True]
    assert hits(ResponseCache(scope="user").apply(t, book)) == [False, True, False]


def test_creative_requests_are_never_cached(book):
    t = log(
        [
            {"prompt": "Write a poem about the sea", "at": 0, "temperature": 1.0},
            {"prompt": "Write a poem about the sea", "at": 1, "temperature": 1.0},
            {"prompt": "Write a poem about the sea", "at": 2, "temperature": 0.2},
            {"prompt": "Write a poem about the sea", "at": 3, "temperature": None},
        ]
    )
    out = ResponseCache().apply(t, book)
    assert hits(out) == [False, False, False, True]
    assert out.details["creative_rows_skipped"] == 2


def test_no_prompt_text_raises_a_lever_error(book):
    t = log([{"prompt": None, "at": 0}, {"prompt": None, "at": 1}])
    with pytest.raises(LeverError) as err:
        ResponseCache().apply(t, book)
    assert "lever cache cannot run: the log has no prompt text" in str(err.value)


def test_rows_without_text_are_left_alone(book):
    t = log([{"prompt": "hi there friend", "at": 0}, {"prompt": None, "at": 1}, {"prompt": "hi there friend", "at": 2}])
    out = ResponseCache().apply(t, book)
    assert hits(out) == [False, False, True]
    assert out.details["rows_without_text"] == 1
    assert out.table.loc[1, "input_tokens"] == 1000


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"threshold": 0.0}, "threshold must be in (0, 1]"),
        ({"threshold": 1.5}, "threshold must be in (0, 1]"),
        ({"scope": "team"}, "unknown cache scope"),
        ({"mode": "fuzzy"}, "unknown cache mode"),
        ({"ttl_seconds": -5}, "TTL must be a positive"),
        ({"normalise": {"accents": True}}, "unknown normalisation option"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(LeverError) as err:
        ResponseCache(**kwargs)
    assert message in str(err.value)
    assert str(err.value).startswith("lever cache cannot run:")


# ------------------------------------------------------------------------ semantic


def test_semantic_hit_on_a_rephrased_prompt_with_a_sample_for_review(book):
    a = "How do I learn Python programming quickly?"
    b = "How can I learn Python programming quickly?"  # do/can/i are function words
    c = "What is the fastest way to learn Python programming and data analysis?"
    t = log([{"prompt": a, "at": 0}, {"prompt": b, "at": 60}, {"prompt": c, "at": 120}])
    out = ResponseCache(mode="semantic").apply(t, book)
    assert hits(out) == [False, True, False]
    assert out.details["semantic_hits"] == 1 and out.details["exact_hits"] == 0
    sample = out.details["lowest_similarity_hits"]
    assert sample == [
        {
            "similarity": 1.0,
            "exact_key": False,
            "prompt": b,
            "served_from": a,
            "prompt_compared": b,  # the prompts share no segment: compared whole
            "served_from_compared": a,
            "source_row": 2,
            "served_from_row": 1,
        }
    ]
    # exact mode does not see it
    assert hits(ResponseCache(mode="exact").apply(t, book)) == [False, False, False]


def test_semantic_threshold_decides(book):
    a = "Explain the difference between a list and a tuple in Python"
    b = "Explain the difference between a list and a set in Python"
    s = sim.jaccard(sim.content_tokens(a), sim.content_tokens(b))
    # {explain, difference, between, list, tuple/set, python}: 5 shared of 7
    assert s == pytest.approx(5 / 7)
    t = log([{"prompt": a, "at": 0}, {"prompt": b, "at": 1}])
    assert hits(ResponseCache(mode="semantic", threshold=0.7).apply(t, book)) == [False, True]
    assert hits(ResponseCache(mode="semantic", threshold=0.75).apply(t, book)) == [False, False]
    out = ResponseCache(mode="semantic", threshold=0.7).apply(t, book)
    assert out.details["lowest_similarity_hits"][0]["similarity"] == pytest.approx(round(5 / 7, 4))


@pytest.mark.parametrize(
    "a, b, guard",
    [
        ("Is Python a compiled programming language?", "Is Python not a compiled programming language?", "negation"),
        ("Why doesn't my React app render the list?", "Why does my React app render the list?", "negation"),
        ("我喜欢吃苹果和香蕉", "我不喜欢吃苹果和香蕉", "negation"),
        (
            "Convert 200 US dollars to euros at the current exchange rate",
            "Convert 300 US dollars to euros at the current exchange rate",
            "number",
        ),
        (
            "Which meetings are on my calendar on Monday morning at the office",
            "Which meetings are on my calendar on Tuesday morning at the office",
            "date",
        ),
        (
            "Write a short poem about the beautiful old city of Paris in spring",
            "Write a short poem about the beautiful old city of Rome in spring",
            "named entity",
        ),
        ('Give example sentences using the word "abandon"', 'Give example sentences using the word "into"', "quoted term"),
    ],
)
def test_semantic_guards_block_false_hits(book, a, b, guard):
    score = sim.jaccard(sim.content_tokens(a), sim.content_tokens(b))
    assert score >= 0.6  # similar enough to be a candidate at threshold 0.6 ...
    t = log([{"prompt": a, "at": 0}, {"prompt": b, "at": 1}])
    out = ResponseCache(mode="semantic", threshold=0.6).apply(t, book)
    assert hits(out) == [False, False]  # ... but never the same question
    assert out.details["guard_rejections"] == {guard: 1}


def test_guard_allows_case_changes_of_an_entity_and_sentence_capitals():
    a = sim.guard_signature("How do I learn Python fast? Tell me.")
    b = sim.guard_signature("how do i learn python fast")
    assert sim.guard_conflict(a, b) is None
    assert sim.guard_signature("What is 1,000 plus two?").key[1] == ("1000", "two")


def test_semantic_respects_scope_and_ttl(book):
    a = "How do I learn Python programming quickly?"
    b = "How can I learn Python programming quickly?"
    t = log([{"prompt": a, "at": 0, "user": "u1"}, {"prompt": b, "at": 10, "user": "u2"}, {"prompt": b, "at": 7200, "user": "u1"}])
    # per user: u2 cannot be served u1's entry; u1 is served its own 2 h later within 24 h, not within 1 h
    assert hits(ResponseCache(mode="semantic", scope="user").apply(t, book)) == [False, False, True]
    assert hits(ResponseCache(mode="semantic", scope="user", ttl_seconds=3600).apply(t, book)) == [False, False, False]
    # global scope: row 2 hits row 1; row 3 (2 h later) hits row 1 within 24 h but not within 1 h
    assert hits(ResponseCache(mode="semantic").apply(t, book)) == [False, True, True]
    assert hits(ResponseCache(mode="semantic", ttl_seconds=3600).apply(t, book)) == [False, True, False]


def test_default_threshold_is_the_measured_one():
    assert DEFAULT_THRESHOLD == 0.75
    assert ResponseCache(mode="semantic").threshold == 0.75


def test_lsh_banding_reaches_the_threshold():
    bands, rows = sim.choose_bands(0.75)
    assert 1 - (1 - 0.75**rows) ** bands >= 0.98
    assert bands * rows <= sim.NUM_PERM
    # identical sets collide in every band; minhash of a set ignores order
    sig = sim.minhash_signatures([(3, 5, 9), (9, 3, 5), (4, 6, 8)])
    keys = sim.band_keys(sig, bands, rows)
    assert (keys[0] == keys[1]).all() and not (keys[0] == keys[2]).any()


def test_many_prompts_go_through_the_index(book):
    # 3,000 distinct prompts, each asked twice with a rephrasing: no all-pairs scan, every repeat found
    rows = []
    for i in range(3000):
        rows.append({"prompt": f"please explain topic alpha{i} beta{i} gamma{i} delta{i}", "at": i})
        rows.append({"prompt": f"explain topic alpha{i} beta{i} gamma{i} delta{i} please!", "at": i + 0.5})
    out = ResponseCache(mode="semantic").apply(log(rows), book)
    assert out.details["hits"] == 3000
    assert hits(out) == [False, True] * 3000


def test_embedding_method_when_installed_or_a_clear_error(book):
    rows = [
        {"prompt": "How do I bake bread at home?", "at": 0},
        {"prompt": "How can I bake bread at home?", "at": 1},  # paraphrase: cosine 0.99
        {"prompt": "How do I bake a cake at home?", "at": 2},  # another question: cosine 0.75
        {"prompt": "Is Python a compiled programming language?", "at": 3},
        {"prompt": "Is Python not a compiled programming language?", "at": 4},  # cosine 0.97, negation guard
    ]
    if not sim.embedding_available():
        with pytest.raises(LeverError) as err:
            ResponseCache(mode="semantic", method="embedding")
        assert "embedding method needs sentence-transformers" in str(err.value)
        return
    out = ResponseCache(mode="semantic", method="embedding").apply(log(rows), book)
    assert out.details["threshold"] == 0.925
    assert hits(out) == [False, True, False, False, False]
    assert out.details["guard_rejections"] == {"negation": 1}
    assert out.details["lowest_similarity_hits"][0]["similarity"] == pytest.approx(0.9916, abs=0.002)


# --------------------------------------------------------------------------- shared system prompt

SYSTEM = "\n".join(
    f"Rule {i}: you are the support assistant of Acme Cloud; answer politely about plans, billing, storage, "
    f"sharing and security topic{i} without inventing policies."
    for i in range(1, 21)
)


def chat(question: str) -> str:
    """A chat transcript as the readers join it: system prompt, then the user message, one per line."""
    return SYSTEM + "\n" + question


def test_the_system_prompt_is_long_and_would_dominate_a_whole_prompt_score():
    assert len(SYSTEM) >= 2000
    a, b = chat("What is the maximum file size I can upload?"), chat("Can I recover a file I deleted last week?")
    # why scoring whole prompts failed: 55 system-prompt tokens + "file" shared, 8 question tokens not
    assert len(sim.content_tokens(SYSTEM)) == 55
    assert sim.jaccard(sim.content_tokens(a), sim.content_tokens(b)) == pytest.approx(56 / 64)
    # the cache scores what differs: {what, maximum, file, size, upload} vs {recover, file, delet, last, week}
    assert sim.prompt_similarity(a, b) == pytest.approx(1 / 9)
    assert sim.prompt_similarity(chat("How do I reset my password?"), chat("How can I reset my password?")) == 1.0


def test_different_questions_behind_one_system_prompt_do_not_hit(book):
    t = log(
        [
            {"prompt": chat("What is the maximum file size I can upload?"), "at": 0},
            {"prompt": chat("Can I recover a file I deleted last week?"), "at": 10},
        ]
    )
    out = ResponseCache(mode="semantic").apply(t, book)
    assert hits(out) == [False, False]
    assert out.details["hits"] == 0 and out.details["guard_rejections"] == {}


def test_paraphrases_behind_one_system_prompt_hit_at_the_default_threshold(book):
    t = log(
        [
            {"prompt": chat("How do I reset my password?"), "at": 0},
            {"prompt": chat("Hi, how can I reset my password?"), "at": 10},
            {"prompt": chat("How do I delete my account?"), "at": 20},
        ]
    )
    out = ResponseCache(mode="semantic").apply(t, book)
    assert hits(out) == [False, True, False]
    (sample,) = out.details["lowest_similarity_hits"]
    assert sample["similarity"] == 1.0  # {how, reset, password} on both sides ("hi" is a function word)
    # the review shows the questions, not the shared system prompt
    assert sample["prompt_compared"] == "Hi, how can I reset my password?"
    assert sample["served_from_compared"] == "How do I reset my password?"
    # the whole prompt is clipped to 240 characters keeping its beginning and its end (the question)
    assert len(sample["prompt"]) == 240 and "…" in sample["prompt"]
    assert sample["prompt"].startswith("Rule 1: you are the support assistant of Acme Cloud")
    assert sample["prompt"].endswith("inventing policies. Hi, how can I reset my password?")


def test_a_prompt_that_only_adds_a_courtesy_is_served_one_that_adds_a_question_is_not(book):
    q = chat("How much storage does the Plus plan include?")
    t = log(
        [
            {"prompt": q, "at": 0},
            {"prompt": q + " Thanks!", "at": 1},
            {"prompt": q + "\nAnd how much does the Team plan include?", "at": 2},
        ]
    )
    out = ResponseCache(mode="semantic").apply(t, book)
    assert hits(out) == [False, True, False]
    (sample,) = out.details["lowest_similarity_hits"]
    # one prompt adds "Thanks!" only: shown with the last shared segment
    assert sample["prompt_compared"] == "How much storage does the Plus plan include? Thanks!"
    assert sample["served_from_compared"] == "How much storage does the Plus plan include?"


def test_exact_mode_stays_exact_on_the_whole_prompt(book):
    other_system = SYSTEM.replace("Acme Cloud", "Beta Drive")
    t = log(
        [
            {"prompt": chat("How do I reset my password?"), "at": 0},
            {"prompt": other_system + "\nHow do I reset my password?", "at": 1},  # same question, other system prompt
            {"prompt": chat("How do I reset my password? Thanks!"), "at": 2},
            {"prompt": "  " + chat("how do I reset my password").upper() + "  ", "at": 3},  # only case/space/punct
        ]
    )
    assert hits(ResponseCache(mode="exact").apply(t, book)) == [False, False, False, True]


def test_paraphrases_are_found_behind_a_template_shared_by_hundreds_of_prompts(book):
    # a 3,500-character template of 300 distinct words: whole prompts differ in ~2% of their tokens,
    # so most LSH buckets hold all 440 prompts and the 16 nearest-in-time neighbours of each are
    # not its paraphrase; the index on the unshared part finds all 20 (the whole-prompt index alone: 5)
    template = "\n".join(f"Section {i}: " + " ".join(f"clause{i}x{j}" for j in range(15)) + "." for i in range(20))
    rows = [{"prompt": f"{template}\nWhat does warning W{k} about a full disk mean?", "at": k} for k in range(20)]
    rows += [{"prompt": f"{template}\nExplain error code E{i} in the sync client", "at": 100 + i} for i in range(400)]
    rows += [{"prompt": f"{template}\nHello! What does warning W{k} about a full disk mean", "at": 1000 + k} for k in range(20)]
    out = ResponseCache(mode="semantic").apply(log(rows), book)
    assert out.details["hits"] == 20
    assert hits(out) == [False] * 420 + [True] * 20
    assert {h["served_from_row"] for h in out.details["lowest_similarity_hits"]} <= set(range(1, 21))


def test_whatif_views_show_the_lowest_similarity_hits_and_a_hint_without_levers(book):
    from llmcost.render.whatif import NO_LEVER_HINT, render_whatif
    from llmcost.simulate import simulate

    t = log([{"prompt": chat("How do I reset my password?"), "at": 0}, {"prompt": chat("Hi, how can I reset my password?"), "at": 10}])
    result = simulate(t, [ResponseCache(mode="semantic")], book)
    md = render_whatif(result, "markdown")
    assert "| 1.00 | How do I reset my password? | Hi, how can I reset my password? |" in md
    table = render_whatif(result, "table", width=160)
    assert "Lowest-similarity cache hits" in table and "Hi, how can I reset my password?" in table
    assert NO_LEVER_HINT not in md
    bare = simulate(t, [], book)
    assert NO_LEVER_HINT in render_whatif(bare, "markdown") and NO_LEVER_HINT in render_whatif(bare, "table", width=160)
    assert "Lowest-similarity" not in render_whatif(bare, "markdown")


def test_exact_key_includes_the_model(book):
    # gpt-4o 1000 in / 500 out = $0.0075; gpt-4o-mini = $0.00045. TTL 1 h.
    # t=0 gpt-4o miss; 30 min gpt-4o hit (saves $0.0075); 90 min gpt-4o miss (TTL over, refreshes);
    # 100 min the same prompt on gpt-4o-mini: another model's answer is never served -> miss
    t = log(
        [
            {"prompt": "What is X?", "at": 0},
            {"prompt": "What is X?", "at": 1800},
            {"prompt": "What is X?", "at": 5400},
            {"prompt": "What is X?", "at": 6000, "model": "gpt-4o-mini"},
        ]
    )
    for mode in ("exact", "semantic"):
        out = ResponseCache(mode=mode, ttl_seconds=3600).apply(t, book)
        assert hits(out) == [False, True, False, False]
        assert out.details["saved_usd"] == pytest.approx(0.0075)
