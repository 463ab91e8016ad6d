"""What every chapter promises a reader: a chart with alt text, numbers equal to the ledger, working citations."""

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from nkreport.chapters import charts
from nkreport.report.text import figure_text

ROOT = Path(__file__).resolve().parent.parent
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
# Pages that are not analytical chapters: they carry no chart of their own.
NOT_CHAPTERS = {"chapters/bibliography", "chapters/ledger", "chapters/changelog"}
CHAPTERS = [TOC["root"]] + [e["file"] for e in TOC["chapters"] if e["file"] not in NOT_CHAPTERS]


@pytest.fixture(scope="module")
def pages(book_html):
    def page(chapter: str) -> BeautifulSoup:
        path = book_html / (chapter + ".html")
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return page


def test_the_book_has_every_chapter():
    expected = {"chapters/overview", "chapters/timeline", "chapters/troops", "chapters/shipments",
                "chapters/casualties", "chapters/vietnam", "chapters/response", "chapters/methods"}
    assert expected <= set(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_shows_its_charts_with_alt_text(chapter, pages):
    page = pages(chapter)
    registered = [c.label for c in charts().values() if c.chapter == chapter + ".md"]
    assert registered, f"{chapter} registers no chart in nkreport"
    for label in registered:
        figure = page.find("figure", id=label)
        assert figure is not None, f"{chapter} does not show {label}"
        svg = figure.find("svg", class_="nkreport-chart")
        assert svg is not None and figure.find("img") is None, f"{label} is not inline SVG"
        role = "group" if svg.select("a.chart-claim") else "img"  # a chart of links, or a single image
        assert svg.get("role") == role and len(svg.get("aria-label", "")) > 60, f"{label} has no useful alt text"
        assert svg.find("text"), f"{label}: the chart has no text (drawn as outlines?)"
        assert figure.find("figcaption").get_text(strip=True), f"{label} has no caption"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_ids_on_a_page_are_unique(chapter, pages):
    """Several inline charts share a page: their markers and clip paths must not collide."""
    ids = [element["id"] for element in pages(chapter).find_all(id=True)]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_the_chart_font_has_every_character_the_charts_use(book_html):
    from fontTools.ttLib import TTFont

    fonts = {w: set(TTFont(book_html / "_static" / "fonts" / f"nkreport-chart-{w}.woff").getBestCmap())
             for w in ("400", "700")}
    for chapter in CHAPTERS:
        page = BeautifulSoup((book_html / (chapter + ".html")).read_text(encoding="utf-8"), "html.parser")
        for svg in page.find_all("svg", class_="nkreport-chart"):
            for text in svg.find_all("text"):
                weight = "700" if re.search(r"font-weight: (700|bold)", text.get("style", "")) else "400"
                missing = {c for c in text.get_text() if ord(c) not in fonts[weight]}
                assert not missing, f"{chapter}: {sorted(missing)} not in the {weight} chart font"


def test_every_chapter_page_weighs_at_most_250_kb(book_html):
    """Page, images, the chart font and the report's own CSS and scripts (not the theme's). The
    claims ledger page, which lists every claim, has a budget of its own (1 MB)."""
    from nkreport.build.bench import page_limit, page_weights

    heavy = {chapter: round(size / 1000) for chapter, size in page_weights(book_html).items()
             if size > page_limit(chapter)}
    assert heavy == {}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_glued_claims_equal_the_ledger(chapter, pages, ledger):
    page = pages(chapter)
    source = (ROOT / (chapter + ".md")).read_text(encoding="utf-8")
    ids = set(ledger.claims["claim_id"])
    glued = {n.replace("_", "-") for n in re.findall(r"\{glue:md\}`([^`:]+)", source)}
    claim_ids = {n.removesuffix("-bare") for n in glued} & ids
    assert claim_ids, f"{chapter} draws no figure from the ledger"
    for claim_id in claim_ids:
        assert page.select(f"span.claim-{claim_id}"), f"{claim_id} is glued in {chapter} but not shown"
    for span in page.select("span.claim"):
        (claim_id,) = [c.removeprefix("claim-") for c in span["class"] if c.startswith("claim-")]
        assert span.get_text() == figure_text(ledger.claim(claim_id)), (chapter, claim_id)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_citation_resolves_to_the_bibliography(chapter, pages, book_html):
    page = pages(chapter)
    bib = BeautifulSoup((book_html / "chapters" / "bibliography.html").read_text(encoding="utf-8"), "html.parser")
    links = page.select("span.bibtex-citation a")
    assert links, f"{chapter} cites nothing"
    for link in links:
        target, anchor = link["href"].split("#")
        assert target.endswith("bibliography.html")
        assert bib.find(id=anchor) is not None, f"citation {link.get_text()} in {chapter} points nowhere"
    text = page.get_text()
    for raw in ("{cite", "{glue", "{numref", "{ref"):
        assert raw not in text, f"{chapter} shows an unparsed {raw} role"
