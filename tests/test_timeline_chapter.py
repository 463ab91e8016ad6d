"""The timeline chapter: every dated event in order, its firsts from the shared facts, the chart's data and layout."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import timeline
from pages import table_claim_ids
from nkreport.chapters import charts
from nkreport.report import facts
from nkreport.report.export import plotted_rows
from nkreport.report.text import figure_text

FIRST_TROOPS = timeline.FIRST_TROOPS
NAMED_ROWS = ("timeline-us-2024-10-23-confirmation", "timeline-nyt-2024-10-23-meetings",
              "timeline-nyt-2024-06-treaty", FIRST_TROOPS)


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "timeline.html").read_text(encoding="utf-8"), "html.parser")


# --- The page (needs the built book) ----------------------------------------------------------

def test_first_troop_count_is_shown_with_its_claimant(page, ledger):
    row = ledger.claim(FIRST_TROOPS)
    assert (row["value"], row["claimant"]) == (1500, "kr-nis")
    spans = page.select(f"span.claim-{FIRST_TROOPS}")
    assert spans and spans[0].get_text() == figure_text(row) == "1,500"
    paragraph = spans[0].find_parent("p").get_text(" ")
    assert "NIS" in paragraph and "Vladivostok" in paragraph, "the 1,500 is not attributed or placed"


def test_the_nis_disclosure_is_not_called_the_first_confirmation(page):
    text = " ".join(page.get_text(" ").split())
    assert "first official confirmation by any government" not in text
    assert "first summit to the first troop ship" not in text
    assert "the only North Korean death toll" not in text


def test_firsts_are_the_shared_facts(page, ledger):
    """The first capture, the first prisoners who survived and the NIS's first death estimate are
    the rows nkreport/report/facts.py picks, glued with their figures."""
    claims = ledger.claims
    for row in (facts.first_capture(claims), facts.first_surviving_prisoners(claims),
                facts.first_nis_death_estimate(claims)):
        spans = page.select(f"span.claim-{row['claim_id']}")
        assert spans, f"{row['claim_id']} is not stated in the chapter"
        assert spans[0].get_text() == figure_text(row)
    memorial = page.select("span.claim-nkcas-kp-2025-08-22-memorial")
    assert memorial and memorial[0].get_text() == "101", "Pyongyang's named dead are missing"


def test_the_chapter_ends_with_what_remains_uncertain(page):
    titles = [h.get_text(" ", strip=True).rstrip("#").strip() for h in page.select("section > h2")]
    assert titles[-1] == "What remains uncertain"
    assert any(t.startswith("Assaults, losses and prisoners") for t in titles)


def test_table_lists_every_timeline_row_in_date_order(page, ledger):
    ids = table_claim_ids(page, "tbl-timeline-events")
    timeline_rows = set(ledger.claims.loc[ledger.claims["topic"] == "timeline", "claim_id"])
    assert timeline_rows <= set(ids), f"missing: {sorted(timeline_rows - set(ids))}"
    assert set(NAMED_ROWS) <= set(ids)
    dates = [ledger.claim(i)["as_of"] for i in ids]
    assert dates == sorted(dates), "the timeline table is not in date order"
    assert len(ids) == len(set(ids))


def test_chart_plots_the_table_rows_less_those_left_to_the_table(page, ledger):
    chart = charts()["fig-timeline"]
    plotted = chart.claims(ledger)
    table = table_claim_ids(page, "tbl-timeline-events")
    assert list(plotted["claim_id"]) == [c for c in table if c not in timeline.TABLE_ONLY]
    assert set(plotted_rows(chart, ledger)["claim_id"]) == set(plotted["claim_id"])


# --- The data and the chart (no build needed) ------------------------------------------------

def test_every_charted_event_has_a_lane_and_a_label(ledger):
    events = timeline.chart_events(ledger)
    unplaced = sorted(set(events["measure"]) - set(timeline.LANE_OF_MEASURE))
    assert not unplaced, f"measures with no lane in nkreport/chapters/timeline.py: {unplaced}"
    unlabelled = set(events["claim_id"]) - set(timeline.LABELS) - set(timeline.SHARED_LABEL)
    assert not unlabelled, f"events with no chart label: {sorted(unlabelled)}"
    groups = timeline.label_groups(events)
    assert sorted(r.claim_id for g in groups.values() for r in g) == sorted(events["claim_id"])
    orphans = {c: p for c, p in timeline.SHARED_LABEL.items()
               if c in set(events["claim_id"]) and p not in set(events["claim_id"])}
    assert not orphans, f"rows sharing the label of a row the chart does not draw: {orphans}"


def test_chart_stays_legible_with_about_sixty_events(ledger):
    table, shown = timeline.timeline_events(ledger), timeline.chart_events(ledger)
    assert 50 <= len(shown) <= 65, f"the chart draws {len(shown)} events"
    assert len(timeline.label_groups(shown)) <= 50
    left_out = set(table["claim_id"]) - set(shown["claim_id"])
    assert left_out == set(timeline.TABLE_ONLY) & set(table["claim_id"])


def test_labels_use_the_ledger_figures_and_dates(ledger):
    events = timeline.chart_events(ledger)
    groups = timeline.label_groups(events)
    disclosed = ledger.claim("timeline-kr-nis-2024-10-18-disclosure")["as_of"]
    assert timeline.label_text(groups[FIRST_TROOPS]) == (
        f"8–13 Oct: NIS: {figure_text(ledger.claim(FIRST_TROOPS))} special forces shipped to "
        f"Vladivostok, made public {disclosed.day} {disclosed:%b}")
    assert timeline.label_text(groups["timeline-ua-ccd-2024-11-04-first-fire"]).startswith("4–5 Nov: ")
    assert timeline.label_text(groups["timeline-ru-2024-10-24-duma"]).startswith("24 Oct–11 Nov: ")
    assert timeline.label_text(groups["timeline-nyt-2025-01-30-pullback"]).startswith("Jan: ")
    wall = figure_text(ledger.claim("nkcas-kp-2025-08-22-memorial"))
    assert f"{wall} dead" in timeline.label_text(groups["timeline-kp-2025-08-22-awards"])


def test_labels_of_weak_claims_say_so(ledger):
    events = timeline.chart_events(ledger)
    for primary, group in timeline.label_groups(events).items():
        weak = any(r.weak_source == "yes" for r in group)
        assert timeline.label_text(group).endswith("(weak source)") == weak, primary


def test_shared_labels_stay_in_the_lane_of_their_row(ledger):
    events = timeline.chart_events(ledger)
    lanes = timeline.lanes_of(events)
    for primary, group in timeline.label_groups(events).items():
        assert {lanes[r.claim_id] for r in group} == {lanes[primary]}


def test_firsts_come_from_the_shared_facts(ledger):
    claims = ledger.claims
    events = timeline.timeline_events(ledger)
    first_summit = facts.first_kim_putin_summit(claims)
    assert "first summit" in timeline.LABELS[first_summit["claim_id"]]
    assert facts.first_nis_death_estimate(claims)["claim_id"] in set(events["claim_id"])
    stated = timeline.shared_facts(ledger)
    assert stated["first_capture"]["claim_id"] == facts.first_capture(claims)["claim_id"]
    assert stated["first_surviving_prisoners"]["claim_id"] == facts.first_surviving_prisoners(claims)["claim_id"]
    # The chart's capture rows fall on the days the shared facts give.
    assert ledger.claim("timeline-kr-nis-2024-12-27-first-capture")["as_of"] == facts.first_capture(claims)["as_of"]
    assert (ledger.claim("timeline-ua-president-2025-01-11-prisoners")["as_of"]
            == facts.first_surviving_prisoners(claims)["as_of"])


@pytest.mark.parametrize("crowd", [
    [1.0, 1.01, 1.02, 1.03, 1.04],
    [0.0, 0.0, 0.05, 9.9, 9.95, 10.0],
    [5.0, 2.0, 2.1, 7.0, 2.05],
])
def test_labels_never_overlap_and_keep_the_order_of_events(crowd):
    heights = [0.3 + 0.1 * (i % 2) for i in range(len(crowd))]
    centres = timeline.place_labels(crowd, heights, 0.0, 10.0, gap=0.04)
    spans = sorted(zip(crowd, centres, heights))
    for (_, c1, h1), (_, c2, h2) in zip(spans, spans[1:]):
        assert c2 - h2 / 2 >= c1 + h1 / 2 + 0.04 - 1e-9, "two labels overlap"
    assert all(0.0 - 1e-9 <= c - h / 2 and c + h / 2 <= 10.0 + 1e-9 for _, c, h in spans)


def test_time_scale_cuts_the_empty_years_and_stretches_the_deployment(ledger):
    events = timeline.chart_events(ledger)
    scale = timeline.time_scale(events)
    # Every event falls inside a period of the axis, and time runs one way within and across them.
    for day in events["as_of"]:
        assert any(start <= day < end for start, end, _ in scale.periods), day
    inside = [d for start, end, _ in scale.periods for d in pd.date_range(start, end - pd.Timedelta(days=1))]
    positions = scale(inside)
    assert (positions[1:] > positions[:-1]).all()
    # One break: the years between the first summit and the next event are left out.
    (_, first_out, last_out), = scale.breaks()
    first_summit = facts.first_kim_putin_summit(ledger.claims)["as_of"]
    assert first_out > first_summit and not ((events["as_of"] >= first_out) & (events["as_of"] <= last_out)).any()
    assert (last_out - first_out).days > timeline.CUT_OUT_DAYS
    assert len(scale.changes()) == 3
    # The stretched months are drawn larger per day than the months around them.
    per_day = {start: length / (end - start).days for start, end, length in scale.periods}
    stretch = per_day[timeline.STRETCH_START]
    assert all(stretch > 2 * v for s, v in per_day.items() if s != timeline.STRETCH_START)


def test_time_scale_keeps_one_gap_for_every_join():
    """The response chapter's axis gives one gap for all joins; ours, one per join."""
    days = [pd.Timestamp(d) for d in ("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01")]
    same = timeline.TimeScale(((days[0], days[1], 1.0), (days[2], days[3], 1.0)), gap=0.5)
    own = timeline.TimeScale(((days[0], days[1], 1.0), (days[2], days[3], 1.0)), gap=(0.5,))
    assert same.length == own.length == 2.5 and same.changes() == own.changes() == [1.25]


def test_title_counts_from_the_summit_before_the_troops(ledger):
    head = timeline.headline(ledger)
    assert head["first_summit"] == facts.first_kim_putin_summit(ledger.claims)["as_of"]
    assert head["summit"] == ledger.claim("timeline-ru-2023-09-13-vostochny")["as_of"]
    assert head["summit_number"] == 2
    assert head["months_to_deployment"] == 13
    assert head["days_to_admission"] == (pd.Timestamp("2025-04-26") - pd.Timestamp("2024-10-10")).days
    fig = timeline.timeline_figure(ledger)
    title = fig.get_label()
    assert "second summit" in title and f"{head['days_to_admission']} days" in title
    assert fig.get_size_inches()[0] == pytest.approx(7.6)
