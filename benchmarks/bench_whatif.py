"""Time `llmcost whatif`'s full lever stack on generated traffic (no assertions).

    python benchmarks/bench_whatif.py [N_REQUESTS] [--semantic]

Generates N requests (default 1,000,000) with prompt text over 30 days, 3
models, 20 apps, sessions of ~8 turns, then times the baseline pricing and
each lever (route with complexity tiers, response cache (exact, or semantic
with --semantic), prompt cache, compress, history, output cap, batch).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from llmcost.pricing import PriceBook
from llmcost.schema import finalize
from llmcost.simulate import simulate
from llmcost.simulate.base import LeverOutcome
from llmcost.simulate.batch import BatchLever
from llmcost.simulate.compress import CompressLever
from llmcost.simulate.history import HistoryLever
from llmcost.simulate.output_cap import OutputCapLever
from llmcost.simulate.route import RouteLever

TEMPLATES = [
    "Translate this sentence into French: order {n} has shipped",
    "Summarize the support ticket {n} in two lines",
    "Write a Python function that validates invoice {n} and explain why step by step",
    "Solve 3x + {n} = 20 and show the derivation",
    "请分析为什么订单 {n} 的延迟比平均水平高",
    "What is the status of order {n}?",
    "Compare the trade-offs of plan {n} versus the current design",
    "Extract the customer name from message {n}",
]
ROUTES = """
routes:
  - name: simple-to-mini
    match: {tier: simple, model: "gpt-4o*"}
    to: gpt-4o-mini
  - name: long-to-haiku
    match: {model: "claude-sonnet*", input_tokens: "<1500"}
    to: claude-3-5-haiku-20241022
"""


def generate(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    models = np.array(["gpt-4o-2024-08-06", "claude-sonnet-4-20250514", "gpt-4o-mini"])
    t0 = pd.Timestamp("2025-05-01", tz="UTC").value
    times = np.sort(t0 + rng.integers(0, 30 * 86400 * 10**9, n))
    tmpl = rng.integers(0, len(TEMPLATES), n)
    num = rng.zipf(1.3, n) % 50_000
    prompts = [TEMPLATES[t].format(n=k) for t, k in zip(tmpl.tolist(), num.tolist())]
    m = models[rng.integers(0, 3, n)]
    df = pd.DataFrame({
        "time": pd.to_datetime(times, utc=True),
        "provider": np.where(np.char.startswith(m.astype(str), "claude"), "anthropic", "openai"),
        "model": m,
        "app": np.char.add("app-", rng.integers(0, 20, n).astype(str)),
        "user": np.char.add("u", rng.integers(0, 5000, n).astype(str)),
        "feature": np.where(rng.random(n) < 0.2, "reports", "chat"),
        "session": np.char.add("s", (np.arange(n) // 8).astype(str)),
        "input_tokens": rng.integers(50, 6000, n),
        "output_tokens": rng.integers(10, 3000, n),
        "requests": 1,
        "prompt": prompts,
        "source_row": np.arange(1, n + 1),
    })
    return finalize(df, source="generated", source_format="bench")


class Timed:
    def __init__(self, lever: object) -> None:
        self.lever = lever
        self.name = lever.name  # type: ignore[attr-defined]
        self.seconds = 0.0

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        t = time.perf_counter()
        try:
            return self.lever.apply(table, book)  # type: ignore[attr-defined]
        finally:
            self.seconds = time.perf_counter() - t


def main() -> None:
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
    semantic = "--semantic" in sys.argv
    t = time.perf_counter()
    table = generate(n)
    print(f"generated {n:,} requests in {time.perf_counter() - t:.1f} s")
    book = PriceBook.default()
    levers = [RouteLever.from_text(ROUTES, book), CompressLever.parse("0.2"), HistoryLever(4000),
              OutputCapLever(1500), BatchLever.parse("feature=reports")]
    try:
        from llmcost.simulate.cache import ResponseCache

        levers.append(ResponseCache(mode="semantic" if semantic else "exact", ttl_seconds=86400.0, threshold=0.95, scope="global"))
    except ImportError:
        print("response cache lever not available: skipped")
    try:
        from llmcost.simulate.prompt_cache import PromptCache

        levers.append(PromptCache())
    except ImportError:
        print("prompt cache lever not available: skipped")
    timed = [Timed(lv) for lv in levers]
    t = time.perf_counter()
    result = simulate(table, timed, book)
    total = time.perf_counter() - t
    for lv in sorted(timed, key=lambda x: x.seconds, reverse=True):
        print(f"  lever {lv.name:<12} {lv.seconds:7.1f} s")
    print(f"full stack (pricing {len(result.steps) + 1}x included): {total:.1f} s")
    for e in result.errors:
        print("  error:", e)
    print(f"baseline ${result.baseline_cost_usd:,.0f} → scenario ${result.scenario_cost_usd:,.0f} "
          f"({result.savings_pct:.1f}% saved)")


if __name__ == "__main__":
    main()
