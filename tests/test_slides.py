"""Slide-ready charts: every chart also comes as a 1920 x 1080 slide, drawn by its own code, with
type large enough to read when projected and its title, source and as-of date as real text."""

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text
from PIL import Image

from nkreport.chapters import charts
from nkreport.report.export import save_figure, slide_name, svg_bytes
from nkreport.report.style import SLIDE, draw_slide, layout

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
# 20 px on a 1920 px wide slide
SMALLEST_PX = 20


def visible_texts(fig):
    fig.draw_without_rendering()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and all(a is None or a.get_visible() for a in (t.axes, getattr(t, "figure", None)))]


def test_a_slide_is_drawn_by_the_chart_code_in_the_slide_layout_only(ledger):
    chart = charts()["fig-returns-value"]
    book = chart.draw(ledger)
    slide = draw_slide(chart, ledger)
    assert layout().name == "book", "drawing a slide must not leave the slide layout on"
    assert tuple(book.get_size_inches()) != tuple(slide.get_size_inches())
    assert book.get_label() == slide.get_label(), "the slide states the same finding as the book chart"
    assert svg_bytes(book) == svg_bytes(chart.draw(ledger)), "the book chart must not depend on a slide drawn before"
    plt.close(book), plt.close(slide)


def test_a_slide_png_is_1920_by_1080(ledger, tmp_path):
    slide = draw_slide(charts()["fig-returns-value"], ledger)
    svg, png = save_figure(slide, "fig-returns-value-slide", tmp_path, dpi=SLIDE.dpi)
    plt.close(slide)
    with Image.open(png) as image:
        assert image.size == (1920, 1080)
    assert svg.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize("label", list(charts()))
def test_no_text_on_a_slide_is_smaller_than_20_px_or_cut_off(ledger, label):
    fig = draw_slide(charts()[label], ledger)
    width, height = (fig.get_size_inches() * SLIDE.dpi).round()
    assert (width, height) == (1920, 1080)
    renderer = fig.canvas.get_renderer()
    for text in visible_texts(fig):
        px = text.get_fontsize() * SLIDE.dpi / 72
        assert px >= SMALLEST_PX - 0.5, f"{label}: {text.get_text()!r} is {px:.0f} px high"
        box = text.get_window_extent(renderer)
        # ticks of a clipped axis and text clipped to its axes are not drawn outside it
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, \
            f"{label}: {text.get_text()!r} runs off the slide"
    plt.close(fig)


@pytest.mark.parametrize("label", list(charts()))
def test_the_committed_slide_png_is_1920_by_1080(label):
    with Image.open(FIGURES / f"{slide_name(label)}.png") as image:
        assert image.size == (1920, 1080), label


def svg_texts(svg: str) -> str:
    """The text the SVG carries as <text> elements (not glyph paths), joined by spaces."""
    texts = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]
    return " ".join(" ".join(texts).split())


@pytest.mark.parametrize("label", list(charts()))
def test_the_slide_svg_carries_title_source_and_as_of_as_text(label):
    import html

    entry = next(e for e in json.loads((FIGURES / "manifest.json").read_text(encoding="utf-8"))["figures"]
                 if e["label"] == label)
    svg = (FIGURES / f"{slide_name(label)}.svg").read_text(encoding="utf-8")
    text = html.unescape(svg_texts(svg))
    # lines are wrapped at other places than in the book: compare without white space
    assert "".join(entry["title"].split()) in "".join(text.split()), f"{label}: the slide lacks its title as text"
    assert "Source: " in text and re.search(r"Claims as of (\d+ )?[A-Z][a-z]+ \d{4}", text), label
    book = html.unescape(svg_texts((FIGURES / f"{label}.svg").read_text(encoding="utf-8")))
    source = re.search(r"Source: .*?claims ledger \(data/claims\.csv\)\.", book).group()
    assert "".join(source.split()) in "".join(text.split()), f"{label}: the slide's source line differs from the book chart's"


def test_the_manifest_lists_each_slide():
    manifest = json.loads((FIGURES / "manifest.json").read_text(encoding="utf-8"))["figures"]
    for entry in manifest:
        stem = slide_name(entry["label"])
        assert f"{stem}.png" in entry["files"] and f"{stem}.svg" in entry["files"], entry["label"]


def test_thinning_crowded_ticks_keeps_every_label_that_names_a_year():
    from nkreport.report.style import _every_other

    labels = ["Apr 2019", "Jan 2023", "Apr", "Jul", "Oct", "Jan 2024", "Apr", "Jul"]
    keep = _every_other(labels)
    assert [labels[i] for i in keep] == ["Apr 2019", "Jan 2023", "Jul", "Jan 2024", "Jul"]
    assert _every_other(["1", "2", "3", "4", "5"]) == [0, 2, 4]
    assert _every_other(["1 Oct 2024", "15 Oct 2024", "1 Nov 2024", "15 Nov 2024"]) == [0, 2]


def test_a_slide_keeps_the_label_of_each_tick_it_keeps(ledger):
    """Ticks thinned on a slide keep their own labels (a chart may set ticks and labels as pairs):
    the slide's labels are the book's, in order, fewer, spread over the whole axis (not its first
    labels moved onto the remaining ticks)."""
    chart = charts()["fig-timeline"]
    fig, book = draw_slide(chart, ledger), chart.draw(ledger)

    def labels(f):
        f.draw_without_rendering()
        ticks = [t for ax in f.axes if ax.axison for t in ax.get_yticklabels() if t.get_text()]
        return [t.get_text() for t in sorted(ticks, key=lambda t: t.get_position()[1])]

    slide, page = labels(fig), labels(book)
    plt.close(fig), plt.close(book)
    assert len(slide) < len(page), "the timeline's slide was expected to need fewer ticks"
    rest = iter(page)
    assert all(label in rest for label in slide), f"{slide} is not {page} thinned"
    assert slide[0] == page[0] and slide != page[:len(slide)]


def test_a_slide_leaves_out_no_category_label(ledger):
    """Thinning is for scales: every bar of the ledger's composition keeps its label on the slide."""
    chart = charts()["fig-ledger-composition"]
    fig, book = draw_slide(chart, ledger), chart.draw(ledger)

    def labels(f):
        f.draw_without_rendering()
        return sorted(t.get_text() for ax in f.axes if ax.axison for t in ax.get_yticklabels() if t.get_text())

    assert labels(fig) == labels(book)
    plt.close(fig), plt.close(book)
