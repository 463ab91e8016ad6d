"""What North Korea gets in return: each estimate with its claimant, nothing added across claimants, the documented set apart from the estimated."""

import re
from pathlib import Path

import pytest
from pages import opening_paragraph
from bs4 import BeautifulSoup

from nkreport import load
from nkreport.chapters import chart, returns
from nkreport.report import facts
from nkreport.report.text import figure_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "returns.html").read_text(encoding="utf-8"), "html.parser")


def enclosing_text(span) -> str:
    """The sentence-sized block (paragraph or list item) a glued figure sits in."""
    return span.find_parent(["p", "li"]).get_text(" ", strip=True)


def test_the_yearly_estimates_are_strong_dollar_figures_of_a_year(ledger):
    rows = returns.yearly_claims(ledger)
    assert not rows.empty
    assert set(rows["measure"]) <= set(returns.YEARLY)
    assert set(rows["unit"]) == {"USD"}
    assert not facts.is_weak(rows).any()
    # Every one has a caption saying what it depends on, and none is a total over the whole exchange.
    assert set(rows["claim_id"]) <= set(returns.BASIS)
    assert "returns-ytn-2024-12-29" not in set(rows["claim_id"])


def test_both_sides_come_from_one_claimant_and_one_study(ledger):
    pair = returns.both_sides(ledger)
    assert list(pair["measure"]) == [returns.SUPPLIED, returns.COMPENSATION]
    assert pair["claimant"].nunique() == 1 and pair["as_of"].nunique() == 1
    assert set(pair["bound"]) == {"ceiling"}, "the ratio of two ceilings must be described as such"


def test_a_compensation_without_its_supplied_value_gives_no_pair(ledger):
    from nkreport.data.ledger import Ledger

    claims = ledger.claims[ledger.claims["measure"] != returns.SUPPLIED]
    thin = Ledger(claims=claims, claimants=ledger.claimants, sources=ledger.sources)
    assert returns.both_sides(thin).empty
    assert returns.compensation_ratio(thin) is None
    assert "one study" not in returns.chart_title(thin)


def test_the_title_is_computed_from_the_plotted_claims(ledger):
    rows = returns.yearly_claims(ledger)
    low = rows["value_low"].fillna(rows["value"]).astype(float).min()
    high = rows["value_high"].fillna(rows["value"]).astype(float).max()
    title = returns.chart_title(ledger)
    assert returns.money(low) in title and returns.money(high) in title
    pair = returns.both_sides(ledger)
    ratio = float(pair["value"].iloc[0]) / float(pair["value"].iloc[1])
    assert returns.fraction_text(ratio) in title


def test_the_alt_text_on_the_page_is_the_one_the_data_give(book_html):
    """The alt text states figures, so it is the one alt_text() computes from the same rows."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup((book_html / "chapters" / "returns.html").read_text(encoding="utf-8"), "html.parser")
    svg = page.select_one("figure#fig-returns-value svg[aria-label]")
    assert svg is not None
    assert " ".join(svg["aria-label"].split()) == " ".join(returns.alt_text(load(topics=returns.TOPICS)).split())


def test_the_chart_is_registered_and_draws_two_panels(ledger):
    registered = chart("fig-returns-value")
    assert registered.chapter == "chapters/returns.md"
    fig = registered.draw(ledger)
    assert len(fig.axes) == 2
    assert set(registered.claims(ledger)["claim_id"]) == \
        set(returns.yearly_claims(ledger)["claim_id"]) | set(returns.both_sides(ledger)["claim_id"])


def test_the_as_of_date_keeps_the_precision_of_the_newest_claim(ledger):
    fig = returns.returns_figure(ledger)
    newest = facts.newest_claim(returns.plotted_claims(ledger))
    credit = " ".join(" ".join(t.get_text() for t in fig.texts if "Claims as of" in t.get_text()).split())
    if newest["claimed_on_precision"] == "month":
        assert f"Claims as of {newest['claimed_on']:%B %Y}." in credit
    else:
        assert f"Claims as of {newest['claimed_on'].day} {newest['claimed_on']:%B %Y}." in credit


def test_the_oil_cap_is_quoted_from_the_ledger(ledger):
    assert str(int(returns.oil_cap(ledger))) in ledger.claim(returns.CAP_CLAIM)["note"].replace(",", "")
    assert returns.share_of_cap_text(ledger, "returns-osc-2024-11-22-oil").startswith("more than")


def test_table_lists_every_returns_claim(page, ledger):
    table = page.find("table", id="tbl-returns-claims")
    assert table is not None, "no table labelled tbl-returns-claims"
    rows = [[c.get_text(" ", strip=True) for c in r.select("td")] for r in table.select("tbody tr")]
    claims = ledger.claims[ledger.claims["topic"] == "returns"]
    assert len(rows) >= len(claims)
    for claim in claims.itertuples():
        assert any(claim.claimant_short_name in cells and (not figure_text(claim) or figure_text(claim) in cells)
                   for cells in rows), claim.claim_id
    assert all(r.select("span.bibtex-citation a") for r in table.select("tbody tr")), "a row has no citation"


def test_wis_sum_is_his_and_weak_figures_say_so(page):
    wi = page.select_one("span.claim-returns-wi-2024-11-03-per-year")
    assert wi is not None and "Wi" in enclosing_text(wi) and "not the NIS" in enclosing_text(wi)
    for claim_id in ("returns-ytn-2024-12-29", "troops-hur-2026-02-11-returned"):
        span = page.select_one(f"span.claim-{claim_id}")
        assert span is not None and "weak" in enclosing_text(span), claim_id


def test_the_chapter_opens_with_findings_and_ends_with_uncertainty(page):
    sections = [h.get_text(" ", strip=True).rstrip("#").strip() for h in page.select("h2")]
    for heading in ("Money", "Food and oil", "Weapons and technology", "What it means for sanctions"):
        assert any(s.startswith(heading) for s in sections), heading
    assert sections[-1].startswith("What remains uncertain")
    first = opening_paragraph(page)
    assert first is not None and first.select_one("span.claim-returns-nis-2024-10-23-pay")
    assert first.select_one("span.glued-yearly_low") and first.select_one("span.glued-compensation_fraction")
    hrefs = [a.get("href", "") for a in page.select("a.reference.internal")]
    assert any("response.html" in h for h in hrefs) and any("methods.html" in h for h in hrefs)
