"""The Vietnam-era chapter: the seed's figures with their claimant, like-for-like pairs only, a table of every Vietnam claim."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import vietnam
from nkreport.data.ledger import Ledger
from nkreport.report import facts
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
        # A sum adds one claimant's own counts of separate groups, of the pair's kind only.
        assert pair.nk_sum["claimant"].nunique() == 1
        assert set(pair.nk_sum["measure"]) <= set(vietnam.SUM_MEASURES[pair.kind])
    total, at_one_time = pairs
    assert set(total.rok["measure"]) == {"kr_troops_vietnam_total"}
    assert set(total.nk["measure"]) == {"nk_troops_sent_total"}
    assert not any(m.endswith("_total") for m in pd.concat([at_one_time.rok, at_one_time.nk, at_one_time.nk_sum])["measure"])
    # The force built up by successive deployments is neither a total nor a headcount: in no pair.
    drawn = vietnam.plotted_claims(ledger)
    assert "kr_troops_vietnam_deployed_increments" not in set(drawn["measure"])


def test_north_korean_sums_are_the_intelligence_services_shared_counts(ledger):
    """V1: the total counts the two combat waves and the later engineers and builders, from the
    shared facts; the force at one time adds the troops and builders of one briefing."""
    total, at_one_time = vietnam.comparison_pairs(ledger)
    later = facts.later_deployments(ledger.claims)
    assert list(total.nk_sum["claim_id"]) == [facts.combat_troops_sent(ledger.claims)["claim_id"],
                                              later["engineers"]["claim_id"], later["builders"]["claim_id"]]
    assert set(total.nk_sum["claimant"]) == set(at_one_time.nk_sum["claimant"]) == {"kr-nis"}
    assert at_one_time.nk_sum["as_of"].nunique() == 1
    assert later["builders"]["claim_id"] in set(at_one_time.nk_sum["claim_id"])
    # The sum stands for its claimant: no second bar of the same claimant in the chart.
    for pair in (total, at_one_time):
        assert "kr-nis" not in set(pair.nk["claimant"])


def test_a_sum_across_claimants_is_refused(ledger, monkeypatch):
    real = vietnam.nk_sum
    mixed = ledger.claims[ledger.claims["claim_id"].isin(["troops-nis-2025-04-30", "troops-yonhap-2025-09-02"])]
    monkeypatch.setattr(vietnam, "nk_sum", lambda claims, kind: mixed if kind == vietnam.TOTAL else real(claims, kind))
    with pytest.raises(ValueError, match="one claimant"):
        vietnam.comparison_pairs(ledger)


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
    # South Korea's explicit peak claim is shown, beside the US Army table's higher 1968 strength;
    # the Army's 47,872 built up in increments is not a headcount and is left out (V4).
    rok = set(at_one_time.rok["claim_id"])
    assert {"vietnam-history-com-1969-peak", "vietnam-us-army-cmh-1968-strength"} <= rok
    assert not {"vietnam-us-army-cmh-1966-10-08-strength", "vietnam-us-army-cmh-1969-peak",
                "vietnam-bay-1966-summer-strength"} & rok


def test_multiples_compare_unflagged_claims_only(ledger):
    total, at_one_time = vietnam.comparison_pairs(ledger)
    value = lambda claim_id: float(ledger.claim(claim_id)["value"])
    # Wikipedia's inconsistent 350,000 must not set the multiple; North Korea's side is everyone
    # the NIS counts (V1), and combat troops alone give the second multiple.
    everyone_sent = sum(value(i) for i in ("troops-nis-2025-04-30", "troops-nis-2025-09-02-engineers",
                                           "troops-nis-2025-11-04-builders"))
    everyone_present = value("troops-nis-2025-11-04-border") + value("troops-nis-2025-11-04-builders")
    assert vietnam.multiple(total) == pytest.approx(320000 / everyone_sent)
    assert vietnam.combat_multiple(total) == pytest.approx(320000 / value("troops-nis-2025-04-30"))
    assert vietnam.multiple(at_one_time) == pytest.approx(50000 / everyone_present)
    assert vietnam.combat_multiple(at_one_time) == pytest.approx(50000 / 12000)


def test_the_inconsistent_flag_matches_the_ledger_note(ledger):
    for claim_id in vietnam.INCONSISTENT:
        assert "inconsistent" in ledger.claim(claim_id)["note"].lower(), claim_id


def test_chart_title_states_the_multiples(ledger):
    pairs = vietnam.comparison_pairs(ledger)
    title = vietnam.chart_title(pairs)
    assert f"about {vietnam.multiple(pairs[0]):.0f} times" in title
    assert f"about {vietnam.multiple(pairs[1]):.0f} times" in title


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
                                                        "kr_troops_in_vietnam",
                                                        "kr_troops_vietnam_deployed_increments"])]
    assert not shares & {vietnam.share_text(float(v), today) for v in rok["value"]}


def test_chart_draws_exactly_the_paired_claims(ledger):
    pairs = vietnam.comparison_pairs(ledger)
    paired = {i for p in pairs for side in ("rok", "nk", "nk_sum") for i in getattr(p, side)["claim_id"]}
    assert set(vietnam.plotted_claims(ledger)["claim_id"]) == paired
    fig = vietnam.comparison_figure(ledger)
    assert len(fig.axes) == 2


def test_undated_pages_do_not_set_the_as_of_date(ledger):
    """V9: a claim whose date no page gives never dates the chart, and its citation carries no year,
    as the chapter says ('n.d.')."""
    claims = vietnam.plotted_claims(ledger)
    dated = set(facts.dated(claims)["claim_id"])
    assert "vietnam-aks-1973-03-total" not in dated
    assert "troops-nis-2025-04-30" in dated
    undated = facts.unknown_claim_dates(ledger)
    for row in undated[undated["topic"] == "vietnam"].itertuples():
        for key in row.source.split("; "):
            assert not (ledger.sources[key].get("year") or ledger.sources[key].get("date")), (row.claim_id, key)


def test_the_pilots_figure_is_quoted_from_the_ledger_note(ledger):
    row = ledger.claim("vietnam-ap-2019-02-20-nk-personnel")
    assert vietnam.note_phrase(row, r"including (about \d+ pilots)") in row["note"]
    with pytest.raises(ValueError, match="vietnam-ap-2019-02-20-nk-personnel"):
        vietnam.note_phrase(row, r"(no such phrase)")


def test_a_ledger_without_north_korean_totals_gives_an_empty_side(ledger):
    claims = ledger.claims[ledger.claims["measure"] != "nk_troops_sent_total"]
    thin = Ledger(claims=claims, claimants=ledger.claimants, sources=ledger.sources)
    total, _ = vietnam.comparison_pairs(thin)
    assert total.nk.empty and total.nk_sum.empty and not total.rok.empty


def test_no_share_of_russian_troops_in_ukraine_is_given(page, ledger):
    """V2 and V5: the ally share matches 1969 with 1969; a force in Kursk is never divided by
    Russian troops counted in Ukraine."""
    shares = {s.get_text() for s in page.select("span.glued") if s.get_text().endswith("%")}
    assert vietnam.share_text(48060, 543000) in shares
    # Every share on the page is one of the like-for-like comparisons: North Korea's personnel
    # against its own army, South Korea's against the US force of the same year; none has
    # Russian troops in Ukraine as its denominator.
    named = {next(c for c in s["class"] if c.startswith("glued-")).removeprefix("glued-")
             for s in page.select("span.glued") if s.get_text().endswith("%")}
    assert named <= {"share_sent_seed", "share_sent_mnd", "share_present_seed", "share_rok_of_us",
                      "chosun_gap_share"}, named  # the last: how far Chosun's total is below 320,000


def test_munitions_precedents_and_returns_are_on_the_page(page):
    """V7, V8 and the reward: the pilots in North Vietnam, the Senate's charge, the share of shells,
    and links to the shipments and returns chapters."""
    pilots = page.select_one("span.claim-vietnam-ap-2019-02-20-nk-personnel")
    assert pilots is not None and "pilots" in enclosing_text(pilots)
    text = " ".join(page.get_text(" ").split())
    assert "hiring of mercenaries" in text and "Fulbright" in text
    share = page.select_one("span.claim-ship-share-times-2024-10-04")
    assert share is not None and "shells" in enclosing_text(share)
    hrefs = [a.get("href", "") for a in page.select("a.reference.internal")]
    assert any("shipments.html" in h for h in hrefs) and any("returns.html" in h for h in hrefs)
    assert "described only in words" not in text


def test_the_alt_text_in_the_chapter_is_the_one_the_data_give():
    """The alt text states the multiples, so it must be the one alt_text() computes from the pairs."""
    import re
    from pathlib import Path

    from nkreport import load

    source = (Path(__file__).resolve().parent.parent / "chapters" / "vietnam.md").read_text(encoding="utf-8")
    block = source[source.index(":name: fig-vietnam-comparison"):]
    alt = re.search(r"^:alt: (.*)$", block, re.M).group(1)
    assert alt == vietnam.alt_text(load(topics=vietnam.TOPICS))
