"""The timeline chapter: the first troops' route and count, every dated event in order, the chart's data and layout."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import timeline
from pages import table_claim_ids
from nkreport.chapters import charts
from nkreport.report.export import plotted_rows
from nkreport.report.text import figure_text

FIRST_TROOPS = "troops-nis-2024-10-13-special-forces"
NAMED_ROWS = ("timeline-us-2024-10-23-confirmation", "timeline-nyt-2024-10-23-meetings",
              "timeline-nyt-2024-06-treaty", FIRST_TROOPS)


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "timeline.html").read_text(encoding="utf-8"), "html.parser")


def test_first_troops_route_and_count_are_shown_with_their_claimant(page, ledger):
    text = page.get_text(" ")
    for place in ("Vladivostok", "Ussuriysk", "Khabarovsk", "Blagoveshchensk"):
        assert place in text, f"{place} is not in the chapter"
    row = ledger.claim(FIRST_TROOPS)
    assert (row["value"], row["claimant"]) == (1500, "kr-nis")
    spans = page.select(f"span.claim-{FIRST_TROOPS}")
    assert spans and spans[0].get_text() == figure_text(row) == "1,500"
    paragraph = spans[0].find_parent("p").get_text(" ")
    assert "National Intelligence Service" in paragraph or "NIS" in paragraph, "the 1,500 is not attributed"
    assert "Vladivostok" in paragraph and "Blagoveshchensk" in paragraph


def test_table_lists_every_timeline_row_in_date_order(page, ledger):
    ids = table_claim_ids(page, "tbl-timeline-events")
    timeline_rows = set(ledger.claims.loc[ledger.claims["topic"] == "timeline", "claim_id"])
    assert timeline_rows <= set(ids), f"missing: {sorted(timeline_rows - set(ids))}"
    assert set(NAMED_ROWS) <= set(ids)
    dates = [ledger.claim(i)["as_of"] for i in ids]
    assert dates == sorted(dates), "the timeline table is not in date order"
    assert len(ids) == len(set(ids))


def test_chart_plots_exactly_the_table_rows(page, ledger):
    chart = charts()["fig-timeline"]
    plotted = chart.claims(ledger)
    assert list(plotted["claim_id"]) == table_claim_ids(page, "tbl-timeline-events")
    assert set(plotted_rows(chart, ledger)["claim_id"]) == set(plotted["claim_id"])
    assert set(plotted["claim_id"]) >= set(timeline.EXTRA_EVENTS) & set(ledger.claims["claim_id"])


def test_every_event_has_a_lane_and_a_label(ledger):
    events = timeline.timeline_events(ledger)
    unplaced = sorted(set(events["measure"]) - set(timeline.LANE_OF_MEASURE))
    assert not unplaced, f"measures with no lane in nkreport/chapters/timeline.py: {unplaced}"
    unlabelled = set(events["claim_id"]) - set(timeline.LABELS) - set(timeline.SHARED_LABEL)
    assert not unlabelled, f"events with no chart label: {sorted(unlabelled)}"
    groups = timeline.label_groups(events)
    assert sorted(r.claim_id for g in groups.values() for r in g) == sorted(events["claim_id"])


def test_labels_use_the_ledger_figures_and_dates(ledger):
    events = timeline.timeline_events(ledger)
    groups = timeline.label_groups(events)
    assert timeline.label_text(groups[FIRST_TROOPS]) == "8–13 Oct: NIS: 1,500 special forces shipped to Vladivostok, then inland"
    clash = groups["timeline-ua-ccd-2024-11-04-first-fire"]
    assert timeline.label_text(clash).startswith("4–5 Nov: ")
    assert timeline.label_text(groups["timeline-nyt-2025-01-30-pullback"]).startswith("Jan: ")


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


def test_time_scale_is_monotonic_and_marks_its_changes(ledger):
    events = timeline.timeline_events(ledger)
    scale = timeline.time_scale(events)
    days = pd.date_range(events["as_of"].min(), events["as_of"].max(), freq="D")
    positions = scale(days)
    assert (positions[1:] > positions[:-1]).all()
    assert len(scale.changes()) == 2
    # The stretched months are drawn larger per day than the months around them.
    per_day = [length / (end - start).days for start, end, length in scale.periods]
    assert per_day[1] > 2 * per_day[0] and per_day[1] > 2 * per_day[2]


def test_title_states_intervals_computed_from_the_ledger(ledger):
    head = timeline.headline(ledger)
    assert head["months_to_deployment"] == 13
    assert head["days_to_admission"] == (pd.Timestamp("2025-04-26") - pd.Timestamp("2024-10-10")).days
    fig = timeline.timeline_figure(ledger)
    assert f"{head['days_to_admission']} days" in fig.get_label()
    assert fig.get_size_inches()[0] == pytest.approx(7.6)
