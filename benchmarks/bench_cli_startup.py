"""Benchmark: the fixed cost of the ``llmcost`` command line, end to end.

Prints (never asserts) wall-clock seconds, best of ``--repeat`` runs, each
command run as a fresh subprocess (``python -m llmcost ...``, the same
interpreter as this script):

* ``python -c pass``: the interpreter alone, for reference;
* the import of ``llmcost.cli`` (timed inside a fresh interpreter);
* ``llmcost --help`` and ``llmcost compress --help``;
* ``llmcost compress`` on one sample prompt, and on all of ``samples/prompts/`` into a folder;
* ``llmcost compress <1 MB file> --level safe|balanced|aggressive -o <tmp>``.

The 1 MB prompt is ``samples/prompts/*.md`` concatenated over and over, each
copy with its numbers shifted (so duplicate removal does not make it trivial).
For the compression alone (no process start, no report) see
``bench_compress.py``.

    python benchmarks/bench_cli_startup.py [--repeat 3] [--size 1000000]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "prompts"
LEVELS = ("safe", "balanced", "aggressive")


def make_prompt(path: Path, size: int) -> int:
    """Write a ``size``-byte-or-so prompt built from the Markdown samples; return its size."""
    corpus = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.md")))
    blocks: list[str] = []
    total = i = 0
    while total < size:
        block = re.sub(r"\b(\d+)\b", lambda m, i=i: str(int(m.group()) + i), corpus) + f"\n\nSection {i}.\n\n"
        blocks.append(block)
        total += len(block.encode("utf-8"))
        i += 1
    path.write_text("".join(blocks), encoding="utf-8")
    return path.stat().st_size


def best_of(cmd: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        best = min(best, time.perf_counter() - t0)
    return best


def import_time(module: str, repeat: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                                 cwd=ROOT).stdout) for _ in range(repeat)]
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", type=int, default=1_000_000, help="bytes of the big prompt")
    args = ap.parse_args()
    cli = [sys.executable, "-m", "llmcost"]
    print(f"== llmcost CLI wall clock (best of {args.repeat}; {sys.executable}) ==")
    print(f"{'python -c pass':44s} {best_of([sys.executable, '-c', 'pass'], args.repeat):6.3f} s")
    print(f"{'import llmcost.cli':44s} {import_time('llmcost.cli', args.repeat):6.3f} s")
    print(f"{'llmcost --help':44s} {best_of([*cli, '--help'], args.repeat):6.3f} s")
    print(f"{'llmcost compress --help':44s} {best_of([*cli, 'compress', '--help'], args.repeat):6.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        one = SAMPLES / "support_agent_system.md"
        label = f"llmcost compress {one.name}"
        dt = best_of([*cli, "compress", str(one), "-o", str(Path(tmp) / one.name)], args.repeat)
        print(f"{label:44s} {dt:6.3f} s")
        folder = Path(tmp) / "compressed"
        folder.mkdir()
        dt = best_of([*cli, "compress", str(SAMPLES), "-o", str(folder)], args.repeat)
        print(f"{'llmcost compress samples/prompts/ -o DIR':44s} {dt:6.3f} s")
        big = Path(tmp) / "big_prompt.md"
        size = make_prompt(big, args.size)
        out = Path(tmp) / "out.md"
        for level in LEVELS:
            label = f"llmcost compress {size / 1e6:.2f}MB --level {level}"
            dt = best_of([*cli, "compress", str(big), "--level", level, "-o", str(out)], args.repeat)
            print(f"{label:44s} {dt:6.3f} s")


if __name__ == "__main__":
    main()
