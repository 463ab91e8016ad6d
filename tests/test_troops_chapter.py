"""The troop chapter: the seed's troop figures, the arithmetic that sets those present against those
sent, the chart's rows and title, the tables (tests/test_chapters.py checks what every chapter promises)."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from nkreport import load
from nkreport.chapters import troops
from nkreport.report import facts
from nkreport.report.text import figure_text, thousands

ROOT = Path(__file__).resolve().parent.parent
SEED = "nyt2024whatweknow"


@pytest.fixture(scope="module")
def chapter_ledger():
    """The ledger as the chapter loads it: only the topics it declares."""
    return load(topics=troops.TOPICS)


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "troops.html").read_text(encoding="utf-8"), "html.parser")


# --- What the chapter concludes, from the ledger alone ---------------------------------------------

def test_every_troop_claim_has_a_row_in_the_chart(chapter_ledger):
    claims = chapter_ledger.claims
    troop_claims = claims[claims["topic"] == "troops"]
    plotted = troops.plotted_claims(chapter_ledger)
    missing = set(troop_claims["claim_id"]) - set(plotted["claim_id"])
    assert not missing, f"troop claims of a measure the chart has no row for: {sorted(missing)}"
    assert troops.panel_of(plotted).notna().all()


def test_chart_rows_keep_kinds_of_count_apart(chapter_ledger):
    plotted = troops.plotted_claims(chapter_ledger)
    rows = plotted.assign(panel=troops.panel_of(plotted))
    present = rows[rows["measure"].isin(troops.PRESENT)]
    assert set(present["panel"]) <= {"russia", "front"}, "a count at one time sits in another row"
    assert set(rows.loc[rows["measure"] == "nk_troops_sent_total", "panel"]) == {"sent"}
    forecasts = rows[rows["claim_kind"] == "forecast"]
    assert set(forecasts["panel"]) <= {"expected", "roles"}, "a forecast sits among counts"
    assert set(rows.loc[rows["measure"] == "nk_builders_in_russia", "panel"]) == {"roles"}


def test_chart_title_states_the_later_roles_and_the_newest_count(chapter_ledger):
    claims = chapter_ledger.claims
    title = troops.chart_title(chapter_ledger)
    later = facts.later_deployments(claims)
    for row in (facts.combat_troops_sent(claims), later["engineers"], later["builders"]):
        assert figure_text(row) in title, (row["claim_id"], title)
    newest = troops.newest_present(claims)
    assert not facts.is_weak(newest.to_frame().T).iloc[0], "a weak claim headlines the chart"
    assert figure_text(newest) in title and f"{newest['as_of']:%b %Y}" in title
    assert "sent in total by" not in title, "the title treats the two combat waves as the end"


def test_the_service_s_own_figures_are_combined_and_no_one_else_s(chapter_ledger):
    rec = troops.reconciliation(chapter_ledger.claims)
    rows = [rec[k] for k in ("sent", "killed", "home", "border", "engineers", "builders")]
    assert {r["claimant"] for r in rows} == {"kr-nis"}
    assert rec["left"] == rec["sent"]["value"] - rec["killed"]["value"] - rec["home"]["value"]
    assert rec["gap"] >= 0, "the NIS counts more near the border than it has left of those it sent"
    assert rec["border"]["as_of"] == rec["builders"]["as_of"], "groups of different dates added as one force"
    with pytest.raises(ValueError, match="never added"):
        troops.sum_text([rec["sent"], facts.first_wave_sent(chapter_ledger.claims)])


def test_the_third_deployment_is_the_engineers_and_builders_together(chapter_ledger):
    """The chapter says the engineers and builders the NIS counted are together the size of the
    third deployment it announced."""
    claims = chapter_ledger.claims
    rec = troops.reconciliation(claims)
    third = chapter_ledger.claim("troops-nis-2025-09-02-third-wave")
    assert rec["engineers"]["value"] + rec["builders"]["value"] == third["value"]


def test_the_largest_force_at_one_time_is_the_nis_border_and_builders_count(chapter_ledger):
    """The chapter describes the largest force at one time as soldiers near the border and builders,
    and calls it more than the Pentagon's count of November 2024."""
    claims = chapter_ledger.claims
    largest = troops.largest_present(claims)
    assert {r["measure"] for r in largest["parts"]} == {"nk_troops_near_ukraine_border", "nk_builders_in_russia"}
    assert largest["total"] == troops.reconciliation(claims)["present"]
    pentagon = chapter_ledger.claim("troops-pentagon-2024-11-04-russia")
    assert largest["total"] > troops.upper(pentagon)


def test_hur_s_arithmetic_leaves_its_newest_count(chapter_ledger):
    hur = troops.hur_series(chapter_ledger.claims)
    assert hur["left"] == hur["after"]["value"], "the chapter says HUR's figures leave its newest count"
    assert {hur[k]["claimant"] for k in ("before", "after", "home")} == {"ua-hur"}


def test_the_two_waves_agree_with_the_nis_total(chapter_ledger):
    claims = chapter_ledger.claims
    msmt = [facts.first_wave_sent(claims), chapter_ledger.claim("troops-msmt-2025-05-29-reinforcements")]
    assert troops.sum_text(msmt).startswith(msmt[0]["qualifier"]), "the sum lost the claimant's floor"
    assert sum(float(r["value"]) for r in msmt) <= facts.combat_troops_sent(claims)["value"]


def test_the_october_gap_is_measured_from_the_first_count(chapter_ledger):
    claims = chapter_ledger.claims
    rise = troops.october_rise(claims)
    assert rise["first"]["claim_id"] == "troops-nis-2024-10-13-special-forces", "the prose names this first count"
    assert 0 < rise["share"] <= 1
    band = troops.november_band(claims)
    assert set(band["countries"]) == {"South Korea", "United States", "Ukraine"}


def test_forecasts_no_count_came_near_are_the_three_the_chapter_names(chapter_ledger):
    ids = set(troops.unfulfilled_forecasts(chapter_ledger.claims)["claim_id"])
    assert ids == {"troops-zelensky-2024-11-19", "troops-zelensky-2025-02-reinforcements", "troops-hur-2025-07-02-cnn"}


def test_the_army_is_set_against_a_force_at_one_time(chapter_ledger):
    """A standing army is a force at one time: the share compares it with those present, never with
    the total sent."""
    rec = troops.reconciliation(chapter_ledger.claims)
    army = chapter_ledger.claim("forces-kr-mnd-2020")
    assert army["measure"] == "nk_active_military_personnel"
    assert {rec["border"]["measure"], rec["builders"]["measure"]} <= set(troops.PRESENT_PARTS)
    assert troops.share_text(rec["present"], army["value"]) != troops.share_text(rec["all_sent"], army["value"])


# --- The built page ---------------------------------------------------------------------------

def test_seed_troop_figures_are_in_the_ledger_and_the_chapter(page, ledger):
    text = page.get_text(" ")
    seed = ledger.claims[ledger.claims["source"].str.contains(SEED)]
    # The first 1,500 are the NIS's own statement, which the ledger cites to other pages, not the seed.
    expected = [  # (figure, claimant the article names, kind)
        (3000, "kr-nis", "estimate"),
        (10000, "kr-nis", "forecast"),
        (12000, "ua-president", "forecast"),
        (1200000, "nyt", "report"),
    ]
    for value, claimant, kind in expected:
        rows = seed[(seed["value"] == value) & (seed["claimant"] == claimant) & (seed["claim_kind"] == kind)]
        assert len(rows) == 1, f"the seed's {value} ({claimant}, {kind}) is not in the ledger once"
        assert thousands(value) in text, f"{thousands(value)} is not in the chapter"


def test_chapter_opens_with_its_conclusions(page, ledger):
    # The first paragraph of the chapter's own prose (the build puts the edition line above it).
    first = next(p for p in page.find("section").find_all("p", recursive=False)
                 if "edition-line" not in (p.get("class") or []))
    text = first.get_text(" ")
    assert figure_text(facts.combat_troops_sent(ledger.claims)) in text
    assert "first large-scale deployment of ground troops abroad" in " ".join(text.split())
    body = page.get_text(" ")
    assert "first major intervention" not in body
    assert "a total with a total" not in body, "a cumulative total is set against a standing army"


def test_chapter_ends_with_what_remains_uncertain(page):
    headings = [h.get_text(" ", strip=True).rstrip("#\u00b6").strip() for h in page.select("section h2")]
    assert headings and headings[-1] == "What remains uncertain", headings


def test_roles_table_lists_each_role_with_its_source(page, ledger):
    table = page.find("table", id="tbl-troop-roles")
    assert table is not None, "no table labelled tbl-troop-roles"
    rows = table.select("tbody tr")
    assert len(rows) == len(troops.role_rows(ledger.claims))
    assert all(r.select("span.bibtex-citation a") for r in rows), "a role has no citation"


def test_table_lists_every_troop_claim_with_its_source(page, ledger):
    table = page.find("table", id="tbl-troop-claims")
    assert table is not None, "no table labelled tbl-troop-claims"
    rows = table.select("tbody tr")
    troop_claims = ledger.claims[ledger.claims["topic"] == "troops"]
    assert len(rows) == len(troop_claims)
    figures = [[c.get_text(" ", strip=True) for c in r.select("td")] for r in rows]
    for claim in troops.plotted_claims(ledger).itertuples():
        assert any(figure_text(claim) in cells for cells in figures), claim.claim_id
    assert all(r.select("span.bibtex-citation a") for r in rows), "a row has no citation"


def test_chart_files_are_written_for_slides():
    svg, png = ROOT / "figures" / "fig-troop-estimates.svg", ROOT / "figures" / "fig-troop-estimates.png"
    assert "<svg" in svg.read_text(encoding="utf-8")[:500]
    with Image.open(png) as image:
        assert image.width >= 1800 and image.mode in ("RGB", "RGBA")


def test_chart_plots_only_the_troop_measures(ledger):
    plotted = troops.plotted_claims(ledger)
    assert set(plotted["topic"]) == {"troops"}
    assert set(troops.PANEL_OF_MEASURE) >= set(plotted["measure"])


def test_no_page_leaks_a_traceback_or_a_local_path(book_html):
    for path in book_html.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in text, path.name
        for local in ("/root/", "/tmp/", "/home/", str(ROOT)):
            assert local not in text, f"{path.name} shows the local path {local}"
