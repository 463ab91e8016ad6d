"""The Vietnam-era chapter: South Korea's deployment to Vietnam set beside North Korea's to Russia, like with like."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..report import facts
from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import date_text, figure_text, thousands

# The ledger topics chapters/vietnam.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more. Shipments and returns give the munitions share
# and the pay figure that the chapter sets beside the manpower comparison and South Korea's reward.
TOPICS = ("vietnam", "forces", "troops", "shipments", "returns")

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
    ("nk", "nk_troops_near_ukraine_border"): AT_ONE_TIME,
}
# Not in either pair: the force the US Army history and Bay say South Korea built up by successive
# deployments (kr_troops_vietnam_deployed_increments) is neither a total of every rotation nor a
# headcount at a date.
#
# The parts a sum may add, by kind: one claimant's counts of separate groups, which together
# count what South Korea's figures count (every soldier, combat and support units alike).
SUM_MEASURES = {
    TOTAL: ("nk_troops_sent_total", "nk_engineers_in_russia", "nk_builders_in_russia"),
    AT_ONE_TIME: ("nk_troops_near_ukraine_border", "nk_builders_in_russia"),
}
PART_NAMES = {
    "nk_troops_sent_total": "combat troops",
    "nk_engineers_in_russia": "engineers",
    "nk_builders_in_russia": "builders",
    "nk_troops_near_ukraine_border": "troops near the border",
}
# Explicit "peak" or "height" claims are shown as given; dated strengths only as each claimant's
# largest, since the peak is the top of that series.
EXPLICIT_PEAK = {"kr_troops_vietnam_peak"}
# The measure listed first wins a tie, so "in Russia" is preferred to the Kursk subset.
MEASURE_ORDER = ["kr_troops_vietnam_peak", "kr_troops_in_vietnam", "nk_troops_in_russia", "nk_troops_in_kursk",
                 "nk_troops_near_ukraine_border"]
# Wikipedia's body text gives a total its own summary box contradicts (the row's note says so):
# it is drawn, labelled, but never sets a multiple. Weak rows are flagged by the ledger itself.
INCONSISTENT = {"vietnam-wikipedia-2025-06-total"}


@dataclass(frozen=True)
class Pair:
    """One like-for-like comparison: the same kind of count for each deployment.

    rok and nk hold single claims; nk_sum holds the parts of one claimant's own sum (empty if
    the ledger has none), which replaces that claimant's single claims in the chart.
    """

    kind: str
    rok: pd.DataFrame
    nk: pd.DataFrame
    nk_sum: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    def bars(self, side: str) -> list[pd.DataFrame]:
        """The bars of one side, largest first: a one-row frame per claim, several rows for a sum."""
        rows = getattr(self, side)
        bars = [rows.iloc[[i]] for i in range(len(rows))]
        if side == "nk" and not self.nk_sum.empty:
            bars.append(self.nk_sum)
        return sorted(bars, key=lambda b: -float(upper(b).sum()))


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


def all_personnel_sent(claims: pd.DataFrame) -> pd.DataFrame:
    """Everyone North Korea sent, in the intelligence service's own counts: the two combat waves,
    then the engineers and builders of the later deployment (the shared facts, nothing else)."""
    later = facts.later_deployments(claims)
    return rows_of(claims, [facts.combat_troops_sent(claims), later["engineers"], later["builders"]])


def all_personnel_present(claims: pd.DataFrame) -> pd.DataFrame:
    """Everyone in Russia at one time by one briefing of the intelligence service: the troops near
    the border and the builders it counted on the same day. Empty if it gave them on different days."""
    border = facts.newest_of(claims, "nk_troops_near_ukraine_border", "kr-nis")
    builders = facts.later_deployments(claims)["builders"]
    if border["as_of"] != builders["as_of"]:
        return pd.DataFrame()
    return rows_of(claims, [border, builders])


def rows_of(claims: pd.DataFrame, rows: list[pd.Series]) -> pd.DataFrame:
    """The ledger rows of these claims, in this order, with the ledger's column types."""
    ids = [row["claim_id"] for row in rows]
    return claims.set_index("claim_id").loc[ids].reset_index()[claims.columns]


def nk_sum(claims: pd.DataFrame, kind: str) -> pd.DataFrame:
    """One claimant's sum of separate groups for `kind`, or an empty frame if the ledger lacks a part."""
    try:
        parts = all_personnel_sent(claims) if kind == TOTAL else all_personnel_present(claims)
    except KeyError:
        return pd.DataFrame()
    return parts.reset_index(drop=True)


def comparison_pairs(ledger: Ledger) -> list[Pair]:
    """Total with total, and force at one time with force at one time; refuses a mixed pair or sum."""
    pairs = []
    for kind in (TOTAL, AT_ONE_TIME):
        rok = side_rows(ledger.claims, "rok", kind)
        nk = side_rows(ledger.claims, "nk", kind)
        parts = nk_sum(ledger.claims, kind)
        if not parts.empty:
            if parts["claimant"].nunique() != 1:
                raise ValueError(f"a sum adds claims of {sorted(parts['claimant'])}: only one claimant's own")
            if not set(parts["bound"]) <= {"exact", "approximate"}:
                raise ValueError(f"a sum would add bounds ({sorted(set(parts['bound']))}) of {list(parts['claim_id'])}")
            for measure in parts["measure"]:
                if measure not in SUM_MEASURES[kind]:
                    raise ValueError(f"{measure} cannot be part of a {kind} sum of the nk deployment")
            # The sum stands for its claimant: drop that claimant's smaller single claims.
            total = float(upper(parts).sum())
            nk = nk[~((nk["claimant"] == parts["claimant"].iloc[0]) & (upper(nk) <= total))].reset_index(drop=True)
        pairs.append(Pair(kind, rok, nk, parts))
    for pair in pairs:
        for side in SIDES:
            for measure in getattr(pair, side)["measure"]:
                if MEASURE_KIND.get((side, measure)) != pair.kind:
                    raise ValueError(f"{measure} is not a {pair.kind} count of the {side} deployment")
    return pairs


def plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the comparison chart draws."""
    rows = [b for p in comparison_pairs(ledger) for side in SIDES for b in p.bars(side)]
    return pd.concat(rows).drop_duplicates("claim_id").reset_index(drop=True)


def flag(row) -> str:
    """'weak' for a row the ledger marks weak, 'inconsistent' for one its own page contradicts."""
    if row["weak_source"] == "yes":
        return "weak"
    return "inconsistent" if row["claim_id"] in INCONSISTENT else ""


def bar_flag(bar: pd.DataFrame) -> str:
    return next((f for f in (flag(r) for _, r in bar.iterrows()) if f), "")


def unflagged(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[[not flag(r) for _, r in rows.iterrows()]]


def largest(bars: list[pd.DataFrame]) -> float:
    """The largest figure among unflagged bars (a sum counts as one bar)."""
    return max(float(upper(b).sum()) for b in bars if not bar_flag(b))


def multiple(pair: Pair) -> float:
    """How many times larger the South Korean deployment was: largest unflagged bar on each side,
    a claimant's sum of all personnel included."""
    return largest(pair.bars("rok")) / largest(pair.bars("nk"))


def combat_multiple(pair: Pair) -> float:
    """The same multiple against combat troops only: the sum's first part stands in for it when it
    counts combat troops (the total), otherwise the largest unflagged single claim."""
    singles = [pair.nk.iloc[[i]] for i in range(len(pair.nk))]
    if pair.kind == TOTAL and not pair.nk_sum.empty:
        singles.append(pair.nk_sum.iloc[[0]])
    return largest(pair.bars("rok")) / largest(singles)


def sum_text(parts: pd.DataFrame) -> str:
    """A claimant's sum as prose says it: 'about 21,000'; 'about' unless every part is exact."""
    word = "" if set(parts["bound"]) == {"exact"} else "about "
    return f"{word}{thousands(float(upper(parts).sum()))}"


def later_text(parts: pd.DataFrame) -> str:
    """What the sum adds to its first part: 'about 6,000 engineers and builders'."""
    rest = parts.iloc[1:]
    names = [PART_NAMES[m] for m in rest["measure"]]
    return f"{sum_text(rest)} {' and '.join(names)}"


def share_text(part: float, whole: float) -> str:
    """A share as a percentage with one decimal: 15,000 of 1.2 million -> '1.3%'."""
    return f"{part / whole:.1%}"


def span_text(rows: pd.DataFrame) -> str:
    """The spread of a set of claims' figures: '47,700\u201350,000'."""
    values = upper(rows)
    return f"{thousands(values.min())}\u2013{thousands(values.max())}"


def times_text(ratio: float) -> str:
    return f"about {ratio:.1f} times" if ratio < 2 else f"about {ratio:.0f} times"


def rok_rotation(total: Pair, at_one_time: Pair) -> float:
    """South Korea's largest unflagged exact-or-approximate total over its largest force at one time.

    Lower and upper bounds are left out of the total: 'more than' or 'nearly' cannot show how far
    rotation multiplied it.
    """
    points = unflagged(total.rok[total.rok["bound"].isin(["exact", "approximate"])])
    return float(upper(points).max()) / largest(at_one_time.bars("rok"))


def nk_rotation(total: Pair, at_one_time: Pair) -> float | None:
    """The intelligence service's own all-personnel total over its own all-personnel count at one
    time: one claimant on both sides of the ratio. None if either sum is missing."""
    if total.nk_sum.empty or at_one_time.nk_sum.empty:
        return None
    return float(upper(total.nk_sum).sum()) / float(upper(at_one_time.nk_sum).sum())


def money_text(row) -> str:
    """A US-dollar claim as prose says it: 'nearly US$1 billion', 'US$150 million'."""
    value = float(row["value"])
    amount = f"US${value / 1e9:g} billion" if value >= 1e9 else f"US${value / 1e6:g} million"
    word = row["qualifier"] or ""
    return f"{word} {amount}".strip()


def note_phrase(row, pattern: str) -> str:
    """A figure the ledger gives only in a claim's note (e.g. 'about 90 pilots'), found by `pattern`
    (its first group), so the page quotes the note and never types the figure."""
    found = re.search(pattern, row["note"] or "")
    if not found:
        raise ValueError(f"claim {row['claim_id']}: its note no longer matches {pattern!r}; "
                         f"reword the page's sentence that quotes it")
    return found.group(1)


def _when(bar: pd.DataFrame, kind: str) -> str:
    """The date a bar refers to, never to be read as when a source was written: a total runs 'to'
    its date (a sum's latest part); a sum of parts of different days gives its first and last."""
    days = sorted({(r["as_of"], r["as_of_precision"]) for _, r in bar.iterrows()})
    first, last = date_text(*days[0]), date_text(*days[-1])
    if kind == TOTAL:
        return f"to {last}"
    return first if first == last else f"{first} to {last}"


def _label(bar: pd.DataFrame) -> str:
    if len(bar) > 1:
        return f"{sum_text(bar)}, incl. {later_text(bar)}"
    row = bar.iloc[0]
    where = " in Kursk" if row["measure"] == "nk_troops_in_kursk" else ""
    where = " near the border" if row["measure"] == "nk_troops_near_ukraine_border" else where
    return f"{figure_text(row)}{where}"


def _draw_pair(ax, pair: Pair, styles: dict) -> None:
    """One panel: a labelled group of bars for each deployment, bounds as arrows, ranges shaded,
    a claimant's sum of separate groups as one stacked bar."""
    bars, labels, positions = [], [], []
    # on a slide the rows are closer: the smallest type a slide allows keeps them apart
    small = charts.layout().min_font if charts.layout().slide else 8.5
    y = 0
    headers = []
    for side in SIDES:
        headers.append((y, SIDE_TITLES[side]))
        y += 1
        for bar in pair.bars(side):
            bars.append((y, bar))
            y += 1
        y += 0.5
    xmax = max(max(float(upper(b).sum()) for _, b in bars), 1) * 1.3
    arrow = 0.06 * xmax
    for pos, bar in bars:
        row = bar.iloc[0]
        colour = styles[row["claimant"]]["color"]
        low, high, value = row["value_low"], row["value_high"], row["value"]
        if len(bar) > 1:
            # Each part a shade of the claimant's colour, divided by a white line.
            left = 0.0
            for i, (part, claim_id) in enumerate(zip(upper(bar), bar["claim_id"])):
                segment = ax.barh(pos, part, left=left, height=0.62, color=colour,
                                  alpha=(1.0, 0.55, 0.3)[min(i, 2)], edgecolor="white", linewidth=0.8, zorder=2)
                charts.link_claim(segment[0], claim_id)  # on the page, each part links to its claim
                left += part
            end = left
        elif pd.notna(low) and pd.notna(high):
            charts.link_claim(ax.barh(pos, low, height=0.62, color=colour, zorder=2)[0], row["claim_id"])
            ax.barh(pos, high - low, left=low, height=0.62, color=colour, alpha=0.35, zorder=2,
                    hatch="////", edgecolor=colour, linewidth=0)
            end = high
        else:
            charts.link_claim(ax.barh(pos, value, height=0.62, color=colour, zorder=2)[0], row["claim_id"])
            end = value
            if row["bound"] in ("floor", "ceiling"):
                sign = 1 if row["bound"] == "floor" else -1
                # Dark, so an "up to" arrow still shows where it runs back over its own bar.
                ax.annotate("", xy=(value + sign * arrow, pos), xytext=(value, pos),
                            arrowprops=dict(arrowstyle="-|>", color="#222222", lw=1.6, shrinkA=0,
                                            shrinkB=0), zorder=3)
                if row["bound"] == "floor":
                    end = value + arrow
        text = _label(bar)
        if bar_flag(bar):
            text += f" ({bar_flag(bar)})"
        ax.text(end + 0.012 * xmax, pos, text, va="center", ha="left", fontsize=small, color="#222222")
        labels.append(f"{styles[row['claimant']]['label']}, {_when(bar, pair.kind)}")
        positions.append(pos)
    ax.set_yticks(positions, labels, fontsize=small)
    for pos, title in headers:
        ax.annotate(title, xy=(0, pos), xycoords=("axes fraction", "data"), xytext=(-6, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=small + 0.5, fontweight="bold")
    ax.set_ylim(y - 0.3, -0.7)
    ax.set_xlim(0, xmax)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(charts.thousands_tick))
    ax.tick_params(axis="x", labelsize=small)
    ax.set_title(pair.title, fontsize=9 if charts.layout().slide else 10.5, loc="left")


def chart_title(pairs: list[Pair]) -> str:
    total, peak = pairs
    return (f"South Korea sent about {multiple(total):.0f} times as many soldiers to Vietnam as North Korea has "
            f"sent to Russia, and had about {multiple(peak):.0f} times as many there at one time")


def alt_text(ledger: Ledger) -> str:
    """The chart's alt text, from the same pairs it draws (chapters/vietnam.md must carry it verbatim)."""
    total, peak = comparison_pairs(ledger)

    def parts(pair: Pair) -> str:
        names = [PART_NAMES[m] for m in pair.nk_sum["measure"]]
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)

    return ("Horizontal bar chart in two panels. The upper panel compares claims of the total number of soldiers "
            "sent, every rotation counted: South Korea's totals for Vietnam form long bars, North Korea's totals "
            f"for Russia short ones, the longest of them a shaded bar adding the intelligence service's counts of "
            f"{parts(total)}; South Korea's longest bar that is neither weak nor inconsistent is "
            f"{times_text(multiple(total))} that length. The lower panel compares the largest force present at "
            f"one time, where South Korea's longest bar is {times_text(multiple(peak))} North Korea's longest, "
            f"again a shaded bar adding the intelligence service's counts of {parts(peak)}. Each bar names its "
            "claimant and date; arrows mark lower and upper bounds, and a hatched end marks a range.")


def comparison_figure(ledger: Ledger):
    """Two panels, total and force at one time, each with South Korea's claims above North Korea's."""
    pairs = comparison_pairs(ledger)
    claims = plotted_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    n_rows = [len(p.bars("rok")) + len(p.bars("nk")) + 2.5 for p in pairs]
    with plt.rc_context(charts.STYLE):
        fig = charts.figure(7.6, 3.4 + 0.25 * sum(n_rows))
        top, bottom = charts.add_provenance(
            fig, chart_title(pairs),
            "Each bar is one claim, labelled with its claimant and the date it refers to (not when it was "
            "made); colours mark the claimant's country. Totals count every rotation over the whole "
            "deployment, up to their date; the lower panel shows "
            "each claimant's largest figure for the force present at one time. A shaded bar adds one "
            "claimant's own counts of separate groups (combat troops, engineers, builders), as South Korea's "
            "figures count support units too. Multiples compare the largest claim on each side that is "
            "neither weak nor inconsistent.",
            f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography",
            facts.dated(claims)["claimed_on"].max(),
        )
        legend_height = 0.42 / fig.get_size_inches()[1]
        grid = fig.add_gridspec(2, 1, height_ratios=n_rows, hspace=0.25 if charts.layout().slide else 0.32,
                                left=0.41, right=0.86,
                                top=top, bottom=bottom + legend_height)
        for i, pair in enumerate(pairs):
            _draw_pair(fig.add_subplot(grid[i]), pair, styles)
        grey = "#555555"
        handles = [
            Line2D([], [], marker="$\u2192$", color="#222222", linestyle="none", markersize=10,
                   label="at least (\u2190 up to)"),
            Patch(facecolor=grey, alpha=0.35, hatch="////", edgecolor=grey, linewidth=0,
                  label="range given by the claimant"),
            Patch(facecolor=grey, alpha=0.55, edgecolor="white", label="one claimant's counts added"),
        ]
        fig.legend(handles=handles, loc="lower left", ncol=3, fontsize=8.5, frameon=False,
                   bbox_to_anchor=(0.02, bottom - 0.02 / fig.get_size_inches()[1]), handletextpad=0.4,
                   columnspacing=1.6)
    return fig



def glue_percent(ledger: Ledger, claim_id: str) -> None:
    """Glue a percentage claim as {glue:md}`<id>_pct`: '50% (Source, 2024)'; the figure keeps its
    claim span, the sign follows it, so the page still shows exactly the ledger's figure."""
    from IPython.display import Markdown
    from myst_nb import glue

    from ..report.text import cite

    row = ledger.claim(claim_id)
    if row["unit"] != "percent":
        raise ValueError(f"claim {claim_id} is in {row['unit']}, not percent")
    figure = f"[{figure_text(row)}]{{.claim .claim-{claim_id}}}%"
    glue(claim_id.replace("-", "_") + "_pct", Markdown(f"{figure} {cite(row['source'])}"), display=False)


FIGURES = [Chart("fig-vietnam-comparison", "chapters/vietnam.md", comparison_figure, plotted_claims)]
