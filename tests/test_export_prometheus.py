"""Prometheus / OpenMetrics export, parsed back with prometheus_client's own parsers."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from test_analyze import make_priced, req
from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.export.prometheus import pushgateway_url, to_openmetrics, to_text

pytest.importorskip("prometheus_client")
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_om,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

ODD_APP = 'we"b\\app\nline2'


def table() -> Any:
    recs = [
        # gpt-4o: 1,000 x 2.5 + 3,000 x 1.25 + 500 x 10 per 1M = 0.0025 + 0.00375 + 0.005 = 0.01125
        req("2025-03-03T10:00:00Z", "gpt-4o", 1000, 500, cr=3000, app=ODD_APP, rid="a"),
        req("2025-03-03T11:00:05Z", "gpt-4o", 1000, 500, app=ODD_APP, rid="b"),  # 0.0025 + 0.005 = 0.0075
        # claude-sonnet-4: 2,000 x 3 + 4,000 x 3.75 + 100 x 15 = 0.006 + 0.015 + 0.0015 = 0.0225
        req("2025-03-04T09:00:00Z", "claude-sonnet-4", 2000, 100, cw=4000, app="batch", rid="c"),
        req("2025-03-04T09:30:00Z", "mystery-model", 10, 10, app="batch", rid="d"),  # unpriced
    ]
    return make_priced(recs)


def samples(families: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for f in families:
        for s in f.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def key(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))


def check(values: dict[Any, float]) -> None:
    web = {"provider": "openai", "model": "gpt-4o", "app": ODD_APP}
    batch = {"provider": "anthropic", "model": "claude-sonnet-4", "app": "batch"}
    assert values[key("llm_cost_usd_total", **web)] == pytest.approx(0.01875)
    assert values[key("llm_cost_usd_total", **batch)] == pytest.approx(0.0225)
    assert values[key("llm_requests_total", **web)] == 2
    assert values[key("llm_tokens_total", kind="input", **web)] == 2000
    assert values[key("llm_tokens_total", kind="cache_read", **web)] == 3000
    assert values[key("llm_tokens_total", kind="cache_write", **batch)] == 4000
    assert values[key("llm_tokens_total", kind="output", **web)] == 1000
    assert values[key("llm_cache_hit_ratio", **web)] == pytest.approx(3000 / 5000)
    assert values[key("llm_cache_hit_ratio", **batch)] == 0.0
    mystery = {"provider": "", "model": "mystery-model", "app": "batch"}
    assert key("llm_cost_usd_total", **mystery) not in values  # unpriced: no $0 series
    assert values[key("llm_unpriced_requests_total", **mystery)] == 1
    assert values[key("llm_tokens_total", kind="output", **mystery)] == 10
    # 2025-03-04T09:30:00Z
    assert values[key("llm_usage_last_timestamp_seconds")] == 1741080600


def test_text_format_parses_with_escaped_labels() -> None:
    text = to_text(table())
    assert "# TYPE llm_cost_usd_total counter" in text
    assert 'app="we\\"b\\\\app\\nline2"' in text
    fams = list(parse_text(text))
    assert {f.name: f.type for f in fams}["llm_tokens"] == "counter"
    check(samples(fams))


def test_openmetrics_parses() -> None:
    text = to_openmetrics(table())
    assert text.endswith("# EOF\n")
    fams = list(parse_om(text))
    types = {f.name: f.type for f in fams}
    assert types["llm_cost_usd"] == "counter" and types["llm_cache_hit_ratio"] == "gauge"
    check(samples(fams))


def test_pushgateway_url() -> None:
    assert pushgateway_url("http://pg:9091", "llmcost") == "http://pg:9091/metrics/job/llmcost"
    assert pushgateway_url("http://pg:9091/", "x") == "http://pg:9091/metrics/job/x"
    assert pushgateway_url("http://pg/metrics/job/a/instance/b", "x") == "http://pg/metrics/job/a/instance/b"


class _Capture(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, str, bytes]]] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Capture.received.append((self.command, self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.end_headers()

    do_POST = do_PUT

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def server() -> Any:
    _Capture.received = []
    srv = HTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def usage_csv(tmp_path: Path) -> Path:
    p = tmp_path / "usage.csv"
    p.write_text(
        "timestamp,provider,model,app,input_tokens,output_tokens\n"
        "2025-03-01T10:00:00Z,openai,gpt-4o-mini,chat,100000,10000\n"
        "2025-03-02T10:00:00Z,openai,gpt-4o-mini,chat,100000,10000\n"
    )
    return p


def test_cli_writes_file_and_pushes(tmp_path: Path, server: str) -> None:
    out = tmp_path / "metrics.prom"
    r = CliRunner().invoke(app, ["export", str(usage_csv(tmp_path)), "--prometheus", str(out), "--pushgateway", server])
    assert r.exit_code == 0, r.stderr
    values = samples(parse_text(out.read_text()))
    labels = {"provider": "openai", "model": "gpt-4o-mini", "app": "chat"}
    # 2 x (100k x $0.15/M + 10k x $0.60/M) = 2 x 0.021
    assert values[key("llm_cost_usd_total", **labels)] == pytest.approx(0.042)
    assert values[key("llm_requests_total", **labels)] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left
    ((method, path, ctype, body),) = _Capture.received
    assert (method, path) == ("PUT", "/metrics/job/llmcost")
    assert ctype.startswith("text/plain; version=0.0.4")
    assert body.decode() == out.read_text()


def test_cli_openmetrics_and_errors(tmp_path: Path) -> None:
    usage = usage_csv(tmp_path)
    out = tmp_path / "m.om"
    assert CliRunner().invoke(app, ["export", str(usage), "--prometheus", str(out), "--openmetrics"]).exit_code == 0
    assert list(parse_om(out.read_text()))
    r = CliRunner().invoke(app, ["export", str(usage)])
    assert r.exit_code == 2 and "nothing to do" in r.stderr
    r = CliRunner().invoke(app, ["export", str(usage), "--prometheus", str(tmp_path / "missing" / "m.prom")])
    assert r.exit_code == 2 and "output folder does not exist" in r.stderr
    r = CliRunner().invoke(app, ["export", str(usage), "--pushgateway", "http://127.0.0.1:9"])
    assert r.exit_code == 2 and "could not be reached" in r.stderr
