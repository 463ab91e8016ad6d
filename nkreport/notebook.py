"""What a chapter notebook calls: glue claims and charts into the page, show a claims table."""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from .ledger import Ledger
from .text import claims_table, date_text, figure_text


def glue_claim(ledger: Ledger, claim_id: str, name: str | None = None) -> None:
    """Glue one claim for the prose under `name` (default: the claim id with underscores).

    {glue:md}`name` gives the figure as it should be read ('at least 3,000'), wrapped in a span
    of class claim-<claim id> so tests can check the page against the ledger;
    {glue:md}`name_date` gives the date it refers to.
    """
    row = ledger.claim(claim_id)
    name = name or claim_id.replace("-", "_")
    glue(name, Markdown(f"[{figure_text(row)}]{{.claim .claim-{claim_id}}}"), display=False)
    glue(f"{name}_date", Markdown(date_text(row["as_of"], row["as_of_precision"])), display=False)


def glue_text(name: str, text: str) -> None:
    """Glue a computed phrase (a ratio, a count of claims) under `name`, in a span of class glued-<name>."""
    glue(name, Markdown(f"[{text}]{{.glued .glued-{name}}}"), display=False)


def glue_figure(name: str, fig) -> None:
    """Glue a chart for a {glue:figure} directive, and close it so it is not shown a second time."""
    glue(name, fig, display=False)
    plt.close(fig)


def show_claims_table(claims, **kwargs) -> None:
    display(Markdown(claims_table(claims, **kwargs)))
