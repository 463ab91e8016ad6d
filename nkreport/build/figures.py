"""Every chart of the book by label, and a command that writes them all to figures/ (python -m nkreport.build.figures).

Each chapter module (nkreport/chapters/) lists its charts in FIGURES as Chart records. For each chart, figures/
holds a bundle named by its label: the SVG (text editable in slide software), a 300 dpi PNG,
a CSV of exactly the ledger rows it plots, with claim ids, claimants and source URLs, and the
chart laid out for a 16:9 slide (<label>-slide.svg and a 1920 x 1080 <label>-slide.png).
figures/manifest.json lists them all. During a build each chapter writes its own charts' files
as it shows them (report.notebook.glue_chart, run by nkreport.build.execute); `python -m nkreport.build.figures`
redraws them all outside a build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..chapters import charts
from ..data import Ledger
from ..data.validate import load_or_report
from ..report.export import FIGURES_DIR, write_charts

def prune(out_dir: Path) -> list[Path]:
    """Delete the files of charts no chapter registers any more (a renamed or removed chart)."""
    labels = set(charts())
    orphans = [p for p in out_dir.glob("fig-*") if p.name.rsplit(".", 1)[0].removesuffix("-slide") not in labels]
    for path in orphans:
        path.unlink()
    return orphans


def write_all(ledger: Ledger, out_dir: Path | None = None) -> list[Path]:
    """Every chart's bundle and figures/manifest.json (python -m nkreport.build.figures)."""
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
