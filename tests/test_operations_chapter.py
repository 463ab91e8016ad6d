"""The operations chapter: the table of every operations claim, the chart of the campaign and the prisoners, shared facts, and casualty figures left to their chapter (tests/test_chapters.py checks what every chapter promises)."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from nkreport.chapters import charts, operations
from nkreport.report import facts
from nkreport.report.export import plotted_rows
from pages import assert_table_lists, table_claim_ids

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (ROOT / "chapters" / "operations.md").read_text(encoding="utf-8")
# The casualty figures the chapter's argument needs; every other one is left to chapters/casualties.md.
CASUALTY_FIGURES_USED = {"nkcas-ukmod-2025-06-15", "nkcas-kp-2025-12-12-engineers"}


def glued_claim_ids(ledger) -> set[str]:
    """Claim ids glued in the prose, whatever the suffix (_bare, _date, _on, _cite)."""
    names = re.findall(r"\{glue:md\}`([^`:]+)", SOURCE)
    ids = {re.sub(r"_(bare|date|on|cite)$", "", n).replace("_", "-") for n in names}
    return ids & set(ledger.claims["claim_id"])


def paragraphs() -> list[str]:
    prose = re.sub(r"```.*?```", "", SOURCE, flags=re.S)
    return [p for p in re.split(r"\n\s*\n", prose) if p.strip()]


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "operations.html").read_text(encoding="utf-8"), "html.parser")


def test_table_lists_every_operations_claim_with_its_source(page, ledger):
    operations_rows = ledger.claims[ledger.claims["topic"] == "operations"]
    assert_table_lists(page, "tbl-operations-claims", operations_rows)
    dates = [ledger.claim(i)["as_of"] for i in table_claim_ids(page, "tbl-operations-claims")]
    assert dates == sorted(dates), "the operations table is not in date order"


def test_chart_plots_every_operations_row_but_the_workers_plans(ledger):
    plotted = operations.campaign_events(ledger)
    rows = ledger.claims[ledger.claims["topic"] == "operations"]
    expected = set(rows.loc[~rows["measure"].isin(operations.NOT_IN_CHART), "claim_id"])
    assert expected <= set(plotted["claim_id"])
    assert not set(plotted["measure"]) & set(operations.NOT_IN_CHART)
    turning_points = set(operations.CAMPAIGN_EVENTS + operations.PRISONER_EVENTS)
    assert set(plotted["claim_id"]) - expected == turning_points
    assert set(plotted_rows(charts()["fig-operations-campaign"], ledger)["claim_id"]) == set(plotted["claim_id"])


def test_every_plotted_event_has_a_label_and_a_lane(ledger):
    events = operations.campaign_events(ledger)
    unlabelled = set(events["claim_id"]) - set(operations.LABELS) - set(operations.SHARED_LABEL)
    assert not unlabelled, f"events with no chart label in nkreport/chapters/operations.py: {sorted(unlabelled)}"
    groups = operations.label_groups(events)
    assert sorted(r.claim_id for g in groups.values() for r in g) == sorted(events["claim_id"])
    prisoners = {r.claim_id for r in events.itertuples() if operations.lane_of(r) == "prisoners"}
    assert set(operations.PRISONER_EVENTS) <= prisoners
    assert {r.claim_id for r in events.itertuples() if r.measure in operations.PRISONER_MEASURES} <= prisoners


def test_labels_use_the_ledger_figures_and_dates(ledger):
    groups = operations.label_groups(operations.campaign_events(ledger))
    assert operations.label_text(groups["ops-nis-2025-01-13-rgb"]) == (
        "Oct: NIS: 2,500 Reconnaissance General Bureau troops sent")
    assert operations.label_text(groups["timeline-ua-ccd-2024-11-04-first-fire"]).startswith("4–5 Nov: ")
    assert operations.label_text(groups["ops-ru-2025-12-13-explosives"]).startswith("13 Dec: Russia: over 1.5 million")


def test_chart_title_counts_months_from_the_shared_facts(ledger):
    head = operations.headline(ledger)
    first = facts.first_combat(ledger.claims)
    captured = facts.first_surviving_prisoners(ledger.claims)
    assert head["first_combat"]["claim_id"] == first["claim_id"]
    assert head["captured"]["claim_id"] == captured["claim_id"]
    assert head["months_to_sudzha"] == operations.months_between(first["as_of"], ledger.claim(operations.SUDZHA)["as_of"])
    assert operations.months_between(first["as_of"], first["as_of"]) == 0
    title = operations.chart_title(ledger)
    assert "Sudzha" in title and "prisoners" in title
    assert not re.search(r"\d", title), "the title's numbers are words computed from the ledger"


def test_alt_text_on_the_page_is_the_one_computed_from_the_chart_data(ledger, book_html):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((book_html / "chapters" / "operations.html").read_text(encoding="utf-8"), "html.parser")
    svg = page.select_one("figure#fig-operations-campaign svg[aria-label]")
    assert svg is not None
    assert " ".join(svg["aria-label"].split()) == " ".join(operations.alt_text(ledger).split())


def test_shared_facts_are_glued_from_facts_not_from_claim_ids():
    for name in ("first_combat_on", "mass_assaults_on", "first_capture_on", "first_surviving_prisoners_on",
                 "first_wave_sent", "combat_troops_sent", "later_engineers", "later_builders"):
        assert f"{{glue:md}}`{name}:myst`" in SOURCE, f"{name} is not glued from nkreport.report.facts"
    for fact_claim in ("timeline_ua_ccd_2024_11_04_first_fire", "nkcas_nis_2024_12_27_captured",
                       "troops_nis_2025_04_30", "troops_msmt_2025_05_29_sent"):
        assert f"`{fact_claim}:myst`" not in SOURCE


def test_casualty_figures_are_left_to_the_casualties_chapter(ledger):
    casualty_ids = set(ledger.claims.loc[ledger.claims["topic"] == "nk_casualties", "claim_id"])
    used = glued_claim_ids(ledger) & casualty_ids
    assert used <= CASUALTY_FIGURES_USED, f"casualty figures repeated here: {sorted(used - CASUALTY_FIGURES_USED)}"
    assert "{ref}`ch-casualties`" in SOURCE


def test_every_weak_claim_the_prose_uses_is_called_weak(ledger):
    weak = set(ledger.claims.loc[facts.is_weak(ledger.claims), "claim_id"])
    for paragraph in paragraphs():
        names = re.findall(r"\{glue:md\}`([^`:]+)", paragraph)
        for name in names:
            claim_id = re.sub(r"_(bare|date|on|cite)$", "", name).replace("_", "-")
            if claim_id in weak:
                assert "weak" in paragraph.lower(), f"{claim_id} is used without saying its source is weak"


def test_chapter_opens_with_findings_and_ends_with_what_remains_uncertain():
    body = re.sub(r"```.*?```", "", SOURCE.split("\n# ", 1)[1], flags=re.S)
    opening = body.split("\n## ")[0]
    assert re.search(r"\{glue:md\}`nkcas_ukmod_2025_06_15:myst`", opening), "the opening states no figure"
    assert "most likely" in opening, "the opening's judgements carry no caution"
    headings = re.findall(r"^## (.+)$", SOURCE, flags=re.M)
    assert headings[-1] == "What remains uncertain"
    assert "{ref}`sec-caveats`" in SOURCE.split("## What remains uncertain")[1]


def test_chart_files_are_written_for_slides(book_html):
    svg, png = ROOT / "figures" / "fig-operations-campaign.svg", ROOT / "figures" / "fig-operations-campaign.png"
    assert "<svg" in svg.read_text(encoding="utf-8")[:500]
    with Image.open(png) as image:
        assert image.width >= 1800 and image.mode in ("RGB", "RGBA")


def test_prisoners_section_gives_their_wish_and_seouls_position_with_citations(page):
    section = page.find(id="the-prisoners-and-their-fate")
    assert section is not None, "no section on the prisoners"
    text = section.get_text(" ")
    for words in ("South Korea", "Seoul", "Kyiv", "Pyongyang"):
        assert words in text
    assert len(section.select("span.bibtex-citation a")) >= 8, "the prisoners' case is not cited event by event"


def test_every_marker_links_to_the_claim_it_stands_for(ledger):
    from nkreport.report.export import linked_claims, svg_bytes

    fig = operations.campaign_figure(ledger)
    linked = linked_claims(svg_bytes(fig, links=True))
    assert sorted(linked) == sorted(operations.campaign_events(ledger)["claim_id"])
