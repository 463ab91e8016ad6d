"""The timeline chapter's data and chart: dated events from the first Kim–Putin summit to the newest claim, in lanes.

The response chapter (nkreport/response.py) shares three helpers from here: `TimeScale`, a date
axis whose scale changes from one period to the next; `place_labels`, which stacks labels so they
never overlap; and `glue_events`, which glues an event's date together with its citation.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..report import facts
from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import cite, date_text, figure_text, measure_label

# The ledger topics chapters/timeline.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("timeline", "troops", "shipments", "nk_casualties")

# Lanes, left to right: what kind of event each is. A measure not listed here goes to the lane
# of `DEFAULT_LANE` (tests/test_timeline_chapter.py fails until it is given a lane).
LANES = (
    ("diplomacy", "Leaders, treaty\nand envoys"),
    ("sent", "Arms and\ntroops sent"),
    ("combat", "Combat and\nlosses"),
    ("admission", "Denial, admission\nand remembrance"),
)
LANE_OF_MEASURE = {
    # Leaders, the treaty, envoys and the praise the two governments exchanged.
    "summit": "diplomacy",
    "leaders_meeting": "diplomacy",
    "kim_putin_meetings": "diplomacy",
    "treaty_signed": "diplomacy",
    "treaty_ratified": "diplomacy",
    "treaty_in_force": "diplomacy",
    "envoy_visit": "diplomacy",
    "sanctions_monitoring_ended": "diplomacy",
    "deployment_praised": "diplomacy",
    # What North Korea sent, and who said so.
    "nk_containers_to_russia_total": "sent",
    "nk_shells_to_russia_total": "sent",
    "missiles_first_used": "sent",
    "un_panel_finding": "sent",
    "nk_troops_in_russia": "sent",
    "deployment_alleged": "sent",
    "deployment_disclosed": "sent",
    "deployment_confirmed": "sent",
    "us_confirms_nk_troops_in_russia": "sent",
    "engineers_announced": "sent",
    "engineers_returned": "sent",
    # Fighting, losses and prisoners.
    "first_casualties_reported": "combat",
    "first_combat": "combat",
    "combat_confirmed": "combat",
    "bereaved_families_housing": "admission",
    "mass_assaults": "combat",
    "nk_killed": "combat",
    "nk_killed_engineers": "combat",
    "prisoners_captured": "combat",
    "pullback": "combat",
    "return_to_front": "combat",
    "kursk_recapture": "combat",
    # Denial (by claim kind), admission and remembrance.
    "deployment_acknowledged": "admission",
    "memorial": "admission",
    "nk_killed_memorial_wall": "admission",
    "remains_repatriated": "admission",
    "award_ceremony": "admission",
}
DEFAULT_LANE = "sent"

# Claims of other topics that mark an event: the first arms shipments made public, the first
# troop count, the first denials, and the dead Pyongyang itself has shown. The NIS's first death
# estimate is added by `extra_event_ids`, from the shared facts.
EXTRA_EVENTS = (
    "ship-containers-whitehouse-2023-10-13",
    "ship-shells-nis-2023-11-01",
    "troops-ru-denial-2024-10-10",
    "troops-nis-2024-10-13-special-forces",
    "troops-kp-denial-2024-10-21",
    "nkcas-kp-2025-08-22-memorial",
    "nkcas-kp-2025-12-12-engineers",
)
FIRST_TROOPS = "troops-nis-2024-10-13-special-forces"

# Events the table lists but the chart leaves out, and why: each repeats an event the chart
# already draws, or is a count rather than an event.
TABLE_ONLY = {
    "timeline-nyt-2024-06-treaty": "the New York Times's month-only date for the treaty signing",
    "timeline-nyt-2024-10-23-meetings": "its count of Kim–Putin meetings since 2023",
}

# Short labels for the chart, in our words. {figure} is the claim's figure as the ledger gives it;
# {figures[<claim id>]} and {dates[<claim id>]} those of another row of the same label. A row
# without a label of its own shares the label of the row named in SHARED_LABEL, and its lane.
LABELS = {
    "timeline-ru-2019-04-25-vladivostok": "Kim and Putin's first summit, in Vladivostok",
    "timeline-ua-hur-2023-donetsk-engineers": "HUR: North Korean engineers near Donetsk",
    "timeline-ru-2023-09-13-vostochny": "Kim and Putin meet again, at the Vostochny cosmodrome",
    "ship-containers-whitehouse-2023-10-13": "US: {figure} containers of munitions shipped",
    "ship-shells-nis-2023-11-01": "NIS: {figure} shells sent",
    "timeline-us-white-house-2023-12-30-first-missiles": "First North Korean missiles fired at Ukraine (US)",
    "timeline-ru-2024-03-28-panel-veto": "Russian veto ends the UN sanctions panel",
    "timeline-un-panel-2024-04-25-hwasong11": "UN panel: Kharkiv missile was a Hwasong-11",
    "timeline-ru-2024-06-19-treaty-signed": "Putin and Kim sign a mutual-defence treaty",
    "timeline-ua-hur-2024-10-03-donetsk-strike": "Ukraine: North Korean officers killed near Donetsk; Seoul: casualties 'highly likely'",
    "timeline-ua-president-2024-10-13-personnel": "Zelensky: North Korea sends people, officers already in occupied Ukraine",
    FIRST_TROOPS: "NIS: {figure} special forces shipped to Vladivostok, made public {dates[timeline-kr-nis-2024-10-18-disclosure]}",
    "timeline-us-2024-10-23-confirmation": "US defence secretary confirms troops in Russia",
    "timeline-nato-2024-10-28-confirmation": "NATO confirms units in Kursk",
    "timeline-ru-2024-10-24-duma": "Treaty ratified by the Duma, Federation Council, Putin and Kim",
    "timeline-kp-2024-12-04-in-force": "Treaty enters into force",
    "timeline-ua-ccd-2024-11-04-first-fire": "Ukraine reports the first clashes",
    "timeline-us-state-2024-11-13-combat": "Blinken: the troops are in combat",
    "timeline-ua-president-2024-12-14-assaults": "Zelensky: North Koreans now used in assaults",
    "nkcas-nis-2024-12-19-killed": "NIS's first death estimate: {figure} killed",
    "timeline-kr-nis-2024-12-27-first-capture": "First soldier taken alive, then dies of his wounds",
    "timeline-us-white-house-2024-12-27-mass-assaults": "US: 'massed, dismounted assaults'",
    "timeline-ua-president-2025-01-11-prisoners": "Two taken alive who survive",
    "timeline-nyt-2025-01-30-pullback": "Pulled back from the front (NYT, NIS)",
    "timeline-ua-president-2025-02-07-return": "Back in assaults (Zelensky, NIS)",
    "timeline-ua-government-2025-03-sudzha": "Sudzha retaken with North Korean help, say Ukrainians",
    "timeline-ru-2025-03-21-shoigu": "Shoigu visits Kim",
    "troops-ru-denial-2024-10-10": "Kremlin calls the reports fake",
    "troops-kp-denial-2024-10-21": "North Korea at the UN: rumours",
    "timeline-ru-2025-04-26-acknowledged": "Russia acknowledges the troops",
    "timeline-kp-2025-04-28-acknowledged": "North Korea acknowledges; Putin thanks Kim",
    "timeline-ru-2025-05-09-victory-day": "Putin thanks North Korea's 'heroes' on Victory Day",
    "timeline-ru-2025-06-04-shoigu": "Shoigu visits again",
    "timeline-ru-2025-06-17-shoigu": "Shoigu: sappers and builders will go to Kursk",
    "timeline-kp-2025-06-29-coffins": "Kim at soldiers' coffins on state TV",
    "timeline-ru-2025-07-12-monument": "Lavrov promises a monument",
    "timeline-kp-2025-08-01-repatriation": "Coffins flown home from Russia",
    "timeline-kp-2025-08-22-awards": "'Hero' titles; {figures[nkcas-kp-2025-08-22-memorial]} dead shown on a memorial wall",
    "timeline-ru-2025-09-03-beijing": "Putin thanks Kim for the troops in Beijing",
    "timeline-kp-2025-10-23-museum": "Ground broken for a memorial museum",
    "timeline-ru-2025-12-04-kursk-memorial": "Kursk to build a monument to 'combat brotherhood'",
    "timeline-kp-2025-12-11-plenary": "Kim hails the troops and the 'alliance'",
    "timeline-kp-2025-12-12-engineers": "Engineer regiment home; Kim honours its {figures[nkcas-kp-2025-12-12-engineers]} dead",
    "timeline-kp-2026-01-05-museum-visit": "Kim visits the museum site and its sculptures",
    "timeline-kp-2026-03-16-museum-visit": "KCNA: museum nearly built",
    "timeline-kp-2026-02-15-saeppyol": "Homes opened for the families of the dead",
}
SHARED_LABEL = {
    "timeline-kr-mnd-2024-10-08-casualties-likely": "timeline-ua-hur-2024-10-03-donetsk-strike",
    "timeline-ua-president-2024-10-16-rada": "timeline-ua-president-2024-10-13-personnel",
    "timeline-ua-president-2024-10-17-officers": "timeline-ua-president-2024-10-13-personnel",
    "timeline-kr-nis-2024-10-18-disclosure": FIRST_TROOPS,
    "timeline-ru-2024-11-06-federation-council": "timeline-ru-2024-10-24-duma",
    "timeline-ru-2024-11-09-putin-law": "timeline-ru-2024-10-24-duma",
    "timeline-kp-2024-11-11-kim-decree": "timeline-ru-2024-10-24-duma",
    "timeline-ua-mod-2024-11-05-first-clash": "timeline-ua-ccd-2024-11-04-first-fire",
    "timeline-kr-nis-2025-02-04-pullback": "timeline-nyt-2025-01-30-pullback",
    "timeline-kr-nis-2025-02-27-return": "timeline-ua-president-2025-02-07-return",
    "timeline-ru-2025-04-28-putin-thanks": "timeline-kp-2025-04-28-acknowledged",
    "nkcas-kp-2025-08-22-memorial": "timeline-kp-2025-08-22-awards",
    "timeline-kp-2025-12-27-new-year-letter": "timeline-kp-2025-12-11-plenary",
    "timeline-kp-2026-01-01-new-year": "timeline-kp-2025-12-11-plenary",
    "nkcas-kp-2025-12-12-engineers": "timeline-kp-2025-12-12-engineers",
    "timeline-kp-2026-01-25-sculptures": "timeline-kp-2026-01-05-museum-visit",
    "timeline-kp-2026-02-13-museum-visit": "timeline-kp-2026-01-05-museum-visit",
}
# The NIS dated the shipping to a span of days; the claim's own date is the last of them.
DATE_LABELS = {FIRST_TROOPS: "8–13 Oct"}

# The time axis runs down the page. Inches per month of each period after the first: the
# months before the deployment, its first five months (stretched: most events fall in them),
# and the months after. Years without events before that are cut out of the axis.
STRETCH_START, STRETCH_END = pd.Timestamp("2024-10-01"), pd.Timestamp("2025-03-01")
INCHES_PER_MONTH = (0.15, 1.15, 0.42)
# Years with no event longer than this are cut out of the axis, leaving a break of BREAK inches.
CUT_OUT_DAYS, BREAK, CUT_PERIOD = 730, 0.5, 0.3
LABEL_SIZE = 7.5


# --- Shared helpers (also used by nkreport/response.py) -------------------------------------

def glue_events(ledger: Ledger, claims: pd.DataFrame) -> None:
    """Glue each claim's date with its citation as {glue:md}`<id>_on`, e.g. '13 Sep 2023 (Outlet, 2023)'.

    Events carry no figure, so `glue_claim`'s figure-and-citation glue would be empty; this one
    lets prose date an event and cite exactly the source the ledger gives for it. In the build, only
    the claims the page refers to are glued (notebook.GLUE_KEYS_VARIABLE).
    """
    from ..report.notebook import page_refers_to

    for claim_id in claims["claim_id"]:
        name = claim_id.replace("-", "_") + "_on"
        if page_refers_to(name):
            glue_event(ledger, claim_id, name)


def glue_citations(ledger: Ledger, name: str, claim_ids) -> None:
    """Glue one citation of the sources of several claims under `name`, so a sentence that dates
    several events can cite them once, at its end."""
    from myst_nb import glue
    from IPython.display import Markdown

    keys = dict.fromkeys(k for c in claim_ids for k in ledger.claim(c)["source"].split("; "))
    glue(name, Markdown(cite("; ".join(keys))), display=False)


def glue_event(ledger: Ledger, claim_id: str, name: str) -> None:
    """Glue one claim's date with its citation under `name`."""
    from myst_nb import glue
    from IPython.display import Markdown

    row = ledger.claim(claim_id)
    text = f"{date_text(row['as_of'], row['as_of_precision'])} {cite(row['source'])}"
    glue(name, Markdown(text), display=False)


@dataclass(frozen=True)
class TimeScale:
    """Dates to positions on an axis whose scale changes from one period to the next.

    `periods` are (start, end, length) with length in axis units (inches here); periods follow
    one another with `gap` units between them: one gap for every join, or a tuple with one per
    join (0: the scale changes but no time is left out). Within a period, position is
    proportional to time.
    """

    periods: tuple[tuple[pd.Timestamp, pd.Timestamp, float], ...]
    gap: float | tuple[float, ...] = 0.0

    @property
    def gaps(self) -> tuple[float, ...]:
        """The gap after each period but the last."""
        if isinstance(self.gap, tuple):
            return self.gap
        return (self.gap,) * (len(self.periods) - 1)

    @property
    def offsets(self) -> list[float]:
        offsets, at = [], 0.0
        for k, (_, _, length) in enumerate(self.periods):
            offsets.append(at)
            at += length + (self.gaps[k] if k < len(self.gaps) else 0.0)
        return offsets

    @property
    def length(self) -> float:
        return sum(p[2] for p in self.periods) + sum(self.gaps)

    def scaled_to(self, length: float) -> "TimeScale":
        factor = (length - sum(self.gaps)) / sum(p[2] for p in self.periods)
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
        return [o - g / 2 for o, g in zip(self.offsets[1:], self.gaps)]

    def breaks(self) -> list[tuple[float, pd.Timestamp, pd.Timestamp]]:
        """Joins that leave time out: (position, first day left out, last day left out)."""
        return [(pos, self.periods[k][1], self.periods[k + 1][0] - pd.Timedelta(days=1))
                for k, pos in enumerate(self.changes())
                if self.periods[k + 1][0] > self.periods[k][1]]


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


def ordinal_word(n: int) -> str:
    words = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
    return words[n] if 0 <= n < len(words) else f"{n}th"


def shared_facts(ledger: Ledger) -> dict[str, pd.Series]:
    """The firsts and turning points this chapter states, each from nkreport/report/facts.py,
    by the glue name the chapter uses for it."""
    claims = ledger.claims
    later = facts.later_deployments(claims)
    newest = facts.newest_by_topic(ledger)
    return {
        "first_summit": facts.first_kim_putin_summit(claims),
        "first_combat": facts.first_combat(claims),
        "mass_assaults": facts.mass_assaults_begin(claims),
        "first_capture": facts.first_capture(claims),
        "first_surviving_prisoners": facts.first_surviving_prisoners(claims),
        "first_nis_death_estimate": facts.first_nis_death_estimate(claims),
        "later_engineers": later["engineers"],
        "later_builders": later["builders"],
        "timeline_newest": newest[newest["topic"] == "timeline"].iloc[0],
    }


def glue_facts(ledger: Ledger) -> None:
    """Glue each shared fact under its name: `<name>` the figure with its citation, `<name>_bare`
    the figure, `<name>_date` its date, `<name>_on` the date with its citation, `<name>_cite`
    the citation alone."""
    from ..report.notebook import glue_claim

    for name, row in shared_facts(ledger).items():
        glue_claim(ledger, row["claim_id"], name)
        glue_event(ledger, row["claim_id"], f"{name}_on")
        glue_citations(ledger, f"{name}_cite", [row["claim_id"]])


# --- The timeline's data --------------------------------------------------------------------

def extra_event_ids(claims: pd.DataFrame) -> list[str]:
    """Claims of other topics the timeline lists: EXTRA_EVENTS and the NIS's first death estimate."""
    first_deaths = facts.first_nis_death_estimate(claims)["claim_id"]
    return list(dict.fromkeys([*EXTRA_EVENTS, first_deaths]))


def timeline_events(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the timeline table lists: every timeline row and the claims of other
    topics that mark an event, by date."""
    claims = ledger.claims
    rows = claims[(claims["topic"] == "timeline") | claims["claim_id"].isin(extra_event_ids(claims))]
    return rows.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def chart_events(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the timeline chart draws: the table's, less those in TABLE_ONLY."""
    events = timeline_events(ledger)
    return events[~events["claim_id"].isin(TABLE_ONLY)].reset_index(drop=True)


def table_only_events(ledger: Ledger) -> pd.DataFrame:
    events = timeline_events(ledger)
    return events[events["claim_id"].isin(TABLE_ONLY)].reset_index(drop=True)


def lane_of(row) -> str:
    """The lane of a row drawn on its own: by its kind (denials) or its measure."""
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


def lanes_of(events: pd.DataFrame) -> dict[str, str]:
    """Claim id -> lane; rows that share a label are drawn in the lane of the row that owns it."""
    lanes = {}
    for primary, group in label_groups(events).items():
        for row in group:
            lanes[row.claim_id] = lane_of(group[0])
    return lanes


def _span_text(days: list[pd.Timestamp]) -> str:
    """'4–5 Nov', '24 Oct–11 Nov': the first and last day of a group of events."""
    first, last = days[0], days[-1]
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b}–{last.day} {last:%b}"


def label_text(group: list) -> str:
    """'4–5 Nov: Ukraine reports the first clashes': the date (or span of days) and what happened,
    and a warning where a row of the label rests on one weak page."""
    row = group[0]
    days = sorted({r.as_of for r in group if r.as_of_precision == "day"})
    if row.claim_id in DATE_LABELS:
        when = DATE_LABELS[row.claim_id]
    elif len(days) > 1:
        when = _span_text(days)
    else:
        when = day_text(row)
    figures = {r.claim_id: figure_text(r._asdict()) for r in group}
    dates = {r.claim_id: day_text(r) for r in group}
    template = LABELS.get(row.claim_id)
    if template is None:
        figure = figures[row.claim_id]
        template = measure_label(row.measure) + (f": {figure}" if figure else "") + f" ({row.claimant_short_name})"
    text = template.format(figure=figures[row.claim_id], figures=figures, dates=dates)
    weak = any(getattr(r, "weak_source", "") == "yes" for r in group)
    return f"{when}: {text}" + (" (weak source)" if weak else "")


def headline(ledger: Ledger) -> dict:
    """The intervals the chart's title states, computed from the ledger.

    The troops' first shipment is dated against the last Kim–Putin summit before it (the first
    summit, years earlier, is counted so the title can say which one it was); Moscow's first
    admission against its first denial.
    """
    events = timeline_events(ledger)
    claims = ledger.claims
    first = facts.first_kim_putin_summit(claims)
    shipped = ledger.claim(FIRST_TROOPS)["as_of"]
    summits = sorted(set(claims.loc[claims["measure"].isin(["summit", "leaders_meeting"]), "as_of"]))
    before = [d for d in summits if d < shipped]
    russian = events[events["claimant_country"] == "Russia"]
    denials = russian[russian["claim_kind"] == "denial"]["as_of"].min()
    admitted = russian[russian["measure"] == "deployment_acknowledged"]["as_of"].min()
    return {
        "first_summit": first["as_of"], "summit": before[-1], "summit_number": len(before),
        "shipped": shipped, "first_denial": denials, "first_admission": admitted,
        "months_to_deployment": round((shipped - before[-1]).days / 30.44),
        "days_to_admission": (admitted - denials).days,
        "first_event": events["as_of"].min(), "last_event": events["as_of"].max(),
        "as_of": events["claimed_on"].max(),
    }


def chart_title(head: dict) -> str:
    return (f"North Korean troops reached Russia {number_word(head['months_to_deployment'])} months "
            f"after Kim and Putin's {ordinal_word(head['summit_number'])} summit; Moscow admitted it "
            f"{head['days_to_admission']} days after calling it fake")


# --- The time axis --------------------------------------------------------------------------

def _month_start(day: pd.Timestamp) -> pd.Timestamp:
    return day.to_period("M").start_time


def time_scale(events: pd.DataFrame) -> TimeScale:
    """The periods of the axis: before the deployment, its first five months (stretched), and
    after. Where years pass without an event (between the first summit and the next events),
    the axis is cut: the lone early events get a short period of their own, then a break."""
    days = sorted(events["as_of"])
    last = max(_month_start(days[-1] + pd.DateOffset(months=1)), STRETCH_END + pd.DateOffset(months=1))
    periods, gaps = [], []
    # A year-precision event is drawn across its year, so the period after a cut begins in January.
    jumps = [(b - a).days for a, b in zip(days, days[1:])]
    cut = next((k for k, j in enumerate(jumps) if j > CUT_OUT_DAYS and days[k + 1] < STRETCH_START), None)
    if cut is None:
        start = _month_start(days[0])
    else:
        periods.append((_month_start(days[0]), _month_start(days[cut] + pd.DateOffset(months=1)), CUT_PERIOD))
        gaps.append(BREAK)
        start = days[cut + 1].to_period("Y").start_time
    for (a, b), per_month in zip(((start, STRETCH_START), (STRETCH_START, STRETCH_END), (STRETCH_END, last)),
                                 INCHES_PER_MONTH):
        periods.append((a, b, (b - a).days / 30.44 * per_month))
    gaps += [0.0, 0.0]
    return TimeScale(tuple(periods), tuple(gaps))


def time_ticks(scale: TimeScale) -> list[tuple[pd.Timestamp, str]]:
    """Tick dates and labels: the month of a lone early period, every quarter before the
    stretch, the 1st and 15th in it, every month after it; the year is written at the start of
    each period and of each year."""
    ticks = []
    stretched = max(range(len(scale.periods)), key=lambda k: scale.periods[k][2] /
                    max((scale.periods[k][1] - scale.periods[k][0]).days, 1))
    for k, (start, end, length) in enumerate(scale.periods):
        months = (end - start).days / 30.44
        if k == stretched:
            days = list(pd.date_range(start, end - pd.Timedelta(days=1), freq="SMS"))
        elif months <= 1.5:
            days = [start]
        elif length / months < 0.3:
            days = [d for d in pd.date_range(start, end - pd.Timedelta(days=1), freq="MS")
                    if d == start or d.month in (1, 4, 7, 10)]
        else:
            days = list(pd.date_range(start, end - pd.Timedelta(days=1), freq="MS"))
        for day in days:
            with_year = day == start or (day.month == 1 and day.day == 1)
            text = f"{day.day} {day:%b}" if k == stretched else f"{day:%b}"
            ticks.append((day, text + (f" {day:%Y}" if with_year else "")))
    return ticks


# --- The timeline chart ---------------------------------------------------------------------

def _text_lines(text: str, size: float, width: float, bold: bool = False) -> int:
    """How many lines add_provenance wraps `text` into at this size on a figure this wide."""
    per_char = 0.64 if bold else 0.56
    return len(textwrap.wrap(text, int((width - 0.3) * 72 / (size * per_char))))


def chart_subtitle(head: dict, n_table_only: int) -> str:
    left_out = (f" {number_word(n_table_only).capitalize()} claims that repeat an event already "
                f"drawn are listed only in the table." if n_table_only else "")
    return (f"Dated events by kind, from the first Kim–Putin summit ({head['first_summit']:%B %Y}) to the "
            f"newest event in the ledger ({head['last_event']:%B %Y}). Each marker is one claim at the "
            f"date it refers to, coloured by the claimant's country; the time scale is stretched from "
            f"{STRETCH_START:%B %Y} to {STRETCH_END - pd.Timedelta(days=1):%B %Y}, between the dashed "
            f"lines, and the empty years after the first summit are cut out." + left_out)


def timeline_figure(ledger: Ledger):
    """Events in four lanes on a date axis that runs down the page, each labelled beside its lane."""
    events = chart_events(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    title = chart_title(head)
    subtitle = chart_subtitle(head, len(table_only_events(ledger)))
    nominal = time_scale(events)
    width, lane_titles = 7.6, 0.45
    head_room = (_text_lines(title, 14, width, bold=True) * 14 + _text_lines(subtitle, 10, width) * 10) \
        * 1.3 / 72 + 0.55
    claimant_handles = charts.claimant_legend_handles(events, styles)
    legend_cols = 3
    claimant_legend_h = 0.28 + math.ceil(len(claimant_handles) / legend_cols) * 0.2
    how_legend_h = 0.28 + 2 * 0.2
    legend_height = claimant_legend_h + how_legend_h + 0.2
    foot = 0.75
    height = nominal.length + head_room + lane_titles + legend_height + foot
    axis_left, axis_right = 0.82, 0.08
    with plt.rc_context(charts.STYLE):
        fig = charts.figure(width, height)
        top, bottom = charts.add_provenance(
            fig, title, subtitle,
            f"claims by {charts.claimants_in_words(events)}, as cited in the report's bibliography",
            head["as_of"],
        )
        ax, scale, axis_w, axis_h = time_axes(fig, nominal, top, bottom, width, height, lane_titles, legend_height,
                                              axis_left, axis_right)
        breaks = {round(pos, 6) for pos, _, _ in scale.breaks()}
        for y in scale.changes():
            if round(y, 6) not in breaks:
                ax.axhline(y + 0.05, color="#888888", linewidth=0.9, linestyle=(0, (4, 3)), zorder=0)
        for pos, first_out, last_out in scale.breaks():
            _draw_break(ax, pos + 0.05, scale.gaps[0], axis_w, first_out, last_out)

        lane_w = axis_w / len(LANES)
        line_h = LABEL_SIZE * 1.22 / 72
        event_y = dict(zip(events["claim_id"], scale(events["as_of"]) + 0.05))
        lanes = lanes_of(events)
        groups = label_groups(events)
        for k, (lane, lane_title) in enumerate(LANES):
            x0 = k * lane_w
            if k:
                ax.axvline(x0, color="#DDDDDD", linewidth=0.8, zorder=0)
            ax.text(x0 + 0.08, -0.1, lane_title, fontsize=9, fontweight="bold", va="bottom", ha="left",
                    linespacing=1.15, clip_on=False)
            rows = events[[lanes[c] == lane for c in events["claim_id"]]]
            xs = _marker_columns(rows, [event_y[c] for c in rows["claim_id"]], x0 + 0.14)
            for row in rows.itertuples():
                _draw_event(ax, row, xs[row.claim_id], event_y[row.claim_id], scale, styles)
            if charts.layout().slide:  # no room for a label per event: the book carries them
                continue
            label_x = max(xs.values(), default=x0 + 0.14) + 0.15
            chars = int((x0 + lane_w - label_x - 0.06) * 72 / (LABEL_SIZE * 0.56))
            lane_groups = [g for primary, g in groups.items() if lanes[primary] == lane]
            texts = [textwrap.fill(label_text(g), chars) for g in lane_groups]
            heights = [(t.count("\n") + 1) * line_h for t in texts]
            wanted = [float(np.mean([event_y[r.claim_id] for r in g])) for g in lane_groups]
            centres = place_labels(wanted, heights, 0.0, axis_h)
            for group, text, centre in zip(lane_groups, texts, centres):
                # A white ground keeps gridlines and dashed scale changes out of the text.
                ax.text(label_x, centre, text, fontsize=LABEL_SIZE, va="center", ha="left",
                        linespacing=1.1, color="#222222", zorder=2,
                        bbox=dict(facecolor="white", edgecolor="none", pad=0.3))
                for r in group:
                    ax.plot([xs[r.claim_id] + 0.06, label_x - 0.04], [event_y[r.claim_id], centre],
                            color="#AAAAAA", linewidth=0.6, zorder=1)
        claimant_ax = fig.add_axes((axis_left / width, bottom + how_legend_h / height, axis_w / width,
                                    claimant_legend_h / height))
        how_ax = fig.add_axes((axis_left / width, bottom, axis_w / width, (how_legend_h - 0.05) / height))
        _timeline_legends(claimant_ax, how_ax, claimant_handles, legend_cols)
    return fig


def _draw_break(ax, y: float, gap: float, width: float, first_out: pd.Timestamp, last_out: pd.Timestamp) -> None:
    """A cut in the axis: two short slanted strokes at its edge and the months left out."""
    for dy in (-gap / 6, gap / 6):
        ax.plot([-0.12, 0.0], [y + dy + 0.04, y + dy - 0.04], color="#666666", linewidth=1.0,
                clip_on=False, zorder=2)
    ax.text(width / 2, y, f"{first_out:%B %Y} to {last_out:%B %Y}: no events, left out of the axis",
            fontsize=8, color="#666666", style="italic", ha="center", va="center",
            bbox=dict(facecolor="white", edgecolor="none", pad=1.5), zorder=2)


def _marker_columns(rows: pd.DataFrame, ys: list[float], base: float, step: float = 0.085) -> dict[str, float]:
    """x of each marker: events known to the day in one column, moved apart where they would touch;
    events known only to the month or year in a column of their own to the right, so a bar never
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


def time_axes(fig, nominal: "TimeScale", top: float, bottom: float, width: float, height: float,
              lane_titles: float, legend_height: float, axis_left: float, axis_right: float, ticks_of=None):
    """The axis of a vertical time chart (time running down the page), placed between the
    provenance block and the legends, with a light line at each dated tick (`ticks_of(scale)`,
    default time_ticks); returns the axis, the
    time scale fitted to it, and its width and height in inches."""
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
    ticks = (ticks_of or time_ticks)(scale)
    positions = scale([t[0] for t in ticks]) + 0.05
    ax.set_yticks(positions, [t[1] for t in ticks], fontsize=8)
    ax.tick_params(axis="y", length=3, color="#999999")
    for y in positions:
        ax.axhline(y, color="#EEEEEE", linewidth=0.7, zorder=0)
    return ax, scale, axis_w, axis_h


def _draw_event(ax, row, x: float, y: float, scale: TimeScale, styles: dict) -> None:
    style = styles[row.claimant]
    if row.claim_kind == "denial":
        charts.link_claim(ax.plot([x], [y], marker="x", color=style["color"], markersize=7, markeredgewidth=2,
                                  linestyle="none", zorder=3)[0], row.claim_id)
        return
    if row.as_of_precision in ("month", "year"):
        unit = "M" if row.as_of_precision == "month" else "Y"
        start = row.as_of.to_period(unit).start_time
        end = start + (pd.DateOffset(months=1) if unit == "M" else pd.DateOffset(years=1))
        # A day off each end, so the bars of consecutive months stay apart.
        y0, y1 = scale([start + pd.Timedelta(days=1), end - pd.Timedelta(days=1)]) + 0.05
        ax.plot([x, x], [y0, y1], color=style["color"], linewidth=3, alpha=0.45,
                solid_capstyle="butt", zorder=2)
    charts.link_claim(ax.plot([x], [y], marker=style["marker"], color=style["color"], markeredgecolor="white",
                              markeredgewidth=0.6, markersize=6.5, linestyle="none", zorder=3)[0], row.claim_id)


def _timeline_legends(claimant_ax, how_ax, claimant_handles: list, ncol: int) -> None:
    claimant_ax.axis("off")
    claimant_ax.legend(handles=claimant_handles, loc="upper left", bbox_to_anchor=(0, 1), ncol=ncol,
                       fontsize=8, title="Claimant", title_fontsize=8.5, alignment="left",
                       handletextpad=0.3, columnspacing=0.9, borderaxespad=0)
    how_ax.axis("off")
    grey = "#555555"
    how = [
        Line2D([], [], marker="o", color=grey, linestyle="none", label="Event or statement"),
        Line2D([], [], marker="o", color=grey, linewidth=3, alpha=0.6,
               label="Only the month or year known (bar spans it)"),
        Line2D([], [], marker="x", color=grey, linestyle="none", markeredgewidth=2, label="Denial"),
    ]
    how_ax.legend(handles=how, loc="upper left", bbox_to_anchor=(0, 1), ncol=3, fontsize=8,
                  title="How to read", title_fontsize=8.5, alignment="left", handletextpad=0.4,
                  columnspacing=1.5, borderaxespad=0)


FIGURES = [Chart("fig-timeline", "chapters/timeline.md", timeline_figure, chart_events)]
