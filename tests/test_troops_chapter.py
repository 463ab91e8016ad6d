"""The troop chapter as a reader gets it: the chart, numbers equal to the ledger, working citations."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from nkreport import troops
from nkreport.text import figure_text, thousands

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "troops.md"
SEED = "nyt2024whatweknow"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "troops.html").read_text(encoding="utf-8"), "html.parser")


def glue_names(role: str) -> list[str]:
    return re.findall(r"\{glue:" + role + r"\}`([^`:]+)", CHAPTER.read_text(encoding="utf-8"))


def test_chapter_shows_the_chart_with_alt_text(page, book_html):
    figure = page.find("figure", id="fig-troop-estimates")
    assert figure is not None, "no figure labelled fig-troop-estimates"
    img = figure.find("img")
    assert len(img["alt"]) > 60
    assert (book_html / "chapters" / img["src"]).resolve().is_file()
    assert figure.find("figcaption").get_text(strip=True)


def test_glued_claims_equal_the_ledger(page, ledger):
    names = [n for n in glue_names("md") if not n.endswith("_date")]
    claim_names = [n for n in names if n.replace("_", "-") in set(ledger.claims["claim_id"])]
    assert len(claim_names) >= 8, "the prose should draw its figures from the ledger"
    for name in claim_names:
        claim_id = name.replace("_", "-")
        spans = page.select(f"span.claim-{claim_id}")
        assert spans, f"{claim_id} is glued in the source but not on the page"
        expected = figure_text(ledger.claim(claim_id))
        assert all(s.get_text() == expected for s in spans), (claim_id, expected, [s.get_text() for s in spans])


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


def test_every_citation_resolves_to_the_bibliography(page, book_html):
    bib = BeautifulSoup((book_html / "chapters" / "bibliography.html").read_text(encoding="utf-8"), "html.parser")
    links = page.select("span.bibtex-citation a")
    assert len(links) >= 10
    for link in links:
        target, anchor = link["href"].split("#")
        assert target == "bibliography.html"
        assert bib.find(id=anchor) is not None, f"citation {link.get_text()} points nowhere"
    assert "{cite" not in page.get_text(), "a citation role was left unparsed"


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
