"""The front page: the bottom line first, a key-figures box whose numbers follow the ledger by a rule a specialist would accept, how current each part is, the seed's figures, and a chart whose title and alt text are computed from its rows (tests/test_chapters.py checks what every chapter promises)."""

import dataclasses

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.build import readme
from nkreport.chapters import overview
from nkreport.data.ledger import Ledger
from nkreport.report import facts
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


def text_of(element) -> str:
    """The element's text with whitespace collapsed and the typographer's apostrophes made plain."""
    return " ".join(element.get_text(" ").split()).replace("\u2019", "'")


# --- The rules of the box (no build needed) -------------------------------------------------------

def test_strongest_rules_never_pick_a_party_a_weak_source_or_a_conversion(ledger):
    for figure in overview.KEY_FIGURES:
        claim = overview.pick(ledger, figure)
        assert claim["measure"] == figure.measure, figure.key
        assert claim["claim_kind"] in overview.STANDING_KINDS, figure.key
        assert claim["claimant_role"] != "belligerent", figure.key
        assert not overview.is_weak(claim), figure.key
        assert not overview.is_conversion(claim), figure.key


def test_strongest_rule_prefers_governments_and_then_the_newest(ledger):
    for figure in overview.KEY_FIGURES:
        if figure.rule != "strongest":
            continue
        claim = overview.pick(ledger, figure)
        rows = overview.candidates(ledger, figure)
        assert claim["as_of"] == rows["as_of"].max(), figure.key
        governments = rows["claimant_role"].isin(overview.TIERS[0])
        assert governments.all() or not governments.any(), f"{figure.key} mixes tiers"


def test_troop_figures_are_the_shared_facts_and_cover_every_deployment(ledger):
    claims = ledger.claims
    shown = set(overview.key_figures(ledger)["claim_id"])
    later = facts.later_deployments(claims)
    expected = {facts.combat_troops_sent(claims)["claim_id"], later["engineers"]["claim_id"],
                later["builders"]["claim_id"]}
    assert expected <= shown, "the box leaves out a deployment the ledger holds"
    assert "two waves" in overview.label(overview.BY_KEY["combat_troops"], facts.combat_troops_sent(claims)), \
        "the combat-troop figure must say which waves it counts"


def test_the_munitions_figures_are_not_the_weak_capacity_conversion(ledger):
    shown = set(overview.key_figures(ledger)["claim_id"])
    assert "ship-shells-dia-2025-07-13" not in shown
    assert overview.is_conversion(ledger.claim("ship-shells-dia-2025-07-13"))
    assert overview.is_conversion(ledger.claim("ship-shells-dia-2024-08-27"))
    assert not overview.is_conversion(ledger.claim("ship-shells-nis-2023-11-01")), "'no container conversion' is not one"


def test_the_rounds_label_matches_what_the_claim_counts(ledger):
    claim = overview.pick(ledger, overview.BY_KEY["rounds_in_year"])
    assert "rocket" in claim["note"].lower(), "the label says artillery and rocket rounds; the picked claim does not"
    assert str(claim["as_of"].year) in overview.label(overview.BY_KEY["rounds_in_year"], claim)


def test_every_bounded_key_figure_keeps_its_claimants_own_word(ledger):
    for _, row in overview.key_figures(ledger).iterrows():
        if row["bound"] in ("floor", "ceiling", "approximate") and pd.isna(row["value_low"]):
            assert row["qualifier"], f"{row['claim_id']}: the box would print a default qualifier"
            assert figure_text(row).startswith(row["qualifier"])


def test_a_newer_strong_claim_updates_the_box_and_its_date(ledger):
    missiles = overview.BY_KEY["missiles"]
    old = overview.pick(ledger, missiles)
    later = overview.as_of(ledger)["as_of"] + pd.Timedelta(days=400)
    updated = with_claim(ledger, like=old["claim_id"], claim_id="ship-test-newer", value=150.0,
                         as_of=later, claimed_on=later)
    assert overview.pick(updated, missiles)["claim_id"] == "ship-test-newer"
    assert overview.as_of(updated)["claim_id"] == "ship-test-newer"


def test_a_newer_claim_outside_the_rule_leaves_the_box_alone(ledger):
    containers = overview.BY_KEY["containers"]
    old = overview.pick(ledger, containers)
    later = old["as_of"] + pd.Timedelta(days=400)
    # A belligerent's figure, a forecast, a weak page and a conversion are all newer; none may be a key figure.
    updated = with_claim(ledger, like=old["claim_id"], claim_id="ship-test-belligerent",
                         claimant="ua-hur", claimant_role="belligerent", as_of=later, claimed_on=later)
    updated = with_claim(updated, like=old["claim_id"], claim_id="ship-test-forecast",
                         claim_kind="forecast", as_of=later, claimed_on=later)
    updated = with_claim(updated, like=old["claim_id"], claim_id="ship-test-weak", weak_source="yes",
                         note="Weak: one aggregator.", as_of=later, claimed_on=later)
    updated = with_claim(updated, like=old["claim_id"], claim_id="ship-test-conversion",
                         note="What the ships could carry, a conversion from tonnage.", as_of=later, claimed_on=later)
    assert overview.pick(updated, containers)["claim_id"] == old["claim_id"]


def test_the_readme_table_lists_every_key_figure(ledger):
    block = readme.key_figures_block(ledger)
    for claim_id in overview.key_figures(ledger)["claim_id"]:
        assert f"`{claim_id}`" in block


def test_every_topic_has_a_part_and_the_cutoff_table_shows_its_newest_claim(ledger):
    assert set(ledger.claims["topic"]) <= set(overview.TOPIC_PARTS)
    table = overview.cutoff_table(ledger, "tbl-test", "caption")
    for row in facts.newest_by_topic(ledger).itertuples():
        assert f"claim-row-{row.claim_id}" in table
        assert date_text(row.claimed_on, row.claimed_on_precision) in table


def test_chart_rows_are_the_headline_measures_without_forecasts_or_denials(ledger):
    rows = overview.plotted_claims(ledger)
    assert set(rows["measure"]) == {m for _, m in overview.PANELS}
    assert not rows["claim_kind"].isin(["forecast", "denial"]).any()
    assert (rows["value"].notna() | rows["value_low"].notna()).all()


def test_alt_text_states_only_the_trends_the_rows_show(ledger):
    alt = overview.chart_alt(ledger)
    assert "steadily" not in alt
    for t in overview.panel_trends(ledger).itertuples():
        sentence = next(s for s in alt.split(". ") if s.startswith(t.title + ":"))
        assert (f"{t.below_earlier} of the later claims" in sentence) == (t.below_earlier > 0), t.title
        assert figure_text(t.last) in sentence, t.title
    head = overview.headline(ledger)
    assert ("not claim by claim" in overview.chart_title(ledger)) == (head["all_rose"] and head["any_below_earlier"])


def test_a_claim_lower_than_an_earlier_one_is_counted(ledger):
    trends = overview.panel_trends(ledger).set_index("measure")
    # The review's O4: shell totals fall as well as rise (Ukraine's HUR said over 5 million in
    # Nov 2024, after the DIA's more than 6 million of Aug 2024), so no "rising steadily".
    assert trends.loc["nk_shells_to_russia_total", "below_earlier"] > 0


# --- The page as built ------------------------------------------------------------------------

def test_page_opens_with_the_bottom_line(page):
    sections = page.select("section > section")
    assert sections and sections[0].find("h2").get_text().startswith("The bottom line")
    items = sections[0].select("ol > li")
    assert 3 <= len(items) <= 5
    for item in items:
        assert item.select("span.claim"), "a conclusion has no figure from the ledger"
        assert item.select("span.bibtex-citation a"), "a conclusion cites no source"
        assert item.select("a.reference.internal"), "a conclusion links to no chapter"
    # How sure the report is: the key judgments follow, each with its likelihood and confidence.
    assert sections[1].find("h2").get_text().startswith("Key judgments")
    assert len(sections[1].select("li")) >= 10 and "confidence" in sections[1].get_text()


def test_box_shows_one_card_per_key_figure(box):
    cards = box.select("ul > li")
    assert len(cards) == len(overview.KEY_FIGURES)
    for card in cards:
        assert card.select("span.claim"), "a card shows no figure from the ledger"
        assert card.select("span.bibtex-citation a"), "a card cites no source"


def test_each_key_figure_equals_the_claim_its_rule_picks(box, ledger):
    for figure, card in zip(overview.KEY_FIGURES, box.select("ul > li")):
        claim = overview.pick(ledger, figure)
        spans = card.select(f"span.claim-{claim['claim_id']}")
        assert spans, f"the {figure.key} card does not show {claim['claim_id']}"
        assert spans[0].get_text() == figure_text(claim), figure.key
        text = text_of(card)
        assert overview.label(figure, claim) in text, f"the {figure.key} card does not say what it counts"
        assert claim["claimant_short_name"] in text, f"the {figure.key} card does not name its claimant"
        assert f"as of {date_text(claim['as_of'], claim['as_of_precision'])}" in text, figure.key


def test_weak_key_figures_are_marked(box, ledger):
    for figure, card in zip(overview.KEY_FIGURES, box.select("ul > li")):
        weak = overview.is_weak(overview.pick(ledger, figure))
        assert ("weak source" in card.get_text()) == weak, figure.key


def test_box_is_as_of_the_newest_claim_it_shows(box, ledger):
    newest = overview.as_of(ledger)
    shown = box.select("span.glued-key_figures_as_of")
    assert shown, "the box does not say what date it is as of"
    assert shown[0].get_text() == date_text(newest["as_of"], newest["as_of_precision"])


def test_page_states_how_current_each_part_is(page, ledger):
    table = page.find("table", id="tbl-cutoff")
    assert table is not None, "no table labelled tbl-cutoff"
    assert len(table.select("tbody tr")) == ledger.claims["topic"].nunique()
    newest = facts.newest_claim(ledger.claims)
    assert page.select("span.glued-newest_claim_date")[0].get_text() == \
        date_text(newest["claimed_on"], newest["claimed_on_precision"])


def test_counts_are_the_shared_facts(page, ledger):
    counts = facts.counts(ledger)
    for name, key in (("n_claims", "claims"), ("n_claimants", "claimants"), ("n_sources", "source_pages"),
                      ("n_weak", "weak")):
        (span,) = page.select(f"span.glued-{name}")
        assert span.get_text().replace(",", "") == str(counts[key]), name


def test_first_fighting_is_november_and_large_scale_combat_december(page, ledger):
    first, mass = facts.first_combat(ledger.claims), facts.mass_assaults_begin(ledger.claims)
    text = text_of(page)
    assert date_text(first["as_of"], first["as_of_precision"]) in text
    assert f"{mass['as_of']:%B %Y}" in text
    assert "first fighting in the Kursk region that December" not in text


def test_russian_losses_of_different_scope_are_not_ranked(page):
    assert "higher still" not in text_of(page)


def test_seed_figures_are_on_the_front_page(page, ledger):
    text = text_of(page)
    seed = ledger.claims[ledger.claims["source"].str.split("; ").apply(lambda keys: SEED in keys)]
    expected = {  # measure: the figure as the seed article gives it
        "nk_containers_to_russia_total": "more than 13,000",
        "ru_killed_wounded": "more than 600,000",
        "kr_troops_vietnam_total": "nearly 320,000",
        "nk_active_military_personnel": "1.2 million",
    }
    for measure, words in expected.items():
        (claim,) = [r for _, r in seed[seed["measure"] == measure].iterrows()]
        assert figure_text(claim) == words, measure
        spans = page.select(f"span.claim-{claim['claim_id']}")
        assert spans and all(s.get_text() == words for s in spans), f"the seed's {words} is not shown"
    assert "six nuclear tests" in text, "the seed's six nuclear tests are not in the prose"


def test_chart_alt_text_is_the_computed_one(page, ledger):
    svg = page.find("figure", id="fig-overview").find("svg")
    assert " ".join(svg["aria-label"].split()) == " ".join(overview.chart_alt(ledger).split())


def test_chart_table_lists_every_plotted_claim_and_no_claims_table_repeats(page, ledger):
    table = page.find("table", id="tbl-overview-plotted")
    assert table is not None, "no table labelled tbl-overview-plotted"
    assert len(table.select("tbody tr")) == len(overview.plotted_claims(ledger))
    assert len(page.select("table.claims-table")) == 1, "the page shows more than one claims table"


def test_page_shows_no_notebook_artefacts(page):
    text = text_of(page)
    for artefact in ("Show code cell", "Hide code cell", "Traceback"):
        assert artefact not in text


def test_kinds_table_counts_every_claim(page, ledger):
    table = page.find("table", id="tbl-claims-by-kind")
    assert table is not None, "no table labelled tbl-claims-by-kind"
    last = [c.get_text(strip=True) for c in table.select("tbody tr")[-1].select("td")]
    assert last[-1] == str(len(ledger.claims))


def test_front_page_keeps_its_table_of_contents(page):
    assert page.select("div.toctree-wrapper"), "the {tableofcontents} directive is gone"
