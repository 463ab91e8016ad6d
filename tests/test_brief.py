"""The brief (make brief): its HTML, from the ledger by the book's code, and the PDF Chromium prints from it."""

import re
from datetime import date
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from nkreport.build import brief
from nkreport.build.sphinxext.pages import read_citation
from nkreport.chapters import chart, overview
from nkreport.data.ledger import PLACEHOLDER
from nkreport.report import facts
from nkreport.report.export import svg_bytes
from nkreport.report.judgments import LIKELIHOOD
from nkreport.report.text import figure_text

from pages import ledger_page_records

ROOT = Path(__file__).resolve().parent.parent
CITATION = read_citation(ROOT)
WEB = CITATION["url"].rstrip("/") + "/"


def words(text: str) -> str:
    return " ".join(text.split())


def first_words(statement: str, n: int = 6) -> str:
    """A judgment's opening words, up to its first figure."""
    return " ".join(PLACEHOLDER.split(statement)[0].split()[:n])


@pytest.fixture(scope="module")
def page(ledger) -> BeautifulSoup:
    return BeautifulSoup(brief.brief_html(ledger, ROOT), "html.parser")


@pytest.fixture(scope="module")
def drawn(ledger) -> dict:
    """The brief's charts as the chapters' code draws them, by label."""
    import matplotlib.pyplot as plt

    figures = {label: chart(label).draw(ledger) for label in brief.CHARTS}
    yield figures
    for fig in figures.values():
        plt.close(fig)


def source_line(fig) -> str:
    return words(next(t.get_text() for t in fig.texts if t.get_text().startswith("Source:")))


# --- The HTML (no Chromium) ----------------------------------------------------------------------

def test_the_brief_opens_with_the_title_edition_and_date_of_citation_cff(page):
    header = page.find("header")
    assert words(header.h1.get_text()) == CITATION["title"]
    edition = words(header.find("p", class_="edition").get_text())
    released = date.fromisoformat(str(CITATION["date-released"]))
    assert edition.startswith(f"Edition {CITATION['version']}, {released.day} {released:%B %Y} ")


def test_the_ledgers_counts_are_the_ones_every_page_states_and_link_to_the_ledger(page, ledger):
    counts = facts.counts(ledger)
    link = page.find("a", class_="counts")
    assert words(link.get_text()) == (f"{counts['claims']:,} claims from {counts['claimants']} claimants "
                                      f"on {counts['source_pages']} source pages")
    assert link["href"] == f"{WEB}chapters/ledger.html"


def test_the_bottom_line_is_the_front_pages_and_links_to_each_chapter(page):
    points = brief.bottom_line(ROOT)
    assert len(points) >= 3
    items = page.select("section.bottom-line li")
    assert len(items) == len(points)
    for item, (lead, docname) in zip(items, points):
        assert words(item.strong.get_text()) == lead
        assert item.a["href"] == f"{WEB}{docname}.html"
        assert (ROOT / f"{docname}.md").is_file()


def test_a_bottom_line_point_whose_lead_holds_a_glued_figure_is_refused(tmp_path):
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    text = (ROOT / "chapters" / "overview.md").read_text(encoding="utf-8")
    broken = text.replace("1. **", "1. **{glue:md}`key_containers:myst` ", 1)
    assert broken != text
    (tmp_path / "chapters" / "overview.md").write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match="role or glue"):
        brief.bottom_line(tmp_path)


def test_every_key_figure_is_stated_as_the_front_page_states_it_and_links_to_its_claim(page, ledger):
    cards = page.select("section.key-figures div.card")
    rows = overview.key_figures(ledger)
    assert len(cards) == len(rows) == len(overview.KEY_FIGURES)
    for card, (_, row) in zip(cards, rows.iterrows()):
        claim = ledger.claim(row["claim_id"])
        link = card.find("p", class_="figure").a
        assert link.get_text() == figure_text(claim)
        assert link["href"] == f"{WEB}chapters/ledger.html#claim-{row['claim_id']}"
        assert card.find("p", class_="what").get_text() == row["label"]
        assert card.find("p", class_="by").get_text() == overview.attribution(claim)


def test_every_judgment_has_its_likelihood_confidence_and_a_link_to_its_place(page, ledger):
    judgments = ledger.judgments
    items = page.select("section.judgments li")
    assert sorted(li["id"] for li in items) == sorted(judgments["judgment_id"])
    for _, j in judgments.iterrows():
        item = page.find("li", id=j["judgment_id"])
        rating = item.find("a", class_="rating")
        assert rating["href"] == f"{WEB}chapters/{j['chapter']}.html#{j['judgment_id']}"
        assert words(rating.get_text()) == (f"{j['likelihood'].capitalize()} ({LIKELIHOOD[j['likelihood']]}). "
                                           f"{j['confidence'].capitalize()} confidence.")
        assert words(item.get_text()).startswith(first_words(j["statement"]))


def test_every_figure_in_a_judgment_is_the_claims_and_links_to_it(page, ledger):
    for _, j in ledger.judgments.iterrows():
        links = [a for a in page.find("li", id=j["judgment_id"]).find_all("a", class_="claim")]
        placeholders = PLACEHOLDER.findall(j["statement"])
        assert len(links) == len(placeholders), j["judgment_id"]
        for a, (kind, claim_id) in zip(links, placeholders):
            assert a["href"] == f"{WEB}chapters/ledger.html#claim-{claim_id}"
            if not kind:
                assert a.get_text() == figure_text(ledger.claim(claim_id))
        assert "[[" not in page.find("li", id=j["judgment_id"]).get_text()


def test_the_briefs_charts_are_the_ones_the_build_writes_to_figures(drawn):
    for label, fig in drawn.items():
        assert svg_bytes(fig) == (ROOT / "figures" / f"{label}.svg").read_bytes(), label


def test_the_charts_keep_their_source_lines_and_their_marks_link_to_claims(page, drawn, ledger):
    for label, fig in drawn.items():
        svg = next(f.svg for f in page.select("figure.chart") if f.figcaption.a["href"].endswith(f"#{label}"))
        assert source_line(fig) in words(" ".join(t.get_text(" ") for t in svg.find_all("text")))
        hrefs = [a["href"] for a in svg.find_all("a")]
        plotted = set(chart(label).claims(ledger)["claim_id"])
        assert hrefs and {h.removeprefix(f"{WEB}chapters/ledger.html#claim-") for h in hrefs} <= plotted
        assert all(h.startswith(f"{WEB}chapters/ledger.html#claim-") for h in hrefs)


def test_every_link_of_the_brief_points_into_the_web_edition(page):
    hrefs = [a.get("href") or a.get("xlink:href") for a in page.find_all("a")]
    assert hrefs and all(h and h.startswith(WEB) for h in hrefs)


def test_the_brief_is_one_self_contained_page(page):
    assert not page.find_all(["script", "link", "img", "iframe"])
    css = " ".join(s.get_text() for s in page.find_all("style"))
    assert all(u.startswith("data:") for u in re.findall(r"url\(([^)]*)\)", css))
    assert "@page" in css and "A4" in css


def test_the_citation_is_the_reports_plain_citation(page):
    text = words(page.find("section", class_="cite").p.get_text())
    assert text == brief.report_citation(CITATION)
    assert CITATION["title"] in text and f"edition {CITATION['version']}" in text and text.endswith(CITATION["url"])


# --- The PDF (Chromium; checked against the built book) -----------------------------------------

@pytest.fixture(scope="module")
def brief_pdf(tmp_path_factory) -> Path:
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    pdf = tmp_path_factory.mktemp("brief") / "brief.pdf"
    assert brief.make_brief(ROOT, pdf) == 0, "make brief failed"
    return pdf


@pytest.fixture(scope="module")
def pdf_text(brief_pdf) -> str:
    return words(subprocess.run(["pdftotext", str(brief_pdf), "-"], capture_output=True, text=True,
                                check=True).stdout)


def test_the_brief_is_at_most_four_a4_pages(brief_pdf, book_html):
    info = subprocess.run(["pdfinfo", str(brief_pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 1 <= pages <= 4, f"the brief has {pages} pages"
    assert "(A4)" in re.search(r"^Page size:.*$", info, re.M).group(0)
    fonts = subprocess.run(["pdffonts", str(brief_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), f"a font is not embedded:\n{fonts}"


def test_the_pdf_states_the_title_edition_judgments_key_figures_and_source_lines(pdf_text, ledger, drawn, book_html):
    assert CITATION["title"] in pdf_text
    assert f"Edition {CITATION['version']}" in pdf_text
    assert brief.report_citation(CITATION) in pdf_text
    for _, j in ledger.judgments.iterrows():
        assert first_words(j["statement"]) in pdf_text, j["judgment_id"]
    # Each key figure as the book's front page states it.
    front = BeautifulSoup((book_html / "chapters" / "overview.html").read_text(encoding="utf-8"), "html.parser")
    box = front.select_one("div.key-figures")
    spans = box.select("span.claim")
    assert len(spans) == len(overview.KEY_FIGURES)
    for span, (_, row) in zip(spans, overview.key_figures(ledger).iterrows()):
        assert f"claim-{row['claim_id']}" in span["class"]
        assert words(span.get_text()) in pdf_text, row["claim_id"]
        assert words(row["label"]) in pdf_text and words(row["label"]) in words(box.get_text())
    for label, fig in drawn.items():
        assert source_line(fig) in pdf_text, label


def test_every_link_in_the_pdf_points_to_an_anchor_of_the_web_edition(brief_pdf, book_html, ledger):
    uris = []
    for number, pdf_page in enumerate(PdfReader(brief_pdf).pages, 1):
        for annotation in pdf_page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                uris.append(annotation["/A"]["/URI"])
    assert uris
    ids: dict[str, set[str]] = {}
    for uri in uris:
        assert uri.startswith(WEB), uri
        path, _, anchor = uri.removeprefix(WEB).partition("#")
        target = book_html / (path or "index.html")
        assert target.is_file(), f"{uri}: no page {path} in the built book"
        if anchor:
            if path not in ids:
                ids[path] = set(re.findall(r'\bid="([^"]+)"', target.read_text(encoding="utf-8")))
                if path == "chapters/ledger.html":
                    # The ledger page renders its rows from data and lands #claim-<id> on the row.
                    ids[path] |= {f"claim-{r['claim_id']}" for r in ledger_page_records(book_html)}
            assert anchor in ids[path], f"{uri}: no anchor #{anchor} in {path}"
    # Every key figure and every figure of a judgment is among the links.
    claims = {u.removeprefix(f"{WEB}chapters/ledger.html#claim-") for u in uris if "#claim-" in u}
    assert set(overview.key_figures(ledger)["claim_id"]) <= claims
    for statement in ledger.judgments["statement"]:
        assert {c for _, c in PLACEHOLDER.findall(statement)} <= claims
    assert {f"{WEB}chapters/{c}.html#{j}" for c, j in
            zip(ledger.judgments["chapter"], ledger.judgments["judgment_id"])} <= set(uris)
