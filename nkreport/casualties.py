"""Data and charts of the casualties chapter (chapters/casualties.md)."""

from __future__ import annotations

from .charts import Chart

FIGURES: list[Chart] = []
