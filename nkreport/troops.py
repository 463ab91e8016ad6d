"""The troop chapter's data and chart: estimates of North Korean soldiers in Russia, by claimant."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from . import charts
from .ledger import Ledger
from .text import thousands

# Each panel holds one kind of count, so no panel puts a force present at one time beside a
# cumulative total. Forecasts sit with the counts they anticipate.
PANELS = (
    ("In Russia at the date (hollow: forecasts of the total to come)",
     ("nk_troops_in_russia", "nk_troops_expected")),
    ("In the Kursk combat zone", ("nk_troops_in_kursk",)),
    ("Sent in total since October 2024", ("nk_troops_sent_total",)),
)
Y_MAX = 20_000


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
    return {"first": first, "top_total": top_total, "as_of": claims["as_of"].max()}


def estimates_figure(ledger: Ledger):
    """Three panels over one time axis: in Russia, in Kursk, sent in total; one marker per claimant."""
    claims = plotted_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    with plt.rc_context(charts.STYLE):
        fig, axes = plt.subplots(len(PANELS), 1, figsize=(10, 9.6), sharex=True,
                                 gridspec_kw={"height_ratios": [3, 2, 2]})
        for ax, (panel_title, measures) in zip(axes, PANELS):
            charts.draw_claims_over_time(ax, claims[claims["measure"].isin(measures)], styles, Y_MAX)
            ax.set_title(panel_title, fontsize=10)
            ax.set_ylabel("soldiers")
        left = claims["claimed_on"].min() - pd.Timedelta(days=20)
        right = claims["as_of"].max() + pd.Timedelta(days=25)
        axes[0].set_xlim(left, right)
        title = (f"Estimates grew from {thousands(head['first']['value'])} North Korean soldiers "
                 f"in {head['first']['as_of']:%B %Y}")
        if head["top_total"] is not None:
            title += f" to about {thousands(head['top_total']['value'])} sent in total"
        countries = ", ".join(dict.fromkeys(claims["claimant_country"]))
        charts.add_provenance(
            fig, title,
            "Each marker is one claim, placed at the date it refers to. Claims of different claimants are not combined.",
            f"claims by {countries}, as cited in the report's bibliography",
            head["as_of"],
        )
        claimant_handles = charts.claimant_legend_handles(claims["claimant"], styles)
        axes[0].legend(handles=claimant_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       fontsize=8, title="Claimant", title_fontsize=9, alignment="left")
        axes[1].legend(handles=charts.encoding_legend_handles(), loc="upper left",
                       bbox_to_anchor=(1.01, 1.0), fontsize=8, title="How to read", title_fontsize=9,
                       alignment="left")
        fig.subplots_adjust(left=0.08, right=0.70, top=0.88, bottom=0.09, hspace=0.28)
    return fig
