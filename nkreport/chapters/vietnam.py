"""The Vietnam-era chapter: South Korea's deployment to Vietnam set beside North Korea's to Russia, like with like."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import date_text, figure_text, thousands

# The ledger topics chapters/vietnam.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("vietnam", "forces", "troops")

# Two kinds of count, never mixed: everyone sent over the whole deployment (every rotation
# counted), and the force present at one time. A pair sets one kind against the same kind.
TOTAL, AT_ONE_TIME = "total", "at_one_time"
KIND_TITLES = {
    TOTAL: "Soldiers sent in total, every rotation counted",
    AT_ONE_TIME: "Largest force present at one time",
}
SIDES = ("rok", "nk")
SIDE_TITLES = {"rok": "South Korea in Vietnam, 1964\u201373", "nk": "North Korea in Russia, from Oct 2024"}
MEASURE_KIND = {
    ("rok", "kr_troops_vietnam_total"): TOTAL,
    ("rok", "kr_troops_vietnam_peak"): AT_ONE_TIME,
    ("rok", "kr_troops_in_vietnam"): AT_ONE_TIME,
    ("nk", "nk_troops_sent_total"): TOTAL,
    ("nk", "nk_troops_in_russia"): AT_ONE_TIME,
    ("nk", "nk_troops_in_kursk"): AT_ONE_TIME,
}
# Explicit "peak" or "height" claims are shown as given; dated strengths only as each claimant's
# largest, since the peak is the top of that series.
EXPLICIT_PEAK = {"kr_troops_vietnam_peak"}
# The measure listed first wins a tie, so "in Russia" is preferred to the Kursk subset.
MEASURE_ORDER = ["kr_troops_vietnam_peak", "kr_troops_in_vietnam", "nk_troops_in_russia", "nk_troops_in_kursk"]
# Notes that flag a claim as weak or self-contradictory begin with one of these words.
FLAGS = {"Weak": "weak", "Inconsistent": "inconsistent"}


@dataclass(frozen=True)
class Pair:
    """One like-for-like comparison: the same kind of count for each deployment."""

    kind: str
    rok: pd.DataFrame
    nk: pd.DataFrame

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]


def measures(side: str, kind: str) -> list[str]:
    """The measures that count `kind` for one deployment."""
    return [m for (s, m), k in MEASURE_KIND.items() if s == side and k == kind]


def upper(rows: pd.DataFrame) -> pd.Series:
    """The largest figure each claim allows: the value, or the top of a range without one."""
    return rows["value"].fillna(rows["value_high"]).astype(float)


def figure_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims that carry a figure of what was (not will be) there: no denials, no forecasts."""
    return claims[(claims["claim_kind"] != "denial") & (claims["claim_kind"] != "forecast")
                  & (claims["value"].notna() | claims["value_high"].notna())]


def largest_per_claimant(rows: pd.DataFrame) -> pd.DataFrame:
    """Each claimant's largest figure; ties go to the measure listed first, then the earlier date."""
    if rows.empty:
        return rows
    ranked = rows.assign(_upper=upper(rows), _order=rows["measure"].map(MEASURE_ORDER.index))
    ranked = ranked.sort_values(["claimant", "_upper", "_order", "as_of"], ascending=[True, False, True, True])
    return ranked.groupby("claimant", sort=False).head(1).drop(columns=["_upper", "_order"])


def side_rows(claims: pd.DataFrame, side: str, kind: str) -> pd.DataFrame:
    """The claims one side contributes to a pair of `kind`, largest first."""
    rows = figure_claims(claims[claims["measure"].isin(measures(side, kind))])
    if kind == AT_ONE_TIME:
        explicit = rows[rows["measure"].isin(EXPLICIT_PEAK)]
        dated = largest_per_claimant(rows[~rows["measure"].isin(EXPLICIT_PEAK)])
        rows = pd.concat([explicit, dated])
    return rows.assign(_upper=upper(rows)).sort_values(["_upper", "claim_id"], ascending=[False, True]) \
        .drop(columns="_upper").reset_index(drop=True)


def comparison_pairs(ledger: Ledger) -> list[Pair]:
    """Total with total, and force at one time with force at one time; refuses a mixed pair."""
    pairs = [Pair(kind, side_rows(ledger.claims, "rok", kind), side_rows(ledger.claims, "nk", kind))
             for kind in (TOTAL, AT_ONE_TIME)]
    for pair in pairs:
        for side in SIDES:
            for measure in getattr(pair, side)["measure"]:
                if MEASURE_KIND.get((side, measure)) != pair.kind:
                    raise ValueError(f"{measure} is not a {pair.kind} count of the {side} deployment")
    return pairs


def plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the comparison chart draws."""
    rows = [getattr(p, side) for p in comparison_pairs(ledger) for side in SIDES]
    return pd.concat(rows).drop_duplicates("claim_id").reset_index(drop=True)


def dated_sources(ledger: Ledger, claims: pd.DataFrame) -> pd.Series:
    """Which claims cite a page that shows its date.

    On an undated page claimed_on is only the day the page was consulted ("claimed no later
    than"), so such claims must not set a chart's "as of" date or be placed in time by it.
    """
    return claims["source"].map(lambda s: any(ledger.sources[k].get("date") for k in s.split("; ")))


def flag(row) -> str:
    note = row["note"] or ""
    return next((text for word, text in FLAGS.items() if note.startswith(word)), "")


def unflagged(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[[not flag(r) for _, r in rows.iterrows()]]


def multiple(pair: Pair) -> float:
    """How many times larger the South Korean deployment was: largest unflagged claim on each side."""
    return float(upper(unflagged(pair.rok)).max()) / float(upper(unflagged(pair.nk)).max())


def share_text(part: float, whole: float) -> str:
    """A share as a percentage with one decimal: 15,000 of 1.2 million -> '1.3%'."""
    return f"{part / whole:.1%}"


def span_text(rows: pd.DataFrame) -> str:
    """The spread of a set of claims' figures: '47,700\u201350,000'."""
    values = upper(rows)
    return f"{thousands(values.min())}\u2013{thousands(values.max())}"


def rotation_text(totals: pd.DataFrame, at_one_time: pd.DataFrame) -> str:
    """How many times the largest force at one time the largest unflagged exact-or-approximate total is.

    Lower bounds are left out of the total: 'more than' cannot show how far rotation multiplied it.
    """
    points = unflagged(totals[totals["bound"].isin(["exact", "approximate"])])
    ratio = float(upper(points).max()) / float(upper(unflagged(at_one_time)).max())
    return f"about {ratio:.1f} times" if ratio < 2 else f"about {ratio:.0f} times"


def money_text(row) -> str:
    """A US-dollar claim as prose says it: 'nearly US$1 billion', 'US$150 million'."""
    value = float(row["value"])
    amount = f"US${value / 1e9:g} billion" if value >= 1e9 else f"US${value / 1e6:g} million"
    word = row["qualifier"] or ""
    return f"{word} {amount}".strip()


def _label(row) -> str:
    where = " in Kursk" if row["measure"] == "nk_troops_in_kursk" else ""
    return f"{figure_text(row)}{where}"


def _draw_pair(ax, pair: Pair, styles: dict) -> None:
    """One panel: a labelled group of bars for each deployment, bounds as arrows, ranges shaded."""
    rows, labels, positions = [], [], []
    y = 0
    headers = []
    for side in SIDES:
        headers.append((y, SIDE_TITLES[side]))
        y += 1
        for _, row in getattr(pair, side).iterrows():
            rows.append((y, row))
            y += 1
        y += 0.5
    xmax = max(float(upper(pd.DataFrame([r for _, r in rows])).max()), 1) * 1.3
    arrow = 0.06 * xmax
    for pos, row in rows:
        colour = styles[row["claimant"]]["color"]
        low, high, value = row["value_low"], row["value_high"], row["value"]
        if pd.notna(low) and pd.notna(high):
            ax.barh(pos, low, height=0.62, color=colour, zorder=2)
            ax.barh(pos, high - low, left=low, height=0.62, color=colour, alpha=0.35, zorder=2,
                    hatch="////", edgecolor=colour, linewidth=0)
            end = high
        else:
            ax.barh(pos, value, height=0.62, color=colour, zorder=2)
            end = value
            if row["bound"] in ("floor", "ceiling"):
                sign = 1 if row["bound"] == "floor" else -1
                # Dark, so an "up to" arrow still shows where it runs back over its own bar.
                ax.annotate("", xy=(value + sign * arrow, pos), xytext=(value, pos),
                            arrowprops=dict(arrowstyle="-|>", color="#222222", lw=1.6, shrinkA=0,
                                            shrinkB=0), zorder=3)
                if row["bound"] == "floor":
                    end = value + arrow
        text = _label(row)
        if flag(row):
            text += f" ({flag(row)})"
        ax.text(end + 0.012 * xmax, pos, text, va="center", ha="left", fontsize=8.5, color="#222222")
        when = date_text(row["as_of"], row["as_of_precision"])
        labels.append(f"{styles[row['claimant']]['label']}, {when}")
        positions.append(pos)
    ax.set_yticks(positions, labels, fontsize=8.5)
    for pos, title in headers:
        ax.annotate(title, xy=(0, pos), xycoords=("axes fraction", "data"), xytext=(-6, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=9, fontweight="bold")
    ax.set_ylim(y - 0.3, -0.7)
    ax.set_xlim(0, xmax)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(charts.thousands_tick))
    ax.tick_params(axis="x", labelsize=8.5)
    ax.set_title(pair.title, fontsize=10.5, loc="left")


def comparison_figure(ledger: Ledger):
    """Two panels, total and force at one time, each with South Korea's claims above North Korea's."""
    pairs = comparison_pairs(ledger)
    claims = plotted_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    total, peak = pairs
    dated = claims[dated_sources(ledger, claims)]
    n_rows = [len(p.rok) + len(p.nk) + 2.5 for p in pairs]
    with plt.rc_context(charts.STYLE):
        fig = plt.figure(figsize=(7.6, 3.2 + 0.25 * sum(n_rows)))
        title = (f"South Korea's Vietnam deployment was about {multiple(total):.0f} times North Korea's in "
                 f"Russia in soldiers sent in total, and about {multiple(peak):.0f} times at its height")
        top, bottom = charts.add_provenance(
            fig, title,
            "Each bar is one claim, labelled with its claimant and the date it refers to; colours mark the "
            "claimant's country. Totals count "
            "every rotation over the whole deployment; the lower panel shows each claimant's largest "
            "figure for the force present at one time (and explicit peak claims). Multiples compare the "
            "largest unflagged claim on each side.",
            f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography",
            dated["claimed_on"].max(),
        )
        legend_height = 0.42 / fig.get_size_inches()[1]
        grid = fig.add_gridspec(2, 1, height_ratios=n_rows, hspace=0.32, left=0.41, right=0.86,
                                top=top, bottom=bottom + legend_height)
        for i, pair in enumerate(pairs):
            _draw_pair(fig.add_subplot(grid[i]), pair, styles)
        grey = "#555555"
        handles = [
            Line2D([], [], marker="$\u2192$", color="#222222", linestyle="none", markersize=10,
                   label="at least (\u2190 up to)"),
            Patch(facecolor=grey, alpha=0.35, hatch="////", edgecolor=grey, linewidth=0,
                  label="range given by the claimant"),
        ]
        fig.legend(handles=handles, loc="lower left", ncol=3, fontsize=8.5, frameon=False,
                   bbox_to_anchor=(0.02, bottom - 0.02 / fig.get_size_inches()[1]), handletextpad=0.4,
                   columnspacing=1.6)
    return fig


FIGURES = [Chart("fig-vietnam-comparison", "chapters/vietnam.md", comparison_figure, plotted_claims)]
