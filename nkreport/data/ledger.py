"""Load the claims ledger, its claimants and its sources, and refuse data that breaks the schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd
from pybtex.database import parse_string
from pybtex.scanner import PybtexError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
# The build sets this for the notebook kernels, so a book built from another folder (a copy,
# a test) reads its own data rather than the data beside the installed package.
DATA_DIR_VARIABLE = "NKREPORT_DATA_DIR"
# When set (the build sets it for each chapter it runs), load() appends to this file which data
# folder it read and which topics of the ledger it returned: what a chapter actually read.
RECORD_VARIABLE = "NKREPORT_RECORD_INPUTS"
ALL_TOPICS = "*"


def record_view(data_dir: Path, topics) -> None:
    """Note the view of the ledger a chapter loaded (see RECORD_VARIABLE); nothing happens outside a build."""
    record = os.environ.get(RECORD_VARIABLE)
    if record:
        with open(record, "a", encoding="utf-8") as f:
            f.write(f"{Path(data_dir).resolve()}\t{','.join(sorted(topics)) if topics else ALL_TOPICS}\n")


QUALIFIER_BOUND = {
    "more than": "floor", "over": "floor", "at least": "floor",
    "nearly": "ceiling", "almost": "ceiling", "up to": "ceiling",
    "fewer than": "ceiling", "as many as": "ceiling",
    "about": "approximate", "around": "approximate", "some": "approximate",
    "roughly": "approximate", "approximately": "approximate",
}
# Claims that carry no figure: a denial, or a dated event.
NO_FIGURE_KINDS = {"denial"}
EVENT_UNIT = "event"
REQUIRED_SOURCE_FIELDS = ("author", "title", "url")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s\\]*$")  # no backslash: \& is LaTeX, not a URL


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, worded so a curator can find and fix it."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        got = "" if self.value is None else f"found {self.value!r}; "
        return f"{where}: {got}expected {self.expected}."


class LedgerError(ValueError):
    """The data files break the schema; the message lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"The ledger has {len(problems)} problem(s); fix them and rebuild "
            f"(data/README.md explains each column):\n{lines}"
        )


def _rel(path: Path) -> str:
    """A path as readers of the repository know it (data/claims.csv), never an absolute one."""
    return f"{path.parent.name}/{path.name}"


@lru_cache(maxsize=None)
def _schemas(data_dir: Path) -> dict[str, list[dict]]:
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    return {
        r["name"]: r["schema"]["fields"] for r in package["resources"] if "schema" in r
    }


def _read_rows(path: Path, fields: list[dict], problems: list[Problem],
               raw: bytes | None = None) -> list[tuple[int, dict]]:
    """Rows of a CSV (or of `raw`, its text as edited in memory) as (line number, {column: text});
    structural problems go to `problems`."""
    name = _rel(path)
    if raw is None and not path.exists():
        problems.append(Problem(name, None, None, None, "the file to exist"))
        return []
    raw = path.read_bytes() if raw is None else raw
    # A spreadsheet program saves UTF-8 with a byte-order mark and CRLF line ends: the same data.
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, repr(raw[err.start:err.start + 8]), "UTF-8 text"))
        return []
    if not text.strip():
        problems.append(Problem(name, None, None, "an empty file", "a header row and at least one row"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    before = len(problems)  # problems of other files must not stop this one being read
    known = [f["name"] for f in fields]
    for col in header:
        if col not in known:
            problems.append(Problem(name, 1, col, col, f"one of the columns {', '.join(known)}"))
    for col in known:
        if col not in header:
            problems.append(Problem(name, 1, col, None, "this column in the header row"))
    if len(set(header)) != len(header):
        dupes = sorted({c for c in header if header.count(c) > 1})
        problems.append(Problem(name, 1, dupes[0], dupes[0], "each column once"))
    if len(problems) > before:
        return []
    rows = []
    start = reader.line_num + 1
    for cells in reader:
        line = start
        start = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue  # blank line: nothing to drop
        if len(cells) != len(header):
            problems.append(Problem(name, line, None, f"{len(cells)} fields",
                                    f"{len(header)} fields, one per column (quote text that holds commas)"))
            continue
        rows.append((line, dict(zip(header, cells))))
    if not rows and not problems:
        problems.append(Problem(name, None, None, "a header and no rows", "at least one row"))
    return rows


def _check_fields(path: Path, rows: list[tuple[int, dict]], fields: list[dict],
                  problems: list[Problem], today: dt.date) -> None:
    """Apply the datapackage.json constraints (required, type, enum, pattern, unique, minimum)."""
    name = _rel(path)
    seen: dict[str, dict[str, int]] = {}
    for line, row in rows:
        for field in fields:
            col, cons = field["name"], field.get("constraints", {})
            text = row[col]
            if text != text.strip():
                problems.append(Problem(name, line, col, text, "no spaces before or after the text"))
                continue
            if text == "":
                if cons.get("required"):
                    problems.append(Problem(name, line, col, text, "a value (this column is required)"))
                continue
            kind = field["type"]
            if kind == "number":
                if not _NUMBER.match(text):
                    problems.append(Problem(name, line, col, text,
                                            "a plain number with digits only, like 12000 (no commas, words or units)"))
                    continue
                if "minimum" in cons and float(text) < cons["minimum"]:
                    problems.append(Problem(name, line, col, text, f"a number of at least {cons['minimum']}"))
                if "maximum" in cons and float(text) > cons["maximum"]:
                    problems.append(Problem(name, line, col, text, f"a number of at most {cons['maximum']}"))
            elif kind == "date":
                if not _DATE.match(text):
                    problems.append(Problem(name, line, col, text, "an ISO date like 2024-10-23"))
                    continue
                try:
                    day = dt.date.fromisoformat(text)
                except ValueError:
                    problems.append(Problem(name, line, col, text, "a real calendar date"))
                    continue
                forecast = row.get("claim_kind") == "forecast" and col == "as_of"
                if day > today and not forecast:
                    problems.append(Problem(name, line, col, text,
                                            f"a date no later than today ({today.isoformat()}); only a forecast's as_of may lie ahead"))
            if "enum" in cons and text not in cons["enum"]:
                problems.append(Problem(name, line, col, text, f"one of: {', '.join(cons['enum'])}"))
            if "pattern" in cons and not re.fullmatch(cons["pattern"], text):
                problems.append(Problem(name, line, col, text, f"text matching the pattern {cons['pattern']}"))
            if cons.get("unique"):
                first = seen.setdefault(col, {}).setdefault(text, line)
                if first != line:
                    problems.append(Problem(name, line, col, text, f"a unique value (line {first} has it already)"))


def _number(text: str) -> float | None:
    return float(text) if text and _NUMBER.match(text) else None


def _check_claim_logic(path: Path, rows: list[tuple[int, dict]], claimant_ids: set[str],
                       source_keys: set[str], problems: list[Problem]) -> None:
    """Rules that tie columns together: ranges in order, bounds with figures, known references."""
    name = _rel(path)
    for line, row in rows:
        value, low, high = (_number(row[c]) for c in ("value", "value_low", "value_high"))
        has_figure = any(v is not None for v in (value, low, high))
        no_figure = row["claim_kind"] in NO_FIGURE_KINDS or row["unit"] == EVENT_UNIT
        if no_figure and has_figure:
            problems.append(Problem(name, line, "value", row["value"] or row["value_low"],
                                    "no figure for a denial or an event (leave value, value_low and value_high empty)"))
        if not no_figure and value is None and (low is None or high is None):
            problems.append(Problem(name, line, "value", row["value"],
                                    "a value, or both value_low and value_high"))
        if (low is None) != (high is None):
            col = "value_high" if high is None else "value_low"
            problems.append(Problem(name, line, col, row[col], "both ends of a range, or neither"))
        if low is not None and high is not None and low > high:
            problems.append(Problem(name, line, "value_low", row["value_low"],
                                    f"a lower end no greater than value_high ({row['value_high']})"))
        for end, col, rule in ((low, "value_low", "at most"), (high, "value_high", "at least")):
            if value is not None and end is not None and (
                    (col == "value_low" and end > value) or (col == "value_high" and end < value)):
                problems.append(Problem(name, line, col, row[col], f"{rule} the value ({row['value']})"))
        bound, qualifier = row["bound"], row["qualifier"]
        if has_figure and not bound:
            problems.append(Problem(name, line, "bound", bound,
                                    "exact, approximate, floor or ceiling for a row with a figure"))
        if not has_figure and bound:
            problems.append(Problem(name, line, "bound", bound, "no bound for a row without a figure"))
        if bound in ("floor", "ceiling") and value is None:
            problems.append(Problem(name, line, "value", row["value"], f"a value for a {bound}"))
        if qualifier in QUALIFIER_BOUND and bound and QUALIFIER_BOUND[qualifier] != bound:
            problems.append(Problem(name, line, "qualifier", qualifier,
                                    f"a word that means {bound} (\"{qualifier}\" means {QUALIFIER_BOUND[qualifier]})"))
        if row["claimant"] and row["claimant"] not in claimant_ids:
            problems.append(Problem(name, line, "claimant", row["claimant"],
                                    "a claimant_id listed in data/claimants.csv"))
        for key in filter(None, row["source"].split("; ")):
            if key not in source_keys:
                problems.append(Problem(name, line, "source", key, "a key of an entry in data/sources.bib"))
        if re.search(r"https?://|www\.", row["note"]):
            problems.append(Problem(name, line, "note", row["note"],
                                    "a note without URLs (sources go in data/sources.bib)"))
        stand_in = {"month": ("-15", "the 15th"), "year": ("-07-01", "1 July")}.get(row["as_of_precision"])
        if stand_in and _DATE.match(row["as_of"]) and not row["as_of"].endswith(stand_in[0]):
            problems.append(Problem(name, line, "as_of", row["as_of"],
                                    f"{stand_in[1]} as the stand-in day when as_of_precision is {row['as_of_precision']}"))
        if row["claimed_on"] and row["as_of"] and row["claim_kind"] != "forecast" \
                and _DATE.match(row["claimed_on"]) and _DATE.match(row["as_of"]) \
                and row["as_of"] > row["claimed_on"]:
            problems.append(Problem(name, line, "as_of", row["as_of"],
                                    f"a date no later than claimed_on ({row['claimed_on']}) unless the claim is a forecast"))


_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def own_date_end(fields: dict[str, str]) -> dt.date | None:
    """The last day a source's own date can stand for ('2025-06' -> 30 June 2025), or None for a
    source that shows no date of its own."""
    text = fields.get("date") or fields.get("year") or ""
    if not _PARTIAL_DATE.match(text):
        return None
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def _check_dates_and_checks(path: Path, rows: list[tuple[int, dict]], sources: dict[str, dict[str, str]],
                            problems: list[Problem]) -> None:
    """A claim's date is the claimant's, never a page's retrieval date; every row records its check."""
    name = _rel(path)
    for line, row in rows:
        claimed, precision = row["claimed_on"], row["claimed_on_precision"]
        keys = [k for k in row["source"].split("; ") if k in sources]
        if (precision == "unknown") != (claimed == ""):
            problems.append(Problem(name, line, "claimed_on", claimed,
                                    "an empty claimed_on exactly when claimed_on_precision is unknown"))
        if claimed and _DATE.match(claimed):
            day = dt.date.fromisoformat(claimed)
            for key in keys:
                end = own_date_end(sources[key])
                if end is not None and day > end:
                    problems.append(Problem(name, line, "claimed_on", claimed,
                                            f"a date no later than the date of source '{key}' ({sources[key].get('date') or sources[key].get('year')}), "
                                            "which already carries the claim"))
                if end is None and sources[key].get("urldate") == claimed:
                    problems.append(Problem(name, line, "claimed_on", claimed,
                                            f"the claimant's date, not the day source '{key}' (which shows no date) was read; "
                                            "if no page dates the claim, leave claimed_on empty with precision unknown"))
        urls = {sources[k].get("url") for k in keys}
        if row["checked_url"] and keys and row["checked_url"] not in urls:
            problems.append(Problem(name, line, "checked_url", row["checked_url"],
                                    "the url of one of the row's sources (the page the check read)"))
        weak_note = row["note"].startswith("Weak:")
        if row["weak_source"] == "yes" and not weak_note:
            problems.append(Problem(name, line, "note", row["note"][:40],
                                    "a note that starts with 'Weak:' and says why, since weak_source is yes"))
        if row["weak_source"] == "no" and weak_note:
            problems.append(Problem(name, line, "weak_source", row["weak_source"],
                                    "yes, since the note starts with 'Weak:'"))


PLACEHOLDER = re.compile(r"\[\[(?:(date):)?([a-z0-9][a-z0-9-]*)\]\]")
_DIGITS = re.compile(r"\d")


def _check_judgments(path: Path, rows: list[tuple[int, dict]], claim_ids: set[str], problems: list[Problem]) -> None:
    """A judgment rests on claims of the ledger, and its figures come from them, never typed."""
    name = _rel(path)
    for line, row in rows:
        listed = row["claims"].split("; ")
        for claim_id in listed:
            if claim_id not in claim_ids:
                problems.append(Problem(name, line, "claims", claim_id, "a claim_id of data/claims.csv"))
        for _, claim_id in PLACEHOLDER.findall(row["statement"]):
            if claim_id not in listed:
                problems.append(Problem(name, line, "statement", claim_id,
                                        "only claims listed in the claims column as [[claim-id]]"))
        if _DIGITS.search(PLACEHOLDER.sub("", row["statement"])):
            problems.append(Problem(name, line, "statement", row["statement"][:40],
                                    "no typed figure: write [[claim-id]] for a claim's figure, [[date:claim-id]] for its date"))


def _line_of_key(text: str, key: str) -> int | None:
    return _key_lines(text).get(key)


@lru_cache(maxsize=4)
def _key_lines(text: str) -> dict[str, int]:
    """The line each BibTeX entry starts on, by key (the first, if a key repeats)."""
    lines: dict[str, int] = {}
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text):
        lines.setdefault(m.group(1), text[: m.start()].count("\n") + 1)
    return lines


@lru_cache(maxsize=4)
def _parse_bibtex(text: str):
    """Parsed entries of a BibTeX text. The build checks every chapter's inputs against the same
    sources.bib, and parsing it is most of the time a no-change build takes."""
    return parse_string(text, "bibtex").entries


def _load_sources(path: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    name = _rel(path)
    if not path.exists():
        problems.append(Problem(name, None, None, None, "the file to exist"))
        return {}
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        problems.append(Problem(name, None, None, "an empty file", "at least one @misc entry"))
        return {}
    try:
        entries = _parse_bibtex(text)
    except PybtexError as err:
        problems.append(Problem(name, None, None, str(err), "valid BibTeX with unique keys"))
        return {}
    sources = {}
    for key, entry in entries.items():
        line = _line_of_key(text, key)
        fields = {k.lower(): str(v) for k, v in entry.fields.items()}
        fields["author"] = " and ".join(str(p) for p in entry.persons.get("author", []))
        for field in REQUIRED_SOURCE_FIELDS:
            if not fields.get(field, "").strip():
                problems.append(Problem(name, line, field, None, f"a {field} field in entry '{key}'"))
        # A page that shows no date of its own has neither date nor year: never its retrieval date.
        if fields.get("date") and not _PARTIAL_DATE.match(fields["date"]):
            problems.append(Problem(name, line, "date", fields["date"],
                                    f"an ISO date (2024-10-23, or 2024-10 or 2024 where the page shows no more) in entry '{key}'"))
        if fields.get("date") and fields.get("year") and not fields["date"].startswith(fields["year"]):
            problems.append(Problem(name, line, "year", fields["year"], f"the year of the date {fields['date']} in entry '{key}'"))
        for field in ("title", "note", "howpublished"):
            if re.search(r"(?<!\\)%", fields.get(field, "")):
                problems.append(Problem(name, line, field, fields[field][:40],
                                        f"\\% for a per cent sign in entry '{key}' (a bare % starts a LaTeX comment)"))
        if fields.get("url") and not _URL.match(fields["url"]):
            problems.append(Problem(name, line, "url", fields["url"], f"a full http(s) URL in entry '{key}'"))
        sources[key] = fields
    return sources


def read_sources(data_dir: Path) -> dict[str, dict[str, str]]:
    """The entries of sources.bib by key, as loaded (without validating the rest of the ledger)."""
    return _load_sources(Path(data_dir) / "sources.bib", [])


@dataclass(frozen=True)
class Ledger:
    """The validated data: claims joined to their claimants, and the sources they cite."""

    claims: pd.DataFrame
    claimants: pd.DataFrame
    sources: dict[str, dict[str, str]]
    # What each edition's check changed (data/corrections.csv), for the changelog and Methods.
    corrections: pd.DataFrame = None
    # The report's key judgments (data/judgments.csv), each resting on claims of the ledger.
    judgments: pd.DataFrame = None
    # The places the claims name, with sourced coordinates (data/places.csv).
    places: pd.DataFrame = None

    def claim(self, claim_id: str) -> pd.Series:
        """One claim by id; a chapter asking for a claim the ledger lacks fails loudly.

        Found by its row number (_positions), not by comparing every claim id: chapters look up
        claims one by one, so a scan of the ledger per look-up made their work quadratic in it.
        """
        ids = self.claims["claim_id"]
        position = self._positions.get(claim_id)
        if position is None or position >= len(ids) or ids.iat[position] != claim_id:
            self.__dict__.pop("_positions", None)  # the frame was changed in place: number it again
            position = self._positions.get(claim_id)
        if position is None:
            raise KeyError(f"claim '{claim_id}' is not in data/claims.csv, or not in the topics this chapter loads")
        return self.claims.iloc[position]

    @cached_property
    def _positions(self) -> dict[str, int]:
        """The row number of each claim id in `claims` (its first row, should an id repeat)."""
        positions: dict[str, int] = {}
        for position, claim_id in enumerate(self.claims["claim_id"]):
            positions.setdefault(claim_id, position)
        return positions


def load(data_dir: Path | str | None = None, today: dt.date | None = None, topics=None,
         edited_claims: bytes | None = None) -> Ledger:
    """Read and validate data/claims.csv, claimants.csv and sources.bib; raise LedgerError on any problem.

    The whole ledger is always validated. With `topics`, the claims returned are those of these
    topics only: a chapter declares the part of the ledger it uses, the build re-executes it only
    when that part changes, and a claim outside it is an error, never a silent dependency.
    `edited_claims` stands in for the text of claims.csv, to show what an edit would do
    without writing it.
    """
    data_dir = Path(data_dir or os.environ.get(DATA_DIR_VARIABLE) or DATA_DIR)
    today = today or dt.date.today()
    topics = set(topics) if topics else None
    record_view(data_dir, topics)
    schemas = _schemas(data_dir.resolve())
    problems: list[Problem] = []

    claimants_path = data_dir / "claimants.csv"
    claimant_rows = _read_rows(claimants_path, schemas["claimants"], problems)
    _check_fields(claimants_path, claimant_rows, schemas["claimants"], problems, today)

    sources = _load_sources(data_dir / "sources.bib", problems)

    claims_path = data_dir / "claims.csv"
    claim_rows = _read_rows(claims_path, schemas["claims"], problems, edited_claims)
    _check_fields(claims_path, claim_rows, schemas["claims"], problems, today)
    _check_claim_logic(claims_path, claim_rows, {r["claimant_id"] for _, r in claimant_rows},
                       set(sources), problems)
    _check_dates_and_checks(claims_path, claim_rows, sources, problems)
    corrections_path = data_dir / "corrections.csv"
    correction_rows = _read_rows(corrections_path, schemas["corrections"], problems)
    _check_fields(corrections_path, correction_rows, schemas["corrections"], problems, today)
    claim_ids = {r["claim_id"] for _, r in claim_rows}
    for line, row in correction_rows:
        if row["change"] != "removed" and row["claim_id"] not in claim_ids:
            problems.append(Problem(_rel(corrections_path), line, "claim_id", row["claim_id"],
                                    "a claim_id of data/claims.csv (or the change 'removed')"))
        if re.search(r"https?://|www\.", row["note"]):
            problems.append(Problem(_rel(corrections_path), line, "note", row["note"][:40], "a note without URLs"))
    places_path = data_dir / "places.csv"
    place_rows = _read_rows(places_path, schemas["places"], problems)
    _check_fields(places_path, place_rows, schemas["places"], problems, today)
    place_ids = {r["place_id"] for _, r in place_rows}
    for line, row in claim_rows:
        for place in filter(None, row.get("places", "").split("; ")):
            if place not in place_ids:
                problems.append(Problem(_rel(claims_path), line, "places", place, "a place_id of data/places.csv"))
    judgments_path = data_dir / "judgments.csv"
    judgment_rows = _read_rows(judgments_path, schemas["judgments"], problems)
    _check_fields(judgments_path, judgment_rows, schemas["judgments"], problems, today)
    _check_judgments(judgments_path, judgment_rows, claim_ids, problems)
    if problems:
        raise LedgerError(problems)

    claimants = pd.DataFrame([r for _, r in claimant_rows])
    claims = pd.DataFrame([r for _, r in claim_rows])
    claims.insert(0, "line", [line for line, _ in claim_rows])
    for col in ("value", "value_low", "value_high"):
        claims[col] = pd.to_numeric(claims[col].replace("", None)).astype("Float64")
    for col in ("as_of", "claimed_on", "checked_on"):
        claims[col] = pd.to_datetime(claims[col].replace("", None), format="%Y-%m-%d")
    claims = claims.merge(
        claimants.rename(columns={"claimant_id": "claimant", "name": "claimant_name",
                                  "short_name": "claimant_short_name",
                                  "country": "claimant_country", "role": "claimant_role"}),
        on="claimant", how="left", validate="many_to_one",
    )
    claims["source_url"] = [" ".join(sources[k]["url"] for k in s.split("; ")) for s in claims["source"]]
    if topics is not None:
        unknown = topics - set(schemas["claims"][_field_index(schemas["claims"], "topic")]["constraints"]["enum"])
        if unknown:
            raise ValueError(f"unknown topic(s) {sorted(unknown)}; see the topic column in data/datapackage.json")
        claims = claims[claims["topic"].isin(topics)].reset_index(drop=True)
    corrections = pd.DataFrame([r for _, r in correction_rows], columns=[f["name"] for f in schemas["corrections"]])
    judgments = pd.DataFrame([r for _, r in judgment_rows], columns=[f["name"] for f in schemas["judgments"]])
    places = pd.DataFrame([r for _, r in place_rows], columns=[f["name"] for f in schemas["places"]])
    places[["lat", "lon"]] = places[["lat", "lon"]].astype(float)
    return Ledger(claims=claims, claimants=claimants, sources=sources, corrections=corrections, judgments=judgments,
                  places=places)


def _field_index(fields: list[dict], name: str) -> int:
    return next(i for i, f in enumerate(fields) if f["name"] == name)
