"""Citing the report: chapter citations, chart bundles, the manifest, the ledger page, CITATION.cff and the PDF."""

import csv
import json
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pybtex.database import parse_string
from pypdf import PdfReader

from nkreport.chapters import charts
from nkreport.build.pdf import PDF_NAME
from nkreport.report.text import date_text, figure_text

from pages import ledger_page_records

ROOT = Path(__file__).resolve().parent.parent
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
PAGES = [TOC["root"]] + [e["file"] for e in TOC["chapters"]]
CHAPTERS = [p for p in PAGES if p not in ("chapters/bibliography", "chapters/changelog")]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_citation_cff_has_the_fields_the_format_requires():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for field in ("cff-version", "message", "title", "authors"):
        assert cff.get(field), f"CITATION.cff lacks {field}"
    assert re.fullmatch(r"1\.2\.\d", cff["cff-version"])
    assert all(a.get("name") or a.get("family-names") for a in cff["authors"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    assert cff["url"].startswith("https://") and cff["version"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_ends_with_a_citation_and_shows_its_edition(chapter, book_html, ledger):
    page = soup(book_html / f"{chapter}.html")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    title = page.find("h1").get_text(strip=True).rstrip("#")
    block = page.find(id="cite-this-chapter")
    assert block is not None, f"{chapter} has no citation block"
    plain = block.select_one(".citation-plain").get_text()
    assert title in plain and f"edition {cff['version']}" in plain and plain.endswith(f"{chapter}.html")
    entry = next(iter(parse_string(block.select_one(".citation-bibtex").get_text(), "bibtex").entries.values()))
    assert entry.fields["url"].endswith(f"{chapter}.html") and entry.fields["version"] == str(cff["version"])
    line = page.select_one("p.edition-line").get_text()
    assert f"Edition {cff['version']}" in line
    newest = page.select_one("span.newest-claim")
    if newest is not None:  # the newest claim among those the page shows in prose, tables and charts
        ids = {c.removeprefix("claim-row-").removeprefix("claim-") for s in page.select("span.claim, span.claim-row")
               for c in s["class"] if c.startswith("claim-") and c != "claim-row"}
        ids |= {i for c in charts().values() if c.chapter == f"{chapter}.md" for i in c.claims(ledger)["claim_id"]}
        shown = ledger.claims[ledger.claims["claim_id"].isin(ids)]
        top = shown.loc[shown["as_of"].idxmax()]
        assert newest.get_text() == date_text(top["as_of"], top["as_of_precision"])


def test_every_chart_links_to_its_png_svg_csv_and_slide(book_html, ledger):
    for label, chart in charts().items():
        page_path = book_html / chart.chapter.replace(".md", ".html")
        figure = soup(page_path).find("figure", id=label)
        links = figure.find_next_sibling("p", class_="figure-downloads").find_all("a")
        assert [Path(a["href"]).name for a in links] == \
            [f"{label}.png", f"{label}.svg", f"{label}.csv", f"{label}-slide.png", f"{label}-slide.svg"], label
        assert "16:9" in figure.find_next_sibling("p", class_="figure-downloads").get_text()
        for link in links:
            target = (page_path.parent / link["href"]).resolve()
            assert target.is_file() and target.name.startswith(label), f"{label}: {link['href']} is broken"
        csv_path = (page_path.parent / links[2]["href"]).resolve()
        with open(csv_path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert sorted(r["claim_id"] for r in rows) == sorted(chart.claims(ledger)["claim_id"]), label
        assert all(r["claimant"] and r["source_url"].startswith("http") for r in rows), label


def test_the_manifest_lists_every_chart_and_its_files(book_html):
    manifest = json.loads((ROOT / "figures" / "manifest.json").read_text(encoding="utf-8"))["figures"]
    assert [f["label"] for f in manifest] == list(charts())
    for entry in manifest:
        assert entry["title"] and entry["claim_ids"] and entry["chapter"].startswith("chapters/")
        assert {Path(f).suffix for f in entry["files"]} == {".png", ".svg", ".csv"}
        assert all((ROOT / "figures" / f).is_file() for f in entry["files"])


def test_the_ledger_page_lists_every_claim(book_html, ledger):
    page = soup(book_html / "chapters" / "ledger.html")
    # The page carries the claims as data (inline and in its data files) and renders those on screen.
    records = ledger_page_records(book_html)
    assert [r["claim_id"] for r in records] == list(ledger.claims.sort_values(["as_of", "claim_id"])["claim_id"])
    by_id = ledger.claims.set_index("claim_id")
    for record in records:
        claim = by_id.loc[record["claim_id"]]
        assert (record["figure"], record["note"], record["claimant"]) == (
            figure_text(claim), claim["note"], claim["claimant_short_name"]), record["claim_id"]
        assert [s[1] for s in record["sources"]] == claim["source_url"].split(" ")
    assert page.select_one("div.ledger-app table.ledger-table caption") is not None
    assert page.find("input", id="ledger-search") is not None
    downloads = {Path(a["href"]).name for a in page.select("a.download")}
    assert "claims.csv" in downloads


@pytest.fixture(scope="module")
def pdf(pdf_dir, book_html) -> PdfReader:
    assert not (book_html / PDF_NAME).exists()
    return PdfReader(pdf_dir / PDF_NAME)


def test_the_pdf_has_every_chapter_and_every_chart(pdf, book_html):
    text = " ".join(page.extract_text() for page in pdf.pages)
    text = " ".join(text.split())
    assert len(pdf.pages) >= 20
    for chapter in PAGES:
        title = soup(book_html / f"{chapter}.html").find("h1").get_text(strip=True).rstrip("#")
        assert " ".join(title.split()) in text, f"the PDF lacks the chapter {title}"
    captions = set(re.findall(r"Fig\. (\d+)", text))
    assert len(captions) >= len(charts()), "the PDF lacks chart captions"
    assert "Bibliography" in text and "Cite this chapter" not in text[:2000]
