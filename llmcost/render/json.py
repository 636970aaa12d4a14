"""JSON report: every section of the analysis, costs as plain numbers in USD.

Top-level keys: period, totals, shares, by_<dimension> (one per breakdown),
trend, forecast, anomalies, top_calls, reconciliation, unpriced, suggestions,
skipped_rows, duplicates_dropped, files, warnings. Costs are floats rounded
to 1e-9 USD; missing values are ``null``; times are ISO 8601 UTC strings.
"""

from __future__ import annotations

import json as _json

from ..analyze.model import Analysis, to_dict


def render_json(a: Analysis, *, indent: int | None = 2) -> str:
    return _json.dumps(to_dict(a), indent=indent, ensure_ascii=False, allow_nan=False) + "\n"
