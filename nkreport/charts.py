"""The report's chart style: claimant colours and markers, claims drawn over time, provenance lines, saving."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .text import REPORT_TITLE, thousands

FIGURES_DIR = Path(__file__).resolve().parent.parent / "figures"

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and dark enough on white.
COUNTRY_COLOURS = {
    "South Korea": "#0072B2",
    "Ukraine": "#E69F00",
    "United States": "#009E73",
    "United Kingdom": "#CC79A7",
    "Russia": "#D55E00",
    "North Korea": "#000000",
    "NATO": "#56B4E9",
    "Independent": "#7F7F7F",
}
# Within a country, claimants take markers in the order claimants.csv lists them, so a claimant
# keeps its marker in every chart as long as new claimants are added at the end of the file.
MARKERS = ["o", "s", "D", "P", "X", "h", "p", "*"]

STYLE = {
    "figure.facecolor": "white",  # opaque, so charts stay readable on a dark page or slide
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "svg.hashsalt": "nkreport",  # fixed ids in SVGs: two builds give the same bytes
    "svg.fonttype": "none",  # text stays text in SVG, editable in slides
}


def claimant_styles(claimants: pd.DataFrame) -> dict[str, dict]:
    """Colour, marker and legend label of every claimant, the same in every chart."""
    styles = {}
    counts: dict[str, int] = {}
    for row in claimants.itertuples():
        n = counts.get(row.country, 0)
        counts[row.country] = n + 1
        styles[row.claimant_id] = {
            "color": COUNTRY_COLOURS[row.country],
            "marker": MARKERS[n % len(MARKERS)],
            "label": row.short_name,
        }
    return styles


def _label_date(axis_dates) -> None:
    axis_dates.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    axis_dates.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    axis_dates.set_minor_locator(mdates.MonthLocator())


def draw_claims_over_time(ax, claims: pd.DataFrame, styles: dict[str, dict], ymax: float) -> list[str]:
    """Draw claims as they should be read: points, ranges as bars, bounds as arrows, forecasts hollow.

    Figures above `ymax` are drawn at the top edge with their value written beside them, so one
    outlier does not flatten every other claim. Returns the claim ids drawn.
    """
    drawn = []
    arrow = 0.06 * ymax
    for row in claims.sort_values(["as_of", "claim_id"]).itertuples():
        style = styles[row.claimant]
        x = row.as_of
        forecast = row.claim_kind == "forecast"
        face = "white" if forecast else style["color"]
        common = dict(marker=style["marker"], color=style["color"], markerfacecolor=face,
                      markeredgecolor=style["color"], markersize=7, markeredgewidth=1.5,
                      linestyle="none", zorder=3)
        if row.claim_kind == "denial":
            ax.plot([x], [0], marker="x", color=style["color"], markersize=9, markeredgewidth=2,
                    linestyle="none", zorder=3, clip_on=False)
            drawn.append(row.claim_id)
            continue
        low, high, value = row.value_low, row.value_high, row.value
        if pd.notna(low) and pd.notna(high):
            ax.plot([x, x], [low, min(high, ymax)], color=style["color"], linewidth=2.5,
                    solid_capstyle="butt", zorder=2)
            for end in (low, min(high, ymax)):
                ax.plot([x], [end], **{**common, "markersize": 5})
        if pd.notna(value):
            y = min(value, ymax)
            ax.plot([x], [y], **common, clip_on=False)
            if value > ymax:
                ax.annotate(f"{thousands(value)} (off scale)", (x, y), xytext=(6, -3),
                            textcoords="offset points", fontsize=8, color=style["color"], va="top")
            if row.bound in ("floor", "ceiling") and value <= ymax:
                sign = 1 if row.bound == "floor" else -1
                ax.annotate("", xy=(x, y + sign * arrow), xytext=(x, y),
                            arrowprops=dict(arrowstyle="-|>", color=style["color"], lw=1.5,
                                            shrinkA=4, shrinkB=0), zorder=2)
            if forecast and row.claimed_on < row.as_of:
                ax.plot([row.claimed_on, x], [y, y], color=style["color"], linestyle=(0, (2, 2)),
                        linewidth=1.2, zorder=1)
        drawn.append(row.claim_id)
    ax.set_ylim(0, ymax * 1.04)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: thousands(v)))
    _label_date(ax.xaxis)
    return drawn


def encoding_legend_handles() -> list[Line2D]:
    """Legend entries that explain how a claim is drawn, independent of who makes it."""
    grey = "#555555"
    return [
        Line2D([], [], marker="o", color=grey, linestyle="none", label="Estimate or statement"),
        Line2D([], [], marker="o", color=grey, markerfacecolor="white", linestyle=(0, (2, 2)),
               label="Forecast (dashes: from when it was made)"),
        Line2D([], [], marker="$\u2191$", color=grey, linestyle="none", markersize=9,
               label="Lower bound (at least); \u2193 upper bound"),
        Line2D([], [], color=grey, linewidth=2.5, label="Range given by the claimant"),
        Line2D([], [], marker="x", color=grey, linestyle="none", markeredgewidth=2, label="Denial"),
    ]


def claimant_legend_handles(claim_ids_claimants, styles: dict[str, dict]) -> list[Line2D]:
    seen = []
    for claimant in claim_ids_claimants:
        if claimant not in seen:
            seen.append(claimant)
    return [Line2D([], [], marker=styles[c]["marker"], color=styles[c]["color"], linestyle="none",
                   markersize=7, label=styles[c]["label"]) for c in seen]


def add_provenance(fig, title: str, subtitle: str, source: str, as_of: pd.Timestamp) -> None:
    """Title with the finding, and a source line, written on the figure so it travels with it."""
    fig.text(0.01, 0.995, title, ha="left", va="top", fontsize=14, fontweight="bold")
    fig.text(0.01, 0.955, subtitle, ha="left", va="top", fontsize=10, color="#333333")
    fig.text(0.01, 0.005,
             f"Source: {source}. Claims as of {as_of:%d %B %Y}.\n{REPORT_TITLE}, claims ledger (data/claims.csv).",
             ha="left", va="bottom", fontsize=8, color="#444444")


def save_figure(fig, label: str, out_dir: Path | None = None) -> list[Path]:
    """Write a chart as SVG and high-resolution PNG named by its label, byte-identical across builds."""
    out_dir = Path(out_dir) if out_dir else FIGURES_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    svg, png = out_dir / f"{label}.svg", out_dir / f"{label}.png"
    with plt.rc_context(STYLE):
        fig.savefig(svg, format="svg", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=200, metadata={"Software": None})
    return [svg, png]
