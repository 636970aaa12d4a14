"""Exports of priced usage to monitoring systems (:mod:`.prometheus`)."""

from __future__ import annotations

from .prometheus import families, push, to_openmetrics, to_text

__all__ = ["families", "push", "to_openmetrics", "to_text"]
