"""A short brief for a principal (python -m nkreport.build.brief; `make brief`): _build/pdf/brief.pdf.

At most four A4 pages: the title and edition, the bottom line, the key judgments, the key figures,
headline charts and how to cite. It is one self-contained HTML page, written from the ledger by the
code the book uses (the overview's key-figure rules, report.judgments, the chapters' charts) and
printed by headless Chromium, so it cannot state another figure than the book. Every figure links to
its claim in the web edition (CITATION.cff's url), every judgment to its place in its chapter.
"""

from __future__ import annotations

import base64
import html
import re
import sys
import tempfile
from pathlib import Path

import pandas as pd
from markdown_it import MarkdownIt

from ..chapters import chart, overview
from ..data import Ledger, load
from ..data.ledger import PLACEHOLDER
from ..report import facts
from ..report.export import page_svg, svg_bytes
from ..report.judgments import LIKELIHOOD
from ..report.style import CLAIM_LINK
from ..report.text import date_text, figure_text
from .book import ROOT
from .pdf import print_to_pdf
from .sphinxext.pages import authors_text, long_date, read_citation

BRIEF_NAME = "brief.pdf"
# The headline charts, as the book draws them: the front page's counts at a glance, and the
# munitions that the bottom line puts first.
CHARTS = ("fig-overview", "fig-containers")
# How wide each chart is printed, as a share of the text width: the charts are drawn for a
# portrait page, and each must leave room on its page for what follows it.
CHART_WIDTH = {"fig-overview": 0.94, "fig-containers": 0.76}

_md = MarkdownIt("commonmark")


def inline(markdown: str) -> str:
    """A line of the book's Markdown as HTML (emphasis, quotes), through the parser MyST uses."""
    return _md.renderInline(" ".join(markdown.split()))


class Web:
    """Absolute addresses in the web edition, from CITATION.cff's url."""

    def __init__(self, citation: dict):
        self.root = citation["url"].rstrip("/") + "/"

    def page(self, docname: str, anchor: str = "") -> str:
        return f"{self.root}{docname}.html" + (f"#{anchor}" if anchor else "")

    def claim(self, claim_id: str) -> str:
        return self.page("chapters/ledger", f"claim-{claim_id}")


def _link(href: str, text: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<a href="{html.escape(href, quote=True)}"{klass}>{text}</a>'


def claim_link(web: Web, row: pd.Series, text: str | None = None) -> str:
    text = html.escape(figure_text(row) if text is None else text)
    return _link(web.claim(row["claim_id"]), text, "claim")


# --- The bottom line --------------------------------------------------------------------------

def bottom_line(root: Path = ROOT) -> list[tuple[str, str]]:
    """The front page's bottom line as its numbered points open: each point's bold first sentence
    (Markdown) and the page of the chapter its first {ref}`ch-...` names.

    Only the lead sentences are taken: they state the conclusion without a figure, so the brief
    repeats the book's words without its glued numbers.
    """
    text = (root / "chapters" / "overview.md").read_text(encoding="utf-8")
    if "\n## The bottom line\n" not in text:
        raise ValueError("chapters/overview.md has no section '## The bottom line'")
    section = text.split("\n## The bottom line\n", 1)[1].split("\n## ", 1)[0]
    points = re.split(r"\n(?=\d+\. \*\*)", "\n" + section.strip())
    out = []
    for point in filter(None, (p.strip() for p in points)):
        lead = re.match(r"\d+\. \*\*(.+?)\*\*", point, re.S)
        chapter = re.search(r"\{ref\}`ch-([a-z-]+)`", point)
        if not lead or not chapter:
            raise ValueError(f"chapters/overview.md: a point of the bottom line does not open with a bold "
                             f"sentence or names no chapter ({{ref}}`ch-...`): {point[:80]!r}")
        if "{" in lead.group(1):
            raise ValueError("chapters/overview.md: the bold lead of a bottom-line point holds a role or glue, "
                             f"which the brief cannot show: {lead.group(1)!r}")
        out.append((" ".join(lead.group(1).split()), chapter_page(root, f"ch-{chapter.group(1)}")))
    if not out:
        raise ValueError("chapters/overview.md has no numbered points under '## The bottom line'")
    return out


def chapter_page(root: Path, label: str) -> str:
    """The page (docname) whose title carries a chapter label such as ch-shipments."""
    for path in sorted((root / "chapters").glob("*.md")):
        if f"\n({label})=\n" in "\n" + path.read_text(encoding="utf-8"):
            return path.relative_to(root).with_suffix("").as_posix()
    raise ValueError(f"chapters/overview.md: the bottom line refers to {label}, which no chapter carries")


def bottom_line_html(web: Web, root: Path) -> str:
    items = "".join(f"<li>{inline('**' + lead + '**')} {_link(web.page(page), 'More', 'more')}</li>"
                    for lead, page in bottom_line(root))
    return f'<section class="bottom-line"><h2>The bottom line</h2><ol>{items}</ol></section>'


# --- Key judgments ----------------------------------------------------------------------------

def _inline_keeping_spaces(text: str) -> str:
    """inline(), keeping the spaces at the fragment's ends (they separate it from a linked figure)."""
    if not text.strip():
        return text
    return text[:len(text) - len(text.lstrip())] + inline(text) + text[len(text.rstrip()):]


def statement_html(ledger: Ledger, web: Web, statement: str) -> str:
    """A judgment's statement with each [[claim-id]] as the claim's figure and each
    [[date:claim-id]] as its date, both linked to the claim's row in the web edition's ledger."""
    out, last = [], 0
    for match in PLACEHOLDER.finditer(statement):
        out.append(_inline_keeping_spaces(statement[last:match.start()]))
        kind, claim_id = match.groups()
        row = ledger.claim(claim_id)
        out.append(claim_link(web, row, date_text(row["as_of"], row["as_of_precision"]) if kind == "date" else None))
        last = match.end()
    out.append(_inline_keeping_spaces(statement[last:]))
    return "".join(out)


def judgments_html(ledger: Ledger, web: Web) -> str:
    order = list(overview.CHAPTER_TITLES)
    groups = sorted(ledger.judgments.groupby("chapter", sort=False),
                    key=lambda g: order.index(g[0]) if g[0] in order else len(order))
    blocks = []
    for chapter, rows in groups:
        items = []
        for _, j in rows.iterrows():
            likelihood = j["likelihood"]
            rating = (f"<span>{likelihood.capitalize()} ({LIKELIHOOD[likelihood]}).</span> "
                      f"<span>{j['confidence'].capitalize()} confidence.</span>")
            items.append(f'<li id="{j["judgment_id"]}">{statement_html(ledger, web, j["statement"])} '
                         f'{_link(web.page(f"chapters/{chapter}", j["judgment_id"]), rating, "rating")}</li>')
        title = html.escape(overview.CHAPTER_TITLES.get(chapter, chapter))
        blocks.append(f'<div class="kj-group"><h3>{_link(web.page(f"chapters/{chapter}"), title)}</h3>'
                      f'<ul>{"".join(items)}</ul></div>')
    return ('<section class="judgments"><h2>Key judgments</h2>'
            '<p class="lede">How likely each judgment is, in the terms of US Intelligence Community Directive 203, '
            'and, separately, how much confidence its evidence allows by the report\u2019s fixed rule. '
            'The rating links to the judgment\u2019s basis and claims in its chapter.</p>'
            + "".join(blocks) + "</section>")


# --- Key figures ------------------------------------------------------------------------------

def key_figures_html(ledger: Ledger, web: Web) -> str:
    """The front page's key-figures box: the same claims, picked by the same rules, said the same way
    (figure, what it counts, and overview.attribution: claimant, kind, as of)."""
    rows = overview.key_figures(ledger)
    newest = overview.as_of(ledger)
    cards = []
    for _, row in rows.iterrows():
        claim = ledger.claim(row["claim_id"])
        cards.append(f'<div class="card"><p class="figure">{claim_link(web, claim)}</p>'
                     f'<p class="what">{html.escape(row["label"])}</p>'
                     f'<p class="by">{html.escape(overview.attribution(claim))}</p></div>')
    return ('<section class="key-figures"><h2>Key figures</h2>'
            f'<p class="lede">As of {date_text(newest["as_of"], newest["as_of_precision"])}. Each is the newest claim of '
            'its kind from a government not at war or a body of such governments, leaving out figures that rest on '
            'one weak page or are worked out from another measure. Claims of different claimants are never added '
            'together. Each figure links to its claim in the ledger.</p>'
            f'<div class="cards">{"".join(cards)}</div></section>')


# --- Charts -----------------------------------------------------------------------------------

def chart_svg(ledger: Ledger, web: Web, label: str) -> str:
    """The chart as its page shows it (drawn by the chapter's code, as in figures/), each mark a
    link to its claim in the web edition."""
    import matplotlib.pyplot as plt

    fig = chart(label).draw(ledger)
    try:
        markup, _ = page_svg(svg_bytes(fig, links=True), label)
    finally:
        plt.close(fig)
    return markup.replace(f'href="{CLAIM_LINK}', f'href="{web.page("chapters/ledger")}#claim-')


def charts_html(ledger: Ledger, web: Web) -> str:
    parts = []
    for label in CHARTS:
        docname = Path(chart(label).chapter).with_suffix("").as_posix()
        width = CHART_WIDTH.get(label, 1.0)
        parts.append(f'<figure class="chart" style="width: {width:.0%}">{chart_svg(ledger, web, label)}'
                     f'<figcaption>{_link(web.page(docname, label), "This chart in the web edition")}; '
                     'every mark links to its claim in the ledger.</figcaption></figure>')
    return "".join(parts)


# --- The page ---------------------------------------------------------------------------------

def report_citation(citation: dict) -> str:
    released = pd.Timestamp(str(citation["date-released"]))
    return (f"{authors_text(citation)} ({released.year}). {citation['title']}, edition {citation['version']}, "
            f"{long_date(released)}. {citation['url']}")


def _font_faces(root: Path) -> str:
    """The chart font (the book's subset of DejaVu Sans), inlined so the page needs no other file."""
    faces = []
    for weight in ("400", "700"):
        data = base64.b64encode((root / "_static" / "fonts" / f"nkreport-chart-{weight}.woff").read_bytes()).decode()
        faces.append(f"@font-face {{ font-family: 'NKReport DejaVu Sans'; font-weight: {weight}; "
                     f"src: url(data:font/woff;base64,{data}) format('woff'); }}")
    return "\n".join(faces)


CSS = """
@page { size: A4; margin: 14mm 15mm 15mm;
  @bottom-left { content: "%(footer)s"; font: 7.5pt %(font)s; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt %(font)s; color: #555; } }
html { font: 9.6pt/1.38 %(font)s; color: #1a1a1a; }
body { margin: 0; }
a { color: #0a4b8c; text-decoration: none; }
header { border-bottom: 2px solid #1a1a1a; padding-bottom: 5pt; margin-bottom: 8pt; }
header .kicker { font-size: 8.5pt; letter-spacing: 0.06em; text-transform: uppercase; color: #555; margin: 0; }
header h1 { font-size: 19pt; line-height: 1.15; margin: 2pt 0 3pt; }
header p.edition { margin: 0; font-size: 9pt; color: #333; }
h2 { font-size: 12.5pt; margin: 10pt 0 4pt; border-bottom: 0.6pt solid #999; padding-bottom: 1.5pt; }
h3 { font-size: 9.8pt; margin: 6pt 0 1pt; }
p.lede { font-size: 8.6pt; color: #333; margin: 0 0 4pt; }
.bottom-line ol { margin: 0; padding-left: 15pt; }
.bottom-line li { margin: 0 0 3.5pt; font-size: 10.4pt; line-height: 1.32; }
.bottom-line li strong { font-weight: 600; }
a.more { font-size: 8pt; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 5pt 10pt; }
.card { border-top: 1.6pt solid #0a4b8c; padding: 2pt 0 1pt; break-inside: avoid; }
.card p { margin: 0; }
.card p.figure { font-size: 11.5pt; font-weight: 700; line-height: 1.25; }
.card p.what { font-size: 8.8pt; line-height: 1.3; }
.card p.by { font-size: 7.6pt; color: #444; margin-top: 1pt; }
h2, h3 { break-after: avoid; }
.judgments ul { margin: 0; padding-left: 12pt; }
.judgments li { margin: 0 0 2.6pt; font-size: 9.1pt; line-height: 1.33; break-inside: avoid; }
a.rating { font-style: italic; }
a.rating span { white-space: nowrap; }
figure.chart { margin: 0 auto; break-before: page; break-inside: avoid; }
figure.chart svg { display: block; width: 100%%; height: auto; }
figure.chart figcaption { font-size: 8pt; color: #444; margin-top: 2pt; }
.cite { break-inside: avoid; margin-top: 8pt; }
.cite p { margin: 0 0 3pt; font-size: 8.8pt; }
"""

# The book's text font: its theme's system stack (pydata-sphinx-theme, --pst-font-family-base-system),
# DejaVu Sans on Debian, the family the chart font is a subset of.
BODY_FONT = "system-ui, sans-serif"


def brief_html(ledger: Ledger | None = None, root: Path = ROOT) -> str:
    """The brief as one self-contained HTML page, ready to print."""
    ledger = ledger or load()
    citation = read_citation(root)
    web = Web(citation)
    released = pd.Timestamp(str(citation["date-released"]))
    counts = facts.counts(ledger)
    title = html.escape(citation["title"])
    footer = f"{citation['title']} \u00b7 brief, edition {citation['version']}".replace('"', '\\"')
    css = CSS % {"font": BODY_FONT, "footer": footer}
    header = (f'<header><p class="kicker">Brief</p><h1>{title}</h1>'
              f'<p class="edition">Edition {html.escape(str(citation["version"]))}, {long_date(released)} \u00b7 '
              f'from the web edition, {_link(web.root, html.escape(web.root))}, whose ledger holds '
              + _link(web.page("chapters/ledger"), f'{counts["claims"]:,} claims from {counts["claimants"]} claimants '
                      f'on {counts["source_pages"]} source pages', "counts")
              + '.</p></header>')
    cite = ('<section class="cite"><h2>How to cite</h2>'
            f'<p>{html.escape(report_citation(citation))}</p>'
            '<p class="lede">Each chapter of the web edition ends with a citation of its own, in plain text and BibTeX. '
            'This brief is generated from the same ledger and code as the web edition; where they seem to differ, '
            'the web edition and its ledger are the record.</p></section>')
    body = (header + bottom_line_html(web, root) + key_figures_html(ledger, web) + judgments_html(ledger, web)
            + charts_html(ledger, web) + cite)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}: brief</title>'
            f"<style>{_font_faces(root)}\n{css}</style></head><body>{body}</body></html>")


def make_brief(root: Path = ROOT, pdf: Path | None = None) -> int:
    """Write the brief (by default to _build/pdf/brief.pdf); 0 if it was written."""
    pdf = pdf or root / "_build" / "pdf" / BRIEF_NAME
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "brief.html"
        page.write_text(brief_html(root=root), encoding="utf-8")
        try:
            print_to_pdf(page, pdf)
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return 1
    print(f"Brief written: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(make_brief())
