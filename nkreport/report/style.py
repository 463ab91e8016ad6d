"""The report's chart style: the Chart record, claimant colours and markers, claims drawn over time, provenance lines."""

from __future__ import annotations

import html
import io
import re
import textwrap
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .text import REPORT_TITLE, thousands



@dataclass(frozen=True)
class Chart:
    """One chart of the book.

    label: its figure label (the {glue:figure} :name:, the anchor and the file names in figures/);
    chapter: the chapter file that shows it; draw: ledger -> matplotlib figure;
    claims: ledger -> the ledger rows the chart plots, exactly (for its CSV download).
    """

    label: str
    chapter: str
    draw: Callable
    claims: Callable


@dataclass(frozen=True)
class Layout:
    """Where a chart is drawn for: the book's page, or a 16:9 slide. The draw functions consult it
    (layout(), figure(), pt()) so that a slide is the same chart from the same rows, laid out anew.

    size: the figure in inches (None: the chart's own); dpi: what its PNG is rasterised at;
    min_font: the smallest type in points; subtitle: whether add_provenance writes it.
    """

    name: str
    size: tuple[float, float] | None
    dpi: int
    min_font: float
    subtitle: bool

    @property
    def slide(self) -> bool:
        return self.name == "slide"


BOOK = Layout("book", None, 300, 0.0, True)
# 9.6 x 5.4 in at 200 dpi is exactly 1920 x 1080 px, and a point is 200/72 px: the book's type
# sizes (7.5 to 14 pt) come out at 21 to 39 px, large enough to read when projected. The
# subtitle is left to the speaker; the title, source line and as-of date stay on the image.
SLIDE = Layout("slide", (9.6, 5.4), 200, 7.2, False)
_LAYOUT: ContextVar[Layout] = ContextVar("nkreport_chart_layout", default=BOOK)


def layout() -> Layout:
    """The layout charts are being drawn for (BOOK unless inside slide_layout())."""
    return _LAYOUT.get()


@contextmanager
def slide_layout():
    """Draw charts for a 16:9 slide while inside this block."""
    token = _LAYOUT.set(SLIDE)
    try:
        yield SLIDE
    finally:
        _LAYOUT.reset(token)


def figure(width: float, height: float):
    """A new figure of the chart's own size in the book, of the slide's size on a slide."""
    return plt.figure(figsize=layout().size or (width, height))


def pt(size: float) -> float:
    """A type size, raised on a slide to the smallest that reads when projected."""
    return max(size, layout().min_font)


def draw_slide(chart: "Chart", ledger):
    """The chart drawn by its own code for a 16:9 slide, its legends moved to the side."""
    with slide_layout(), plt.rc_context(STYLE):
        fig = chart.draw(ledger)
        legends_to_the_side(fig)
    return fig


def legends_to_the_side(fig) -> None:
    """Move a chart's legends into a column at the right of the slide and stretch its panels over
    the height and width left free, keeping their arrangement.

    The draw functions lay a book chart out for a tall page, legends below; a slide is wide, so
    this rearranges what they drew (the same artists, from the same rows) instead of each chart
    keeping a second layout. A legend is set in one column, or two if the column would overflow.
    """
    from matplotlib.legend import Legend

    if getattr(fig, "nkreport_legends_placed", False):  # a chart that placed them itself (see place_labels)
        return
    top, bottom = getattr(fig, "nkreport_frame", (0.85, 0.1))
    old = list(fig.legends)
    content = []
    for ax in fig.axes:
        found = [a for a in ax.get_children() if isinstance(a, Legend)]
        old += found
        if ax.axison or not found:  # an axis turned off holds only legends
            content.append(ax)
    if not old or not content:
        return
    if not hasattr(fig.canvas, "get_renderer"):  # a figure pyplot no longer manages
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()

    def rebuild(legend, ncols: int):
        title = legend.get_title()
        new = fig.legend(handles=legend.legend_handles, labels=[t.get_text() for t in legend.texts],
                         loc="upper left", ncols=ncols, fontsize=legend.texts[0].get_fontsize(),
                         title=title.get_text() or None, title_fontsize=title.get_fontsize(),
                         alignment="left", frameon=False, handletextpad=0.4, columnspacing=1.0,
                         borderaxespad=0, borderpad=0)
        box = new.get_window_extent(renderer)
        return new, box.width / fig.bbox.width, box.height / fig.bbox.height

    for legend in old:
        legend.remove()
    gap = 0.035
    room = top - bottom + 0.04
    built = [rebuild(legend, 1) for legend in old]
    while sum(h for _, _, h in built) + gap * (len(built) - 1) > room:
        tallest = max(range(len(built)), key=lambda i: built[i][2] if built[i][0]._ncols == 1 else -1)
        if built[tallest][0]._ncols != 1:
            break
        built[tallest][0].remove()
        built[tallest] = rebuild(old[tallest], 2)
    column = 1 - max(w for _, w, _ in built) - 0.015
    y = top + 0.04
    for legend, _, height in built:
        legend.set_bbox_to_anchor((column, y), transform=fig.transFigure)
        y -= height + gap

    boxes = [ax.get_position() for ax in content]
    x0, x1 = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    y0, y1 = min(b.y0 for b in boxes), max(b.y1 for b in boxes)
    # room for what stands outside the panels: tick labels below and a panel title above
    new_x0, new_x1 = x0, column - 0.04
    new_y0, new_y1 = bottom + 0.06, top - 0.035
    for ax, box in zip(content, boxes):
        ax.set_position([new_x0 + (box.x0 - x0) * (new_x1 - new_x0) / (x1 - x0),
                         new_y0 + (box.y0 - y0) * (new_y1 - new_y0) / (y1 - y0),
                         box.width * (new_x1 - new_x0) / (x1 - x0),
                         box.height * (new_y1 - new_y0) / (y1 - y0)])
    _fit_text(fig, content, column * fig.bbox.width)
    fig.nkreport_legends_placed = True


# Where a slide's label may sit from its point, in points: beside, above, below, then diagonally,
# then further out (with a leader line), nearest first.
_NEAR = ((7, 0), (-7, 0), (0, 9), (0, -9), (7, 8), (-7, 8), (7, -8), (-7, -8))
_FAR = tuple((dx * r, dy * r) for r in (2.2, 3.4) for dx, dy in _NEAR + ((4, 12), (-4, 12), (4, -12), (-4, -12)))


def place_labels(fig, ax, labels: list[tuple[str, tuple[float, float]]], fontsize: float,
                 avoid_texts: bool = True, **text_kw) -> list[str]:
    """Write labels at data points on a slide, each where it overlaps no other label, no marker of
    the axes, no text already in them and does not leave them; a label with no such place is left
    out. `labels` come most important first. Call it once the slide's panels are in their final
    place (after legends_to_the_side). Returns the labels written."""
    if not hasattr(fig, "canvas") or not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # panels of fixed aspect take their final size
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    scale = fig.dpi / 72
    taken = []
    for line in ax.get_lines():
        if line.get_marker() in (None, "None", "none", "") or not line.get_visible():
            continue
        half = line.get_markersize() * scale / 2 + 2
        for x, y in ax.transData.transform(line.get_xydata()):
            taken.append((x - half, y - half, x + half, y + half))
    marks = len(taken)
    if avoid_texts:
        for text in ax.texts:
            if text.get_visible() and text.get_text().strip():
                box = text.get_window_extent(renderer)
                taken.append((box.x0, box.y0, box.x1, box.y1))
    written = []
    for words, xy in labels:
        tip = ax.transData.transform((ax.convert_xunits(xy[0]), ax.convert_yunits(xy[1])))
        # the point's own marks (a halo, several claims on one spot) are not in its label's way:
        # the label starts beyond the largest of them instead
        own = [b for b in taken[:marks] if b[0] <= tip[0] <= b[2] and b[1] <= tip[1] <= b[3]]
        others = [b for b in taken if b not in own]
        reach = max([1.0] + [((b[2] - b[0]) / 2 / scale + 1.5) / 7 for b in own])
        for dx, dy in _NEAR + _FAR:
            far = (dx, dy) not in _NEAR
            dx, dy = dx * reach, dy * reach

            def write(leader: bool):
                return ax.annotate(words, xy, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                                   ha="left" if dx > 0 else "right" if dx < 0 else "center",
                                   va="bottom" if dy > 0 and not dx else "top" if dy < 0 and not dx else "center",
                                   annotation_clip=False,
                                   arrowprops=dict(arrowstyle="-", color="#777777", lw=0.8, shrinkA=0, shrinkB=4)
                                   if leader else None, **text_kw)

            text = write(False)  # measured without its leader line
            box = text.get_window_extent(renderer)
            pad = 3
            inside = (box.x0 >= frame.x0 + pad and box.x1 <= frame.x1 - pad
                      and box.y0 >= frame.y0 + pad and box.y1 <= frame.y1 - pad)
            free = all(box.x1 + pad < x0 or box.x0 - pad > x1 or box.y1 + pad < y0 or box.y0 - pad > y1
                       for x0, y0, x1, y1 in others)
            if far and free:  # a leader line crosses no other label or mark either
                free = all(not _segment_hits((tip[0], tip[1]), ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2), b)
                           for b in others)
            if inside and free:
                if far:
                    text.remove()
                    write(True)
                taken.append((box.x0, box.y0, box.x1, box.y1))
                written.append(words)
                break
            text.remove()
    return written


def _segment_hits(a, b, box) -> bool:
    """Whether the segment a-b passes through the box (sampled)."""
    x0, y0, x1, y1 = box
    return any(x0 <= a[0] + (b[0] - a[0]) * t <= x1 and y0 <= a[1] + (b[1] - a[1]) * t <= y1
               for t in (i / 20 for i in range(21)))


def _fit_text(fig, axes, right: float) -> None:
    """On a slide's narrower panels: wrap a panel title that would run into the legends (at
    `right`, in pixels), and keep every other tick of a scale where its labels would touch."""
    renderer = fig.canvas.get_renderer()
    titles = [(ax, t) for ax in axes for t in (ax.title, ax._left_title) if t.get_text()]
    for ax, title in titles:
        text = title.get_text()
        box = title.get_window_extent(renderer)
        # as far as the legends, or the next title to its right in the same row of panels
        limit = min([right] + [t.get_window_extent(renderer).x0 - 12 for other, t in titles
                               if other.get_position().x0 > ax.get_position().x0
                               and abs(other.get_position().y1 - ax.get_position().y1) < 0.02])
        if box.x1 > limit:
            width = int(len(text) * (limit - box.x0) / box.width)
            title.set_text("\n".join(textwrap.wrap(text, max(width, 12))))
    # a title wrapped onto more lines takes that height from the top of its row of panels
    extra: dict[float, float] = {}
    for ax, title in titles:
        lines = title.get_text().count("\n")
        row = round(ax.get_position().y1, 2)
        extra[row] = max(extra.get(row, 0), lines * title.get_fontsize() * 1.25 / 72 / fig.get_size_inches()[1])
    for ax in axes:
        box = ax.get_position()
        cut = extra.get(round(box.y1, 2), 0)
        if cut:
            ax.set_position([box.x0, box.y0, box.width, box.height - cut])
    for _ in range(3):
        fig.draw_without_rendering()
        crowded = []
        for ax in axes:
            for axis, gap in ((ax.xaxis, lambda a, b: b.x0 - a.x1), (ax.yaxis, lambda a, b: b.y0 - a.y1)):
                low, high = sorted(axis.get_view_interval())
                shown = sorted((t.get_window_extent(renderer) for t in axis.get_ticklabels()
                                if t.get_visible() and t.get_text() and low <= t.get_position()[axis is ax.yaxis] <= high),
                               key=lambda box: box.y0 if axis is ax.yaxis else box.x0)
                texts = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
                if any(gap(a, b) < 4 for a, b in zip(shown, shown[1:])) and all(map(_SCALE_LABEL.search, texts)):
                    crowded.append(axis)
        if not crowded:
            return
        for axis in crowded:
            view = axis.get_view_interval()
            low, high = sorted(view)
            pairs = [(tick, label.get_text()) for tick, label in zip(axis.get_ticklocs(), axis.get_ticklabels())
                     if low <= tick <= high]
            if len(pairs) < 3:  # a scale keeps two labels at least
                continue
            keep = _every_other([label for _, label in pairs])
            axis.set_ticks([pairs[i][0] for i in keep], [pairs[i][1] for i in keep])
            axis.set_view_interval(*view, ignore=True)  # set_ticks widens the view to its ticks


# Labels of a scale (numbers, dates): one may be left out. A category's label never is.
_SCALE_LABEL = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|^[\s\d.,\u2212-]+(million|billion|%)?$")


def _every_other(labels: list[str]) -> list[int]:
    """Indices of every other tick label, always keeping one that names a year (so a date axis
    still says which year its months are in), each keeping its own label."""
    years = [bool(re.search(r"\d{4}", label)) for label in labels]
    if all(years):
        return list(range(0, len(labels), 2))
    keep: list[int] = []
    for i, label in enumerate(labels):
        if re.search(r"\d{4}", label):
            if keep and keep[-1] == i - 1 and not re.search(r"\d{4}", labels[i - 1]):
                keep.pop()
            keep.append(i)
        elif not keep or keep[-1] < i - 1:
            keep.append(i)
    return keep


# Where a mark that stands for a claim links to, from a chapter page: the claim's row on the
# claims ledger page (chapters/ledger.md), whose rows are anchored by claim id.
CLAIM_LINK = "ledger.html#claim-"


def link_claim(artist, claim_id: str):
    """Make a drawn mark a link to its claim's ledger row (on the page only; see export.svg_bytes)."""
    artist.set_url(CLAIM_LINK + claim_id)
    return artist


# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and dark enough on white.
COUNTRY_COLOURS = {
    "South Korea": "#0072B2",
    "Ukraine": "#E69F00",
    "United States": "#009E73",
    "United Kingdom": "#CC79A7",
    "Russia": "#D55E00",
    "North Korea": "#000000",
    # Beyond Okabe-Ito's eight, two of Paul Tol's muted scheme, distinct from them for the same readers.
    "China": "#882255",
    "Japan": "#44AA99",
    "NATO": "#56B4E9",
    "International": "#999933",
    "Independent": "#7F7F7F",
}
# Within a country, claimants take markers in the order claimants.csv lists them, so a claimant
# keeps its marker in every chart as long as a new claimant is added after those of its country.
# Shapes that stay distinct at 8 px: no hexagon early (it reads as a circle) and no triangle
# before the ninth (it reads as the head of a bound's arrow).
MARKERS = ["o", "s", "D", "P", "X", "*", "p", "d", "H", "8", "v", "^"]

STYLE = {
    "figure.facecolor": "white",  # opaque, so charts stay readable on a dark page or slide
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "svg.hashsalt": "nkreport",  # fixed ids in SVGs: two builds give the same bytes
    "svg.fonttype": "none",  # text stays text in SVG, editable in slides
}


def claimant_styles(claimants: pd.DataFrame) -> dict[str, dict]:
    """Colour, marker and legend label of every claimant, the same in every chart."""
    styles = {}
    counts: dict[str, int] = {}
    for row in claimants.itertuples():
        n = counts.get(row.country, 0)
        counts[row.country] = n + 1
        styles[row.claimant_id] = {
            "color": COUNTRY_COLOURS[row.country],
            "marker": MARKERS[n % len(MARKERS)],
            "label": row.short_name,
        }
    return styles


def dodge(claims: pd.DataFrame, days: float) -> pd.Series:
    """Plotting dates that move claims of the same day a little apart, centred on the day."""
    rank = claims.groupby("as_of").cumcount()
    size = claims.groupby("as_of")["as_of"].transform("size")
    return claims["as_of"] + pd.to_timedelta((rank - (size - 1) / 2) * days, unit="D")


def draw_claims_over_time(ax, claims: pd.DataFrame, styles: dict[str, dict], ymax: float,
                          x: pd.Series | None = None) -> list[str]:
    """Draw claims as they should be read: points, ranges as bars, bounds as arrows, forecasts hollow.

    `x` gives plotting dates (default: as_of). Figures above `ymax` are drawn at the top edge with
    their value written beside them, so one outlier does not flatten every other claim. Returns
    the claim ids drawn.
    """
    drawn = []
    arrow = 0.07 * ymax
    x = claims["as_of"] if x is None else x
    for row, px in zip(claims.itertuples(), x):
        style = styles[row.claimant]
        forecast = row.claim_kind == "forecast"
        face = "white" if forecast else style["color"]
        common = dict(marker=style["marker"], color=style["color"], markerfacecolor=face,
                      markeredgecolor=style["color"], markersize=7, markeredgewidth=1.5,
                      linestyle="none", zorder=3)
        drawn.append(row.claim_id)
        if row.claim_kind == "denial":
            link_claim(ax.plot([px], [0], marker="x", color=style["color"], markersize=9, markeredgewidth=2,
                               linestyle="none", zorder=3)[0], row.claim_id)
            continue
        low, high, value = row.value_low, row.value_high, row.value
        if pd.notna(low) and pd.notna(high):
            (bar,) = ax.plot([px, px], [low, min(high, ymax)], color=style["color"], linewidth=2.5,
                             solid_capstyle="butt", zorder=2)
            if pd.isna(value):
                link_claim(bar, row.claim_id)  # the range is the claim's mark
            for end in (low, min(high, ymax)):
                ax.plot([px], [end], **{**common, "markersize": 5})
        if pd.isna(value):
            continue
        y = min(value, ymax)
        link_claim(ax.plot([px], [y], **common)[0], row.claim_id)
        if value > ymax:
            ax.annotate(f"{thousands(value)} (off scale)", (px, y), xytext=(7, -2),
                        textcoords="offset points", fontsize=8, color=style["color"], va="top",
                        annotation_clip=True)
        elif row.bound in ("floor", "ceiling"):
            sign = 1 if row.bound == "floor" else -1
            ax.annotate("", xy=(px, y + sign * arrow), xytext=(px, y), annotation_clip=True,
                        arrowprops=dict(arrowstyle="-|>", color=style["color"], lw=1.5,
                                        shrinkA=4, shrinkB=0), zorder=2)
        if forecast and row.claimed_on < row.as_of:
            ax.plot([row.claimed_on, px], [y, y], color=style["color"], linestyle=(0, (2, 2)),
                    linewidth=1.2, zorder=1)
    ax.set_ylim(-0.03 * ymax, ymax * 1.06)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands_tick))
    return drawn


def thousands_tick(value, _position) -> str:
    """Tick labels with thousands separators; a named function, so a figure can be pickled
    (the build rasterises PNGs in another process, see save_figure)."""
    return thousands(value)


def encoding_legend_handles() -> list[Line2D]:
    """Legend entries that explain how a claim is drawn, independent of who makes it."""
    grey = "#555555"
    return [
        Line2D([], [], marker="o", color=grey, linestyle="none", label="Estimate or statement"),
        Line2D([], [], marker="o", color=grey, markerfacecolor="white", linestyle=(0, (2, 2)),
               label="Forecast (dashes: from when it was made)"),
        Line2D([], [], marker="$\u2191$", color=grey, linestyle="none", markersize=9,
               label="Lower bound (at least); \u2193 upper bound"),
        Line2D([], [], color=grey, linewidth=2.5, label="Range given by the claimant"),
        Line2D([], [], marker="x", color=grey, linestyle="none", markeredgewidth=2, label="Denial"),
    ]


def claimant_legend_handles(claims: pd.DataFrame, styles: dict[str, dict]) -> list[Line2D]:
    """One legend entry per claimant shown, in the order of claimants.csv; x for denial-only claimants."""
    denies_only = claims.groupby("claimant")["claim_kind"].agg(lambda k: set(k) == {"denial"})
    handles = []
    for claimant, style in styles.items():
        if claimant not in denies_only.index:
            continue
        marker = "x" if denies_only[claimant] else style["marker"]
        handles.append(Line2D([], [], marker=marker, color=style["color"], linestyle="none",
                              markersize=7, markeredgewidth=2 if marker == "x" else 1,
                              label=style["label"] + (" (denial)" if denies_only[claimant] else "")))
    return handles


def claimants_in_words(claims: pd.DataFrame) -> str:
    """'South Korea, the United States, the EU and Yonhap': governments by country, the EU and UN and media by name."""
    names = []
    for country in COUNTRY_COLOURS:
        rows = claims[claims["claimant_country"] == country]
        if rows.empty:
            continue
        if country == "International":
            names += ["the " + n for n in dict.fromkeys(rows["claimant_short_name"])]
        elif country == "Independent":
            names += list(dict.fromkeys(rows["claimant_short_name"]))
        else:
            names.append({"United States": "the United States", "United Kingdom": "the United Kingdom"}
                         .get(country, country))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def add_provenance(fig, title: str, subtitle: str, source: str, as_of: pd.Timestamp) -> tuple[float, float]:
    """Write the finding, what is shown and the source on the figure itself, so it travels with it.

    Text is wrapped to the figure's width. Returns the figure fractions left free for the chart
    (top, bottom).
    """
    fig.set_label(title)  # the figures manifest lists each chart by its title
    width, height = fig.get_size_inches()
    x, y = 0.15 / width, 1 - 0.12 / height

    def block(text: str, size: float, y: float, **kw) -> float:
        per_char = 0.64 if kw.get("fontweight") == "bold" else 0.56
        lines = textwrap.wrap(text, int((width - 0.3) * 72 / (size * per_char)))
        fig.text(x, y, "\n".join(lines), fontsize=size, ha="left", va="top", linespacing=1.3, **kw)
        return y - (len(lines) * size * 1.3 / 72) / height

    y = block(title, 14, y, fontweight="bold")
    if layout().subtitle:
        y = block(subtitle, 10, y - 0.06 / height, color="#333333")
    credit = (f"Source: {source}. Claims as of {as_of.day} {as_of:%B %Y}. "
              f"{REPORT_TITLE}, claims ledger (data/claims.csv).")
    lines = textwrap.wrap(credit, int(width * 72 / (8 * 0.55)))
    fig.text(x, 0.1 / height, "\n".join(lines), fontsize=8, ha="left", va="bottom", color="#444444",
             linespacing=1.3)
    bottom = (0.1 + len(lines) * 8 * 1.3 / 72 + 0.12) / height
    fig.nkreport_frame = (y - 0.3 / height, bottom)  # where a slide's legends may go (legends_to_the_side)
    return fig.nkreport_frame


def add_legends(ax, claims: pd.DataFrame, styles: dict[str, dict]) -> None:
    """Claimants, then how to read the marks, in an axis reserved for them below the chart."""
    ax.axis("off")
    claimant_handles = claimant_legend_handles(claims, styles)
    first = ax.legend(handles=claimant_handles, loc="upper left", bbox_to_anchor=(0, 1), ncol=3,
                      fontsize=8.5, title="Claimant", title_fontsize=9, alignment="left",
                      handletextpad=0.3, columnspacing=1.0, borderaxespad=0)
    ax.add_artist(first)
    ax.legend(handles=encoding_legend_handles(), loc="lower left", bbox_to_anchor=(0, 0), ncol=2,
              fontsize=8.5, title="How to read", title_fontsize=9, alignment="left",
              handletextpad=0.4, columnspacing=1.5, borderaxespad=0)
