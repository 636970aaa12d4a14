"""``llmcost export FILES... --prometheus metrics.prom``: usage totals as metrics.

``--prometheus FILE`` writes the Prometheus text format (0.0.4) that the
node_exporter textfile collector reads (atomically: write then rename, so
the collector never sees half a file; name it ``*.prom`` in the collector's
directory); ``--openmetrics`` writes OpenMetrics 1.0 text instead (for
tools that read it; the textfile collector does not). ``--pushgateway URL``
pushes the text format to ``URL/metrics/job/<job>`` (HTTP PUT, or POST with
``--push-method POST``). See :mod:`llmcost.export.prometheus` for the metrics.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..errors import InputError
from ._common import cli_errors, write_output
from .analyze import load_priced


class PushMethod(str, Enum):
    PUT = "PUT"
    POST = "POST"


def register(app: typer.Typer) -> None:
    @app.command("export")
    @cli_errors
    def export_cmd(
        files: list[str] = typer.Argument(..., help="Usage files, directories or globs; '-' reads stdin."),
        prometheus: Path | None = typer.Option(None, "--prometheus", help="Write metrics to this file ('-' = stdout)."),
        openmetrics: bool = typer.Option(False, "--openmetrics", help="Write OpenMetrics 1.0 text instead of the Prometheus text format."),
        pushgateway: str = typer.Option("", "--pushgateway", help="Push the metrics to this Pushgateway URL."),
        job: str = typer.Option("llmcost", "--job", help="Pushgateway job name."),
        push_method: PushMethod = typer.Option(PushMethod.PUT, "--push-method", help="PUT replaces the job's metrics; POST only same-named ones."),
        since: str = typer.Option("", "--since", help="Only usage at or after this date/time (UTC)."),
        until: str = typer.Option("", "--until", help="Only usage before this date/time (UTC)."),
        prices_file: Path | None = typer.Option(None, "--prices", help="Price overrides YAML."),
        mapping: Path | None = typer.Option(None, "--map", help="Column mapping YAML for generic CSV/JSONL/Parquet."),
        skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed rows instead of failing."),
    ) -> None:
        """Export cost, tokens, requests and cache hit ratio per provider / model / app as Prometheus metrics."""
        from ..export.http import check_url
        from ..export.prometheus import push, to_openmetrics, to_text

        if prometheus is None and not pushgateway:
            raise InputError("nothing to do: give --prometheus FILE and/or --pushgateway URL")
        if pushgateway:
            check_url(pushgateway, "--pushgateway")
        _, priced, _ = load_priced(
            files, since=since, until=until, prices_file=prices_file, mapping=mapping, skip_bad=skip_bad
        )
        text = to_text(priced)
        if prometheus is not None:
            write_output(to_openmetrics(priced) if openmetrics else text, prometheus)
        if pushgateway:
            push(text, pushgateway, job=job, method=push_method.value)
