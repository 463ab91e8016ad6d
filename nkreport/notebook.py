"""What a chapter notebook calls: glue claims and charts into the page, show a claims table."""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import SVG, Markdown, display
from myst_nb import glue

from . import charts
from .ledger import Ledger
from .text import cite, claims_table, date_text, figure_text


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
    for claim_id in claims["claim_id"]:
        glue_claim(ledger, claim_id)


def glue_text(name: str, text: str) -> None:
    """Glue a computed phrase (a ratio, a count of claims) under `name`, in a span of class glued-<name>."""
    glue(name, Markdown(f"[{text}]{{.glued .glued-{name}}}"), display=False)


def glue_figure(name: str, fig) -> None:
    """Glue a chart for a {glue:figure} directive as SVG: sharp at any zoom, the same bytes every build.

    Its text is set in an embedded subset of the font it was laid out with, so the chart looks
    the same whatever fonts the reader has (charts.page_svg_bytes). The figure is closed so it
    is not shown a second time.
    """
    glue(name, SVG(charts.page_svg_bytes(fig)), display=False)
    plt.close(fig)


def show_claims_table(claims, label: str, caption: str, columns: tuple[str, ...] | None = None) -> None:
    """Show claims as a numbered table that {numref}`label` can point to (column widths: _static/report.css)."""
    directive = f"```{{table}} {caption}\n:name: {label}\n:class: claims-table\n"
    table = claims_table(claims, columns) if columns else claims_table(claims)
    display(Markdown(f"{directive}\n{table}\n```"))
