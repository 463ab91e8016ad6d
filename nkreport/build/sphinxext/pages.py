"""Sphinx extension: what makes every page citable, generated in one place for all chapters.

- Under each chapter's title: the report's edition and the date of the newest claim the page
  shows (in its prose, tables and charts).
- At the end of each chapter: "Cite this chapter", in plain text and as BibTeX, from
  CITATION.cff (title, authors, version, date-released, url).
- Each chart inline in its page, as SVG whose text is set in the book's chart font (one
  shared file instead of a font in every image), labelled for screen readers with its alt text.
- Under each chart: links to its bundle in figures/ (PNG, SVG, CSV of the plotted claims, and
  the chart laid out for a 16:9 slide as PNG and SVG), which the chapters write during the build and this extension copies into the HTML output
  together with the ledger's data files.

What a page needs from the data (each claim's date, each chart's claims) is read from the ledger
and figures/manifest.json, and kept in _build/.pages-state.<builder>.json. A prose-only build
(nkreport.build.book sets PROSE_VARIABLE), whose data, code and figures are those of the last good
build, reads that file instead: it neither imports pandas nor loads the ledger, and copies no
figures or data files, which are already in the output.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import posixpath
import re
import shutil
from pathlib import Path

import yaml
from docutils import nodes

# Set (to "1") by nkreport.build.book for a render whose only changes since the last good build are
# chapter prose.
PROSE_VARIABLE = "NKREPORT_PROSE_BUILD"
STATE_FILE = ".pages-state.{builder}.json"  # in _build/, beside the outputs: one per builder, as the stamps

# The ledger page's interactive table: an element of class ledger-app (formerly the pair
# div.ledger-controls and div.ledger-scroll).
SCREEN_LEDGER = re.compile(r"""class=["'](?:[^"']*\s)?ledger-(?:app|controls|scroll)[\s"']""")
# Pages that present no claims of their own get no edition line and no citation block.
NOT_CHAPTERS = {"chapters/bibliography", "chapters/changelog"}
DATA_FILES = ("claims.csv", "claimants.csv", "sources.bib", "datapackage.json", "README.md")


def read_citation(srcdir: Path) -> dict:
    return yaml.safe_load((srcdir / "CITATION.cff").read_text(encoding="utf-8"))


def long_date(day) -> str:
    """'30 November 2026', from a date, a timestamp or an ISO text."""
    day = dt.date.fromisoformat(str(day)[:10])
    return f"{day.day} {day:%B %Y}"


def authors_text(citation: dict) -> str:
    names = [a.get("name") or f"{a.get('given-names', '')} {a['family-names']}".strip()
             for a in citation["authors"]]
    return ", ".join(names)


def chapter_citation(citation: dict, chapter_title: str, docname: str) -> tuple[str, str]:
    """The plain and BibTeX citations of one chapter."""
    url = citation["url"].rstrip("/") + "/" + docname + ".html"
    edition, released = citation["version"], dt.date.fromisoformat(str(citation["date-released"])[:10])
    authors = authors_text(citation)
    plain = (f"{authors} ({released.year}). \u201c{chapter_title}.\u201d In {citation['title']}, "
             f"edition {edition}, {long_date(released)}. {url}")
    key = "nkreport-" + posixpath.basename(docname) + "-" + str(edition).replace(".", "-")
    bibtex = "\n".join([
        f"@misc{{{key},",
        f"  author = {{{{{authors}}}}},",
        f"  title = {{{{{chapter_title}}}}},",
        f"  howpublished = {{In: {citation['title']}}},",
        f"  version = {{{edition}}},",
        f"  year = {{{released.year}}},",
        f"  date = {{{released:%Y-%m-%d}}},",
        f"  url = {{{url}}}",
        "}",
    ])
    return plain, bibtex


def claim_ids_shown(doctree) -> set[str]:
    """Claims glued into the prose (class claim-<id>) or listed in a claims table (class claim-row-<id>)."""
    ids = set()
    for node in doctree.findall(nodes.inline):
        for cls in node.get("classes", []):
            if cls.startswith("claim-row-"):
                ids.add(cls.removeprefix("claim-row-"))
            elif cls.startswith("claim-"):
                ids.add(cls.removeprefix("claim-"))
    return ids


def relative(docname: str, target: str, builder_name: str) -> str:
    if builder_name == "singlehtml":  # one page at the root of the output
        return target
    return posixpath.relpath(target, posixpath.dirname(docname) or ".")


def download_links(label: str, slide: str, docname: str, builder_name: str) -> nodes.paragraph:
    para = nodes.paragraph(classes=["figure-downloads"])
    para += nodes.Text("Download this chart: ")
    files = [(label, "png", "PNG (300 dpi)"), (label, "svg", "SVG (editable text)"),
             (label, "csv", "data (CSV: the plotted claims, with claimants and sources)")]
    for n, (stem, ext, text) in enumerate(files):
        if n:
            para += nodes.Text(" \u00b7 ")
        uri = relative(docname, f"figures/{stem}.{ext}", builder_name)
        para += nodes.reference("", text, refuri=uri, classes=[f"download-{ext}"])
    # The chart laid out for a 16:9 slide by its own code (report.style.SLIDE).
    para += nodes.Text(". For a 16:9 slide: ")
    for n, (ext, text) in enumerate([("png", "PNG (1920\u00d71080)"), ("svg", "SVG")]):
        if n:
            para += nodes.Text(" \u00b7 ")
        uri = relative(docname, f"figures/{slide}.{ext}", builder_name)
        para += nodes.reference("", text, refuri=uri, classes=[f"download-slide-{ext}"])
    return para


def inline_chart(app, figure, label: str) -> None:
    """Put the chart's SVG (report.export.page_svg, glued by the chapter) into the page in place of its
    <img>, named for assistive technology by the figure's alt text. Done before the builder
    collects images, so the SVG file is not published as well."""
    from sphinx.errors import ExtensionError

    image = next(iter(figure.findall(nodes.image)), None)
    if image is None or not image["uri"].endswith(".svg"):
        raise ExtensionError(f"chart {label} is not shown as an SVG (use nkreport.report.notebook.glue_chart)")
    path = Path(app.srcdir) / image["uri"]
    markup = path.read_text(encoding="utf-8")
    markup = markup[markup.index("<svg"):]
    alt = html.escape(image.get("alt", ""), quote=True)
    # A chart whose marks link to their claims is a group of links named by the alt text; one
    # without links is a single image.
    role = "group" if 'class="chart-claim"' in markup else "img"
    markup = markup.replace("<svg ", f'<svg role="{role}" aria-label="{alt}" ', 1)
    image.replace_self(nodes.raw("", markup, format="html"))


def print_ledger(doctree, ledger) -> None:
    """In the single page the PDF is printed from, put the ledger laid out for paper, made from the
    data, in place of the ledger page's interactive table, whatever that table's HTML is."""
    from sphinx.errors import ExtensionError

    from ...chapters.ledger import ledger_print_html

    screen = [node for node in doctree.findall(nodes.raw) if SCREEN_LEDGER.search(node.astext())]
    if not screen:
        raise ExtensionError("the ledger page's table (class ledger-app) was not found, so the printed "
                             "ledger could not replace it")
    screen[0].replace_self(nodes.raw("", ledger_print_html(ledger), format="html"))
    for node in screen[1:]:
        node.parent.remove(node)


def page_state(srcdir: Path, ledger) -> dict:
    """What the pages need from the data: each claim's date (as_of, ISO, and as the page writes it)
    in ledger order, and each chart's chapter, slide files and claims (from figures/manifest.json)."""
    from ...report.text import date_text

    claims = ledger.claims
    dates = [[cid, day.date().isoformat(), date_text(day, precision)]
             for cid, day, precision in zip(claims["claim_id"], claims["as_of"], claims["as_of_precision"])
             if day == day]  # NaT is not a date
    manifest = json.loads((srcdir / "figures" / "manifest.json").read_text(encoding="utf-8"))["figures"]
    charts = {}
    for entry in manifest:
        slides = [f for f in entry["files"] if f.endswith("-slide.svg")]
        charts[entry["label"]] = {"chapter": entry["chapter"], "claim_ids": entry["claim_ids"],
                                  "slide": slides[0].removesuffix(".svg") if slides else None}
    return {"dates": dates, "charts": charts}


def prose_build() -> bool:
    return os.environ.get(PROSE_VARIABLE) == "1"


def on_builder_inited(app) -> None:
    from sphinx.errors import ExtensionError

    srcdir = Path(app.srcdir)
    saved = Path(app.outdir).parent / STATE_FILE.format(builder=app.builder.name)
    if prose_build():
        if not saved.is_file():
            raise ExtensionError(f"a prose-only build needs {saved} from the last good build; run a full build")
        state = json.loads(saved.read_text(encoding="utf-8"))
    else:
        from ...data import load

        ledger = load(srcdir / "data")
        state = page_state(srcdir, ledger)
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        app.nkreport_ledger = ledger  # for the printed ledger and the ledger page's data files
    app.nkreport_state = {"citation": read_citation(srcdir), **state}


def newest_claim(dates: list, ids: set[str]) -> str | None:
    """How the page writes the date of the newest of the claims `ids`: the latest as_of, the first
    such claim in ledger order."""
    newest = None
    for cid, day, text in dates:
        if cid in ids and (newest is None or day > newest[0]):
            newest = (day, text)
    return newest and newest[1]


def on_doctree_resolved(app, doctree, docname: str) -> None:
    from sphinx.errors import ExtensionError

    state = app.nkreport_state
    builder = app.builder.name
    for figure in list(doctree.findall(nodes.figure)):
        for label in figure.get("ids", []):
            if label in state["charts"]:
                if app.builder.format == "html":
                    inline_chart(app, figure, label)
                slide = state["charts"][label]["slide"]
                if slide is None:
                    raise ExtensionError(f"chart {label} has no slide files in figures/manifest.json")
                figure.parent.insert(figure.parent.index(figure) + 1, download_links(label, slide, docname, builder))
    if builder == "singlehtml":
        print_ledger(doctree, app.nkreport_ledger)
        return
    if docname in NOT_CHAPTERS:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    citation = state["citation"]
    title = section.next_node(nodes.title).astext()

    ids = claim_ids_shown(doctree)
    for chart in state["charts"].values():
        if chart["chapter"] == docname + ".md":
            ids |= set(chart["claim_ids"])
    newest = newest_claim(state["dates"], ids)
    line = nodes.paragraph(classes=["edition-line"])
    line += nodes.Text(f"Edition {citation['version']}, {long_date(str(citation['date-released']))}. ")
    if newest is not None:
        line += nodes.Text("Newest claim on this page: ")
        line += nodes.inline("", newest, classes=["newest-claim"])
        line += nodes.Text(". ")
    line += nodes.reference("", "Cite this chapter", refid="cite-this-chapter")
    section.insert(section.index(section.next_node(nodes.title)) + 1, line)

    plain, bibtex = chapter_citation(citation, title, docname)
    block = nodes.container(classes=["cite-this"], ids=["cite-this-chapter"])
    block += nodes.rubric("", "Cite this chapter")
    block += nodes.paragraph("", plain, classes=["citation-plain"])
    block += nodes.literal_block(bibtex, bibtex, language="bibtex", classes=["citation-bibtex"])
    # `make pdf` prints each chapter to pdf/<chapter>.pdf in the HTML book (nkreport.build.pdf).
    pdf = nodes.paragraph(classes=["chapter-pdf"])
    pdf += nodes.Text("To attach this chapter to a briefing: ")
    pdf += nodes.reference("", f"this chapter as PDF ({posixpath.basename(docname)}.pdf)",
                           refuri=relative(docname, f"pdf/{posixpath.basename(docname)}.pdf", builder),
                           classes=["chapter-pdf-link"])
    pdf += nodes.Text(", with its charts, its claims and the references it cites.")
    block += pdf
    doctree.append(block)


def on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    srcdir, outdir = Path(app.srcdir), Path(app.outdir)
    # docutils marks the bibliography role="list" around role="doc-biblioentry" entries, which
    # ARIA forbids (a list may hold only list items): screen readers would announce an empty list.
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if '<div role="list" class="citation-list">' in text:
            page.write_text(text.replace('<div role="list" class="citation-list">', '<div class="citation-list">'),
                            encoding="utf-8")
    if prose_build():  # the figures and data files are those the last good build copied
        return
    figures = srcdir / "figures"
    if figures.is_dir():
        shutil.copytree(figures, outdir / "figures", dirs_exist_ok=True)
    (outdir / "data").mkdir(exist_ok=True)
    for name in DATA_FILES:
        if (srcdir / "data" / name).is_file():
            shutil.copy2(srcdir / "data" / name, outdir / "data" / name)


def setup(app):
    app.connect("builder-inited", on_builder_inited)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
