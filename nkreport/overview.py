"""Data and charts of the overview chapter (chapters/overview.md)."""

from __future__ import annotations

from .charts import Chart

FIGURES: list[Chart] = []
