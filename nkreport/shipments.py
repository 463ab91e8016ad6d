"""Data and charts of the shipments chapter (chapters/shipments.md)."""

from __future__ import annotations

from .charts import Chart

FIGURES: list[Chart] = []
