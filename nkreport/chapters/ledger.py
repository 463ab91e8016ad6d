"""The claims ledger page (chapters/ledger.md): every claim in one HTML table, searchable and sortable offline.

The table is plain HTML; _static/ledger.js filters and sorts it in the browser. Every text
from the data is HTML-escaped, so a note that looks like markup is shown, never run.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

import pandas as pd

from ..data.ledger import Ledger
from ..report.text import KIND_LABELS, date_text, figure_text, measure_label

# The ledger topics chapters/ledger.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = None

COLUMNS = ("Date", "Claimed", "Topic", "What is claimed", "Figure", "Unit", "Claimant", "Kind", "Source", "Checked",
           "Note", "Claim id")


def _source_links(keys: str, urls: str) -> str:
    links = []
    for key, url in zip(keys.split("; "), urls.split(" ")):
        host = urlsplit(url).netloc.removeprefix("www.")
        links.append(f'<a href="{escape(url)}" title="{escape(key)}">{escape(host)}</a>')
    return "<br>".join(links)


def _sort_value(row) -> str:
    for column in ("value", "value_low"):
        if pd.notna(row[column]):
            return f"{float(row[column]):g}"
    return ""


def _claimed_cell(row) -> str:
    """When the claimant made the claim; 'undated' where no page dates it."""
    if row["claimed_on_precision"] == "unknown":
        return '<td data-sort="">undated</td>'
    return f'<td data-sort="{row["claimed_on"]:%Y-%m-%d}">{date_text(row["claimed_on"], row["claimed_on_precision"])}</td>'


def _checked_cell(row) -> str:
    """The day the row was checked, linked to the page the check read."""
    return (f'<td data-sort="{row["checked_on"]:%Y-%m-%d}"><a href="{escape(row["checked_url"])}">'
            f'{date_text(row["checked_on"], "day")}</a></td>')


def ledger_table_html(ledger: Ledger) -> str:
    claims = ledger.claims.sort_values(["as_of", "claim_id"])
    head = "".join(f'<th scope="col"><button type="button">{c}</button></th>' for c in COLUMNS)
    rows = []
    for _, row in claims.iterrows():
        cells = [
            f'<td data-sort="{row["as_of"]:%Y-%m-%d}">{date_text(row["as_of"], row["as_of_precision"])}</td>',
            _claimed_cell(row),
            f"<td>{escape(row['topic'].replace('_', ' '))}</td>",
            f"<td>{escape(measure_label(row['measure']))}</td>",
            f'<td data-sort="{_sort_value(row)}">{escape(figure_text(row))}</td>',
            f"<td>{escape(row['unit'])}</td>",
            f'<td title="{escape(row["claimant_name"])}">{escape(row["claimant_short_name"])}</td>',
            f"<td>{KIND_LABELS[row['claim_kind']]}</td>",
            f"<td>{_source_links(row['source'], row['source_url'])}</td>",
            _checked_cell(row),
            f"<td>{escape(row['note'])}</td>",
            f'<td><code>{escape(row["claim_id"])}</code></td>',
        ]
        rows.append(f'<tr id="claim-{escape(row["claim_id"])}">' + "".join(cells) + "</tr>")
    return (
        '<div class="ledger-controls">'
        '<label for="ledger-search">Search the claims</label> '
        '<input type="search" id="ledger-search" placeholder="e.g. NIS troops 2025" autocomplete="off"> '
        f'<span id="ledger-count" aria-live="polite">{len(claims)} claims</span>'
        "</div>"
        '<div class="ledger-scroll"><table class="ledger-table">'
        f"<caption>Every claim in the ledger, oldest first. Select a column heading to sort.</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
