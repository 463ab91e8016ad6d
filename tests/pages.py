"""Helpers for reading built pages in tests: which claims a claims table lists."""

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
