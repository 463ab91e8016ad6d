"""The response chapter's data and chart: statements, measures, monitoring, denials and admissions, by actor over time."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..report import facts
from ..report import style as charts
from ..report import notebook
from ..report.style import Chart
from ..data.ledger import Ledger
from .timeline import TimeScale, number_word, spread

# The ledger topics chapters/response.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more. Troops, shipments and returns hold the
# monitoring team's findings; operations holds Seoul's newest word on the two prisoners.
TOPICS = ("response", "timeline", "troops", "shipments", "returns", "operations")

# Lanes, top to bottom, in groups: Ukraine and the governments that back it, the monitors, China,
# then the two governments behind the deployment. A thin line separates the groups.
LANE_GROUPS = (
    ("South Korea", "United States", "Japan", "Ukraine", "United Kingdom", "EU", "G7", "NATO"),
    ("UN", "MSMT"),
    ("China",),
    ("Russia", "North Korea"),
)
ACTORS = tuple(a for group in LANE_GROUPS for a in group)
LANE_LABELS = {"G7": "G7 and partners"}
ACTOR_OF_MEASURE = {
    "kr_response": "South Korea",
    "prisoners_seoul_position": "South Korea",
    "us_response": "United States",
    "jp_response": "Japan",
    "ua_response": "Ukraine",
    "uk_response": "United Kingdom",
    "eu_response": "EU",
    "g7_response": "G7",
    "nato_response": "NATO",
    "un_response": "UN",
    "un_panel_finding": "UN",
    "msmt_response": "MSMT",
    "cn_response": "China",
    "ru_response": "Russia",
    "ru_nonconfirmation": "Russia",
    "kp_nonconfirmation": "North Korea",
}
# Events of other topics that are also responses: the confirmations by the US and NATO, the
# admissions and praise of Moscow and Pyongyang, the UN panel's last finding on the arms trade,
# and Seoul's word on the prisoners.
CONFIRMATIONS = ("deployment_confirmed", "us_confirms_nk_troops_in_russia", "combat_confirmed")
ADMISSIONS = ("deployment_acknowledged", "deployment_praised")
OTHER_MEASURES = ("un_panel_finding", "prisoners_seoul_position")
# Putin thanking Kim for the troops at their Beijing meeting: Moscow's newest word on them.
PRAISE = ("timeline-ru-2025-09-03-beijing",)
# The denials this chapter counts: of the troops and of the arms deal. (The operations topic files
# Ukraine's rejection of the Kursk claim a second time; the response topic's row stands for it.)
DENIED = ("nk_troops_in_russia", "nk_arms_to_russia")

# Responses that were acts rather than words.
SANCTIONS = (
    "response-jp-2024-05-24-sanctions",
    "response-us-treasury-2024-12-16-sanctions",
    "response-eu-2024-12-16-sanctions",
    "response-kr-mofa-2024-12-17-sanctions",
    "response-uk-2025-02-24-sanctions",
    "response-eu-2025-02-24-sanctions",
)
ACTS = (
    "response-kr-mofa-2024-10-21-summons",
    "response-ru-2024-03-28-veto",
    "response-msmt-2024-10-16-launch",
)

# How each kind of response is drawn: (legend label, marker, marker size, fill).
KINDS = {
    "statement": ("Statement or warning", "o", 7, "full"),
    "confirmation": ("Confirms the deployment", "s", 7, "full"),
    "sanctions": ("Sanctions", "D", 6.5, "full"),
    "act": ("Summons, veto or new monitor", "^", 7.5, "full"),
    "report": ("Monitoring report or briefing", "P", 8, "full"),
    "neither": ("Neither confirms nor denies", "o", 7.5, "left"),
    "denial": ("Denial, in its own words", "x", 8, "full"),
    "denial_summarised": ("Denial as a later article sums it up", "x", 6, "full"),
    "rejection": ("Rejects a Russian battlefield claim", "v", 7.5, "none"),
    "admission": ("Admits or praises the deployment", "*", 12, "full"),
}
# A few marks are named on the chart, where the event is the point: beside the mark where its lane
# is empty to the right, else above it.
ANNOTATIONS = {
    "response-ru-2024-03-28-veto": ("veto ends UN panel", "right"),
    "response-msmt-2024-10-16-launch": ("launched", "right"),
    "response-msmt-2025-05-29-first-report": ("first report", "above"),
    "timeline-ru-2025-04-26-acknowledged": ("admits", "above"),
    "timeline-kp-2025-04-28-acknowledged": ("admits", "above"),
}
# The months drawn wider: the busiest month and the months next to it with at least this many responses.
BUSY_MONTH = 5
MIN_TICK_GAP = 0.35  # inches between tick labels at least
BUSY_WIDTH = 5  # a busy month is drawn this many times as wide as a quiet one


def response_events(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the response chart draws and its table lists: every response row, every
    denial of the troops or of the arms deal, and the confirmations, admissions and praise, the UN
    panel's finding and Seoul's word on the prisoners filed under other topics, by date."""
    claims = ledger.claims
    rows = claims[(claims["topic"] == "response")
                  | ((claims["claim_kind"] == "denial") & claims["measure"].isin(DENIED))
                  | claims["measure"].isin(CONFIRMATIONS + ADMISSIONS + OTHER_MEASURES)
                  | claims["claim_id"].isin(PRAISE)]
    return rows.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def actor_of(row) -> str:
    """Who responded: the actor a response is about, else the claimant's country (bodies by name)."""
    if row.measure in ACTOR_OF_MEASURE:
        return ACTOR_OF_MEASURE[row.measure]
    if row.claimant_country == "International":
        return row.claimant_short_name
    return row.claimant_country


def is_dated_by_article(row) -> bool:
    """A denial the source only sums up, without a date of its own, so the ledger dates it to the
    article (its note says so): a record that the denial had been made, not a statement of that day."""
    return row.claim_kind == "denial" and "article's date" in row.note


def kind_of(row) -> str:
    if row.claim_kind == "denial":
        if actor_of(row) not in ("Russia", "North Korea"):
            return "rejection"
        return "denial_summarised" if is_dated_by_article(row) else "denial"
    if row.measure in ADMISSIONS or row.claim_id in PRAISE:
        return "admission"
    if row.measure.endswith("_nonconfirmation"):
        return "neither"
    if row.measure in CONFIRMATIONS:
        return "confirmation"
    if row.claim_id in SANCTIONS:
        return "sanctions"
    if row.claim_id in ACTS:
        return "act"
    if row.measure in ("msmt_response", "un_panel_finding"):
        return "report"
    return "statement"


def with_actor_and_kind(events: pd.DataFrame) -> pd.DataFrame:
    rows = list(events.itertuples())
    return events.assign(actor=[actor_of(r) for r in rows], kind=[kind_of(r) for r in rows])


def denials(ledger: Ledger) -> dict[str, pd.DataFrame]:
    """The rows filed as denials, by what they are: Moscow's and Pyongyang's own dated words, the
    later summary of one article dated to it, and Ukraine's rejection of a Russian military claim."""
    events = with_actor_and_kind(response_events(ledger))
    rows = events[events["claim_kind"] == "denial"]
    return {"all": rows, "own_words": rows[rows["kind"] == "denial"],
            "summarised": rows[rows["kind"] == "denial_summarised"],
            "rejection": rows[rows["kind"] == "rejection"]}


def busy_months(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The busiest run of months: the month with most responses and its neighbours, on each side,
    while they have at least BUSY_MONTH. Returns its first day and the first day after it."""
    months = events["as_of"].dt.to_period("M").value_counts()
    first = last = months.idxmax()
    while months.get(first - 1, 0) >= BUSY_MONTH:
        first -= 1
    while months.get(last + 1, 0) >= BUSY_MONTH:
        last += 1
    return first.start_time, (last + 1).start_time


def headline(ledger: Ledger) -> dict:
    """What the chart's title and the chapter's opening state, computed from the ledger."""
    events = with_actor_and_kind(response_events(ledger))
    disclosed = ledger.claim("timeline-kr-nis-2024-10-18-disclosure")["as_of"]
    after = events[(events["as_of"] >= disclosed) & ~events["actor"].isin(["Russia", "North Korea"])]
    sanctions = after[after["kind"] == "sanctions"]
    first_sanctions = sanctions["as_of"].min()
    admitted = events[events["measure"] == "deployment_acknowledged"]
    praise = events[(events["kind"] == "admission") & (events["measure"] != "deployment_acknowledged")]
    busy = busy_months(events)
    return {"disclosed": disclosed, "first_sanctions": first_sanctions,
            "weeks_to_sanctions": math.ceil((first_sanctions - disclosed).days / 7),
            "sanctions_after": sanctions,
            "first_admission": admitted["as_of"].min(), "admitted": admitted["as_of"].max(),
            "last_praise": praise["as_of"].max(),
            "busy": busy, "in_busy": int(events["as_of"].between(busy[0], busy[1], inclusive="left").sum()),
            "first": events["as_of"].min(), "last": events["as_of"].max(),
            "as_of": events["claimed_on"].max()}


def newest_by_actor(ledger: Ledger) -> pd.DataFrame:
    """Each actor's newest response in the ledger (by the date it refers to): where each stands now,
    as far as the record shows."""
    events = with_actor_and_kind(response_events(ledger))
    newest = events.sort_values(["as_of", "claimed_on", "claim_id"]).groupby("actor").tail(1)
    order = {a: i for i, a in enumerate(ACTORS)}
    return newest.sort_values("actor", key=lambda s: s.map(order)).reset_index(drop=True)


def actor_name(actor: str) -> str:
    return {"United States": "the United States", "United Kingdom": "the United Kingdom", "EU": "the EU",
            "UN": "the UN", "G7": "the G7 and its partners", "MSMT": "the MSMT"}.get(actor, actor)


def actors_in_words(actors: list[str]) -> str:
    names = [actor_name(a) for a in actors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def counted(n: int, noun: str) -> str:
    return f"{number_word(n)} {noun}{'' if n == 1 else 's'}"


def month_text(day: pd.Timestamp) -> str:
    return f"{day:%B %Y}"


def day_month(day: pd.Timestamp) -> str:
    return f"{day.day} {day:%B %Y}"


def chart_title(ledger: Ledger) -> str:
    head = headline(ledger)
    return (f"Sanctions followed Seoul's disclosure within {number_word(head['weeks_to_sanctions'])} weeks; "
            f"Moscow and Pyongyang denied the deployment, admitted it in {month_text(head['first_admission'])} "
            f"and were still praising it in {month_text(head['last_praise'])}")


def alt_text(ledger: Ledger) -> str:
    """What the chart shows, in words, computed from the rows it draws."""
    events = with_actor_and_kind(response_events(ledger))
    head = headline(ledger)
    counts = events["actor"].value_counts()
    lanes = ", ".join(f"{LANE_LABELS.get(a, a)} ({counts[a]})" for a in ACTORS if a in counts)
    start, end = head["busy"]
    sanctions = events[events["kind"] == "sanctions"]
    early = sanctions[sanctions["as_of"] < head["disclosed"]]
    later = sanctions[sanctions["as_of"] >= head["disclosed"]]
    sanction_words = "; ".join(f"{actors_in_words([a for a in ACTORS if a in set(rows['actor'])])} on {day_month(d)}"
                               for d, rows in later.groupby("as_of"))
    ru_kp = events[events["actor"].isin(["Russia", "North Korea"])]
    own = ru_kp[ru_kp["kind"] == "denial"]["as_of"]
    msmt = events[events["actor"] == "MSMT"]
    reports = msmt[msmt["kind"] == "report"]["as_of"]
    parts = [
        f"Chart with one lane per actor, top to bottom, with the number of responses each: {lanes}. "
        f"The time axis runs from {month_text(head['first'])} to {month_text(head['last'])}; "
        f"{start:%B} to {(end - pd.Timedelta(days=1)):%B %Y} is drawn wider, since {head['in_busy']} of the "
        f"{len(events)} marks fall in those months.",
        (f"{actors_in_words([a for a in ACTORS if a in set(early['actor'])])}'s sanctions of "
         f"{day_month(early['as_of'].min())} come first; after " if not early.empty else "After ")
        + f"Seoul's disclosure of {day_month(head['disclosed'])}, sanctions (diamonds) come from {sanction_words}.",
        f"Russia and North Korea show denials in their own words in {month_text(own.min())}, "
        f"non-confirmations, then admissions in {month_text(head['first_admission'])} and praise until "
        f"{month_text(head['last_praise'])}.",
        f"The MSMT lane shows its launch on {day_month(msmt['as_of'].min())} and reports or briefings in "
        + actors_in_words([f"{d:%B %Y}" for d in reports]) + ".",
    ]
    return " ".join(parts)


def time_scale(events: pd.DataFrame) -> TimeScale:
    """Whole months from the first response to the last; the busy months drawn BUSY_WIDTH times as wide."""
    start = events["as_of"].min().to_period("M").start_time
    end = (events["as_of"].max().to_period("M") + 1).start_time
    busy0, busy1 = busy_months(events)
    parts = []
    for a, b, width in ((start, busy0, 1), (busy0, busy1, BUSY_WIDTH), (busy1, end, 1)):
        if b > a:
            parts.append((a, b, (b - a).days / 30.44 * width))
    return TimeScale(tuple(parts))


def time_ticks(scale: TimeScale, busy: tuple[pd.Timestamp, pd.Timestamp]) -> list[tuple[pd.Timestamp, str]]:
    """Every quarter in quiet months, every fortnight in busy ones; the year at January and at the start."""
    start, end = scale.periods[0][0], scale.periods[-1][1]
    days = [d for d in pd.date_range(start, end, freq="MS") if d.month in (1, 4, 7, 10) or d == start]
    days = sorted(set(days) | set(pd.date_range(busy[0], busy[1] - pd.Timedelta(days=1), freq="SMS")))
    ticks = []
    for day in days:
        text = f"{day.day} {day:%b}" if busy[0] <= day < busy[1] else f"{day:%b}"
        if day == start or day.month == 1 and day.day == 1:
            text += f"\n{day:%Y}"
        ticks.append((day, text))
    # A tick too close to the next is left out (the first month's, usually), keeping the year.
    kept = []
    for (day, text), x in zip(ticks, scale([t[0] for t in ticks])):
        if kept and x - kept[-1][2] < MIN_TICK_GAP:
            if "\n" in kept[-1][1] and "\n" not in text:
                text = text + "\n" + kept[-1][1].split("\n")[1]
            kept.pop()
        kept.append((day, text, x))
    return [(day, text) for day, text, _ in kept]


def responses_figure(ledger: Ledger):
    """One lane per actor, one mark per response, on a time axis with the busy autumn of 2024 drawn wider."""
    events = with_actor_and_kind(response_events(ledger))
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    actors = [a for a in ACTORS if a in set(events["actor"])]
    actors += sorted(set(events["actor"]) - set(actors))  # never silently dropped (tests forbid it)
    lane_h, width = 0.36, 7.6
    left, right = 1.6, 0.25
    plot_h = lane_h * len(actors)
    legend_h = 1.75
    provenance = (chart_title(ledger),
                  "Dated responses to North Korea's arms and troops for Russia, by actor. Each mark is one "
                  "claim at the date it refers to, coloured by the claimant; its shape says what kind of "
                  "response it is. The busiest months are drawn wider.",
                  f"claims by {sources_in_words(events)}, as cited in the report's bibliography",
                  head["as_of"])
    with plt.rc_context(charts.STYLE):
        # The title block's height depends on how its text wraps: measure it, then size the figure.
        probe = charts.figure(width, 10)
        top, bottom = charts.add_provenance(probe, *provenance)
        plt.close(probe)
        height = (1 - top) * 10 + plot_h + 0.55 + legend_h + bottom * 10
        fig = charts.figure(width, height)
        top, bottom = charts.add_provenance(fig, *provenance)
        axis_w = width - left - right
        ax_top = top * height
        ax = fig.add_axes((left / width, (ax_top - plot_h) / height, axis_w / width, plot_h / height))
        scale = time_scale(events).scaled_to(axis_w)
        ax.set_xlim(0, axis_w)
        ax.set_ylim(len(actors) - 0.5, -0.5)
        ax.grid(False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        counts = events["actor"].value_counts()
        ax.set_yticks(range(len(actors)), [f"{LANE_LABELS.get(a, a)} ({counts[a]})" for a in actors], fontsize=9)
        ax.tick_params(axis="y", length=0)
        for y in range(len(actors)):
            ax.axhline(y, color="#EEEEEE", linewidth=0.8, zorder=0)
        at = 0
        for group in LANE_GROUPS[:-1]:
            at += sum(a in actors for a in group)
            ax.axhline(at - 0.5, color="#999999", linewidth=0.7, zorder=0)
        b0, b1 = scale([head["busy"][0], head["busy"][1]])
        ax.axvspan(b0, b1, color="#F2F2F2", zorder=-1, linewidth=0)
        ax.text((b0 + b1) / 2, -0.55, "drawn wider", ha="center", va="bottom", fontsize=7.5, color="#555555")
        ticks = time_ticks(scale, head["busy"])
        ax.set_xticks(scale([t[0] for t in ticks]), [t[1] for t in ticks], fontsize=7.5)

        x = scale(events["as_of"])
        lanes = [actors.index(a) for a in events["actor"]]
        offsets = np.zeros(len(events))
        for lane in range(len(actors)):
            idx = [i for i, l in enumerate(lanes) if l == lane]
            for i, off in zip(idx, spread([x[i] for i in idx], 0.11)):
                offsets[i] = off
        for i, row in enumerate(events.itertuples()):
            label, marker, size, fill = KINDS[row.kind]
            colour = styles[row.claimant]["color"]
            px, py = x[i] + offsets[i], lanes[i]
            if marker == "x":
                thick = row.kind == "denial"
                (mark,) = ax.plot([px], [py], marker="x", color=colour, markersize=size,
                                  markeredgewidth=2.2 if thick else 1.1, linestyle="none", zorder=3)
            elif fill == "none":
                (mark,) = ax.plot([px], [py], marker=marker, color=colour, markersize=size, markerfacecolor="white",
                                  markeredgecolor=colour, markeredgewidth=1.5, linestyle="none", zorder=3)
            else:
                (mark,) = ax.plot([px], [py], marker=marker, color=colour, markersize=size, fillstyle=fill,
                                  markerfacecoloralt="white", markeredgecolor=colour if fill != "full" else "white",
                                  markeredgewidth=1.2 if fill != "full" else 0.6, linestyle="none", zorder=3)
            charts.link_claim(mark, row.claim_id)
            if row.claim_id in ANNOTATIONS:
                text, where = ANNOTATIONS[row.claim_id]
                beside = where == "right"
                ax.annotate(text, (px, py), xytext=(7, 0) if beside else (0, 6), textcoords="offset points",
                            fontsize=7.5, va="center" if beside else "bottom", ha="left", color="#222222",
                            annotation_clip=False)
        legend_ax = fig.add_axes((0.02, bottom, 0.96, (legend_h - 0.05) / height))
        _legends(legend_ax, events)
    return fig


def sources_in_words(events: pd.DataFrame) -> str:
    """The claimants by actor ('South Korea, ..., the MSMT'), then the news outlets by name."""
    governments = [a for a in ACTORS if a in set(events.loc[events["claimant_country"] != "Independent", "actor"])]
    outlets = list(dict.fromkeys(events.loc[events["claimant_country"] == "Independent", "claimant_short_name"]))
    return actors_in_words(governments + outlets)


def _legends(ax, events: pd.DataFrame) -> None:
    """Colour says whose claim it is, shape what kind of response."""
    ax.axis("off")
    countries = []
    for country, colour in charts.COUNTRY_COLOURS.items():
        rows = events[events["claimant_country"] == country]
        if rows.empty:
            continue
        if country == "International":
            label = ", ".join(LANE_LABELS.get(a, a) for a in ACTORS if a in set(rows["actor"]))
        elif country == "Independent":
            label = ", ".join(dict.fromkeys(rows["claimant_short_name"]))
        else:
            label = country
        countries.append(Line2D([], [], marker="s", color=colour, linestyle="none", markersize=8, label=label))
    first = ax.legend(handles=countries, loc="upper left", bbox_to_anchor=(0, 1), ncol=3, fontsize=8,
                      title="Claimant (colour)", title_fontsize=8.5, alignment="left", handletextpad=0.3,
                      columnspacing=1.0, borderaxespad=0)
    ax.add_artist(first)
    grey = "#555555"
    shown = set(events["kind"])
    shapes = []
    for kind, (label, marker, size, fill) in KINDS.items():
        if kind not in shown:
            continue
        if fill == "none":
            shapes.append(Line2D([], [], marker=marker, color=grey, linestyle="none", markerfacecolor="white",
                                 markersize=min(size, 9), markeredgewidth=1.3, label=label))
            continue
        shapes.append(Line2D([], [], marker=marker, color=grey, linestyle="none", fillstyle=fill,
                             markerfacecoloralt="white", markersize=min(size, 10),
                             markeredgewidth=(2 if kind == "denial" else 1.1) if marker == "x" else 1, label=label))
    ax.legend(handles=shapes, loc="lower left", bbox_to_anchor=(0, 0), ncol=3, fontsize=8,
              title="Kind of response (shape)", title_fontsize=8.5, alignment="left",
              handletextpad=0.4, columnspacing=1.0, borderaxespad=0)


def figure_markdown(ledger: Ledger, caption: str) -> str:
    """The chart's {glue:figure} directive with its alt text computed from the data it draws.

    A directive's options cannot hold a glued value, so the chapter displays this Markdown from a
    code cell; the book renders Markdown output as MyST, as it does for the claims tables."""
    return notebook.figure_markdown("fig-responses", alt_text(ledger), caption)


FIGURES = [Chart("fig-responses", "chapters/response.md", responses_figure, response_events)]
