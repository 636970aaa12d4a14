"""``llmcost selfhost FILES... --gpu-hourly 2.5 --gpus 4 --throughput 2500``:
would renting GPUs for the same tokens cost less than the API?

``--throughput`` is the sustained tokens per second of the whole deployment
of ``--gpus`` GPUs (``--per-gpu``: per GPU). See :mod:`llmcost.selfhost`.
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from pathlib import Path

import typer

from ._common import cli_errors, write_output
from .analyze import load_priced


class SelfHostFormat(str, Enum):
    table = "table"
    json = "json"


class TokenCount(str, Enum):
    all = "all"
    output = "output"


def register(app: typer.Typer) -> None:
    @app.command("selfhost")
    @cli_errors
    def selfhost_cmd(
        files: list[str] = typer.Argument(..., help="Usage files, directories or globs; '-' reads stdin."),
        gpu_hourly: float = typer.Option(..., "--gpu-hourly", help="USD per GPU-hour."),
        gpus: int = typer.Option(1, "--gpus", help="GPUs in one serving deployment."),
        throughput: float = typer.Option(..., "--throughput", help="Sustained tokens/s of the whole deployment (see --per-gpu)."),
        per_gpu: bool = typer.Option(False, "--per-gpu", help="--throughput is per GPU (multiplied by --gpus)."),
        count: TokenCount = typer.Option(TokenCount.all, "--count", help="Tokens the throughput counts: all (input + output) or output only."),
        since: str = typer.Option("", "--since", help="Only usage at or after this date/time (UTC)."),
        until: str = typer.Option("", "--until", help="Only usage before this date/time (UTC)."),
        prices_file: Path | None = typer.Option(None, "--prices", help="Price overrides YAML."),
        mapping: Path | None = typer.Option(None, "--map", help="Column mapping YAML for generic CSV/JSONL/Parquet."),
        fmt: SelfHostFormat = typer.Option(SelfHostFormat.table, "--format", "-f", help="Output format."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write the result to this file."),
        skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed rows instead of failing."),
    ) -> None:
        """Compare the log's API spend with self-hosting the same token volume; print the break-even volume."""
        from ..selfhost import break_even, render_text

        _, priced, _ = load_priced(
            files, since=since, until=until, prices_file=prices_file, mapping=mapping, skip_bad=skip_bad
        )
        r = break_even(priced, gpu_hourly=gpu_hourly, gpus=gpus, throughput=throughput, per_gpu=per_gpu, count=count.value)
        text = json.dumps(dataclasses.asdict(r), indent=2) if fmt is SelfHostFormat.json else render_text(r)
        write_output(text, output)
