"""What a chapter notebook calls: glue claims and charts into the page, show a claims table."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import SVG, Markdown, display
from myst_nb import glue

from ..data import Ledger
from . import patches
from .export import (FIGURES_DIR_VARIABLE, FIGURES_RECORD_VARIABLE, PNG_QUEUE_VARIABLE, page_svg, svg_bytes,
                     without_links, write_chart)
from .style import Chart
from .text import KIND_LABELS, cite, claims_table, date_text, figure_text, measure_label


def glue_claim(ledger: Ledger, claim_id: str, name: str | None = None) -> None:
    """Glue one claim for the prose under `name` (default: the claim id with underscores).

    {glue:md}`name` gives the figure as it should be read ('at least 3,000') followed by the
    citation of its source, so prose can never cite another source than the ledger does;
    {glue:md}`name_bare` the figure alone; {glue:md}`name_date` the date it refers to. The
    figure sits in a span of class claim-<claim id>, so tests can check the page against the ledger.
    """
    row = ledger.claim(claim_id)
    name = name or claim_id.replace("-", "_")
    figure = f"[{figure_text(row)}]{{.claim .claim-{claim_id}}}"
    glue(name, Markdown(f"{figure} {cite(row['source'])}"), display=False)
    glue(f"{name}_bare", Markdown(figure), display=False)
    glue(f"{name}_date", Markdown(date_text(row["as_of"], row["as_of_precision"])), display=False)


def glue_claims(ledger: Ledger, claims) -> None:
    """Glue every claim of a frame (see glue_claim)."""
    with _streams_flushed_once():
        for claim_id in claims["claim_id"]:
            glue_claim(ledger, claim_id)


@contextmanager
def _streams_flushed_once():
    """Send many glued outputs after one flush of stdout and stderr, not one flush each.

    ipykernel flushes both streams before every display message, so that printed text keeps
    its place among the outputs; each flush waits for the kernel's IO thread. Gluing prints
    nothing, so one flush before the batch keeps the order, and saves a wait per output
    (about a second of a build's CPU over its thousand-odd glued claims).
    """
    from IPython import get_ipython

    shell = get_ipython()
    publisher = getattr(shell, "display_pub", None)
    if publisher is None or not hasattr(publisher, "_flush_streams"):
        yield
        return
    patches.check("ipykernel ZMQDisplayPublisher._flush_streams", type(publisher)._flush_streams)
    publisher._flush_streams()
    publisher._flush_streams = lambda: None
    try:
        yield
    finally:
        del publisher._flush_streams  # the class's method again


def glue_text(name: str, text: str) -> None:
    """Glue a computed phrase (a ratio, a count of claims) under `name`, in a span of class glued-<name>."""
    glue(name, Markdown(f"[{text}]{{.glued .glued-{name}}}"), display=False)


def glue_chart(ledger: Ledger, chart: Chart) -> None:
    """Draw a chart and glue it for {glue:figure} under its label with underscores.

    The page shows the chart as SVG inline in its HTML, with real text in the book's chart font
    (export.page_svg). During a build the same SVG is also written to figures/, with the CSV of
    its rows and a PNG of the same figure (rasterised by the build while Sphinx renders, and only
    when the chart changed), so the page and the files can never differ and no chart is drawn
    twice; the characters its text uses are recorded for the font (nkreport.build.fonts).
    """
    label = chart.label
    fig = chart.draw(ledger)
    _plotted.update(chart.claims(ledger)["claim_id"])
    linked = svg_bytes(fig, links=True)
    markup, characters = page_svg(linked, label, claim_tips(chart.claims(ledger)))
    svg = without_links(linked)
    glue(label.replace("-", "_"), SVG(markup), display=False)
    out = os.environ.get(FIGURES_DIR_VARIABLE)
    if out:
        queue = os.environ.get(PNG_QUEUE_VARIABLE)
        entry = write_chart(fig, chart, ledger, Path(out), svg, Path(queue) if queue else None)
        with open(os.environ[FIGURES_RECORD_VARIABLE], "a", encoding="utf-8") as f:
            f.write(json.dumps({"figure": entry, "characters": characters}) + "\n")
    plt.close(fig)


def claim_tips(claims) -> dict[str, str]:
    """What a chart mark says about its claim: claimant, figure with its bound, date, kind."""
    tips = {}
    for row in claims.itertuples():
        if row.claim_kind == "denial":
            what = "denied"
        elif row.unit == "event":
            what = measure_label(row.measure)
        else:
            what = f"{figure_text(row)} {row.unit}"
        tips[row.claim_id] = (f"{row.claimant_short_name}: {what}, {date_text(row.as_of, row.as_of_precision)}"
                              f" ({KIND_LABELS[row.claim_kind]})")
    return tips


# A chapter page weighs what it plots, not what the ledger holds: a claims table longer than this
# lists only the claims the page's charts draw, and sends the reader to the claims ledger for the
# rest. No table of the real ledger is that long (tests/test_scale.py); a ledger ten times as long is.
TABLE_ROWS_LIMIT = 200
# The claims the charts glued on this page so far draw (a chapter's kernel runs one page).
_plotted: set[str] = set()


def table_rows(claims, plotted=None):
    """The rows a claims table lists, and how many it leaves to the claims ledger (see TABLE_ROWS_LIMIT)."""
    if len(claims) <= TABLE_ROWS_LIMIT:
        return claims, 0
    kept = claims[claims["claim_id"].isin(_plotted if plotted is None else plotted)]
    return kept, len(claims) - len(kept)


def show_claims_table(claims, label: str, caption: str, columns: tuple[str, ...] | None = None) -> None:
    """Show claims as a numbered table that {numref}`label` can point to (column widths: _static/report.css)."""
    rows, left = table_rows(claims)
    if left:
        caption += (f" Of its {len(claims):,} claims, the table lists the {len(rows):,} the charts on this page draw;"
                    f" the claims ledger has every one.")
    directive = f"```{{table}} {caption}\n:name: {label}\n:class: claims-table\n"
    table = claims_table(rows, columns) if columns else claims_table(rows)
    after = (f"\n\nThe other {left:,} claims of {{numref}}`{label}` are in {{ref}}`ch-ledger`, which searches and"
             " sorts all of them.") if left else ""
    display(Markdown(f"{directive}\n{table}\n```{after}"))


def show_judgments(ledger: Ledger, chapter: str) -> None:
    """Show the key judgments a chapter opens with (data/judgments.csv; see report.judgments)."""
    from .judgments import judgments_markdown

    block = judgments_markdown(ledger, chapter)
    if block:
        display(Markdown(block))


def figure_markdown(label: str, alt: str, caption: str) -> str:
    """A chart's {glue:figure} directive, written by the chapter's code so that its alt text is
    computed from the rows the chart draws (a directive's options cannot hold a glued value; the
    book renders Markdown output as MyST)."""
    alt = " ".join(alt.split())
    return f"```{{glue:figure}} {label.replace('-', '_')}\n:name: {label}\n:alt: {alt}\n\n{caption}\n```"
