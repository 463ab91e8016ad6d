"""Data and charts of the methods chapter (chapters/methods.md)."""

from __future__ import annotations

from .charts import Chart

FIGURES: list[Chart] = []
