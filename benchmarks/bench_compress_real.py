"""Benchmark: ``llmcost compress`` on real prompts nobody on the team wrote.

The shipped sample prompts (``samples/prompts/``, bench_compress.py) were
written for this project and are verbose on purpose.  This benchmark measures
the compressor where it will be used: 328 prompts of awesome-chatgpt-prompts
(CC0), 120 Chinese prompts of PlexPt/awesome-chatgpt-prompts-zh (MIT) and 15
agent / RAG system prompts of OpenHands and LangChain (MIT), stored in
``benchmarks/data/realprompts/`` (see its SOURCE.txt).

Per corpus and level it prints the per-prompt token reduction (median, p25,
p75, and the corpus-wide share of tokens), the prompts left unchanged, the
tokens each pass saved, and protected-span survival: every span of the input
(code, placeholders, tags, URLs, numbers with units, quoted strings) found
byte-identical in the output.

    python benchmarks/bench_compress_real.py [--model gpt-4o] [--levels safe,balanced,aggressive]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from llmcost.compress import LEVELS, compress_text
from llmcost.compress.protect import protected_spans

DATA = Path(__file__).resolve().parent / "data" / "realprompts"


def corpora(data: Path) -> dict[str, list[str]]:
    with (data / "awesome_chatgpt_prompts.csv").open(encoding="utf-8", newline="") as f:
        english = [row["prompt"] for row in csv.DictReader(f)]
    chinese = [row["prompt"] for row in json.loads((data / "zh_prompts.json").read_text(encoding="utf-8"))]
    system = [row["text"] for row in json.loads((data / "system_prompts.json").read_text(encoding="utf-8"))]
    return {"awesome-chatgpt-prompts (en)": english, "awesome-chatgpt-prompts-zh": chinese,
            "agent/RAG system prompts": system}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(name: str, prompts: list[str], level: str, model: str) -> None:
    t0 = time.perf_counter()
    reductions: list[float] = []
    before = after = unchanged = spans = spans_ok = 0
    per_pass: Counter[str] = Counter()
    for text in prompts:
        r = compress_text(text, level=level, model=model)
        reductions.append(r.reduction)
        before += r.tokens_before
        after += r.tokens_after
        unchanged += r.text == text
        for pass_name, saved in r.passes:
            per_pass[pass_name] += saved
        found = [s for _kind, s in protected_spans(text)]
        spans += len(found)
        spans_ok += sum(1 for s in found if s in r.text)
    dt = time.perf_counter() - t0
    passes = ", ".join(f"{n} {v}" for n, v in per_pass.most_common() if v)
    print(f"{name:30s} {level:10s} {len(prompts):4d} {100 * statistics.median(reductions):6.1f}% "
          f"{100 * quantile(reductions, 0.25):6.1f}% {100 * quantile(reductions, 0.75):6.1f}% "
          f"{100 * (1 - after / before):6.1f}% {unchanged:9d} {spans_ok:5d}/{spans:<5d} {dt:5.2f} s")
    print(f"{'':30s}   tokens saved per pass: {passes or '-'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--model", default="gpt-4o")
    ap.add_argument("--levels", default=",".join(LEVELS))
    args = ap.parse_args()
    print(f"== Real prompts ({args.data}) — {args.model}; reduction = 1 - tokens after / before ==")
    print(f"{'corpus':30s} {'level':10s} {'n':>4s} {'median':>7s} {'p25':>7s} {'p75':>7s} {'corpus':>7s} "
          f"{'unchanged':>9s} {'spans ok':>11s} {'time':>7s}")
    for name, prompts in corpora(args.data).items():
        for level in args.levels.split(","):
            run(name, prompts, level, args.model)


if __name__ == "__main__":
    main()
