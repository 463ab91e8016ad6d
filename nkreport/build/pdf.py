"""A PDF of the whole book (python -m nkreport.build.pdf; `make pdf` calls it) into _build/pdf/.

Route: the strict build as one HTML page (Sphinx's singlehtml builder, into _build/singlehtml,
never _build/html), printed by headless Chromium. _static/report.css has the print rules that
keep charts, tables and the citation blocks whole.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from .book import ROOT, build

PDF_NAME = "north-korea-russia-report.pdf"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("No Chromium found: `make pdf` installs Debian's chromium; see the README.")


def make_pdf(root: Path = ROOT) -> int:
    status = build(root, "singlehtml")
    if status != 0:
        return status
    out = root / "_build" / "pdf"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pdf = out / PDF_NAME
    # The single page is written at the root document's path (chapters/overview.html) but its
    # links are relative to the output's root, so it is printed from a copy at the root.
    single = root / "_build" / "singlehtml"
    redirect = re.search(r'url=([^"]+)"', (single / "index.html").read_text(encoding="utf-8"))
    page_file = single / "book.html"
    shutil.copy2(single / redirect.group(1), page_file)
    page = page_file.as_uri()
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
               f"--print-to-pdf={pdf}", page]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        print(result.stderr, file=sys.stderr)
        print("Chromium did not write the PDF.", file=sys.stderr)
        return 1
    print(f"PDF written: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(make_pdf())
