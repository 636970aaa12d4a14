"""Benchmark: ``compress_text`` on adversarial inputs, 100 KB against 1 MB.

Each input is generated here (fixed seed) in two sizes and compressed at the
aggressive level on one core (``parallel=False``); the table shows both times
and their ratio.  Linear work gives a ratio near 10; a regex or a loop that
rescans a line (or a chain, or the rest of the text) from every match gives
~100 and more, which is what this looks for.  Shapes: one 1 MB line of prose,
100,000 short lines, deeply nested and unbalanced brackets, braces, quotes,
backticks and template tags, runs of punctuation, repeated sentences, mixed
line breaks, numbers, e-mail-like and URL-like runs, intensifier chains, tabs,
unclosed bold markers, Chinese on one line.  Anything over ``--limit`` seconds
at 1 MB (default 3) or with a ratio over 30 is flagged.

    python benchmarks/bench_compress_adversarial.py [--only NAME ...] [--limit 3]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterator

from llmcost.compress import compress_text

WORDS = "the a please note that you should basically always return valid JSON and in order to be very clear".split()


def _repeat(piece: str) -> Callable[[int], str]:
    return lambda n: (piece * (n // len(piece) + 1))[:n]


def _prose_line(n: int) -> str:
    r = random.Random(1)
    return " ".join(r.choice(WORDS) for _ in range(n // 4))[:n]


def _short_lines(n: int) -> str:
    r = random.Random(2)
    return "\n".join(r.choice(WORDS) for _ in range(n // 5))[:n]


def _mixed_breaks(n: int) -> str:
    r = random.Random(3)
    return "".join(r.choice(WORDS) + r.choice(["\r\n", "\n", " ", "\r"]) for _ in range(n // 5))[:n]


SHAPES: dict[str, Callable[[int], str]] = {
    "prose on one line": _prose_line,
    "short lines": _short_lines,
    "mixed CRLF/LF/CR": _mixed_breaks,
    "nested ([{": lambda n: "([{" * (n // 6) + "}])" * (n // 6),
    "nested {": lambda n: "{" * (n // 2) + "}" * (n // 2),
    "unclosed [ lines": _repeat("[\n"),
    "repeated sentence": _repeat("Please make sure to always answer in English. "),
    "punctuation run": _repeat("!?.,;:-"),
    "dots": _repeat("."),
    "stars": _repeat("*"),
    "unbalanced quotes": _repeat('"abc '),
    "unbalanced backticks": _repeat("`abc "),
    "unbalanced braces": _repeat("{abc "),
    "unclosed {{": _repeat("{{ abc "),
    "unclosed {%": _repeat("{% abc "),
    "unclosed <a": _repeat("<a "),
    "digits with commas": _repeat("1,"),
    "digits with units": _repeat("5 ms "),
    "e-mail-like": _repeat("a@"),
    "one long URL": lambda n: "https://" + "a" * n,
    "unclosed bold": _repeat("?-- ***"),
    "intensifier chain": _repeat("very "),
    "hedge chain": _repeat("really, "),
    "tab-separated line": _repeat("cell\t"),
    "Chinese on one line": _repeat("请注意，你应该总是用中文回答。"),
    "few-shot blocks": _repeat("Example 1:\nInput: hi\nOutput: hello\n\n"),
    "markdown table": _repeat("| a | b |\n"),
    "JSON blob": _repeat('{"a": [1, 2, {"b": "c"}], "d": "e"}, '),
}


def _time(text: str) -> float:
    start = time.perf_counter()
    compress_text(text, level="aggressive", parallel=False)
    return time.perf_counter() - start


def run(only: list[str], limit: float) -> Iterator[str]:
    compress_text("warm up the tokenizer", parallel=False)
    yield f"{'input':24s} {'100 KB':>8s} {'1 MB':>8s} {'ratio':>6s}"
    for name, make in SHAPES.items():
        if only and name not in only:
            continue
        small, big = _time(make(100_000)), _time(make(1_000_000))
        ratio = big / small if small else float("inf")
        flag = "  <-- slow" if big > limit or ratio > 30 else ""
        yield f"{name:24s} {small:7.2f}s {big:7.2f}s {ratio:6.1f}{flag}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=[], help="input names to run (default: all)")
    ap.add_argument("--limit", type=float, default=3.0, help="seconds for 1 MB above which an input is flagged")
    args = ap.parse_args()
    for line in run(args.only, args.limit):
        print(line, flush=True)


if __name__ == "__main__":
    main()
