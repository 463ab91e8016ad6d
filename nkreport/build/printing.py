"""The pages the PDFs are printed from: the single-page book laid out for paper, whole and by chapter.

Sphinx's singlehtml builder writes the book as one page, with the printed ledger in place of the
ledger page's interactive table (sphinxext.pages.print_ledger). From that page this module writes
one page for the whole book and one for each chapter, which nkreport.build.pdf prints:

- the chapters follow the front page's own sections (singlehtml puts them where the front page's
  table of contents is, in the middle of it), their headings one level per chapter again;
- a claims table keeps six columns, with each claim's note on a line of its own under its row;
  in the whole book a long list of claims points instead to the printed ledger at its end,
  which gives every claim and its note once;
- a chapter's page opens with how to cite it (edition, date, address) and ends with the
  references it cites, so it can be attached to a briefing on its own;
- links point inside the PDF when their target is printed there, and to the published book
  otherwise. Scripts are dropped: nothing a page prints needs them.
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from .sphinxext.pages import DATA_FILES, NOT_CHAPTERS, authors_text, chapter_citation, long_date

BOOK = "book"  # the name of the whole book's print page, beside the chapters' names
CLAIMS_COLUMNS = ("Date", "Claimant", "What is claimed")  # how a list of claims (report.text.claims_table) starts
LISTED_IN_FULL = 20  # claims a table of the whole book lists itself; a longer list points to the ledger
HEADING = re.compile(r"^h[1-6]$")


@dataclass
class Chapter:
    docname: str
    title: str
    section: Tag
    anchors: list[Tag]  # the markers singlehtml puts before a chapter (span#document-<docname>)

    @property
    def name(self) -> str:
        return posixpath.basename(self.docname)


def single_page(single: Path) -> Path:
    """The file singlehtml writes the book to (index.html only redirects to it)."""
    redirect = re.search(r'url=([^"]+)"', (single / "index.html").read_text(encoding="utf-8"))
    if redirect is None:
        raise RuntimeError(f"{single / 'index.html'} does not redirect to the single page of the book")
    return single / redirect.group(1)


def split_book(soup: BeautifulSoup, root_docname: str) -> list[Chapter]:
    """The front page and each chapter, in the order of the table of contents."""
    article = soup.select_one("article.bd-article")
    front = article.find("section", recursive=False)
    wrapper = front.select_one("div.toctree-wrapper")
    chapters = [Chapter(root_docname, heading_text(front), front, [])]
    for marker in wrapper.find_all("span", id=re.compile("^document-"), recursive=False):
        section = marker.find_next_sibling("section")
        chapters.append(Chapter(marker["id"].removeprefix("document-"), heading_text(section), section, [marker]))
    for chapter in chapters[1:]:
        for tag in chapter.anchors + [chapter.section]:
            tag.extract()
        # singlehtml nests a chapter's title two levels below the front page's h1.
        for heading in chapter.section.find_all(HEADING):
            if heading.find_parent("div", class_="ledger-print") is None:  # made at its level (ledger_print_html)
                heading.name = f"h{max(1, int(heading.name[1]) - 2)}"
    wrapper.decompose()
    for chapter in chapters:
        chapter.section["class"] = chapter.section.get("class", []) + ["print-chapter", f"print-chapter-{chapter.name}"]
    return chapters


def heading_text(section: Tag) -> str:
    heading = section.find(HEADING)
    return " ".join(heading.get_text(" ", strip=True).rstrip("#").split())


def claims_tables_for_paper(soup: BeautifulSoup, section: Tag) -> None:
    """Claims tables in six columns: each claim a tbody of its own (which the print CSS keeps on
    one page), its note on a line under its row."""
    for table in section.select("table.claims-table"):
        heads = [th.get_text(strip=True) for th in table.thead.find_all("th")]
        if heads[:3] != list(CLAIMS_COLUMNS):
            continue  # a table of the chapter's own making (roles, places, corrections): as it is
        table["class"] = table["class"] + ["claims-print"]
        column = heads.index("Note") if "Note" in heads else None
        if column is not None:
            table.thead.find_all("th")[column].decompose()
        colgroup = table.find("colgroup")
        if colgroup is not None:
            colgroup.decompose()
        body = table.tbody
        for row in body.find_all("tr", recursive=False):
            claim = soup.new_tag("tbody")
            body.insert_before(claim)
            claim.append(row.extract())
            if column is None:
                continue
            note = row.find_all("td", recursive=False)[column].extract()
            if note.get_text(strip=True):
                line = soup.new_tag("tr", attrs={"class": "claim-note"})
                note["colspan"] = str(len(heads) - 1)
                line.append(note)
                claim.append(line)
        body.decompose()


def claims_lists_to_ledger(soup: BeautifulSoup, section: Tag, ledger: dict[str, tuple[str, str]]) -> None:
    """In the whole book, a long list of claims (a claims table with more than LISTED_IN_FULL
    rows, each a claim) gives way to a pointer to the printed ledger, which lists every claim
    once, with its note: the chapters' lists repeat the ledger, and would double the book.
    `ledger`: claim id -> (id of its table in the printed ledger, that table's topic)."""
    for table in section.select("table.claims-table"):
        spans = [row.find("span", class_=re.compile(r"^claim-row-")) for row in table.select("tbody > tr")]
        if len(spans) <= LISTED_IN_FULL or not all(spans):
            continue
        ids = [next(c for c in span["class"] if c.startswith("claim-row-")).removeprefix("claim-row-")
               for span in spans]
        where: dict[str, list[str]] = {}
        for claim_id in ids:
            where.setdefault(ledger[claim_id], []).append(claim_id)
        pointer = soup.new_tag("div", attrs={"class": "claims-pointer", "id": table.get("id", "")})
        caption = soup.new_tag("p", attrs={"class": "caption"})
        for part in table.caption.find_all("span", class_=["caption-number", "caption-text"]):
            caption.append(part.extract())
        pointer.append(caption)
        text = soup.new_tag("p")
        text.append(f"The {len(ids)} claims of this table are listed, each with its note, in the claims "
                     "ledger at the end of the book: ")
        for n, ((anchor, topic), claims) in enumerate(sorted(where.items(), key=lambda kv: -len(kv[1]))):
            if n:
                text.append(", " if n < len(where) - 1 else " and ")
            text.append(f"{len(claims)} under ")
            link = soup.new_tag("a", attrs={"href": f"#{anchor}"})
            link.string = topic
            text.append(link)
        text.append(".")
        pointer.append(text)
        table.replace_with(pointer)


def printed_ledger(section: Tag) -> dict[str, tuple[str, str]]:
    """Claim id -> (id of its topic's section in the printed ledger, the topic's title)."""
    found = {}
    for topic in section.select("section.ledger-print-topic[id]"):
        title = topic.find("h2").get_text().partition(":")[0]
        for claim in topic.select("div.ledger-print-claim[id]"):
            found[claim["id"].removeprefix("claim-")] = (topic["id"], title)
    return found


def cited_references(section: Tag, bibliography: dict[str, Tag]) -> list[Tag]:
    """The bibliography entries a section links to, in the bibliography's order."""
    cited = {a["href"].partition("#")[2] for a in section.find_all("a", href=True)}
    return [entry for key, entry in bibliography.items() if key in cited]


def point_links(page: Tag, printed: set[str], home: dict[str, str], url: str) -> None:
    """Links to what the page prints stay in the PDF; others go to the published book, or are dropped."""
    for link in page.find_all("a", href=True):
        href = link["href"]
        if re.match(r"^[a-z]+:", href):
            continue
        path, _, fragment = href.partition("#")
        path = path.removeprefix("../")  # a chapter's own relative link (../data/claims.csv)
        if fragment in printed:
            link["href"] = f"#{fragment}"
        elif fragment in home:
            link["href"] = f"{url}{home[fragment]}.html#{fragment}"
        elif path.startswith(("figures/", "data/")):
            link["href"] = url + path
        elif path.startswith("_downloads/") and posixpath.basename(path) in DATA_FILES:
            link["href"] = f"{url}data/{posixpath.basename(path)}"  # the book publishes them in data/
        else:
            del link["href"]


# The rules for these pages only: kept out of _static/report.css, which every web page loads.
PRINT_CSS = Path(__file__).with_name("print.css")


def page_html(head: str, body_class: str, content: str) -> str:
    head = head.replace("</head>", f"<style>\n{PRINT_CSS.read_text(encoding='utf-8')}</style>\n</head>", 1)
    return (f'<!DOCTYPE html>\n<html lang="en" data-theme="light" data-mode="light">\n{head}\n'
            f'<body class="print-page {body_class}"><main class="print-main"><article class="bd-article">'
            f"{content}</article></main></body>\n</html>\n")


def cite_line(soup: BeautifulSoup, citation: dict, chapter: Chapter) -> Tag:
    """Under a chapter's title: how to cite it, which says where it comes from (edition, address)."""
    plain, _ = chapter_citation(citation, chapter.title, chapter.docname)
    line = soup.new_tag("p", attrs={"class": "print-edition"})
    line.string = f"Cite as: {plain}"
    return line


def write_print_pages(single: Path, citation: dict) -> dict[str, Path]:
    """Write the print pages beside the single page (whose relative links they share); return
    them by name: BOOK for the whole book, and each chapter's file name (e.g. troops)."""
    source = single_page(single)
    root_docname = posixpath.splitext(source.relative_to(single).as_posix())[0]
    url = citation["url"].rstrip("/") + "/"
    soup = BeautifulSoup(source.read_text(encoding="utf-8"), "html.parser")
    for script in soup.find_all("script"):
        script.decompose()
    head = str(soup.head)
    chapters = split_book(soup, root_docname)
    home = {tag["id"]: chapter.docname for chapter in chapters
            for tag in [*chapter.anchors, chapter.section, *chapter.section.find_all(id=True)]}
    bibliography = {entry["id"]: entry for chapter in chapters
                    for entry in chapter.section.select("div.citation-list > div.citation[id]")}

    pages: dict[str, str] = {}
    for chapter in chapters:
        if chapter.docname in NOT_CHAPTERS:
            continue
        page = copy.copy(chapter.section)
        claims_tables_for_paper(soup, page)
        page.find(HEADING).insert_after(cite_line(soup, citation, chapter))
        references = cited_references(page, bibliography)
        if references:
            block = soup.new_tag("section", attrs={"class": "print-references", "id": "print-references"})
            heading = soup.new_tag("h2")
            heading.string = "References"
            listing = soup.new_tag("div", attrs={"class": "citation-list"})
            listing.extend([copy.copy(entry) for entry in references])
            block.extend([heading, listing])
            page.append(block)
        point_links(page, {tag["id"] for tag in page.find_all(id=True)}, home, url)
        pages[chapter.name] = page_html(head, "print-one-chapter", str(page))

    article = soup.select_one("article.bd-article")
    ledger = {claim_id: where for chapter in chapters for claim_id, where in printed_ledger(chapter.section).items()}
    for chapter in chapters:
        claims_lists_to_ledger(soup, chapter.section, ledger)
        claims_tables_for_paper(soup, chapter.section)
        if chapter.docname != root_docname:
            for tag in chapter.anchors + [chapter.section]:
                article.append(tag)
    cover = soup.new_tag("header", attrs={"class": "print-cover"})
    title = soup.new_tag("p", attrs={"class": "print-title"})
    title.string = citation["title"]
    cover.append(title)
    byline = soup.new_tag("p", attrs={"class": "print-edition"})
    byline.string = (f"{authors_text(citation)}. Edition {citation['version']}, "
                     f"{long_date(str(citation['date-released']))}. {url}")
    cover.append(byline)
    article.insert(0, cover)
    point_links(article, {tag["id"] for tag in article.find_all(id=True)}, home, url)
    pages[BOOK] = page_html(head, "print-whole-book", article.decode_contents())

    written = {}
    for name, text in pages.items():
        path = single / f"print-{name}.html"
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written
