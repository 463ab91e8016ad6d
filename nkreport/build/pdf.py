"""The book as PDF (python -m nkreport.build.pdf; `make pdf` calls it), whole and one file per chapter.

Route: the strict build as one HTML page (Sphinx's singlehtml builder, into _build/singlehtml,
never _build/html), laid out for paper by nkreport.build.printing and printed by headless
Chromium with the print rules of _static/report.css. Writes _build/pdf/<PDF_NAME> and
_build/pdf/<chapter>.pdf, and copies them into the HTML book's pdf/ folder, which each chapter's
citation block links to (run it after `make book`, which starts _build/html afresh).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .book import ROOT, build
from .printing import BOOK, write_print_pages
from .sphinxext.pages import read_citation

PDF_NAME = "north-korea-russia-report.pdf"
# Two Chromiums at a time: a print is mostly one busy core.
PRINTERS = 2


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("No Chromium found: `make pdf` installs Debian's chromium; see the README.")


def print_to_pdf(page: Path, pdf: Path) -> None:
    """Print an HTML file to a PDF with headless Chromium (A4 and margins come from the page's CSS)."""
    pdf.unlink(missing_ok=True)
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               # Two seconds of virtual time for a page's scripts: a longer budget runs in real time
               # on these pages (ten seconds made a three-page chapter take thirteen).
               "--no-first-run", "--run-all-compositor-stages-before-draw", "--virtual-time-budget=2000",
               "--generate-pdf-document-outline", f"--print-to-pdf={pdf}", page.resolve().as_uri()]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as err:
        raise RuntimeError(f"Chromium did not finish printing {page} within {err.timeout} s") from None
    if result.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise RuntimeError(f"Chromium did not print {page} to {pdf} (exit status {result.returncode}):\n"
                           + result.stderr[-2000:])


def make_pdf(root: Path = ROOT, site: Path | None = None) -> int:
    """Build the single page, print the whole book and each chapter, and copy the PDFs into the
    HTML book (`site`, by default _build/html) when it is there; 0 on success."""
    status = build(root, "singlehtml")
    if status != 0:
        return status
    started = time.perf_counter()
    pages = write_print_pages(root / "_build" / "singlehtml", read_citation(root))
    out = root / "_build" / "pdf"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    # The whole book first: the longest print, while the other printer takes the chapters.
    order = sorted(pages, key=lambda name: name != BOOK)
    targets = {pages[name]: out / (PDF_NAME if name == BOOK else f"{name}.pdf") for name in order}
    with ThreadPoolExecutor(max_workers=PRINTERS) as pool:
        jobs = [pool.submit(print_to_pdf, page, pdf) for page, pdf in targets.items()]
        try:
            for job in jobs:
                job.result()
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return 1
    from .brief import BRIEF_NAME, make_brief  # brief imports this module's printer

    if make_brief(root, out / BRIEF_NAME) != 0:
        return 1
    site = root / "_build" / "html" if site is None else site
    if site.is_dir():
        shutil.rmtree(site / "pdf", ignore_errors=True)
        shutil.copytree(out, site / "pdf")
    print(f"PDFs written in {time.perf_counter() - started:.1f} s: {out / PDF_NAME} and "
          f"{len(targets) - 1} chapters and the brief beside it" + (f", copied to {site / 'pdf'}" if site.is_dir() else ""))
    return 0


if __name__ == "__main__":
    sys.exit(make_pdf())
