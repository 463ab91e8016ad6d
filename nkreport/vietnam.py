"""Data and charts of the vietnam chapter (chapters/vietnam.md)."""

from __future__ import annotations

from .charts import Chart

FIGURES: list[Chart] = []
