"""Bad data stops with an error naming the file, the line and the column; nothing is dropped."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from nkreport.data.ledger import LedgerError, load
from nkreport.report.text import escape_cell

DATA = Path(__file__).resolve().parent.parent / "data"
TODAY = dt.date(2026, 11, 30)
HEADER = ("claim_id,topic,measure,value,value_low,value_high,bound,qualifier,unit,as_of,"
          "as_of_precision,claimed_on,claimed_on_precision,claimant,claim_kind,source,note,places,weak_source,"
          "checked_on,checked_url")
SEED_URL = "https://nylawyerreview.com/?p=1755"
GOOD = {
    "claim_id": "troops-test-2024-10-23", "topic": "troops", "measure": "nk_troops_in_russia",
    "value": "3000", "value_low": "", "value_high": "", "bound": "exact", "qualifier": "",
    "unit": "soldiers", "as_of": "2024-10-23", "as_of_precision": "day", "claimed_on": "2024-10-23",
    "claimed_on_precision": "day", "claimant": "kr-nis", "claim_kind": "estimate", "source": "nyt2024whatweknow",
    "note": "A test row.", "places": "", "weak_source": "no", "checked_on": "2026-11-30",
    "checked_url": "https://nylawyerreview.com/?p=1755",
}
# A page that shows no date of its own, read on 25 November 2026.
UNDATED = """
@misc{undatedpage,
  author = {{An Outlet}},
  title = {{A page without a date}},
  howpublished = {An Outlet},
  url = {https://example.org/undated},
  urldate = {2026-11-25}
}
"""


def row(**changes) -> str:
    cells = {**GOOD, **changes}
    return ",".join(cells[c] for c in HEADER.split(","))


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the real data folder whose claims.csv each test replaces (and one undated page)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    with open(target / "sources.bib", "a", encoding="utf-8") as f:
        f.write(UNDATED)
    (target / "corrections.csv").write_text(f"claim_id,edition,change,note\n{GOOD['claim_id']},0.3,added,\n",
                                            encoding="utf-8")
    (target / "judgments.csv").write_text(
        "judgment_id,chapter,statement,likelihood,confidence,basis,claims,confidence_reason\n"
        f"kj-troops-1,troops,Troops were sent: [[{GOOD['claim_id']}]].,likely,low,A test.,{GOOD['claim_id']},\n",
        encoding="utf-8")
    return target


def problems_for(data_dir: Path, claims_text: str | bytes) -> str:
    path = data_dir / "claims.csv"
    if isinstance(claims_text, bytes):
        path.write_bytes(claims_text)
    else:
        path.write_text(claims_text, encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    return str(err.value)


def assert_names(message: str, line: int | None, column: str | None, file: str = "data/claims.csv"):
    assert file in message
    if line is not None:
        assert f"line {line}" in message, message
    if column is not None:
        assert f"column '{column}'" in message, message


def test_real_ledger_is_valid():
    ledger = load()
    assert len(ledger.claims) > 0
    assert ledger.claims["claim_id"].is_unique


def test_good_row_passes(data_dir):
    (data_dir / "claims.csv").write_text(f"{HEADER}\n{row()}\n", encoding="utf-8")
    assert len(load(data_dir, today=TODAY).claims) == 1


# One case per rule: (name, claims.csv text, line, column, words the message must contain).
BROKEN = [
    ("missing required field", f"{HEADER}\n{row()}\n{row(claim_id='troops-b', claimant='')}\n",
     3, "claimant", ["required"]),
    ("non-numeric value", f'{HEADER}\n{row(value=chr(34) + "12,000" + chr(34))}\n',
     2, "value", ["'12,000'", "plain number"]),
    ("range low above high", f"{HEADER}\n{row(value='', value_low='12000', value_high='11000')}\n",
     2, "value_low", ["11000"]),
    ("value outside its range", f"{HEADER}\n{row(value='13000', value_low='11000', value_high='12000')}\n",
     2, "value_high", ["13000"]),
    ("half a range", f"{HEADER}\n{row(value_low='1000')}\n", 2, "value_high", ["both ends"]),
    ("bad date", f"{HEADER}\n{row(as_of='23/10/2024')}\n", 2, "as_of", ["ISO date"]),
    ("impossible date", f"{HEADER}\n{row(as_of='2024-02-30')}\n", 2, "as_of", ["real calendar date"]),
    ("future date", f"{HEADER}\n{row(claimed_on='2027-01-01', as_of='2027-01-01')}\n",
     2, "claimed_on", ["no later than today"]),
    ("month precision needs the 15th", f"{HEADER}\n{row(as_of='2024-10-01', as_of_precision='month')}\n",
     2, "as_of", ["15th"]),
    ("unknown claim kind", f"{HEADER}\n{row(claim_kind='rumour')}\n", 2, "claim_kind", ["'rumour'", "estimate"]),
    ("unknown source key", f"{HEADER}\n{row(source='nosuchkey2024')}\n", 2, "source", ["data/sources.bib"]),
    ("unknown claimant", f"{HEADER}\n{row(claimant='somebody')}\n", 2, "claimant", ["claimants.csv"]),
    ("duplicate id", f"{HEADER}\n{row()}\n{row()}\n", 3, "claim_id", ["line 2 has it already"]),
    ("unknown column", f"{HEADER},extra\n{row()},x\n", 1, "extra", ["one of the columns"]),
    ("missing column", HEADER.replace(",note", "") + "\n" + row().rsplit(",", 1)[0] + "\n",
     1, "note", ["in the header row"]),
    ("empty file", "", None, None, ["empty file"]),
    ("not UTF-8", (HEADER + "\n" + row(note="caf\u00e9") + "\n").encode("latin-1"), 2, None, ["UTF-8"]),
    ("header without rows", f"{HEADER}\n", None, None, ["no rows"]),
    ("row with too many fields", f"{HEADER}\n{row(note='a, b')}\n", 2, None, ["22 fields"]),
    ("floor needs a value", f"{HEADER}\n{row(value='', value_low='1', value_high='2', bound='floor')}\n",
     2, "value", ["a value for a floor"]),
    ("qualifier must agree with bound", f"{HEADER}\n{row(bound='floor', qualifier='up to')}\n",
     2, "qualifier", ["means ceiling"]),
    ("denial carries no figure", f"{HEADER}\n{row(claim_kind='denial')}\n", 2, "value", ["no figure"]),
    ("url in note", f"{HEADER}\n{row(note='see https://example.org')}\n", 2, "note", ["without URLs"]),
    ("figure without bound", f"{HEADER}\n{row(bound='')}\n", 2, "bound", ["exact, approximate"]),
    ("stray spaces", f"{HEADER}\n{row(unit=' soldiers')}\n", 2, "unit", ["no spaces"]),
    ("claim dated after its source", f"{HEADER}\n{row(claimed_on='2024-10-24')}\n",
     2, "claimed_on", ["no later than the date of source 'nyt2024whatweknow'"]),
    ("claim dated the day an undated page was read",
     f"{HEADER}\n{row(source='undatedpage', claimed_on='2026-11-25', checked_url='https://example.org/undated')}\n",
     2, "claimed_on", ["not the day source 'undatedpage'", "precision unknown"]),
    ("unknown precision with a date", f"{HEADER}\n{row(claimed_on_precision='unknown')}\n",
     2, "claimed_on", ["empty claimed_on exactly when"]),
    ("no claim date without saying unknown", f"{HEADER}\n{row(claimed_on='')}\n",
     2, "claimed_on", ["empty claimed_on exactly when"]),
    ("claim date in the future", f"{HEADER}\n{row(claimed_on='2026-12-01', source='undatedpage', checked_url='https://example.org/undated')}\n",
     2, "claimed_on", ["no later than today"]),
    ("check not recorded", f"{HEADER}\n{row(checked_on='')}\n", 2, "checked_on", ["required"]),
    ("check dated in the future", f"{HEADER}\n{row(checked_on='2026-12-24')}\n", 2, "checked_on", ["no later than today"]),
    ("checked page is not a source", f"{HEADER}\n{row(checked_url='https://example.org/other')}\n",
     2, "checked_url", ["one of the row's sources"]),
    ("weak claim without its reason", f"{HEADER}\n{row(weak_source='yes')}\n", 2, "note", ["starts with 'Weak:'"]),
    ("weak note on a claim marked strong", f"{HEADER}\n{row(note='Weak: one repost.')}\n", 2, "weak_source", ["yes"]),
    ("unknown place", f"{HEADER}\n{row(places='atlantis')}\n", 2, "places", ["data/places.csv"]),
    ("unknown claim-date precision", f"{HEADER}\n{row(claimed_on_precision='week')}\n", 2, "claimed_on_precision", ["unknown"]),
]


@pytest.mark.parametrize("text, line, column, words", [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_claims_are_refused_with_file_line_and_column(data_dir, text, line, column, words):
    msg = problems_for(data_dir, text)
    assert_names(msg, line, column)
    for word in words:
        assert word in msg, msg


def test_a_ledger_saved_by_a_spreadsheet_is_the_same_data(data_dir):
    """UTF-8 with a byte-order mark and CRLF line ends, as spreadsheet programs save CSV."""
    plain = load(DATA, today=TODAY).claims
    for name in ("corrections.csv", "judgments.csv"):
        shutil.copy(DATA / name, data_dir / name)
    path = data_dir / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "claims.csv").read_bytes().replace(b"\n", b"\r\n"))
    saved = load(data_dir, today=TODAY).claims
    assert saved.drop(columns="line").equals(plain.drop(columns="line"))


def test_a_claim_whose_date_no_page_gives_is_accepted(data_dir):
    (data_dir / "claims.csv").write_text(f"{HEADER}\n{row(claimed_on='', claimed_on_precision='unknown')}\n",
                                         encoding="utf-8")
    assert load(data_dir, today=TODAY).claims["claimed_on"].isna().all()


def test_no_claim_in_the_real_ledger_is_dated_by_a_retrieval_date():
    ledger = load(DATA)
    urldates = {e.get("urldate") for e in ledger.sources.values()}
    undated = ledger.claims[ledger.claims["claimed_on_precision"] == "unknown"]
    assert undated["claimed_on"].isna().all()
    assert not ledger.claims["claimed_on"].dt.strftime("%Y-%m-%d").isin(urldates - {None}).any()


def test_forecast_may_look_ahead(data_dir):
    (data_dir / "claims.csv").write_text(
        f"{HEADER}\n{row(claim_kind='forecast', as_of='2027-06-15', as_of_precision='month')}\n",
        encoding="utf-8")
    assert len(load(data_dir, today=TODAY).claims) == 1


def test_every_problem_is_reported_at_once(data_dir):
    msg = problems_for(data_dir, f"{HEADER}\n{row(value='x')}\n{row(claim_id='b', claim_kind='rumour')}\n")
    assert "line 2, column 'value'" in msg and "line 3, column 'claim_kind'" in msg


def test_claimant_file_is_checked(data_dir):
    path = data_dir / "claimants.csv"
    path.write_text(path.read_text(encoding="utf-8") + "xx-test,Test,Test,Atlantis,belligerent\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    assert_names(str(err.value), None, "country", file="data/claimants.csv")
    assert "'Atlantis'" in str(err.value)


def test_source_without_url(data_dir):
    path = data_dir / "sources.bib"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\n@misc{nourl2024,\n  author = {{Nobody}},\n  title = {No URL},\n  year = {2024}\n}\n",
                    encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    assert_names(str(err.value), None, "url", file="data/sources.bib")
    assert "nourl2024" in str(err.value)


def test_error_never_shows_an_absolute_path(data_dir):
    msg = problems_for(data_dir, f"{HEADER}\n{row(value='x')}\n")
    assert str(data_dir) not in msg


def test_markup_in_text_is_made_inert():
    cell = escape_cell("<script>alert(1)</script> {cite}`x` | *bold*")
    assert "<script>" not in cell and "&lt;script&gt;" in cell
    assert "\\|" in cell and "\\`" in cell and "\\{" in cell


def test_every_measure_in_the_ledger_has_a_readable_label():
    from nkreport.report.text import MEASURE_LABELS
    missing = set(load().claims["measure"]) - set(MEASURE_LABELS)
    assert not missing, f"add labels to nkreport/report/text.py MEASURE_LABELS for: {sorted(missing)}"


def test_latex_escapes_are_not_urls(data_dir):
    path = data_dir / "sources.bib"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\n@misc{escaped2024,\n  author = {{Nobody}},\n  title = {Escaped},\n  year = {2024},\n"
                      "  url = {https://example.org/a?b=1\\&c=2}\n}\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    assert_names(str(err.value), None, "url", file="data/sources.bib")


def test_a_correction_must_name_a_claim_of_the_ledger(data_dir):
    (data_dir / "claims.csv").write_text(f"{HEADER}\n{row()}\n", encoding="utf-8")
    (data_dir / "corrections.csv").write_text("claim_id,edition,change,note\nno-such-claim,0.3,note,Cut a clause.\n",
                                              encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    assert_names(str(err.value), 2, "claim_id", file="data/corrections.csv")


def test_a_place_needs_coordinates_in_range_and_a_source(data_dir):
    (data_dir / "claims.csv").write_text(f"{HEADER}\n{row()}\n", encoding="utf-8")
    (data_dir / "places.csv").write_text(
        "place_id,name,kind,country,lat,lon,coord_url,coord_note\n"
        "nowhere,Nowhere,base,Russia,95.00,30.00,,\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    message = str(err.value)
    assert_names(message, 2, "lat", file="data/places.csv")
    assert "at most 90" in message
    assert_names(message, 2, "coord_url", file="data/places.csv")


def test_a_judgment_with_a_typed_figure_is_refused(data_dir):
    (data_dir / "claims.csv").write_text(f"{HEADER}\n{row()}\n", encoding="utf-8")
    (data_dir / "judgments.csv").write_text(
        "judgment_id,chapter,statement,likelihood,confidence,basis,claims,confidence_reason\n"
        f"kj-troops-1,troops,About 15000 troops were sent.,likely,low,A test.,{GOOD['claim_id']},\n"
        "kj-troops-2,troops,Troops were sent: [[no-such-claim]].,likely,low,A test.,no-such-claim,\n"
        "kj-troops-3,troops,Troops were sent.,somewhat likely,low,A test.,troops-test-2024-10-23,\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    message = str(err.value)
    assert_names(message, 2, "statement", file="data/judgments.csv")
    assert "no typed figure" in message
    assert_names(message, 3, "claims", file="data/judgments.csv")
    assert_names(message, 4, "likelihood", file="data/judgments.csv")


def test_a_bare_per_cent_sign_in_a_source_is_refused(data_dir):
    (data_dir / "claims.csv").write_text(f"{HEADER}\n{row()}\n", encoding="utf-8")
    with open(data_dir / "sources.bib", "a", encoding="utf-8") as f:
        f.write("\n@misc{percentpage,\n  author = {{An Outlet}},\n  title = {{Losses fell by 13% in a year}},\n"
                "  url = {https://example.org/percent},\n  urldate = {2026-11-30}\n}\n")
    with pytest.raises(LedgerError) as err:
        load(data_dir, today=TODAY)
    assert_names(str(err.value), None, "title", file="data/sources.bib")
    assert "per cent sign" in str(err.value)
