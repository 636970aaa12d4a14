"""Benchmark: build the HTML report for a generated 1,000,000-request log.

Prints the time of each step (read, price, analyze, chart aggregates + HTML),
the report size, and peak memory. The report must build in seconds and stay
under a few MB: it holds aggregates only (daily cost × top models, top-N
breakdowns and requests), never one element per request.

    python benchmarks/bench_report.py [--rows 1000000] [--levers] [--keep DIR]

``--levers`` adds the whatif waterfall (``--batch 30% --max-output 800``),
which re-prices the table once per lever.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import generate


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--levers", action="store_true", help="add the whatif waterfall (batch 30%%, max output 800)")
    ap.add_argument("--keep", type=Path, default=None, help="folder for the generated log and the report")
    args = ap.parse_args()

    from llmcost.analyze import DEFAULT_BY, analyze
    from llmcost.ingest import load
    from llmcost.pricing import PriceBook, price_usage
    from llmcost.render.html import render_html, report_data

    tmp = args.keep or Path(tempfile.mkdtemp())
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "usage_1m.csv"
    t0 = time.perf_counter()
    generate(path, args.rows)
    print(f"rows: {args.rows:,}  file: {path.stat().st_size / 1e6:.0f} MB  (generated in {time.perf_counter() - t0:.1f} s)")

    book = PriceBook.default()
    steps: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    table = load([str(path)]).table
    steps.append(("read", time.perf_counter() - t0))
    t0 = time.perf_counter()
    priced = price_usage(table, book)
    steps.append(("price", time.perf_counter() - t0))
    t0 = time.perf_counter()
    result = analyze(priced, by=DEFAULT_BY)
    steps.append(("analyze", time.perf_counter() - t0))
    whatif = None
    if args.levers:
        from llmcost.simulate import simulate
        from llmcost.simulate.batch import BatchLever
        from llmcost.simulate.output_cap import OutputCapLever

        t0 = time.perf_counter()
        whatif = simulate(table, [BatchLever.parse("30%"), OutputCapLever(800)], book)
        steps.append(("whatif", time.perf_counter() - t0))
    t0 = time.perf_counter()
    page = render_html(report_data(priced, result, whatif=whatif))
    steps.append(("html", time.perf_counter() - t0))
    out = tmp / "report.html"
    out.write_text(page, encoding="utf-8")

    for name, secs in steps:
        print(f"{name:8s}{secs:7.2f} s")
    total = sum(s for _, s in steps)
    print(f"total   {total:7.2f} s   peak RSS {peak_mb():,.0f} MB")
    print(f"report  {out.stat().st_size / 1e6:7.2f} MB  ({page.count('data-tip=')} chart marks)  -> {out}")


if __name__ == "__main__":
    main()
