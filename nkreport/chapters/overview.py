"""The front page's data and chart: the key figures, each picked from the ledger by a rule, how current each part of the report is, and the headline counts at a glance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from ..data.ledger import Ledger
from ..report import facts
from ..report import style as charts
from ..report.style import Chart
from ..report.text import KIND_LABELS, date_text, escape_cell, figure_text, measure_label

# The ledger topics chapters/overview.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = None

SEED = "nyt2024whatweknow"
# Kinds that state a figure as it stands; a forecast looks ahead and a denial has no figure.
STANDING_KINDS = ("estimate", "official_statement", "confirmed_count", "report")

# Whose figures a key figure may come from, strongest first: governments not at war and bodies of
# governments (the multilateral sanctions-monitoring team, NATO), which see intelligence; then
# independent researchers and the press. A party to the war is never a key figure's claimant.
TIERS = (("third_party_government", "international_org"), ("independent",))

# A figure the ledger's note describes as a conversion from another measure (containers turned
# into shells by an assumed load, tonnes into shell-equivalents), or as possibly one ("whether
# this is a count or a conversion"): a capacity, not a count, so never a key figure. The ledger
# has no column for this yet, so the note's own words decide.
CONVERSION = re.compile(r"\b(?:a|capacity) conversion\b|\bconverted by\b", re.IGNORECASE)


def is_weak(row) -> bool:
    """A claim that rests on one weak source (the ledger's weak_source column)."""
    return row["weak_source"] == "yes"


def is_conversion(row) -> bool:
    """A figure worked out from another measure rather than counted or estimated as such."""
    return bool(CONVERSION.search(row["note"] or ""))


@dataclass(frozen=True)
class KeyFigure:
    """One number of the key-figures box.

    rule "strongest": the newest standing claim of `measure` from the strongest tier of claimants
    that has one, leaving out weak sources and conversions. rule "shared": the claim a function of
    nkreport.report.facts returns, so the box states the same deployment figures as every chapter.
    `label` says what the number counts; "{year}" stands for the year the claim refers to.
    """

    key: str
    measure: str
    label: str
    rule: str = "strongest"
    fact: Callable[[pd.DataFrame], pd.Series] | None = None

    @property
    def glue_name(self) -> str:
        return f"key_{self.key}"


KEY_FIGURES = (
    KeyFigure("combat_troops", "nk_troops_sent_total",
              "North Korean combat troops sent to Russia in the first two waves", "shared", facts.combat_troops_sent),
    KeyFigure("engineers", "nk_engineers_in_russia",
              "combat engineers in Russia, the start of a third deployment", "shared",
              lambda claims: facts.later_deployments(claims)["engineers"]),
    KeyFigure("builders", "nk_builders_in_russia",
              "military construction troops sent to Russia after the combat waves", "shared",
              lambda claims: facts.later_deployments(claims)["builders"]),
    KeyFigure("containers", "nk_containers_to_russia_total", "containers of munitions shipped to Russia"),
    KeyFigure("rounds_in_year", "nk_shells_to_russia_in_year",
              "artillery and rocket rounds shipped to Russia in {year} alone"),
    KeyFigure("missiles", "nk_ballistic_missiles_supplied", "ballistic missiles supplied to Russia"),
    KeyFigure("nk_casualties", "nk_killed_wounded", "North Korean soldiers killed or wounded"),
    KeyFigure("nk_killed", "nk_killed", "North Korean soldiers killed"),
    KeyFigure("ru_casualties", "ru_killed_wounded", "Russian soldiers killed or wounded since February 2022"),
)

BY_KEY = {figure.key: figure for figure in KEY_FIGURES}


def candidates(ledger: Ledger, figure: KeyFigure) -> pd.DataFrame:
    """Every claim a "strongest" rule allows, from the strongest tier that has one, oldest first."""
    claims = ledger.claims
    rows = claims[(claims["measure"] == figure.measure) & claims["claim_kind"].isin(STANDING_KINDS)
                  & (claims["value"].notna() | claims["value_low"].notna())]
    rows = rows[~rows.apply(is_weak, axis=1) & ~rows.apply(is_conversion, axis=1)] if len(rows) else rows
    for roles in TIERS:
        tier = rows[rows["claimant_role"].isin(roles)]
        if not tier.empty:
            return tier.sort_values(["as_of", "claimed_on", "claim_id"])
    return rows.iloc[0:0]


def pick(ledger: Ledger, figure: KeyFigure) -> pd.Series:
    """The claim a key figure shows."""
    if figure.rule == "shared":
        return figure.fact(ledger.claims)
    rows = candidates(ledger, figure)
    if rows.empty:
        raise ValueError(f"no claim of '{figure.measure}' fits the rule of key figure '{figure.key}': "
                         "a standing claim with a figure, by a claimant not at war, not weak, not a conversion")
    return rows.iloc[-1]


def label(figure: KeyFigure, row: pd.Series) -> str:
    """What the figure counts, as the box says it."""
    return figure.label.format(year=row["as_of"].year)


def key_figures(ledger: Ledger) -> pd.DataFrame:
    """The claims the key-figures box shows, one ledger row per key figure, in the box's order
    (with the figure's key and label in front; nkreport/build/readme.py writes the README's table from it)."""
    picked = [(f, pick(ledger, f)) for f in KEY_FIGURES]
    rows = pd.DataFrame([row for _, row in picked])
    rows.insert(0, "label", [label(f, row) for f, row in picked])
    rows.insert(0, "key", [f.key for f in KEY_FIGURES])
    return rows.reset_index(drop=True)


def attribution(row: pd.Series) -> str:
    """'South Korea: NIS · estimate · as of 30 Apr 2025', and a warning if the source is weak."""
    text = (f"{row['claimant_short_name']} · {KIND_LABELS[row['claim_kind']]} · "
            f"as of {date_text(row['as_of'], row['as_of_precision'])}")
    return text + (" · weak source, see the note" if is_weak(row) else "")


def as_of(ledger: Ledger) -> pd.Series:
    """The newest of the key-figure claims: the date the box is as of."""
    rows = key_figures(ledger)
    return rows.sort_values(["as_of", "claimed_on"]).iloc[-1]


def seed_claim(ledger: Ledger, measure: str) -> pd.Series:
    """The seed article's one claim of a measure."""
    claims = ledger.claims
    rows = claims[(claims["measure"] == measure) & claims["source"].str.split("; ").apply(lambda k: SEED in k)]
    if len(rows) != 1:
        raise ValueError(f"the seed article has {len(rows)} claims of '{measure}'; expected one")
    return rows.iloc[0]


NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def in_words(value: float) -> str:
    """Small whole numbers as words, as prose writes them ('six nuclear tests'); others as digits."""
    return NUMBER_WORDS[int(value)] if float(value).is_integer() and 0 <= value < 10 else f"{value:,.0f}"


def months_in_words(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """The whole months from one date to another, as prose says them: 'a year', 'eight months', '14 months'."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return "a year" if months == 12 else "a month" if months == 1 else f"{in_words(months)} months"


# --- How current each part of the report is -----------------------------------------------------

# Each topic of the ledger, as the reader knows it: the part of the report and the chapter that uses it,
# in the book's order.
TOPIC_PARTS = {
    "timeline": ("Timeline", "ch-timeline"),
    "troops": ("Troops sent", "ch-troops"),
    "operations": ("How the troops fought", "ch-operations"),
    "nk_casualties": ("North Korean losses", "ch-casualties"),
    "ru_casualties": ("Russian losses", "ch-casualties"),
    "shipments": ("Arms shipments", "ch-shipments"),
    "returns": ("What North Korea gets", "ch-returns"),
    "vietnam": ("The Vietnam-era comparison", "ch-vietnam"),
    "response": ("How the world responded", "ch-response"),
    "forces": ("Sizes of armies, for scale", "ch-troops"),
}


def newest_by_part(ledger: Ledger) -> pd.DataFrame:
    """Each topic's newest claim (facts.newest_by_topic), in the book's order of parts."""
    rows = facts.newest_by_topic(ledger)
    unknown = set(rows["topic"]) - set(TOPIC_PARTS)
    if unknown:
        raise ValueError(f"topics {sorted(unknown)} have no part of the report in overview.TOPIC_PARTS; add them")
    order = {topic: i for i, topic in enumerate(TOPIC_PARTS)}
    return rows.sort_values("topic", key=lambda t: t.map(order)).reset_index(drop=True)


def cutoff_table(ledger: Ledger, label: str, caption: str) -> str:
    """The newest claim of each part of the report, as a numbered MyST table."""
    lines = ["| Part of the report | Newest claim made | What it is about | Claimant | Refers to |",
             "|---|---|---|---|---|"]
    for row in newest_by_part(ledger).itertuples():
        part, chapter = TOPIC_PARTS[row.topic]
        lines.append(
            f"| {{ref}}`{part} <{chapter}>` "
            f"| [{date_text(row.claimed_on, row.claimed_on_precision)}]{{.claim-row .claim-row-{row.claim_id}}} "
            f"| {escape_cell(measure_label(row.measure))} | {escape_cell(row.claimant_short_name)} "
            f"| {date_text(row.as_of, row.as_of_precision)} |")
    return f"```{{table}} {caption}\n:name: {label}\n:class: cutoff-table\n\n" + "\n".join(lines) + "\n```"


# --- The "at a glance" chart --------------------------------------------------------------------

# One panel per headline count. A panel holds one measure only, so no panel puts a force present at
# one time beside a total, or killed beside killed-or-wounded.
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


def _level(rows: pd.DataFrame) -> pd.Series:
    """The figure a claim stands for when claims are set in order: its value, or the low end of a range."""
    return rows["value"].fillna(rows["value_low"]).astype(float)


def panel_trends(ledger: Ledger) -> pd.DataFrame:
    """For each panel, in date order: its first and last claim, whether the last is higher than the
    first, and how many claims are lower than some earlier claim (claims do not rise one by one)."""
    claims = plotted_claims(ledger)
    out = []
    for title, measure in PANELS:
        rows = claims[claims["measure"] == measure].sort_values(["as_of", "claimed_on", "claim_id"])
        level = _level(rows)
        below_earlier = int((level < level.cummax().shift(1)).sum())
        out.append({"title": title, "measure": measure, "n": len(rows),
                    "first": rows.iloc[0], "last": rows.iloc[-1],
                    "rose": level.iloc[-1] > level.iloc[0], "below_earlier": below_earlier})
    return pd.DataFrame(out)


def headline(ledger: Ledger) -> dict:
    """What the chart's title states: when each kind of count began, whether every panel ends higher
    than it began, and whether any claim is lower than an earlier one."""
    claims = plotted_claims(ledger)
    trends = panel_trends(ledger)
    first = {m: claims.loc[claims["measure"] == m, "as_of"].min() for _, m in PANELS}
    return {"first_arms": min(first["nk_containers_to_russia_total"], first["nk_shells_to_russia_total"]),
            "first_troops": first["nk_troops_in_russia"],
            "all_rose": bool(trends["rose"].all()), "any_below_earlier": bool(trends["below_earlier"].gt(0).any()),
            "as_of": claims["claimed_on"].max()}


def chart_title(ledger: Ledger) -> str:
    head = headline(ledger)
    title = (f"Munitions were counted from {head['first_arms']:%B %Y}, troops from "
             f"{head['first_troops']:%B %Y}")
    if head["all_rose"]:
        title += "; every count grew"
        if head["any_below_earlier"]:
            title += ", though not claim by claim"
    return title


def _claim_in_words(row: pd.Series) -> str:
    return f"{figure_text(row)} ({row['claimant_short_name']}, {date_text(row['as_of'], row['as_of_precision'])})"


def chart_alt(ledger: Ledger) -> str:
    """The chart's alt text, computed from the rows it draws, so any trend it states is the data's."""
    claims = plotted_claims(ledger)
    parts = [f"Six small charts on a shared time axis from {claims['as_of'].min():%B %Y} to "
             f"{claims['as_of'].max():%B %Y}, one marker per claim coloured by claimant, each panel on its "
             f"own scale; lower bounds carry small upward arrows and ranges are bars. {chart_title(ledger)}."]
    for t in panel_trends(ledger).itertuples():
        if t.n == 1:
            parts.append(f"{t.title}: one claim, {_claim_in_words(t.first)}.")
            continue
        trend = (f"{t.below_earlier} of the later claims {'is' if t.below_earlier == 1 else 'are'} lower than an "
                 "earlier one" if t.below_earlier else "each claim at or above the ones before")
        parts.append(f"{t.title}: {t.n} claims, from {_claim_in_words(t.first)} to {_claim_in_words(t.last)}; "
                     f"{trend}.")
    return " ".join(parts)


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
        fig = charts.figure(7.6, 10.6)
        top_edge, bottom_edge = charts.add_provenance(
            fig, chart_title(ledger),
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


def figure_directive(ledger: Ledger, label: str, glue_name: str, caption: str) -> str:
    """The chart's {glue:figure} directive with its alt text computed from the data (chart_alt), so
    the trend the alt text states is the one the chart draws."""
    alt = " ".join(chart_alt(ledger).split())
    return f"```{{glue:figure}} {glue_name}\n:name: {label}\n:alt: {alt}\n\n{caption}\n```"


# --- The ledger by kind of claim ----------------------------------------------------------------

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


# The chapters' titles, as the front page's list of judgments heads them.
CHAPTER_TITLES = {"timeline": "How it happened", "troops": "The troops", "operations": "How they fought",
                  "casualties": "The losses", "shipments": "The munitions", "returns": "What North Korea gets",
                  "vietnam": "The Vietnam-era comparison", "response": "How the world responded"}
