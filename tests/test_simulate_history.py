"""History trimming: cap per session, never below the session's first request."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.pricing import PriceBook
from llmcost.schema import finalize
from llmcost.simulate import simulate
from llmcost.simulate.history import HistoryLever

SONNET = "claude-sonnet-4-20250514"  # $3 in, $0.30 cache read per 1M


def _table(rows: list[dict]) -> pd.DataFrame:
    base = {"provider": "anthropic", "model": SONNET, "requests": 1}
    return finalize(pd.DataFrame([{**base, **r} for r in rows]), source="t", source_format="test")


def test_trim_by_hand() -> None:
    book = PriceBook.default()
    t = _table([
        {"time": "2025-06-01T00:00:00Z", "session": "a", "input_tokens": 3000},
        {"time": "2025-06-01T00:01:00Z", "session": "a", "input_tokens": 2000, "cache_read_tokens": 6000},
        {"time": "2025-06-01T00:02:00Z", "session": "b", "input_tokens": 1000},
        {"time": "2025-06-01T00:03:00Z", "session": "b", "input_tokens": 9000},
        {"time": "2025-06-01T00:04:00Z", "session": "", "input_tokens": 90_000},
    ])
    w = simulate(t, [HistoryLever(4000)], book)
    s = w.scenario
    # session a: limit max(4000, first 3000) = 4000; 8000 → 4000 scales by 1/2
    assert (int(s["input_tokens"][1]), int(s["cache_read_tokens"][1])) == (1000, 3000)
    # session b: 9000 → 4000
    assert int(s["input_tokens"][3]) == 4000
    assert int(s["input_tokens"][4]) == 90_000  # no session: untouched
    saved = (1000 * 3 + 3000 * 0.3 + 5000 * 3) / 1e6
    assert w.savings_usd == pytest.approx(saved)
    assert w.steps[0].requests_affected == 2
    assert w.steps[0].details["input_tokens_removed"] == 4000 + 5000


def test_first_request_is_the_floor() -> None:
    t = _table([
        {"time": "2025-06-01T00:00:00Z", "session": "a", "input_tokens": 6000},
        {"time": "2025-06-01T00:01:00Z", "session": "a", "input_tokens": 9000},
    ])
    w = simulate(t, [HistoryLever(1000)], PriceBook.default())
    assert list(w.scenario["input_tokens"]) == [6000, 6000]


def test_no_sessions_cannot_run() -> None:
    t = _table([{"time": "2025-06-01T00:00:00Z", "input_tokens": 10}])
    w = simulate(t, [HistoryLever(1000)], PriceBook.default())
    assert w.steps == []
    assert w.errors[0].startswith("lever history cannot run: the log has no session ids")
