"""How good is the built-in complexity classifier as a router? (no assertions)

Data: /work/shared/ext/routing/ (RouteLLM's eval sets, see SOURCE.txt there):
MT-Bench turns with GPT-4-1106 (strong) and Mixtral-8x7B (weak) judge scores,
GSM8K and MMLU per-prompt correctness of both models.

For each operating point (send to the weak model every prompt whose score is
below t) we report:
  * weak share    - share of requests sent to the weak model;
  * cost saved    - share of the all-strong cost saved, with RouteLLM's prices
                    (strong $10 in / $30 out per 1M, weak $0.24 / $0.24), input
                    = chars / 4 tokens, and 300 output tokens per answer;
  * quality kept  - routed quality / all-strong quality (mean judge score on
                    MT-Bench, accuracy on GSM8K and MMLU);
  * random        - the expected quality kept by random routing of the same
                    weak share (the baseline RouteLLM compares with).
A row is flagged "no better than random" when the classifier keeps less than
one point more quality than random routing.

    python benchmarks/bench_routing.py [DATA_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from llmcost.simulate.complexity import classify

STRONG_IN, STRONG_OUT, WEAK_IN, WEAK_OUT = 10.0, 30.0, 0.24, 0.24
OUT_TOKENS = 300


def load(data: Path) -> dict[str, pd.DataFrame]:
    mt = pd.read_json(data / "mt_bench_strong_weak_scores.jsonl", lines=True)
    mt = pd.DataFrame({"prompt": mt["prompt"], "strong": mt["score_strong_gpt4_1106_preview"].astype(float),
                       "weak": mt["score_weak_mixtral_8x7b"].astype(float)})
    gsm = pd.read_csv(data / "gsm8k_strong_weak_correct_sample300.csv")
    mmlu = pd.read_csv(data / "mmlu_strong_weak_correct_sample.csv")
    out = {"mt-bench": mt.dropna()}
    for name, df in (("gsm8k", gsm), ("mmlu", mmlu)):
        out[name] = pd.DataFrame({"prompt": df["prompt"], "strong": df["strong_gpt4_1106_preview_correct"].astype(float),
                                  "weak": df["weak_mixtral_8x7b_correct"].astype(float)})
    return out


def evaluate(name: str, df: pd.DataFrame) -> list[dict[str, object]]:
    tokens = np.maximum(df["prompt"].str.len().to_numpy() // 4, 1)
    cx = classify(df["prompt"].astype("string"), tokens)
    score = cx["score"].to_numpy()
    strong_cost = (tokens * STRONG_IN + OUT_TOKENS * STRONG_OUT) / 1e6
    weak_cost = (tokens * WEAK_IN + OUT_TOKENS * WEAK_OUT) / 1e6
    s, w = df["strong"].to_numpy(), df["weak"].to_numpy()
    strong_q = s.mean()
    rows = []
    cuts = [("tier simple", 0.25), ("tier simple+medium", 0.5)]
    cuts += [(f"score quantile {q:.0%}", float(np.quantile(score, q)) + 1e-9) for q in (0.25, 0.5, 0.75)]
    for label, t in cuts:
        weak = score < t
        share = weak.mean()
        saved = ((strong_cost - weak_cost) * weak).sum() / strong_cost.sum()
        kept = np.where(weak, w, s).mean() / strong_q
        rand = (share * w.mean() + (1 - share) * strong_q) / strong_q
        verdict = "no better than random" if kept - rand < 0.01 else "better than random"
        rows.append({"dataset": name, "operating point": label, "weak share": share, "cost saved": saved,
                     "quality kept": kept, "random": rand, "verdict": verdict if 0 < share < 1 else "-"})
    return rows


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/ext/routing")
    if not data.exists():
        print(f"no routing data at {data}; nothing to measure")
        return
    rows = [r for name, df in load(data).items() for r in evaluate(name, df)]
    print(f"{'dataset':9} {'operating point':22} {'weak share':>10} {'cost saved':>10} {'quality kept':>12} {'random':>7}  verdict")
    for r in rows:
        print(f"{r['dataset']:9} {r['operating point']:22} {r['weak share']:>10.1%} {r['cost saved']:>10.1%} "
              f"{r['quality kept']:>12.1%} {r['random']:>7.1%}  {r['verdict']}")
    print(json.dumps({"strong_in": STRONG_IN, "strong_out": STRONG_OUT, "weak_in": WEAK_IN, "weak_out": WEAK_OUT,
                      "output_tokens_assumed": OUT_TOKENS}))


if __name__ == "__main__":
    main()
