"""Links: every internal link and anchor of the built book resolves; every source URL is well formed."""

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pages import ledger_page_records

ROOT = Path(__file__).resolve().parent.parent
LINKCHECKER = Path(sys.executable).parent / "linkchecker"
# Internal links only: the book must work offline, and sources are checked for form below.
# Links into the two largest pages are checked by faster tests, since linkchecker parses the whole
# target page again for each anchor: links to a claim's row of the ledger page (chart marks,
# judgments, the changelog; test_every_link_to_a_claim_lands_on_a_ledger_row below) and citations
# into the bibliography (some two thousand; test_chapters.test_every_citation_resolves_to_the_bibliography).
# The chapters' PDFs exist only after `make pdf`; test_briefing_kit checks those links after it.
CONFIG = """[filtering]
ignore=
  ^https?:
  ^mailto:
  ledger\\.html#claim-
  bibliography\\.html#
  /pdf/[a-z0-9-]+\\.pdf$
[AnchorCheck]
"""


def check_links(start: Path) -> subprocess.CompletedProcess:
    config = start.parent / ".linkcheckerrc"
    config.write_text(CONFIG, encoding="utf-8")
    try:
        return subprocess.run([str(LINKCHECKER), "--no-status", "-f", str(config), start.as_uri()],
                              capture_output=True, text=True, timeout=600)
    finally:
        config.unlink()


def test_every_internal_link_and_anchor_resolves(book_html):
    result = check_links(book_html / "index.html")
    assert result.returncode == 0, result.stdout[-3000:]
    # A missing anchor is only a warning to linkchecker; here it is a failure.
    assert " 0 warnings found" in result.stdout and " 0 errors found" in result.stdout, result.stdout[-3000:]


def test_the_link_check_catches_a_broken_anchor():
    # linkchecker drops root privileges, so the pages live under _build (readable), not in /tmp.
    site = ROOT / "_build" / "linkcheck-selftest"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    (site / "a.html").write_text('<html><body><a href="b.html#no-such-anchor">b</a></body></html>')
    (site / "b.html").write_text('<html><body><p id="here">b</p></body></html>')
    try:
        result = check_links(site / "a.html")
    finally:
        shutil.rmtree(site)
    assert "no-such-anchor" in result.stdout and " 0 warnings found" not in result.stdout


def test_every_source_url_is_well_formed(ledger):
    for key, source in ledger.sources.items():
        url = urlsplit(source["url"])
        assert url.scheme in ("https", "http"), key
        assert "." in url.netloc and " " not in source["url"] and "\\" not in source["url"], key


def test_every_link_to_a_claim_lands_on_a_ledger_row(book_html):
    import re

    # The ledger page renders the row of any claim in its data when a link names it (tests/test_browser.py).
    rows = {r["claim_id"] for r in ledger_page_records(book_html)}
    links = {}
    for page in (book_html / "chapters").glob("*.html"):
        for claim_id in re.findall(r'href="ledger\.html#claim-([a-z0-9-]+)"', page.read_text(encoding="utf-8")):
            links.setdefault(claim_id, page.name)
    assert len(links) > 100
    assert {c: p for c, p in links.items() if c not in rows} == {}
