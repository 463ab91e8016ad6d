"""The casualties chapter's data and charts: Russian and North Korean losses, by claimant and kind of claim."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator
from matplotlib.transforms import blended_transform_factory

from ..report import facts
from ..report import style as charts
from ..report.notebook import figure_markdown
from ..report.style import Chart
from ..data.ledger import Ledger
from ..report.text import cite, date_text, figure_text, thousands

# The ledger topics chapters/casualties.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more. Besides the two loss topics: troops for the
# size of the first wave, timeline for the first clash and the first mass assaults, operations
# for the assessments of why the losses were so heavy.
TOPICS = ("ru_casualties", "nk_casualties", "troops", "timeline", "operations")

# Each panel holds one measure, so a killed figure never sits on the scale of a killed-and-wounded
# total, and the named dead (a count of individuals) are drawn as an area, not as estimates.
# Figures for one month or one year (RU_PERIODS) are not running totals and are never drawn here.
# (panel title, measures, top of the y scale, tick step, height in inches)
RU_PANELS = (
    ("Killed and wounded since February 2022", ("ru_killed_wounded",), 1_350_000, 250_000, 2.9),
    ("Killed since February 2022: estimates, and the dead confirmed by name",
     ("ru_killed", "ru_killed_named"), 560_000, 100_000, 2.4),
)
RU_NAMED = "ru_killed_named"
# Figures for one month or one year: rates, not running totals, so never drawn on the chart's scale.
RU_PERIODS = ("ru_killed_in_month", "ru_killed_wounded_in_year", "ru_killed_seriously_wounded_per_month")

# Figures for one two-day clash or one week (nk_killed_wounded_in_period), the officials' wider
# "battle casualties" (which count the missing and captured too) and the wounded sent home are not
# running totals of killed and wounded, so they stay out of the chart and are discussed in the text.
NK_PANELS = (
    ("Killed and wounded, running totals", ("nk_killed_wounded",), 7_000, 1_000, 2.4),
    ("Killed", ("nk_killed", "nk_killed_memorial_wall", "nk_killed_engineers"), 6_600, 1_000, 2.5),
    ("Wounded", ("nk_wounded",), 4_700, 1_000, 1.2),
    ("Captured alive: confirmed counts", ("nk_captured",), 3, 1, 0.7),
)
# North Korea's own partial acknowledgements, labelled on the chart so no one reads them as totals.
NK_PARTIAL = {"nk_killed_memorial_wall": "named on a memorial wall",
              "nk_killed_engineers": "engineers of one regiment"}

# Russian "killed and wounded" rows whose count is wider: the ledger files them under
# ru_killed_wounded and their notes give the scope. The chart title compares like with like, so it
# leaves them out.
RU_WIDER_SCOPE = {"rucas-csis-2026-01-27": "killed, wounded and missing"}

ROLE_GROUPS = (
    ("Governments and alliances not at war", ("third_party_government", "international_org")),
    ("Parties to the war (belligerents' claims)", ("belligerent",)),
    ("Researchers and media", ("independent",)),
)
NAMED_COLOUR, NAMED_FILL = "#555555", "#E3E3E3"
ROUND = {"o", "8", "H", "h"}
WEAK_RING = "#222222"
NK_DODGE_DAYS = 4

# --- Rows the prose reasons from -------------------------------------------------------------------
KYIV_DEC, SEOUL_DEC = "nkcas-ua-president-2024-12-23", "nkcas-jcs-2024-12-23"
NIS_JAN_KILLED, WEST_JAN_KILLED = "nkcas-nis-2025-01-13-killed", "nkcas-bbc-2025-01-22-killed"
WEST_JAN_BATTLE = "nkcas-bbc-2025-01-22-total"
UK_MARCH, JCS_MARCH = "nkcas-ukmod-2025-03-28", "nkcas-jcs-2025-03-27"
NIS_APRIL_KILLED, NIS_APRIL_TOTAL = "nkcas-nis-2025-04-30-killed", "nkcas-nis-2025-04-30-total"
UK_JUNE, NIS_SEPT_KILLED = "nkcas-ukmod-2025-06-15", "nkcas-nis-2025-09-02-killed"
REUTERS_KILLED = "nkcas-reuters-2025-11-14-killed"
CSIS_DEC_KILLED, CSIS_MAY_KILLED = "rucas-csis-2026-01-27-killed", "rucas-csis-2026-05-killed"
UK_NOV_2023, UK_NOV_2024 = "rucas-ukmod-2023-12-04", "rucas-ukmod-2024-11-10"
GCHQ_KILLED, PROBATE_AUG = "rucas-gchq-2026-05-27-killed", "rucas-meduza-2025-08-29"
# When the killed-and-wounded estimates of Seoul, London and Kyiv had come together: the spring of 2025.
SPRING = (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-04-30"))
# The UK's March 2025 split, in the note of nkcas-ukmod-2025-03-28: "about a third of them killed in action".
UK_MARCH_KILLED_SHARE = 1 / 3
# The upper end of this report's range for North Korean dead: half of the UK's newest
# killed-and-wounded count, a higher share killed than any claimant has given (the UK's third is
# the highest). The lower end is the NIS's September 2025 count.
NK_DEAD_UPPER_SHARE = 1 / 2


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


def headline_candidates(claims: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Claims a title or a conclusion may rest on: third-party, not on one weak page, of the
    measure's own scope (see RU_WIDER_SCOPE), by date."""
    rows = claims[(claims["measure"] == measure) & is_third_party(claims)]
    rows = facts.strongest(rows)
    rows = rows[~rows["claim_id"].isin(list(RU_WIDER_SCOPE))]
    return rows.sort_values(["as_of", "claimed_on", "claim_id"])


def _value(ledger: Ledger, claim_id: str) -> float:
    return float(ledger.claim(claim_id)["value"])


def _share(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.0%}"


def _times(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.1f} times"


def _above(higher: float, lower: float) -> str:
    """'43% above': how far one figure stands above another, as a share of the lower."""
    return f"{higher / lower - 1:.0%} above"


def nk_dead_range(ledger: Ledger) -> tuple[float, float]:
    """This report's judgement of North Korean dead: from the NIS's September 2025 count to half of
    the UK's newest killed-and-wounded count (see NK_DEAD_UPPER_SHARE)."""
    low = _value(ledger, NIS_SEPT_KILLED)
    high = round(_value(ledger, UK_JUNE) * NK_DEAD_UPPER_SHARE, -2)
    return low, high


def spring_spread(ledger: Ledger) -> float:
    """How far apart the killed-and-wounded estimates of the spring of 2025 were: highest over
    lowest, of the claims not on one weak page."""
    claims = facts.strongest(ledger.claims)
    rows = claims[(claims["measure"] == "nk_killed_wounded") & claims["as_of"].between(*SPRING)]
    return float(rows["value"].max() / rows["value"].min())


def prose_figures(ledger: Ledger) -> dict[str, str]:
    """The computed phrases the chapter glues: comparisons of one claimant's figures, or of two
    claimants' figures side by side, never a sum."""
    v = lambda claim_id: _value(ledger, claim_id)  # noqa: E731
    claims = ledger.claims
    first_wave = float(facts.first_wave_sent(claims)["value"])
    sent = float(facts.combat_troops_sent(claims)["value"])
    low, high = nk_dead_range(ledger)
    named = claims[claims["measure"] == RU_NAMED].sort_values(["as_of", "claim_id"]).iloc[-1]
    return {
        "kyiv_vs_seoul_dec": _times(v(KYIV_DEC), v(SEOUL_DEC)),
        "spring_spread": f"{spring_spread(ledger) - 1:.0%}",
        "west_vs_nis_jan_killed": _times(v(WEST_JAN_KILLED), v(NIS_JAN_KILLED)),
        "west_jan_killed_share": _share(v(WEST_JAN_KILLED), v(WEST_JAN_BATTLE)),
        "uk_march_implied_killed": thousands(round(v(UK_MARCH) * UK_MARCH_KILLED_SHARE, -2)),
        "nis_april_killed_share": _share(v(NIS_APRIL_KILLED), v(NIS_APRIL_TOTAL)),
        "nis_killed_revision": _times(v(NIS_SEPT_KILLED), v(NIS_APRIL_KILLED)),
        "jcs_first_wave_share": _share(v(JCS_MARCH), first_wave),
        "uk_first_wave_share": _share(v(UK_JUNE), first_wave),
        "uk_june_at_uk_march_share": thousands(round(v(UK_JUNE) * UK_MARCH_KILLED_SHARE, -2)),
        "uk_kw_growth_2024": _times(v(UK_NOV_2024), v(UK_NOV_2023)),
        "nis_all_sent_share": _share(v(NIS_APRIL_TOTAL), sent),
        "nk_dead_low": thousands(low),
        "nk_dead_high": thousands(high),
        "reuters_vs_uk_june": ("the same figure as" if v(REUTERS_KILLED) == v(UK_JUNE)
                               else _times(v(REUTERS_KILLED), v(UK_JUNE)) + " as much as"),
        "gchq_vs_csis_may": _above(v(GCHQ_KILLED), v(CSIS_MAY_KILLED)),
        "gchq_vs_csis_dec_high": _above(v(GCHQ_KILLED), float(ledger.claim(CSIS_DEC_KILLED)["value_high"])),
        "named_vs_probate": _share(float(named["value"]), v(PROBATE_AUG)),
    }


def glue_event(ledger: Ledger, row: pd.Series, name: str) -> None:
    """Glue a dated event of the ledger for the prose: `name_date`, the date it refers to, and
    `name_cite`, the citation of its source (so prose never cites another source than the ledger)."""
    from IPython.display import Markdown
    from myst_nb import glue

    from ..report.notebook import glue_text

    glue_text(f"{name}_date", date_text(row["as_of"], row["as_of_precision"]))
    glue(f"{name}_cite", Markdown(cite(row["source"])), display=False)


def glue_citations(claims: pd.DataFrame) -> None:
    """Glue each claim's citation alone as `<claim id with underscores>_cite`, for a sentence that
    gives several figures and cites their sources once, at its end. In the build, only the claims
    the page refers to are glued (notebook.GLUE_KEYS_VARIABLE)."""
    from IPython.display import Markdown
    from myst_nb import glue

    from ..report.notebook import page_refers_to

    for row in claims.itertuples():
        name = f"{row.claim_id.replace('-', '_')}_cite"
        if page_refers_to(name):
            glue(name, Markdown(cite(row.source)), display=False)


def chart_styles(ledger: Ledger, claims: pd.DataFrame) -> dict[str, dict]:
    """The book's claimant styles, with no two claimants in one chart drawn alike.

    claimant_styles() gives markers by order within a country, and after eight independent
    claimants the markers repeat or turn round (CSIS would look like the New York Times); a
    claimant that would share colour and shape with another one in the same chart gets the next
    free marker.
    """
    styles = charts.claimant_styles(ledger.claimants)
    shown = list(dict.fromkeys(c for c in styles if c in set(claims["claimant"])))
    taken: set[tuple[str, str]] = set()

    def clashes(color: str, marker: str) -> bool:
        # An octagon or a hexagon reads as a circle at 7 px: it clashes with any round marker of its colour.
        shape = {marker} | (ROUND if marker in ROUND else set())
        return any((color, m) in taken for m in shape)

    for claimant in shown:
        style = dict(styles[claimant])
        if clashes(style["color"], style["marker"]):
            style["marker"] = next(m for m in charts.MARKERS if not clashes(style["color"], m))
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
    for row in rows.itertuples():  # each update of the count is a mark of its own, linked to its claim
        charts.link_claim(ax.plot([row.as_of], [float(row.value)], marker="o", markersize=3.5, color=NAMED_COLOUR,
                                  linestyle="none", zorder=1)[0], row.claim_id)
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


def _ring_weak(ax, rows: pd.DataFrame, x: pd.Series, ymax: float) -> None:
    """A ring around each claim that rests on one weak page, so it is never read as firm."""
    weak = facts.is_weak(rows)
    for row, px in zip(rows[weak].itertuples(), x[weak]):
        y = row.value if pd.notna(row.value) else (row.value_low + row.value_high) / 2
        ax.plot([px], [min(y, ymax)], marker="o", markersize=13, markerfacecolor="none",
                markeredgecolor=WEAK_RING, markeredgewidth=1.0, linestyle="none", zorder=4)


def _encoding(claims: pd.DataFrame, confirmed_label: str | None = None) -> list:
    """How to read the marks this chart uses, and only those."""
    grey = "#555555"
    handles = []
    if facts.is_weak(claims).any():
        handles.append(Line2D([], [], marker="o", markersize=11, markerfacecolor="none",
                              markeredgecolor=WEAK_RING, linestyle="none",
                              label="Ringed: rests on one weak page"))
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
        probe = charts.figure(7.6, 10)
        top, bottom = charts.add_provenance(probe, *words)
        head, foot = (1 - top) * 10, bottom * 10
        plt.close(probe)
        heights = [p[4] for p in panels] + [legend_inches]
        height = head + sum(heights) + gap_inches * len(panels) + foot
        fig = charts.figure(7.6, height)
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
            x = charts.dodge(rows, dodge_days)
            charts.draw_claims_over_time(ax, rows, styles, ymax, x=x)
            _ring_weak(ax, rows, x, ymax)
            ax.yaxis.set_major_locator(MultipleLocator(step))
            ax.set_ylim(-0.03 * ymax, ymax)
            ax.set_title(title, fontsize=10)
            _time_axis(ax, left_date, right_date, months)
            # Tick marks only on the shared time axis at the bottom: the grid lines carry the y
            # scale, and every mark left out keeps the page light.
            bottom_row = r == len(panels) - 1
            ax.tick_params(axis="x", labelbottom=bottom_row, bottom=bottom_row, labelsize=8.5)
            ax.tick_params(axis="y", left=False, labelsize=8.5)
        lowest = _legends(fig.add_subplot(grid[len(panels)]), claims, styles, kinds)
        if lowest >= 0:
            break
        plt.close(fig)
        legend_inches += -lowest * legend_inches + 0.05
    return fig


def ru_headline(ledger: Ledger) -> dict:
    """What the Russian chart's title states: the first and newest killed-and-wounded estimates a
    headline may rest on (headline_candidates), and the newest count of the dead named."""
    claims = ru_plotted_claims(ledger)
    kw = headline_candidates(claims, "ru_killed_wounded")
    named = claims[claims["measure"] == RU_NAMED]
    return {"first_kw": kw.iloc[0], "latest_kw": kw.iloc[-1],
            "latest_named": named.sort_values(["as_of", "claim_id"]).iloc[-1],
            "as_of": claims["claimed_on"].max()}


def ru_title(ledger: Ledger) -> str:
    head = ru_headline(ledger)
    first, kw, named = head["first_kw"], head["latest_kw"], head["latest_named"]
    return (f"Estimates of Russian soldiers killed or wounded rose from {figure_text(first)} in "
            f"{first['as_of']:%B %Y} to {figure_text(kw)} by {kw['as_of']:%B %Y}; "
            f"{figure_text(named)} dead are known by name")


def _claimant_list(rows: pd.DataFrame) -> str:
    names = list(dict.fromkeys(rows.sort_values("as_of")["claimant_short_name"]))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def ru_alt_text(ledger: Ledger) -> str:
    """The Russian chart's alt text, from the rows it draws (tests check the page shows this text)."""
    claims = ru_plotted_claims(ledger)
    head = ru_headline(ledger)
    first, kw = head["first_kw"], head["latest_kw"]
    all_kw = claims[claims["measure"] == "ru_killed_wounded"]
    ukraine = all_kw[all_kw["claimant_role"] == "belligerent"].sort_values("as_of")
    killed = claims[claims["measure"] == "ru_killed"]
    own = killed[killed["claimant_role"] == "belligerent"].sort_values("as_of")
    top = _highest(killed)
    named = claims[claims["measure"] == RU_NAMED].sort_values("as_of")
    weak = claims[facts.is_weak(claims)]
    return (
        f"Chart in two rows sharing a time axis from {claims['as_of'].min():%B %Y} to "
        f"{claims['as_of'].max():%B %Y}. Top row: {len(all_kw)} claims of Russian soldiers killed or "
        f"wounded. Estimates by governments and researchers not at war rise from {figure_text(first)} "
        f"in {first['as_of']:%B %Y} to {figure_text(kw)} in {kw['as_of']:%B %Y}; Ukraine's General "
        f"Staff, a party to the war, claims from {figure_text(ukraine.iloc[0])} in "
        f"{ukraine.iloc[0]['as_of']:%B %Y} to {figure_text(ukraine.iloc[-1])} in "
        f"{ukraine.iloc[-1]['as_of']:%B %Y}. Bottom row: {len(killed)} claims of Russian soldiers "
        f"killed, over a grey stepped area of the dead confirmed by name, which grows from "
        f"{figure_text(named.iloc[0])} in {named.iloc[0]['as_of']:%B %Y} to "
        f"{figure_text(named.iloc[-1])} in {named.iloc[-1]['as_of']:%B %Y}. Russia's own figures, "
        f"{' and '.join(figure_text(r) for _, r in own.iterrows())} in {own['as_of'].iloc[-1]:%Y}, sit "
        f"near zero; the highest estimate is {figure_text(top)} by {top['claimant_short_name']} in "
        f"{top['as_of']:%B %Y}. {len(weak)} markers, ringed, rest on one weak page."
    )


def ru_casualties_figure(ledger: Ledger):
    """Russian losses over time: killed and wounded in one panel; killed estimates over the named dead in the other."""
    claims = ru_plotted_claims(ledger)
    styles = chart_styles(ledger, claims)
    head = ru_headline(ledger)
    left = claims["as_of"].min() - pd.Timedelta(days=45)
    right = max(claims["as_of"].max(), claims["claimed_on"].max()) + pd.Timedelta(days=60)

    def split_named(ax, rows, right_date):
        _draw_named(ax, rows[rows["measure"] == RU_NAMED], right_date)
        own = rows[(rows["measure"] == "ru_killed") & (rows["claimant_role"] == "belligerent")].sort_values("as_of")
        if not own.empty:
            last = own.iloc[-1]
            figures = " and ".join(thousands(v) for v in own["value"])
            first = own.iloc[0]
            ax.annotate(f"{figures} dead:\nRussia's own figures, {last['as_of']:%Y}",
                        (first["as_of"], first["value"]), xytext=(-4, 30), textcoords="offset points",
                        ha="left", va="bottom", fontsize=7.8, color=styles[last["claimant"]]["color"])
        return rows[rows["measure"] != RU_NAMED].reset_index(drop=True)

    title = ru_title(ledger)
    subtitle = ("Russian soldiers killed or wounded, and killed, since February 2022, by claimant; each "
                "marker is one claim at the date it refers to, never combined with another claimant's. "
                "Grey area: dead identified by name, a minimum. Ukraine's General Staff and Russia's "
                "defence ministry are parties to the war; CSIS's newest total also counts the missing.")
    source = f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography"
    with plt.rc_context(charts.STYLE):
        return _chart(claims, styles, RU_PANELS, (title, subtitle, source, head["as_of"]),
                      (left, right), _encoding(claims, "Dead confirmed by name (a minimum)"),
                      draw_extra=split_named)


def nk_headline(ledger: Ledger) -> dict:
    """What the North Korean chart's title states: the first and newest killed-and-wounded
    estimates and the newest estimate of the dead that a headline may rest on."""
    claims = nk_plotted_claims(ledger)
    kw = headline_candidates(claims, "nk_killed_wounded")
    dead = headline_candidates(claims, "nk_killed")
    return {"first": kw.iloc[0], "latest": kw.iloc[-1], "dead": dead.iloc[-1],
            "as_of": claims["claimed_on"].max()}


def nk_title(ledger: Ledger) -> str:
    head = nk_headline(ledger)
    first, latest, dead = head["first"], head["latest"], head["dead"]
    return (f"Estimates of North Korean soldiers killed or wounded rose from {figure_text(first)} in "
            f"{first['as_of']:%B %Y} to {figure_text(latest)} by {latest['as_of']:%B %Y}; the newest "
            f"estimate of the dead is {figure_text(dead)} ({dead['claimant_short_name']}, "
            f"{dead['as_of']:%B %Y})")


def _highest(rows: pd.DataFrame) -> pd.Series:
    """The claim with the highest figure (a range counts by its top)."""
    top = rows["value"].fillna(rows["value_high"])
    return rows.loc[top.sort_values(kind="stable").index[-1]]


def _span(rows: pd.DataFrame) -> str:
    """'from more than 3,000 to 4,000' (by date), or the one figure."""
    rows = rows.sort_values(["as_of", "claim_id"])
    if len(rows) == 1:
        return figure_text(rows.iloc[0])
    return f"from {figure_text(rows.iloc[0])} to {figure_text(rows.iloc[-1])}"


def nk_alt_text(ledger: Ledger) -> str:
    """The North Korean chart's alt text, from the rows it draws (tests check the page shows this text)."""
    claims = nk_plotted_claims(ledger)
    head = nk_headline(ledger)
    kw = claims[claims["measure"] == "nk_killed_wounded"]
    # The first weeks: the month of the first estimate and the next one.
    early = kw[kw["as_of"] < head["first"]["as_of"].to_period("M").start_time + pd.DateOffset(months=2)]
    ukraine, korea = early[early["claimant_country"] == "Ukraine"], early[early["claimant_country"] == "South Korea"]
    uk = kw[kw["claimant_country"] == "United Kingdom"].sort_values("as_of")
    last = kw.sort_values(["as_of", "claim_id"]).iloc[-1]
    killed = claims[claims["measure"] == "nk_killed"]
    nis = killed[killed["claimant"] == "kr-nis"]
    top = _highest(killed)
    partial = claims[claims["measure"].isin(list(NK_PARTIAL))].sort_values("as_of")
    wounded = claims[claims["measure"] == "nk_wounded"]
    captured = claims[claims["measure"] == "nk_captured"].sort_values("as_of")
    weak = claims[facts.is_weak(claims)]
    return (
        f"Chart in four rows sharing a time axis from {claims['as_of'].min():%B %Y} to "
        f"{claims['as_of'].max():%B %Y}. Top row: {len(kw)} running totals of North Korean soldiers "
        f"killed or wounded. Up to {early['as_of'].max():%B %Y}, Ukraine's claims run {_span(ukraine)} "
        f"and South Korea's {_span(korea)}; the first British estimate, {figure_text(uk.iloc[0])}, "
        f"refers to {uk.iloc[0]['as_of']:%B %Y} and the newest, {figure_text(uk.iloc[-1])}, to "
        f"{uk.iloc[-1]['as_of']:%B %Y}; the latest of all is {figure_text(last)} from "
        f"{last['claimant_short_name']} in {last['as_of']:%B %Y}. Second row: killed, with South Korea's intelligence service "
        f"rising {_span(nis)}; the highest figure, {figure_text(top)}, is from "
        f"{top['claimant_short_name']} in {top['as_of']:%B %Y}; North Korea's own partial figures, "
        f"{' and '.join(figure_text(r) for _, r in partial.iterrows())}, are labelled near zero. Third "
        f"row: wounded, from {_claimant_list(wounded)}. Bottom row: confirmed counts of soldiers "
        f"captured alive, {figure_text(captured.iloc[0])} in {captured.iloc[0]['as_of']:%B %Y} and "
        f"{figure_text(captured.iloc[-1])} in {captured.iloc[-1]['as_of']:%B %Y}. "
        f"{len(weak)} markers, ringed, rest on one weak page."
    )


def nk_casualties_figure(ledger: Ledger):
    """North Korean losses over time, one panel per measure, by claimant."""
    claims = nk_plotted_claims(ledger)
    styles = chart_styles(ledger, claims)
    head = nk_headline(ledger)
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

    title = nk_title(ledger)
    subtitle = ("North Korean soldiers killed, wounded and captured, by claimant; each marker is one claim "
                "at the date it refers to, never combined with another claimant's. Ukraine and North Korea "
                "are parties to the war; the captured are confirmed counts. Single clashes, single weeks "
                "and the wider \"battle casualties\" (with the missing) are left out.")
    source = f"claims by {charts.claimants_in_words(claims)}, as cited in the report's bibliography"
    with plt.rc_context(charts.STYLE):
        return _chart(claims, styles, NK_PANELS, (title, subtitle, source, head["as_of"]),
                      (left, right), _encoding(claims), draw_extra=captured_labels,
                      months=(1, 4, 7, 10), dodge_days=NK_DODGE_DAYS)


FIGURES = [
    Chart("fig-ru-casualties", "chapters/casualties.md", ru_casualties_figure, ru_plotted_claims),
    Chart("fig-nk-casualties", "chapters/casualties.md", nk_casualties_figure, nk_plotted_claims),
]
