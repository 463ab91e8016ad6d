"""The front page's data and chart: the key figures, each picked from the ledger by a rule, and the headline counts at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import KIND_LABELS, date_text

# The ledger topics chapters/overview.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = None

SEED = "nyt2024whatweknow"
# Kinds that state a figure as it stands; a forecast looks ahead and a denial has no figure.
STANDING_KINDS = ("estimate", "official_statement", "confirmed_count", "report")


def _not_at_war(claims: pd.DataFrame) -> pd.Series:
    return claims["claimant_role"] == "third_party_government"


def _south_korea(claims: pd.DataFrame) -> pd.Series:
    return claims["claimant_country"] == "South Korea"


def _seed(claims: pd.DataFrame) -> pd.Series:
    return claims["source"].str.split("; ").apply(lambda keys: SEED in keys)


# Whose claims a key figure may come from, and how the front page says so.
CLAIMANT_RULES: dict[str, tuple[Callable[[pd.DataFrame], pd.Series], str]] = {
    "not_at_war": (_not_at_war, "the newest figure from a government not at war"),
    "south_korea": (_south_korea, "the newest South Korean figure"),
    "seed": (_seed, "the seed article's figure"),
}


@dataclass(frozen=True)
class KeyFigure:
    """One number of the key-figures box: the newest standing claim of `measure` that `rule` allows."""

    key: str
    measure: str
    rule: str

    @property
    def glue_name(self) -> str:
        return f"key_{self.key}"


KEY_FIGURES = (
    KeyFigure("troops_sent", "nk_troops_sent_total", "not_at_war"),
    KeyFigure("containers", "nk_containers_to_russia_total", "south_korea"),
    KeyFigure("shells", "nk_shells_to_russia_total", "south_korea"),
    KeyFigure("missiles", "nk_ballistic_missiles_supplied", "not_at_war"),
    KeyFigure("nk_casualties", "nk_killed_wounded", "not_at_war"),
    KeyFigure("nk_killed", "nk_killed", "not_at_war"),
    KeyFigure("ru_casualties", "ru_killed_wounded", "not_at_war"),
    KeyFigure("ru_casualties_seed", "ru_killed_wounded", "seed"),
    KeyFigure("vietnam", "kr_troops_vietnam_total", "seed"),
    KeyFigure("army", "nk_active_military_personnel", "seed"),
    KeyFigure("nuclear_tests", "nk_nuclear_tests", "seed"),
)

BY_KEY = {figure.key: figure for figure in KEY_FIGURES}


def candidates(ledger: Ledger, figure: KeyFigure) -> pd.DataFrame:
    """Every claim the rule of a key figure allows, oldest first."""
    claims = ledger.claims
    allowed, _ = CLAIMANT_RULES[figure.rule]
    rows = claims[(claims["measure"] == figure.measure) & claims["claim_kind"].isin(STANDING_KINDS)
                  & (claims["value"].notna() | claims["value_low"].notna()) & allowed(claims)]
    return rows.sort_values(["as_of", "claimed_on", "claim_id"])


def pick(ledger: Ledger, figure: KeyFigure) -> pd.Series:
    """The claim a key figure shows: the newest by the date it refers to (then by when it was made)."""
    rows = candidates(ledger, figure)
    if rows.empty:
        raise ValueError(f"no claim of '{figure.measure}' fits the rule '{figure.rule}' for key figure '{figure.key}'")
    if figure.rule == "seed" and len(rows) > 1:
        raise ValueError(f"the seed article has {len(rows)} claims of '{figure.measure}'; expected one")
    return rows.iloc[-1]


def key_figures(ledger: Ledger) -> pd.DataFrame:
    """The claims the key-figures box shows, one per key figure, in the box's order."""
    rows = pd.DataFrame([pick(ledger, f) for f in KEY_FIGURES])
    rows.insert(0, "key", [f.key for f in KEY_FIGURES])
    return rows.reset_index(drop=True)


def is_weak(row: pd.Series) -> bool:
    """Curators open the note of a claim that rests on one weak source with 'Weak'."""
    return str(row["note"]).startswith("Weak")


def attribution(row: pd.Series) -> str:
    """'South Korea: NIS · estimate · as of 30 Apr 2025', and a warning if the source is weak."""
    text = (f"{row['claimant_short_name']} · {KIND_LABELS[row['claim_kind']]} · "
            f"as of {date_text(row['as_of'], row['as_of_precision'])}")
    return text + (" · weak source, see the note" if is_weak(row) else "")


def as_of(ledger: Ledger) -> pd.Series:
    """The newest of the key-figure claims: the date the box is as of."""
    rows = key_figures(ledger)
    return rows.sort_values(["as_of", "claimed_on"]).iloc[-1]


NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def in_words(value: float) -> str:
    """Small whole numbers as words, as prose writes them ('six nuclear tests'); others as digits."""
    return NUMBER_WORDS[int(value)] if float(value).is_integer() and 0 <= value < 10 else f"{value:,.0f}"


# The "at a glance" chart: one panel per headline count. A panel holds one measure only, so no
# panel puts a force present at one time beside a total, or killed beside killed-or-wounded.
PANELS = (
    ("Soldiers in Russia at one time", "nk_troops_in_russia"),
    ("Soldiers sent in total since Oct 2024", "nk_troops_sent_total"),
    ("Containers of munitions shipped, total", "nk_containers_to_russia_total"),
    ("Artillery shells shipped, total", "nk_shells_to_russia_total"),
    ("North Koreans killed or wounded", "nk_killed_wounded"),
    ("North Koreans killed", "nk_killed"),
)


def plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the overview chart draws: standing claims of the panels' measures."""
    claims = ledger.claims
    rows = claims[claims["measure"].isin([m for _, m in PANELS]) & claims["claim_kind"].isin(STANDING_KINDS)
                  & (claims["value"].notna() | claims["value_low"].notna())]
    return rows.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def _top(rows: pd.DataFrame) -> float:
    return float(pd.concat([rows["value"], rows["value_high"]]).max())


def _nice_ceiling(value: float) -> float:
    """A round axis top a little above the largest figure, leaving room for a lower bound's arrow."""
    target = value * 1.18
    step = 10 ** (len(str(int(target))) - 1)
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * step >= target:
            return m * step
    return 10 * step


def headline(ledger: Ledger) -> dict:
    """What the chart's title states: when each kind of count began, and whether each panel rose."""
    claims = plotted_claims(ledger)
    first = {m: claims.loc[claims["measure"] == m, "as_of"].min() for _, m in PANELS}
    rose = {}
    for _, m in PANELS:
        rows = claims[claims["measure"] == m]
        level = rows["value"].fillna(rows["value_low"]).astype(float)
        rose[m] = level.iloc[-1] > level.iloc[0]
    return {"first_arms": min(first["nk_containers_to_russia_total"], first["nk_shells_to_russia_total"]),
            "first_troops": first["nk_troops_in_russia"],
            "all_rose": all(rose.values()), "as_of": claims["claimed_on"].max()}


def reading_legend_handles() -> list[Line2D]:
    """How a mark reads, for a chart with no forecasts or denials."""
    grey = "#555555"
    return [
        Line2D([], [], marker="o", color=grey, linestyle="none", label="Figure as claimed"),
        Line2D([], [], marker="$\u2191$", color=grey, linestyle="none", markersize=9,
               label="At least (\u2193 at most)"),
        Line2D([], [], color=grey, linewidth=2.5, label="Range given by the claimant"),
    ]


def at_a_glance_figure(ledger: Ledger):
    """Six small panels on one time axis: troops, munitions and North Korean losses, by claimant."""
    claims = plotted_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    start = claims["as_of"].min() - pd.Timedelta(days=30)
    end = claims["as_of"].max() + pd.Timedelta(days=30)
    with plt.rc_context(charts.STYLE):
        fig = plt.figure(figsize=(7.6, 10.6))
        title = (f"Munitions were counted from {head['first_arms']:%B %Y}, troops from "
                 f"{head['first_troops']:%B %Y}")
        if head["all_rose"]:
            title += "; every count has risen since"
        top_edge, bottom_edge = charts.add_provenance(
            fig, title,
            "North Korea's troops, munitions and losses in Russia's war, at a glance: each marker "
            "is one claim at the date it refers to, coloured by claimant; forecasts and denials "
            "are left out. Each panel has its own scale; claimants are never combined.",
            f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography",
            head["as_of"],
        )
        grid = fig.add_gridspec(4, 2, height_ratios=[2, 2, 2, 2.05], wspace=0.28, hspace=0.45,
                                left=0.1, right=0.98, top=top_edge, bottom=bottom_edge)
        first_ax = None
        for i, (panel_title, measure) in enumerate(PANELS):
            ax = fig.add_subplot(grid[i // 2, i % 2], sharex=first_ax)
            first_ax = first_ax or ax
            rows = claims[claims["measure"] == measure].reset_index(drop=True)
            charts.draw_claims_over_time(ax, rows, styles, _nice_ceiling(_top(rows)),
                                         x=charts.dodge(rows, 9))
            ax.set_title(panel_title, fontsize=9.5)
            ax.tick_params(axis="both", labelsize=8)
            ax.tick_params(axis="x", labelbottom=i >= len(PANELS) - 2)
            ax.yaxis.set_major_locator(plt.MaxNLocator(4))
        first_ax.set_xlim(start, end)
        first_ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
        first_ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
        legend_ax = fig.add_subplot(grid[3, :])
        legend_ax.axis("off")
        who = legend_ax.legend(handles=charts.claimant_legend_handles(claims, styles), loc="upper left",
                               bbox_to_anchor=(0, 1), ncol=3, fontsize=8, title="Claimant",
                               title_fontsize=8.5, alignment="left", handletextpad=0.3,
                               columnspacing=0.9, borderaxespad=0, labelspacing=0.35)
        legend_ax.add_artist(who)
        legend_ax.legend(handles=reading_legend_handles(), loc="lower left", bbox_to_anchor=(0, 0),
                         ncol=3, fontsize=8, title="How to read", title_fontsize=8.5, alignment="left",
                         handletextpad=0.4, columnspacing=1.5, borderaxespad=0)
    return fig


def claims_by_kind(ledger: Ledger) -> pd.DataFrame:
    """Counts of claims by kind and by who makes them (belligerent, government not at war, other)."""
    groups = {"belligerent": "Parties to the war", "third_party_government": "Governments not at war",
              "international_org": "International organisations", "independent": "Media and researchers"}
    claims = ledger.claims
    table = pd.crosstab(claims["claim_kind"], claims["claimant_role"]).reindex(
        index=list(KIND_LABELS), columns=list(groups), fill_value=0)
    table.index = [KIND_LABELS[k] for k in table.index]
    table.columns = [groups[c] for c in table.columns]
    table["All"] = table.sum(axis=1)
    return table


def kinds_table(ledger: Ledger, label: str, caption: str) -> str:
    """The claims_by_kind counts as a numbered MyST table that {numref} can point to."""
    table = claims_by_kind(ledger)
    head = "| Kind of claim | " + " | ".join(table.columns) + " |"
    lines = [head, "|---|" + "|".join("--:" for _ in table.columns) + "|"]
    for kind, row in table.iterrows():
        lines.append(f"| {kind} | " + " | ".join(str(int(v)) for v in row) + " |")
    total = table.sum()
    lines.append("| **All kinds** | " + " | ".join(f"**{int(v)}**" for v in total) + " |")
    return f"```{{table}} {caption}\n:name: {label}\n:class: kinds-table\n\n" + "\n".join(lines) + "\n```"


FIGURES = [Chart("fig-overview", "chapters/overview.md", at_a_glance_figure, plotted_claims)]
