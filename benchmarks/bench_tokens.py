"""Benchmark: offline token counting speed on mixed English/Chinese text.

Prints the one-off encoding load time and MB/s (UTF-8 bytes of input) for
``encode_ordinary`` on one large text and ``count_many`` (batched, threaded)
on many prompt-sized texts, for o200k_base and cl100k_base.

    python benchmarks/bench_tokens.py [--mb 8] [--prompt-kb 4]
"""

from __future__ import annotations

import argparse
import time

from llmcost import tokens as tok

ENGLISH = (
    "You are a helpful support assistant. Answer the customer's question about their invoice, "
    "quote the order number 48213-B, and keep the reply under 120 words. "
)
CHINESE = "请根据客户的问题，用简洁礼貌的中文回答，并在结尾提供订单号和联系方式。我们的退货政策为三十天内无理由退货。"


def mixed_text(n_bytes: int) -> str:
    """About ``n_bytes`` of UTF-8 text, alternating English and Chinese paragraphs."""
    unit = ENGLISH + "\n" + CHINESE + "\n"
    repeats = max(1, n_bytes // len(unit.encode("utf-8")))
    return "".join(f"{i} {unit}" for i in range(repeats))


def best_of(runs: int, func) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=8.0, help="MB of text to encode (default 8)")
    parser.add_argument("--prompt-kb", type=float, default=4.0, help="size of one prompt for count_many (default 4 KB)")
    parser.add_argument("--runs", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()

    text = mixed_text(int(args.mb * 1_000_000))
    size_mb = len(text.encode("utf-8")) / 1_000_000
    prompt = mixed_text(int(args.prompt_kb * 1000))
    prompts = [f"{i}: {prompt}" for i in range(max(1, int(args.mb * 1000 / args.prompt_kb)))]
    prompts_mb = sum(len(p.encode("utf-8")) for p in prompts) / 1_000_000
    print(f"text: {size_mb:.1f} MB mixed English/Chinese; {len(prompts):,} prompts of ~{args.prompt_kb:g} KB")

    for name, model in (("o200k_base", "gpt-4o"), ("cl100k_base", "gpt-4")):
        start = time.perf_counter()
        encoding = tok.get_encoding(name)
        load = time.perf_counter() - start
        n_tokens = len(encoding.encode_ordinary(text))
        single = best_of(args.runs, lambda: encoding.encode_ordinary(text))
        batch = best_of(args.runs, lambda: tok.count_many(prompts, model))
        print(
            f"{name:12} load {load:5.2f} s | {n_tokens / len(text):.2f} tokens/char | "
            f"encode_ordinary {size_mb / single:6.1f} MB/s | count_many {prompts_mb / batch:6.1f} MB/s"
        )


if __name__ == "__main__":
    main()
