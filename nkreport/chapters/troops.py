"""The troop chapter's analysis and chart: how many North Korean soldiers went to Russia, when, in which roles, and how many are there."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from ..data.ledger import Ledger
from ..report import facts
from ..report import style as charts
from ..report.style import Chart
from ..report.text import cite, date_text, escape_cell, figure_text, thousands

# The ledger topics chapters/troops.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more. The casualty rows are read for the arithmetic
# that sets those still present against those sent (the dead and the wounded sent home).
TOPICS = ("troops", "forces", "timeline", "nk_casualties")

# Counts of a force present at one time. "In Russia" contains the other two, so they are never added.
PRESENT = ("nk_troops_in_russia", "nk_troops_in_kursk", "nk_troops_near_ukraine_border")
# Groups a claimant may count side by side on one day, each outside the others: these may be
# added, within one claimant's briefing, to give the force present at one time.
PRESENT_PARTS = ("nk_troops_near_ukraine_border", "nk_builders_in_russia", "nk_engineers_in_russia")
WHERE = {"nk_troops_in_russia": "in Russia", "nk_troops_in_kursk": "in the Kursk region",
         "nk_troops_near_ukraine_border": "near the Ukrainian border"}

# Each row of the chart holds one kind of count, so no row sets a force present at one time beside
# a total across rotations, and nothing expected stands beside what was counted.
PANELS = (
    ("russia", "Present at one time: soldiers in Russia", 16_000),
    ("front", "Present at one time: in the Kursk region, or near the Ukrainian border", 16_000),
    ("sent", "Sent in total since October 2024, and sent home", 16_000),
    ("expected", "Expected: the force and reinforcements foreseen (hollow), and second-wave batches", 32_000),
    ("roles", "Later roles: engineers and builders (soldiers), and civilian workers", 16_000),
)
PANEL_OF_MEASURE = {
    "nk_troops_in_russia": "russia", "nk_troops_training_far_east": "russia",
    "nk_troops_in_kursk": "front", "nk_troops_near_ukraine_border": "front",
    "nk_troops_sent_total": "sent", "nk_troops_returned_home": "sent",
    "nk_troops_expected": "expected", "nk_troops_reinforcements": "expected",
    "nk_engineers_builders_pledged": "roles", "nk_engineers_in_russia": "roles",
    "nk_builders_in_russia": "roles", "nk_workers_in_russia": "roles",
}
# Words written beside a claim where its row holds more than one kind of count; each is written
# once per row and column, at the first claim of its kind (offset in points, alignment).
POINT_LABELS = {
    ("russia", "nk_troops_training_far_east"): ("in training, Far East", (6, 5), "left"),
    ("front", "nk_troops_near_ukraine_border"): ("near the border", (0, -16), "center"),
    ("sent", "nk_troops_returned_home"): ("sent home", (-8, 3), "right"),
    ("roles", "nk_engineers_builders_pledged"): ("pledged by Russia", (-8, 2), "right"),
    ("roles", "nk_troops_expected"): ("third deployment expected", (0, 9), "center"),
    ("roles", "nk_engineers_in_russia"): ("engineers", (-8, 2), "right"),
    ("roles", "nk_builders_in_russia"): ("builders", (8, -3), "left"),
    ("roles", "nk_workers_in_russia"): ("civilian workers", (8, -1), "left"),
}
# Where the time axis changes scale: most claims fall in the weeks before it.
BREAK = "2024-12-20"
WEAK_HALO = "#D9D9D9"


def later_role_start(claims: pd.DataFrame) -> pd.Timestamp:
    """The day the later roles were first announced (Russia's pledge of deminers and builders);
    forecasts made from then on are of that third deployment, not of more combat troops."""
    return facts.earliest(claims, "nk_engineers_builders_pledged")["claimed_on"]


def panel_of(claims: pd.DataFrame, later_roles: pd.Timestamp | None = None) -> pd.Series:
    """The chart row of each claim; `later_roles` is the day the later roles were announced (by
    default found among `claims`)."""
    rows = claims["measure"].map(PANEL_OF_MEASURE)
    start = later_role_start(claims) if later_roles is None else later_roles
    third = (claims["measure"] == "nk_troops_expected") & (claims["claimed_on"] >= start)
    return rows.mask(third, "roles")


def plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the claims the troop chart draws, in drawing order: every troop claim."""
    claims = ledger.claims
    rows = claims[(claims["topic"] == "troops") & claims["measure"].isin(list(PANEL_OF_MEASURE))]
    return rows.sort_values(["as_of", "claim_id"]).reset_index(drop=True)


# --- What the chapter concludes, computed from the ledger ------------------------------------------

def upper(row: pd.Series) -> float:
    """A claim's figure, or the top of its range."""
    return float(row["value_high"]) if pd.notna(row["value_high"]) else float(row["value"])


def lower(row: pd.Series) -> float:
    """A claim's figure, or the bottom of its range."""
    return float(row["value_low"]) if pd.notna(row["value_low"]) else float(row["value"])


def counted(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims that count something (no forecasts, no denials, no empty figures)."""
    return claims[~claims["claim_kind"].isin(["forecast", "denial"])
                  & (claims["value"].notna() | claims["value_high"].notna())]


def october_spread(claims: pd.DataFrame) -> dict:
    """The day in October 2024 on which the claimed force in Russia differed most between claimants."""
    rows = counted(claims[(claims["measure"] == "nk_troops_in_russia")
                          & (claims["claimed_on"] < "2024-11-01")])
    best = None
    for day, group in rows.groupby("claimed_on"):
        if group["claimant"].nunique() < 2:
            continue
        high = group.loc[group.apply(upper, axis=1).idxmax()]
        low = group.loc[group.apply(lower, axis=1).idxmin()]
        ratio = upper(high) / lower(low)
        if best is None or ratio > best["ratio"]:
            best = {"day": day, "high": high, "low": low, "ratio": ratio}
    if best is None:
        raise ValueError("no day in October 2024 with troop counts from two claimants")
    return best


def november_band(claims: pd.DataFrame) -> dict:
    """Every count of the force in Russia or in Kursk made in November 2024: the band they lie in."""
    rows = counted(claims[claims["measure"].isin(["nk_troops_in_russia", "nk_troops_in_kursk"])
                          & (claims["claimed_on"] >= "2024-11-01") & (claims["claimed_on"] < "2024-12-01")])
    countries = list(dict.fromkeys(rows.sort_values("claimed_on")["claimant_country"]))
    return {"rows": rows, "low": rows.apply(lower, axis=1).min(), "high": rows.apply(upper, axis=1).max(),
            "claimants": rows["claimant"].nunique(), "countries": countries}


def october_rise(claims: pd.DataFrame) -> dict:
    """The gap between claimants on the October day they differed most, set against the whole rise
    of the count from its first figure to the top of the November band."""
    spread, band = october_spread(claims), november_band(claims)
    first = counted(claims[claims["measure"] == "nk_troops_in_russia"]).sort_values(["as_of", "claim_id"]).iloc[0]
    gap = upper(spread["high"]) - lower(spread["low"])
    rise = band["high"] - lower(first)
    return {"first": first, "gap": gap, "rise": rise, "share": gap / rise}


def newest_present(claims: pd.DataFrame, strong: bool = True) -> pd.Series:
    """The newest count of soldiers present at one time (strong claims only, unless strong is False)."""
    rows = counted(claims[claims["measure"].isin(PRESENT)])
    if strong:
        rows = facts.strongest(rows)
    return rows.sort_values(["as_of", "claimed_on", "claim_id"]).iloc[-1]


def largest_present(claims: pd.DataFrame) -> dict:
    """The largest force present at one time that one claimant gave on one day: a single count of
    soldiers in Russia (the top of a range), or the separate groups one briefing counted side by
    side, added. Weak claims are left out."""
    rows = facts.strongest(counted(claims))
    candidates = [{"total": upper(r), "parts": [r]} for _, r in
                  rows[rows["measure"].isin(PRESENT)].iterrows()]
    parts = rows[rows["measure"].isin(PRESENT_PARTS)]
    for _, group in parts.groupby(["claimant", "as_of"]):
        if group["measure"].nunique() == len(group) and len(group) > 1:
            candidates.append({"total": float(group["value"].sum()),
                               "parts": [r for _, r in group.iterrows()]})
    return max(candidates, key=lambda c: c["total"])


def reconciliation(claims: pd.DataFrame) -> dict:
    """The intelligence service's own figures, set against each other: combat troops sent, less the
    dead and the wounded sent home, against those it counted near the border later; then every
    military role it counted, sent in total and present at one time. Only one claimant's figures
    are combined."""
    sent = facts.combat_troops_sent(claims)
    claimant = sent["claimant"]
    killed = facts.newest_of(claims, "nk_killed", claimant)
    home = facts.newest_of(claims, "nk_wounded_repatriated", claimant)
    border = facts.newest_of(claims, "nk_troops_near_ukraine_border", claimant)
    later = facts.later_deployments(claims)
    if border["as_of"] != later["builders"]["as_of"]:
        raise ValueError(f"the NIS counts of troops near the border ({border['claim_id']}) and of builders "
                         f"({later['builders']['claim_id']}) are of different dates; they cannot be added as "
                         "a force present at one time")
    left = float(sent["value"]) - float(killed["value"]) - float(home["value"])
    all_sent = float(sent["value"]) + float(later["engineers"]["value"]) + float(later["builders"]["value"])
    return {"sent": sent, "killed": killed, "home": home, "left": left, "border": border,
            "gap": left - float(border["value"]), "engineers": later["engineers"],
            "builders": later["builders"], "all_sent": all_sent,
            "present": float(border["value"]) + float(later["builders"]["value"])}


def hur_series(claims: pd.DataFrame) -> dict:
    """Ukrainian military intelligence's own count in Kursk, before and after it said troops went home."""
    kursk = claims[(claims["measure"] == "nk_troops_in_kursk") & (claims["claimant"] == "ua-hur")]
    kursk = kursk.sort_values("as_of")
    home = facts.newest_of(claims, "nk_troops_returned_home", "ua-hur", strong=False)
    before = kursk[kursk["as_of"] < home["as_of"]].iloc[-1]
    after = kursk[kursk["as_of"] >= home["as_of"]].iloc[-1]
    return {"before": before, "after": after, "home": home,
            "left": float(before["value"]) - float(home["value"])}


def unfulfilled_forecasts(claims: pd.DataFrame) -> pd.DataFrame:
    """Forecasts of more troops above every later count of soldiers sent in total."""
    sent = counted(claims[claims["measure"] == "nk_troops_sent_total"])
    forecasts = claims[(claims["claim_kind"] == "forecast")
                       & claims["measure"].isin(["nk_troops_expected", "nk_troops_reinforcements"])]
    top_sent = sent.apply(upper, axis=1).max()
    return forecasts[forecasts.apply(lower, axis=1) > top_sent].sort_values("claimed_on")


def share_text(part: float, whole: float) -> str:
    return f"{part / whole:.1%}"


def sum_text(rows: list[pd.Series]) -> str:
    """One claimant's figures added, worded as their bounds allow: a floor's own word ('more than')
    if any figure is a floor and none a ceiling or approximate, the bare sum if all are exact, and
    'about' otherwise."""
    total = thousands(sum(float(r["value"]) for r in rows))
    bounds = {r["bound"] for r in rows}
    if len({r["claimant"] for r in rows}) != 1:
        raise ValueError("figures of different claimants are never added: "
                         + ", ".join(r["claim_id"] for r in rows))
    if bounds <= {"exact"}:
        return total
    if bounds <= {"exact", "floor"}:
        floor = next(r for r in rows if r["bound"] == "floor")
        return f"{floor['qualifier'] or 'at least'} {total}"
    return f"about {total}"


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    """4 -> 'four'; numbers above ten as figures."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def share_words(share: float) -> str:
    """How one amount compares with another, in words: 0.9 -> 'nearly as large as'."""
    if share >= 0.98:
        return "as large as"
    if share >= 0.85:
        return "nearly as large as"
    if share >= 0.6:
        return "most of"
    return f"{share:.0%} of"


def times_text(ratio: float) -> str:
    """7.3 -> 'about seven times'."""
    words = {2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times",
             7: "seven times", 8: "eight times", 9: "nine times", 10: "ten times"}
    n = round(ratio)
    return ("about " if abs(ratio - n) > 0.05 else "") + words.get(n, f"{n} times")


# --- The table of roles -----------------------------------------------------------------------

def role_rows(claims: pd.DataFrame) -> list[tuple[str, pd.Series, str]]:
    """The deployment by role: (role, claim, what became of them), from the figures the chapter uses."""
    rec = reconciliation(claims)
    hur = hur_series(claims)
    engineers_home = facts.earliest(claims, "engineers_returned")
    rows = [
        ("Combat troops, first wave (2024)", facts.first_wave_sent(claims), "sent; counted in the total below"),
        ("Combat troops, second wave (Jan\u2013Feb 2025)",
         facts.newest_of(claims, "nk_troops_reinforcements", "kr-jcs"), "sent; counted in the total below"),
        ("Combat troops, both waves", rec["sent"], "sent in total"),
        ("Combat troops killed", rec["killed"], "dead, by the same service's count"),
        ("Wounded sent home", rec["home"], "back in North Korea"),
        ("Combat troops near the Ukrainian border", rec["border"], "present at the date"),
        ("Combat troops in the Kursk region", hur["after"], "present at the date"),
        ("Combat troops rotated home", hur["home"], "back in North Korea"),
        ("Engineers (deminers)", rec["engineers"],
         f"most likely the regiment welcomed home in Pyongyang on "
         f"{date_text(engineers_home['as_of'], engineers_home['as_of_precision'])}"),
        ("Military builders", rec["builders"], "present at the date; no later count"),
        ("Civilian workers (not soldiers)", facts.newest_of(claims, "nk_workers_in_russia", "kr-nis"),
         "not counted with the soldiers"),
    ]
    return rows


def roles_table(claims: pd.DataFrame) -> str:
    """A MyST table of the deployment by role, each figure with its claimant, date and source."""
    lines = ["| Role | Figure | Claimant | As of | What became of them | Source |", "|---|---|---|---|---|---|"]
    for role, row, fate in role_rows(claims):
        weak = " (weak source)" if facts.is_weak(row.to_frame().T).iloc[0] else ""
        lines.append(f"| {role} | {escape_cell(figure_text(row))}{weak} | {escape_cell(row['claimant_short_name'])} "
                     f"| {date_text(row['as_of'], row['as_of_precision'])} | {fate} | {cite(row['source'])} |")
    return "\n".join(lines)


def show_roles_table(claims: pd.DataFrame, label: str, caption: str) -> None:
    """Show the table of roles as a numbered table that {numref}`label` can point to."""
    from IPython.display import Markdown, display

    display(Markdown(f"```{{table}} {caption}\n:name: {label}\n:class: claims-table\n\n{roles_table(claims)}\n```"))


# --- The chart ----------------------------------------------------------------------------------

def headline(ledger: Ledger) -> dict:
    """The numbers the chart's title states, computed from the ledger."""
    claims = ledger.claims
    later = facts.later_deployments(claims)
    return {"combat": facts.combat_troops_sent(claims), "engineers": later["engineers"],
            "builders": later["builders"], "present": newest_present(claims),
            "as_of": plotted_claims(ledger)["claimed_on"].max()}


def chart_title(ledger: Ledger) -> str:
    head = headline(ledger)
    combat, present = head["combat"], head["present"]
    return (f"North Korea sent {figure_text(combat)} combat troops by {combat['as_of']:%b %Y}, "
            f"then {figure_text(head['engineers'])} engineers and {figure_text(head['builders'])} builders; "
            f"{figure_text(present)} soldiers were {WHERE[present['measure']]} in {present['as_of']:%b %Y}")


def _label_points(ax, rows: pd.DataFrame, x: pd.Series, left, right, ymax: float) -> list:
    """Write the words of POINT_LABELS beside their claims; on a slide, return them instead, to be
    placed where they overlap nothing once the slide is laid out (see estimates_figure)."""
    seen = set()
    later = []
    for (_, row), px in zip(rows.iterrows(), x):
        label = POINT_LABELS.get((row["panel"], row["measure"]))
        if label is None or row["measure"] in seen or not (left <= px <= right):
            continue
        seen.add(row["measure"])
        text, offset, align = label
        if charts.layout().slide:
            later.append((text, (px, min(lower(row), ymax))))
            continue
        ax.annotate(text, (px, min(lower(row), ymax)), xytext=offset, textcoords="offset points",
                    fontsize=7.5, color="#333333", ha=align, va="bottom", annotation_clip=False)
    return later


def estimates_figure(ledger: Ledger):
    """Five kinds of count, one row each, over a time axis split so the first weeks can be read.

    Most claims fall in October and November 2024, so the left column widens those weeks and the
    right column shows the rest of the period; every claim is drawn in both and clipped to each.
    Claims resting on one weak page sit on a grey halo.
    """
    claims = plotted_claims(ledger)
    claims = claims.assign(panel=panel_of(claims, later_role_start(ledger.claims)))
    styles = charts.claimant_styles(ledger.claimants)
    head = headline(ledger)
    first, last = claims["claimed_on"].min(), max(claims["as_of"].max(), claims["claimed_on"].max())
    columns = (
        (first - pd.Timedelta(days=12), pd.Timestamp(BREAK),
         mdates.DayLocator(bymonthday=(1, 15)), mdates.DateFormatter("%-d %b\n%Y"), 2.5),
        (pd.Timestamp(BREAK) + pd.Timedelta(days=8), last + pd.Timedelta(days=25),
         mdates.MonthLocator(bymonth=(1, 4, 7, 10)), mdates.DateFormatter("%b\n%Y"), 0),
    )
    with plt.rc_context(charts.STYLE):
        fig = charts.figure(7.6, 15.2)
        slide = charts.layout().slide
        top_edge, bottom_edge = charts.add_provenance(
            fig, chart_title(ledger),
            "Claims of North Korean troops sent to Russia, by claimant, in five kinds of count: present "
            "at one time (two rows), sent in total, expected, and the later engineers, builders and "
            "workers. Each marker is one claim at the date it refers to; claims of different claimants "
            "are never combined. The time axis changes scale at the dashed line.",
            f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography",
            head["as_of"],
        )
        grid = fig.add_gridspec(len(PANELS) + 1, 2, height_ratios=[2, 2, 2, 2, 2, 3.4],
                                width_ratios=[1.05, 1], wspace=0.06, hspace=0.4 if slide else 0.5,
                                left=0.095, right=0.98, top=top_edge, bottom=bottom_edge)
        axes = [[None, None] for _ in PANELS]
        to_label = []
        for r, (key, panel_title, ymax) in enumerate(PANELS):
            rows = claims[claims["panel"] == key].reset_index(drop=True)
            for c, (left, right, locator, formatter, dodge_days) in enumerate(columns):
                ax = fig.add_subplot(grid[r, c], sharex=axes[0][c] if r else None,
                                     sharey=axes[r][0] if c else None)
                axes[r][c] = ax
                x = charts.dodge(rows, dodge_days)
                weak = facts.is_weak(rows)
                ax.plot(x[weak], rows.loc[weak].apply(lambda w: min(upper(w), ymax), axis=1),
                        marker="o", markersize=16, color=WEAK_HALO, linestyle="none", zorder=1)
                charts.draw_claims_over_time(ax, rows, styles, ymax, x=x)
                to_label.append((ax, _label_points(ax, rows, x, left, right, ymax)))
                ax.set_xlim(left, right)
                ax.xaxis.set_major_locator(locator)
                ax.xaxis.set_major_formatter(formatter)
                ax.tick_params(axis="x", labelbottom=r == len(PANELS) - 1, labelsize=8.5)
                ax.tick_params(axis="y", labelsize=8.5)
                inside = rows[(x >= left) & (x <= right)]
                if inside.empty:
                    ax.text(0.5, 0.5, "no claims in these weeks", transform=ax.transAxes, ha="center",
                            va="center", fontsize=8, color="#777777")
                if c == 1:
                    ax.spines["left"].set_linestyle((0, (3, 3)))
                    ax.tick_params(axis="y", left=False, labelleft=False)
            # on a slide, one line each: the panels keep the height
            axes[r][0].set_title(panel_title, fontsize=8 if slide else 10)
        legend_ax = fig.add_subplot(grid[len(PANELS), :])
        charts.add_legends(legend_ax, claims, styles)
        halo = Line2D([], [], marker="o", markersize=13, color=WEAK_HALO, linestyle="none",
                      label="Grey halo: rests on one weak page")
        if slide:  # the halo read with the other marks: one legend fewer in the slide's column
            legend_ax.legend(handles=charts.encoding_legend_handles() + [halo], title="How to read")
        else:
            legend_ax.add_artist(legend_ax.get_legend())  # keep "How to read" when the halo's legend is added
            legend_ax.legend(handles=[halo], loc="lower right", bbox_to_anchor=(1, 0), fontsize=8.5, borderaxespad=0)
        if charts.layout().slide:
            # the legends in the smallest type a slide allows, so they fit one column and leave
            # the panels the width; then the point labels, where they overlap nothing
            for legend in [a for a in legend_ax.get_children() if isinstance(a, Legend)]:
                for text in legend.texts:
                    text.set_fontsize(charts.layout().min_font)
                legend.get_title().set_fontsize(charts.layout().min_font + 0.8)
            charts.legends_to_the_side(fig)
            for ax, labels in to_label:
                charts.place_labels(fig, ax, labels, fontsize=charts.pt(7.5), color="#333333")
    return fig


FIGURES = [Chart("fig-troop-estimates", "chapters/troops.md", estimates_figure, plotted_claims)]
