"""A ledger ten times as long: the synthetic ledger is deterministic and valid, moves no chapter's
choice, and the ledger page carries it as data; a chapter's claims table weighs what the page plots."""

import json
from dataclasses import replace

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nkreport import load
from nkreport.build.book import ROOT
from nkreport.build.scale import EVENT_TOPICS, write_scaled_data
from nkreport.chapters import charts
from nkreport.chapters.ledger import CHUNK_ROWS, FIRST_ROWS, data_chunks, ledger_records, ledger_table_html
from nkreport.report import facts
from nkreport.report.notebook import TABLE_ROWS_LIMIT, table_rows

FACTOR = 10


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    out = tmp_path_factory.mktemp("scaled") / "data"
    write_scaled_data(ROOT / "data", out, FACTOR)
    return out


@pytest.fixture(scope="module")
def scaled_ledger(scaled):
    return load(scaled)


def test_the_synthetic_ledger_is_the_same_bytes_every_run(scaled, tmp_path):
    again = tmp_path / "again"
    write_scaled_data(ROOT / "data", again, FACTOR)
    files = sorted(p.relative_to(scaled) for p in scaled.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in files:
        assert (scaled / name).read_bytes() == (again / name).read_bytes(), name
    assert (scaled / "claims.csv").read_bytes() != (ROOT / "data" / "claims.csv").read_bytes()


def test_the_synthetic_ledger_is_never_written_over_the_real_data():
    with pytest.raises(ValueError):
        write_scaled_data(ROOT / "data", ROOT / "data", FACTOR)


def test_a_ledger_ten_times_as_long_passes_validation_and_says_what_is_synthetic(scaled_ledger, ledger):
    claims = scaled_ledger.claims
    assert len(claims) == FACTOR * len(ledger.claims)
    synthetic = claims[~claims["claim_id"].isin(ledger.claims["claim_id"])]
    assert len(synthetic) == (FACTOR - 1) * len(ledger.claims)
    assert synthetic["claim_id"].str.startswith("synthetic-").all()
    assert synthetic["claimant_name"].str.contains("SYNTHETIC").all()
    assert synthetic["claimant_short_name"].str.startswith("SYNTHETIC").all()
    assert synthetic["note"].str.startswith("SYNTHETIC claim for the scale test").all()
    assert synthetic["source_url"].str.startswith("https://synthetic.invalid/").all()
    # Every topic grows, but those whose charts draw every row as an event (see nkreport.build.scale).
    grown = claims["topic"].value_counts() / ledger.claims["topic"].value_counts()
    assert (grown[list(EVENT_TOPICS)] == 1).all() and (grown.drop(list(EVENT_TOPICS)) > FACTOR).all()
    # The real claims are untouched.
    real = claims[claims["claim_id"].isin(ledger.claims["claim_id"])].drop(columns="line").reset_index(drop=True)
    pd.testing.assert_frame_equal(real, ledger.claims.drop(columns="line").reset_index(drop=True))


def test_synthetic_claims_move_no_first_no_newest_and_no_chart(scaled_ledger, ledger):
    for fact in (facts.first_combat, facts.mass_assaults_begin, facts.first_capture, facts.first_surviving_prisoners,
                 facts.first_nis_death_estimate, facts.first_kim_putin_summit, facts.combat_troops_sent,
                 facts.first_wave_sent, facts.newest_claim):
        assert fact(scaled_ledger.claims)["claim_id"] == fact(ledger.claims)["claim_id"], fact.__name__
    assert list(facts.newest_by_topic(scaled_ledger)["claim_id"]) == list(facts.newest_by_topic(ledger)["claim_id"])
    assert facts.weak_claims(scaled_ledger)["claim_id"].tolist() == facts.weak_claims(ledger)["claim_id"].tolist()
    for label, chart in charts().items():
        drawn = set(chart.claims(scaled_ledger)["claim_id"])
        if label == "fig-ledger-composition":  # it counts the ledger's claims, so it grows with them
            continue
        assert drawn == set(chart.claims(ledger)["claim_id"]), label


def test_the_ledger_page_carries_every_claim_as_data_in_bounded_pieces(scaled_ledger):
    records = ledger_records(scaled_ledger)
    chunks = data_chunks(records)
    assert [r[0] for r in records[:FIRST_ROWS]] + [r[0] for c in chunks for r in c] == [r[0] for r in records]
    assert len(records) == len(scaled_ledger.claims) and all(len(c) <= CHUNK_ROWS for c in chunks)
    page = ledger_table_html(scaled_ledger)
    assert page.startswith('<div class="ledger-app"') and f'data-chunks="{len(chunks)}"' in page
    # The page itself holds the first rows only: what the first screen needs, whatever the ledger's size.
    assert len(page.encode()) < 200_000


def test_data_text_that_looks_like_markup_cannot_leave_the_pages_data(ledger):
    claims = ledger.claims.copy()
    first = claims.sort_values(["as_of", "claim_id"]).index[0]
    note = '</script><script>alert("ran")</script><!-- & <b>'
    claims.loc[first, "note"] = note
    page = ledger_table_html(replace(ledger, claims=claims))
    assert "alert" in page and "<script>alert" not in page and "<b>" not in page and "<!--" not in page
    data = BeautifulSoup(page, "html.parser").select_one("script.ledger-rows").string
    assert json.loads(data)[0][-1] == note


def test_a_claims_table_over_the_limit_lists_the_plotted_claims_and_counts_the_rest(scaled_ledger, ledger):
    troops = scaled_ledger.claims[scaled_ledger.claims["topic"] == "troops"]
    assert len(troops) > TABLE_ROWS_LIMIT
    plotted = set(ledger.claims["claim_id"][:40])
    rows, left = table_rows(troops, plotted)
    assert set(rows["claim_id"]) == plotted & set(troops["claim_id"]) and left == len(troops) - len(rows)
    small = ledger.claims[ledger.claims["topic"] == "troops"]
    assert len(small) <= TABLE_ROWS_LIMIT and table_rows(small, set())[0] is small


def test_no_claims_table_of_the_real_book_reaches_the_limit(book_html):
    sizes = {}
    for page in (book_html / "chapters").glob("*.html"):
        for table in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("table.claims-table"):
            sizes[f"{page.name}#{table.get('id')}"] = len(table.select("tbody tr"))
    assert len(sizes) >= 10
    assert max(sizes.values()) <= TABLE_ROWS_LIMIT, sizes


# --- Work that grows with the ledger: at most linearly ------------------------------------------

def test_in_the_build_a_chapter_glues_only_the_claims_its_page_names(ledger, tmp_path, monkeypatch):
    """glue_claims and the chapters' glue_events and glue_citations glued every claim of a frame:
    at a hundred times the claims, tens of thousands of outputs no page shows, and two chapters
    ran past the cell timeout. In the build they glue what the page names (GLUE_KEYS_VARIABLE)."""
    import myst_nb

    from nkreport.chapters import casualties, operations, timeline
    from nkreport.report import notebook

    glued = []
    monkeypatch.setattr(notebook, "glue", lambda name, *args, **kwargs: glued.append(name))
    monkeypatch.setattr(myst_nb, "glue", lambda name, *args, **kwargs: glued.append(name))
    claims = ledger.claims
    named, event = claims["claim_id"].iloc[0], claims.loc[claims["unit"] == "event", "claim_id"].iloc[0]
    keys = tmp_path / "keys"
    keys.write_text(f"{named.replace('-', '_')}_bare\n{event.replace('-', '_')}_on\n"
                    f"{named.replace('-', '_')}_cite\n", encoding="utf-8")
    monkeypatch.setenv(notebook.GLUE_KEYS_VARIABLE, str(keys))
    notebook.glue_claims(ledger, claims)
    timeline.glue_events(ledger, claims)
    casualties.glue_citations(claims)
    operations.glue_citations(ledger, claims)
    name = named.replace("-", "_")
    assert glued == [name, f"{name}_bare", f"{name}_date", f"{event.replace('-', '_')}_on", f"{name}_cite", f"{name}_cite"]
    # Outside the build (Jupyter, a plain jupyter-book build) every claim is glued, as before.
    glued.clear()
    monkeypatch.delenv(notebook.GLUE_KEYS_VARIABLE)
    notebook.glue_claims(ledger, claims)
    assert len(glued) == 3 * len(claims)


def test_the_glue_keys_of_a_page_are_those_its_roles_and_directives_name():
    from nkreport.build.sources import glue_keys

    text = ("A {glue:md}`troops_x_bare:myst` and {glue}`n_claims` and {glue:text}`ratio:.2f`.\n"
            "```{glue:figure} fig_map\n:name: fig-map\n```\n:::{glue:md} note_y\n:::\n"
            "```{code-cell} ipython3\nglue_text('not_a_reference', '1')\n```\n")
    assert glue_keys(text) == {"troops_x_bare", "n_claims", "ratio", "fig_map", "note_y"}


def test_a_claim_is_found_by_its_id_without_reading_the_whole_ledger(ledger):
    """Ledger.claim compared every claim id on each look-up, and chapters look claims up one by
    one: quadratic in the claims (at a hundred times the claims, 100 s of the 143 s the operations
    chapter's first cell took under the profiler).
    A thousand look-ups in 100,000 claims took 15 to 30 s that way; by row number, well under one."""
    import time

    n = 100_000
    claims = ledger.claims.iloc[[i % len(ledger.claims) for i in range(n)]].reset_index(drop=True)
    claims["claim_id"] = [f"claim-{i:06d}" for i in range(n)]
    big = replace(ledger, claims=claims)
    wanted = claims["claim_id"].iloc[::100].tolist()
    start = time.perf_counter()
    found = [big.claim(claim_id) for claim_id in wanted]
    assert time.perf_counter() - start < 5, "looking up claims reads the whole ledger each time"
    assert [row["claim_id"] for row in found] == wanted and found[-1].equals(claims.iloc[n - 100])
    # A frame changed in place after the look-ups is looked up afresh, never from stale row numbers.
    claims.loc[n - 100, "claim_id"] = "renamed"
    assert big.claim("renamed")["claim_id"] == "renamed"
    with pytest.raises(KeyError):
        big.claim(wanted[-1])


def test_disagreements_compare_a_claim_only_with_those_close_to_it_in_time(ledger, scaled_ledger):
    """Every pair of a measure's claims was compared: quadratic in them. In date order, a claim
    needs comparing only with the claims within DISAGREEMENT_DAYS after it; the pairs found are
    the same, in the same order."""
    import itertools
    import time

    from nkreport.chapters import methods

    def every_pair(led, days, gap):  # the old search, as the reference
        claims = led.claims
        figures = claims[claims["claim_kind"].isin(methods.COMPARABLE_KINDS) & claims["unit"].ne("event")
                         & (claims["value"].notna() | claims["value_low"].notna())]
        pairs = []
        for measure, group in figures.groupby("measure", sort=True):
            dated = group[group["as_of_precision"] == "day"]
            for a, b in itertools.combinations(dated.sort_values(["as_of", "claim_id"]).itertuples(), 2):
                if a.claimant == b.claimant or abs((a.as_of - b.as_of).days) > days:
                    continue
                (a_low, a_high), (b_low, b_high) = methods._interval(a), methods._interval(b)
                low, high = (a, b) if a_high <= b_high else (b, a)
                lower_top, higher_bottom = min(a_high, b_high), max(a_low, b_low)
                if lower_top <= 0 or higher_bottom / lower_top - 1 <= gap:
                    continue
                pairs.append({"measure": measure, "low_id": low.claim_id, "high_id": high.claim_id,
                              "ratio": higher_bottom / lower_top})
        return pd.DataFrame(pairs, columns=["measure", "low_id", "high_id", "ratio"])

    for led in (ledger, scaled_ledger):
        for days, gap in ((methods.DISAGREEMENT_DAYS, methods.DISAGREEMENT_GAP), (60, 0.1), (10_000, 0.0)):
            pd.testing.assert_frame_equal(methods.disagreements(led, days, gap), every_pair(led, days, gap))
    # One measure, 6,000 claims a day apart by two claimants in turn: 18 million pairs the old
    # search compared (about 20 s), some 18,000 within the window (a tenth of a second).
    n = 6_000
    row = ledger.claims[ledger.claims["unit"].ne("event") & ledger.claims["value"].notna()].iloc[[0] * n]
    claims = row.reset_index(drop=True).assign(
        claim_id=[f"c-{i:05d}" for i in range(n)], measure="m", claimant=["x", "y"] * (n // 2),
        claim_kind="estimate", as_of_precision="day", bound="exact",
        as_of=pd.Timestamp("2020-01-01") + pd.to_timedelta(range(n), unit="D"),
        value=pd.array([1000 * (1 + i % 3) for i in range(n)], dtype="Float64"),
        value_low=pd.array([pd.NA] * n, dtype="Float64"), value_high=pd.array([pd.NA] * n, dtype="Float64"))
    start = time.perf_counter()
    found = methods.disagreements(replace(ledger, claims=claims))
    assert time.perf_counter() - start < 3, "the disagreements search compares every pair of a measure's claims"
    assert len(found) == n - 1  # neighbours differ by a third or a half; every such pair is 1 day apart


def test_writing_the_measures_replaces_the_table_and_keeps_the_prose(tmp_path):
    from nkreport.build.scale import with_table

    page = tmp_path / "SCALE.md"
    page.write_text("# Scale\n\nHow it was measured.\n\n| Factor | Build |\n|---:|---:|\n| 1 | 30 |\n\n"
                    "Targets: old.\n\n## The hundred-times build\n\nWhat was slow.\n", encoding="utf-8")
    text = with_table(page, "| Factor | Build |\n|---:|---:|\n| 1 | 29 |\n\nTargets: new.")
    assert text == ("# Scale\n\nHow it was measured.\n\n| Factor | Build |\n|---:|---:|\n| 1 | 29 |\n\n"
                    "Targets: new.\n\n## The hundred-times build\n\nWhat was slow.\n")
    assert with_table(tmp_path / "new.md", "| Factor |\n\nTargets: x.") == "| Factor |\n\nTargets: x.\n"
