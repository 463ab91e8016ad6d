"""What a chapter notebook calls: glue claims and charts into the page, show a claims table.

In the book's build these calls only glue: the page places every number and chart. Run in Jupyter
(outside the build, see in_build) the same calls also show their work under the cell: each chart,
the figures glued for the prose, and tables written for Jupyter's Markdown (jupyter_markdown);
explore() redraws a chapter's charts for a reader's choice of claimants and dates.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import SVG, Image, Markdown, display
from myst_nb import glue

from ..data import Ledger
from . import patches
from .export import (FIGURES_DIR_VARIABLE, FIGURES_RECORD_VARIABLE, PNG_QUEUE_VARIABLE, linked_claims, page_svg,
                     svg_bytes, without_links, write_chart)
from .style import STYLE, Chart
from .text import KIND_LABELS, cite, claims_table, date_text, escape_cell, figure_text, measure_label


# Set by a build that renders the book's pages without writing chart files (the benchmark's plain
# `jupyter-book build`), so that its pages are the book's pages.
BOOK_PAGE_VARIABLE = "NKREPORT_BOOK_PAGE"


# Set by the book's build for each chapter it runs (nkreport.build.execute): a file that names, one
# a line, the glue keys the chapter's page refers to. The calls that glue many claims at once
# (glue_claims, and the chapters' glue_events and glue_citations) then glue only the claims the page
# names, so that a chapter's work and its notebook grow with what its page says, not with the
# ledger: a ledger a hundred times as long made them glue tens of thousands of values no page
# shows. Outside the build (Jupyter, a plain `jupyter-book build`) every claim is glued.
GLUE_KEYS_VARIABLE = "NKREPORT_GLUE_KEYS"
_page_keys: dict[str, frozenset[str]] = {}


def page_glue_keys() -> frozenset[str] | None:
    """The glue keys this chapter's page refers to (see GLUE_KEYS_VARIABLE), or None if not known."""
    path = os.environ.get(GLUE_KEYS_VARIABLE)
    if not path:
        return None
    if path not in _page_keys:
        _page_keys[path] = frozenset(Path(path).read_text(encoding="utf-8").split())
    return _page_keys[path]


def page_refers_to(*names: str) -> bool:
    """Whether the page refers to any of these glue keys (always true when that is not known)."""
    keys = page_glue_keys()
    return keys is None or any(name in keys for name in names)


def in_build() -> bool:
    """Whether the book's build (or its one-chapter preview) runs this notebook: both tell the
    chapter where to write its charts. Outside them, in Jupyter, the chapter shows its work."""
    return bool(os.environ.get(FIGURES_DIR_VARIABLE) or os.environ.get(BOOK_PAGE_VARIABLE))


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
    if not in_build():
        shown = figure_text(row) or measure_label(row["measure"])  # an event has no figure but what happened
        _glued_in_cell.append((name, shown, f"{row['claimant_short_name']}, "
                               f"{date_text(row['as_of'], row['as_of_precision'])} (`{claim_id}`)"))


def glue_claims(ledger: Ledger, claims) -> None:
    """Glue every claim of a frame that the page refers to (see glue_claim and GLUE_KEYS_VARIABLE)."""
    with _streams_flushed_once():
        for claim_id in claims["claim_id"]:
            name = claim_id.replace("-", "_")
            if page_refers_to(name, f"{name}_bare", f"{name}_date"):
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
    if not in_build():
        _glued_in_cell.append((name, text, "computed by the chapter"))


def glue_chart(ledger: Ledger, chart: Chart) -> None:
    """Draw a chart and glue it for {glue:figure} under its label with underscores.

    The page shows the chart as SVG inline in its HTML, with real text in the book's chart font
    (export.page_svg). During a build the same SVG is also written to figures/, with the CSV of
    its rows and a PNG of the same figure (rasterised by the build while Sphinx renders, and only
    when the chart changed), and the chart drawn again by its own code for a 16:9 slide (only when
    it changed: export.slide_key), so the page and the files can never differ and no chart is drawn
    twice; the characters its text uses are recorded for the font (nkreport.build.fonts).
    """
    label = chart.label
    fig = chart.draw(ledger)
    rows = chart.claims(ledger)
    _plotted.update(rows["claim_id"])
    linked = svg_bytes(fig, links=True)
    # Tips for the marks that link to a claim only: a chart that counts claims draws the whole ledger.
    marked = rows[rows["claim_id"].isin(set(linked_claims(linked)))]
    markup, characters = page_svg(linked, label, claim_tips(marked))
    svg = without_links(linked)
    glue(label.replace("-", "_"), SVG(markup), display=False)
    out = os.environ.get(FIGURES_DIR_VARIABLE)
    if out:
        queue = os.environ.get(PNG_QUEUE_VARIABLE)
        entry = write_chart(fig, chart, ledger, Path(out), svg, Path(queue) if queue else None)
        with open(os.environ[FIGURES_RECORD_VARIABLE], "a", encoding="utf-8") as f:
            f.write(json.dumps({"figure": entry, "characters": characters}) + "\n")
    else:
        _show_chart(fig, label, linked_claims(linked))
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


# --- In Jupyter, outside the build: show the work ------------------------------------------------

_glued_in_cell: list[tuple[str, str, str]] = []  # (glue name, figure as read, where it comes from)


def _show_chart(fig, label: str, claim_ids: list[str]) -> None:
    """Show a drawn chart under its cell as a PNG, noting the chart and the claims its marks link to."""
    buffer = io.BytesIO()
    with plt.rc_context(STYLE):
        fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    display(Image(data=buffer.getvalue(), format="png",
                  metadata={"nkreport": {"label": label, "claims": list(dict.fromkeys(claim_ids))}}))


def _show_glued(*_) -> None:
    """After a cell: one table of the figures it glued for the prose, under their glue names."""
    if not _glued_in_cell:
        return
    lines = [f"Glued by this cell for the prose, which names each ({len(_glued_in_cell)} figures):", "",
             "| glue name | figure | from |", "|---|---|---|"]
    lines += [f"| `{name}` | {escape_cell(text)} | {where} |" for name, text, where in _glued_in_cell]
    _glued_in_cell.clear()
    display(Markdown("\n".join(lines)))


# A directive: its fence, name, argument, options (":name: value" lines), body and closing fence.
_FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}[ \t]*([^\n]*)\n((?::[\w-]+:[^\n]*\n)*)\n?(.*?)^\1[ \t]*$",
                    re.M | re.S)
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_SPAN = re.compile(r"(?<!\\)\[([^\]]*)\]\{\.[^}]*\}")
_LABEL = re.compile(r"^\([\w-]+\)=[ \t]*\n?", re.M)


def _directive(match: re.Match) -> str:
    name, argument, body = match.group(2), match.group(3).strip(), match.group(5)
    if name in ("glue:figure", "figure"):  # the chart itself is shown by glue_chart
        return f"*{body.strip()}*\n"
    if name == "code-block":
        return f"```{argument}\n{body}```\n"
    heading = argument if name in ("table", "admonition") else f"{name}: {argument}"
    return f"**{heading}**\n\n{body}"


def _role(match: re.Match) -> str:
    name, content = match.groups()
    if name.startswith("cite"):
        return "[" + ", ".join(k.strip() for k in content.split(",")) + "]"
    target = re.fullmatch(r"(.*?)\s*<([^>]*)>", content)
    return target.group(1) if target else content


def jupyter_markdown(text: str) -> str:
    """MyST Markdown as Jupyter's Markdown shows it: directives become their caption (bold) and
    body, roles their text, citations their keys in brackets; spans and labels, which only the
    book uses, are dropped."""
    while True:
        text, n = _FENCE.subn(_directive, text)
        if not n:
            break
    text = _SPAN.sub(r"\1", _LABEL.sub("", text))
    return _ROLE.sub(_role, text)


def _show_work_in_jupyter() -> None:
    """Outside the build, in IPython: Markdown displays are written for Jupyter, and every cell
    ends with the figures it glued. The build's kernel never does this (it starts with the build's
    variables set), so the published pages do not change."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or in_build() or getattr(shell, "_nkreport_shows_work", False):
        return
    shell._nkreport_shows_work = True
    shell.display_formatter.formatters["text/markdown"].for_type(Markdown, lambda md: jupyter_markdown(md.data))
    shell.events.register("pre_run_cell", lambda *_: _glued_in_cell.clear())
    shell.events.register("post_run_cell", _show_glued)


_show_work_in_jupyter()


# --- explore: a chapter's charts redrawn for a reader's settings ---------------------------------

def _chart_rows(ledger: Ledger, charts) -> pd.DataFrame:
    return pd.concat([chart.claims(ledger) for chart in charts]).drop_duplicates("claim_id")


def _claimant_choices(rows: pd.DataFrame) -> str:
    names = rows.drop_duplicates("claimant").sort_values("claimant")
    return ", ".join(f"'{r.claimant}' ({r.claimant_short_name})" for r in names.itertuples())


def _day(value, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a date; write it as '2025-01-31'") from None


def explore_settings(ledger: Ledger, charts, claimants=None, since=None, until=None):
    """Check a reader's settings against the claims the charts draw; return the test a claim must
    pass to be drawn (a function of a frame of claims), or None if nothing is filtered. Errors say
    which settings are possible."""
    if claimants is None and since is None and until is None:
        return None
    rows = _chart_rows(ledger, charts)
    chosen = [claimants] if isinstance(claimants, str) else list(claimants) if claimants is not None else None
    if chosen is not None:
        if not chosen:
            raise ValueError("claimants=[] leaves nothing to draw; give claimant ids, or None for all")
        for claimant in chosen:
            if claimant not in set(rows["claimant"]):
                why = (f"this chapter's charts draw no claim of '{claimant}'"
                       if claimant in set(ledger.claimants["claimant_id"])
                       else f"'{claimant}' is not a claimant id of data/claimants.csv")
                raise ValueError(f"{why}; the claimants they draw are {_claimant_choices(rows)}")
    start, end = _day(since, "since"), _day(until, "until")
    if start is not None and end is not None and start > end:
        raise ValueError(f"since ({start:%Y-%m-%d}) is after until ({end:%Y-%m-%d})")

    def keep(claims: pd.DataFrame) -> pd.Series:
        passes = pd.Series(True, index=claims.index)
        if chosen is not None:
            passes &= claims["claimant"].isin(chosen)
        if start is not None:
            passes &= claims["as_of"] >= start
        if end is not None:
            passes &= claims["as_of"] <= end
        return passes

    if not keep(rows).any():
        raise ValueError(f"no claim the charts draw passes these settings; their claims refer to dates from "
                         f"{rows['as_of'].min():%Y-%m-%d} to {rows['as_of'].max():%Y-%m-%d}, by "
                         f"{_claimant_choices(rows)}")
    return keep


@contextmanager
def _drawing_only(chart: Chart, keep):
    """While a chart is drawn, its module's claims function (Chart.claims) returns only the claims
    that pass `keep`. A chart takes its marks from that function and its title, scale and the
    chapter's rules from the whole ledger, so this filters what is drawn and nothing the chapter
    states; explore checks the marks afterwards, since not every chart reads its marks that way."""
    module = sys.modules[chart.claims.__module__]
    name = chart.claims.__name__
    original = chart.claims
    if getattr(module, name, None) is not original:
        yield
        return
    setattr(module, name, lambda ledger: (lambda rows: rows[keep(rows)].reset_index(drop=True))(original(ledger)))
    try:
        yield
    finally:
        setattr(module, name, original)


def _without_left_out(ledger: Ledger, chart: Chart, keep) -> Ledger:
    """The ledger less the claims the chart would draw that fail `keep`, until it draws none such:
    for a chart that picks its marks from the ledger itself (each place's first claim, say), so
    that it picks among the claims the settings keep. No claim it would not draw is removed."""
    for _ in range(len(ledger.claims)):
        rows = chart.claims(ledger)
        out = set(rows.loc[~keep(rows), "claim_id"])
        if not out:
            break
        ledger = dataclasses.replace(ledger, claims=ledger.claims[~ledger.claims["claim_id"].isin(out)]
                                     .reset_index(drop=True))
    return ledger


def _outside(ledger: Ledger, fig, keep) -> tuple[list[str], list[str]]:
    """The claims a drawn chart's marks link to, and those of them that fail `keep`."""
    drawn = list(dict.fromkeys(linked_claims(svg_bytes(fig, links=True))))
    claims = ledger.claims[ledger.claims["claim_id"].isin(drawn)]
    return drawn, sorted(claims.loc[~keep(claims), "claim_id"])


def redraw(ledger: Ledger, chart: Chart, keep):
    """The chart drawn with only the claims that pass `keep`; returns (figure, claim ids its marks
    link to). Fails with a sentence if the chart cannot be drawn so, or draws a claim outside them."""
    where = f"{chart.draw.__module__}.{chart.draw.__qualname__}"
    try:
        with _drawing_only(chart, keep):
            fig = chart.draw(ledger)
        drawn, outside = _outside(ledger, fig, keep)
        if outside:
            plt.close(fig)
            fig = chart.draw(_without_left_out(ledger, chart, keep))
            drawn, outside = _outside(ledger, fig, keep)
    except Exception as err:  # the chart's own rule, with these settings, is the reader's answer
        raise ValueError(f"{chart.label} cannot be drawn for these settings: {where} needs claims they "
                         f"leave out ({type(err).__name__}: {err}); choose more claimants or a wider window") from err
    if outside:
        plt.close(fig)
        raise ValueError(f"{chart.label} cannot be drawn for these settings: {where} still draws claims "
                         f"outside them ({', '.join(outside[:5])}{', ...' if len(outside) > 5 else ''})")
    return fig, drawn


def explore(ledger: Ledger, charts, claimants=None, since=None, until=None) -> None:
    """Redraw a chapter's charts (its module's FIGURES) in Jupyter for a reader's settings: only
    the claims of `claimants` (claimant ids, as in data/claimants.csv), only claims that refer to
    dates from `since` to `until` (inclusive, '2025-01-31'). With no settings, list the choices.
    The chapter's figures and rules are unchanged; only the marks are filtered. In the build this
    checks the settings and draws nothing."""
    keep = explore_settings(ledger, charts, claimants, since, until)
    if in_build():
        return
    rows = _chart_rows(ledger, charts)
    if keep is None:
        drawers = ", ".join(f"`{c.label}` by `{c.draw.__module__}.{c.draw.__qualname__}`" for c in charts)
        display(Markdown(f"Charts: {drawers}. They draw {len(rows)} claims that refer to dates from "
                         f"{rows['as_of'].min():%Y-%m-%d} to {rows['as_of'].max():%Y-%m-%d}, by these claimants: "
                         f"{_claimant_choices(rows)}. Set `claimants`, `since` or `until` and run the cell "
                         "to redraw them."))
        return
    settings = ", ".join(f"{k}={v!r}" for k, v in (("claimants", claimants), ("since", since), ("until", until))
                         if v is not None)
    for chart in charts:
        fig, drawn = redraw(ledger, chart, keep)
        every = chart.claims(ledger)
        # a chart whose marks link to no claim (counts of claims) is drawn from those that pass
        shown = ledger.claims[ledger.claims["claim_id"].isin(drawn or every.loc[keep(every), "claim_id"])]
        display(Markdown(f"**{chart.label}** redrawn by `{chart.draw.__module__}.{chart.draw.__qualname__}` "
                         f"for {settings}: {len(shown)} of the {len(every)} claims it draws, by "
                         f"{', '.join(sorted(shown['claimant_short_name'].unique()))}."))
        _show_chart(fig, chart.label, drawn)
        plt.close(fig)
