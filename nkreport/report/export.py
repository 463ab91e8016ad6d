"""A chart's files: the SVG its page and figures/ share, a PNG of it, the CSV of its rows, and the
chart laid out for a 16:9 slide (style.SLIDE) as SVG and 1920 x 1080 PNG.

A chart is drawn once; its SVG is written to figures/ and, reworked for the page (page_svg),
inlined in the HTML, so the page and the files cannot differ. The build tells a chapter where to
write them through the environment (the *_VARIABLE names below); outside a build nothing is
written but the page's copy.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from ..data import Ledger
from .style import CLAIM_LINK, SLIDE, STYLE, Chart, draw_slide

FIGURES_DIR = Path(__file__).resolve().parents[2] / "figures"
# Set by the build (nkreport.build.execute) while a chapter runs: where the chapter writes its
# charts' files, the file where it notes each chart it wrote (see notebook.glue_chart), and the
# folder where it queues the PNGs the build is to rasterise (see save_figure).
FIGURES_DIR_VARIABLE = "NKREPORT_FIGURES_DIR"
FIGURES_RECORD_VARIABLE = "NKREPORT_FIGURES_RECORD"
PNG_QUEUE_VARIABLE = "NKREPORT_PNG_QUEUE"

# The columns of a chart's CSV: enough to trace every point back to its claimant and page.
CSV_COLUMNS = ("claim_id", "topic", "measure", "value", "value_low", "value_high", "bound", "qualifier",
               "unit", "as_of", "as_of_precision", "claimed_on", "claimed_on_precision", "claimant", "claimant_name",
               "claim_kind", "source", "source_url", "note", "weak_source", "checked_on", "checked_url")


def svg_bytes(fig, links: bool = False) -> bytes:
    """The figure as SVG with fixed ids and no date, so two builds give the same bytes. Marks that
    stand for a claim link to its ledger row (style.link_claim); with links=False (the files in
    figures/, for slides) those links are taken out."""
    buffer = io.BytesIO()
    with plt.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg if links else without_links(svg)


# matplotlib wraps a mark whose url is set in <a xlink:href=... target="_blank">…</a>, never nested.
_CLAIM_ANCHOR = re.compile(r'<a xlink:href="' + re.escape(CLAIM_LINK) + r'([a-z0-9-]+)"[^>]*>(.*?)</a>', re.S)


def without_links(svg: bytes) -> bytes:
    """The SVG with the claim links of its marks removed, the marks themselves unchanged."""
    text = svg.decode("utf-8")
    if not _CLAIM_ANCHOR.search(text):
        return svg
    return _CLAIM_ANCHOR.sub(lambda m: m.group(2), text).encode("utf-8")


def linked_claims(svg_or_markup: str | bytes) -> list[str]:
    """The claim ids the marks of a chart link to, in drawing order."""
    text = svg_or_markup.decode("utf-8") if isinstance(svg_or_markup, bytes) else svg_or_markup
    return re.findall(r'href="' + re.escape(CLAIM_LINK) + r'([a-z0-9-]+)"', text)


# On the web page a chart is SVG inline in the HTML (nkreport.build.sphinxext.pages puts it there), its text
# set in the font matplotlib measured it with. One subset of DejaVu Sans serves every chart of
# the book: nkreport.build.fonts writes it to _static/fonts from the characters the charts use, under a
# private name so no other font on a reader's machine can take its place.
PAGE_FONT = "NKReport DejaVu Sans"
PAGE_FONT_STACK = f"'{PAGE_FONT}', 'DejaVu Sans', sans-serif"


def _round_numbers(tag: re.Match) -> str:
    """Coordinates in a tag to a tenth of a point (a seventh of a screen pixel), far below what a
    screen shows."""
    return re.sub(r"-?\d+\.\d{2,}", lambda m: f"{float(m.group()):.1f}".rstrip("0").rstrip("."), tag.group())


def _without_bare_groups(text: str) -> str:
    """Unwrap <g> elements with no attributes (matplotlib's named groups, once their names are
    gone): they group nothing a browser draws differently."""
    out, stack = [], []
    for piece in re.split(r"(<g>|<g [^>]*>|</g>)", text):
        if piece == "<g>":
            stack.append(False)
            continue
        if piece.startswith("<g ") and not piece.endswith("/>"):
            stack.append(True)
        elif piece == "</g>":
            if not stack.pop():
                continue
        out.append(piece)
    return "".join(out)


def _short_ids(text: str, label: str) -> str:
    """matplotlib's ids (hashes) as short numbers after the chart's label, unique on the page."""
    ids = list(dict.fromkeys(re.findall(r'\bid="' + re.escape(label) + r'-([^"]+)"', text)))
    names = {old: f"{label}-{i}" for i, old in enumerate(ids)}
    return re.sub(re.escape(label) + r"-([A-Za-z0-9_]+)\b(?!-)",
                  lambda m: names.get(m.group(1), m.group(0)), text)


def _styles_as_classes(text: str, label: str) -> str:
    """Style attributes that repeat become classes of one <style> block in the chart (matplotlib
    writes the same style on every grid line, tick and marker): the same drawing, in fewer bytes.
    Class names start with the chart's label, as every chart on a page shares one stylesheet."""
    counts: dict[str, int] = {}
    for style in re.findall(r' style="([^"]*)"', text):
        counts[style] = counts.get(style, 0) + 1
    shared = [s for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n > 1]
    if not shared:
        return text
    names = {style: f"{label}-s{i}" for i, style in enumerate(shared)}
    text = re.sub(r' style="([^"]*)"', lambda m: f' class="{names[m.group(1)]}"' if m.group(1) in names else m.group(0),
                  text)
    sheet = "".join(f".{name}{{{style}}}" for style, name in names.items())
    return re.sub(r"(<svg [^>]*>)", lambda m: m.group(1) + f"<style>{sheet}</style>", text, count=1)


def page_svg(svg: bytes, label: str, tips: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """The chart as its page shows it, and the characters its text uses by font weight.

    Made from the very SVG written to figures/ (with its claim links kept): ids prefixed with
    the label (several charts share a page), matplotlib's page-wide `*` style turned into
    attributes of the chart's root, and its font on the root, no prolog or metadata, whitespace
    between tags and inside paths collapsed, coordinates rounded to a tenth of a point. Each
    mark that stands for a claim is a link to the claim's ledger row, named by `tips` (claimant,
    figure, date, kind) for the tooltip, keyboard focus and screen readers.
    """
    text = svg.decode("utf-8")
    tips = tips or {}
    linked: set[str] = set()

    def link(match: re.Match) -> str:
        claim_id, mark = match.groups()
        if claim_id in linked:  # a claim drawn twice (in two panels) is one link, at its first mark
            return mark
        linked.add(claim_id)
        tip = html.escape(tips.get(claim_id, claim_id), quote=True)
        # The <title> is the link's accessible name and its tooltip (and, through _static/charts.js,
        # what keyboard focus shows under the chart).
        return f'<a href="{CLAIM_LINK}{claim_id}" class="chart-claim"><title>{tip}</title>{mark}</a>'

    text = _CLAIM_ANCHOR.sub(link, text)
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'<style type="text/css">\*\{stroke-linejoin: round; stroke-linecap: butt\}</style>', "", text)
    text = re.sub(r'<g id="[^"]*">', "<g>", text)  # matplotlib's group names; nothing refers to them
    text = re.sub(r'\bid="', f'id="{label}-', text)
    text = text.replace('href="#', f'href="#{label}-').replace("url(#", f"url(#{label}-")
    text = re.sub(r' d="([^"]*)"', lambda m: ' d="' + " ".join(m.group(1).split()) + '"', text)
    text = re.sub(r">\s+<", "><", text).replace("<defs></defs>", "")
    # Set once on the root and inherited: the font, and the stroke style of matplotlib's `*` rule.
    text = re.sub(r"font-family: 'DejaVu Sans'(; )?", "", text)
    text = re.sub(r' transform="rotate\(-0 [^"]*\)"', "", text)  # a rotation by zero
    text = re.sub(r"<[^>]+>", _round_numbers, text)
    text = _styles_as_classes(text, label)
    text = _without_bare_groups(text)
    text = _short_ids(text, label)
    text = text.replace("<svg ", f'<svg class="nkreport-chart" font-family="{PAGE_FONT_STACK}" '
                        'stroke-linejoin="round" stroke-linecap="butt" ', 1)
    characters: dict[str, set[str]] = {"400": {" "}, "700": set()}
    for attributes, content in re.findall(r"<text([^>]*)>(.*?)</text>", text, flags=re.S):
        weight = "700" if re.search(r"font-weight: (700|bold)", attributes) else "400"
        characters[weight] |= set(html.unescape(re.sub(r"<[^>]+>", "", content)))
    return text, {w: "".join(sorted(c)) for w, c in characters.items() if c}


PNG_DPI = 300
# rcParams that cannot change how a saved figure looks
_NOT_DRAWING = ("backend", "interactive", "keymap.", "savefig.directory", "toolbar", "webagg.", "tk.", "macosx.")


def png_key(svg: bytes, dpi: int = PNG_DPI) -> str:
    """What the PNG of a chart is a function of: the chart (its SVG, which renders every artist
    with its data), the settings it is rasterised with, and the library versions. Kept in the
    PNG, so a build redraws a PNG only when one of them changed."""
    import hashlib

    import matplotlib
    import PIL

    digest = hashlib.sha256(svg)
    settings = sorted((k, repr(v)) for k, v in matplotlib.rcParams.items() if not k.startswith(_NOT_DRAWING))
    digest.update(repr((settings, dpi, matplotlib.__version__, PIL.__version__)).encode())
    return "nkreport png key " + digest.hexdigest()


def save_figure(fig, label: str, out_dir: Path | None = None, svg: bytes | None = None,
                png_queue: Path | None = None, dpi: int = PNG_DPI) -> list[Path]:
    """Write a chart as SVG (`svg` if already drawn) and PNG (at `dpi`) named by `label`,
    byte-identical across builds.

    Rasterising at 300 dpi is most of the cost of a chart, so a PNG whose key (png_key) equals
    the chart's current one is the very image this would write, and is kept as it is. With a
    `png_queue` folder, a PNG that must be drawn is queued there instead (the figure pickled
    with its key): the build rasterises the queue while Sphinx renders (rasterise_queued).
    """
    import pickle

    out_dir = Path(out_dir) if out_dir else FIGURES_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    svg_path, png = out_dir / f"{label}.svg", out_dir / f"{label}.png"
    svg = svg if svg is not None else svg_bytes(fig)
    svg_path.write_bytes(svg)
    with plt.rc_context(STYLE):
        key = png_key(svg, dpi)
        if _png_is(png, key):
            return [svg_path, png]
        if png_queue is not None:
            png.unlink(missing_ok=True)  # never leave the old image beside the new chart
            png_queue.mkdir(parents=True, exist_ok=True)
            with open(png_queue / f"{label}.pickle", "wb") as f:
                pickle.dump({"figure": fig, "key": key, "png": str(png), "dpi": dpi}, f)
        else:
            fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None, "Comment": key})
    return [svg_path, png]


def _png_is(png: Path, key: str) -> bool:
    """Whether the PNG at `png` exists and was drawn under `key` (png_key)."""
    from PIL import Image

    if not png.exists():
        return False
    with Image.open(png) as existing:
        return existing.info.get("Comment") == key


def rasterise_queued(job: Path) -> Path:
    """Draw the PNG a chapter queued (save_figure with png_queue), exactly as save_figure would
    have; return its path."""
    import pickle

    with open(job, "rb") as f:
        queued = pickle.load(f)
    with plt.rc_context(STYLE):
        queued["figure"].savefig(queued["png"], format="png", dpi=queued.get("dpi", PNG_DPI),
                                 metadata={"Software": None, "Comment": queued["key"]})
    plt.close(queued["figure"])
    job.unlink()
    return Path(queued["png"])


def plotted_rows(chart: Chart, ledger: Ledger) -> pd.DataFrame:
    """The ledger rows a chart plots, in ledger order, in the columns of its CSV."""
    rows = chart.claims(ledger)
    table = ledger.claims[ledger.claims["claim_id"].isin(rows["claim_id"])][list(CSV_COLUMNS)].copy()
    for column in ("as_of", "claimed_on", "checked_on"):
        table[column] = table[column].dt.strftime("%Y-%m-%d").fillna("")
    for column in ("value", "value_low", "value_high"):
        table[column] = table[column].map(lambda v: "" if pd.isna(v) else f"{float(v):g}" if float(v) % 1 else f"{int(v)}")
    return table


def write_chart(fig, chart: Chart, ledger: Ledger, out_dir: Path, svg: bytes | None = None,
                png_queue: Path | None = None) -> dict:
    """Write the bundle of one drawn chart (SVG, PNG, CSV of its rows, and its 16:9 slide's SVG and
    PNG); return its manifest entry. With `png_queue`, a PNG that must be drawn again is queued
    for the build (save_figure)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    svg = svg if svg is not None else svg_bytes(fig)
    files = save_figure(fig, chart.label, out_dir, svg, png_queue)
    rows = plotted_rows(chart, ledger)
    csv = out_dir / f"{chart.label}.csv"
    text = rows.to_csv(index=False, lineterminator="\n")
    csv.write_bytes(text.encode("utf-8"))
    files.append(csv)
    files += write_slide(chart, ledger, out_dir, slide_key(svg, text), png_queue)
    return {"label": chart.label, "chapter": chart.chapter, "title": fig.get_label(),
            "claim_ids": list(rows["claim_id"]), "files": [f.name for f in files]}


def slide_name(label: str) -> str:
    """The stem of a chart's slide files in figures/: <label>-slide.png and .svg."""
    return f"{label}-slide"


def _drawing_code_digest() -> str:
    """The package code a chart's drawing can depend on (that of nkreport.build.inputs.chapter_code_digest)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in ("data", "report", "chapters"):
        for file in sorted((package / part).rglob("*.py")):
            digest.update(str(file.relative_to(package)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


# Read once, as the kernel imports the code it draws with (a file saved later, during a build, is
# not what this kernel's slides were drawn by).
_DRAWING_CODE = _drawing_code_digest()


def slide_key(svg: bytes, rows_csv: str) -> str:
    """What a chart's slide is a function of: the chart as the book draws it (its SVG), the rows it
    plots, the code that draws it and the library's version. Kept in the slide's SVG, so a build
    draws a slide again only when one of them changed: drawing and laying out a slide costs about
    as much as the chart itself."""
    import matplotlib

    digest = hashlib.sha256(svg)
    digest.update(rows_csv.encode())
    digest.update(repr((_DRAWING_CODE, SLIDE, matplotlib.__version__)).encode())
    return "nkreport slide key " + digest.hexdigest()


def write_slide(chart: Chart, ledger: Ledger, out_dir: Path, key: str, png_queue: Path | None = None) -> list[Path]:
    """Write a chart's slide (SVG and 1920 x 1080 PNG), unless the files there were drawn under
    `key` (slide_key) and the PNG is current."""
    stem = slide_name(chart.label)
    svg_path, png = out_dir / f"{stem}.svg", out_dir / f"{stem}.png"
    mark = f"<!-- {key} -->\n".encode()
    if svg_path.exists():
        existing = svg_path.read_bytes()
        if mark in existing[:1000]:
            with plt.rc_context(STYLE):
                if _png_is(png, png_key(existing.replace(mark, b"", 1), SLIDE.dpi)):
                    return [svg_path, png]
    fig = draw_slide(chart, ledger)
    svg = svg_bytes(fig)
    # The PNG's key is the drawing's (without the mark), so a code edit that leaves the slide as it
    # was draws no PNG.
    files = save_figure(fig, stem, out_dir, svg, png_queue, SLIDE.dpi)
    svg_path.write_bytes(svg.replace(b"<svg ", mark + b"<svg ", 1))
    plt.close(fig)
    return files


def write_charts(ledger: Ledger, selected, out_dir: Path) -> list[dict]:
    """Draw each chart and write its bundle; return their manifest entries."""
    entries = []
    for chart in selected:
        fig = chart.draw(ledger)
        entries.append(write_chart(fig, chart, ledger, out_dir))
        plt.close(fig)
    return entries
