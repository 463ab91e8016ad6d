"""The response chapter: every response in its table and chart, each actor in a lane, denials counted by what they are."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport import load
from nkreport.chapters import response
from pages import opening_paragraph, table_claim_ids
from nkreport.chapters import charts
from nkreport.report.export import plotted_rows


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "response.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def text(page):
    """The page's words, with the typographic quotes Sphinx sets turned back into plain ones."""
    words = " ".join(page.get_text(" ").split())
    return words.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def test_table_lists_every_response_and_every_denial_of_the_deployment(page, ledger):
    ids = table_claim_ids(page, "tbl-response-events")
    claims = ledger.claims
    responses = set(claims.loc[claims["topic"] == "response", "claim_id"])
    denials = set(claims.loc[(claims["claim_kind"] == "denial") & claims["measure"].isin(response.DENIED), "claim_id"])
    assert responses <= set(ids), f"missing responses: {sorted(responses - set(ids))}"
    assert denials <= set(ids), f"missing denials: {sorted(denials - set(ids))}"
    admissions = set(claims.loc[claims["measure"] == "deployment_acknowledged", "claim_id"])
    assert len(admissions) >= 2 and admissions <= set(ids)
    dates = [ledger.claim(i)["as_of"] for i in ids]
    assert dates == sorted(dates)


def test_chart_plots_exactly_the_table_rows(page, ledger):
    chart = charts()["fig-responses"]
    plotted = chart.claims(ledger)
    assert list(plotted["claim_id"]) == table_claim_ids(page, "tbl-response-events")
    assert set(plotted_rows(chart, ledger)["claim_id"]) == set(plotted["claim_id"])


def test_the_chapter_sees_the_same_responses_as_the_whole_ledger(ledger):
    """The chapter loads only its topics; what it draws must not depend on that."""
    mine = response.response_events(load(topics=response.TOPICS))
    assert list(mine["claim_id"]) == list(response.response_events(ledger)["claim_id"])


def test_every_response_measure_has_a_lane(ledger):
    claims = ledger.claims
    measures = set(claims.loc[claims["topic"] == "response", "measure"])
    missing = measures - set(response.ACTOR_OF_MEASURE)
    assert not missing, f"give these measures an actor in ACTOR_OF_MEASURE: {sorted(missing)}"
    assert set(response.ACTOR_OF_MEASURE.values()) <= set(response.ACTORS)


def test_every_response_has_a_known_actor(ledger):
    events = response.response_events(ledger)
    actors = {response.actor_of(r) for r in events.itertuples()}
    assert actors == set(response.ACTORS), f"unexpected lanes: {sorted(actors - set(response.ACTORS))}"
    for actor in ("China", "Japan", "G7", "NATO", "MSMT", "United Kingdom"):
        assert actor in actors, actor


def test_denials_are_counted_by_what_they_are(ledger):
    groups = response.denials(ledger)
    rows = groups["all"]
    assert len(rows) == len(groups["own_words"]) + len(groups["summarised"]) + len(groups["rejection"])
    # Moscow's and Pyongyang's own words, each on a date of its own.
    own = groups["own_words"]
    assert set(own["claimant_country"]) == {"Russia", "North Korea"}
    assert "troops-ru-denial-2024-10-10" in set(own["claim_id"])
    # One article's summary, dated to the article: not statements of that day.
    summarised = groups["summarised"]
    assert len(summarised) == 4 and summarised["as_of"].nunique() == 1
    assert all("article's date" in n for n in summarised["note"])
    assert set(summarised["claimant_country"]) == {"Russia", "North Korea"}
    # Ukraine's rejection of a Russian battlefield claim is no denial of the deployment.
    assert list(groups["rejection"]["claim_id"]) == ["response-ua-gs-2025-04-26-kursk-denial"]


def test_denials_are_bold_crosses_and_the_rest_are_not(ledger):
    events = response.with_actor_and_kind(response.response_events(ledger))
    kinds = dict(zip(events["claim_id"], events["kind"]))
    assert kinds["troops-ru-denial-2024-10-10"] == "denial"
    assert kinds["troops-ru-2024-10-23-denial"] == "denial_summarised"
    assert kinds["response-ua-gs-2025-04-26-kursk-denial"] == "rejection"
    nonconfirmations = events[events["measure"].str.endswith("_nonconfirmation")]
    assert len(nonconfirmations) == 3 and set(nonconfirmations["kind"]) == {"neither"}
    assert set(nonconfirmations["claim_kind"]) == {"official_statement"}
    assert set(events.loc[events["measure"] == "deployment_acknowledged", "kind"]) == {"admission"}
    assert response.KINDS["denial"][1] == response.KINDS["denial_summarised"][1] == "x"
    assert response.KINDS["denial"][2] > response.KINDS["denial_summarised"][2]
    assert response.KINDS["rejection"][1] != "x"
    assert set(events.loc[events["claim_id"].isin(response.SANCTIONS), "kind"]) == {"sanctions"}


def test_moscow_and_pyongyang_deny_before_they_admit(ledger):
    events = response.with_actor_and_kind(response.response_events(ledger))
    for country in ("Russia", "North Korea"):
        rows = events[events["claimant_country"] == country]
        last_denial = rows.loc[rows["claim_kind"] == "denial", "as_of"].max()
        admission = rows.loc[rows["measure"] == "deployment_acknowledged", "as_of"].min()
        praise = rows.loc[rows["kind"] == "admission", "as_of"].max()
        assert last_denial < admission <= praise and admission.year == 2025 and admission.month == 4


def test_the_busy_months_are_one_run_around_the_busiest(ledger):
    events = response.response_events(ledger)
    start, end = response.busy_months(events)
    months = events["as_of"].dt.to_period("M").value_counts()
    assert start <= months.idxmax().start_time < end
    inside = pd.period_range(start, end - pd.Timedelta(days=1), freq="M")
    assert all(months.get(m, 0) >= response.BUSY_MONTH for m in inside)


def test_title_and_alt_text_are_computed_from_the_rows_drawn(ledger):
    head = response.headline(ledger)
    title = response.chart_title(ledger)
    assert f"{head['first_admission']:%B %Y}" in title and f"{head['last_praise']:%B %Y}" in title
    alt = response.alt_text(ledger)
    events = response.with_actor_and_kind(response.response_events(ledger))
    for actor, n in events["actor"].value_counts().items():
        assert f"{response.LANE_LABELS.get(actor, actor)} ({n})" in alt, actor
    assert f"of the {len(events)} marks" in alt
    assert response.figure_markdown(ledger, "caption").count(":alt: ") == 1


def test_newest_by_actor_gives_each_actor_its_latest_response(ledger):
    latest = response.newest_by_actor(ledger)
    events = response.with_actor_and_kind(response.response_events(ledger))
    assert list(latest["actor"]) == [a for a in response.ACTORS if a in set(events["actor"])]
    for row in latest.itertuples():
        assert row.as_of == events.loc[events["actor"] == row.actor, "as_of"].max(), row.actor


def test_chart_shows_its_computed_alt_text(page, ledger):
    svg = page.select_one("figure#fig-responses svg[aria-label]")
    assert svg is not None
    assert " ".join(svg["aria-label"].split()) == " ".join(response.alt_text(ledger).split())


def test_chapter_opens_with_findings_and_ends_with_what_remains_uncertain(page, text):
    headings = [h.get_text(" ", strip=True).rstrip("#").strip() for h in page.select("section h2")]
    assert headings[-1] == "What remains uncertain"
    assert "The monitoring record" in headings
    first = opening_paragraph(page).get_text(" ")
    assert "sanctions" in first and "MSMT" in first


def test_chapter_counts_denials_for_what_they_are(text):
    assert "seven rows filed as denials, and they are not seven denials" in text
    assert "Only two are statements in the speakers' own words" in text
    assert "before the October 2024 deployment" in text
    assert "before any soldier moved" not in text


def test_chapter_does_not_repeat_the_timeline(page):
    """Rutte's confirmation and the count of days from denial to admission belong to the timeline
    (the tables may still quote the ledger's notes)."""
    prose = " ".join(p.get_text(" ") for p in page.select("section p") if not p.find_parent(["table", "figure"]))
    assert "Rutte" not in prose
    assert "days after the Kremlin" not in prose
    assert not page.select(".glued-days_denial_to_admission")
