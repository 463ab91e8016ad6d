"""Helpers for reading built pages in tests: which claims a claims table lists, and the ledger page's data."""

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

from nkreport.chapters.ledger import CHUNK_CALLBACK, DATA_FOLDER, FIELDS
from nkreport.report.text import figure_text


def table_claim_ids(page, label: str) -> list[str]:
    """The claim ids of a claims table's rows, in the order shown (each row's date cell carries its id)."""
    table = page.find("table", id=label)
    assert table is not None, f"no table labelled {label}"
    ids = []
    for row in table.select("tbody tr"):
        (span,) = row.select("span.claim-row")
        (cls,) = [c for c in span["class"] if c.startswith("claim-row-")]
        ids.append(cls.removeprefix("claim-row-"))
    return ids


def assert_table_lists(page, label: str, claims) -> None:
    """The table shows exactly these claims, each with its figure as worded and a citation."""
    assert sorted(table_claim_ids(page, label)) == sorted(claims["claim_id"])
    rows = page.find("table", id=label).select("tbody tr")
    cells = [[c.get_text(" ", strip=True) for c in r.select("td")] for r in rows]
    for claim in claims.itertuples():
        assert any(figure_text(claim) in row for row in cells), claim.claim_id
    assert all(r.select("span.bibtex-citation a") for r in rows), "a row has no citation"


def opening_paragraph(page):
    """The chapter's first paragraph of prose: after the edition line and the key judgments."""
    return next(p for p in page.find("section").find_all("p")
                if "edition-line" not in (p.get("class") or []) and p.find_parent(class_="admonition") is None)


def ledger_page_records(html: Path) -> list[dict]:
    """Every row the claims ledger page loads, in its order: the rows inline in the page, then those
    of its data files (ledger-data/claims-NNN.js), each as {field: value} (chapters/ledger.py FIELDS)."""
    page = BeautifulSoup((html / "chapters" / "ledger.html").read_text(encoding="utf-8"), "html.parser")
    app = page.select_one("div.ledger-app")
    rows = json.loads(app.select_one("script.ledger-rows").string)
    for number in range(1, int(app["data-chunks"]) + 1):
        text = (html / DATA_FOLDER / f"claims-{number:03d}.js").read_text(encoding="utf-8")
        found = re.fullmatch(rf"{CHUNK_CALLBACK}\({number},(.*)\);\n", text, flags=re.S)
        assert found, f"data file {number} is not one call of {CHUNK_CALLBACK}"
        rows += json.loads(found[1])
    assert len(rows) == int(app["data-total"])
    return [dict(zip(FIELDS, r)) for r in rows]
