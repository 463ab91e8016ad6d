"""Data and charts of the response chapter (chapters/response.md)."""

from __future__ import annotations

from .charts import Chart

FIGURES: list[Chart] = []
