"""The key judgments: traced to claims, figures from the claims, confidence within the rule."""

import re

import pandas as pd
import pytest

from nkreport.data.ledger import PLACEHOLDER
from nkreport.report import judgments
from nkreport.report.text import figure_text


def test_every_judgment_rests_on_claims_of_the_ledger(ledger):
    ids = set(ledger.claims["claim_id"])
    assert not ledger.judgments.empty
    for row in ledger.judgments.itertuples():
        assert set(row.claims.split("; ")) <= ids, row.judgment_id


def test_the_figures_of_a_statement_are_its_claims_figures(ledger):
    for row in ledger.judgments.itertuples():
        text = judgments.statement_markdown(ledger, row.statement)
        for kind, claim_id in PLACEHOLDER.findall(row.statement):
            if not kind:
                claim = ledger.claim(claim_id)
                figure = figure_text(claim).replace("$", "\\$")
                assert f"[{figure}]{{.claim .claim-{claim_id}}}" in text
        assert not re.search(r"\d", PLACEHOLDER.sub("", row.statement)), f"{row.judgment_id} types a figure"


def test_no_judgment_states_more_confidence_than_its_evidence_allows(ledger):
    assert judgments.overstated(ledger).empty, judgments.overstated(ledger).to_string()


def test_the_rule_lowers_confidence_for_weak_one_sided_or_old_evidence():
    base = {"claims": 4, "sources": 3, "non_party": True, "weak_only": False, "spread": 1.2, "age_days": 100,
            "newest": pd.Timestamp("2026-01-01")}
    assert judgments.allowed_confidence(base) == "high"
    assert judgments.allowed_confidence({**base, "sources": 2}) == "moderate"
    assert judgments.allowed_confidence({**base, "non_party": False, "sources": 1}) == "low"
    assert judgments.allowed_confidence({**base, "weak_only": True}) == "low"
    assert judgments.allowed_confidence({**base, "spread": 3.0}) == "moderate"
    assert judgments.allowed_confidence({**base, "spread": 5.0}) == "low"
    assert judgments.allowed_confidence({**base, "age_days": 800}) == "moderate"
    assert judgments.allowed_confidence({**base, "age_days": 2000}) == "low"


def test_an_overstated_judgment_is_caught_unless_it_gives_its_reason(ledger):
    row = ledger.judgments.iloc[0].copy()
    weak = ledger.claims[ledger.claims["weak_source"] == "yes"].iloc[0]
    row["claims"], row["confidence"], row["confidence_reason"] = weak["claim_id"], "high", ""
    broken = ledger.__class__(ledger.claims, ledger.claimants, ledger.sources, ledger.corrections,
                              pd.DataFrame([row]))
    assert list(judgments.overstated(broken)["judgment_id"]) == [row["judgment_id"]]
    row["confidence_reason"] = "a reason"
    excused = ledger.__class__(ledger.claims, ledger.claimants, ledger.sources, ledger.corrections,
                               pd.DataFrame([row]))
    assert judgments.overstated(excused).empty


def test_every_analytical_chapter_has_two_to_four_judgments(ledger):
    counts = ledger.judgments["chapter"].value_counts()
    for chapter in ("timeline", "troops", "shipments", "casualties", "vietnam", "response"):
        assert 2 <= counts.get(chapter, 0) <= 4, chapter


@pytest.mark.parametrize("chapter", ["timeline", "troops", "shipments", "casualties", "vietnam", "response"])
def test_each_chapter_opens_with_its_judgments_with_anchors(chapter, book_html, ledger):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((book_html / "chapters" / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
    block = page.select_one(".key-judgments")
    assert block is not None, f"{chapter} has no key judgments"
    for jid in ledger.judgments[ledger.judgments["chapter"] == chapter]["judgment_id"]:
        assert page.find(id=jid) is not None, jid
        assert jid in str(block) or block.find(id=jid) is not None or page.find(id=jid).find_parent(class_="key-judgments")


def test_the_front_page_collects_every_judgment_with_a_link(book_html, ledger):
    html = (book_html / "chapters" / "overview.html").read_text(encoding="utf-8")
    for row in ledger.judgments.itertuples():
        assert f"#{row.judgment_id}" in html, row.judgment_id
