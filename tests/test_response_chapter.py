"""The response chapter: every response and every denial in its table and chart, kinds kept apart."""

import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import response
from pages import table_claim_ids
from nkreport.chapters import charts
from nkreport.report.export import plotted_rows


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "response.html").read_text(encoding="utf-8"), "html.parser")


def test_table_lists_every_response_and_every_denial(page, ledger):
    ids = table_claim_ids(page, "tbl-response-events")
    claims = ledger.claims
    responses = set(claims.loc[claims["topic"] == "response", "claim_id"])
    denials = set(claims.loc[claims["claim_kind"] == "denial", "claim_id"])
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


def test_every_response_has_a_known_actor(ledger):
    events = response.response_events(ledger)
    actors = {response.actor_of(r) for r in events.itertuples()}
    assert actors == set(response.ACTORS), f"unexpected lanes: {sorted(actors - set(response.ACTORS))}"


def test_denials_are_crosses_and_nonconfirmations_are_not(ledger):
    events = response.response_events(ledger)
    kinds = {r.claim_id: response.kind_of(r) for r in events.itertuples()}
    for row in events.itertuples():
        if row.claim_kind == "denial":
            assert kinds[row.claim_id] == "denial", row.claim_id
        elif row.measure.endswith("_nonconfirmation"):
            assert kinds[row.claim_id] == "neither", row.claim_id
        elif row.measure == "deployment_acknowledged":
            assert kinds[row.claim_id] == "admission", row.claim_id
    nonconfirmations = events[events["measure"].str.endswith("_nonconfirmation")]
    assert len(nonconfirmations) == 3 and set(nonconfirmations["claim_kind"]) == {"official_statement"}
    assert response.KINDS["denial"][1] == "x"
    assert response.KINDS["admission"][1] != response.KINDS["statement"][1]


def test_moscow_and_pyongyang_deny_before_they_admit(ledger):
    events = response.response_events(ledger)
    for country in ("Russia", "North Korea"):
        rows = events[events["claimant_country"] == country]
        last_denial = rows.loc[rows["claim_kind"] == "denial", "as_of"].max()
        admission = rows.loc[rows["measure"] == "deployment_acknowledged", "as_of"].min()
        assert last_denial < admission and admission.year == 2025 and admission.month == 4


def test_chapter_states_seouls_phased_response_and_the_admission(page, ledger):
    text = " ".join(page.get_text(" ").split())
    for phrase in ("phased measures", "non-lethal", "option under review", "neither confirm nor deny"):
        assert phrase in text, phrase
    assert "26 Apr 2025" in text and "28 Apr 2025" in text
    head = response.headline(ledger)
    assert head["quick"] == ["South Korea", "United States", "EU"]
    assert "South Korea, the United States and the EU responded within a week" in text
