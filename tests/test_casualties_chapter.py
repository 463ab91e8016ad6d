"""The casualties chapter: the seed's Russian figure as a lower bound, a table of every claim of each topic, charts that plot exactly their measures and keep kinds of claim apart, headlines that rest on no weak or wider figure, shared firsts from the shared facts, and a judgement of North Korean dead from the ledger (tests/test_chapters.py checks what every chapter promises)."""

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import casualties
from nkreport.report import facts
from pages import assert_table_lists
from nkreport.report.text import date_text, figure_text

SEED_ROW = "rucas-nyt-2024-10-23"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "casualties.html").read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").replace("\u2019", "'").split())


def glued(page, name: str) -> str:
    (span,) = page.select(f"span.glued-{name}")
    return span.get_text()


def prose(page) -> list:
    """The chapter's own paragraphs: not the edition line, not the key judgments drawn from data/judgments.csv."""
    return [p for p in page.select("article p") if "edition-line" not in p.get("class", [])
            and p.find_parent(class_="key-judgments") is None]


def paragraph_with(page, words: str):
    found = [p for p in prose(page) if words in text_of(p)]
    assert found, f"no paragraph says {words!r}"
    return found[0]


def test_seed_russian_losses_read_as_more_than_600000_with_its_claimant(page, ledger):
    row = ledger.claim(SEED_ROW)
    assert (row["value"], row["bound"], row["claimant"]) == (600000, "floor", "nyt")
    spans = page.select(f"span.claim-{SEED_ROW}")
    assert spans, "the seed's Russian loss figure is not in the chapter"
    for span in spans:
        assert span.get_text() == "more than 600,000"
    paragraph = spans[0].find_parent("p")
    assert "New York Times" in paragraph.get_text(" "), "the seed's figure is not credited to its claimant"


@pytest.mark.parametrize("label, topic", [("tbl-ru-casualty-claims", "ru_casualties"),
                                          ("tbl-nk-casualty-claims", "nk_casualties")])
def test_table_lists_every_claim_of_its_topic_with_its_source(page, ledger, label, topic):
    assert_table_lists(page, label, ledger.claims[ledger.claims["topic"] == topic])


@pytest.mark.parametrize("plotted, topic, panels", [
    (casualties.ru_plotted_claims, "ru_casualties", casualties.RU_PANELS),
    (casualties.nk_plotted_claims, "nk_casualties", casualties.NK_PANELS),
])
def test_chart_claims_are_exactly_the_plotted_measures(ledger, plotted, topic, panels):
    rows = plotted(ledger)
    measures = {m for _, ms, *_ in panels for m in ms}
    claims = ledger.claims
    expected = claims[(claims["topic"] == topic) & claims["measure"].isin(measures)]
    assert set(rows["claim_id"]) == set(expected["claim_id"])
    assert rows["claim_id"].is_unique
    assert set(rows["measure"]) == measures, "a panel has nothing to draw"


def test_period_figures_are_not_plotted_against_running_totals(ledger):
    rows = casualties.nk_plotted_claims(ledger)
    assert "nk_killed_wounded_in_period" not in set(rows["measure"])


def test_one_months_or_one_years_russian_losses_are_never_on_a_cumulative_axis(ledger):
    claims = ledger.claims
    assert (claims["measure"] == "ru_killed_in_month").any(), "the ledger has no one-month figure to keep apart"
    assert "ru_killed_in_month" in casualties.RU_PERIODS
    plotted = set(casualties.ru_plotted_claims(ledger)["measure"])
    assert not plotted & set(casualties.RU_PERIODS)
    for _, measures, *_ in casualties.RU_PANELS:
        assert not any(re.search(r"_in_(month|year)$|_per_month$", m) for m in measures), measures


def test_battle_casualties_with_the_missing_are_not_drawn_as_killed_and_wounded(ledger):
    claims = ledger.claims
    assert (claims["measure"] == "nk_battle_casualties").any()
    assert "nk_battle_casualties" not in set(casualties.nk_plotted_claims(ledger)["measure"])


def test_russian_chart_keeps_named_dead_apart_from_estimates(ledger):
    rows = casualties.ru_plotted_claims(ledger)
    named = rows[rows["measure"] == casualties.RU_NAMED]
    assert set(named["claim_kind"]) == {"confirmed_count"}
    assert "confirmed_count" not in set(rows.loc[rows["measure"] != casualties.RU_NAMED, "claim_kind"])
    fig = casualties.ru_casualties_figure(ledger)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    texts += [t.get_text() for ax in fig.axes for leg in [*ax.artists, ax.get_legend()]
              if leg is not None and hasattr(leg, "get_texts") for t in [*leg.get_texts(), leg.get_title()]]
    plt.close(fig)
    assert any("confirmed by name" in t and "minimum" in t for t in texts), texts
    assert any("Parties to the war" in t for t in texts), "belligerents' claims are not set apart"
    assert any("Russia's own figures" in t for t in texts), "Russia's own 2022 figures are not labelled"


def test_north_korean_chart_sets_belligerents_and_confirmed_counts_apart(ledger):
    fig = casualties.nk_casualties_figure(ledger)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    legend_titles = [leg.get_title().get_text() for ax in fig.axes for leg in ax.artists
                     if hasattr(leg, "get_title")]
    notes = [t.get_text() for ax in fig.axes for t in ax.texts]
    plt.close(fig)
    assert any("confirmed counts" in t for t in titles), titles
    assert "Parties to the war (belligerents' claims)" in legend_titles
    assert sum("North Korea's own figure, partial" in t for t in notes) == 2


@pytest.mark.parametrize("figure, plotted", [
    (casualties.ru_casualties_figure, casualties.ru_plotted_claims),
    (casualties.nk_casualties_figure, casualties.nk_plotted_claims),
])
def test_every_claim_on_one_weak_page_is_ringed(ledger, figure, plotted):
    weak = int(facts.is_weak(plotted(ledger)).sum())
    assert weak, "no weak claim to ring: the test proves nothing"
    fig = figure(ledger)
    rings = [line for ax in fig.axes for line in ax.lines
             if line.get_markerfacecolor() == "none" and line.get_markeredgecolor() == casualties.WEAK_RING]
    plt.close(fig)
    assert len(rings) == weak


def test_headlines_rest_on_no_weak_belligerent_or_wider_claim(ledger):
    ru, nk = casualties.ru_headline(ledger), casualties.nk_headline(ledger)
    for row in (ru["first_kw"], ru["latest_kw"], nk["first"], nk["latest"], nk["dead"]):
        assert row["claimant_role"] != "belligerent", row["claim_id"]
        assert row["weak_source"] != "yes", row["claim_id"]
        assert row["claim_kind"] != "report", row["claim_id"]
        assert row["claim_id"] not in casualties.RU_WIDER_SCOPE, row["claim_id"]
    assert ru["latest_named"]["claim_kind"] == "confirmed_count"


def test_chart_titles_state_figures_from_the_ledger(ledger):
    ru, nk = casualties.ru_headline(ledger), casualties.nk_headline(ledger)
    fig = casualties.ru_casualties_figure(ledger)
    assert figure_text(ru["first_kw"]) in fig.get_label() and figure_text(ru["latest_kw"]) in fig.get_label()
    assert figure_text(ru["latest_named"]) in fig.get_label()
    plt.close(fig)
    fig = casualties.nk_casualties_figure(ledger)
    for row in (nk["first"], nk["latest"], nk["dead"]):
        assert figure_text(row) in fig.get_label()
    plt.close(fig)


def test_north_korean_alt_text_dates_the_first_british_estimate_from_the_ledger(ledger):
    """Review C6: the alt text once had British estimates in the first weeks, when there were none."""
    rows = casualties.nk_plotted_claims(ledger)
    uk = rows[(rows["measure"] == "nk_killed_wounded") & (rows["claimant_country"] == "United Kingdom")]
    first = uk.sort_values("as_of").iloc[0]
    alt = casualties.nk_alt_text(ledger)
    assert f"the first British estimate, {figure_text(first)}, refers to {first['as_of']:%B %Y}" in alt
    assert "steadily" not in alt and "converg" not in alt


@pytest.mark.parametrize("label, alt_text", [("fig-ru-casualties", casualties.ru_alt_text),
                                             ("fig-nk-casualties", casualties.nk_alt_text)])
def test_page_alt_text_is_the_one_computed_from_the_charts_rows(page, ledger, label, alt_text):
    svg = page.find("figure", id=label).find("svg")
    assert " ".join(svg["aria-label"].split()) == " ".join(alt_text(ledger).split())


def test_loss_rate_is_set_against_the_first_wave_not_every_troop_sent(ledger):
    """Review C5: the 15,000 sent in two deployments includes reinforcements that came later."""
    first_wave = facts.first_wave_sent(ledger.claims)
    sent = facts.combat_troops_sent(ledger.claims)
    assert first_wave["value"] < sent["value"]
    figures = casualties.prose_figures(ledger)
    jcs = ledger.claim(casualties.JCS_MARCH)["value"]
    assert figures["jcs_first_wave_share"] == f"{jcs / first_wave['value']:.0%}"


def test_north_korean_dead_range_runs_from_the_nis_count_to_half_the_uks_floor(ledger):
    low, high = casualties.nk_dead_range(ledger)
    nis = ledger.claim(casualties.NIS_SEPT_KILLED)
    uk = ledger.claim(casualties.UK_JUNE)
    assert (nis["claimant"], nis["measure"], nis["weak_source"]) == ("kr-nis", "nk_killed", "no")
    assert (uk["claimant"], uk["measure"], uk["bound"]) == ("uk-mod", "nk_killed_wounded", "floor")
    assert low == nis["value"] and high == round(uk["value"] * casualties.NK_DEAD_UPPER_SHARE, -2)
    assert low < high < ledger.claim(casualties.REUTERS_KILLED)["value"]


def test_the_chapter_opens_with_its_findings_and_ends_with_what_remains_uncertain(page, ledger):
    article = page.select_one("article") or page
    # The first paragraph of the chapter's own prose (below the edition line and the key judgments).
    opening = text_of(prose(page)[0])
    low, high = casualties.nk_dead_range(ledger)
    assert f"{low:,.0f} to {high:,.0f}" in opening, opening
    headings = [text_of(h).rstrip("#").strip() for h in article.select("h2")]
    assert headings[-1] == "What remains uncertain", headings
    assert page.select('a[href$="methods.html#sec-caveats"]'), "the shared caveats are not referred to"


def test_firsts_are_the_shared_facts(page, ledger):
    claims = ledger.claims
    for name, row in (("first_combat_date", facts.first_combat(claims)),
                      ("mass_assaults_begin_date", facts.mass_assaults_begin(claims)),
                      ("first_capture_date", facts.first_capture(claims)),
                      ("first_survivors_date", facts.first_surviving_prisoners(claims))):
        assert glued(page, name) == date_text(row["as_of"], row["as_of_precision"]), name
    assert facts.first_combat(claims)["as_of"] < facts.mass_assaults_begin(claims)["as_of"]
    nis = facts.first_nis_death_estimate(claims)
    assert page.select(f"span.claim-{nis['claim_id']}")


def test_converged_is_said_of_killed_and_wounded_and_not_of_deaths(page):
    """Review C2: the death estimates diverged until the NIS's September revision."""
    text = text_of(page.select_one("article") or page)
    for sentence in re.split(r"(?<=[.:])\s", text):
        if re.search(r"\bconverged\b", sentence):
            assert "killed-and-wounded" in sentence, sentence
    assert "did not converge" in text
    assert "into line with what Western estimates had implied" in text


def test_russias_own_published_losses_are_stated(page, ledger):
    """Review C4: Russia's defence ministry did publish its losses in 2022."""
    own = ledger.claims[(ledger.claims["claimant"] == "ru-mod") & (ledger.claims["topic"] == "ru_casualties")]
    assert len(own) >= 1
    for claim_id in own["claim_id"]:
        assert page.select(f"span.claim-{claim_id}"), claim_id
    assert "Russia did publish its own losses" in text_of(page)


def test_gchq_figure_is_set_beside_the_csis_figure_of_the_same_month(page):
    """Review C3: the newer CSIS figure, and a date not resting on one rewrite."""
    paragraph = paragraph_with(page, "GCHQ")
    assert paragraph.select("span.claim-rucas-gchq-2026-05-27-killed")
    assert paragraph.select("span.claim-rucas-csis-2026-05-killed")
    assert "Guardian" in text_of(paragraph)


def test_why_the_losses_and_the_prisoners_fate_point_to_the_operations_chapter(page):
    """Review C7: the causal link is given here and the full account is in the operations chapter."""
    why = paragraph_with(page, "lack of understanding of modern warfare")
    assert "dismounted assaults" in text_of(why)
    assert why.select('a[href*="operations.html"]')
    prisoners = paragraph_with(page, "want to go to South Korea")
    assert prisoners.select('a[href*="operations.html"]')


def test_belligerents_are_named_as_such_in_the_prose(page):
    text = " ".join(page.get_text(" ").replace("\u2019", "'").split())
    assert "Ukraine's count is a belligerent's claim" in text
    assert "party to the war" in text


def test_weak_figures_are_said_to_be_weak_where_the_prose_gives_them(page, ledger):
    weak = ledger.claims[facts.is_weak(ledger.claims) & ledger.claims["topic"].isin(["ru_casualties", "nk_casualties"])]
    for claim_id in weak["claim_id"]:
        for span in page.select(f"span.claim-{claim_id}"):
            paragraph = text_of(span.find_parent(["p", "li"]))
            assert re.search(r"weak|only from|one aggregator|known only", paragraph), (claim_id, paragraph)
