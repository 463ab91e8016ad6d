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


# The printed ledger (ledger_print_html): topics in the order the book's chapters take them up;
# a topic not named here follows, under its own name.
PRINT_TOPICS = {"timeline": "Timeline", "troops": "Troops", "forces": "Forces for comparison",
                "operations": "Operations", "nk_casualties": "North Korean losses",
                "ru_casualties": "Russian losses", "shipments": "Shipments", "returns": "Returns to North Korea",
                "vietnam": "The Vietnam era", "response": "Responses"}


def _print_figure(row) -> str:
    """The figure with its unit ('at least 3,000 soldiers'); an event's count has no unit to say."""
    figure = figure_text(row)
    if not figure or figure == "denied" or row["unit"] in ("event", "USD", "KRW"):
        return figure  # figure_text writes a currency before the number
    return f"{figure} {row['unit']}"


def _print_claim(row) -> str:
    claimed = ("undated" if row["claimed_on_precision"] == "unknown"
               else date_text(row["claimed_on"], row["claimed_on_precision"]))
    figure = _print_figure(row)
    what = escape(measure_label(row["measure"])) + (f": <strong>{escape(figure)}</strong>" if figure else "")
    hosts = ", ".join(f'<a href="{escape(url)}">{escape(urlsplit(url).netloc.removeprefix("www."))}</a>'
                      for url in row["source_url"].split(" "))
    return (f'<div class="ledger-print-claim" id="claim-{escape(row["claim_id"])}">'
            f'<p class="ledger-print-head"><strong>{date_text(row["as_of"], row["as_of_precision"])}</strong>'
            f' \u00b7 {escape(row["claimant_short_name"])} \u00b7 {KIND_LABELS[row["claim_kind"]]}: {what}</p>'
            f'<p class="ledger-print-note">{escape(row["note"])} <span class="ledger-print-meta">Claimed '
            f'{claimed} \u00b7 {hosts} \u00b7 <code>{escape(row["claim_id"])}</code></span></p></div>')


def ledger_print_html(ledger: Ledger) -> str:
    """Every claim laid out for paper (the book's PDF), as a catalogue: a section per topic, oldest
    claim first, and for each claim the date it refers to, claimant, kind, what is claimed and the
    figure, the note, when it was claimed, its source pages and its id."""
    order = ledger.claims["topic"].map({t: n for n, t in enumerate(PRINT_TOPICS)}).fillna(len(PRINT_TOPICS))
    claims = ledger.claims.assign(_order=order).sort_values(["_order", "topic", "as_of", "claim_id"])
    parts = ['<div class="ledger-print"><p class="ledger-print-intro">Every claim in the ledger, by topic, '
             "oldest first: the date it refers to, the claimant, the kind of claim, what is claimed and the "
             "figure; then the note, when the claim was made, the pages it was read on, and its id.</p>"]
    for topic, group in claims.groupby("topic", sort=False):
        title = PRINT_TOPICS.get(topic, topic.replace("_", " ").capitalize())
        parts.append(f'<section class="ledger-print-topic" id="ledger-print-{escape(topic)}">'
                     f'<h2>{escape(title)}: {len(group)} claim{"s" if len(group) != 1 else ""}</h2>'
                     + "".join(_print_claim(row) for _, row in group.iterrows()) + "</section>")
    parts.append("</div>")
    return "".join(parts)
