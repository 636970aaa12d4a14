"""Built-in complexity classifier: signals, tiers, English and Chinese keywords."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmcost.simulate.complexity import classify, classify_text, length_score


def test_length_score_bounds() -> None:
    assert list(length_score(np.array([1, 64, 1024, 16384, 10**6]))) == pytest.approx([0, 0, 0.5, 1, 1])


@pytest.mark.parametrize(
    "text, tokens, score, tier",
    [
        ("hi there", 5, 0.0, "simple"),
        ("Translate 'good morning' into Spanish", 10, 0.0, "simple"),
        ("Write a Python function that merges two sorted lists", 12, 0.3, "medium"),
        ("Solve 3x + 5 = 20", 8, 0.3, "medium"),
        ("Write code to solve the equation x^2 = 2, step by step", 20, 0.75, "complex"),
        ("请分析为什么这个算法的复杂度是 O(n log n)", 20, 0.6, "complex"),  # 分析 + 为什么 + 算法 (code)
        ("你好", 2, 0.0, "simple"),
    ],
)
def test_classify_text(text: str, tokens: int, score: float, tier: str) -> None:
    assert classify_text(text, tokens) == (pytest.approx(score), tier)


def test_without_text_scores_length_only() -> None:
    cx = classify(None, np.array([64, 4096, 16384]))
    assert list(cx["score"]) == pytest.approx([0.0, 0.188, 0.25])  # rounded to 3 places
    assert list(cx["tier"]) == ["simple", "simple", "medium"]


def test_missing_prompts_mixed() -> None:
    cx = classify(pd.Series(["prove that sqrt 2 is irrational", None], dtype="string"), np.array([10, 10]))
    assert list(cx["reasoning"]) == [0.15, 0.0]
