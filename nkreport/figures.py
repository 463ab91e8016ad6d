"""Every chart of the book by label, and a command that writes them all to figures/ (python -m nkreport.figures).

The notebooks show the same charts, but a cached notebook does not rerun its code, so the files
in figures/ are written here, from the data, on every build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt

from . import troops
from .charts import FIGURES_DIR, save_figure
from .ledger import Ledger
from .validate import load_or_report

# label -> (chapter file, function drawing the figure from the ledger)
FIGURES = {
    "fig-troop-estimates": ("chapters/troops.md", troops.estimates_figure),
}


def write_all(ledger: Ledger, out_dir: Path | None = None) -> list[Path]:
    written = []
    for label, (_, draw) in FIGURES.items():
        fig = draw(ledger)
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
