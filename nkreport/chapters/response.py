"""The response chapter's data and chart: statements, measures, denials and admissions, by actor over time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from .timeline import TimeScale, spread

# The ledger topics chapters/response.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("response", "timeline", "troops", "shipments", "nk_casualties")

# Lanes, top to bottom: those who answered the deployment, then the two governments behind it.
ACTORS = ("South Korea", "United States", "Ukraine", "NATO", "EU", "UN", "Russia", "North Korea")
ACTOR_OF_MEASURE = {
    "kr_response": "South Korea",
    "us_response": "United States",
    "ua_response": "Ukraine",
    "eu_response": "EU",
    "un_response": "UN",
    "ru_nonconfirmation": "Russia",
    "kp_nonconfirmation": "North Korea",
}
# Events of the timeline that are also responses: the confirmations by the US and NATO, and
# the admissions by Moscow and Pyongyang.
CONFIRMATIONS = ("deployment_confirmed", "us_confirms_nk_troops_in_russia")
ADMISSIONS = ("deployment_acknowledged", "deployment_praised")
# Responses that were measures rather than words: a summons and sanctions.
MEASURES = (
    "response-kr-mofa-2024-10-21-summons",
    "response-us-treasury-2024-12-16-sanctions",
    "response-eu-2024-12-16-sanctions",
    "response-kr-mofa-2024-12-17-sanctions",
)

# How each kind of response is drawn: (legend label, marker, marker size, fill).
KINDS = {
    "statement": ("Statement or warning", "o", 7, "full"),
    "confirmation": ("Confirms the deployment", "s", 7, "full"),
    "measure": ("Summons or sanctions", "D", 6.5, "full"),
    "neither": ("Neither confirms nor denies", "o", 7.5, "left"),
    "denial": ("Denial", "x", 8, "full"),
    "admission": ("Admits or praises the deployment", "*", 13, "full"),
}
# A few marks are named on the chart, where the shape alone could mislead or the event is the point.
ANNOTATIONS = {
    "timeline-ru-2025-04-28-putin-thanks": "admits, then praises",
    "timeline-kp-2025-04-28-acknowledged": "admits the troops",
    "response-ua-gs-2025-04-26-kursk-denial": "denies Kursk retaken",
    "response-kr-mnd-2025-04-28-criminal-act": "calls it 'a criminal act'",
}
# Months without a response are left out of the axis; a pause longer than this starts a new period.
PAUSE_DAYS = 60
PAD_DAYS = 5


def response_events(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the response chart draws and its table lists: every response row, every
    denial in the ledger, and the confirmations and admissions of the timeline, by date."""
    claims = ledger.claims
    rows = claims[(claims["topic"] == "response") | (claims["claim_kind"] == "denial")
                  | claims["measure"].isin(CONFIRMATIONS + ADMISSIONS)]
    return rows.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def actor_of(row) -> str:
    """Who responded: the actor a response is about, else the claimant's country (EU and UN by name)."""
    if row.measure in ACTOR_OF_MEASURE:
        return ACTOR_OF_MEASURE[row.measure]
    if row.claimant_country == "International":
        return row.claimant_short_name
    return row.claimant_country


def kind_of(row) -> str:
    if row.claim_kind == "denial":
        return "denial"
    if row.measure in ADMISSIONS:
        return "admission"
    if row.measure.endswith("_nonconfirmation"):
        return "neither"
    if row.measure in CONFIRMATIONS:
        return "confirmation"
    if row.claim_id in MEASURES:
        return "measure"
    return "statement"


def headline(ledger: Ledger) -> dict:
    """Who answered within a week of Seoul's disclosure, and when Moscow and Pyongyang admitted it."""
    events = response_events(ledger)
    disclosed = ledger.claim("timeline-kr-nis-2024-10-18-disclosure")["as_of"]
    actors = [actor_of(r) for r in events.itertuples()]
    after = events.assign(actor=actors)
    after = after[(after["as_of"] >= disclosed) & ~after["actor"].isin(["Russia", "North Korea"])]
    first = after.groupby("actor")["as_of"].min()
    quick = [a for a in ACTORS if a in first.index and (first[a] - disclosed).days <= 7]
    admitted = events[events["measure"] == "deployment_acknowledged"]
    return {"disclosed": disclosed, "quick": quick, "admitted": admitted["as_of"].max(),
            "first_admission": admitted["as_of"].min(), "as_of": events["claimed_on"].max()}


def actors_in_words(actors: list[str]) -> str:
    names = [{"United States": "the United States", "EU": "the EU", "UN": "the UN"}.get(a, a) for a in actors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def periods(dates: pd.Series) -> TimeScale:
    """A time axis of the periods that have responses: a pause of more than PAUSE_DAYS is cut out."""
    days = sorted(pd.to_datetime(dates).unique())
    groups, current = [], [days[0]]
    for day in days[1:]:
        if (day - current[-1]).days > PAUSE_DAYS:
            groups.append(current)
            current = []
        current.append(day)
    groups.append(current)
    parts = []
    for group in groups:
        start, end = group[0] - pd.Timedelta(days=PAD_DAYS), group[-1] + pd.Timedelta(days=PAD_DAYS)
        parts.append((start, end, max((end - start).days, 16)))  # short periods stay wide enough to read
    return TimeScale(tuple(parts), gap=0.22)


def period_ticks(scale: TimeScale, dates: pd.Series) -> list[tuple[pd.Timestamp, str]]:
    """The 1st and 15th of each month in long periods; the first response's date in short ones."""
    ticks = []
    for start, end, _ in scale.periods:
        inside = sorted(d for d in pd.to_datetime(dates) if start <= d <= end)
        if (end - start).days <= 31:
            ticks.append((inside[0], f"{inside[0].day} {inside[0]:%b}\n{inside[0]:%Y}"))
            continue
        for k, day in enumerate(pd.date_range(start, end, freq="SMS")):
            ticks.append((day, f"{day.day} {day:%b}" + (f"\n{day:%Y}" if k == 0 else "")))
    return ticks


def responses_figure(ledger: Ledger):
    """One lane per actor, one mark per response, on a time axis that leaves out months without any."""
    events = response_events(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    actors = [a for a in ACTORS if a in {actor_of(r) for r in events.itertuples()}]
    actors += sorted({actor_of(r) for r in events.itertuples()} - set(actors))
    lane_h, width = 0.42, 7.6
    left, right = 1.25, 1.55
    plot_h = lane_h * len(actors)
    height = plot_h + 4.0
    with plt.rc_context(charts.STYLE):
        fig = plt.figure(figsize=(width, height))
        title = (f"{actors_in_words(head['quick'])} responded within a week of Seoul's disclosure; "
                 f"Moscow and Pyongyang admitted the deployment only in {head['first_admission']:%B %Y}")
        top, bottom = charts.add_provenance(
            fig, title,
            "Dated statements and measures about North Korea's troops in Russia, by actor. Each mark is "
            "one claim at the date it refers to, coloured by the claimant's country; its shape says what "
            "kind of response it is. Months without a response are left out of the time axis (breaks).",
            f"claims by {charts.claimants_in_words(events)}, as cited in the report's bibliography",
            head["as_of"],
        )
        legend_h = 1.2
        axis_w = width - left - right
        ax_top = top * height
        ax_bottom = ax_top - plot_h
        ax = fig.add_axes((left / width, ax_bottom / height, axis_w / width, plot_h / height))
        scale = periods(events["as_of"]).scaled_to(axis_w - 0.1)
        ax.set_xlim(-0.05, axis_w - 0.05)
        ax.set_ylim(len(actors) - 0.5, -0.5)
        ax.grid(False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        counts = {a: sum(actor_of(r) == a for r in events.itertuples()) for a in actors}
        ax.set_yticks(range(len(actors)), [f"{a} ({counts[a]})" for a in actors], fontsize=9)
        ax.tick_params(axis="y", length=0)
        for y in range(len(actors)):
            ax.axhline(y, color="#EEEEEE", linewidth=0.8, zorder=0)
        ticks = period_ticks(scale, events["as_of"])
        ax.set_xticks(scale([t[0] for t in ticks]), [t[1] for t in ticks], fontsize=8)
        for x in scale.changes():
            ax.axvline(x, color="#888888", linewidth=0.9, linestyle=(0, (2, 3)), zorder=0)
            ax.text(x, len(actors) - 0.5, "//", ha="center", va="center", fontsize=9, color="#555555",
                    clip_on=False, bbox=dict(facecolor="white", edgecolor="none", pad=0.5))

        x = scale(events["as_of"])
        lanes = [actors.index(actor_of(r)) for r in events.itertuples()]
        offsets = np.zeros(len(events))
        for lane in range(len(actors)):
            idx = [i for i, l in enumerate(lanes) if l == lane]
            for i, off in zip(idx, spread([x[i] for i in idx], 0.125)):
                offsets[i] = off
        for i, row in enumerate(events.itertuples()):
            label, marker, size, fill = KINDS[kind_of(row)]
            colour = styles[row.claimant]["color"]
            px, py = x[i] + offsets[i], lanes[i]
            if marker == "x":
                ax.plot([px], [py], marker="x", color=colour, markersize=size, markeredgewidth=2.2,
                        linestyle="none", zorder=3)
            else:
                ax.plot([px], [py], marker=marker, color=colour, markersize=size, fillstyle=fill,
                        markerfacecoloralt="white", markeredgecolor=colour if fill != "full" else "white",
                        markeredgewidth=1.2 if fill != "full" else 0.6, linestyle="none", zorder=3)
            if row.claim_id in ANNOTATIONS:
                ax.annotate(ANNOTATIONS[row.claim_id], (px, py), xytext=(axis_w + 0.02, py),
                            textcoords="data", fontsize=8, va="center", ha="left", color="#222222",
                            annotation_clip=False,
                            arrowprops=dict(arrowstyle="-", color="#AAAAAA", linewidth=0.6,
                                            shrinkA=0, shrinkB=5))
        legend_ax = fig.add_axes((0.02, bottom, 0.96, (legend_h - 0.1) / height))
        _legends(legend_ax, events)
    return fig


def _legends(ax, events: pd.DataFrame) -> None:
    """Colour says whose claim it is (by country), shape what kind of response."""
    ax.axis("off")
    countries = []
    for country, colour in charts.COUNTRY_COLOURS.items():
        rows = events[events["claimant_country"] == country]
        if rows.empty:
            continue
        if country in ("International", "Independent"):
            label = ", ".join(dict.fromkeys(rows["claimant_short_name"]))
        else:
            label = country
        countries.append(Line2D([], [], marker="s", color=colour, linestyle="none", markersize=8, label=label))
    first = ax.legend(handles=countries, loc="upper left", bbox_to_anchor=(0, 1), ncol=5, fontsize=8,
                      title="Claimant (colour)", title_fontsize=8.5, alignment="left", handletextpad=0.3,
                      columnspacing=1.0, borderaxespad=0)
    ax.add_artist(first)
    grey = "#555555"
    shown = {kind_of(r) for r in events.itertuples()}
    shapes = []
    for kind, (label, marker, size, fill) in KINDS.items():
        if kind not in shown:
            continue
        shapes.append(Line2D([], [], marker=marker, color=grey, linestyle="none", fillstyle=fill,
                             markerfacecoloralt="white", markersize=min(size, 10),
                             markeredgewidth=2 if marker == "x" else 1, label=label))
    ax.legend(handles=shapes, loc="lower left", bbox_to_anchor=(0, 0), ncol=3, fontsize=8,
              title="Kind of response (shape)", title_fontsize=8.5, alignment="left",
              handletextpad=0.4, columnspacing=1.2, borderaxespad=0)


FIGURES = [Chart("fig-responses", "chapters/response.md", responses_figure, response_events)]
