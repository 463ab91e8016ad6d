"""Every chart of the book by label, and a command that writes them all to figures/ (python -m nkreport.figures).

Each chapter module lists its charts in FIGURES as Chart records. The notebooks show the same
charts, but a cached notebook does not rerun its code, so the files in figures/ are written
here, from the data, on every build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt

from . import casualties, methods, overview, response, shipments, timeline, troops, vietnam
from .charts import FIGURES_DIR, Chart, save_figure
from .ledger import Ledger
from .validate import load_or_report

CHAPTER_MODULES = (overview, timeline, troops, shipments, casualties, vietnam, response, methods)


def charts() -> dict[str, Chart]:
    """Every chart by label; a label used twice is an error, since links and files use it."""
    found: dict[str, Chart] = {}
    for module in CHAPTER_MODULES:
        for chart in module.FIGURES:
            if chart.label in found:
                raise ValueError(f"figure label {chart.label} is used twice")
            found[chart.label] = chart
    return found


def write_all(ledger: Ledger, out_dir: Path | None = None) -> list[Path]:
    written = []
    for label, chart in charts().items():
        fig = chart.draw(ledger)
        written += save_figure(fig, label, out_dir)
        plt.close(fig)
    return written


def main() -> int:
    ledger = load_or_report()
    if ledger is None:
        return 1
    for path in write_all(ledger):
        print(f"wrote {path.relative_to(FIGURES_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
