"""The methods chapter: its data dictionary is datapackage.json, its counts are the ledger's, its chart counts every claim."""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport.chapters import methods
from nkreport.report import facts
from nkreport.report.text import figure_text

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(book_html):
    return BeautifulSoup((book_html / "chapters" / "methods.html").read_text(encoding="utf-8"), "html.parser")


def fields(resource: str) -> list[dict]:
    (res,) = [r for r in PACKAGE["resources"] if r["name"] == resource]
    return res["schema"]["fields"]


def table_rows(page, label: str) -> list[list[str]]:
    table = page.find("table", id=label)
    assert table is not None, f"no table labelled {label}"
    return [[" ".join(td.get_text(" ", strip=True).split()) for td in tr.select("td")]
            for tr in table.select("tbody tr")]


def glued(page, name: str) -> str:
    spans = page.select(f"span.glued-{name}")
    assert spans, f"{name} is not glued into the chapter"
    texts = {s.get_text() for s in spans}
    assert len(texts) == 1, f"{name} shows different texts: {texts}"
    return texts.pop()


@pytest.mark.parametrize("resource", ["claims", "claimants"])
def test_data_dictionary_lists_exactly_the_datapackage_fields(page, resource):
    rows = table_rows(page, f"tbl-dictionary-{resource}")
    expected = fields(resource)
    assert [r[0] for r in rows] == [f["name"] for f in expected], "fields missing, extra or out of order"
    for cells, field in zip(rows, expected):
        name, kind, required, allowed, description = cells
        assert kind == field["type"], field["name"]
        assert required == ("yes" if field.get("constraints", {}).get("required") else "no"), field["name"]
        for value in field.get("constraints", {}).get("enum", []):
            assert value in allowed, f"{field['name']}: allowed value {value!r} not shown"
        if "pattern" in field.get("constraints", {}):
            assert field["constraints"]["pattern"].replace(" ", "") in allowed.replace(" ", ""), field["name"]
        # Typography (curly quotes) aside, the description is the datapackage's, word for word.
        plain = description.translate(str.maketrans("\u201c\u201d\u2018\u2019", "\"\"''"))
        assert plain == " ".join(field["description"].split()), field["name"]


def test_data_dictionary_follows_an_edited_datapackage(tmp_path):
    """The table is generated, not typed: a field added to datapackage.json appears in it."""
    package = json.loads(json.dumps(PACKAGE))
    package["resources"][0]["schema"]["fields"].append(
        {"name": "new_column", "type": "string", "description": "A column added to test the table.",
         "constraints": {"enum": ["a|b", "c"]}})
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    table = methods.data_dictionary_table("claims", tmp_path)
    last = table.splitlines()[-1]
    assert last.startswith("| `new_column` | string | no | one of `a\\|b`, `c` |")
    assert len(table.splitlines()) == len(fields("claims")) + 3


def test_glued_totals_equal_the_ledger(page, ledger):
    claims = ledger.claims
    assert glued(page, "n_claims") == f"{len(claims):,}"
    assert glued(page, "n_claimants") == str(claims["claimant"].nunique())
    assert glued(page, "n_sources") == str(facts.source_pages(ledger))
    assert glued(page, "n_measures") == str(claims["measure"].nunique())
    assert glued(page, "n_multi_source") == str(claims["source"].str.contains("; ").sum())
    newest = methods.newest_claim(ledger)["claimed_on"]
    assert glued(page, "newest_claim_date") == f"{newest.day} {newest:%B %Y}"


def test_glued_counts_of_kinds_bounds_and_precision_equal_the_ledger(page, ledger):
    claims = ledger.claims
    for kind in methods.KINDS:
        assert glued(page, f"n_kind_{kind}") == str((claims["claim_kind"] == kind).sum()), kind
    assert sum(int(glued(page, f"n_kind_{k}")) for k in methods.KINDS) == len(claims)
    for bound in ("exact", "approximate", "floor", "ceiling"):
        assert glued(page, f"n_bound_{bound}") == str((claims["bound"] == bound).sum()), bound
    for precision in ("day", "month", "year"):
        assert glued(page, f"n_precision_{precision}") == str((claims["as_of_precision"] == precision).sum())
    assert glued(page, "n_ranges") == str(claims["value_low"].notna().sum())
    # The bounds and the rows without a figure add up to every row (ranges are counted by their bound).
    assert sum(int(glued(page, f"n_bound_{b}")) for b in ("exact", "approximate", "floor", "ceiling")) \
        + int(glued(page, "n_no_figure")) == len(claims)
    no_figure = (claims["claim_kind"] == "denial") | (claims["unit"] == "event")
    assert glued(page, "n_no_figure") == str(no_figure.sum())
    assert glued(page, "n_role_belligerent") == str((claims["claimant_role"] == "belligerent").sum())


def test_newest_claim_is_a_dated_claim_and_the_newest_of_them(ledger):
    """A claim whose date no page gives never passes for the newest claim."""
    undated = ledger.claims[ledger.claims["claimed_on_precision"] == "unknown"]
    assert not undated.empty and undated["claimed_on"].isna().all()
    newest = methods.newest_claim(ledger)
    assert newest["claim_id"] not in set(undated["claim_id"])
    assert newest["claimed_on"] == ledger.claims["claimed_on"].max()


def test_chart_rows_cover_every_claim_once(ledger):
    rows = methods.composition_claims(ledger)
    assert sorted(rows["claim_id"]) == sorted(ledger.claims["claim_id"])
    assert rows["claim_id"].is_unique


def test_chart_bars_add_up_to_the_ledger(ledger):
    fig = methods.composition_figure(ledger)
    try:
        panels = [ax for ax in fig.axes if ax.patches]
        assert len(panels) == 2, "expected a topic panel and a country panel"
        for ax in panels:
            assert round(sum(p.get_width() for p in ax.patches)) == len(ledger.claims)
        topic_labels = [t.get_text() for t in panels[0].get_yticklabels()]
        assert len(topic_labels) == ledger.claims["topic"].nunique()
        assert f"{(ledger.claims['claim_kind'] == 'estimate').sum()} of the ledger's {len(ledger.claims)}" \
            in fig.get_label()
    finally:
        plt.close(fig)


def test_chart_is_shown_with_its_figure_label(page):
    assert page.find("figure", id="fig-ledger-composition") is not None


def test_disagreements_are_real_conflicts(ledger):
    pairs = methods.disagreements(ledger)
    assert not pairs.empty
    for pair in pairs.itertuples():
        low, high = ledger.claim(pair.low_id), ledger.claim(pair.high_id)
        assert low["measure"] == high["measure"] == pair.measure
        assert low["claimant"] != high["claimant"]
        assert abs((low["as_of"] - high["as_of"]).days) <= methods.DISAGREEMENT_DAYS
        assert pair.ratio > 1 + methods.DISAGREEMENT_GAP
        assert "forecast" not in (low["claim_kind"], high["claim_kind"])


def test_a_floor_does_not_contradict_a_higher_figure(ledger):
    """Bounds count: 'more than X' next to a larger figure is no disagreement, the other way round it is."""
    base = ledger.claims.iloc[[0, 0]].copy()
    base["claim_id"] = ["a", "b"]
    base["claimant"] = ["x", "y"]
    base["claim_kind"] = "estimate"
    base["unit"] = "soldiers"
    base["value_low"] = base["value_high"] = pd.NA
    base["value"] = pd.array([3000, 11000], dtype="Float64")
    fake = type(ledger)(claims=base, claimants=ledger.claimants, sources=ledger.sources)
    base["bound"] = ["floor", "exact"]
    assert methods.disagreements(fake).empty
    base["bound"] = ["ceiling", "exact"]
    assert len(methods.disagreements(fake)) == 1


def test_disagreement_table_shows_every_pair_with_sources(page, ledger):
    rows = table_rows(page, "tbl-disagreements")
    pairs = methods.disagreements(ledger)
    assert len(rows) == len(pairs)
    for cells, pair in zip(rows, pairs.itertuples()):
        assert figure_text(ledger.claim(pair.low_id)) in cells[1]
        assert figure_text(ledger.claim(pair.high_id)) in cells[2]
    table = page.find("table", id="tbl-disagreements")
    assert len(table.select("span.bibtex-citation a")) >= 2 * len(pairs)


def test_weak_claims_are_all_listed(page, ledger):
    rows = table_rows(page, "tbl-weak-claims")
    weak = methods.weak_claims(ledger)
    assert len(rows) == len(weak) == int(glued(page, "n_weak"))
    assert all("weak" in note.lower() for note in weak["note"])


def test_validation_example_names_file_line_and_column(page, ledger):
    text = page.get_text()
    line = int(ledger.claim("troops-nis-2024-10-23")["line"])
    assert f"data/claims.csv, line {line}, column 'as_of': found '23/10/2024'" in text
    assert f"data/claims.csv, line {line}, column 'claimant': found 'kr-nls'" in text
    assert "Traceback" not in text


def test_validation_example_leaves_the_data_alone(ledger):
    before = (methods.data_dir() / "claims.csv").read_bytes()
    message = methods.validation_example("troops-nis-2024-10-23", {"value": "3,000"})
    assert "column 'value': found '3,000'" in message
    assert (methods.data_dir() / "claims.csv").read_bytes() == before
