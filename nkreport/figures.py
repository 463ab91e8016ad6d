"""Every chart of the book by label, and a command that writes them all to figures/ (python -m nkreport.figures).

Each chapter module lists its charts in FIGURES as Chart records. For each chart, figures/
holds a bundle named by its label: the SVG (text editable in slide software), a 300 dpi PNG,
and a CSV of exactly the ledger rows it plots, with claim ids, claimants and source URLs.
figures/manifest.json lists them all. During a build each chapter writes its own charts' files
as it shows them (notebook.glue_chart, run by nkreport.execute); `python -m nkreport.figures`
redraws them all outside a build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from . import casualties, methods, overview, response, shipments, timeline, troops, vietnam
from .charts import FIGURES_DIR, Chart, save_figure
from .ledger import Ledger
from .validate import load_or_report

CHAPTER_MODULES = (overview, timeline, troops, shipments, casualties, vietnam, response, methods)

# The columns of a chart's CSV: enough to trace every point back to its claimant and page.
CSV_COLUMNS = ("claim_id", "topic", "measure", "value", "value_low", "value_high", "bound", "qualifier",
               "unit", "as_of", "as_of_precision", "claimed_on", "claimant", "claimant_name",
               "claim_kind", "source", "source_url", "note")


def charts() -> dict[str, Chart]:
    """Every chart by label; a label used twice is an error, since links and files use it."""
    found: dict[str, Chart] = {}
    for module in CHAPTER_MODULES:
        for chart in module.FIGURES:
            if chart.label in found:
                raise ValueError(f"figure label {chart.label} is used twice")
            found[chart.label] = chart
    return found


def plotted_rows(chart: Chart, ledger: Ledger) -> pd.DataFrame:
    """The ledger rows a chart plots, in ledger order, in the columns of its CSV."""
    rows = chart.claims(ledger)
    table = ledger.claims[ledger.claims["claim_id"].isin(rows["claim_id"])][list(CSV_COLUMNS)].copy()
    for column in ("as_of", "claimed_on"):
        table[column] = table[column].dt.strftime("%Y-%m-%d")
    for column in ("value", "value_low", "value_high"):
        table[column] = table[column].map(lambda v: "" if pd.isna(v) else f"{float(v):g}" if float(v) % 1 else f"{int(v)}")
    return table


def write_chart(fig, chart: Chart, ledger: Ledger, out_dir: Path, svg: bytes | None = None,
                png_queue: Path | None = None) -> dict:
    """Write the bundle of one drawn chart (SVG, PNG, CSV of its rows); return its manifest entry.
    With `png_queue`, a PNG that must be drawn again is queued for the build (charts.save_figure)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = save_figure(fig, chart.label, out_dir, svg, png_queue)
    rows = plotted_rows(chart, ledger)
    csv = out_dir / f"{chart.label}.csv"
    rows.to_csv(csv, index=False, lineterminator="\n")
    files.append(csv)
    return {"label": chart.label, "chapter": chart.chapter, "title": fig.get_label(),
            "claim_ids": list(rows["claim_id"]), "files": [f.name for f in files]}


def write_charts(ledger: Ledger, selected, out_dir: Path) -> list[dict]:
    """Draw each chart and write its bundle; return their manifest entries."""
    entries = []
    for chart in selected:
        fig = chart.draw(ledger)
        entries.append(write_chart(fig, chart, ledger, out_dir))
        plt.close(fig)
    return entries


def prune(out_dir: Path) -> list[Path]:
    """Delete the files of charts no chapter registers any more (a renamed or removed chart)."""
    labels = set(charts())
    orphans = [p for p in out_dir.glob("fig-*") if p.name.rsplit(".", 1)[0] not in labels]
    for path in orphans:
        path.unlink()
    return orphans


def write_all(ledger: Ledger, out_dir: Path | None = None) -> list[Path]:
    """Every chart's bundle and figures/manifest.json (python -m nkreport.figures)."""
    out_dir = Path(out_dir) if out_dir else FIGURES_DIR
    entries = write_charts(ledger, charts().values(), out_dir)
    path = out_dir / "manifest.json"
    path.write_text(json.dumps({"figures": entries}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    prune(out_dir)
    return [out_dir / f for e in entries for f in e["files"]] + [path]


def main() -> int:
    ledger = load_or_report()
    if ledger is None:
        return 1
    for path in write_all(ledger):
        print(f"wrote {path.relative_to(FIGURES_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
