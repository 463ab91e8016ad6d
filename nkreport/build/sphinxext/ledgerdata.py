"""Sphinx extension: write the claims ledger page's data files (nkreport/chapters/ledger.py) into the HTML output.

The page holds its first rows inline; the rest go to <output>/ledger-data/claims-NNN.js, which the
page's script loads after first paint. The script itself, chapters/ledger.js, is copied beside
the page (only that page loads it). They are written from the same data and by the same code
as the page, and the build fails if the page and the files disagree on how many claims there are.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .pages import prose_build

_TOTAL = re.compile(r'class="ledger-app" data-total="(\d+)" data-chunks="(\d+)"')


def on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.name != "html" or prose_build():
        # After a prose edit the data, and so the data files the last good build wrote, are the same.
        return
    from ...chapters.ledger import (DATA_FOLDER, PAGE_DOCNAME, SCRIPT, chunk_file_name, chunk_script, data_chunks,
                                    ledger_records)

    outdir = Path(app.outdir)
    page = outdir / f"{PAGE_DOCNAME}.html"
    if not page.is_file():
        return
    ledger = app.nkreport_ledger  # loaded by the pages extension
    records = ledger_records(ledger)
    chunks = data_chunks(records)
    found = _TOTAL.search(page.read_text(encoding="utf-8"))
    if found is None or (int(found[1]), int(found[2])) != (len(records), len(chunks)):
        raise RuntimeError(f"{page.name} shows {found and found[1]} claims in {found and found[2]} data files, "
                           f"but the ledger has {len(records)} in {len(chunks)}: the page is stale; rebuild")
    shutil.copy2(Path(app.srcdir) / PAGE_DOCNAME.rsplit("/", 1)[0] / SCRIPT, page.parent / SCRIPT)
    folder = outdir / DATA_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for number, rows in enumerate(chunks, start=1):
        (folder / chunk_file_name(number)).write_text(chunk_script(number, rows), encoding="utf-8")


def setup(app):
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
