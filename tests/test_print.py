"""The book on paper: the whole-book PDF and one PDF per chapter, laid out for A4 (nkreport.build.pdf)."""

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from docutils import nodes
from sphinx.errors import ExtensionError

from nkreport.build import pdf as pdf_module
from nkreport.build.pdf import PDF_NAME, print_to_pdf
from nkreport.build.printing import (LISTED_IN_FULL, claims_lists_to_ledger, claims_tables_for_paper, point_links,
                                     printed_ledger)
from nkreport.build.sphinxext.pages import print_ledger
from nkreport.chapters.ledger import ledger_print_html
from nkreport.report.text import figure_text

ROOT = Path(__file__).resolve().parent.parent
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
PAGES = [TOC["root"]] + [e["file"] for e in TOC["chapters"]]
CHAPTERS = [p for p in PAGES if p not in ("chapters/bibliography", "chapters/changelog")]
CHROMIUM = "/usr/bin/chromium"
# The whole book printed in 483 pages before it was laid out for paper.
MOST_BOOK_PAGES = 89
MOST_CHAPTER_PAGES = 25
MIN_COLUMN_CHARACTERS = 12


def pdf_text(path: Path) -> str:
    # -raw keeps the order the text was drawn in, so a table cell is never interleaved with its neighbours.
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def squeezed(text: str) -> str:
    """Text without whitespace: a line break may fall anywhere in a printed id or title."""
    return re.sub(r"\s+", "", text).replace("\u2019", "'")  # the page's typographic apostrophes


# Without a build: the parts the print is made of.

def test_the_printed_ledger_gives_every_claim_once_with_its_note(ledger):
    page = BeautifulSoup(ledger_print_html(ledger), "html.parser")
    claims = page.select("div.ledger-print-claim")
    assert sorted(c["id"].removeprefix("claim-") for c in claims) == sorted(ledger.claims["claim_id"])
    for claim in claims[:: max(1, len(claims) // 40)]:
        row = ledger.claim(claim["id"].removeprefix("claim-"))
        text = " ".join(claim.get_text(" ").split())
        assert " ".join(row["note"].split()) in text
        assert row["claimant_short_name"] in text
        if figure_text(row):
            assert figure_text(row) in text
    topics = page.select("section.ledger-print-topic")
    assert sum(int(t.find("h2").get_text().split(": ")[1].split()[0]) for t in topics) == len(claims)


def test_the_printed_ledger_shows_markup_in_a_note_as_text(ledger):
    claims = ledger.claims.copy()
    claims.loc[claims.index[0], "note"] = "<script>alert(1)</script>"
    html = ledger_print_html(dataclasses.replace(ledger, claims=claims))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


CLAIMS_TABLE = """<section><table class="claims-table table" id="tbl-x"><caption><span class="caption-number">Table 1 </span>
<span class="caption-text">Claims.</span></caption><colgroup><col/><col/><col/><col/><col/><col/><col/></colgroup>
<thead><tr><th><p>Date</p></th><th><p>Claimant</p></th><th><p>What is claimed</p></th><th><p>Figure</p></th>
<th><p>Kind</p></th><th><p>Source</p></th><th><p>Note</p></th></tr></thead><tbody>{rows}</tbody></table>
<table class="claims-table table" id="tbl-roles"><thead><tr><th>Role</th><th>Figure</th></tr></thead>
<tbody><tr><td>a</td><td>b</td></tr></tbody></table></section>"""
ROW = ('<tr><td><p><span class="claim-row claim-row-{id}">1 Oct 2024</span></p></td><td>NIS</td><td>Troops</td>'
       "<td>1,500</td><td>estimate</td><td>[A, 2024]</td><td><p>The note of {id}.</p></td></tr>")


def test_a_claims_table_on_paper_has_six_columns_and_each_note_under_its_claim():
    page = BeautifulSoup(CLAIMS_TABLE.format(rows=ROW.format(id="a") + ROW.format(id="b")), "html.parser")
    claims_tables_for_paper(page, page.section)
    table = page.find(id="tbl-x")
    assert [th.get_text() for th in table.thead.find_all("th")] == ["Date", "Claimant", "What is claimed",
                                                                     "Figure", "Kind", "Source"]
    assert "claims-print" in table["class"] and table.find("colgroup") is None
    bodies = table.find_all("tbody")
    assert len(bodies) == 2
    for body, claim_id in zip(bodies, "ab"):
        first, note = body.find_all("tr")
        assert len(first.find_all("td")) == 6
        assert note["class"] == ["claim-note"] and note.td["colspan"] == "6"
        assert note.get_text(strip=True) == f"The note of {claim_id}."
    roles = page.find(id="tbl-roles")
    assert "claims-print" not in roles["class"] and len(roles.find_all("th")) == 2


def test_a_long_list_of_claims_points_to_the_printed_ledger_in_the_whole_book(ledger):
    appendix = BeautifulSoup(ledger_print_html(ledger), "html.parser")
    where = printed_ledger(appendix)
    ids = list(ledger.claims.sort_values("as_of")["claim_id"])[: LISTED_IN_FULL + 5]
    page = BeautifulSoup(CLAIMS_TABLE.format(rows="".join(ROW.format(id=i) for i in ids)), "html.parser")
    claims_lists_to_ledger(page, page.section, where)
    assert page.find("table", id="tbl-x") is None
    pointer = page.find("div", class_="claims-pointer", id="tbl-x")
    text = " ".join(pointer.get_text(" ").split())
    assert f"The {len(ids)} claims of this table" in text and "Table 1" in text
    counts = {a["href"]: int(a.previous_sibling.strip().split()[-2]) for a in pointer.find_all("a")}
    assert sum(counts.values()) == len(ids)
    assert all(appendix.find(id=href[1:]) is not None for href in counts)
    short = BeautifulSoup(CLAIMS_TABLE.format(rows="".join(ROW.format(id=i) for i in ids[:LISTED_IN_FULL])),
                          "html.parser")
    claims_lists_to_ledger(short, short.section, where)
    assert short.find("table", id="tbl-x") is not None


def test_a_printed_link_stays_in_the_pdf_or_goes_to_the_published_book():
    page = BeautifulSoup('<p><a href="chapters/overview.html#here">a</a> <a href="chapters/overview.html#elsewhere">b</a> '
                         '<a href="_downloads/0f/claims.csv">c</a> <a href="../data/sources.bib">d</a> '
                         '<a href="genindex.html">e</a> <a href="https://example.com/x">f</a></p>', "html.parser")
    point_links(page, {"here"}, {"elsewhere": "chapters/troops"}, "https://book.example/")
    assert [a.get("href") for a in page.find_all("a")] == [
        "#here", "https://book.example/chapters/troops.html#elsewhere", "https://book.example/data/claims.csv",
        "https://book.example/data/sources.bib", None, "https://example.com/x"]


@pytest.mark.parametrize("screen", [
    '<div class="ledger-app" data-rows="../data/claims.json"><table></table></div>',
    '<div class="ledger-controls"><input id="ledger-search"></div><div class="ledger-scroll"><table></table></div>',
])
def test_the_single_page_prints_the_ledger_from_the_data_whatever_the_screen_table(screen, ledger):
    doctree = nodes.section()
    doctree += nodes.paragraph(text="Every figure in this report is one row of this table.")
    doctree += nodes.raw("", screen, format="html")
    print_ledger(doctree, ledger)
    raw = "".join(n.astext() for n in doctree.findall(nodes.raw))
    assert "ledger-app" not in raw and "ledger-controls" not in raw
    assert raw.count('class="ledger-print-claim"') == len(ledger.claims)


def test_the_single_page_fails_without_the_ledger_table(ledger):
    doctree = nodes.section()
    doctree += nodes.raw("", '<div class="something-else"></div>', format="html")
    with pytest.raises(ExtensionError, match="ledger-app"):
        print_ledger(doctree, ledger)


def test_print_to_pdf_says_which_page_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "chromium", lambda: "false")
    page = tmp_path / "page.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(RuntimeError, match="page.html"):
        print_to_pdf(page, tmp_path / "page.pdf")
    assert not (tmp_path / "page.pdf").exists()


def test_print_to_pdf_prints_a_page(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium (make test installs it)")
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>A printed page</h1></body></html>", encoding="utf-8")
    print_to_pdf(page, tmp_path / "page.pdf")
    assert "A printed page" in pdf_text(tmp_path / "page.pdf")


# After `make pdf`.

def chapter_title(book_html: Path, chapter: str) -> str:
    page = BeautifulSoup((book_html / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
    return " ".join(page.find("h1").get_text(" ", strip=True).rstrip("#").split())


def test_the_whole_book_prints_in_under_ninety_pages_with_every_claim(pdf_dir, book_html, ledger):
    book = pdf_dir / PDF_NAME
    assert pages(book) <= MOST_BOOK_PAGES
    text = pdf_text(book)
    flat = squeezed(text)
    for chapter in PAGES:
        assert squeezed(chapter_title(book_html, chapter)) in flat, chapter
    missing = [c for c in ledger.claims["claim_id"] if c not in flat]
    assert missing == [], f"the printed ledger lacks {missing[:5]}"
    for _, row in ledger.claims.sample(30, random_state=1).iterrows():
        if figure_text(row):
            assert squeezed(figure_text(row)) in flat, row["claim_id"]


def chapter_charts(chapter: str) -> list[dict]:
    manifest = json.loads((ROOT / "figures" / "manifest.json").read_text(encoding="utf-8"))["figures"]
    return [entry for entry in manifest if entry["chapter"] == f"{chapter}.md"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_prints_alone_with_its_title_charts_sources_and_claims(chapter, pdf_dir, book_html, ledger):
    path = pdf_dir / f"{Path(chapter).name}.pdf"
    assert 1 <= pages(path) <= MOST_CHAPTER_PAGES
    flat = squeezed(pdf_text(path))
    assert squeezed(chapter_title(book_html, chapter)) in flat
    charts = chapter_charts(chapter)
    for chart in charts:
        assert squeezed(chart["title"]) in flat, f"{chart['label']}: its title is not in {path.name}"
    assert flat.count("Claimsasof") >= len(charts), f"a chart's source line is not in {path.name}"
    page = BeautifulSoup((book_html / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
    listed = [c.removeprefix("claim-row-") for span in page.select("table.claims-table span.claim-row")
              for c in span["class"] if c.startswith("claim-row-")]
    for claim_id in listed[:: max(1, len(listed) // 15)]:
        row = ledger.claim(claim_id)
        assert squeezed(row["claimant_short_name"]) in flat
        if figure_text(row):
            assert squeezed(figure_text(row)) in flat, f"{claim_id} is not in {path.name}"
    assert "Citeas:" in flat and squeezed(f"{Path(chapter).name}.html") in flat
    if chapter != "chapters/ledger":  # the printed ledger names its source pages itself
        assert "References" in flat


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_links_to_its_pdf(chapter, pdf_dir, book_html):
    page_path = book_html / f"{chapter}.html"
    page = BeautifulSoup(page_path.read_text(encoding="utf-8"), "html.parser")
    link = page.select_one("#cite-this-chapter a.chapter-pdf-link")
    assert link is not None, f"{chapter} has no link to its PDF"
    assert link["href"] == f"../pdf/{Path(chapter).name}.pdf"
    target = (page_path.parent / link["href"]).resolve()
    assert target.is_file() and target.read_bytes()[:5] == b"%PDF-"
    assert target.read_bytes() == (pdf_dir / target.name).read_bytes()


MEASURE_COLUMNS = """() => {
  const narrow = [];
  const probe = document.createElement('span');
  for (const table of document.querySelectorAll('table')) {
    const head = table.tHead ? table.tHead.rows[0] : null;
    if (!head) continue;
    probe.textContent = '0000000000';
    table.appendChild(probe);
    const ch = probe.getBoundingClientRect().width / 10;
    probe.remove();
    Array.from(head.cells).forEach((th, column) => {
      const width = th.getBoundingClientRect().width / ch;
      if (width >= %(least)d) return;
      // A narrow column is fine if nothing in it wraps.
      for (const body of table.tBodies) for (const row of body.rows) {
        const cell = row.cells[column];
        if (!cell || cell.colSpan > 1 || row.cells.length !== head.cells.length) continue;
        // The lines the cell's text takes: the distinct tops of its text's boxes.
        const tops = [];
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const range = document.createRange();
          range.selectNodeContents(walker.currentNode);
          for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
        }
        tops.sort((a, b) => a - b);
        const half = parseFloat(getComputedStyle(cell).fontSize) / 2;
        const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > half).length;
        if (lines > 1) { narrow.push([table.id || table.className, th.textContent.trim(), Math.round(width), cell.textContent.trim().slice(0, 40)]); return; }
      }
    });
  }
  return narrow;
}""" % {"least": MIN_COLUMN_CHARACTERS}

TALL_FIGURES = """(height) => Array.from(document.querySelectorAll('figure'))
  .filter(f => getComputedStyle(f).breakInside !== 'avoid' || f.getBoundingClientRect().height > height)
  .map(f => f.id)"""


def test_no_printed_column_is_narrower_than_a_dozen_characters_and_no_chart_is_split(pdf_dir):
    from playwright.sync_api import sync_playwright

    single = ROOT / "_build" / "singlehtml"
    printed = sorted(single.glob("print-*.html"))
    assert len(printed) == len(CHAPTERS) + 1
    # A4 less the margins of _static/report.css (@page), in CSS pixels.
    width, height = round((210 - 2 * 12) / 25.4 * 96), round((297 - 2 * 13) / 25.4 * 96)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.emulate_media(media="print")
            for path in printed:
                page.goto(path.as_uri())
                assert page.evaluate("document.querySelectorAll('table.claims-print, div.ledger-print').length") \
                    or path.name in ("print-map.html",), f"{path.name} has no claims laid out for paper"
                assert page.evaluate(MEASURE_COLUMNS) == [], path.name
                assert page.evaluate(TALL_FIGURES, height) == [], path.name
        finally:
            browser.close()
