"""The changelog page: what each edition changed, with the ledger's corrections claim by claim
(data/corrections.csv)."""

from __future__ import annotations

import pandas as pd

from ..data.ledger import Ledger
from ..report.text import escape_cell

# The ledger topics chapters/changelog.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = None


def edition_changes(ledger: Ledger, edition: str) -> pd.DataFrame:
    """The corrections of one edition, joined to the claims they concern."""
    corrections = ledger.corrections[ledger.corrections["edition"] == edition]
    return corrections.merge(ledger.claims[["claim_id", "topic", "claimant_short_name"]], on="claim_id", how="left")


def added_by_topic(ledger: Ledger, edition: str, labels: dict[str, str]) -> str:
    """A MyST table: how many claims the edition added, by topic."""
    added = edition_changes(ledger, edition)
    added = added[added["change"] == "added"]
    lines = ["| Topic | Claims added |", "|---|---:|"]
    for topic, n in added["topic"].value_counts().sort_index().items():
        lines.append(f"| {labels.get(topic, topic)} | {n} |")
    return "\n".join(lines)


def corrections_table(ledger: Ledger, edition: str) -> str:
    """A MyST table of every claim the edition's check corrected: the claim (linked to its ledger
    row), what changed, and why."""
    rows = edition_changes(ledger, edition)
    rows = rows[~rows["change"].isin(["added", "removed"])]
    lines = ["| Claim | Changed | What and why |", "|---|---|---|"]
    for row in rows.itertuples():
        # a plain HTML link: the ledger's rows are anchors of its HTML table, not headings
        link = f'<a href="ledger.html#claim-{row.claim_id}"><code>{row.claim_id}</code></a>'
        lines.append(f"| {link} | {escape_cell(row.change.replace('; ', ', '))} | {escape_cell(row.note)} |")
    return "\n".join(lines)
