"""The timeline chapter's data and chart: dated events from the 2023 summit to the newest claim, in lanes.

The response chapter (nkreport/response.py) shares three helpers from here: `TimeScale`, a date
axis whose scale changes from one period to the next; `place_labels`, which stacks labels so they
never overlap; and `glue_events`, which glues an event's date together with its citation.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import cite, date_text, figure_text, measure_label

# The ledger topics chapters/timeline.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("timeline", "response", "troops", "shipments", "nk_casualties")

# Lanes, left to right: what kind of event each is. A measure not listed here goes to the lane
# of `DEFAULT_LANE` (tests/test_timeline_chapter.py fails until it is given a lane).
LANES = (
    ("diplomacy", "Summits and\nthe treaty"),
    ("sent", "Arms and\ntroops sent"),
    ("combat", "Combat and\nlosses"),
    ("admission", "Denial, admission\nand remembrance"),
)
LANE_OF_MEASURE = {
    "summit": "diplomacy",
    "treaty_signed": "diplomacy",
    "kim_putin_meetings": "diplomacy",
    "treaty_ratified": "diplomacy",
    "treaty_in_force": "diplomacy",
    "leaders_meeting": "diplomacy",
    "nk_containers_to_russia_total": "sent",
    "nk_troops_in_russia": "sent",
    "deployment_disclosed": "sent",
    "deployment_confirmed": "sent",
    "us_confirms_nk_troops_in_russia": "sent",
    "engineers_announced": "sent",
    "engineers_returned": "sent",
    "first_combat": "combat",
    "prisoners_captured": "combat",
    "pullback": "combat",
    "return_to_front": "combat",
    "nk_killed": "combat",
    "deployment_acknowledged": "admission",
    "deployment_praised": "admission",
    "memorial": "admission",
    "remains_repatriated": "admission",
    "award_ceremony": "admission",
}
DEFAULT_LANE = "sent"

# Claims of other topics that mark an event: the first arms shipments made public, the first
# troop count, the first denials and the first official death toll.
EXTRA_EVENTS = (
    "ship-containers-whitehouse-2023-10-13",
    "troops-ru-denial-2024-10-10",
    "troops-nis-2024-10-13-special-forces",
    "troops-kp-denial-2024-10-21",
    "nkcas-nis-2025-01-13-killed",
)

# Short labels for the chart, in our words; {figure} is the claim's figure as the ledger gives it.
# A row without a label of its own shares the label of the row named in SHARED_LABEL.
LABELS = {
    "timeline-ru-2023-09-13-vostochny": "Kim and Putin meet at the Vostochny cosmodrome",
    "ship-containers-whitehouse-2023-10-13": "US: {figure} containers of arms shipped to Russia",
    "timeline-ru-2024-06-19-treaty-signed": "Putin and Kim sign a mutual-defence treaty",
    "timeline-nyt-2024-10-23-meetings": "NYT counts {figure} Kim–Putin meetings since 2023",
    "timeline-ru-2024-10-24-duma": "Duma ratifies the treaty",
    "timeline-ru-2024-11-06-federation-council": "Federation Council approves it",
    "timeline-ru-2024-11-09-putin-law": "Putin signs the ratification law",
    "timeline-kp-2024-11-11-kim-decree": "Kim ratifies it by decree",
    "timeline-kp-2024-12-04-in-force": "Treaty enters into force",
    "timeline-ru-2025-09-03-beijing": "Putin thanks Kim for the troops in Beijing",
    "troops-nis-2024-10-13-special-forces": "NIS: {figure} special forces shipped to Vladivostok, then inland",
    "timeline-kr-nis-2024-10-18-disclosure": "NIS discloses the deployment",
    "timeline-us-2024-10-23-confirmation": "US defence secretary confirms troops in Russia",
    "timeline-nato-2024-10-28-confirmation": "NATO confirms units in Kursk",
    "timeline-us-state-2024-11-13-combat": "Blinken: the troops are in combat",
    "timeline-ru-2025-06-17-shoigu": "Shoigu: sappers and builders will go to Kursk",
    "timeline-kp-2025-12-12-engineers": "Engineer regiment welcomed home",
    "timeline-ua-ccd-2024-11-04-first-fire": "Ukraine reports the first clashes",
    "timeline-ua-president-2025-01-11-prisoners": "Ukraine captures the first soldiers alive",
    "nkcas-nis-2025-01-13-killed": "NIS: {figure} killed",
    "timeline-nyt-2025-01-30-pullback": "Pulled back from the front (NYT, NIS)",
    "timeline-ua-president-2025-02-07-return": "Back in assaults (Zelensky, NIS)",
    "troops-ru-denial-2024-10-10": "Kremlin calls the reports fake",
    "troops-kp-denial-2024-10-21": "North Korea at the UN: rumours",
    "timeline-ru-2025-04-26-acknowledged": "Russia acknowledges the troops",
    "timeline-kp-2025-04-28-acknowledged": "North Korea acknowledges; Putin thanks Kim",
    "timeline-kp-2025-06-29-coffins": "Kim at soldiers' coffins on state TV",
    "timeline-ru-2025-07-12-monument": "Lavrov promises a monument",
    "timeline-kp-2025-08-01-repatriation": "Coffins flown home from Russia",
    "timeline-kp-2025-08-22-awards": "Kim awards 'Hero' titles",
    "timeline-kp-2025-10-23-museum": "Ground broken for a memorial museum",
    "timeline-kp-2026-01-05-museum-visit": "Kim visits the museum site",
    "timeline-kp-2026-03-16-museum-visit": "KCNA: museum nearly built",
}
SHARED_LABEL = {
    "timeline-nyt-2024-06-treaty": "timeline-ru-2024-06-19-treaty-signed",
    "timeline-ua-mod-2024-11-05-first-clash": "timeline-ua-ccd-2024-11-04-first-fire",
    "timeline-kr-nis-2025-02-04-pullback": "timeline-nyt-2025-01-30-pullback",
    "timeline-kr-nis-2025-02-27-return": "timeline-ua-president-2025-02-07-return",
    "timeline-ru-2025-04-28-putin-thanks": "timeline-kp-2025-04-28-acknowledged",
}
# The NIS dated the shipping to a span of days; the claim's own date is the last of them.
DATE_LABELS = {"troops-nis-2024-10-13-special-forces": "8–13 Oct"}

# The time axis runs down the page. Inches per month of each period: most events fall in the
# five months from October 2024, drawn about eight times larger than the year before them.
STRETCH_START, STRETCH_END = pd.Timestamp("2024-10-01"), pd.Timestamp("2025-03-01")
INCHES_PER_MONTH = (0.1, 0.85, 0.3)
LABEL_SIZE = 7.5


# --- Shared helpers (also used by nkreport/response.py) -------------------------------------

def glue_events(ledger: Ledger, claims: pd.DataFrame) -> None:
    """Glue each claim's date with its citation as {glue:md}`<id>_on`, e.g. '13 Sep 2023 (Outlet, 2023)'.

    Events carry no figure, so `glue_claim`'s figure-and-citation glue would be empty; this one
    lets prose date an event and cite exactly the source the ledger gives for it.
    """
    from myst_nb import glue
    from IPython.display import Markdown

    for claim_id in claims["claim_id"]:
        row = ledger.claim(claim_id)
        text = f"{date_text(row['as_of'], row['as_of_precision'])} {cite(row['source'])}"
        glue(claim_id.replace("-", "_") + "_on", Markdown(text), display=False)


@dataclass(frozen=True)
class TimeScale:
    """Dates to positions on an axis whose scale changes from one period to the next.

    `periods` are (start, end, length) with length in axis units (inches here); periods follow
    one another with `gap` units between them (0: the scale changes but no time is left out).
    Within a period, position is proportional to time.
    """

    periods: tuple[tuple[pd.Timestamp, pd.Timestamp, float], ...]
    gap: float = 0.0

    @property
    def offsets(self) -> list[float]:
        offsets, at = [], 0.0
        for _, _, length in self.periods:
            offsets.append(at)
            at += length + self.gap
        return offsets

    @property
    def length(self) -> float:
        return sum(p[2] for p in self.periods) + self.gap * (len(self.periods) - 1)

    def scaled_to(self, length: float) -> "TimeScale":
        factor = (length - self.gap * (len(self.periods) - 1)) / sum(p[2] for p in self.periods)
        return TimeScale(tuple((s, e, n * factor) for s, e, n in self.periods), self.gap)

    def __call__(self, dates) -> np.ndarray:
        dates = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
        out = np.empty(len(dates))
        for i, day in enumerate(dates):
            # The last period that has begun by this date; earlier dates extend the first period.
            k = max([j for j, p in enumerate(self.periods) if p[0] <= day] or [0])
            start, end, length = self.periods[k]
            out[i] = self.offsets[k] + (day - start) / (end - start) * length
        return out

    def changes(self) -> list[float]:
        """Positions where one period ends and the next begins (the middle of any gap)."""
        return [o - self.gap / 2 for o in self.offsets[1:]]


def place_labels(wanted: list[float], heights: list[float], low: float, high: float,
                 gap: float = 0.04) -> list[float]:
    """Centres for labels as near as possible to `wanted`, in order, none overlapping.

    Labels are pushed along the axis (down, then up if the last runs past `high`), never across
    it, so their order is the order of the events.
    """
    order = np.argsort(wanted, kind="stable")
    tops = [wanted[i] - heights[i] / 2 for i in order]
    size = [heights[i] for i in order]
    for k in range(len(tops)):
        floor = low if k == 0 else tops[k - 1] + size[k - 1] + gap
        tops[k] = max(tops[k], floor)
    for k in reversed(range(len(tops))):
        ceiling = high if k == len(tops) - 1 else tops[k + 1] - gap
        tops[k] = min(tops[k], ceiling - size[k])
    centres = [0.0] * len(wanted)
    for k, i in enumerate(order):
        centres[i] = tops[k] + size[k] / 2
    return centres


def spread(positions: list[float], min_gap: float) -> list[float]:
    """Offsets (0, ±min_gap/2, ...) that move apart points closer than `min_gap`, centred on their cluster."""
    order = np.argsort(positions, kind="stable")
    offsets = [0.0] * len(positions)
    cluster: list[int] = []
    for k, i in enumerate(order):
        if cluster and positions[i] - positions[cluster[-1]] >= min_gap:
            _centre(cluster, offsets, min_gap)
            cluster = []
        cluster.append(i)
    if cluster:
        _centre(cluster, offsets, min_gap)
    return offsets


def _centre(cluster: list[int], offsets: list[float], step: float) -> None:
    for rank, i in enumerate(cluster):
        offsets[i] = (rank - (len(cluster) - 1) / 2) * step


def day_text(row) -> str:
    """'13 Oct', or 'Oct' where only the month is known: the axis gives the year."""
    if row.as_of_precision == "month":
        return f"{row.as_of:%b}"
    if row.as_of_precision == "year":
        return f"{row.as_of:%Y}"
    return f"{row.as_of.day} {row.as_of:%b}"


# --- The timeline's data --------------------------------------------------------------------

def timeline_events(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the timeline chart draws and its table lists: every timeline row and
    the claims of other topics that mark an event, by date."""
    claims = ledger.claims
    rows = claims[(claims["topic"] == "timeline") | claims["claim_id"].isin(EXTRA_EVENTS)]
    return rows.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def lane_of(row) -> str:
    if row.claim_kind == "denial":
        return "admission"
    return LANE_OF_MEASURE.get(row.measure, DEFAULT_LANE)


def label_groups(events: pd.DataFrame) -> dict[str, list]:
    """Label text of each labelled row -> the rows it stands for (itself first)."""
    groups: dict[str, list] = {}
    rows = list(events.itertuples())
    ids = {r.claim_id for r in rows}
    for row in rows:
        primary = SHARED_LABEL.get(row.claim_id)
        if primary in ids:
            continue
        groups[row.claim_id] = [row] + [r for r in rows if SHARED_LABEL.get(r.claim_id) == row.claim_id]
    return groups


def label_text(group: list) -> str:
    """'4–5 Nov: Ukraine reports the first clashes': the date (or span of days) and what happened."""
    row = group[0]
    days = sorted({r.as_of for r in group if r.as_of_precision == "day"})
    if row.claim_id in DATE_LABELS:
        when = DATE_LABELS[row.claim_id]
    elif len(days) > 1 and days[0].month == days[-1].month and days[0].year == days[-1].year:
        when = f"{days[0].day}–{days[-1].day} {days[-1]:%b}"
    else:
        when = day_text(row)
    template = LABELS.get(row.claim_id)
    if template is None:
        figure = figure_text(row._asdict())
        template = measure_label(row.measure) + (f": {figure}" if figure else "") + f" ({row.claimant_short_name})"
    return f"{when}: {template.format(figure=figure_text(row._asdict()))}"


def headline(ledger: Ledger) -> dict:
    """The intervals the chart's title states, computed from the ledger."""
    events = timeline_events(ledger)
    summit = events[events["measure"] == "summit"]["as_of"].min()
    shipped = ledger.claim("troops-nis-2024-10-13-special-forces")["as_of"]
    russian = events[events["claimant_country"] == "Russia"]
    denials = russian[russian["claim_kind"] == "denial"]["as_of"].min()
    admitted = russian[russian["measure"] == "deployment_acknowledged"]["as_of"].min()
    return {
        "summit": summit, "shipped": shipped, "first_denial": denials, "first_admission": admitted,
        "months_to_deployment": round((shipped - summit).days / 30.44),
        "days_to_admission": (admitted - denials).days,
        "as_of": events["claimed_on"].max(),
    }


def lag_words(days: int) -> str:
    """1 -> 'a day', 21 -> 'three weeks', 5 -> 'five days': a delay as prose says it."""
    if days == 1:
        return "a day"
    if days % 7 == 0 and days >= 14:
        return f"{number_word(days // 7)} weeks"
    return f"{number_word(days)} days"


def number_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen")
    return words[n] if 0 <= n < len(words) else str(n)


def time_scale(events: pd.DataFrame) -> TimeScale:
    """Three periods: before the deployment, its first five months (stretched), and after."""
    first = events["as_of"].min().to_period("M").start_time
    last = (events["as_of"].max() + pd.DateOffset(months=1)).to_period("M").start_time
    bounds = (first, STRETCH_START, STRETCH_END, max(last, STRETCH_END + pd.DateOffset(months=1)))
    periods = []
    for start, end, per_month in zip(bounds, bounds[1:], INCHES_PER_MONTH):
        periods.append((start, end, (end - start).days / 30.44 * per_month))
    return TimeScale(tuple(periods))


def time_ticks(scale: TimeScale) -> list[tuple[pd.Timestamp, str]]:
    """Tick dates and labels: every quarter before the stretch, every fortnight in it, every
    other month after it; the year is written at the start of each period and of each year."""
    (a0, a1, _), (b0, b1, _), (c0, c1, _) = scale.periods
    days = [a0] + [d for d in pd.date_range(a0 + pd.DateOffset(months=2), a1 - pd.Timedelta(days=1), freq="MS")
                   if d.month in (1, 4, 7, 10)]
    days += list(pd.date_range(b0, b1 - pd.Timedelta(days=1), freq="SMS"))
    days += [d for d in pd.date_range(c0, c1, freq="MS") if (d.month - c0.month) % 2 == 0]
    ticks = []
    for day in days:
        with_year = day in (a0, b0, c0) or (day.month == 1 and day.day == 1)
        text = f"{day:%b}" if day.day == 1 and day not in (b0,) and not (b0 <= day < b1) else f"{day.day} {day:%b}"
        ticks.append((day, text + (f" {day:%Y}" if with_year else "")))
    return ticks


# --- The timeline chart ---------------------------------------------------------------------

def timeline_figure(ledger: Ledger):
    """Events in four lanes on a date axis that runs down the page, each labelled beside its lane."""
    events = timeline_events(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    nominal = time_scale(events)
    width, head_room, lane_titles, foot = 7.6, 1.2, 0.45, 1.7
    height = nominal.length + head_room + lane_titles + foot
    axis_left, axis_right = 0.78, 0.08
    with plt.rc_context(charts.STYLE):
        fig = plt.figure(figsize=(width, height))
        title = (f"North Korean troops reached Russia {number_word(head['months_to_deployment'])} months "
                 f"after the Kim–Putin summit; Moscow admitted it {head['days_to_admission']} days "
                 f"after first denying it")
        top, bottom = charts.add_provenance(
            fig, title,
            "Dated events by kind, from the first summit to the newest event in the ledger. Each "
            "marker is one claim at the date it refers to, coloured by the claimant's country; the "
            f"time scale is stretched from {STRETCH_START:%B %Y} to "
            f"{STRETCH_END - pd.Timedelta(days=1):%B %Y}, between the dashed lines.",
            f"claims by {charts.claimants_in_words(events)}, as cited in the report's bibliography",
            head["as_of"],
        )
        legend_height = 1.25
        axis_top_in = (1 - top) * height + lane_titles
        axis_bottom_in = bottom * height + legend_height
        axis_h = height - axis_top_in - axis_bottom_in
        axis_w = width - axis_left - axis_right
        ax = fig.add_axes((axis_left / width, axis_bottom_in / height, axis_w / width, axis_h / height))
        scale = nominal.scaled_to(axis_h - 0.1)
        ax.set_xlim(0, axis_w)
        ax.set_ylim(axis_h, 0)
        ax.grid(False)
        for side in ("left", "right", "top", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="x", bottom=False, labelbottom=False)

        ticks = time_ticks(scale)
        positions = scale([t[0] for t in ticks]) + 0.05
        ax.set_yticks(positions, [t[1] for t in ticks], fontsize=8)
        ax.tick_params(axis="y", length=3, color="#999999")
        for y in positions:
            ax.axhline(y, color="#EEEEEE", linewidth=0.7, zorder=0)
        for y in scale.changes():
            ax.axhline(y + 0.05, color="#888888", linewidth=0.9, linestyle=(0, (4, 3)), zorder=0)

        lane_w = axis_w / len(LANES)
        line_h = LABEL_SIZE * 1.22 / 72
        event_y = scale(events["as_of"]) + 0.05
        lanes = [lane_of(r) for r in events.itertuples()]
        for k, (lane, lane_title) in enumerate(LANES):
            x0 = k * lane_w
            if k:
                ax.axvline(x0, color="#DDDDDD", linewidth=0.8, zorder=0)
            ax.text(x0 + 0.08, -0.1, lane_title, fontsize=9, fontweight="bold", va="bottom", ha="left",
                    linespacing=1.15, clip_on=False)
            idx = [i for i, l in enumerate(lanes) if l == lane]
            rows = events.iloc[idx]
            ys = [event_y[i] for i in idx]
            xs = _marker_columns(rows, ys, x0 + 0.14)
            for row, y in zip(rows.itertuples(), ys):
                _draw_event(ax, row, xs[row.claim_id], y, scale, styles)
            label_x = max(xs.values(), default=x0 + 0.14) + 0.15
            chars = int((x0 + lane_w - label_x - 0.04) * 72 / (LABEL_SIZE * 0.54))
            groups = label_groups(rows)
            texts = [textwrap.fill(label_text(g), chars) for g in groups.values()]
            heights = [(t.count("\n") + 1) * line_h for t in texts]
            wanted = [float(np.mean([event_y[events.index[events["claim_id"] == r.claim_id][0]]
                                     for r in g])) for g in groups.values()]
            centres = place_labels(wanted, heights, 0.0, axis_h)
            for group, text, want, centre in zip(groups.values(), texts, wanted, centres):
                ax.text(label_x, centre, text, fontsize=LABEL_SIZE, va="center", ha="left",
                        linespacing=1.1, color="#222222")
                for r in group:
                    y = event_y[events.index[events["claim_id"] == r.claim_id][0]]
                    ax.plot([xs[r.claim_id] + 0.06, label_x - 0.04], [y, centre], color="#AAAAAA",
                            linewidth=0.6, zorder=1)
        legend_ax = fig.add_axes((axis_left / width, bottom, axis_w / width, (legend_height - 0.2) / height))
        _timeline_legends(legend_ax, events, styles)
    return fig


def _marker_columns(rows: pd.DataFrame, ys: list[float], base: float, step: float = 0.085) -> dict[str, float]:
    """x of each marker: events known to the day in one column, moved apart where they would touch;
    events known only to the month in a column of their own to the right, so a month's bar never
    runs through another event's marker."""
    precise = [r.as_of_precision == "day" for r in rows.itertuples()]
    xs = {}
    day_rows = [(r, y) for r, y, p in zip(rows.itertuples(), ys, precise) if p]
    day_offsets = spread([y for _, y in day_rows], step)
    for (row, _), off in zip(day_rows, day_offsets):
        xs[row.claim_id] = base + off
    month_rows = [(r, y) for r, y, p in zip(rows.itertuples(), ys, precise) if not p]
    month_offsets = spread([y for _, y in month_rows], step)
    month_base = base + max(day_offsets, default=0) + step - min(month_offsets, default=0)
    for (row, _), off in zip(month_rows, month_offsets):
        xs[row.claim_id] = month_base + off
    return xs


def _draw_event(ax, row, x: float, y: float, scale: TimeScale, styles: dict) -> None:
    style = styles[row.claimant]
    if row.claim_kind == "denial":
        ax.plot([x], [y], marker="x", color=style["color"], markersize=7, markeredgewidth=2,
                linestyle="none", zorder=3)
        return
    if row.as_of_precision == "month":
        start = row.as_of.to_period("M").start_time
        end = start + pd.DateOffset(months=1)
        # A day off each end, so the bars of consecutive months stay apart.
        y0, y1 = scale([start + pd.Timedelta(days=1), end - pd.Timedelta(days=1)]) + 0.05
        ax.plot([x, x], [y0, y1], color=style["color"], linewidth=3, alpha=0.45,
                solid_capstyle="butt", zorder=2)
    ax.plot([x], [y], marker=style["marker"], color=style["color"], markeredgecolor="white",
            markeredgewidth=0.6, markersize=6.5, linestyle="none", zorder=3)


def _timeline_legends(ax, events: pd.DataFrame, styles: dict) -> None:
    ax.axis("off")
    first = ax.legend(handles=charts.claimant_legend_handles(events, styles), loc="upper left",
                      bbox_to_anchor=(0, 1), ncol=4, fontsize=8, title="Claimant", title_fontsize=8.5,
                      alignment="left", handletextpad=0.3, columnspacing=0.9, borderaxespad=0)
    ax.add_artist(first)
    grey = "#555555"
    how = [
        Line2D([], [], marker="o", color=grey, linestyle="none", label="Event or statement"),
        Line2D([], [], marker="o", color=grey, linewidth=3, alpha=0.6,
               label="Only the month known (bar spans it)"),
        Line2D([], [], marker="x", color=grey, linestyle="none", markeredgewidth=2, label="Denial"),
    ]
    ax.legend(handles=how, loc="lower left", bbox_to_anchor=(0, 0), ncol=3, fontsize=8,
              title="How to read", title_fontsize=8.5, alignment="left", handletextpad=0.4,
              columnspacing=1.5, borderaxespad=0)


FIGURES = [Chart("fig-timeline", "chapters/timeline.md", timeline_figure, timeline_events)]
