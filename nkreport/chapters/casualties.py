"""The casualties chapter's data and charts: Russian and North Korean losses, by claimant and kind of claim."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator
from matplotlib.transforms import blended_transform_factory

from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import figure_text, thousands

# The ledger topics chapters/casualties.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("ru_casualties", "nk_casualties", "troops")

# Each panel holds one measure, so a killed figure never sits on the scale of a killed-and-wounded
# total, and the named dead (a count of individuals) are drawn as an area, not as estimates.
# (panel title, measures, top of the y scale, tick step, height in inches)
RU_PANELS = (
    ("Killed and wounded since February 2022", ("ru_killed_wounded",), 1_350_000, 250_000, 2.9),
    ("Killed since February 2022: estimates, and the dead confirmed by name",
     ("ru_killed", "ru_killed_named"), 560_000, 100_000, 2.4),
)
RU_NAMED = "ru_killed_named"

# Figures for one two-day clash or one week (nk_killed_wounded_in_period) are not running totals,
# so they stay out of the chart and are discussed in the text and the table.
NK_PANELS = (
    ("Killed and wounded, running totals", ("nk_killed_wounded",), 7_000, 1_000, 2.4),
    ("Killed", ("nk_killed", "nk_killed_memorial_wall", "nk_killed_engineers"), 2_300, 500, 1.6),
    ("Wounded", ("nk_wounded",), 4_700, 1_000, 1.2),
    ("Captured alive: confirmed counts", ("nk_captured",), 3, 1, 0.7),
)
# North Korea's own partial acknowledgements, labelled on the chart so no one reads them as totals.
NK_PARTIAL = {"nk_killed_memorial_wall": "named on a memorial wall",
              "nk_killed_engineers": "engineers of one regiment"}

ROLE_GROUPS = (
    ("Governments and alliances not at war", ("third_party_government", "international_org")),
    ("Parties to the war (belligerents' claims)", ("belligerent",)),
    ("Researchers and media", ("independent",)),
)
NAMED_COLOUR, NAMED_FILL = "#555555", "#E3E3E3"
NK_DODGE_DAYS = 4


def topic_claims(ledger: Ledger, topic: str) -> pd.DataFrame:
    """Every claim of one topic, by date: what the chapter's tables list."""
    claims = ledger.claims
    return claims[claims["topic"] == topic].sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def _plotted(ledger: Ledger, topic: str, panels) -> pd.DataFrame:
    measures = [m for _, ms, *_ in panels for m in ms]
    claims = topic_claims(ledger, topic)
    return claims[claims["measure"].isin(measures)].reset_index(drop=True)


def ru_plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the Russian-losses chart draws."""
    return _plotted(ledger, "ru_casualties", RU_PANELS)


def nk_plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the North Korean-losses chart draws."""
    return _plotted(ledger, "nk_casualties", NK_PANELS)


def is_third_party(claims: pd.DataFrame) -> pd.Series:
    """Claims by governments and alliances not at war and by researchers: not a belligerent's, not a newsroom's."""
    return claims["claimant_role"].ne("belligerent") & claims["claim_kind"].ne("report")


def chart_styles(ledger: Ledger, claims: pd.DataFrame) -> dict[str, dict]:
    """The book's claimant styles, with no two claimants in one chart drawn alike.

    claimant_styles() gives markers by order within a country, and after eight independent
    claimants the markers repeat (CSIS would look like the New York Times); a claimant that
    would share colour and marker with another one in the same chart gets the next free marker.
    """
    styles = charts.claimant_styles(ledger.claimants)
    shown = list(dict.fromkeys(c for c in styles if c in set(claims["claimant"])))
    taken: set[tuple[str, str]] = set()
    for claimant in shown:
        style = dict(styles[claimant])
        if (style["color"], style["marker"]) in taken:
            style["marker"] = next(m for m in charts.MARKERS if (style["color"], m) not in taken)
        taken.add((style["color"], style["marker"]))
        styles[claimant] = style
    return styles


def _time_axis(ax, left, right, months=(1, 7), fmt="%b\n%Y"):
    ax.set_xlim(left, right)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt))


def _draw_named(ax, rows: pd.DataFrame, right: pd.Timestamp) -> None:
    """The named dead as a stepped area: each update is a floor that holds until the next one."""
    if rows.empty:
        return
    rows = rows.sort_values("as_of")
    x = list(rows["as_of"]) + [right]
    y = list(rows["value"].astype(float)) + [float(rows["value"].iloc[-1])]
    ax.fill_between(x, y, step="post", color=NAMED_FILL, zorder=0, linewidth=0)
    ax.step(x, y, where="post", color=NAMED_COLOUR, linewidth=1.2, zorder=1)
    last = rows.iloc[-1]
    # Inside the area, at its lower right, where no estimate is drawn.
    ax.text(right - pd.Timedelta(days=20), 0.07, transform=blended_transform_factory(ax.transData, ax.transAxes),
            s=f"Dead confirmed by name: {figure_text(last)}\nby {last['as_of']:%-d %B %Y} (a minimum)",
            ha="right", va="bottom", fontsize=8, color="#333333", zorder=1)


def _legends(ax, claims: pd.DataFrame, styles: dict[str, dict], kinds: list) -> float:
    """Claimants grouped by who they are (so a belligerent's claim is never read as neutral), then how to read the marks.

    Each group is its own legend, placed after the previous one is measured, so long names never
    overlap. Returns the lowest point drawn, in axes fraction (below 0: the legends need more room).
    """
    ax.axis("off")
    handles = {h.get_label(): h for h in charts.claimant_legend_handles(claims, styles)}
    renderer = ax.figure.canvas.get_renderer()
    to_axes = ax.transAxes.inverted()
    common = dict(fontsize=8.2, title_fontsize=8.6, alignment="left", handletextpad=0.3,
                  borderaxespad=0, labelspacing=0.35)
    gap = 0.14 / (ax.get_position().height * ax.figure.get_figheight())  # 0.14 in, as axes fraction
    # Claimants in two columns (governments not at war; beside them belligerents, then
    # researchers), and how to read the marks in one row beneath.
    x, bottom = 0.0, 1.0
    for column in ((ROLE_GROUPS[0],), (ROLE_GROUPS[1], ROLE_GROUPS[2])):
        y, right = 1.0, x
        for title, roles in column:
            group = claims[claims["claimant_role"].isin(roles)]
            labels = [styles[c]["label"] for c in styles if c in set(group["claimant"])]
            if not labels:
                continue
            legend = ax.legend(handles=[handles[lab] for lab in labels], loc="upper left",
                               bbox_to_anchor=(x, y), title=title, **common)
            ax.add_artist(legend)
            box = legend.get_window_extent(renderer).transformed(to_axes)
            y, right, bottom = box.y0 - gap, max(right, box.x1), min(bottom, box.y0)
        x = right + 0.07
    for ncol in (len(kinds), 2, 1):  # one row if it fits the width
        legend = ax.legend(handles=kinds, loc="upper left", bbox_to_anchor=(0, bottom - 1.4 * gap),
                           ncol=ncol, title="How to read", columnspacing=1.4,
                           **{**common, "handletextpad": 0.4})
        box = legend.get_window_extent(renderer).transformed(to_axes)
        if box.x1 <= 1.0:
            break
    return box.y0


def _encoding(claims: pd.DataFrame, confirmed_label: str | None = None) -> list:
    """How to read the marks this chart uses, and only those."""
    grey = "#555555"
    handles = []
    bounds = set(claims.loc[claims["value_low"].isna(), "bound"])
    if bounds & {"floor", "ceiling"}:
        handles.append(Line2D([], [], marker="$\u2191$", color=grey, linestyle="none", markersize=9,
                              label="At least (lower bound); \u2193 up to"))
    if claims["value_low"].notna().any():
        handles.append(Line2D([], [], color=grey, linewidth=2.5, label="Range given by the claimant"))
    if confirmed_label:
        handles.append(Patch(facecolor=NAMED_FILL, edgecolor=NAMED_COLOUR, label=confirmed_label))
    return handles


def _chart(claims, styles, panels, words: tuple[str, str, str, pd.Timestamp], span, kinds,
           draw_extra=None, months=(1, 7), dodge_days=12, legend_inches=1.8, gap_inches=0.5):
    """A column of panels over one time axis, provenance above and legends below.

    Panel heights are in inches and the figure grows to fit them, so the legends always have the
    room they need: if they spill over, the figure is drawn again with a taller legend area.
    """
    left_date, right_date = span
    for _ in range(3):
        probe = plt.figure(figsize=(7.6, 10))
        top, bottom = charts.add_provenance(probe, *words)
        head, foot = (1 - top) * 10, bottom * 10
        plt.close(probe)
        heights = [p[4] for p in panels] + [legend_inches]
        height = head + sum(heights) + gap_inches * len(panels) + foot
        fig = plt.figure(figsize=(7.6, height))
        top, bottom = charts.add_provenance(fig, *words)
        grid = fig.add_gridspec(len(heights), 1, height_ratios=heights,
                                hspace=gap_inches / (sum(heights) / len(heights)),
                                left=0.115, right=0.975, top=top, bottom=bottom)
        axes = []
        for r, (title, measures, ymax, step, _) in enumerate(panels):
            ax = fig.add_subplot(grid[r], sharex=axes[0] if axes else None)
            axes.append(ax)
            rows = claims[claims["measure"].isin(measures)].reset_index(drop=True)
            if draw_extra:
                rows = draw_extra(ax, rows, right_date)
            charts.draw_claims_over_time(ax, rows, styles, ymax, x=charts.dodge(rows, dodge_days))
            ax.yaxis.set_major_locator(MultipleLocator(step))
            ax.set_ylim(-0.03 * ymax, ymax)
            ax.set_title(title, fontsize=10)
            _time_axis(ax, left_date, right_date, months)
            ax.tick_params(axis="x", labelbottom=r == len(panels) - 1, labelsize=8.5)
            ax.tick_params(axis="y", labelsize=8.5)
        lowest = _legends(fig.add_subplot(grid[len(panels)]), claims, styles, kinds)
        if lowest >= 0:
            break
        plt.close(fig)
        legend_inches += -lowest * legend_inches + 0.05
    return fig


def ru_headline(ledger: Ledger) -> dict:
    """What the Russian chart's title states: the newest third-party killed-and-wounded estimate and the newest named count."""
    claims = ru_plotted_claims(ledger)
    kw = claims[(claims["measure"] == "ru_killed_wounded") & is_third_party(claims)]
    named = claims[claims["measure"] == RU_NAMED]
    return {"latest_kw": kw.sort_values(["as_of", "claim_id"]).iloc[-1],
            "latest_named": named.sort_values(["as_of", "claim_id"]).iloc[-1],
            "as_of": claims["claimed_on"].max()}


def ru_casualties_figure(ledger: Ledger):
    """Russian losses over time: killed and wounded in one panel; killed estimates over the named dead in the other."""
    claims = ru_plotted_claims(ledger)
    styles = chart_styles(ledger, claims)
    head = ru_headline(ledger)
    kw, named = head["latest_kw"], head["latest_named"]
    left = claims["as_of"].min() - pd.Timedelta(days=45)
    right = max(claims["as_of"].max(), claims["claimed_on"].max()) + pd.Timedelta(days=60)

    def split_named(ax, rows, right_date):
        _draw_named(ax, rows[rows["measure"] == RU_NAMED], right_date)
        return rows[rows["measure"] != RU_NAMED].reset_index(drop=True)

    title = (f"Russian losses: estimates reached {figure_text(kw)} killed or wounded by "
             f"{kw['as_of']:%B %Y}; {figure_text(named)} dead are known by name")
    subtitle = ("Estimates of Russian soldiers killed or wounded, and killed, in the war against Ukraine, "
                "by claimant. Each marker is one claim at the date it refers to; claims of different "
                "claimants are never combined. The grey area is the count of dead identified by name "
                "(a confirmed count, so a minimum), not an estimate. Ukraine's General Staff is a "
                "party to the war and its count is unverified.")
    source = f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography"
    with plt.rc_context(charts.STYLE):
        return _chart(claims, styles, RU_PANELS, (title, subtitle, source, head["as_of"]),
                      (left, right), _encoding(claims, "Dead confirmed by name (a minimum)"),
                      draw_extra=split_named)


def nk_headline(ledger: Ledger) -> dict:
    """What the North Korean chart's title states: the first and newest third-party killed-and-wounded estimates."""
    claims = nk_plotted_claims(ledger)
    kw = claims[(claims["measure"] == "nk_killed_wounded") & is_third_party(claims)]
    kw = kw.sort_values(["as_of", "claim_id"])
    return {"first": kw.iloc[0], "latest": kw.iloc[-1], "as_of": claims["claimed_on"].max()}


def nk_casualties_figure(ledger: Ledger):
    """North Korean losses over time, one panel per measure, by claimant."""
    claims = nk_plotted_claims(ledger)
    styles = chart_styles(ledger, claims)
    head = nk_headline(ledger)
    first, latest = head["first"], head["latest"]
    left = claims["as_of"].min() - pd.Timedelta(days=20)
    right = max(claims["as_of"].max(), claims["claimed_on"].max()) + pd.Timedelta(days=25)

    def label_partial(ax, rows, right_date):
        # Each label sits to the left of its point: the later point's label above, clear of the earlier one.
        partial = rows[rows["measure"].isin(list(NK_PARTIAL))].sort_values("as_of")
        for i, row in enumerate(partial.itertuples()):
            above = i == len(partial) - 1
            ax.annotate(f"{thousands(row.value)} {NK_PARTIAL[row.measure]}\n(North Korea's own figure, partial)",
                        (row.as_of, row.value), xytext=(4, 10) if above else (-9, 0),
                        textcoords="offset points", ha="right", va="bottom" if above else "center",
                        fontsize=7.8, color=styles[row.claimant]["color"])
        return rows

    def captured_labels(ax, rows, right_date):
        label_partial(ax, rows, right_date)
        for row, px in zip(rows.itertuples(), charts.dodge(rows, NK_DODGE_DAYS)):
            if row.measure == "nk_captured":
                ax.annotate(thousands(row.value), (px, row.value), xytext=(0, 6),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7.8,
                            color=styles[row.claimant]["color"])
        return rows

    title = (f"Estimates of North Korean soldiers killed or wounded rose from {figure_text(first)} "
             f"in {first['as_of']:%B %Y} to {figure_text(latest)} by {latest['as_of']:%B %Y}")
    subtitle = ("North Korean soldiers killed, wounded and captured in the war against Ukraine, by "
                "claimant. Each marker is one claim at the date it refers to; claims of different "
                "claimants are never combined. Ukraine and North Korea are parties to the war. The "
                "captured are confirmed counts of prisoners, not estimates. Figures for a single clash "
                "or a single week are left out.")
    source = f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography"
    with plt.rc_context(charts.STYLE):
        return _chart(claims, styles, NK_PANELS, (title, subtitle, source, head["as_of"]),
                      (left, right), _encoding(claims), draw_extra=captured_labels,
                      months=(1, 4, 7, 10), dodge_days=NK_DODGE_DAYS)


FIGURES = [
    Chart("fig-ru-casualties", "chapters/casualties.md", ru_casualties_figure, ru_plotted_claims),
    Chart("fig-nk-casualties", "chapters/casualties.md", nk_casualties_figure, nk_plotted_claims),
]
