"""The chapter on what North Korea gets in return: pay, money, food, oil, weapons and technology, by claimant, and how the estimates compare with what it supplies."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..data.ledger import Ledger
from ..report import facts
from ..report import style as charts
from ..report.style import Chart
from ..report.text import date_text, figure_text
from .vietnam import note_phrase  # noqa: F401 (the chapter quotes figures given only in notes)

# The ledger topics chapters/returns.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more. Shipments give the value of what North Korea
# supplied and the containers it sent; troops give the workers counted beside the soldiers.
TOPICS = ("returns", "shipments", "troops")

TOPIC = "returns"
# Dollar estimates of what North Korea earns in a year, by what they earn it from. Each claim is
# its claimant's own; the chart never adds or averages them.
YEARLY = {
    "nk_earnings_per_year": "From the soldiers, a year",
    "nk_arms_earnings_in_year": "From arms sales, in one year",
}
# What each yearly estimate depends on, as its note states it (no figure: the chart shows those).
BASIS = {
    "returns-inss-2024-11-18": "depends on whether they serve as mercenaries or as allies",
    "returns-fnf-2024-10-28-troops": "depends on how many soldiers are sent",
    "returns-wi-2024-11-03-per-year": "a lawmaker's arithmetic from the NIS pay figure",
    "returns-inss-2024-09-03-arms-2023": "arms such as artillery shells sold to Russia",
}
# Two sides of the exchange valued by one claimant in one study: what North Korea supplied and what
# Russia gave back. Only such a pair may be set side by side.
SUPPLIED, COMPENSATION = "nk_arms_to_russia_value", "ru_compensation_to_nk_value"
SIDE_NAMES = {SUPPLIED: "North Korea's arms and troops", COMPENSATION: "Russia's compensation"}
FRACTIONS = {2: "half", 3: "a third", 4: "a quarter", 5: "a fifth", 6: "a sixth", 7: "a seventh",
             8: "an eighth", 9: "a ninth", 10: "a tenth"}
GREY = "#444444"


def returns_claims(ledger: Ledger) -> pd.DataFrame:
    """Every claim of what North Korea receives."""
    return ledger.claims[ledger.claims["topic"] == TOPIC]


def is_weak(claims: pd.DataFrame) -> pd.Series:
    return facts.is_weak(claims)


def yearly_claims(ledger: Ledger) -> pd.DataFrame:
    """The dollar estimates of a year's earnings, strong ones only, in the order the chart draws them."""
    claims = ledger.claims
    rows = claims[claims["measure"].isin(YEARLY) & claims["unit"].eq("USD") & ~is_weak(claims)]
    order = rows["measure"].map(list(YEARLY).index)
    top = rows["value_high"].fillna(rows["value"]).astype(float)
    return rows.assign(_o=order, _t=top).sort_values(["_o", "_t"], ascending=[True, False]) \
        .drop(columns=["_o", "_t"]).reset_index(drop=True)


def both_sides(ledger: Ledger) -> pd.DataFrame:
    """The newest study that values both what North Korea supplied and what Russia gave back: one
    claimant, one date, in US dollars. Two rows (supplied, compensation), or none."""
    claims = ledger.claims
    claims = claims[claims["unit"].eq("USD") & ~is_weak(claims)]
    given = claims[claims["measure"] == COMPENSATION].sort_values(["as_of", "claim_id"])
    for _, back in given.iloc[::-1].iterrows():
        supplied = claims[(claims["measure"] == SUPPLIED) & (claims["claimant"] == back["claimant"])
                          & (claims["as_of"] == back["as_of"])]
        if len(supplied) == 1:
            return pd.concat([supplied, given[given["claim_id"] == back["claim_id"]]]).reset_index(drop=True)
    return claims.iloc[0:0]


def plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the chart draws."""
    return pd.concat([yearly_claims(ledger), both_sides(ledger)]).reset_index(drop=True)


def low(rows: pd.DataFrame) -> pd.Series:
    return rows["value_low"].fillna(rows["value"]).astype(float)


def high(rows: pd.DataFrame) -> pd.Series:
    return rows["value_high"].fillna(rows["value"]).astype(float)


def money(value: float) -> str:
    """US$143 million, US$1.34 billion."""
    return f"US${value / 1e9:g} billion" if value >= 1e9 else f"US${value / 1e6:g} million"


def yearly_span(ledger: Ledger) -> tuple[float, float]:
    """The lowest and highest figure any yearly estimate allows (each claimant's own; not a range of
    anyone's)."""
    rows = yearly_claims(ledger)
    return float(low(rows).min()), float(high(rows).max())


def compensation_ratio(ledger: Ledger) -> float | None:
    """How many times Russia's compensation the value of what North Korea supplied is, in one study's
    upper estimates (both are 'up to'); None if no study values both."""
    pair = both_sides(ledger)
    if pair.empty:
        return None
    supplied, back = high(pair).iloc[0], high(pair).iloc[1]
    return supplied / back


def fraction_text(ratio: float) -> str:
    """8.2 -> 'about an eighth'."""
    n = round(ratio)
    return f"about {FRACTIONS.get(n, f'1/{n}')}"


def chart_title(ledger: Ledger) -> str:
    lo, hi = yearly_span(ledger)
    title = f"Estimates of North Korea's yearly earnings run from {money(lo)} to {money(hi)}"
    ratio = compensation_ratio(ledger)
    if ratio is not None:
        title += f"; one study puts what Russia gave back at {fraction_text(ratio)} of what North Korea supplied"
    return title


def alt_text(ledger: Ledger) -> str:
    """The chart's alt text, from the same rows it draws (chapters/returns.md must carry it verbatim)."""
    rows = yearly_claims(ledger)
    listed = "; ".join(f"{r['claimant_short_name']}, {figure_text(r)}" for _, r in rows.iterrows())
    text = ("Horizontal bar chart in two panels. The upper panel shows each claimant's estimate of what North "
            f"Korea earns from Russia in a year, in US dollars, one bar per claim, ranges with a hatched end: {listed}.")
    pair = both_sides(ledger)
    if not pair.empty:
        supplied, back = pair.iloc[0], pair.iloc[1]
        text += (f" The lower panel shows one study by the {supplied['claimant_short_name']}, of "
                 f"{date_text(supplied['as_of'], supplied['as_of_precision'])}: what North Korea supplied, "
                 f"{figure_text(supplied)}, and Russia's compensation, {figure_text(back)}, "
                 f"{fraction_text(compensation_ratio(ledger))} of it; both are upper estimates, drawn with arrows.")
    return text


def _billions(value, _position) -> str:
    """Tick labels in billions of dollars; a named function so the figure can be pickled."""
    return "0" if value == 0 else f"{value / 1e9:g}"


def _draw_rows(ax, groups: list[tuple[str, pd.DataFrame]], styles: dict, names: dict[str, str],
               captions: dict[str, str], title: str, xmax: float) -> None:
    """Bars for claims under group headers: a range solid to its low end and hatched to its high end,
    a bound with an arrow, the figure beside the bar and a caption in grey beneath it."""
    ticks, labels, y = [], [], 0.0
    arrow = 0.05 * xmax
    for header, rows in groups:
        if header:
            ax.annotate(header, xy=(0, y), xycoords=("axes fraction", "data"), xytext=(-6, 0),
                        textcoords="offset points", ha="right", va="center", fontsize=9, fontweight="bold")
            y += 1
        for _, row in rows.iterrows():
            colour = styles[row["claimant"]]["color"]
            lo_ = float(row["value_low"] if pd.notna(row["value_low"]) else row["value"])
            hi_ = float(row["value_high"] if pd.notna(row["value_high"]) else row["value"])
            # On the page the bar links to its claim's ledger row.
            charts.link_claim(ax.barh(y, lo_, height=0.55, color=colour, zorder=2)[0], row["claim_id"])
            end = hi_
            if hi_ > lo_:
                ax.barh(y, hi_ - lo_, left=lo_, height=0.55, color=colour, alpha=0.35, hatch="////",
                        edgecolor=colour, linewidth=0, zorder=2)
            if row["bound"] in ("floor", "ceiling"):
                sign = 1 if row["bound"] == "floor" else -1
                ax.annotate("", xy=(hi_ + sign * arrow, y), xytext=(hi_, y),
                            arrowprops=dict(arrowstyle="-|>", color="#222222", lw=1.6, shrinkA=0, shrinkB=0),
                            zorder=3)
                end = hi_ + max(sign, 0) * arrow
            ax.text(end + 0.015 * xmax, y, figure_text(row), va="center", ha="left", fontsize=8.5,
                    color="#222222")
            ax.text(0.005 * xmax, y + 0.55, captions.get(row["claim_id"], ""), va="center", ha="left",
                    fontsize=7.5, color="#555555")
            ticks.append(y)
            labels.append(names[row["claim_id"]])
            y += 1.4
        y += 0.2
    ax.set_yticks(ticks, labels, fontsize=8.5)
    ax.set_ylim(y - 0.45, -0.7)
    ax.set_xlim(0, xmax)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(_billions))
    ax.tick_params(axis="x", labelsize=8.5)
    ax.set_xlabel("US$ billion", fontsize=8.5, loc="left")
    ax.set_title(title, fontsize=10.5, loc="left")


def _month_only(fig, as_of: pd.Timestamp, precision: str) -> None:
    """add_provenance writes the as-of date to the day; where the newest claim gives only its month
    (the ledger's 15th stands in), say the month, so the chart claims no precision the data lack."""
    if precision != "month":
        return
    # Drop the day and the space after it, keeping a line break if the wrap put one there.
    day = re.compile(rf"\b{as_of.day}(\s+)(?={as_of:%B}\s+{as_of:%Y})")
    for text in fig.texts:
        if "Claims as of" in text.get_text():
            text.set_text(day.sub(lambda m: "\n" if "\n" in m.group(1) else "", text.get_text()))


def returns_figure(ledger: Ledger):
    """Yearly estimates by claimant above; one study's two sides of the exchange below."""
    yearly = yearly_claims(ledger)
    pair = both_sides(ledger)
    claims = plotted_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    groups = [(header, yearly[yearly["measure"] == m]) for m, header in YEARLY.items()]
    groups = [(h, g) for h, g in groups if not g.empty]
    n_top = sum(len(g) * 1.4 + 1.2 for _, g in groups)
    n_bottom = len(pair) * 1.4 + 0.4 if not pair.empty else 0
    newest = facts.newest_claim(claims)
    # Made before mathematical notation is turned off below: the arrow marker is drawn with it.
    grey = "#555555"
    handles = [
        Line2D([], [], marker="$\u2192$", color="#222222", linestyle="none", markersize=10,
               label="more than (\u2190 up to)"),
        Patch(facecolor=grey, alpha=0.35, hatch="////", edgecolor=grey, linewidth=0,
              label="range given by the claimant"),
    ]
    # Dollar signs are text here, not the delimiters of mathematical notation.
    with plt.rc_context({**charts.STYLE, "text.parse_math": False}):
        fig = charts.figure(7.6, 3.4 + 0.28 * (n_top + n_bottom))
        top, bottom = charts.add_provenance(
            fig, chart_title(ledger),
            "Each bar is one claim; colours mark the claimant's country. The upper panel shows estimates of "
            "a year's earnings, labelled with the claimant and the date each refers to; claimants measure "
            "different things, so their figures are not added or averaged. The lower panel sets side by side "
            "the two values one study gives for the whole exchange.",
            f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography",
            newest["claimed_on"],
        )
        _month_only(fig, newest["claimed_on"], newest["claimed_on_precision"])
        height = fig.get_size_inches()[1]
        ratios = [n_top] + ([n_bottom] if n_bottom else [])
        grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0.55, left=0.4, right=0.95,
                                top=top, bottom=bottom + 0.75 / height)
        names = {r["claim_id"]: f"{styles[r['claimant']]['label']}, {date_text(r['as_of'], r['as_of_precision'])}"
                 for _, r in yearly.iterrows()}
        _draw_rows(fig.add_subplot(grid[0]), groups, styles, names, BASIS, "What North Korea earns in a year",
                   float(high(yearly).max()) * 1.75)
        if n_bottom:
            study = pair.iloc[0]
            names = {r["claim_id"]: SIDE_NAMES[r["measure"]] for _, r in pair.iterrows()}
            when = date_text(study["as_of"], study["as_of_precision"])
            captions = {r["claim_id"]: f"{r['claimant_short_name']}, {when}" for _, r in pair.iterrows()}
            _draw_rows(fig.add_subplot(grid[1]), [("", pair)], styles, names, captions,
                       "Both sides of the exchange in one study", float(high(pair).max()) * 1.45)
        fig.legend(handles=handles, loc="lower left", ncol=2, fontsize=8.5, frameon=False,
                   bbox_to_anchor=(0.02, bottom - 0.02 / height), handletextpad=0.4, columnspacing=1.6)
    return fig


def newest_text(ledger: Ledger) -> str:
    """The date of the newest claim on returns (the shared fact), as prose gives it."""
    rows = facts.newest_by_topic(ledger)
    row = rows[rows["topic"] == TOPIC].iloc[0]
    return date_text(row["claimed_on"], row["claimed_on_precision"])


# Kirby set the March 2024 deliveries against the UN's yearly cap on refined petroleum; the ledger
# gives the cap only in that claim's note.
CAP_CLAIM, CAP_PATTERN = "returns-us-wh-2024-05-02-oil", r"UN cap of ([\d,]+ barrels a year)"


def oil_cap(ledger: Ledger) -> float:
    """The UN's yearly cap on refined petroleum for North Korea, in barrels, as Kirby's claim notes it."""
    return float(note_phrase(ledger.claim(CAP_CLAIM), CAP_PATTERN).split()[0].replace(",", ""))


def share_of_cap_text(ledger: Ledger, claim_id: str) -> str:
    """A delivery against the yearly cap in words: 'about a third'; 'more than twice' for a lower
    bound that is a whole multiple of the cap or more (the bound then holds for the multiple too)."""
    row = ledger.claim(claim_id)
    ratio = float(row["value"]) / oil_cap(ledger)
    if ratio >= 1 and float(ratio).is_integer() or (ratio >= 1 and row["bound"] == "floor"):
        times = {1: "the whole of", 2: "twice", 3: "three times"}.get(int(ratio), f"{int(ratio)} times")
        word = "more than " if row["bound"] == "floor" else ("" if float(ratio).is_integer() else "about ")
        return f"{word}{times}"
    if ratio >= 1:
        return f"about {ratio:.0f} times"
    return f"about {FRACTIONS.get(round(1 / ratio), f'1/{round(1 / ratio)}')}"


FIGURES = [Chart("fig-returns-value", "chapters/returns.md", returns_figure, plotted_claims)]
