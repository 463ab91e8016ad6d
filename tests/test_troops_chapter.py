"""The troop chapter: the seed's troop figures, the table of every claim, the chart files (tests/test_chapters.py checks what every chapter promises)."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from nkreport.chapters import troops
from nkreport.report.text import figure_text, thousands

ROOT = Path(__file__).resolve().parent.parent
SEED = "nyt2024whatweknow"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "troops.html").read_text(encoding="utf-8"), "html.parser")


def test_seed_troop_figures_are_in_the_ledger_and_the_chapter(page, ledger):
    text = page.get_text(" ")
    seed = ledger.claims[ledger.claims["source"].str.contains(SEED)]
    expected = [  # (figure, claimant the article names, kind)
        (1500, "kr-nis", "estimate"),
        (3000, "kr-nis", "estimate"),
        (10000, "kr-nis", "forecast"),
        (12000, "ua-president", "forecast"),
        (1200000, "nyt", "report"),
    ]
    for value, claimant, kind in expected:
        rows = seed[(seed["value"] == value) & (seed["claimant"] == claimant) & (seed["claim_kind"] == kind)]
        assert len(rows) == 1, f"the seed's {value} ({claimant}, {kind}) is not in the ledger once"
        assert thousands(value) in text, f"{thousands(value)} is not in the chapter"



def test_table_lists_every_troop_claim_with_its_source(page, ledger):
    table = page.find("table", id="tbl-troop-claims")
    assert table is not None, "no table labelled tbl-troop-claims"
    rows = table.select("tbody tr")
    troop_claims = ledger.claims[ledger.claims["topic"] == "troops"]
    assert len(rows) == len(troop_claims)
    figures = [[c.get_text(" ", strip=True) for c in r.select("td")] for r in rows]
    for claim in troops.plotted_claims(ledger).itertuples():
        assert any(figure_text(claim) in cells for cells in figures), claim.claim_id
    assert all(r.select("span.bibtex-citation a") for r in rows), "a row has no citation"


def test_chart_files_are_written_for_slides():
    svg, png = ROOT / "figures" / "fig-troop-estimates.svg", ROOT / "figures" / "fig-troop-estimates.png"
    assert "<svg" in svg.read_text(encoding="utf-8")[:500]
    with Image.open(png) as image:
        assert image.width >= 1800 and image.mode in ("RGB", "RGBA")


def test_chart_plots_only_the_troop_measures(ledger):
    plotted = troops.plotted_claims(ledger)
    assert set(plotted["topic"]) == {"troops"}
    assert {m for _, ms in troops.PANELS for m in ms} >= set(plotted["measure"])


def test_no_page_leaks_a_traceback_or_a_local_path(book_html):
    for path in book_html.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in text, path.name
        for local in ("/root/", "/tmp/", "/home/", str(ROOT)):
            assert local not in text, f"{path.name} shows the local path {local}"
