"""Benchmark: analyze a generated 1,000,000-request log.

Prints generation, read, price and report times, peak memory, and the speed-up
of vectorised pricing over pricing one row at a time.

    python benchmarks/bench_analyze.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

MODELS = [
    ("openai", "gpt-4o-2024-08-06"),
    ("openai", "gpt-4o-mini"),
    ("openai", "o3"),
    ("anthropic", "claude-sonnet-4-5-20250929"),
    ("anthropic", "claude-3-5-haiku-20241022"),
    ("google", "gemini-2.5-pro"),
    ("openai", "some-internal-model"),  # unpriced on purpose
]
APPS = ["support-bot", "search", "summariser", "code-review", "tagging", "sales-email"]
FEATURES = ["chat", "rerank", "summary", "classify", "extract", "draft"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-09-01", tz="UTC").value // 10**9
    span = 60 * 86400
    t = np.sort(rng.integers(start, start + span, rows))
    m = rng.choice(len(MODELS), rows, p=[0.25, 0.3, 0.05, 0.2, 0.1, 0.09, 0.01])
    inp = rng.lognormal(7, 1.2, rows).astype("int64")
    cached = (inp * rng.uniform(0, 0.6, rows)).astype("int64")
    out = rng.lognormal(5.5, 1, rows).astype("int64")
    df = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(t, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "provider": [MODELS[i][0] for i in m],
            "model": [MODELS[i][1] for i in m],
            "app": rng.choice(APPS, rows),
            "user": np.char.add("user-", rng.integers(0, 500, rows).astype(str)),
            "feature": rng.choice(FEATURES, rows),
            "request_id": np.char.add("req-", np.arange(rows).astype(str)),
            "input_tokens": inp,
            "cached_tokens": cached,
            "output_tokens": out,
        }
    )
    df.to_csv(path, index=False)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()

    from llmcost.analyze import analyze
    from llmcost.ingest import load
    from llmcost.pricing import PriceBook, price_one, price_usage
    from llmcost.render import render

    tmp = args.keep or Path(tempfile.mkdtemp())
    path = tmp / "usage_1m.csv"
    t0 = time.perf_counter()
    generate(path, args.rows)
    t_gen = time.perf_counter() - t0
    print(f"rows: {args.rows:,}  file: {path.stat().st_size / 1e6:.0f} MB  (generated in {t_gen:.1f} s)")

    book = PriceBook.default()
    t0 = time.perf_counter()
    table = load([str(path)]).table
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    priced = price_usage(table, book)
    t_price = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = analyze(priced)
    text = render(result, "table", width=120)
    t_report = time.perf_counter() - t0
    print(f"read    {t_read:6.2f} s")
    print(f"price   {t_price:6.2f} s  ({args.rows / t_price / 1e6:.2f} M rows/s)")
    print(f"report  {t_report:6.2f} s  ({len(text.splitlines())} lines)")
    print(f"total   {t_read + t_price + t_report:6.2f} s   peak RSS {peak_mb():,.0f} MB")

    # row-at-a-time pricing on a sample, extrapolated
    sample = table.sample(n=min(20_000, len(table)), random_state=0)
    t0 = time.perf_counter()
    for r in sample.itertuples(index=False):
        price_one(book, r.model, provider=r.provider, when=r.time.to_pydatetime(), input_tokens=r.input_tokens,
                  cache_read_tokens=r.cache_read_tokens, output_tokens=r.output_tokens)
    per_row = (time.perf_counter() - t0) / len(sample)
    print(f"row-by-row pricing: {per_row * 1e6:.1f} us/row -> {per_row * args.rows:.0f} s for all rows; "
          f"vectorised is {per_row * args.rows / t_price:.0f}x faster")


if __name__ == "__main__":
    main()
