"""Data and charts of the timeline chapter (chapters/timeline.md)."""

from __future__ import annotations

from .charts import Chart

FIGURES: list[Chart] = []
