"""The troop chapter's data and chart: estimates of North Korean soldiers in Russia, by claimant."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import figure_text, thousands

# The ledger topics chapters/troops.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("troops", "forces", "timeline")

# Each panel holds one kind of count, so no panel puts a force present at one time beside a
# cumulative total. Forecasts sit with the counts they anticipate.
PANELS = (
    ("Soldiers in Russia at the date, and forecasts of the force to come",
     ("nk_troops_in_russia", "nk_troops_near_ukraine_border", "nk_troops_expected")),
    ("Soldiers in the Kursk combat zone", ("nk_troops_in_kursk",)),
    ("Soldiers sent in total since October 2024", ("nk_troops_sent_total",)),
)
Y_MAX = 20_000
# Where the time axis changes scale: most claims fall in the weeks before it.
BREAK = "2024-12-20"


def plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the troop chart draws, in drawing order."""
    measures = [m for _, ms in PANELS for m in ms]
    claims = ledger.claims
    return claims[(claims["topic"] == "troops") & claims["measure"].isin(measures)].sort_values(
        ["as_of", "claim_id"]).reset_index(drop=True)


def headline(ledger: Ledger) -> dict:
    """The numbers the chart's title states, computed from the ledger."""
    claims = plotted_claims(ledger)
    present = claims[(claims["measure"] == "nk_troops_in_russia") & claims["value"].notna()
                     & (claims["claim_kind"] != "forecast")]
    first = present.iloc[0]
    total = claims[claims["measure"] == "nk_troops_sent_total"]
    top_total = total.loc[total["value"].astype(float).idxmax()] if not total.empty else None
    return {"first": first, "top_total": top_total, "as_of": claims["claimed_on"].max()}


def estimates_figure(ledger: Ledger):
    """Three kinds of count, one row each, over a time axis split so the first weeks can be read.

    Most claims fall in October and November 2024, so the left column widens those weeks and the
    right column shows the rest of the period; every claim is drawn in both and clipped to each.
    """
    claims = plotted_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    first, last = claims["claimed_on"].min(), max(claims["as_of"].max(), claims["claimed_on"].max())
    columns = (
        (first - pd.Timedelta(days=12), pd.Timestamp(BREAK), mdates.DayLocator(bymonthday=(1, 15)),
         mdates.DateFormatter("%-d %b\n%Y"), 2.5),
        (pd.Timestamp(BREAK) + pd.Timedelta(days=8), last + pd.Timedelta(days=20),
         mdates.MonthLocator(bymonth=(1, 4, 7, 10)), mdates.DateFormatter("%b\n%Y"), 0),
    )
    with plt.rc_context(charts.STYLE):
        fig = plt.figure(figsize=(7.6, 11.2))
        title = (f"From {thousands(head['first']['value'])} North Korean soldiers in "
                 f"{head['first']['as_of']:%B %Y}")
        if head["top_total"] is not None:
            top = head["top_total"]
            title += f" to {figure_text(top)} sent in total by {top['as_of']:%B %Y}"
        top_edge, bottom_edge = charts.add_provenance(
            fig, title,
            "Estimates of North Korean troops sent to Russia, by claimant. Each marker is one claim, "
            "at the date it refers to; claims of different claimants are never combined. "
            "The time axis changes scale at the dashed line.",
            f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography",
            head["as_of"],
        )
        grid = fig.add_gridspec(len(PANELS) + 1, 2, height_ratios=[3, 2, 2, 2.3],
                                width_ratios=[1.15, 1], wspace=0.06, hspace=0.42,
                                left=0.095, right=0.98, top=top_edge, bottom=bottom_edge)
        axes = [[None, None] for _ in PANELS]
        for r, (panel_title, measures) in enumerate(PANELS):
            rows = claims[claims["measure"].isin(measures)].reset_index(drop=True)
            for c, (left, right, locator, formatter, dodge_days) in enumerate(columns):
                ax = fig.add_subplot(grid[r, c], sharex=axes[0][c] if r else None,
                                     sharey=axes[r][0] if c else None)
                axes[r][c] = ax
                charts.draw_claims_over_time(ax, rows, styles, Y_MAX, x=charts.dodge(rows, dodge_days))
                ax.set_xlim(left, right)
                ax.xaxis.set_major_locator(locator)
                ax.xaxis.set_major_formatter(formatter)
                ax.tick_params(axis="x", labelbottom=r == len(PANELS) - 1, labelsize=8.5)
                if c == 1:
                    ax.spines["left"].set_linestyle((0, (3, 3)))
                    ax.tick_params(axis="y", left=False, labelleft=False)
            axes[r][0].set_title(panel_title, fontsize=10)
        charts.add_legends(fig.add_subplot(grid[len(PANELS), :]), claims, styles)
    return fig


FIGURES = [Chart("fig-troop-estimates", "chapters/troops.md", estimates_figure, plotted_claims)]
