"""The methods chapter: the ledger's composition, its data dictionary, and its gaps and contradictions, all computed from data/."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import itertools
import json
import math
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from ..report import facts
from ..report import style as charts
from ..report.style import Chart
from ..data.ledger import DATA_DIR, DATA_DIR_VARIABLE, Ledger, LedgerError, load
from ..report.text import KIND_LABELS, cite, date_text, escape_cell, figure_text, measure_label

# The ledger topics chapters/methods.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = None

# The order in which kinds are stacked: the claims that carry most weight first.
KINDS = ("estimate", "official_statement", "confirmed_count", "report", "forecast", "denial")
# Kinds get their own palette (Paul Tol's muted scheme, safe for colour-blind readers), kept apart
# from the claimant-country colours, which this chart does not use. Forecasts are hollow and
# denials crossed, as in every other chart of the book.
KIND_STYLES = {
    "estimate": {"facecolor": "#332288", "edgecolor": "white", "hatch": None},
    "official_statement": {"facecolor": "#44AA99", "edgecolor": "white", "hatch": None},
    "confirmed_count": {"facecolor": "#DDCC77", "edgecolor": "white", "hatch": None},
    "report": {"facecolor": "#BBBBBB", "edgecolor": "white", "hatch": None},
    "forecast": {"facecolor": "white", "edgecolor": "#332288", "hatch": None},
    "denial": {"facecolor": "white", "edgecolor": "#222222", "hatch": "xxx"},
}
TOPIC_LABELS = {
    "troops": "North Korean troops",
    "nk_casualties": "North Korean losses",
    "ru_casualties": "Russian losses",
    "shipments": "Arms shipments",
    "vietnam": "Vietnam-era comparison",
    "forces": "Size of armed forces",
    "timeline": "Dated events",
    "response": "Responses",
    "operations": "How the troops fought",
    "returns": "What North Korea gets",
}
ROLE_LABELS = {
    "belligerent": "party to the war",
    "third_party_government": "government",
    "international_org": "international body",
    "independent": "media, research",
}

# Two claims on one measure "disagree" when different claimants put it more than DISAGREEMENT_GAP
# apart, for dates no more than DISAGREEMENT_DAYS apart. Bounds are respected: "more than 3,000"
# does not contradict 11,000, so a floor or ceiling only conflicts with figures beyond it.
DISAGREEMENT_DAYS = 3
DISAGREEMENT_GAP = 0.25
# Kinds that state a figure for a date; forecasts look ahead and denials carry no figure.
COMPARABLE_KINDS = ("estimate", "official_statement", "confirmed_count", "report")

# Words in a bibliography note that say the page carries someone else's reporting.
REPOST_WORDS = re.compile(r"\b(carries|carrying|copy|repost|rewrites?|aggregator|mirror|relays|"
                          r"summarises|reports (?:an?|the) )", re.IGNORECASE)
UNDATED_NOTE = re.compile(r"publication date (?:of the volume )?not shown", re.IGNORECASE)


# --- The ledger in numbers -------------------------------------------------------------------

def first_source(ledger: Ledger, row) -> dict[str, str]:
    """The bibliography entry of the page a claim was checked against (the first of its keys)."""
    return ledger.sources[row["source"].split("; ")[0]]


def undated_page_claims(ledger: Ledger) -> pd.DataFrame:
    """Claims checked against a page that shows no publication date."""
    undated = set(facts.undated_sources(ledger))
    return ledger.claims[ledger.claims["source"].map(lambda s: s.split("; ")[0] in undated)]


def newest_claim(ledger: Ledger) -> pd.Series:
    """The most recently made claim; a claim whose date no page gives never counts."""
    return facts.newest_claim(ledger.claims)


def repost_sources(ledger: Ledger) -> list[str]:
    """Cited keys whose entry says the page carries, rewrites or relays another outlet's work."""
    return [key for key in facts.cited_source_keys(ledger)
            if REPOST_WORDS.search(ledger.sources[key].get("note", "") + " " + ledger.sources[key].get("howpublished", ""))]


def weak_claims(ledger: Ledger) -> pd.DataFrame:
    """Claims that rest on one weak or secondary page (their weak_source is yes)."""
    return facts.weak_claims(ledger)


def totals(ledger: Ledger) -> dict[str, str]:
    """The counts the chapter states, as text for glue_text, each computed from the ledger."""
    claims = ledger.claims
    kinds = claims["claim_kind"].value_counts()
    bounds = claims["bound"].value_counts()
    precision = claims["as_of_precision"].value_counts()
    roles = claims["claimant_role"].value_counts()
    no_figure = claims["claim_kind"].eq("denial") | claims["unit"].eq("event")
    newest = newest_claim(ledger)
    out = {
        "n_claims": f"{len(claims):,}",
        "n_claimants": claims["claimant"].nunique(),
        "n_sources": facts.source_pages(ledger),
        "n_topics": claims["topic"].nunique(),
        "n_measures": claims["measure"].nunique(),
        "newest_claim_date": f"{newest['claimed_on'].day} {newest['claimed_on']:%B %Y}",
        "n_multi_source": int(claims["source"].str.contains("; ").sum()),
        "n_single_source": int((~claims["source"].str.contains("; ")).sum()),
        "n_no_figure": int(no_figure.sum()),
        "n_events": int(claims["unit"].eq("event").sum()),
        "n_ranges": int(claims["value_low"].notna().sum()),
        "n_with_qualifier": int(claims["qualifier"].ne("").sum()),
        "n_undated_pages": len(undated_page_claims(ledger)),
        "n_unknown_claim_date": len(facts.unknown_claim_dates(ledger)),
        "n_repost_sources": len(repost_sources(ledger)),
        "n_weak": len(weak_claims(ledger)),
        "n_disagreements": len(disagreements(ledger)),
        "disagreement_days": DISAGREEMENT_DAYS,
        "disagreement_gap": f"{DISAGREEMENT_GAP:.0%}",
    }
    out.update({f"n_kind_{k}": int(kinds.get(k, 0)) for k in KINDS})
    out.update({f"n_bound_{b}": int(bounds.get(b, 0)) for b in ("exact", "approximate", "floor", "ceiling")})
    out.update({f"n_precision_{p}": int(precision.get(p, 0)) for p in ("day", "month", "year")})
    out.update({f"n_role_{r}": int(roles.get(r, 0)) for r in ROLE_LABELS})
    return {name: str(value) for name, value in out.items()}


# --- Contradictions ----------------------------------------------------------------------------

def _interval(row) -> tuple[float, float]:
    """What a claim allows: a range, a single figure, or everything above a floor or below a ceiling."""
    if pd.notna(row.value_low) and pd.notna(row.value_high):
        return float(row.value_low), float(row.value_high)
    value = float(row.value)
    return {"floor": (value, math.inf), "ceiling": (0.0, value)}.get(row.bound, (value, value))


def disagreements(ledger: Ledger, days: int = DISAGREEMENT_DAYS, gap: float = DISAGREEMENT_GAP) -> pd.DataFrame:
    """Pairs of claims by different claimants on one measure, dated to the day and within `days` of
    each other, that cannot both hold unless the figures are stretched by more than `gap` (the
    higher is more than 1 + gap times the lower).

    Columns: measure, low_id, high_id (the claim with the lower and the higher figure), ratio.
    """
    claims = ledger.claims
    figures = claims[claims["claim_kind"].isin(COMPARABLE_KINDS) & claims["unit"].ne("event")
                     & (claims["value"].notna() | claims["value_low"].notna())]
    # Only claims dated to the day: a month's stand-in 15th cannot show two claims days apart.
    dated = figures[figures["as_of_precision"] == "day"].sort_values(["measure", "as_of", "claim_id"])
    rows = list(dated[["measure", "claim_id", "claimant", "as_of", "value", "value_low", "value_high", "bound"]]
                .itertuples(index=False))
    pairs = []
    for measure, group in itertools.groupby(rows, key=lambda row: row.measure):
        group = list(group)
        for i, a in enumerate(group):
            # In date order, each claim meets only the later claims within `days` of it: every pair
            # of a measure's claims would be quadratic in them.
            for b in (group[j] for j in range(i + 1, len(group))):
                if (b.as_of - a.as_of).days > days:
                    break
                if a.claimant == b.claimant:
                    continue
                (a_low, a_high), (b_low, b_high) = _interval(a), _interval(b)
                low, high = (a, b) if a_high <= b_high else (b, a)
                lower_top, higher_bottom = min(a_high, b_high), max(a_low, b_low)
                if lower_top <= 0 or higher_bottom / lower_top - 1 <= gap:
                    continue
                pairs.append({"measure": measure, "low_id": low.claim_id, "high_id": high.claim_id,
                              "ratio": higher_bottom / lower_top})
    return pd.DataFrame(pairs, columns=["measure", "low_id", "high_id", "ratio"])


def widest_disagreement(ledger: Ledger) -> pd.Series:
    """The pair of disagreeing claims with the largest gap."""
    return disagreements(ledger).sort_values(["ratio", "low_id"]).iloc[-1]


CHANGE_WORDS = {
    "note": "notes cut or corrected to what the page says", "source": "sources replaced by the page read",
    "qualifier": "the claimant's own qualifier restored", "claimed_on": "claim dates corrected",
    "weak": "weak-source flags set or lifted", "measure": "what is measured corrected",
    "bound": "bounds corrected", "as_of": "reference dates corrected", "claimant": "claimants corrected",
    "figure": "figures corrected", "kind": "kinds corrected",
}


def check_summary(ledger: Ledger) -> dict[str, str]:
    """How the newest edition's check went, from data/corrections.csv and the check columns."""
    claims, corrections = ledger.claims, ledger.corrections
    edition = max(corrections["edition"], key=lambda e: tuple(int(p) for p in e.split(".")))
    this = corrections[corrections["edition"] == edition]
    changed = this[~this["change"].isin(["added", "removed"])]
    kinds = collections.Counter(k for c in changed["change"] for k in c.split("; "))
    words = [f"{CHANGE_WORDS[k]} ({n})" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {
        "check_edition": edition,
        "n_checked": str(claims["checked_on"].notna().sum()),
        "checked_from": date_text(claims["checked_on"].min(), "day"),
        "checked_to": date_text(claims["checked_on"].max(), "day"),
        "n_corrected": str(len(changed)),
        "n_added": str((this["change"] == "added").sum()),
        "n_removed": str((this["change"] == "removed").sum()),
        "n_figure_changes": str(kinds.get("figure", 0)),
        "change_kinds": "; ".join(words),
    }


def currency_table(ledger: Ledger) -> str:
    """Each topic's newest claim: how current each part of the report is."""
    lines = ["| Topic | Newest claim made | Claimant | What |", "|---|---|---|---|"]
    for row in facts.newest_by_topic(ledger).itertuples():
        lines.append(f"| {TOPIC_LABELS[row.topic]} | {date_text(row.claimed_on, row.claimed_on_precision)} | "
                     f"{escape_cell(row.claimant_short_name)} | {escape_cell(measure_label(row.measure))} {cite(row.source)} |")
    return "\n".join(lines)


def disagreement_claims(ledger: Ledger) -> pd.DataFrame:
    """The ledger rows that take part in a disagreement."""
    pairs = disagreements(ledger)
    ids = set(pairs["low_id"]) | set(pairs["high_id"])
    return ledger.claims[ledger.claims["claim_id"].isin(ids)]


def _claim_cell(row) -> str:
    return (f"{escape_cell(row['claimant_short_name'])}, {date_text(row['as_of'], row['as_of_precision'])}: "
            f"{escape_cell(figure_text(row))} {cite(row['source'])}")


def disagreements_table(ledger: Ledger) -> str:
    """A MyST table of the disagreements, one pair a row, each figure with its claimant and source."""
    lines = ["| What is measured | Lower claim | Higher claim | Gap |", "|---|---|---|---|"]
    for pair in disagreements(ledger).itertuples():
        low, high = ledger.claim(pair.low_id), ledger.claim(pair.high_id)
        lines.append(f"| {escape_cell(measure_label(pair.measure))} | {_claim_cell(low)} | {_claim_cell(high)} "
                     f"| {pair.ratio:.1f} times |")
    return "\n".join(lines)


# --- The data dictionary -----------------------------------------------------------------------

def data_dir() -> Path:
    """The data folder the book is built from (the build may point the kernel at a copy)."""
    return Path(os.environ.get(DATA_DIR_VARIABLE) or DATA_DIR)


def datapackage(folder: Path | None = None) -> dict:
    return json.loads((Path(folder or data_dir()) / "datapackage.json").read_text(encoding="utf-8"))


def schema_fields(resource: str, folder: Path | None = None) -> list[dict]:
    """The fields of one resource of datapackage.json, in file order."""
    (res,) = [r for r in datapackage(folder)["resources"] if r["name"] == resource]
    return res["schema"]["fields"]


def _code(text: str) -> str:
    """Inline code for a table cell; a pipe would end the cell, so it is escaped."""
    return "`" + str(text).replace("|", "\\|") + "`"


def _allowed(field: dict) -> str:
    cons = field.get("constraints", {})
    parts = []
    if "enum" in cons:
        parts.append("one of " + ", ".join(_code(v) for v in cons["enum"]))
    if "pattern" in cons:
        parts.append("pattern " + _code(cons["pattern"]))
    if "minimum" in cons:
        parts.append(f"at least {cons['minimum']:g}")
    if field["type"] == "date" and "format" in field:
        parts.append("ISO date " + _code("YYYY-MM-DD"))
    if cons.get("unique"):
        parts.append("unique")
    return "; ".join(parts) or "any text"


def data_dictionary_table(resource: str, folder: Path | None = None) -> str:
    """The fields of a resource as a MyST table: field, type, required, allowed values, description.

    Built from datapackage.json, the same file the build validates against, so the book's data
    dictionary cannot drift from the rules the data must follow.
    """
    lines = ["| Field | Type | Required | Allowed values | Description |", "|---|---|---|---|---|"]
    for field in schema_fields(resource, folder):
        required = "yes" if field.get("constraints", {}).get("required") else "no"
        lines.append(f"| {_code(field['name'])} | {field['type']} | {required} | {_allowed(field)} "
                     f"| {escape_cell(field.get('description', ''))} |")
    return "\n".join(lines)


def myst_table(body: str, label: str, caption: str, css_class: str | None = None) -> str:
    """Wrap a Markdown table in a numbered {table} directive that {numref} can point to."""
    options = f":name: {label}\n" + (f":class: {css_class}\n" if css_class else "")
    return f"```{{table}} {caption}\n{options}\n{body}\n```"


# --- Validation, shown on real data ------------------------------------------------------------

def validation_example(claim_id: str, edits: dict[str, str]) -> str:
    """The message the build stops with if a curator typed `edits` into the claim's row.

    `edits` maps columns of the claim's row to the wrong text a curator might type; the edited
    ledger is validated in memory, and data/ is never written.
    """
    path = data_dir() / "claims.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    found = [cells for cells in rows[1:] if cells and cells[header.index("claim_id")] == claim_id]
    if not found:
        raise KeyError(f"claim '{claim_id}' is not in data/claims.csv")
    for column, text in edits.items():
        found[0][header.index(column)] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    try:
        load(data_dir(), today=dt.date.today(), edited_claims=out.getvalue().encode("utf-8"))
    except LedgerError as err:
        return str(err)
    raise AssertionError("the edited ledger passed validation")


# --- The chart ---------------------------------------------------------------------------------

def composition_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly the rows the composition chart counts: every claim in the ledger, each once."""
    return ledger.claims.sort_values(["topic", "claim_kind", "claim_id"]).reset_index(drop=True)


def _counts(claims: pd.DataFrame, by: str) -> pd.DataFrame:
    table = claims.groupby([by, "claim_kind"]).size().unstack(fill_value=0)
    table = table.reindex(columns=list(KINDS), fill_value=0)
    return table.loc[table.sum(axis=1).sort_values(kind="stable").index]


def _stacked_bars(ax, table: pd.DataFrame, labels: list[str], x_max: float) -> None:
    left = pd.Series(0, index=table.index)
    for kind in KINDS:
        widths = table[kind]
        shown = widths > 0  # a zero-width bar would still draw its edge as a stray line
        ax.barh([y for y, s in enumerate(shown) if s], widths[shown], left=left[shown], height=0.7,
                linewidth=0.8, **KIND_STYLES[kind])
        left = left + widths
    for y, total in enumerate(table.sum(axis=1)):
        ax.text(total + 1.5, y, str(int(total)), va="center", fontsize=9, color="#333333")
    ax.set_yticks(range(len(table)), labels)
    ax.tick_params(axis="y", length=0, labelsize=9.5)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.set_xlim(0, x_max)


def country_label(claims: pd.DataFrame, country: str) -> str:
    """'Ukraine (party to the war)'; an international body by the names of its members, 'International (EU, UN)'."""
    rows = claims[claims["claimant_country"] == country]
    role = rows["claimant_role"].mode().iloc[0]
    if role == "international_org":
        names = [n for n in dict.fromkeys(rows["claimant_short_name"]) if n != country]
        if not names:
            return country
        # several bodies are counted, not named, so the label fits beside its bar (the source
        # line names them)
        return f"{country} ({', '.join(names)})" if len(names) < 3 else f"{country} ({len(names)} bodies)"
    return f"{country} ({ROLE_LABELS[role]})"


def source_in_words(claims: pd.DataFrame) -> str:
    """The chart's source line: governments by country, international bodies by name, media and
    researchers by number (the chart counts claims, so naming all of them adds nothing)."""
    names = []
    for country in charts.COUNTRY_COLOURS:
        rows = claims[claims["claimant_country"] == country]
        if rows.empty:
            continue
        if country == "Independent":
            names.append(f"{rows['claimant'].nunique()} media outlets and research bodies")
        elif rows["claimant_role"].eq("international_org").all():
            names += list(dict.fromkeys(rows["claimant_short_name"]))
        else:
            names.append(charts.claimants_in_words(rows))
    words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"claims by {words}, as cited in the report's bibliography"


def composition_figure(ledger: Ledger):
    """Claims by topic and by claimant country, each bar split by the kind of claim."""
    claims = composition_claims(ledger)
    n = len(claims)
    estimates = int(claims["claim_kind"].eq("estimate").sum())
    belligerent = int(claims["claimant_role"].eq("belligerent").sum())
    by_topic = _counts(claims, "topic")
    by_country = _counts(claims, "claimant_country")
    with plt.rc_context(charts.STYLE):
        fig = charts.figure(7.6, 8.8)
        top, bottom = charts.add_provenance(
            fig,
            f"{estimates} of the ledger's {n} claims are estimates; {belligerent} come from parties to the war",
            "Every claim in the ledger, counted once in each panel: by the part of the report it belongs to, "
            "and by the country of its claimant. Each bar is split by the kind of claim.",
            source_in_words(claims), newest_claim(ledger)["claimed_on"],
        )
        grid = fig.add_gridspec(3, 1, height_ratios=[len(by_topic), len(by_country), 2.2], hspace=0.3,
                                left=0.33, right=0.97, top=top, bottom=bottom)
        # One scale for both panels, so bars of equal length count equal numbers of claims.
        x_max = max(by_topic.sum(axis=1).max(), by_country.sum(axis=1).max()) * 1.1
        ax_topic = fig.add_subplot(grid[0])
        _stacked_bars(ax_topic, by_topic, [TOPIC_LABELS.get(t, t) for t in by_topic.index], x_max)
        ax_topic.set_title("By topic", fontsize=10.5, loc="left", x=-0.43)
        ax_country = fig.add_subplot(grid[1])
        _stacked_bars(ax_country, by_country, [country_label(claims, c) for c in by_country.index], x_max)
        for tick, country in zip(ax_country.get_yticklabels(), by_country.index):
            tick.set_color(charts.COUNTRY_COLOURS.get(country, "#333333"))
        ax_country.set_title("By claimant's country (claimant's role)", fontsize=10.5, loc="left", x=-0.43)
        ax_country.set_xlabel("Number of claims", fontsize=9.5)
        legend_ax = fig.add_subplot(grid[2])
        legend_ax.axis("off")
        handles = []
        for kind in KINDS:
            style = KIND_STYLES[kind]
            edge = style["edgecolor"] if style["facecolor"] == "white" else style["facecolor"]
            handles.append(Patch(label=KIND_LABELS[kind].replace(" (no claimant named)", " (source's own voice)"),
                                 linewidth=0.8, **{**style, "edgecolor": edge}))
        legend_ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(-0.43, 1.0), ncol=3,
                         fontsize=9, title="Kind of claim", title_fontsize=9.5, alignment="left",
                         handletextpad=0.5, columnspacing=1.4, borderaxespad=0)
    return fig


FIGURES = [Chart("fig-ledger-composition", "chapters/methods.md", composition_figure, composition_claims)]
