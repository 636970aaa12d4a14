"""schema.finalize names the right row even when the frame's index labels repeat.

A frame glued together with ``pd.concat`` (no ``ignore_index``) has repeated
labels; finalize used to look bad values up by label, which then returned a
Series (TypeError: int() argument must be ... not 'Series') or a slice/mask
from Index.get_loc instead of the row, so no InputError named the bad row.
"""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.errors import InputError
from llmcost.schema import finalize


def _concat(first: dict, second: dict) -> pd.DataFrame:
    df = pd.concat([pd.DataFrame(first), pd.DataFrame(second)])
    assert df.index.tolist() == [0, 0, 1]  # repeated labels
    return df


ONE = {"time": ["2025-10-01T00:00:00Z"], "model": ["gpt-4o"], "input_tokens": [10]}


@pytest.mark.parametrize(
    "second, message",
    [
        ({"time": ["2025-10-01T00:00:00Z"] * 2, "model": ["gpt-4o"] * 2, "input_tokens": [-3, 5]},
         "usage.csv:2: input_tokens is negative: -3"),
        ({"time": ["2025-10-01T00:00:00Z"] * 2, "model": ["gpt-4o"] * 2, "input_tokens": ["ten", "5"]},
         "usage.csv:2: input_tokens is not a number: 'ten'"),
        ({"time": ["2025-10-01T00:00:00Z"] * 2, "model": ["gpt-4o"] * 2, "input_tokens": ["2.5", "5"]},
         "usage.csv:2: input_tokens is not a whole number: '2.5'"),
        ({"time": ["not a time", "2025-10-01T00:00:00Z"], "model": ["gpt-4o"] * 2, "input_tokens": [1, 5]},
         "usage.csv:2: cannot parse time 'not a time'"),
    ],
    ids=["negative", "not-a-number", "fraction", "time"],
)
def test_repeated_index_labels_name_the_bad_row(second, message):
    with pytest.raises(InputError) as info:
        finalize(_concat(ONE, second), source="usage.csv", source_format="generic")
    assert str(info.value) == message


def test_repeated_index_labels_use_source_row():
    first = {**ONE, "source_row": [7]}
    second = {"time": ["2025-10-01T00:00:00Z"] * 2, "model": ["gpt-4o"] * 2, "input_tokens": [-3, 5],
              "source_row": [12, 13]}
    with pytest.raises(InputError) as info:
        finalize(_concat(first, second), source="usage.csv", source_format="generic")
    assert str(info.value) == "usage.csv:12: input_tokens is negative: -3"


def test_repeated_index_labels_valid_frame_is_unchanged():
    second = {"time": ["2025-10-02T00:00:00Z", "2025-10-03T00:00:00Z"], "model": ["gpt-4o"] * 2, "input_tokens": [3, 5]}
    out = finalize(_concat(ONE, second), source="usage.csv", source_format="generic")
    assert out.index.tolist() == [0, 1, 2]
    assert out["input_tokens"].tolist() == [10, 3, 5]
    assert out["source_row"].tolist() == [1, 2, 3]
