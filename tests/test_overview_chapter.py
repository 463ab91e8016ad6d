"""The front page: a key-figures box whose numbers follow the ledger by rule, its "as of" date, the seed's figures, the chart's rows (tests/test_chapters.py checks what every chapter promises)."""

import dataclasses

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import overview
from nkreport.data.ledger import Ledger
from nkreport.report.text import date_text, figure_text

SEED = "nyt2024whatweknow"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "overview.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def box(page):
    found = page.select("div.admonition.key-figures")
    assert len(found) == 1, "the front page has no key-figures box, or more than one"
    return found[0]


def with_claim(ledger: Ledger, **changes) -> Ledger:
    """The ledger with one more claim: a copy of an existing row with some columns changed."""
    base = ledger.claim(changes.pop("like"))
    row = base.copy()
    for column, value in changes.items():
        row[column] = value
    claims = pd.concat([ledger.claims, row.to_frame().T], ignore_index=True).astype(ledger.claims.dtypes)
    return dataclasses.replace(ledger, claims=claims)


def test_box_shows_one_card_per_key_figure(box):
    cards = box.select("ul > li")
    assert len(cards) == len(overview.KEY_FIGURES)
    for card in cards:
        assert card.select("span.claim"), "a card shows no figure from the ledger"
        assert card.select("span.bibtex-citation a"), "a card cites no source"


def test_each_key_figure_equals_the_claim_its_rule_picks(box, ledger):
    cards = box.select("ul > li")
    for figure, card in zip(overview.KEY_FIGURES, cards):
        claim = overview.pick(ledger, figure)
        spans = card.select(f"span.claim-{claim['claim_id']}")
        assert spans, f"the {figure.key} card does not show {claim['claim_id']}"
        assert spans[0].get_text() == figure_text(claim), figure.key
        text = card.get_text(" ", strip=True)
        assert claim["claimant_short_name"] in text, f"the {figure.key} card does not name its claimant"
        assert f"as of {date_text(claim['as_of'], claim['as_of_precision'])}" in text, figure.key


def test_weak_key_figures_are_marked(box, ledger):
    for figure, card in zip(overview.KEY_FIGURES, box.select("ul > li")):
        weak = overview.is_weak(overview.pick(ledger, figure))
        assert ("weak source" in card.get_text()) == weak, figure.key


def test_box_is_as_of_the_newest_claim_it_shows(box, ledger):
    newest = max(overview.pick(ledger, f)["as_of"] for f in overview.KEY_FIGURES)
    shown = box.select("span.glued-key_figures_as_of")
    assert shown, "the box does not say what date it is as of"
    precision = overview.as_of(ledger)["as_of_precision"]
    assert shown[0].get_text() == date_text(newest, precision)


def test_rules_pick_the_expected_claimant_kinds(ledger):
    for figure in overview.KEY_FIGURES:
        claim = overview.pick(ledger, figure)
        assert claim["measure"] == figure.measure
        assert claim["claim_kind"] in overview.STANDING_KINDS
        if figure.rule == "not_at_war":
            assert claim["claimant_role"] == "third_party_government", figure.key
        elif figure.rule == "south_korea":
            assert claim["claimant_country"] == "South Korea", figure.key
        else:
            assert SEED in claim["source"].split("; "), figure.key


def test_a_newer_claim_updates_the_box_and_its_date(ledger):
    troops = overview.BY_KEY["troops_sent"]
    old = overview.pick(ledger, troops)
    later = old["as_of"] + pd.Timedelta(days=400)
    updated = with_claim(ledger, like=old["claim_id"], claim_id="troops-test-newer", value=99000.0,
                         as_of=later, claimed_on=later)
    assert overview.pick(updated, troops)["claim_id"] == "troops-test-newer"
    assert overview.as_of(updated)["claim_id"] == "troops-test-newer"


def test_a_newer_claim_outside_the_rule_leaves_the_box_alone(ledger):
    troops = overview.BY_KEY["troops_sent"]
    old = overview.pick(ledger, troops)
    later = old["as_of"] + pd.Timedelta(days=400)
    # A belligerent's figure and a forecast are both newer, and neither may become a key figure.
    updated = with_claim(ledger, like=old["claim_id"], claim_id="troops-test-belligerent",
                         claimant="ua-hur", claimant_role="belligerent", as_of=later, claimed_on=later)
    updated = with_claim(updated, like=old["claim_id"], claim_id="troops-test-forecast",
                         claim_kind="forecast", as_of=later, claimed_on=later)
    assert overview.pick(updated, troops)["claim_id"] == old["claim_id"]


def test_seed_figures_are_on_the_front_page(page, ledger):
    text = page.get_text(" ")
    seed = ledger.claims[ledger.claims["source"].str.split("; ").apply(lambda keys: SEED in keys)]
    expected = {  # measure: the figure as the seed article gives it
        "nk_containers_to_russia_total": "more than 13,000",
        "ru_killed_wounded": "more than 600,000",
        "kr_troops_vietnam_total": "nearly 320,000",
        "nk_active_military_personnel": "1.2 million",
        "nk_nuclear_tests": "6",
    }
    for measure, words in expected.items():
        (claim,) = [r for _, r in seed[seed["measure"] == measure].iterrows()]
        assert figure_text(claim) == words, measure
        spans = page.select(f"span.claim-{claim['claim_id']}")
        assert spans and all(s.get_text() == words for s in spans), f"the seed's {words} is not shown"
    assert "six nuclear tests" in " ".join(text.split()), "the seed's six nuclear tests are not in the prose"


def test_chart_rows_are_the_headline_measures_without_forecasts_or_denials(ledger):
    rows = overview.plotted_claims(ledger)
    assert set(rows["measure"]) == {m for _, m in overview.PANELS}
    assert not rows["claim_kind"].isin(["forecast", "denial"]).any()
    assert (rows["value"].notna() | rows["value_low"].notna()).all()


def test_chart_table_lists_every_plotted_claim(page, ledger):
    table = page.find("table", id="tbl-overview-plotted")
    assert table is not None, "no table labelled tbl-overview-plotted"
    assert len(table.select("tbody tr")) == len(overview.plotted_claims(ledger))


def test_kinds_table_counts_every_claim(page, ledger):
    table = page.find("table", id="tbl-claims-by-kind")
    assert table is not None, "no table labelled tbl-claims-by-kind"
    last = [c.get_text(strip=True) for c in table.select("tbody tr")[-1].select("td")]
    assert last[-1] == str(len(ledger.claims))


def test_front_page_keeps_its_table_of_contents(page):
    assert page.select("div.toctree-wrapper"), "the {tableofcontents} directive is gone"
