"""The claims ledger page (chapters/ledger.md): every claim, searchable and sortable offline, at any size.

The page carries the claims as data, not as HTML: the first rows inline in the page, the rest in
script files the build writes beside it (nkreport/build/sphinxext/ledgerdata.py), which the page's
script (chapters/ledger.js) loads after the page has painted (script tags work over file://, where fetch()
does not). The script renders into a real table only the rows on screen, searches and sorts all of
them, and renders and scrolls to the row a `ledger.html#claim-<id>` link names. Every text from the
data reaches the page as data and is set with textContent, so a note that looks like markup is
shown, never run; the inline data is JSON with every `<` escaped, so it cannot close its script tag.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlsplit

import pandas as pd

from ..data.ledger import Ledger
from ..report.text import KIND_LABELS, date_text, figure_text, measure_label

# The ledger topics chapters/ledger.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = None

COLUMNS = ("Date", "Claimed", "Topic", "What is claimed", "Figure", "Unit", "Claimant", "Kind", "Note", "Source",
           "Checked", "Claim id")
# Rows inline in the page (what the first screen needs, and no more), then rows per data file.
FIRST_ROWS = 150
CHUNK_ROWS = 2000
# Where the build writes the data files, in the HTML output, and how the page names them.
DATA_FOLDER = "ledger-data"
PAGE_DOCNAME = "chapters/ledger"
# The page's script, chapters/ledger.js, which the build copies beside the page: not in _static,
# whose scripts every page of the book would load.
SCRIPT = "ledger.js"
# Each data file is one call of this function, which the page's script defines.
CHUNK_CALLBACK = "nkreportLedgerChunk"
# The fields of one row, in order (chapters/ledger.js reads them by these positions).
FIELDS = ("claim_id", "as_of_sort", "as_of", "claimed_sort", "claimed", "topic", "what", "figure_sort", "figure",
          "unit", "claimant", "claimant_name", "kind", "sources", "checked_sort", "checked", "checked_url", "note")


def _source_links(keys: str, urls: str) -> str:
    links = []
    for key, url in _sources(keys, urls):
        links.append(f'<a href="{escape(url)}" title="{escape(key)}">{escape(_host(url))}</a>')
    return "<br>".join(links)


def _sources(keys: str, urls: str) -> list[tuple[str, str]]:
    return list(zip(keys.split("; "), urls.split(" ")))


def _host(url: str) -> str:
    return urlsplit(url).netloc.removeprefix("www.")


def _sort_value(row) -> str:
    """The figure as a number the page's script reads back to the same text (20000000000, never 2e+10)."""
    for column in ("value", "value_low"):
        if pd.notna(row[column]):
            value = float(row[column])
            return str(int(value)) if value.is_integer() else repr(value)
    return ""


def _claimed_text(row) -> tuple[str, str]:
    """When the claimant made the claim, as (sort key, text); 'undated' where no page dates it."""
    if row["claimed_on_precision"] == "unknown":
        return "", "undated"
    return f"{row['claimed_on']:%Y-%m-%d}", date_text(row["claimed_on"], row["claimed_on_precision"])


def _claimed_cell(row) -> str:
    """When the claimant made the claim; 'undated' where no page dates it."""
    key, text = _claimed_text(row)
    return f'<td data-sort="{key}">{escape(text)}</td>'


def _checked_cell(row) -> str:
    """The day the row was checked, linked to the page the check read."""
    return (f'<td data-sort="{row["checked_on"]:%Y-%m-%d}"><a href="{escape(row["checked_url"])}">'
            f'{date_text(row["checked_on"], "day")}</a></td>')


def ordered_claims(ledger: Ledger) -> pd.DataFrame:
    """The claims in the ledger page's order: oldest first (by the date each refers to), then by id."""
    return ledger.claims.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def claim_record(row) -> list:
    """One claim as the ledger page's data: plain text and sort keys, positions as in FIELDS."""
    claimed_sort, claimed = _claimed_text(row)
    return [
        row["claim_id"],
        f"{row['as_of']:%Y-%m-%d}", date_text(row["as_of"], row["as_of_precision"]),
        claimed_sort, claimed,
        row["topic"].replace("_", " "),
        measure_label(row["measure"]),
        _sort_value(row), figure_text(row),
        row["unit"],
        row["claimant_short_name"], row["claimant_name"],
        KIND_LABELS[row["claim_kind"]],
        [[key, url, _host(url)] for key, url in _sources(row["source"], row["source_url"])],
        f"{row['checked_on']:%Y-%m-%d}", date_text(row["checked_on"], "day"), row["checked_url"],
        row["note"],
    ]


def ledger_records(ledger: Ledger) -> list[list]:
    """Every claim as the ledger page's data, in the page's order (rows as dicts: a Series per row
    took half the time at a hundred times the claims)."""
    return [claim_record(row) for row in ordered_claims(ledger).to_dict("records")]


def data_chunks(records: list[list]) -> list[list[list]]:
    """The rows after the inline ones, in data files of CHUNK_ROWS rows (numbered from 1)."""
    rest = records[FIRST_ROWS:]
    return [rest[i:i + CHUNK_ROWS] for i in range(0, len(rest), CHUNK_ROWS)]


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def chunk_file_name(number: int) -> str:
    return f"claims-{number:03d}.js"


def chunk_script(number: int, rows: list[list]) -> str:
    """The text of data file `number`: one call that hands its rows to the page's script."""
    return f"{CHUNK_CALLBACK}({number},{_json(rows)});\n"


def ledger_table_html(ledger: Ledger) -> str:
    """The ledger page's app: search box, live count, an empty table with sortable headings, and
    the first rows as inline data; the outer element has class ledger-app."""
    records = ledger_records(ledger)
    chunks = data_chunks(records)
    head = "".join(f'<th scope="col"><button type="button">{c}</button></th>' for c in COLUMNS)
    inline = _json(records[:FIRST_ROWS]).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'<div class="ledger-app" data-total="{len(records)}" data-chunks="{len(chunks)}" '
        f'data-chunk-base="../{DATA_FOLDER}/">'
        '<div class="ledger-controls">'
        '<label for="ledger-search">Search the claims</label> '
        '<input type="search" id="ledger-search" placeholder="e.g. NIS troops 2025" autocomplete="off"> '
        f'<span id="ledger-count" aria-live="polite">{len(records)} claims</span> '
        '<span class="ledger-loading"></span>'
        "</div>"
        '<p class="ledger-earlier" hidden><button type="button">Show earlier claims</button></p>'
        '<div class="ledger-scroll"><table class="ledger-table">'
        "<caption>Every claim in the ledger, oldest first. Select a column heading to sort.</caption>"
        f"<thead><tr>{head}</tr></thead><tbody></tbody></table></div>"
        '<p class="ledger-more" hidden><button type="button">Show more claims</button></p>'
        '<noscript><p>This table needs JavaScript; the same claims are in '
        '<a href="../data/claims.csv">claims.csv</a>.</p></noscript>'
        f'<script type="application/json" class="ledger-rows">{inline}</script>'
        f'<script src="{SCRIPT}"></script>'
        "</div>"
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
