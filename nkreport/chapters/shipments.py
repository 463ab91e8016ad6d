"""The shipments chapter's data and charts: containers, shells, missiles and artillery sent from North Korea to Russia, by claimant."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import cite, date_text, escape_cell, figure_text, thousands

# The ledger topics chapters/shipments.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("shipments",)

TOPIC = "shipments"
SEED_CONTAINERS = "shipments-kr-2024-10-23-containers"
DENIALS = ("shipments-ru-2024-10-23-denial", "shipments-kp-2024-10-23-denial")
CONTAINERS = "nk_containers_to_russia_total"
SHELLS = "nk_shells_to_russia_total"
DENIAL_MEASURE = "nk_arms_to_russia"

# The ledger states in each note what a running total counts from; the charts and the basis
# table need it as data. Most claimants count from the first shipments of August and September
# 2023; the chart labels only the totals that do not.
USUAL_START = "Aug or Sep 2023"
COUNTED_FROM = {
    "ship-containers-whitehouse-2023-10-13": USUAL_START,
    "ship-containers-mnd-2023-12-29": "not given",
    "ship-containers-state-2024-02-23": USUAL_START,
    "ship-containers-mnd-2024-02-26": USUAL_START,
    "ship-containers-mnd-2024-03-18": "2023, month not given",
    "ship-containers-mnd-2024-06-14": "not given",
    "ship-containers-dia-2024-08-27": "mid-2022",
    "ship-containers-nis-2024-10-18": USUAL_START,
    SEED_CONTAINERS: USUAL_START,
    "ship-containers-us-un-2025-01-08": "Dec 2023",
    "ship-containers-reuters-osc-2025-03": USUAL_START,
    "ship-containers-us-un-2025-05-07": USUAL_START,
    "ship-containers-dia-2025-07-13": "not given",
    "ship-shells-nis-2023-11-01": USUAL_START,
    "ship-shells-c4ads-2024-01": USUAL_START,
    "ship-shells-mnd-2024-06-14": "not given",
    "ship-shells-dia-2024-08-27": "mid-2022",
    "ship-shells-nis-2024-10-18": USUAL_START,
    "ship-shells-hur-2024-11-30": "not given",
    "ship-shells-us-un-2025-01-08": "Dec 2023",
    "ship-shells-reuters-osc-2025-03": USUAL_START,
    "ship-shells-nis-2025-06-26": "not given",
    "ship-shells-dia-2025-07-13": "not given",
}
# Shell totals that the claimant (or the report of it) derives from another quantity: the
# container count it converts, or the weight of explosives. Every other total gives no method.
CONVERTED_FROM_CONTAINERS = {
    "ship-shells-mnd-2024-06-14": "ship-containers-mnd-2024-06-14",
    "ship-shells-dia-2024-08-27": "ship-containers-dia-2024-08-27",
    "ship-shells-reuters-osc-2025-03": "ship-containers-reuters-osc-2025-03",
    "ship-shells-dia-2025-07-13": "ship-containers-dia-2025-07-13",
}
CONVERTED_BY_WEIGHT = ("ship-shells-c4ads-2024-01",)
# Reported as rounds shipped, and said not to be converted from containers.
REPORTED_AS_SHIPPED = ("ship-shells-nis-2023-11-01",)

MISSILE_PANELS = (
    ("Ballistic missiles supplied", ("nk_ballistic_missiles_supplied", "nk_ballistic_missiles_supplied_in_year",
                                     "nk_ballistic_missiles_expected")),
    ("Ballistic missiles fired at Ukraine", ("nk_ballistic_missiles_fired",)),
)
ARTILLERY_PANELS = (
    ("All guns and launchers", ("nk_artillery_systems_supplied",)),
    ("170mm guns (Koksan)", ("nk_sp_howitzers_supplied",)),
    ("240mm rocket launchers", ("nk_mrl_supplied",)),
)
# Counted in occasions, not missiles: in the table and the prose, never on a missile axis.
LAUNCH_OCCASIONS = "nk_ballistic_missile_launch_occasions"
GREY = "#444444"
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
# Claims whose chart label goes on the left, where the right is taken by a neighbour.
LABEL_LEFT = {"ship-containers-dia-2024-08-27", "ship-shells-hur-2024-11-30"}


def shipment_claims(ledger: Ledger) -> pd.DataFrame:
    """Every claim of the shipments topic, oldest first."""
    claims = ledger.claims
    return claims[claims["topic"] == TOPIC].sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def is_weak(claims: pd.DataFrame) -> pd.Series:
    """Claims resting on one weak source: the curators begin their note with 'Weak'."""
    return claims["note"].str.startswith("Weak")


def _measure_rows(ledger: Ledger, measures) -> pd.DataFrame:
    claims = shipment_claims(ledger)
    return claims[claims["measure"].isin(list(measures))].reset_index(drop=True)


def container_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly what the container chart draws: every container count, and the two denials."""
    return _measure_rows(ledger, (CONTAINERS, DENIAL_MEASURE))


def shell_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly what the shell chart draws: the running totals of shells (not the one-year figure)."""
    return _measure_rows(ledger, (SHELLS,))


def weapon_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly what the missile and artillery chart draws, launch occasions left out."""
    return _measure_rows(ledger, [m for _, ms in MISSILE_PANELS + ARTILLERY_PANELS for m in ms])


def shell_method(claim_id: str) -> str:
    """How a shell total was reached, as far as the sources say."""
    if claim_id in CONVERTED_FROM_CONTAINERS:
        return "converted from a container count"
    if claim_id in CONVERTED_BY_WEIGHT:
        return "converted from the weight of explosives"
    if claim_id in REPORTED_AS_SHIPPED:
        return "reported as rounds shipped, not converted; method not given"
    return "method not given"


def rounds_per_container(ledger: Ledger, shell_id: str) -> str:
    """The rate a conversion implies (rounds over containers), rounded to tens: '460' or '250–380'."""
    containers = float(ledger.claim(CONVERTED_FROM_CONTAINERS[shell_id])["value"])
    shells = ledger.claim(shell_id)

    def rate(v) -> str:
        return thousands(round(float(v) / containers, -1))

    if pd.notna(shells["value_low"]) and pd.notna(shells["value_high"]):
        return f"{rate(shells['value_low'])}\u2013{rate(shells['value_high'])}"
    return rate(shells["value"])


def spread(claims: pd.DataFrame, days: float, window_days: int = 8) -> pd.Series:
    """Plotting dates that move claims of nearly the same day apart, so markers do not hide each other.

    Claims whose dates lie within `window_days` of the previous one form a group, spread `days`
    apart and centred on the group's mean date. Deterministic: the order is the frame's.
    """
    order = claims["as_of"].sort_values(kind="stable")
    group = (order.diff().dt.days.fillna(window_days + 1) > window_days).cumsum()
    x = pd.Series(pd.NaT, index=claims.index, dtype="datetime64[ns]")
    for _, members in order.groupby(group):
        centre = members.mean()
        offsets = [(i - (len(members) - 1) / 2) * days for i in range(len(members))]
        for idx, off in zip(members.index, offsets):
            x[idx] = centre + pd.Timedelta(days=off)
    return x


def _label(ax, x, y, text: str, dy: float = 0, dx: float = 7, ha: str = "left") -> None:
    ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=7.5, color=GREY,
                va="center", ha=ha, linespacing=1.1)


def _month_year(value, _pos=None) -> str:
    """A month tick: 'Jan' over its year in January and on the first tick, the month alone otherwise."""
    day = mdates.num2date(value)
    return f"{day:%b}\n{day:%Y}" if day.month == 1 or _pos == 0 else f"{day:%b}"


def _headline(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The first claim and the largest claim not resting on a weak source."""
    figures = rows[rows["value"].notna()]
    strong = figures[~is_weak(figures)]
    return figures.iloc[0], strong.loc[strong["value"].astype(float).idxmax()]


def _ymax(rows: pd.DataFrame) -> float:
    top = pd.concat([rows["value"], rows["value_high"]]).dropna().astype(float).max()
    return float(top) * 1.12


def _time_axis(ax, locator, formatter) -> None:
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.tick_params(axis="x", labelsize=8.5)


def _add_legends(fig, cell, claims: pd.DataFrame, styles: dict) -> None:
    """charts.add_legends in an axis as wide as the figure, so long claimant names are not cut off."""
    ax = fig.add_subplot(cell)
    box = ax.get_position()
    ax.set_position([0.03, box.y0, 0.95, box.height])
    charts.add_legends(ax, claims, styles)


def _legend_inches(claims: pd.DataFrame, styles: dict) -> float:
    """Height the two legends of charts.add_legends need: claimants in three columns, then how to read."""
    rows = -(-len(charts.claimant_legend_handles(claims, styles)) // 3)
    return 0.19 * (rows + 3) + 0.7


def containers_figure(ledger: Ledger):
    """Container counts over time, one marker per claim, with the totals that count from another start labelled."""
    rows = container_claims(ledger)
    counts = rows[rows["measure"] == CONTAINERS]
    styles = charts.claimant_styles(ledger.claimants)
    first, top = _headline(counts)
    ymax = _ymax(counts)
    with plt.rc_context(charts.STYLE):
        legend = _legend_inches(rows, styles)
        fig = plt.figure(figsize=(7.6, 6.4 + legend))
        top_edge, bottom_edge = charts.add_provenance(
            fig,
            f"Claimed container shipments grew from {figure_text(first)} in {first['as_of']:%B %Y} "
            f"to {figure_text(top)} by {top['as_of']:%B %Y}",
            "Containers of munitions shipped from North Korea to Russia, as claimed, each at the date it "
            f"refers to. Running totals, counted from {USUAL_START} unless labelled; claims of different "
            "claimants are never combined. Crosses: Russia's and North Korea's denials of any arms deal.",
            f"claims by {charts.claimants_in_words(rows)}, as cited in the report's bibliography",
            rows["claimed_on"].max(),
        )
        grid = fig.add_gridspec(2, 1, height_ratios=[4.0, legend], hspace=0.2, left=0.12, right=0.97,
                                top=top_edge, bottom=bottom_edge)
        ax = fig.add_subplot(grid[0])
        # Denials sit at zero, apart from the counts: spread them among themselves only.
        denial = rows["claim_kind"] == "denial"
        x = pd.concat([spread(rows[~denial], 16), spread(rows[denial], 16)]).reindex(rows.index)
        charts.draw_claims_over_time(ax, rows, styles, ymax, x=x)
        weak = is_weak(rows)
        for i, row in rows.iterrows():
            notes = []
            start = COUNTED_FROM.get(row["claim_id"], USUAL_START)
            if row["measure"] == CONTAINERS and start != USUAL_START:
                notes.append(f"start {start}" if start == "not given" else f"since {start}")
            if weak[i]:
                notes.append("weak source")
            if row["claim_id"] == SEED_CONTAINERS:
                notes.append("seed article")
            if row["claimant"] in ("ru-government", "kp-government") and row["claim_kind"] == "denial":
                continue
            if notes:
                # The newest claims sit at the right edge, and the DIA's 13,000 just before the NIS's:
                # label those on their left.
                left = (row["as_of"] > rows["as_of"].max() - pd.Timedelta(days=60)
                        or row["claim_id"] in LABEL_LEFT)
                _label(ax, x[i], float(row["value"]), "\n".join(notes), dx=-8 if left else 7,
                       ha="right" if left else "left")
        denials = rows[rows["claim_kind"] == "denial"]
        if not denials.empty:
            _label(ax, x[denials.index].max(), 0, "denials", dy=7)
        ax.set_ylabel("containers")
        ax.set_xlim(rows["as_of"].min() - pd.Timedelta(days=40), rows["as_of"].max() + pd.Timedelta(days=30))
        _time_axis(ax, mdates.MonthLocator(bymonth=(1, 4, 7, 10)), mdates.DateFormatter("%b\n%Y"))
        _add_legends(fig, grid[1], rows, styles)
    return fig


def shells_figure(ledger: Ledger):
    """Shell totals in two rows: those converted from containers or tonnage, and those with no method given."""
    rows = shell_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    first, top = _headline(rows)
    converted = rows["claim_id"].isin(list(CONVERTED_FROM_CONTAINERS) + list(CONVERTED_BY_WEIGHT))
    ymax = _ymax(rows)
    panels = (("Converted from a container count or a tonnage", rows[converted]),
              ("Method not given", rows[~converted]))
    with plt.rc_context(charts.STYLE):
        legend = _legend_inches(rows, styles)
        fig = plt.figure(figsize=(7.6, 8.0 + legend))
        top_edge, bottom_edge = charts.add_provenance(
            fig,
            f"Shell estimates rose from {figure_text(first)} in {first['as_of']:%B %Y} to "
            f"{figure_text(top)} by {top['as_of']:%B %Y}; {int(converted.sum())} of {len(rows)} are "
            "conversions from containers or tonnage",
            "Artillery rounds shipped from North Korea to Russia in total, as claimed. Top: figures "
            "worked out from a container count at an assumed number of rounds per container (the "
            "rate each implies is written beside it) or from a weight of explosives. Bottom: figures "
            f"whose method is not given. Counted from {USUAL_START} unless labelled.",
            f"claims by {charts.claimants_in_words(rows)}, as cited in the report's bibliography",
            rows["claimed_on"].max(),
        )
        grid = fig.add_gridspec(3, 1, height_ratios=[2.6, 2.6, legend], hspace=0.3, left=0.14, right=0.97,
                                top=top_edge, bottom=bottom_edge)
        left_edge = rows["as_of"].min() - pd.Timedelta(days=40)
        right_edge = rows["as_of"].max() + pd.Timedelta(days=30)
        axes = []
        for r, (title, panel) in enumerate(panels):
            ax = fig.add_subplot(grid[r], sharex=axes[0] if axes else None, sharey=axes[0] if axes else None)
            axes.append(ax)
            x = spread(panel, 16)
            charts.draw_claims_over_time(ax, panel, styles, ymax, x=x)
            weak = is_weak(panel)
            for i, row in panel.iterrows():
                notes = []
                if row["claim_id"] in CONVERTED_FROM_CONTAINERS:
                    notes.append(f"\u2248{rounds_per_container(ledger, row['claim_id'])} a container")
                elif row["claim_id"] in CONVERTED_BY_WEIGHT:
                    notes.append("by weight")
                start = COUNTED_FROM.get(row["claim_id"], USUAL_START)
                if start != USUAL_START:
                    notes.append(f"start {start}" if start == "not given" else f"since {start}")
                if weak[i]:
                    notes.append("weak source")
                left = (row["as_of"] > rows["as_of"].max() - pd.Timedelta(days=60)
                        or row["claim_id"] in LABEL_LEFT)
                y = float(row["value"]) if pd.notna(row["value"]) else float(row["value_high"])
                _label(ax, x[i], y, "\n".join(notes), dx=-8 if left else 7, ha="right" if left else "left")
            ax.set_title(title, fontsize=10)
            ax.set_ylabel("rounds")
            ax.set_xlim(left_edge, right_edge)
            _time_axis(ax, mdates.MonthLocator(bymonth=(1, 4, 7, 10)), mdates.DateFormatter("%b\n%Y"))
            ax.tick_params(axis="x", labelbottom=r == len(panels) - 1)
        _add_legends(fig, grid[2], rows, styles)
    return fig


def _draw_year_spans(ax, panel: pd.DataFrame, x: pd.Series, styles: dict) -> None:
    """A claim about a whole year is drawn across that year, so it is not read as a figure at mid-year."""
    for i, row in panel[panel["as_of_precision"] == "year"].iterrows():
        year = row["as_of"].year
        style = styles[row["claimant"]]
        ax.plot([pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)], [row["value"]] * 2,
                color=style["color"], linewidth=1.2,
                linestyle=(0, (2, 2)) if row["claim_kind"] == "forecast" else "-", zorder=1)
        words = "expected in" if row["claim_kind"] == "forecast" else "during"
        _label(ax, x[i], float(row["value"]), f"{words} {year}", dy=8, dx=0, ha="center")


def weapons_headline(ledger: Ledger) -> dict:
    """What the missile and artillery chart's title states, computed from the ledger."""
    rows = weapon_claims(ledger)
    supplied = rows[rows["measure"] == "nk_ballistic_missiles_supplied"]
    combined = rows[rows["measure"] == "nk_artillery_systems_supplied"]
    values = combined["value"].astype(float)
    months = round((combined["as_of"].max() - combined["as_of"].min()).days / 30.44)
    return {"first": supplied.iloc[0], "last": supplied.iloc[-1], "low": combined.loc[values.idxmin()],
            "high": combined.loc[values.idxmax()], "months": months}


def weapons_figure(ledger: Ledger):
    """Missiles (supplied, fired) and artillery systems (together, guns, launchers), one panel per measure."""
    rows = weapon_claims(ledger)
    styles = charts.claimant_styles(ledger.claimants)
    missiles = rows[rows["measure"].isin([m for _, ms in MISSILE_PANELS for m in ms])]
    artillery = rows[rows["measure"].isin([m for _, ms in ARTILLERY_PANELS for m in ms])]
    head = weapons_headline(ledger)
    weak = is_weak(rows)
    with plt.rc_context(charts.STYLE):
        legend = _legend_inches(rows, styles)
        fig = plt.figure(figsize=(7.6, 7.6 + legend))
        top_edge, bottom_edge = charts.add_provenance(
            fig,
            f"Estimates of missiles supplied went from {figure_text(head['first'])} in "
            f"{head['first']['as_of']:%B %Y} to {figure_text(head['last'])} in {head['last']['as_of']:%B %Y}; "
            f"of guns and launchers, from {figure_text(head['low'])} to {figure_text(head['high'])} "
            f"within {NUMBER_WORDS.get(head['months'], head['months'])} months",
            "North Korean KN-23 and KN-24 ballistic missiles supplied to Russia and fired at Ukraine, and "
            "artillery systems supplied, as claimed. One panel per measure; a figure for a whole year is "
            "drawn across that year. Launches counted in occasions, not missiles, are left out.",
            f"claims by {charts.claimants_in_words(rows)}, as cited in the report's bibliography",
            rows["claimed_on"].max(),
        )
        grid = fig.add_gridspec(3, 6, height_ratios=[2.4, 2.1, legend], hspace=0.4, wspace=1.0,
                                left=0.09, right=0.98, top=top_edge, bottom=bottom_edge)
        specs = [(MISSILE_PANELS[0], grid[0, :3]), (MISSILE_PANELS[1], grid[0, 3:])] + [
            (p, grid[1, 2 * i:2 * i + 2]) for i, p in enumerate(ARTILLERY_PANELS)]
        m_ymax, a_ymax = _ymax(missiles) * 1.05, _ymax(artillery)
        a_span = (artillery["as_of"].min() - pd.Timedelta(days=20), artillery["as_of"].max() + pd.Timedelta(days=14))
        artillery_axes = []
        for (title, measures), cell in specs:
            panel = rows[rows["measure"].isin(measures)]
            is_missile = measures[0].startswith("nk_ballistic")
            share = artillery_axes[0] if artillery_axes else None
            ax = fig.add_subplot(cell, sharey=None if is_missile else share)
            if not is_missile:
                artillery_axes.append(ax)
            x = spread(panel, 20 if is_missile else 6)
            charts.draw_claims_over_time(ax, panel, styles, m_ymax if is_missile else a_ymax, x=x)
            _draw_year_spans(ax, panel, x, styles)
            for i, row in panel.iterrows():
                if weak[i]:
                    _label(ax, x[i], float(row["value"]), "weak\nsource", dx=-8, ha="right")
            ax.set_title(title, fontsize=9.5)
            if is_missile:
                # To the end of the last year a claim refers to, or a few weeks past the last claim.
                last = panel["as_of"].max()
                right = (pd.Timestamp(last.year, 12, 31) if (panel["as_of_precision"] == "year").any()
                         else last) + pd.Timedelta(days=25)
                ax.set_xlim(panel["as_of"].min() - pd.Timedelta(days=30), right)
                _time_axis(ax, mdates.MonthLocator(bymonth=(1, 4, 7, 10)), FuncFormatter(_month_year))
                ax.set_ylabel("missiles")
            else:
                ax.set_xlim(*a_span)
                _time_axis(ax, mdates.MonthLocator(), FuncFormatter(_month_year))
                if len(artillery_axes) > 1:
                    ax.tick_params(axis="y", labelleft=False)
                else:
                    ax.set_ylabel("systems")
        _add_legends(fig, grid[2, :], rows, styles)
    return fig


def basis_table(ledger: Ledger) -> str:
    """A MyST table of every running total of containers and shells: what it counts from and how it was reached.

    Columns follow the widths of the claims-table class (_static/report.css): the long text last.
    """
    claims = shipment_claims(ledger)
    rows = claims[claims["measure"].isin([CONTAINERS, SHELLS])]
    weak = is_weak(rows)
    lines = ["| Date | Claimant | Figure | Counted from | Weak source | Source | How reached |",
             "|---|---|---|---|---|---|---|"]
    for i, row in rows.iterrows():
        if row["measure"] == SHELLS:
            how = shell_method(row["claim_id"])
            if row["claim_id"] in CONVERTED_FROM_CONTAINERS:
                how += (f" ({figure_text(ledger.claim(CONVERTED_FROM_CONTAINERS[row['claim_id']]))} containers;"
                        f" about {rounds_per_container(ledger, row['claim_id'])} rounds a container)")
        else:
            how = "count of containers"
        cells = [date_text(row["as_of"], row["as_of_precision"]), escape_cell(row["claimant_short_name"]),
                 escape_cell(f"{figure_text(row)} {row['unit']}"), escape_cell(COUNTED_FROM[row["claim_id"]]),
                 "yes" if weak[i] else "", cite(row["source"]), escape_cell(how)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def basis_table_directive(ledger: Ledger, label: str, caption: str) -> str:
    """The basis table as a numbered MyST table that {numref}`label` can point to."""
    return f"```{{table}} {caption}\n:name: {label}\n:class: claims-table\n\n{basis_table(ledger)}\n```"


FIGURES = [
    Chart("fig-containers", "chapters/shipments.md", containers_figure, container_claims),
    Chart("fig-shells", "chapters/shipments.md", shells_figure, shell_claims),
    Chart("fig-missiles-artillery", "chapters/shipments.md", weapons_figure, weapon_claims),
]
