"""Benchmark: read speed of three input shapes at two sizes (is it linear?).

Generates, in a temporary folder, Chat Completions response objects (JSONL), a
generic usage CSV and OpenAI Usage API pages pretty-printed one after another
(``curl ... | jq . >> usage.json``), each at ``--mb`` and 4x that size, and
prints MB/s of ``llmcost.ingest.load`` (decode, detect, parse, normalise) and
the peak memory.

    python benchmarks/bench_ingest_formats.py [--mb 50]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MODELS = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "o3-2025-04-16"]
START = 1759276800  # 2025-10-01


def chat_jsonl(path: Path, size: int) -> None:
    with path.open("w") as f:
        written, i = 0, 0
        while written < size:
            p = 100 + i * 7919 % 5000
            rec = {"id": f"chatcmpl-{i}", "object": "chat.completion", "created": START + i, "model": MODELS[i % 3],
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok", "refusal": None},
                                "logprobs": None, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": p, "completion_tokens": 50 + i % 900, "total_tokens": p + 50 + i % 900,
                             "prompt_tokens_details": {"cached_tokens": (p // 1024) * 1024 // 2, "audio_tokens": 0},
                             "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0}},
                   "service_tier": "default", "system_fingerprint": "fp_fc9f1d7035"}
            line = json.dumps(rec) + "\n"
            f.write(line)
            written, i = written + len(line), i + 1


def generic_csv(path: Path, size: int) -> None:
    with path.open("w") as f:
        f.write("timestamp,provider,model,app,user,input_tokens,cached_tokens,output_tokens,request_id\n")
        written, i = 0, 0
        while written < size:
            line = (f"2025-10-{1 + i % 30:02d}T{i % 24:02d}:{i % 60:02d}:00Z,openai,{MODELS[i % 3]},app{i % 7},"
                    f"user{i % 50},{100 + i * 7919 % 5000},{(i % 4 == 0) * 64},{5 + i % 900},req-{i:012d}\n")
            f.write(line)
            written, i = written + len(line), i + 1


def pretty_pages(path: Path, size: int) -> None:
    with path.open("w") as f:
        written, page = 0, 0
        while written < size:
            buckets = []
            for h in range(24):
                t = START + 3600 * (page * 24 + h) % (300 * 86400)
                results = [{"object": "organization.usage.completions.result", "input_tokens": 1000 + j,
                            "output_tokens": 10, "input_cached_tokens": 0, "input_audio_tokens": 0,
                            "output_audio_tokens": 0, "num_model_requests": 1, "project_id": f"proj_{j % 9}",
                            "user_id": None, "api_key_id": f"key_{j % 13}", "model": MODELS[j % 2], "batch": False}
                           for j in range(20)]
                buckets.append({"object": "bucket", "start_time": t, "end_time": t + 3600, "results": results})
            text = json.dumps({"object": "page", "data": buckets, "has_more": True, "next_page": "page_x"}, indent=2)
            f.write(text + "\n")
            written, page = written + len(text) + 1, page + 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0)
    args = ap.parse_args()
    from llmcost.ingest import load

    shapes: list[tuple[str, str, Callable[[Path, int], None]]] = [
        ("chat completions JSONL", "chat.jsonl", chat_jsonl),
        ("generic CSV", "usage.csv", generic_csv),
        ("Usage API pages, pretty, concatenated", "pages.json", pretty_pages),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'shape':40} {'MB':>6} {'rows':>10} {'seconds':>8} {'MB/s':>7}")
        for label, name, make in shapes:
            for factor in (1, 4):
                path = Path(tmp) / f"{factor}_{name}"
                make(path, int(args.mb * factor * 1_000_000))
                mb = path.stat().st_size / 1e6
                t0 = time.perf_counter()
                res = load([str(path)])
                dt = time.perf_counter() - t0
                print(f"{label:40} {mb:6.0f} {len(res.table):10,} {dt:8.2f} {mb / dt:7.1f}")
                path.unlink()
    print(f"peak memory {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
