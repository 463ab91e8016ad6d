"""The Vietnam-era chapter: the seed's figures with their claimant, like-for-like pairs only, a table of every Vietnam claim."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import vietnam
from nkreport.data.ledger import Ledger
from nkreport.report.text import figure_text

SEED = "nyt2024whatweknow"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "vietnam.html").read_text(encoding="utf-8"), "html.parser")


def enclosing_text(span) -> str:
    """The sentence-sized block (paragraph or list item) a glued figure sits in."""
    return span.find_parent(["p", "li"]).get_text(" ", strip=True)


def test_seed_vietnam_total_appears_with_its_claimant(page, ledger):
    claim = ledger.claim("vietnam-nyt-2024-10-23-total")
    assert (claim["value"], claim["claimant"], claim["source"]) == (320000, "nyt", SEED)
    spans = page.select("span.claim-vietnam-nyt-2024-10-23-total")
    assert spans and all(s.get_text() == "nearly 320,000" for s in spans)
    # The first mention names the claimant: the New York Times, cited as the seed.
    first = enclosing_text(spans[0])
    assert "New York Times" in first and "nearly 320,000" in first


def test_seed_army_and_nuclear_tests_appear(page, ledger):
    text = " ".join(page.get_text(" ").split())
    army = page.select_one("span.claim-forces-nyt-2024-10-23-army")
    assert army is not None and army.get_text() == "1.2 million"
    assert "seed" in enclosing_text(army)
    tests = page.select_one("span.claim-forces-nyt-2024-10-23-nuclear-tests")
    assert tests is not None and tests.get_text() == "6"
    assert "6 nuclear tests" in text
    assert "New York Times" in enclosing_text(tests)
    for claim_id in ("forces-nyt-2024-10-23-army", "forces-nyt-2024-10-23-nuclear-tests"):
        assert ledger.claim(claim_id)["claimant"] == "nyt"


def test_comparison_pairs_only_like_measures(ledger):
    pairs = vietnam.comparison_pairs(ledger)
    assert [p.kind for p in pairs] == [vietnam.TOTAL, vietnam.AT_ONE_TIME]
    for pair in pairs:
        assert not pair.rok.empty and not pair.nk.empty
        for side, topic in (("rok", "vietnam"), ("nk", "troops")):
            rows = getattr(pair, side)
            assert set(rows["topic"]) == {topic}
            assert {vietnam.MEASURE_KIND[(side, m)] for m in rows["measure"]} == {pair.kind}
            assert not rows["claim_kind"].isin(["forecast", "denial"]).any()
    total, at_one_time = pairs
    assert set(total.rok["measure"]) == {"kr_troops_vietnam_total"}
    assert set(total.nk["measure"]) == {"nk_troops_sent_total"}
    assert not any(m.endswith("_total") for m in pd.concat([at_one_time.rok, at_one_time.nk])["measure"])


def test_a_pair_that_mixes_a_total_with_a_force_at_one_time_is_refused(ledger, monkeypatch):
    real = vietnam.measures
    # Pretend the selection let a cumulative total into the force-at-one-time pair.
    monkeypatch.setattr(vietnam, "measures", lambda side, kind: real(side, kind) + (
        ["nk_troops_sent_total"] if side == "nk" and kind == vietnam.AT_ONE_TIME else []))
    with pytest.raises(ValueError, match="nk_troops_sent_total"):
        vietnam.comparison_pairs(ledger)


def test_force_at_one_time_is_each_claimants_largest(ledger):
    _, at_one_time = vietnam.comparison_pairs(ledger)
    assert at_one_time.nk["claimant"].is_unique
    claims = ledger.claims
    for row in at_one_time.nk.itertuples():
        theirs = vietnam.figure_claims(claims[(claims["claimant"] == row.claimant)
                                              & claims["measure"].isin(vietnam.measures("nk", vietnam.AT_ONE_TIME))])
        assert vietnam.upper(at_one_time.nk[at_one_time.nk["claim_id"] == row.claim_id]).iloc[0] \
            == vietnam.upper(theirs).max(), row.claim_id
    # On a tie, the count in Russia is preferred to the Kursk subset.
    assert "troops-hur-2024-10-18" in set(at_one_time.nk["claim_id"])
    # South Korea's explicit peak claims are all shown, beside the US Army table's higher 1968 strength.
    rok = set(at_one_time.rok["claim_id"])
    assert {"vietnam-us-army-cmh-1969-peak", "vietnam-history-com-1969-peak",
            "vietnam-us-army-cmh-1968-strength"} <= rok
    assert "vietnam-us-army-cmh-1966-10-08-strength" not in rok


def test_multiples_compare_unflagged_claims_only(ledger):
    total, at_one_time = vietnam.comparison_pairs(ledger)
    # Wikipedia's inconsistent 350,000 must not set the multiple.
    assert vietnam.multiple(total) == pytest.approx(320000 / 15000)
    assert vietnam.multiple(at_one_time) == pytest.approx(50000 / 12000)


def test_table_lists_every_vietnam_row(page, ledger):
    table = page.find("table", id="tbl-vietnam-claims")
    assert table is not None, "no table labelled tbl-vietnam-claims"
    rows = [[c.get_text(" ", strip=True) for c in r.select("td")] for r in table.select("tbody tr")]
    vietnam_rows = ledger.claims[ledger.claims["topic"] == "vietnam"]
    assert len(rows) >= len(vietnam_rows)
    for claim in vietnam_rows.itertuples():
        assert any(figure_text(claim) in cells and claim.claimant_short_name in cells for cells in rows), \
            claim.claim_id
    assert all(r.select("span.bibtex-citation a") for r in table.select("tbody tr")), "a row has no citation"


def test_every_plotted_north_korean_count_is_tabled(page, ledger):
    table = page.find("table", id="tbl-vietnam-nk-counts")
    assert table is not None
    plotted = vietnam.plotted_claims(ledger)
    nk = plotted[plotted["topic"] == "troops"]
    assert len(table.select("tbody tr")) == len(nk)


def test_no_south_korean_share_of_its_forces_is_invented(page, ledger):
    text = " ".join(page.get_text(" ").split())
    assert "no figure for the size of its armed forces in 1964–73" in text
    shares = {s.get_text() for s in page.select("span.glued") if s.get_text().endswith("%")}
    assert shares, "no share is shown"
    # No Vietnam-era figure is divided by South Korea's 2020 force size.
    today = float(ledger.claim("forces-kr-mnd-2020-kr-active")["value"])
    rok = ledger.claims[ledger.claims["measure"].isin(["kr_troops_vietnam_total", "kr_troops_vietnam_peak",
                                                        "kr_troops_in_vietnam"])]
    assert not shares & {vietnam.share_text(float(v), today) for v in rok["value"]}


def test_chart_draws_exactly_the_paired_claims(ledger):
    pairs = vietnam.comparison_pairs(ledger)
    paired = {i for p in pairs for side in ("rok", "nk") for i in getattr(p, side)["claim_id"]}
    assert set(vietnam.plotted_claims(ledger)["claim_id"]) == paired
    fig = vietnam.comparison_figure(ledger)
    assert len(fig.axes) == 2


def test_undated_pages_do_not_set_the_as_of_date(ledger):
    claims = vietnam.plotted_claims(ledger)
    dated = vietnam.dated_sources(ledger, claims)
    assert not dated[claims["claim_id"] == "vietnam-aks-1973-03-total"].any()
    assert dated[claims["claim_id"] == "troops-nis-2025-04-30"].all()


def test_a_ledger_without_north_korean_totals_gives_an_empty_side(ledger):
    claims = ledger.claims[ledger.claims["measure"] != "nk_troops_sent_total"]
    thin = Ledger(claims=claims, claimants=ledger.claimants, sources=ledger.sources)
    total, _ = vietnam.comparison_pairs(thin)
    assert total.nk.empty and not total.rok.empty
