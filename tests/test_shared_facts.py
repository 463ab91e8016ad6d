"""A fact that several pages state is stated the same on every page (nkreport/report/facts.py)."""

import pytest
from bs4 import BeautifulSoup

from nkreport.report import facts
from nkreport.report.text import figure_text

# Counts several pages give, by glue name, and what facts.counts calls them.
COUNTS = {"n_claims": "claims", "n_claimants": "claimants", "n_sources": "source_pages", "n_weak": "weak"}


@pytest.fixture(scope="module")
def pages(book_html):
    return {p.stem: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in (book_html / "chapters").glob("*.html")}


def test_every_page_that_counts_the_ledger_gives_the_same_counts(pages, ledger):
    counts = facts.counts(ledger)
    stated = {}
    for name, key in COUNTS.items():
        for page, soup in pages.items():
            for span in soup.select(f"span.glued-{name}"):
                stated.setdefault(name, {})[page] = span.get_text()
        assert stated.get(name), f"no page states {name}"
        expected = f"{counts[key]:,}"
        assert set(stated[name].values()) == {expected}, (name, stated[name])
    # the counts the front page gives are given by at least one other page too
    assert len(stated["n_claims"]) >= 3 and len(stated["n_sources"]) >= 2


@pytest.mark.parametrize("fact", ["first_combat", "mass_assaults_begin", "first_capture", "first_surviving_prisoners",
                                  "first_nis_death_estimate", "combat_troops_sent", "first_wave_sent"])
def test_a_shared_first_or_total_reads_the_same_wherever_it_appears(fact, pages, ledger):
    row = getattr(facts, fact)(ledger.claims)
    shown = {page: {s.get_text() for s in soup.select(f"span.claim-{row['claim_id']}")} for page, soup in pages.items()}
    shown = {page: texts for page, texts in shown.items() if texts}
    if row["unit"] == "event":
        return  # an event has no figure; its date comes from the same row wherever it is glued
    assert shown, f"{fact} ({row['claim_id']}) appears on no page"
    assert all(texts == {figure_text(row)} for texts in shown.values()), shown
