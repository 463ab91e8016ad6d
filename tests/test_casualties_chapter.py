"""The casualties chapter: the seed's Russian figure as a lower bound, a table of every claim of each topic, charts that plot exactly their measures and keep kinds of claim apart (tests/test_chapters.py checks what every chapter promises)."""

import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import casualties
from pages import assert_table_lists
from nkreport.report.text import figure_text

SEED_ROW = "rucas-nyt-2024-10-23"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "casualties.html").read_text(encoding="utf-8"), "html.parser")


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


def test_belligerents_are_named_as_such_in_the_prose(page):
    text = " ".join(page.get_text(" ").replace("\u2019", "'").split())
    assert "Ukraine's count is a belligerent's claim" in text
    assert "party to the war" in text


def test_chart_titles_state_figures_from_the_ledger(ledger):
    ru, nk = casualties.ru_headline(ledger), casualties.nk_headline(ledger)
    assert ru["latest_kw"]["claimant_role"] != "belligerent"
    assert ru["latest_named"]["claim_kind"] == "confirmed_count"
    fig = casualties.ru_casualties_figure(ledger)
    assert figure_text(ru["latest_kw"]) in fig.get_label()
    plt.close(fig)
    fig = casualties.nk_casualties_figure(ledger)
    assert figure_text(nk["first"]) in fig.get_label() and figure_text(nk["latest"]) in fig.get_label()
    plt.close(fig)
