"""The shipments chapter: every count read for its scope (start, route, contents, method), comparisons only of like with like, the multilateral anchor, a best range for shells with its basis, titles and alt text computed from the data, and every claim listed (tests/test_chapters.py checks what every chapter promises)."""

import dataclasses
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import shipments
from nkreport.report.text import figure_text, thousands
from pages import opening_paragraph, assert_table_lists

SEED = "nyt2024whatweknow"


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "shipments.html").read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").replace("\u2019", "'").split())


def with_claims(ledger, claims: pd.DataFrame):
    """The ledger with other claims: to check that what the chapter states follows the data."""
    return dataclasses.replace(ledger, claims=claims)


# --- Rules that read each count's scope from the ledger -----------------------------------------

def test_every_running_total_has_a_known_start_contents_route_and_method(ledger):
    rows = shipments.running_totals(ledger)
    starts = {shipments.USUAL_START, shipments.NOT_GIVEN, "mid-2022", "Dec 2023", "2023, month not given"}
    assert set(rows["start"]) <= starts, "a start date the chapter does not know how to read"
    assert set(rows["contents"]) <= {"containers", "shells", "shells and rockets", "shells, missiles and other arms"}
    methods = {"count of containers", shipments.BY_WEIGHT, shipments.FROM_CONTAINERS, shipments.REPORTED,
               shipments.MODEL, shipments.NO_METHOD}
    assert set(rows["method"]) <= methods
    assert set(rows["measure"]) == set(shipments.RUNNING_TOTALS), "a kind of running total has no claim"


@pytest.mark.parametrize("claim_id, start, contents, route, method", [
    ("ship-containers-whitehouse-2023-10-13", "Aug or Sep 2023", "containers", "all", "count of containers"),
    ("ship-containers-dia-2024-08-27", "mid-2022", "containers", "all", "count of containers"),
    ("ship-containers-us-un-2025-01-08", "Dec 2023", "containers", "all", "count of containers"),
    ("ship-containers-mnd-2024-06-14", "not given", "containers", "all", "count of containers"),
    ("ship-containers-reuters-osc-2025-03", "Aug or Sep 2023", "containers", "by sea only", "count of containers"),
    ("ship-containers-msmt-2025-05-29", "Aug or Sep 2023", "containers", "all", "count of containers"),
    ("ship-shells-nis-2023-11-01", "Aug or Sep 2023", "shells", "all", shipments.REPORTED),
    ("ship-shells-c4ads-2024-01", "Aug or Sep 2023", "shells", "all", shipments.BY_WEIGHT),
    ("ship-shells-dia-2024-08-27", "mid-2022", "shells", "all", shipments.FROM_CONTAINERS),
    ("ship-shells-us-un-2025-01-08", "Dec 2023", "shells", "all", shipments.NO_METHOD),
    ("ship-shells-reuters-osc-2025-03", "Aug or Sep 2023", "shells", "by sea only", shipments.FROM_CONTAINERS),
    ("ship-shells-nis-2024-10-18", "not given", "shells and rockets", "all", shipments.NO_METHOD),
    ("ship-shells-nis-2025-06-26", "not given", "shells, missiles and other arms", "all", shipments.NO_METHOD),
    ("ship-shells-fnf-2025-09", "2023, month not given", "shells", "all", shipments.MODEL),
])
def test_scope_rules_read_the_notes_as_a_reader_would(ledger, claim_id, start, contents, route, method):
    row = shipments.running_totals(ledger).set_index("claim_id").loc[claim_id]
    assert (row["start"], row["contents"], row["method"]) == (start, contents, method)
    assert row["route"].startswith(route)


def test_every_conversion_divides_a_claimants_shells_by_its_own_containers(ledger):
    found = shipments.conversions(ledger)
    assert len(found) >= 4
    for shell_id, container_id in found.items():
        shell, containers = ledger.claim(shell_id), ledger.claim(container_id)
        assert shell["measure"] in shipments.ROUND_TOTALS and containers["measure"] in shipments.CONTAINER_COUNTS
        assert shell["claimant"] == containers["claimant"], "a conversion divides one claimant's shells by another's containers"
        assert shell["as_of"] == containers["as_of"]
        assert re.search(r"conver|worked out|could hold", shell["note"])
        # A sea-only count converts to a sea-only total, never to one of all routes.
        assert shell["measure"].endswith("_by_sea") == containers["measure"].endswith("_by_sea")
    assert shipments.rounds_per_container(ledger, "ship-shells-dia-2024-08-27") == "460"


def test_the_one_year_figures_are_never_drawn_as_running_totals(ledger):
    totals = set(shipments.running_totals(ledger)["claim_id"])
    yearly = ledger.claims[ledger.claims["measure"].isin(shipments.YEARLY_ROUNDS)]
    assert not totals & set(yearly["claim_id"])
    assert {"ship-shells-msmt-2024", "ship-shells-zelensky-2024-12-02", "ship-shells-times-2024-10-04-rate"} <= set(yearly["claim_id"])


# --- Comparisons of like with like ----------------------------------------------------------------

def test_the_like_for_like_container_series_shares_one_scope(ledger):
    series = shipments.like_for_like_containers(ledger)
    assert set(series["start"]) == {shipments.USUAL_START}
    assert set(series["measure"]) == {shipments.CONTAINERS}, "a sea-only count is compared with all-route counts"
    assert "ship-containers-reuters-osc-2025-03" not in set(series["claim_id"])
    assert "ship-containers-dia-2024-08-27" not in set(series["claim_id"]), "a count from mid-2022 is in the series"


def test_the_multilateral_team_anchors_the_container_counts(ledger):
    anchor = shipments.anchor_containers(ledger)
    assert anchor["claim_id"] == "ship-containers-msmt-2025-05-29"
    assert anchor["weak_source"] != "yes"
    assert shipments.multilateral_states(ledger, "msmt") == 11


def test_each_shell_panel_holds_one_scope(ledger):
    rows = shipments.running_totals(ledger)
    shells = rows[rows["measure"] == shipments.SHELLS]
    assert set(shells["contents"]) == {"shells"}, "shells counted with rockets sit in the panel of shells alone"
    assert set(rows.loc[rows["measure"] == shipments.MUNITIONS, "contents"]) <= {"shells and rockets", "shells, missiles and other arms"}


def test_best_range_rests_on_strong_claims_of_the_right_scope(ledger):
    best = shipments.best_shell_range(ledger)
    low, high = best["low"], best["high"]
    totals = shipments.running_totals(ledger).set_index("claim_id")
    assert low["weak_source"] != "yes" and high["weak_source"] != "yes"
    assert totals.loc[low["claim_id"], "contents"] == "shells"
    assert totals.loc[low["claim_id"], "method"] not in shipments.CONVERSIONS
    assert low["claimant_role"] != "belligerent"
    assert high["measure"] == shipments.MUNITIONS
    assert shipments.lower_bound(low) < float(high["value"])
    # No strong, unconverted total of shells alone by a claimant not at war says more than the low end.
    rivals = totals[(totals["measure"] == shipments.SHELLS) & ~totals["method"].isin(shipments.CONVERSIONS)
                    & (totals["weak_source"] != "yes") & (totals["claimant_role"] != "belligerent")]
    assert all((shipments.lower_bound(r) or 0) <= shipments.lower_bound(low) for _, r in rivals.iterrows())


def test_missile_pause_is_read_from_the_ledger(ledger):
    pause = shipments.missile_pause(ledger)
    assert pause["last"]["claim_id"] == "ship-missiles-fired-pgo-2024-02-27"
    assert pause["resumed"]["measure"] == "nk_missile_use_resumed"
    assert pause["months"] == 5
    assert pause["later"]["weak_source"] != "yes" and pause["later"]["as_of"] > pause["resumed"]["as_of"]


def test_the_2023_summit_comes_after_the_first_shipments_began(ledger):
    summit = shipments.summit_before_shipments(ledger.claims)
    first = ledger.claim("ship-containers-whitehouse-2023-10-13")
    assert summit["as_of"] < first["as_of"] and summit["as_of"].year == 2023
    assert "before the 13 Sep summit" in first["note"], "the note no longer dates containers at Najin before the summit"


# --- Charts: what each draws, titles and alt text from the data -----------------------------------

@pytest.mark.parametrize("label, measures", [
    ("fig-containers", set(shipments.CONTAINER_COUNTS) | {shipments.DENIAL_MEASURE}),
    ("fig-shells", set(shipments.ROUND_TOTALS) | set(shipments.YEARLY_ROUNDS)),
    ("fig-missiles-artillery", {m for _, ms in shipments.MISSILE_PANELS + shipments.ARTILLERY_PANELS for m in ms}
     | set(shipments.MISSILE_EVENTS)),
])
def test_each_chart_lists_exactly_the_rows_it_draws(label, measures, ledger):
    chart = {c.label: c for c in shipments.FIGURES}[label]
    rows = chart.claims(ledger)
    assert set(rows["topic"]) == {"shipments"}
    claims = ledger.claims
    expected = claims[(claims["topic"] == "shipments") & claims["measure"].isin(measures)]
    if label == "fig-containers":  # of the arms-deal events, only the denials
        expected = expected[(expected["measure"] != shipments.DENIAL_MEASURE) | (expected["claim_kind"] == "denial")]
    assert set(rows["claim_id"]) == set(expected["claim_id"]) and len(rows) == len(expected)


def test_every_claim_is_charted_or_deliberately_left_out(ledger):
    drawn = set()
    for chart in shipments.FIGURES:
        drawn |= set(chart.claims(ledger)["claim_id"])
    claims = ledger.claims[ledger.claims["topic"] == "shipments"]
    left_out = claims[~claims["claim_id"].isin(drawn)]
    allowed = left_out["measure"].isin(shipments.NOT_CHARTED) | (
        (left_out["measure"] == shipments.DENIAL_MEASURE) & (left_out["claim_kind"] != "denial"))
    assert allowed.all(), f"not charted and not meant to be left out: {sorted(left_out.loc[~allowed, 'claim_id'])}"
    assert shipments.LAUNCH_OCCASIONS in set(left_out["measure"]), "launch occasions are drawn as missiles"


def test_chart_titles_state_findings_computed_from_the_ledger(ledger):
    fig = shipments.containers_figure(ledger)
    assert figure_text(ledger.claim("ship-containers-whitehouse-2023-10-13")) in fig.get_label()
    assert figure_text(ledger.claim("ship-containers-msmt-2025-05-29")) in fig.get_label()
    # The weak 28,000 is drawn but is not the headline.
    assert thousands(float(ledger.claim("ship-containers-dia-2025-07-13")["value"])) not in fig.get_label()
    fig = shipments.shells_figure(ledger)
    assert figure_text(shipments.best_shell_range(ledger)["low"]) in fig.get_label()
    assert thousands(float(ledger.claim("ship-shells-dia-2025-07-13")["value"])) not in fig.get_label()
    fig = shipments.weapons_figure(ledger)
    assert figure_text(ledger.claim("ship-missiles-fired-pgo-2024-02-27")) in fig.get_label()


def test_container_title_and_alt_text_follow_the_data(ledger):
    """'Not steadily' is stated only while a like-for-like count sits below an earlier one."""
    claims = ledger.claims.copy()
    assert shipments.lower_than_earlier(shipments.like_for_like_containers(ledger)), "the data have no dip any more"
    assert "not steadily" in shipments.containers_alt_text(ledger)
    assert "not every count higher" in shipments.containers_title(ledger)
    # Make the like-for-like series rise with every count: the words must change with it.
    series = set(shipments.like_for_like_containers(ledger)["claim_id"])
    rising = claims["claim_id"].isin(series)
    order = claims.loc[rising].sort_values(["as_of", "claim_id"]).index
    claims.loc[order, "value"] = [1000.0 * (n + 1) for n in range(len(order))]
    steady = with_claims(ledger, claims)
    assert shipments.lower_than_earlier(shipments.like_for_like_containers(steady)) == []
    assert "not steadily" not in shipments.containers_alt_text(steady)
    assert "each count higher than the last" in shipments.containers_title(steady)


def test_alt_texts_state_no_trend_by_hand(ledger):
    for label, alt in shipments.ALT_TEXTS.items():
        text = alt(ledger)
        assert len(text) > 200, label
        assert "steadily" not in text.replace("not steadily", ""), f"{label}: a trend typed by hand"


def test_chart_files_are_written_for_slides(tmp_path, ledger):
    from nkreport.report.export import save_figure
    for chart in shipments.FIGURES:
        svg, png = save_figure(chart.draw(ledger), chart.label, tmp_path)
        assert "<svg" in svg.read_text(encoding="utf-8")[:500]
        assert png.stat().st_size > 50_000


# --- The page ---------------------------------------------------------------------------------------

def test_chapter_opens_with_its_findings(page, ledger):
    first = opening_paragraph(page)
    opening = text_of(first)
    for claim_id in ("ship-containers-msmt-2025-05-29", "ship-shells-msmt-2024"):
        assert first.select_one(f"span.claim-{claim_id}") is not None, f"the opening lacks {claim_id}"
    best = shipments.best_shell_range(ledger)
    assert f"{thousands(shipments.lower_bound(best['low']))} to {thousands(float(best['high']['value']))}" in opening
    assert "most likely" in opening


def test_seed_container_count_is_shown_with_its_claimant(page, ledger):
    seed = ledger.claims[ledger.claims["source"].str.contains(SEED) & (ledger.claims["topic"] == "shipments")]
    rows = seed[(seed["value"] == 13000) & (seed["measure"] == shipments.CONTAINERS)]
    assert len(rows) == 1, "the seed's 13,000 containers is not in the ledger once"
    row = rows.iloc[0]
    assert row["claim_id"] == shipments.SEED_CONTAINERS
    assert row["claimant"] == "kr-defence-officials" and row["bound"] == "floor"
    span = page.select_one(f"span.claim-{row['claim_id']}")
    assert span is not None and span.get_text() == "more than 13,000"
    paragraph = text_of(span.find_parent("p"))
    claimant = row["claimant_name"].split(" (")[0]  # 'South Korean defence officials'
    assert claimant in paragraph and "since August 2023" in paragraph, "the seed figure lacks its claimant or start"


def test_denials_of_both_governments_are_in_the_chapter_and_the_chart(page, ledger):
    text = text_of(page)
    assert "Moscow and Pyongyang" in text and "denied" in text
    drawn = set(shipments.container_claims(ledger)["claim_id"])
    for claim_id in shipments.DENIALS:
        assert ledger.claim(claim_id)["claim_kind"] == "denial"
        assert claim_id in drawn, f"{claim_id} is not drawn"


def test_table_lists_every_shipments_claim_with_its_source(page, ledger):
    assert_table_lists(page, "tbl-shipment-claims", ledger.claims[ledger.claims["topic"] == "shipments"])


def test_basis_table_lists_every_running_total_with_its_scope(page, ledger):
    table = page.find("table", id="tbl-shipment-basis")
    assert table is not None, "no table labelled tbl-shipment-basis"
    rows = table.select("tbody tr")
    totals = shipments.running_totals(ledger)
    assert len(rows) == len(totals)
    text = text_of(table)
    for shell_id in shipments.conversions(ledger):
        rate = shipments.rounds_per_container(ledger, shell_id)
        assert f"about {rate} rounds a container" in text, shell_id
        assert page.select_one(f"span.glued-rate_{shell_id.removeprefix('ship-shells-').replace('-', '_')}").get_text() == rate
    assert "by sea only" in text and "shells and rockets" in text
    weak = totals[shipments.is_weak(totals)]
    assert text.count("rests on one weak source") == len(weak)


def test_figures_resting_on_one_weak_source_are_flagged(page, ledger):
    claims = shipments.shipment_claims(ledger)
    weak = set(claims[shipments.is_weak(claims)]["claim_id"])
    assert {"ship-containers-dia-2025-07-13", "ship-shells-dia-2025-07-13", "ship-shells-hur-2024-11-30",
            "ship-artillery-hur-2024-11-30", "ship-shells-nis-2024-10-18"} <= weak
    for claim_id in weak:
        span = page.select_one(f"span.claim-{claim_id}")
        assert span is not None, f"weak claim {claim_id} is not discussed in the prose"
        block = text_of(span.find_parent(["li", "p"]))
        assert "weak source" in block, f"{claim_id} is not flagged as resting on a weak source"


def test_baselines_that_differ_are_named_in_the_prose(page):
    text = text_of(page)
    for phrase in ("since mid-2022", "since August 2023", "since December 2023", "give no start date", "by sea"):
        assert phrase in text, phrase


def test_headings_claim_no_share_the_counts_do_not_bear_out(page):
    for heading in page.select("section h2, section h3"):
        words = set(re.findall(r"[a-z]+", heading.get_text().lower()))
        assert not words & {"most", "half", "many", "all"}, heading.get_text()


def test_charts_carry_their_computed_alt_text(page, ledger):
    for label, alt in shipments.ALT_TEXTS.items():
        svg = page.find("figure", id=label).find("svg")
        assert svg["aria-label"] == " ".join(alt(ledger).split()), label


def test_best_range_section_gives_its_basis_and_confidence(page, ledger):
    label = page.find(id="sec-shell-range")
    assert label is not None, "no section labelled sec-shell-range"
    section = label.find_parent("section")
    text = text_of(section)
    best = shipments.best_shell_range(ledger)
    for row in (best["low"], best["high"]):
        assert section.select_one(f"span.claim-{row['claim_id']}") is not None, row["claim_id"]
    assert text.count("Confidence:") == 2


def test_the_chapter_ends_with_what_remains_uncertain_and_sends_the_reverse_flow_to_returns(page):
    headings = [h.get_text(strip=True).rstrip("#") for h in page.select("section h2")]
    assert headings[-1].startswith("What remains uncertain"), headings
    links = {a["href"].split("#")[-1] for a in page.select("a.reference.internal[href]")}
    assert "ch-returns" in links and "sec-caveats" in links
