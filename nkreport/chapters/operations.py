"""The chapter on how the troops fought: units and command, tactics, the Kursk campaign and its end, the prisoners, and the chart of their dated sequence."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..data.ledger import Ledger
from ..report import facts
from ..report import style as charts
from ..report.style import Chart
from ..report.text import cite, date_text, figure_text
from .timeline import TimeScale, day_text, number_word, place_labels, spread, time_axes

# The ledger topics chapters/operations.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("operations", "troops", "nk_casualties", "timeline")

# The claim that dates the recapture of Sudzha, the campaign's turning point. The timeline topic
# holds the same page under a Ukrainian claimant, flagged weak; this row names the newspaper that
# made the report, which is not.
SUDZHA = "ops-washington-post-2025-03-18-sudzha"

# What the chart leaves out: plans for civilian workers are not part of how the troops fought.
NOT_IN_CHART = ("nk_workers_alabuga_planned",)

# Events of other topics that mark a turn in the campaign: first clashes, the first mass assaults,
# the pull-back and return, Moscow's claim to have retaken Kursk, the engineers' tour. Kirby's
# "massed, dismounted assaults" of 27 December is in the operations rows already; the timeline's
# weak copy of the Sudzha report is left for the operations row of the same page.
CAMPAIGN_EVENTS = (
    "timeline-ua-ccd-2024-11-04-first-fire",
    "timeline-ua-mod-2024-11-05-first-clash",
    "timeline-ua-president-2024-12-14-assaults",
    "timeline-nyt-2025-01-30-pullback",
    "timeline-kr-nis-2025-02-04-pullback",
    "timeline-ua-president-2025-02-07-return",
    "timeline-kr-nis-2025-02-27-return",
    "timeline-ru-2025-04-26-acknowledged",
    "timeline-ru-2025-06-17-shoigu",
    "timeline-kp-2025-12-12-engineers",
)
PRISONER_EVENTS = (
    "timeline-kr-nis-2024-12-27-first-capture",
    "timeline-ua-president-2025-01-11-prisoners",
)
PRISONER_MEASURES = ("prisoners_wish", "prisoners_seoul_position", "prisoners_fate")

LANES = (
    ("troops", "The troops: units, fighting in Kursk and after"),
    ("prisoners", "The prisoners taken alive"),
)

# Short labels for the chart, in our words; {figure} is the claim's figure as the ledger words it.
LABELS = {
    "ops-ua-president-2025-01-12-exchange": "Zelensky offers the two for Ukrainians held by Russia",
    "ops-ua-embassy-kr-2025-02-05-transfer": "Kyiv's envoy in Seoul: open to a transfer, bound by Geneva rules",
    "ops-ru-2025-12-13-spring-return": "Kursk governor: the sappers will return in spring",
    "ops-kr-officials-2024-10-18-storm-corps": "Seoul: the 11th 'Storm' Corps is sent",
    "ops-nis-2025-01-13-rgb": "NIS: {figure} Reconnaissance General Bureau troops sent",
    "timeline-ua-ccd-2024-11-04-first-fire": "Ukraine reports the first clashes",
    "ops-nis-2024-11-20-airborne-marine": "NIS: attached to Russian airborne and marine units",
    "ops-ua-military-2024-12-04-second-echelon": "Ukraine: checkpoints behind the line, under a Russian airborne brigade",
    "timeline-ua-president-2024-12-14-assaults": "Zelensky: North Koreans used in assaults",
    "ops-ukmod-2024-12-interoperability": "UK: no common language with the Russians",
    "ops-ua-military-2024-12-22-fake-ids": "Ukraine: Russian papers, signed in Korean, on the dead",
    "ops-white-house-2024-12-27-human-waves": "US: 'massed, dismounted' assaults, troops treated as expendable",
    "ops-sbu-2025-01-11-tuva-id": "SBU: a prisoner carried a Russian soldier's ID",
    "ops-nis-2025-01-13-modern-warfare": "NIS: losses from a 'lack of understanding of modern warfare'",
    "ops-nis-2025-01-13-suicide-orders": "NIS: notes urge suicide rather than capture",
    "timeline-nyt-2025-01-30-pullback": "Pulled back from the front (NYT, NIS)",
    "timeline-ua-president-2025-02-07-return": "Back in assaults (Zelensky, NIS)",
    "ops-ua-military-2025-03-06-drone-adaptation": "Ukraine: they are adapting to drones",
    "ops-ccd-2025-03-07-kursk-advance": "Ukraine: they lead Russia's Kursk push",
    SUDZHA: "Sudzha retaken with their help (Washington Post)",
    "timeline-ru-2025-04-26-acknowledged": "Russia claims Kursk retaken, acknowledges them",
    "ops-ua-general-staff-2025-04-26-denial": "Ukraine denies Kursk is fully retaken",
    "ops-nis-2025-04-30-kursk-lull": "NIS: fighting in Kursk has subsided",
    "ops-nis-2025-04-30-adaptation": "NIS: their combat skills improved",
    "ops-ukmod-2025-06-15-attritional": "UK: 'highly attritional dismounted assaults'",
    "ops-ukmod-2025-06-15-signoff": "UK: fighting in Ukraine would need Putin's and Kim's sign-off",
    "timeline-ru-2025-06-17-shoigu": "Shoigu: sappers and builders will go to Kursk",
    "ops-ru-2025-11-14-demining": "Russia: they play an important role in demining Kursk",
    "timeline-kp-2025-12-12-engineers": "528th Engineer Regiment welcomed home",
    "ops-ru-2025-12-13-explosives": "Russia: {figure} explosive devices cleared",
    "ops-hur-2026-02-11-fire-support": "Ukraine: rocket launchers and drones on the border (weak source)",
    "ops-ru-2026-02-21-explosives": "Russia: {figure} devices cleared",
    "timeline-kr-nis-2024-12-27-first-capture": "First soldier taken alive dies of his wounds",
    "timeline-ua-president-2025-01-11-prisoners": "Wounded soldiers captured alive, the first to survive",
    "ops-nis-2025-01-13-prisoners": "NIS: they have not asked to go to the South",
    "ops-chosun-2025-02-19-pow-wish": "Chosun interview: one asks to go to the South",
    "ops-kr-lawmaker-yu-2025-03-pow-interview": "Lawmaker Yu meets them: one sure, one undecided",
    "ops-kr-mofa-2025-03-17-call": "Seoul tells Kyiv it would accept them",
    "ops-kr-lawmaker-yu-2025-05-27-swap": "Left out of a prisoner exchange",
    "ops-kr-defector-group-2025-12-24-letter": "Letter: both have decided to go to the South",
    "ops-kr-officials-2025-12-24-ready": "Seoul: ready to accept them once their wish is confirmed",
}
# Rows that share the label of another row of the same event (the first clash reported on two
# days, the pull-back and the return each reported by two claimants).
SHARED_LABEL = {
    "timeline-ua-mod-2024-11-05-first-clash": "timeline-ua-ccd-2024-11-04-first-fire",
    "timeline-kr-nis-2025-02-04-pullback": "timeline-nyt-2025-01-30-pullback",
    "timeline-kr-nis-2025-02-27-return": "timeline-ua-president-2025-02-07-return",
}

# The time axis runs down the page; most events fall in the seven months from October 2024,
# drawn larger than the months after.
STRETCH_END = pd.Timestamp("2025-05-01")
INCHES_PER_MONTH = (0.86, 0.36)
LABEL_SIZE = 7.5
LEGEND_COLUMNS = 3


# --- Prose helpers -------------------------------------------------------------------------

def glue_event(name: str, ledger: Ledger, claim_id: str) -> None:
    """Glue an event's date with its citation under `name`, e.g. '4 Nov 2024 (Outlet, 2024)': for a
    shared fact, whose claim may change, so the prose names the fact and not the claim."""
    from IPython.display import Markdown
    from myst_nb import glue

    row = ledger.claim(claim_id)
    glue(name, Markdown(f"{date_text(row['as_of'], row['as_of_precision'])} {cite(row['source'])}"),
         display=False)


def glue_citations(ledger: Ledger, claims: pd.DataFrame) -> None:
    """Glue each claim's citation alone as `<id>_cite`, for a sentence that has given the date
    already: the prose still cites exactly the sources the ledger gives. In the build, only the
    claims the page refers to are glued (notebook.GLUE_KEYS_VARIABLE)."""
    from IPython.display import Markdown
    from myst_nb import glue

    from ..report.notebook import page_refers_to

    for claim_id in claims["claim_id"]:
        name = claim_id.replace("-", "_") + "_cite"
        if page_refers_to(name):
            glue(name, Markdown(cite(ledger.claim(claim_id)["source"])), display=False)


def glue_shared_facts(ledger: Ledger) -> None:
    """Glue the facts this chapter shares with others: each as `<name>_on` (date and citation), and
    those with a figure also as glue_claim does (`<name>`, `<name>_bare`, `<name>_date`)."""
    from ..report.notebook import glue_claim

    for name, row in shared_facts(ledger.claims).items():
        glue_event(f"{name}_on", ledger, row["claim_id"])
        if pd.notna(row["value"]) or pd.notna(row["value_low"]):
            glue_claim(ledger, row["claim_id"], name)


def shared_facts(claims: pd.DataFrame) -> dict[str, pd.Series]:
    """The facts this chapter shares with others, each from nkreport.report.facts."""
    later = facts.later_deployments(claims)
    return {
        "first_combat": facts.first_combat(claims),
        "mass_assaults": facts.mass_assaults_begin(claims),
        "first_capture": facts.first_capture(claims),
        "first_surviving_prisoners": facts.first_surviving_prisoners(claims),
        "first_wave_sent": facts.first_wave_sent(claims),
        "combat_troops_sent": facts.combat_troops_sent(claims),
        "later_engineers": later["engineers"],
        "later_builders": later["builders"],
    }


def months_between(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Calendar months from one date's month to another's: 4 Nov 2024 to Mar 2025 is 4."""
    return (end.year - start.year) * 12 + end.month - start.month


# --- The chart's data ----------------------------------------------------------------------

def operations_claims(ledger: Ledger) -> pd.DataFrame:
    """Every claim of the operations topic, by date: what the chapter's table lists."""
    claims = ledger.claims
    return claims[claims["topic"] == "operations"].sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def lane_of(row) -> str:
    if row.measure in PRISONER_MEASURES or row.claim_id in PRISONER_EVENTS:
        return "prisoners"
    return "troops"


def campaign_events(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the chart draws: the operations rows (but plans for workers) and the
    campaign's and the prisoners' turning points from the timeline, by date."""
    claims = ledger.claims
    ops = (claims["topic"] == "operations") & ~claims["measure"].isin(NOT_IN_CHART)
    rows = claims[ops | claims["claim_id"].isin(CAMPAIGN_EVENTS + PRISONER_EVENTS)]
    return rows.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def headline(ledger: Ledger) -> dict:
    """What the chart's title and the chapter's opening state, computed from the ledger: months
    from the first clash to Sudzha's recapture, and from the prisoners' capture to Seoul's newest
    statement that it would take them."""
    claims = ledger.claims
    first = facts.first_combat(claims)
    sudzha = ledger.claim(SUDZHA)
    captured = facts.first_surviving_prisoners(claims)
    seoul = claims[claims["measure"] == "prisoners_seoul_position"].sort_values(["as_of", "claim_id"]).iloc[-1]
    events = campaign_events(ledger)
    return {
        "first_combat": first, "sudzha": sudzha, "captured": captured, "seoul": seoul,
        "prisoners": int(captured["value"]),
        "months_to_sudzha": months_between(first["as_of"], sudzha["as_of"]),
        "months_in_limbo": months_between(captured["as_of"], seoul["as_of"]),
        "as_of": events["claimed_on"].max(),
    }


def chart_title(ledger: Ledger) -> str:
    head = headline(ledger)
    return (f"North Koreans helped retake Sudzha {number_word(head['months_to_sudzha'])} months after "
            f"their first clash; {number_word(head['months_in_limbo'])} months after capture, Seoul "
            f"still offered to take in the {number_word(head['prisoners'])} prisoners")


def alt_text(ledger: Ledger) -> str:
    """The chart's alt text, from the same rows it draws (tests check the page uses this text)."""
    events = campaign_events(ledger)
    head = headline(ledger)
    lanes = [lane_of(r) for r in events.itertuples()]
    troops = events[[lane == "troops" for lane in lanes]]
    prisoners = events[[lane == "prisoners" for lane in lanes]]
    stretch = troops[troops["as_of"] < STRETCH_END]
    first, last = events["as_of"].min(), events["as_of"].max()
    sudzha, seoul = head["sudzha"], head["seoul"]
    first_capture = facts.first_capture(ledger.claims)
    return (
        f"Vertical timeline with time running down the page from {first:%B %Y} to {last:%B %Y}, "
        f"in two columns. Left, {len(troops)} dated claims about the troops, {len(stretch)} of them "
        f"before {STRETCH_END:%B %Y}, a period drawn larger: the units sent and their attachment to "
        f"Russian units, the first clashes in {head['first_combat']['as_of']:%B %Y}, mass assaults, "
        f"a pull-back and return, the recapture of Sudzha in {sudzha['as_of']:%B %Y} and the disputed "
        f"end of the campaign, then demining and fire support. Right, {len(prisoners)} claims on the "
        f"prisoners, from the first capture, on {first_capture['as_of']:%-d %B %Y}, to Seoul's "
        f"statement of {seoul['as_of']:%-d %B %Y} that it was ready to accept the {number_word(head['prisoners'])} taken alive on "
        f"{head['captured']['as_of']:%-d %B %Y}. Markers are coloured by the "
        f"claimant's country; hollow markers rest on one weak source."
    )


def label_groups(events: pd.DataFrame) -> dict[str, list]:
    """Label of each labelled row -> the rows it stands for (itself first)."""
    rows = list(events.itertuples())
    ids = {r.claim_id for r in rows}
    groups: dict[str, list] = {}
    for row in rows:
        if SHARED_LABEL.get(row.claim_id) in ids:
            continue
        groups[row.claim_id] = [row] + [r for r in rows if SHARED_LABEL.get(r.claim_id) == row.claim_id]
    return groups


def label_text(group: list) -> str:
    """'4–5 Nov: Ukraine reports the first clashes': the day or span of days, and what happened."""
    row = group[0]
    days = sorted({r.as_of for r in group if r.as_of_precision == "day"})
    if len(days) > 1 and days[0].month == days[-1].month and days[0].year == days[-1].year:
        when = f"{days[0].day}–{days[-1].day} {days[-1]:%b}"
    else:
        when = day_text(row)
    figure = figure_text(row._asdict())
    return f"{when}: {LABELS[row.claim_id].format(figure=figure)}"


def time_scale(events: pd.DataFrame) -> TimeScale:
    """Two periods: the deployment's first seven months (drawn larger), and what followed."""
    first = events["as_of"].min().to_period("M").start_time
    last = (events["as_of"].max() + pd.DateOffset(months=1)).to_period("M").start_time
    bounds = (first, STRETCH_END, max(last, STRETCH_END + pd.DateOffset(months=1)))
    return TimeScale(tuple((s, e, (e - s).days / 30.44 * n)
                           for s, e, n in zip(bounds, bounds[1:], INCHES_PER_MONTH)))


def time_ticks(scale: TimeScale) -> list[tuple[pd.Timestamp, str]]:
    """Every month in the larger period, every other month after; the year on January and on
    the first tick."""
    (a0, a1, _), (b0, b1, _) = scale.periods
    days = list(pd.date_range(a0, a1 - pd.Timedelta(days=1), freq="MS"))
    days += [d for d in pd.date_range(b0, b1, freq="MS") if (d.month - b0.month) % 2 == 0]
    return [(d, f"{d:%b}" + (f" {d:%Y}" if d == a0 or d.month == 1 else "")) for d in days]


# --- The chart -----------------------------------------------------------------------------

def campaign_figure(ledger: Ledger):
    """The dated sequence in two columns, time running down the page, each event labelled."""
    events = campaign_events(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    nominal = time_scale(events)
    claimant_rows = -(-events["claimant"].nunique() // LEGEND_COLUMNS)
    width, head_room, lane_titles = 7.6, 1.25, 0.4
    legend_height = 0.62 + claimant_rows * 0.2
    height = nominal.length + head_room + lane_titles + legend_height + 1.0
    axis_left, axis_right = 0.78, 0.08
    with plt.rc_context(charts.STYLE):
        fig = charts.figure(width, height)
        top, bottom = charts.add_provenance(
            fig, chart_title(ledger),
            "Dated claims about how North Korea's troops were used, and about the soldiers Ukraine "
            "captured alive. Each marker is one claim at the date it refers to, coloured by the "
            f"claimant's country; the months before {STRETCH_END:%B %Y}, above the dashed line, are "
            "drawn larger.",
            f"claims by {charts.claimants_in_words(events)}, as cited in the report's bibliography",
            headline(ledger)["as_of"],
        )
        ax, scale, axis_w, axis_h = time_axes(fig, nominal, top, bottom, width, height, lane_titles, legend_height,
                                              axis_left, axis_right, ticks_of=time_ticks)
        for y in scale.changes():
            ax.axhline(y + 0.05, color="#888888", linewidth=0.9, linestyle=(0, (4, 3)), zorder=0)

        line_h = LABEL_SIZE * 1.22 / 72
        event_y = scale(events["as_of"]) + 0.05
        lanes = [lane_of(r) for r in events.itertuples()]
        lane_widths = (0.56 * axis_w, 0.44 * axis_w)
        x0 = 0.0
        for (lane, lane_title), lane_w in zip(LANES, lane_widths):
            if x0:
                ax.axvline(x0, color="#DDDDDD", linewidth=0.8, zorder=0)
            ax.text(x0 + 0.08, -0.1, textwrap.fill(lane_title, 30) if charts.layout().slide else lane_title,
                    fontsize=9, fontweight="bold", va="bottom", ha="left", clip_on=False)
            idx = [i for i, l in enumerate(lanes) if l == lane]
            rows = events.iloc[idx]
            ys = {events.iloc[i]["claim_id"]: event_y[i] for i in idx}
            xs = _marker_columns(rows, [ys[c] for c in rows["claim_id"]], x0 + 0.14)
            for row in rows.itertuples():
                _draw_event(ax, row, xs[row.claim_id], ys[row.claim_id], scale, styles)
            if charts.layout().slide:  # no room for a label per event: the book carries them
                x0 += lane_w
                continue
            label_x = max(xs.values(), default=x0 + 0.14) + 0.15
            chars = int((x0 + lane_w - label_x - 0.06) * 72 / (LABEL_SIZE * 0.54))
            groups = label_groups(rows)
            texts = [textwrap.fill(label_text(g), chars) for g in groups.values()]
            heights = [(t.count("\n") + 1) * line_h for t in texts]
            wanted = [float(np.mean([ys[r.claim_id] for r in g])) for g in groups.values()]
            centres = place_labels(wanted, heights, 0.0, axis_h)
            for group, text, centre in zip(groups.values(), texts, centres):
                ax.text(label_x, centre, text, fontsize=LABEL_SIZE, va="center", ha="left",
                        linespacing=1.1, color="#222222")
                for r in group:
                    ax.plot([xs[r.claim_id] + 0.06, label_x - 0.04], [ys[r.claim_id], centre],
                            color="#AAAAAA", linewidth=0.6, zorder=1)
            x0 += lane_w
        legend_ax = fig.add_axes((axis_left / width, bottom, axis_w / width, (legend_height - 0.2) / height))
        _legends(legend_ax, events, styles)
    return fig


def _marker_columns(rows: pd.DataFrame, ys: list[float], base: float, step: float = 0.085) -> dict[str, float]:
    """x of each marker: events known to the day in one column, moved apart where they would
    touch; events known only to the month in a column to the right, so a month's bar never runs
    through another marker."""
    precise = [r.as_of_precision == "day" for r in rows.itertuples()]
    xs: dict[str, float] = {}
    day_rows = [(r, y) for r, y, p in zip(rows.itertuples(), ys, precise) if p]
    day_offsets = spread([y for _, y in day_rows], step)
    for (row, _), off in zip(day_rows, day_offsets):
        xs[row.claim_id] = base + off - min(day_offsets, default=0)
    month_rows = [(r, y) for r, y, p in zip(rows.itertuples(), ys, precise) if not p]
    month_offsets = spread([y for _, y in month_rows], step)
    month_base = max(xs.values(), default=base) + step - min(month_offsets, default=0)
    for (row, _), off in zip(month_rows, month_offsets):
        xs[row.claim_id] = month_base + off
    return xs


def _draw_event(ax, row, x: float, y: float, scale: TimeScale, styles: dict) -> None:
    style = styles[row.claimant]
    if row.claim_kind == "denial":
        charts.link_claim(ax.plot([x], [y], marker="x", color=style["color"], markersize=7,
                                  markeredgewidth=2, linestyle="none", zorder=3)[0], row.claim_id)
        return
    if row.as_of_precision == "month":
        start = row.as_of.to_period("M").start_time
        end = start + pd.DateOffset(months=1)
        y0, y1 = scale([start + pd.Timedelta(days=1), end - pd.Timedelta(days=1)]) + 0.05
        ax.plot([x, x], [y0, y1], color=style["color"], linewidth=3, alpha=0.45,
                solid_capstyle="butt", zorder=2)
    weak = row.weak_source == "yes"
    mark = ax.plot([x], [y], marker=style["marker"], color=style["color"],
                   markerfacecolor="white" if weak else style["color"],
                   markeredgecolor=style["color"] if weak else "white",
                   markeredgewidth=1.4 if weak else 0.6, markersize=6.5, linestyle="none", zorder=3)[0]
    charts.link_claim(mark, row.claim_id)  # on the page, the marker links to the claim's ledger row


def _legends(ax, events: pd.DataFrame, styles: dict) -> None:
    ax.axis("off")
    first = ax.legend(handles=charts.claimant_legend_handles(events, styles), loc="upper left",
                      bbox_to_anchor=(0, 1), ncol=LEGEND_COLUMNS, fontsize=8, title="Claimant", title_fontsize=8.5,
                      alignment="left", handletextpad=0.3, columnspacing=0.9, borderaxespad=0)
    ax.add_artist(first)
    grey = "#555555"
    how = [
        Line2D([], [], marker="o", color=grey, linestyle="none", label="Event or statement"),
        Line2D([], [], marker="o", color=grey, markerfacecolor="white", linestyle="none",
               label="Rests on one weak source"),
        Line2D([], [], marker="o", color=grey, linewidth=3, alpha=0.6, label="Only the month known"),
        Line2D([], [], marker="x", color=grey, linestyle="none", markeredgewidth=2, label="Denial"),
    ]
    ax.legend(handles=how, loc="lower left", bbox_to_anchor=(0, 0), ncol=4, fontsize=8,
              title="How to read", title_fontsize=8.5, alignment="left", handletextpad=0.4,
              columnspacing=1.2, borderaxespad=0)


FIGURES = [Chart("fig-operations-campaign", "chapters/operations.md", campaign_figure, campaign_events)]
