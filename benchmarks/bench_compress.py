"""Benchmark: ``llmcost compress`` on real prompts, on the sample corpus, and on 1 MB.

1. The real chain-of-thought prompts in ``../shared/ext/prompts/`` (GSM8K and
   BBH few-shot prompts from chain-of-thought-hub, MIT), with our ratio at
   each level beside LLMLingua's published figures for the same GSM8K prompt
   (``llmlingua_reference/notebook_compression_outputs.jsonl``, from the
   LLMLingua notebooks).  LLMLingua keeps ~1 of the 8 examples and drops
   words with a small LM; the comparable setting here is ``--max-examples 1``.
2. ``samples/prompts/``: median reduction per level and protected-span
   survival (every span of the input found byte-identical in the output).
3. The time to compress 1 MB, best of 3, per level, on four inputs generated
   here with fixed seeds: the sample prompts repeated with varied numbers
   (each copy with its numbers shifted, so duplicate removal cannot drop it), non-repetitive English (a
   word-level Markov chain over the samples), Chinese (random 10-40 character
   pieces of the Chinese samples) and mixed Markdown (headings, prose, code
   fences, tables, unfenced JSON, URLs, {placeholders}).  Each level is timed
   three ways: as called (the default for large inputs: token counting in a
   forked child, and the local passes on ~100,000-character sections in forked
   children, one per core), on one core (``parallel=False``, the same result),
   and as the first call of a fresh interpreter (the tokenizer built inside
   the timing).

    python benchmarks/bench_compress.py [--ext DIR] [--samples DIR] [--model gpt-4o]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from llmcost.compress import LEVELS, compress_text, sections
from llmcost.compress.formats import read_prompt
from llmcost.compress.protect import protected_spans

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXT = ROOT.parent / "shared" / "ext" / "prompts"


def _llmlingua_reference(ext: Path) -> list[dict[str, object]]:
    """LLMLingua's published GSM8K compressions (origin/compressed tokens, ratio)."""
    path = ext / "llmlingua_reference" / "notebook_compression_outputs.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "origin_tokens" in rec and "prompt_complex" in str(rec.get("code", "")):
            out.append({"method": "LLMLingua-2" if "LLMLingua2" in str(rec["notebook"]) else "LLMLingua",
                        "origin": rec["origin_tokens"], "compressed": rec["compressed_tokens"],
                        "ratio": rec["ratio"]})
    return out


def bench_real(ext: Path, model: str) -> None:
    files = sorted(ext.glob("cothub_*.txt"))
    if not files:
        print(f"[real prompts] skipped: no cothub_*.txt in {ext}")
        return
    print(f"== Real prompts ({ext}) — tokens with {model}; ratio = before/after (x) ==")
    header = f"{'prompt':44s} {'tokens':>7s}" + "".join(f" {lvl:>11s}" for lvl in LEVELS) + f" {'bal+ex=1':>10s} {'spans':>6s}"
    print(header)
    for f in files:
        text = f.read_text(encoding="utf-8")
        cells = []
        ok = True
        spans = [s for _k, s in protected_spans(text)]
        for lvl in LEVELS:
            r = compress_text(text, level=lvl, model=model)
            ok &= r.protected_spans_ok and all(s in r.text for s in spans)
            cells.append(f"{r.tokens_after:5d} {r.tokens_before / max(1, r.tokens_after):4.2f}x")
        r1 = compress_text(text, level="balanced", model=model, max_examples=1)
        ok &= r1.protected_spans_ok
        base = r1.tokens_before
        print(f"{f.name:44s} {base:7d}" + "".join(f" {c:>11s}" for c in cells)
              + f" {r1.tokens_after:4d} {base / max(1, r1.tokens_after):4.1f}x {'100%' if ok else 'FAIL':>6s}")
    refs = _llmlingua_reference(ext)
    if refs:
        print("LLMLingua's published figures for cothub_gsm8k_prompt_hardest.txt (GPT tokenizer):")
        for ref in refs:
            print(f"  {ref['method']:12s} {ref['origin']} -> {ref['compressed']} tokens ({ref['ratio']})")
        print("  (LLMLingua drops tokens with a small LM and keeps ~1 example: lossy by design; ours keeps wording\n"
              "   at safe/balanced, so compare its ratio with our bal+ex=1 column.)")
    print()


def bench_samples(samples: Path, model: str, verbose: bool) -> None:
    files = sorted(p for p in samples.iterdir() if p.is_file())
    print(f"== Sample corpus ({len(files)} prompts in {samples}) — {model} ==")
    per_level: dict[str, list[float]] = {lvl: [] for lvl in LEVELS}
    spans_total = spans_ok = 0
    rows = []
    for f in files:
        doc = read_prompt(f)
        row = [f.name]
        for lvl in LEVELS:
            before = after = 0
            for text in doc.texts:
                r = compress_text(text, level=lvl, model=model)
                before += r.tokens_before
                after += r.tokens_after
                spans = [s for _k, s in protected_spans(text)]
                spans_total += len(spans)
                spans_ok += sum(1 for s in spans if s in r.text)
            red = 1 - after / before if before else 0.0
            per_level[lvl].append(red)
            row.append(f"{100 * red:5.1f}%")
        rows.append(row)
    if verbose:
        print(f"{'prompt':36s}" + "".join(f" {lvl:>10s}" for lvl in LEVELS))
        for row in rows:
            print(f"{row[0]:36s}" + "".join(f" {c:>10s}" for c in row[1:]))
    for lvl in LEVELS:
        vals = per_level[lvl]
        print(f"median reduction at {lvl:10s}: {100 * statistics.median(vals):5.1f}%   "
              f"(min {100 * min(vals):.1f}%, max {100 * max(vals):.1f}%)")
    rate = 100.0 * spans_ok / spans_total if spans_total else 100.0
    print(f"protected spans surviving byte-identical: {spans_ok}/{spans_total} ({rate:.1f}%)")
    print()

# --------------------------------------------------------------------------- #
# 1 MB inputs that duplicate removal cannot shrink (deterministic: fixed seeds)
# --------------------------------------------------------------------------- #

_MB = 1_000_000
_PLAIN_WORD = re.compile(r"^[A-Za-z][A-Za-z'’-]*[.,;:!?]?$|^\d+[.,]?$")


def english_text(samples: Path, size: int = _MB, seed: int = 1) -> str:
    """Non-repetitive English prose: a word-level Markov chain over ``samples/*.md``.

    Sentences of 8+ words, a few sentences a line, a blank line now and then.
    Only plain words feed the chain (no backticks, braces, quotes or Markdown marks),
    so nothing but prose is generated.
    """
    words: list[str] = []
    for f in sorted(samples.glob("*.md")):
        words.extend(w for w in f.read_text(encoding="utf-8").split() if _PLAIN_WORD.match(w))
    nxt: dict[str, list[str]] = {}
    for a, b in zip(words, words[1:]):
        nxt.setdefault(a, []).append(b)
    starts = [w for w in nxt if w[0].isupper() and w[-1] not in ".!?:;,"]
    rng = random.Random(seed)
    out: list[str] = []
    n = 0
    line: list[str] = []
    while n < size:
        sent = [rng.choice(starts)]
        while True:
            w = sent[-1]
            if len(sent) >= 8 and w[-1] in ".!?":
                break
            if len(sent) >= 40:
                sent.append("done.")
                break
            choices = nxt.get(w)
            w2 = rng.choice(choices) if choices else rng.choice(words)
            if len(sent) < 8 and w2[-1] in ".!?":
                w2 = w2.rstrip(".!?") or "and"
            sent.append(w2)
        line.append(" ".join(sent))
        if rng.random() < 0.3:
            text = " ".join(line) + ("\n\n" if rng.random() < 0.3 else "\n")
            out.append(text)
            n += len(text.encode("utf-8"))
            line = []
    return "".join(out)


def chinese_text(samples: Path, size: int = _MB, seed: int = 2) -> str:
    """Chinese text: random 10-40 character pieces of ``samples/*zh*``, joined in random order."""
    src = "".join(f.read_text(encoding="utf-8") for f in sorted(samples.glob("*zh*")))
    src = re.sub(r"\s+", "", src)
    rng = random.Random(seed)
    out: list[str] = []
    n = 0
    while n < size:
        k = rng.randint(10, 40)
        i = rng.randrange(0, len(src) - k)
        piece = src[i:i + k] + rng.choice(("", "", "", "。", "，", "\n", "\n", "\n\n"))
        out.append(piece)
        n += len(piece.encode("utf-8"))
    return "".join(out)


def markdown_text(samples: Path, size: int = _MB, seed: int = 3) -> str:
    """Mixed Markdown: headings, prose, lists, code fences, tables, unfenced JSON, URLs, {placeholders}."""
    rng = random.Random(seed)
    lines = iter([p for p in english_text(samples, 2 * size, seed).split("\n") if p])  # each line used once
    names = ["user", "query", "context", "order_id", "customer_name", "date", "lang", "product"]
    out: list[str] = []
    n = 0
    k = 0
    while n < size:
        i = k
        k += 1
        parts = [f"## Section {i}: {next(lines)[:40].strip()}\n"]
        for _ in range(rng.randint(1, 3)):
            parts.append(next(lines) + "\n")
        kind = rng.randrange(6)
        if kind == 0:
            parts.append(f"```python\ndef f_{i}(x):\n    return x * {rng.randint(2, 999)}  # {next(lines)[:30]}\n```\n")
        elif kind == 1:
            rows = [f"| {rng.choice(names)}   |  {rng.randint(1, 9999)}  | {next(lines)[:20]} |"
                    for _ in range(rng.randint(2, 5))]
            parts.append("| name | value | note |\n|:-----|------:|------|\n" + "\n".join(rows) + "\n")
        elif kind == 2:
            parts.append('Output: {\n  "id": %d,\n  "name": "%s",\n  "tags": ["a", "b%d"]\n}\n'
                         % (rng.randint(1, 10**6), rng.choice(names), i))
        elif kind == 3:
            parts.append(f"See https://example.com/docs/{i}/{rng.choice(names)}?page={rng.randint(1, 99)} and "
                         f"write to support{i}@example.org. Use {{{rng.choice(names)}}} and {{{{ {rng.choice(names)} }}}}.\n")
        elif kind == 4:
            parts.append("".join(f"{j + 1}. **{rng.choice(names)}**: {next(lines)[:80]}\n"
                                 for j in range(rng.randint(2, 6))))
        else:
            parts.append(f"- *{rng.choice(names)}* costs ${rng.randint(1, 500)} and takes {rng.randint(1, 90)} ms\n"
                         f"- `{rng.choice(names)}_{i}` is \"{next(lines)[:30]}\"\n---\n")
        block = "\n".join(parts) + "\n"
        out.append(block)
        n += len(block.encode("utf-8"))
    return "".join(out)


_COLD = """
import sys, time
from llmcost.compress import compress_text
text = open(sys.argv[1], encoding="utf-8").read()
t0 = time.perf_counter()
compress_text(text, level=sys.argv[2], model=sys.argv[3])
print(time.perf_counter() - t0)
"""


def _cold(text: str, level: str, model: str) -> float:
    """One compression in a fresh interpreter (modules imported, tokenizer not yet built)."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as fh:
        fh.write(text)
    try:
        out = subprocess.run([sys.executable, "-c", _COLD, fh.name, level, model],
                             capture_output=True, text=True, check=True, cwd=ROOT)
    finally:
        Path(fh.name).unlink()
    return float(out.stdout.strip())


def _time_levels(label: str, text: str, model: str, repeat: int) -> None:
    print(f"-- {label}: {len(text.encode('utf-8')) / 1e6:.2f} MB --")
    for lvl in LEVELS:
        best = {True: float("inf"), False: float("inf")}
        for _ in range(repeat):  # the best run: the others measure the machine's load, not the code
            for parallel in best:
                t0 = time.perf_counter()
                r = compress_text(text, level=lvl, model=model, parallel=parallel)
                best[parallel] = min(best[parallel], time.perf_counter() - t0)
        cold = min(_cold(text, lvl, model) for _ in range(repeat))
        print(f"{lvl:10s}: {best[True]:6.3f} s  (one core {best[False]:5.3f} s, fresh process {cold:5.3f} s)"
              f"  {r.tokens_before:,} -> {r.tokens_after:,} tokens  spans ok: {r.protected_spans_ok}")


def bench_speed(samples: Path, model: str, repeat: int = 3) -> None:
    parts = []
    for f in sorted(samples.iterdir()):
        parts.extend(read_prompt(f).texts)
    corpus = "\n\n".join(parts)
    blocks = []
    size = 0
    i = 0
    while size < 1_000_000:
        # vary the copies so duplicate removal does not make the test trivial
        block = re.sub(r"\b(\d+)\b", lambda m, i=i: str(int(m.group()) + i), corpus) + f"\n\nSection {i}.\n\n"
        blocks.append(block)
        size += len(block.encode("utf-8"))
        i += 1
    big = "".join(blocks)
    print(f"== Speed: time to compress 1 MB ({model}; best of {repeat} runs) ==")
    print(f"(the default for 256,000+ characters: counting in a forked child, sections in forked children on the\n"
          f" {sections._cores()} cores here; 'one core': parallel=False; 'fresh process': the first call in a new\n"
          f" interpreter, tokenizer built inside it)")
    _time_levels("sample prompts repeated, numbers varied", big, model, repeat)
    _time_levels("non-repetitive English (Markov chain)", english_text(samples), model, repeat)
    _time_levels("Chinese (random pieces)", chinese_text(samples), model, repeat)
    _time_levels("mixed Markdown (code, tables, JSON, URLs, placeholders)", markdown_text(samples), model, repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ext", type=Path, default=DEFAULT_EXT)
    ap.add_argument("--samples", type=Path, default=ROOT / "samples" / "prompts")
    ap.add_argument("--model", default="gpt-4o")
    ap.add_argument("--verbose", "-v", action="store_true", help="per-file reductions")
    args = ap.parse_args()
    # LLMLingua counted with the GPT-3.5 tokenizer (cl100k_base): show both
    bench_real(args.ext, "gpt-3.5-turbo")
    bench_real(args.ext, args.model)
    bench_samples(args.samples, args.model, args.verbose)
    bench_speed(args.samples, args.model)


if __name__ == "__main__":
    main()
