"""Every mark that stands for a claim links to its ledger row; the files for slides carry no links."""

import csv

import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import charts
from nkreport.report.export import without_links

CHARTS = list(charts().values())


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.label)
def test_a_charts_linked_marks_are_exactly_the_claims_of_its_csv(chart, book_html):
    page = BeautifulSoup((book_html / chart.chapter.replace(".md", ".html")).read_text(encoding="utf-8"),
                         "html.parser")
    figure = page.find(id=chart.label)
    svg = figure.find("svg", class_="nkreport-chart") if figure else None
    assert svg is not None, chart.label
    links = [a["href"] for a in svg.select("a.chart-claim")]
    with open(book_html.parent.parent / "figures" / f"{chart.label}.csv", encoding="utf-8") as f:
        rows = [r["claim_id"] for r in csv.DictReader(f)]
    if chart.label == "fig-ledger-composition":  # bars count claims; no mark stands for one claim
        assert links == []
        return
    assert len(links) == len(set(links)), "a claim is linked from two marks"
    assert sorted(h.split("#claim-")[1] for h in links) == sorted(rows)
    for a in svg.select("a.chart-claim"):
        assert a.find("title") is not None and ":" in a.find("title").get_text(), "a mark names no claim"


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.label)
def test_the_svg_for_slides_carries_no_links(chart, book_html):
    svg = (book_html.parent.parent / "figures" / f"{chart.label}.svg").read_bytes()
    assert b"ledger.html#claim-" not in svg
    assert without_links(svg) == svg
