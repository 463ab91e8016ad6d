"""The shipments chapter: the seed's container count, the table of every claim, what each chart draws, conversions and weak sources (tests/test_chapters.py checks what every chapter promises)."""

import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import shipments
from pages import assert_table_lists
from nkreport.report.text import figure_text, thousands

SEED = "nyt2024whatweknow"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "shipments.html").read_text(encoding="utf-8"), "html.parser")


def test_seed_container_count_is_shown_with_its_claimant(page, ledger):
    seed = ledger.claims[ledger.claims["source"].str.contains(SEED) & (ledger.claims["topic"] == "shipments")]
    rows = seed[(seed["value"] == 13000) & (seed["measure"] == shipments.CONTAINERS)]
    assert len(rows) == 1, "the seed's 13,000 containers is not in the ledger once"
    row = rows.iloc[0]
    assert row["claim_id"] == shipments.SEED_CONTAINERS
    assert row["claimant"] == "kr-defence-officials" and row["bound"] == "floor"
    span = page.select_one(f"span.claim-{row['claim_id']}")
    assert span is not None and span.get_text() == "more than 13,000"
    paragraph = " ".join(span.find_parent("p").get_text(" ").split())
    claimant = row["claimant_name"].split(" (")[0]  # 'South Korean defence officials'
    assert claimant in paragraph and "since August 2023" in paragraph, "the seed figure lacks its claimant or start"


def test_denials_of_both_governments_are_in_the_chapter_and_the_chart(page, ledger):
    text = page.get_text(" ")
    assert "Moscow denied" in text and "Pyongyang" in text
    drawn = set(shipments.container_claims(ledger)["claim_id"])
    for claim_id in shipments.DENIALS:
        assert ledger.claim(claim_id)["claim_kind"] == "denial"
        assert claim_id in drawn, f"{claim_id} is not drawn"


def test_table_lists_every_shipments_claim_with_its_source(page, ledger):
    assert_table_lists(page, "tbl-shipment-claims", ledger.claims[ledger.claims["topic"] == "shipments"])


@pytest.mark.parametrize("label, measures", [
    ("fig-containers", {shipments.CONTAINERS, shipments.DENIAL_MEASURE}),
    ("fig-shells", {shipments.SHELLS}),
    ("fig-missiles-artillery", {m for _, ms in shipments.MISSILE_PANELS + shipments.ARTILLERY_PANELS for m in ms}),
])
def test_each_chart_lists_exactly_the_rows_it_draws(label, measures, ledger):
    chart = {c.label: c for c in shipments.FIGURES}[label]
    rows = chart.claims(ledger)
    assert set(rows["topic"]) == {"shipments"}
    claims = ledger.claims
    expected = claims[(claims["topic"] == "shipments") & claims["measure"].isin(measures)]
    assert set(rows["claim_id"]) == set(expected["claim_id"]) and len(rows) == len(expected)


def test_charts_draw_every_listed_row_and_leave_out_unlike_measures(ledger):
    drawn = set()
    for chart in shipments.FIGURES:
        drawn |= set(chart.claims(ledger)["claim_id"])
    claims = ledger.claims[ledger.claims["topic"] == "shipments"]
    left_out = set(claims["claim_id"]) - drawn
    # Occasions are not missiles, and a one-year shell figure is not a running total.
    assert left_out == set(claims[claims["measure"].isin(
        [shipments.LAUNCH_OCCASIONS, "nk_shells_to_russia_in_year"])]["claim_id"])


def test_chart_titles_state_findings_computed_from_the_ledger(ledger):
    first_containers = ledger.claim("ship-containers-whitehouse-2023-10-13")
    fig = shipments.containers_figure(ledger)
    assert figure_text(first_containers) in fig.get_label()
    # The weak 28,000 is drawn but is not the headline.
    assert thousands(float(ledger.claim("ship-containers-dia-2025-07-13")["value"])) not in fig.get_label()
    fig = shipments.shells_figure(ledger)
    n = len(shipments.CONVERTED_FROM_CONTAINERS) + len(shipments.CONVERTED_BY_WEIGHT)
    assert f"{n} of {len(shipments.shell_claims(ledger))} are conversions" in fig.get_label()


def test_every_running_total_has_a_start_and_every_conversion_its_container_count(ledger):
    claims = shipments.shipment_claims(ledger)
    totals = claims[claims["measure"].isin([shipments.CONTAINERS, shipments.SHELLS])]
    assert set(totals["claim_id"]) == set(shipments.COUNTED_FROM), "a total lacks its start date, or a stale id"
    for shell_id, container_id in shipments.CONVERTED_FROM_CONTAINERS.items():
        shell, containers = ledger.claim(shell_id), ledger.claim(container_id)
        assert shell["measure"] == shipments.SHELLS and containers["measure"] == shipments.CONTAINERS
        assert shell["claimant"] == containers["claimant"], "a conversion divides one claimant's shells by another's containers"
        assert "conversion" in shell["note"] or "converted" in shell["note"] or "worked out" in shell["note"]
        assert shipments.COUNTED_FROM[shell_id] == shipments.COUNTED_FROM[container_id]


def test_conversions_and_their_rates_are_shown(page, ledger):
    table = page.find("table", id="tbl-shipment-basis")
    assert table is not None, "no table labelled tbl-shipment-basis"
    text = table.get_text(" ")
    for shell_id in shipments.CONVERTED_FROM_CONTAINERS:
        rate = shipments.rounds_per_container(ledger, shell_id)
        assert f"about {rate} rounds a container" in text, shell_id
        assert page.select_one(f"span.glued-rate_{shell_id.removeprefix('ship-shells-').replace('-', '_')}").get_text() == rate
    assert shipments.rounds_per_container(ledger, "ship-shells-dia-2024-08-27") == "460"


def test_figures_resting_on_one_weak_source_are_flagged(page, ledger):
    claims = shipments.shipment_claims(ledger)
    weak = set(claims[shipments.is_weak(claims)]["claim_id"])
    assert {"ship-containers-dia-2025-07-13", "ship-shells-dia-2025-07-13", "ship-shells-hur-2024-11-30",
            "ship-artillery-hur-2024-11-30"} <= weak
    for claim_id in weak:
        span = page.select_one(f"span.claim-{claim_id}")
        assert span is not None, f"weak claim {claim_id} is not discussed in the prose"
        block = " ".join(span.find_parent(["li", "p"]).get_text(" ").split())
        assert "weak source" in block, f"{claim_id} is not flagged as resting on a weak source"
    rows = page.find("table", id="tbl-shipment-basis").select("tbody tr")
    flagged = [r for r in rows if r.select("td")[4].get_text(strip=True) == "yes"]
    assert len(flagged) == len(weak & set(shipments.COUNTED_FROM))


def test_baselines_that_differ_are_named_in_the_prose(page):
    text = " ".join(page.get_text(" ").split())
    for phrase in ("since mid-2022", "since August 2023", "since December 2023", "give no start date"):
        assert phrase in text, phrase


def test_chart_files_are_written_for_slides(tmp_path, ledger):
    from nkreport.report.export import save_figure
    for chart in shipments.FIGURES:
        svg, png = save_figure(chart.draw(ledger), chart.label, tmp_path)
        assert "<svg" in svg.read_text(encoding="utf-8")[:500]
        assert png.stat().st_size > 50_000
