"""The shipments chapter's analysis and charts: what North Korea sent Russia, what each count covers, and what the shipments meant."""

from __future__ import annotations

import re

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ..data.ledger import Ledger
from ..report import facts
from ..report import style as charts
from ..report.notebook import figure_markdown
from ..report.style import Chart
from ..report.text import cite, date_text, escape_cell, figure_text, thousands

# The ledger topics chapters/shipments.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more. The timeline gives the 2023 summit and the first
# missile launch, returns the report that Russia helped with missile guidance.
TOPICS = ("shipments", "timeline", "returns")

TOPIC = "shipments"
SEED_CONTAINERS = "shipments-kr-2024-10-23-containers"
DENIALS = ("shipments-ru-2024-10-23-denial", "shipments-kp-2024-10-23-denial")

# Running totals, by what they count and by which route.
CONTAINERS = "nk_containers_to_russia_total"
CONTAINERS_BY_SEA = "nk_containers_to_russia_by_sea"
SHELLS = "nk_shells_to_russia_total"
SHELLS_BY_SEA = "nk_shells_to_russia_by_sea"
MUNITIONS = "nk_munitions_to_russia_total"
CONTAINER_COUNTS = (CONTAINERS, CONTAINERS_BY_SEA)
ROUND_TOTALS = (SHELLS, SHELLS_BY_SEA, MUNITIONS)
RUNNING_TOTALS = CONTAINER_COUNTS + ROUND_TOTALS
# Rounds in one year, or a yearly rate: never set against a running total.
SHELLS_IN_YEAR = "nk_shells_to_russia_in_year"
SHELLS_PER_YEAR = "nk_shells_to_russia_per_year"
YEARLY_ROUNDS = (SHELLS_IN_YEAR, SHELLS_PER_YEAR)
DENIAL_MEASURE = "nk_arms_to_russia"

# What a running total counts from, read from its note: the first rule that matches wins, and a
# note that names no start gives "not given". Most claimants count from the first shipments of
# August and September 2023; the charts label only the totals that do not.
USUAL_START = "Aug or Sep 2023"
NOT_GIVEN = "not given"
START_RULES = (
    (r"no (clear )?start date|start date not given|wording on the period unclear|or from when", NOT_GIVEN),
    (r"since mid-2022", "mid-2022"),
    (r"since Feb(ruary)? 2022", "Feb 2022"),
    (r"since Dec(ember)? 2023", "Dec 2023"),
    (r"\b(Aug(ust)?|Sep(tember)?)\b[^.;]*?2023", USUAL_START),
    (r"since 2023", "2023, month not given"),
)

# How a total of rounds was reached, read from its note, in this order: a conversion by weight, an
# explicit "not converted", a conversion from containers, an estimate built from several sources.
BY_WEIGHT = "converted from the weight of explosives"
FROM_CONTAINERS = "converted from a container count"
REPORTED = "reported as rounds shipped, not converted; method not given"
MODEL = "estimated from documents, prices and reports"
NO_METHOD = "method not given"
METHOD_RULES = (
    (r"by weight|tonnes of explosives", BY_WEIGHT),
    (r"no container conversion", REPORTED),
    (r"not say whether this is a count or a conversion", NO_METHOD),
    (r"(conver(sion|ted)|worked out from|could hold).*container|container.*(conver(sion|ted)|could hold)", FROM_CONTAINERS),
    (r"estimated from", MODEL),
)
CONVERSIONS = (BY_WEIGHT, FROM_CONTAINERS)

MISSILE_PANELS = (
    ("Ballistic missiles supplied", ("nk_ballistic_missiles_supplied", "nk_ballistic_missiles_supplied_in_year",
                                     "nk_ballistic_missiles_expected")),
    ("Ballistic missiles fired at Ukraine", ("nk_ballistic_missiles_fired",)),
)
ARTILLERY_PANELS = (
    ("All guns and launchers", ("nk_artillery_systems_supplied",)),
    ("170mm guns (Koksan)", ("nk_sp_howitzers_supplied",)),
    ("240mm rocket launchers", ("nk_mrl_supplied",)),
)
# Events drawn on the panel of missiles fired: when use resumed, and when Ukraine said they had
# become accurate.
MISSILE_EVENTS = ("nk_missile_use_resumed", "nk_missile_accuracy")
# Counted in occasions, not missiles: in the table and the prose, never on a missile axis.
LAUNCH_OCCASIONS = "nk_ballistic_missile_launch_occasions"
# Measures in the table and the prose but in no chart: shares and rates in percent, money, counts
# of ships and railcars, and events other than the missiles' return.
NOT_CHARTED = (LAUNCH_OCCASIONS, "nk_share_of_russian_shells", "nk_share_of_russian_ammunition",
               "nk_shells_faulty_share", "nk_missiles_failed_share", "nk_arms_to_russia_value",
               "nk_cargo_shipments_in_year", "nk_railcars_at_border", "nk_russia_ship_call",
               "nk_missile_debris_attribution")
GREY = "#444444"
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


def words(n: int) -> str:
    """Small counts in words, as prose writes them."""
    return NUMBER_WORDS.get(n, str(n))


# --- Which claims ------------------------------------------------------------------------------

def shipment_claims(ledger: Ledger) -> pd.DataFrame:
    """Every claim of the shipments topic, oldest first."""
    claims = ledger.claims
    return claims[claims["topic"] == TOPIC].sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def is_weak(claims: pd.DataFrame) -> pd.Series:
    """Claims resting on one weak source (the ledger's weak_source column)."""
    return facts.is_weak(claims)


def _measure_rows(ledger: Ledger, measures) -> pd.DataFrame:
    claims = shipment_claims(ledger)
    return claims[claims["measure"].isin(list(measures))].reset_index(drop=True)


def container_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly what the container chart draws: every container count, and the two denials."""
    claims = shipment_claims(ledger)
    keep = claims["measure"].isin(CONTAINER_COUNTS) | (
        (claims["measure"] == DENIAL_MEASURE) & (claims["claim_kind"] == "denial"))
    return claims[keep].reset_index(drop=True)


def shell_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly what the shell chart draws: running totals of rounds, and rounds in a year."""
    return _measure_rows(ledger, ROUND_TOTALS + YEARLY_ROUNDS)


def weapon_claims(ledger: Ledger) -> pd.DataFrame:
    """Exactly what the missile and artillery chart draws: the counts (launch occasions left out),
    and the events marked on the panel of missiles fired."""
    return _measure_rows(ledger, [m for _, ms in MISSILE_PANELS + ARTILLERY_PANELS for m in ms] + list(MISSILE_EVENTS))


def running_totals(ledger: Ledger) -> pd.DataFrame:
    """Every running total of containers and rounds, with what it counts, from when, by which route
    and how it was reached (the columns contents, route, start, method)."""
    rows = _measure_rows(ledger, RUNNING_TOTALS).copy()
    rows["contents"] = rows.apply(contents, axis=1)
    rows["route"] = rows["measure"].map(route)
    rows["start"] = rows["note"].map(counted_from)
    rows["method"] = [method(r) if r["measure"] in ROUND_TOTALS else "count of containers" for _, r in rows.iterrows()]
    return rows


# --- What each figure counts: rules reading the ledger's measure and note ---------------------

def counted_from(note: str) -> str:
    """The start of a running total, as its note gives it."""
    for pattern, start in START_RULES:
        if re.search(pattern, note):
            return start
    return NOT_GIVEN


def contents(row: pd.Series) -> str:
    """What a count of containers or rounds holds: shells alone, or shells with rockets or missiles."""
    if row["measure"] in CONTAINER_COUNTS:
        return "containers"
    if row["measure"] == MUNITIONS:
        return "shells, missiles and other arms" if "missile" in row["note"] else "shells and rockets"
    if re.search(r"(artillery|shells) and (multiple-)?rocket", row["note"]):
        return "shells and rockets"
    return "shells"


def route(measure: str) -> str:
    return "by sea only" if measure.endswith("_by_sea") else "all routes, or route not said"


def method(row: pd.Series) -> str:
    """How a total of rounds was reached, as far as the sources say."""
    for pattern, how in METHOD_RULES:
        if re.search(pattern, row["note"]):
            return how
    return NO_METHOD


def converted_count(ledger: Ledger, shell_id: str) -> pd.Series | None:
    """The container count a conversion works from: the claimant's own count of the same date."""
    shell = ledger.claim(shell_id)
    if method(shell) != FROM_CONTAINERS:
        return None
    claims = shipment_claims(ledger)
    match = claims[claims["measure"].isin(CONTAINER_COUNTS) & (claims["claimant"] == shell["claimant"])
                   & (claims["as_of"] == shell["as_of"])]
    return match.iloc[0] if len(match) == 1 else None


def conversions(ledger: Ledger) -> dict[str, str]:
    """Each total of rounds converted from containers, with the container count it converts."""
    rows = running_totals(ledger)
    found = {}
    for shell_id in rows.loc[rows["method"] == FROM_CONTAINERS, "claim_id"]:
        count = converted_count(ledger, shell_id)
        if count is None:
            raise ValueError(f"{shell_id} is a conversion from containers, but its claimant gives no "
                             "container count of the same date in data/claims.csv")
        found[shell_id] = count["claim_id"]
    return found


def rounds_per_container(ledger: Ledger, shell_id: str) -> str:
    """The rate a conversion implies (rounds over containers), rounded to tens: '460' or '250–380'."""
    containers = float(converted_count(ledger, shell_id)["value"])
    shells = ledger.claim(shell_id)

    def rate(v) -> str:
        return thousands(round(float(v) / containers, -1))

    if pd.notna(shells["value_low"]) and pd.notna(shells["value_high"]):
        return f"{rate(shells['value_low'])}\u2013{rate(shells['value_high'])}"
    return rate(shells["value"])


def lower_bound(row: pd.Series) -> float | None:
    """The least a claim says: its value, or the low end of its range; none for an upper bound."""
    if pd.notna(row["value_low"]):
        return float(row["value_low"])
    if row["bound"] == "ceiling" or pd.isna(row["value"]):
        return None
    return float(row["value"])


def level(row: pd.Series) -> float:
    """Where a claim sits on a chart: its value, or the middle of its range."""
    if pd.notna(row["value"]):
        return float(row["value"])
    return (float(row["value_low"]) + float(row["value_high"])) / 2


def lower_than_earlier(rows: pd.DataFrame) -> list[tuple[pd.Series, pd.Series]]:
    """Claims of one series that sit below an earlier claim of it, each with that earlier, higher claim."""
    found, top = [], None
    for _, row in rows.sort_values(["as_of", "claim_id"]).iterrows():
        if top is not None and level(row) < level(top):
            found.append((row, top))
        if top is None or level(row) > level(top):
            top = row
    return found


def like_for_like_containers(ledger: Ledger) -> pd.DataFrame:
    """Container counts over all routes from the usual start: the one series whose figures compare."""
    rows = running_totals(ledger)
    return rows[(rows["measure"] == CONTAINERS) & (rows["start"] == USUAL_START)].reset_index(drop=True)


def anchor_containers(ledger: Ledger) -> pd.Series:
    """The count the chapter rests on: the multilateral team's newest, or else the newest strong count
    of the like-for-like series."""
    rows = facts.strongest(like_for_like_containers(ledger))
    multilateral = rows[rows["claimant_country"] == "International"]
    return (multilateral if not multilateral.empty else rows).sort_values(["as_of", "claim_id"]).iloc[-1]


def multilateral_states(ledger: Ledger, claimant: str) -> int:
    """How many states a multilateral claimant reports for, from its name in claimants.csv ('(11 states: ...)')."""
    name = ledger.claimants.set_index("claimant_id").loc[claimant, "name"]
    found = re.search(r"\((\d+) states", name)
    if not found:
        raise ValueError(f"claimants.csv: the name of {claimant} does not say how many states it reports for")
    return int(found.group(1))


def sea_route_detail(row: pd.Series) -> dict[str, str]:
    """The voyages and ships a sea-only count follows, from its note ('64 voyages of four Russian-flagged ships')."""
    found = re.search(r"(\d+) voyages of (\w+) Russian", row["note"])
    if not found:
        raise ValueError(f"{row['claim_id']}: the note does not give the voyages and ships counted")
    return {"voyages": found.group(1), "ships": found.group(2)}


# --- The judgements the chapter states ---------------------------------------------------------

def best_shell_range(ledger: Ledger) -> dict[str, pd.Series]:
    """Our best range for artillery shells delivered, and the two claims that bound it.

    low: the highest lower bound among running totals of shells alone, over all routes, that are
    neither conversions nor claims of a party to the war, nor resting on one weak source.
    high: the newest strong total of all munitions (shells, rockets and missiles): shells are a
    part of it, so it is a soft upper end, not a ceiling.
    """
    rows = facts.strongest(running_totals(ledger))
    shells = rows[(rows["measure"] == SHELLS) & (rows["contents"] == "shells")
                  & ~rows["method"].isin(CONVERSIONS) & (rows["claimant_role"] != "belligerent")]
    bounds = shells.apply(lower_bound, axis=1).dropna()
    low = shells.loc[bounds.astype(float).idxmax()]
    high = rows[rows["measure"] == MUNITIONS].sort_values(["as_of", "claim_id"]).iloc[-1]
    return {"low": low, "high": high}


def summit_before_shipments(claims: pd.DataFrame) -> pd.Series:
    """The Kim–Putin summit nearest before the first count of containers shipped (Vostochny, 2023)."""
    first = facts.earliest(claims, CONTAINER_COUNTS)
    summits = claims[claims["measure"].isin(["summit", "leaders_meeting"]) & (claims["as_of"] <= first["as_of"])]
    return summits.sort_values(["as_of", "claim_id"]).iloc[-1]


def missile_pause(ledger: Ledger) -> dict:
    """The pause in launches of North Korean missiles: the last recorded use, the return, and the
    count of missiles fired before and after."""
    fired = _measure_rows(ledger, ("nk_ballistic_missiles_fired",))
    last = fired[fired["note"].str.contains("last recorded use")].iloc[0]
    resumed = _measure_rows(ledger, ("nk_missile_use_resumed",)).iloc[0]
    # The newest strong total of missiles fired since the first launch (not a count of one year).
    later = facts.strongest(fired[(fired["as_of"] > resumed["as_of"]) & ~fired["note"].str.contains("during 2024")])
    later = later.sort_values(["as_of", "claim_id"]).iloc[-1]
    months = round((resumed["as_of"] - last["as_of"]).days / 30.44)
    return {"last": last, "resumed": resumed, "later": later, "months": months}


# --- Words computed from the data, for titles and alt text --------------------------------------

def _when(row: pd.Series) -> str:
    return f"{row['as_of']:%B %Y}"


def _who(row: pd.Series) -> str:
    return row["claimant_short_name"]


def containers_headline(ledger: Ledger) -> dict:
    series = like_for_like_containers(ledger)
    return {"first": series.sort_values("as_of").iloc[0], "anchor": anchor_containers(ledger),
            "dips": lower_than_earlier(series)}


def containers_title(ledger: Ledger) -> str:
    head = containers_headline(ledger)
    first, anchor = head["first"], head["anchor"]
    how = ", not every count higher than the last" if head["dips"] else ", each count higher than the last"
    return (f"Containers sent since autumn 2023: from {figure_text(first)} in {_when(first)} to "
            f"{figure_text(anchor)} by {_when(anchor)} ({_who(anchor)}){how}")


def containers_alt_text(ledger: Ledger) -> str:
    rows = container_claims(ledger)
    counts = rows[rows["measure"].isin(CONTAINER_COUNTS)]
    head = containers_headline(ledger)
    first, anchor = head["first"], head["anchor"]
    dips = "; ".join(f"{figure_text(low)} from {_who(low)} in {_when(low)}, after {figure_text(high)} from "
                     f"{_who(high)} in {_when(high)}" for low, high in head["dips"])
    totals = running_totals(ledger)
    other = totals[(totals["measure"] == CONTAINERS) & (totals["start"] != USUAL_START)]
    sea = totals[totals["measure"] == CONTAINERS_BY_SEA]
    text = (f"Scatter chart from {_when(counts.sort_values('as_of').iloc[0])} to "
            f"{_when(counts.sort_values('as_of').iloc[-1])} of {len(counts)} claimed counts of containers shipped "
            f"from North Korea to Russia, one marker per claim coloured by claimant country. The counts from "
            f"August or September 2023 rise from {figure_text(first)} in {_when(first)} to "
            f"{figure_text(anchor)} ({_who(anchor)}) in {_when(anchor)}")
    text += f", but not steadily: {len(head['dips'])} sit below an earlier count ({dips})." if dips else "."
    if not other.empty:
        text += (f" {words(len(other)).capitalize()} counts with another start or none are labelled, the "
                 f"highest {figure_text(other.loc[other['value'].astype(float).idxmax()])}.")
    for _, row in sea.iterrows():
        text += f" The count of sea voyages alone, {figure_text(row)} by {_when(row)}, is labelled as such."
    text += " Crosses at zero mark Russia's and North Korea's denials."
    return text


def shells_headline(ledger: Ledger) -> dict:
    rows = shell_claims(ledger)
    best = best_shell_range(ledger)
    year = rows[(rows["measure"] == SHELLS_IN_YEAR) & ~is_weak(rows)]
    top_year = year.loc[year["value"].astype(float).idxmax()]
    return {**best, "year": top_year}


def shells_title(ledger: Ledger) -> str:
    head = shells_headline(ledger)
    low, year = head["low"], head["year"]
    return (f"Running totals of shells alone reached {figure_text(low)} by {_when(low)} ({_who(low)}); "
            f"{_who(year)} counted {figure_text(year)} {contents(year)} in {year['as_of']:%Y} alone")


def shells_alt_text(ledger: Ledger) -> str:
    rows = shell_claims(ledger)
    totals = running_totals(ledger)
    shells = totals[totals["measure"] == SHELLS]
    converted = shells[shells["method"].isin(CONVERSIONS)]
    top = shells.loc[shells.apply(level, axis=1).idxmax()]
    yearly = rows[rows["measure"].isin(YEARLY_ROUNDS)]
    head = shells_headline(ledger)
    text = (f"Chart in two rows over time from {_when(rows.sort_values('as_of').iloc[0])} to "
            f"{_when(rows.sort_values('as_of').iloc[-1])}, all panels on one scale. Top: {len(shells)} running "
            f"totals of artillery shells alone, from {figure_text(shells.sort_values('as_of').iloc[0])} "
            f"to {figure_text(top)} ({_who(top)}{', weak source' if is_weak(top.to_frame().T).iloc[0] else ''}); "
            f"{len(converted)} of them are conversions from a container count or a tonnage, labelled with the "
            f"rounds a container each implies. Bottom, left to right: the sea-only estimate; totals that "
            f"count shells with rockets or missiles; and {len(yearly)} figures for one year or a yearly rate, "
            f"the highest {figure_text(head['year'])} ({_who(head['year'])}, {contents(head['year'])}).")
    return text


def weapons_headline(ledger: Ledger) -> dict:
    """What the missile and artillery chart's title states, computed from the ledger."""
    rows = facts.strongest(weapon_claims(ledger))
    combined = rows[rows["measure"] == "nk_artillery_systems_supplied"].sort_values("as_of")
    supplied = rows[rows["measure"] == "nk_ballistic_missiles_supplied"].sort_values(["as_of", "claim_id"])
    floors = supplied[supplied["bound"] == "floor"]
    return {**missile_pause(ledger), "first_supplied": supplied.iloc[0], "last_supplied": supplied.iloc[-1],
            "supplied_floor": floors.iloc[-1], "artillery_first": combined.iloc[0], "artillery_last": combined.iloc[-1]}


def weapons_title(ledger: Ledger) -> str:
    head = weapons_headline(ledger)
    last, later, floor = head["last"], head["later"], head["supplied_floor"]
    return (f"Launches of North Korean missiles almost stopped after {_when(last)}: {figure_text(last)} fired by "
            f"then, {figure_text(later)} by {_when(later)}; {figure_text(floor)} supplied by {_when(floor)} "
            f"({_who(floor)})")


def weapons_alt_text(ledger: Ledger) -> str:
    head = weapons_headline(ledger)
    first, last_s = head["first_supplied"], head["last_supplied"]
    last, later, resumed = head["last"], head["later"], head["resumed"]
    return (f"Five small scatter panels. Top left, ballistic missiles supplied to Russia, from "
            f"{figure_text(first)} in {_when(first)} to {figure_text(last_s)} in {_when(last_s)} ({_who(last_s)}), "
            f"with lines across a year for a one-year figure and a forecast. Top right, missiles fired at "
            f"Ukraine: {figure_text(last)} by {date_text(last['as_of'], 'day')}, then a shaded gap of about "
            f"{words(head['months'])} months to a launch on {date_text(resumed['as_of'], 'day')} (weak source), "
            f"and {figure_text(later)} by {_when(later)}; a mark shows when Ukraine said the missiles had become "
            f"more accurate. Bottom row, on one scale, artillery systems supplied: guns and launchers together, "
            f"from {figure_text(head['artillery_first'])} to {figure_text(head['artillery_last'])}, then "
            f"self-propelled guns alone and rocket launchers alone. Markers are coloured by claimant country; "
            f"weak sources are labelled.")


ALT_TEXTS = {"fig-containers": containers_alt_text, "fig-shells": shells_alt_text,
             "fig-missiles-artillery": weapons_alt_text}


def figure_directive(ledger: Ledger, label: str, caption: str) -> str:
    return figure_markdown(label, ALT_TEXTS[label](ledger), caption)


# --- What the prose glues ----------------------------------------------------------------------

def glue_event(ledger: Ledger, claim_id: str, name: str) -> None:
    """Glue an event of the ledger for the prose: under `name`, the date it refers to in a span of
    class claim-<id> (so tests find it) followed by the citation of its source; under `name_cite`,
    the citation alone."""
    from IPython.display import Markdown
    from myst_nb import glue

    row = ledger.claim(claim_id)
    glue(name, Markdown(f"[{date_text(row['as_of'], row['as_of_precision'])}]{{.event .claim-{claim_id}}} "
                        f"{cite(row['source'])}"), display=False)
    glue(f"{name}_cite", Markdown(cite(row["source"])), display=False)


def glue_percent(ledger: Ledger, claim_id: str, name: str) -> None:
    """Glue a share in percent under `name`: the figure as worded (span of class claim-<id>), '%', the citation."""
    from IPython.display import Markdown
    from myst_nb import glue

    row = ledger.claim(claim_id)
    if row["unit"] != "percent":
        raise ValueError(f"{claim_id} is in {row['unit']}, not percent")
    glue(name, Markdown(f"[{figure_text(row)}]{{.claim .claim-{claim_id}}}% {cite(row['source'])}"), display=False)


def prose_phrases(ledger: Ledger) -> dict[str, str]:
    """Every computed phrase the chapter's prose states, by glue name."""
    totals = running_totals(ledger)
    rounds = totals[totals["measure"].isin(ROUND_TOTALS)]
    shells = totals[totals["measure"] == SHELLS]
    best = best_shell_range(ledger)
    pause = missile_pause(ledger)
    sea = totals[totals["measure"] == CONTAINERS_BY_SEA].iloc[0]
    guns, launchers = ledger.claim("ship-howitzers-hur-2025-01-23"), ledger.claim("ship-mrl-hur-2025-01-23")
    phrases = {
        "n_round_totals": words(len(rounds)),
        "n_shell_totals": words(len(shells)),
        "n_from_containers": words(int((rounds["method"] == FROM_CONTAINERS).sum())),
        "n_by_weight": words(int((rounds["method"] == BY_WEIGHT).sum())),
        "n_model": words(int((rounds["method"] == MODEL).sum())),
        "n_no_method": words(int(rounds["method"].isin([NO_METHOD, REPORTED]).sum())),
        "n_like_containers": words(len(like_for_like_containers(ledger))),
        "n_other_start": words(int(((totals["measure"] == CONTAINERS) & (totals["start"] != USUAL_START)).sum())),
        "n_weak_claims": words(int(is_weak(shipment_claims(ledger)).sum())),
        "msmt_states": words(multilateral_states(ledger, anchor_containers(ledger)["claimant"])),
        "sea_voyages": sea_route_detail(sea)["voyages"],
        "sea_ships": sea_route_detail(sea)["ships"],
        "best_low": thousands(lower_bound(best["low"])),
        "best_high": thousands(float(best["high"]["value"])),
        "best_high_date": date_text(best["high"]["as_of"], best["high"]["as_of_precision"]),
        "pause_months": words(pause["months"]),
        "hur_artillery_sum": thousands(float(guns["value"]) + float(launchers["value"])),
    }
    for shell_id in conversions(ledger):
        phrases["rate_" + shell_id.removeprefix("ship-shells-").replace("-", "_")] = rounds_per_container(ledger, shell_id)
    for _, row in totals.iterrows():
        phrases["start_" + row["claim_id"].replace("-", "_")] = row["start"]
    return phrases


# Events the prose dates and cites, by glue name.
EVENTS = {
    "summit_2023": None,  # the Vostochny summit: found by summit_before_shipments
    "first_missiles": None,  # the first North Korean missile fired: facts.earliest of missiles_first_used
    "dia_2024": "ship-containers-dia-2024-08-27",
    "ship_call_2023": "ship-call-nkpro-2023-10-19",
    "kharkiv_debris": "ship-poe-2024-04-25-kharkiv",
    "missiles_resumed": "ship-missiles-resumed-defexpress-2024-07-31",
    "missiles_accurate": "ship-missiles-accuracy-ua-2025-06-10",
    "missile_help": "returns-msmt-2025-05-29-missiletech",
    "decline_2025": "ship-hur-2025-11-14-decline",
    "ship_call_2025": "ship-call-nkpro-2025-10-02",
    "denial_ru": DENIALS[0],
    "denial_kp": DENIALS[1],
}
PERCENTS = {
    "share_times": "ship-share-times-2024-10-04",
    "share_hur": "ship-share-hur-2025-07-12",
    "faulty_hur": "ship-faulty-hur-2024-02-21",
    "failed_pgo": "ship-missiles-failed-pgo-2024-05-07",
}


def glue_prose(ledger: Ledger) -> None:
    """Glue every computed phrase, dated event and share the prose uses."""
    from ..report.notebook import glue_text

    for name, text in prose_phrases(ledger).items():
        glue_text(name, text)
    events = dict(EVENTS, summit_2023=summit_before_shipments(ledger.claims)["claim_id"],
                  first_missiles=facts.earliest(ledger.claims, "missiles_first_used")["claim_id"])
    for name, claim_id in events.items():
        glue_event(ledger, claim_id, name)
    for name, claim_id in PERCENTS.items():
        glue_percent(ledger, claim_id, name)


# --- Charts ------------------------------------------------------------------------------------

def spread(claims: pd.DataFrame, days: float, window_days: int = 8) -> pd.Series:
    """Plotting dates that move claims of nearly the same day apart, so markers do not hide each other.

    Claims whose dates lie within `window_days` of the previous one form a group, spread `days`
    apart and centred on the group's mean date. Deterministic: the order is the frame's.
    """
    order = claims["as_of"].sort_values(kind="stable")
    group = (order.diff().dt.days.fillna(window_days + 1) > window_days).cumsum()
    x = pd.Series(pd.NaT, index=claims.index, dtype="datetime64[ns]")
    for _, members in order.groupby(group):
        centre = members.mean()
        offsets = [(i - (len(members) - 1) / 2) * days for i in range(len(members))]
        for idx, off in zip(members.index, offsets):
            x[idx] = centre + pd.Timedelta(days=off)
    return x


def _label(ax, x, y, text: str, dy: float = 0, dx: float = 7, ha: str = "left", size: float = 7.5) -> None:
    ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=charts.pt(size), color=GREY,
                va="center", ha=ha, linespacing=1.1)


def _month_year(value, _pos=None) -> str:
    """A month tick: 'Jan' over its year in January and on the first tick, the month alone otherwise."""
    day = mdates.num2date(value)
    return f"{day:%b}\n{day:%Y}" if day.month == 1 or _pos == 0 else f"{day:%b}"


def _ymax(rows: pd.DataFrame) -> float:
    top = pd.concat([rows["value"], rows["value_high"]]).dropna().astype(float).max()
    return float(top) * 1.12


def _time_axis(ax, locator, formatter) -> None:
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.tick_params(axis="x", labelsize=8.5)


def _add_legends(fig, cell, claims: pd.DataFrame, styles: dict) -> None:
    """charts.add_legends in an axis as wide as the figure, so long claimant names are not cut off."""
    ax = fig.add_subplot(cell)
    box = ax.get_position()
    ax.set_position([0.03, box.y0, 0.95, box.height])
    charts.add_legends(ax, claims, styles)


def _legend_inches(claims: pd.DataFrame, styles: dict) -> float:
    """Height the two legends of charts.add_legends need: claimants in three columns, then how to read."""
    rows = -(-len(charts.claimant_legend_handles(claims, styles)) // 3)
    return 0.2 * (rows + 3) + 0.8


def _notes(row: pd.Series, weak: bool, extra: tuple[str, ...] = ()) -> list[str]:
    """What a chart writes beside a running total: an unusual start, the sea route, a weak source."""
    notes = list(extra)
    start = row.get("start", USUAL_START)
    if start != USUAL_START:
        notes.append(f"start {start}" if start == NOT_GIVEN else f"since {start.split(',')[0]}")
    if row["measure"].endswith("_by_sea"):
        notes.append("by sea only")
    if weak:
        notes.append("weak source")
    return notes


# Where a chart writes the label of a claim whose right-hand side is taken by a neighbour: offset in
# points and alignment. Every other label goes to the right of its marker.
LEFT, BELOW = (-8, 0, "right"), (0, -17, "center")
LABEL_PLACE = {
    "ship-containers-dia-2024-08-27": LEFT, "ship-containers-mnd-2024-02-26": LEFT,
    "ship-containers-us-un-2025-05-07": LEFT, "ship-containers-dia-2025-07-13": LEFT,
    "ship-shells-mnd-2024-06-14": LEFT, "ship-shells-hur-2024-11-30": BELOW, "ship-shells-fnf-2025-09": LEFT,
    "ship-shells-dia-2024-08-27": (-8, 10, "right"), "ship-shells-nis-2024-10-18": (0, -22, "center"),
    "ship-shells-c4ads-2024-01": (0, 11, "center"), "ship-shells-reuters-osc-2025-03": LEFT, "ship-shells-nis-2025-06-26": LEFT,
    "ship-artillery-kr-presidential-2024-11": LEFT, "ship-artillery-hur-2024-11-30": (7, -4, "left"),
    "ship-artillery-msmt-2025-05-29": LEFT, "ship-missiles-hur-2024-11-27": LEFT,
    "ship-missiles-fired-ua-2024-11-27": LEFT,
}


def _place(ax, x, y, claim_id: str, text: str, size: float = 7.5) -> None:
    dx, dy, ha = LABEL_PLACE.get(claim_id, (7, 0, "left"))
    _label(ax, x, y, text, dx=dx, dy=dy, ha=ha, size=size)


def containers_figure(ledger: Ledger):
    """Container counts over time, one marker per claim; other starts, the sea-only count and weak sources labelled."""
    rows = container_claims(ledger)
    scope = running_totals(ledger).set_index("claim_id")
    styles = charts.claimant_styles(ledger.claimants)
    ymax = _ymax(rows)
    with plt.rc_context(charts.STYLE):
        legend = _legend_inches(rows, styles)
        fig = charts.figure(7.6, 6.4 + legend)
        top_edge, bottom_edge = charts.add_provenance(
            fig, containers_title(ledger),
            "Containers of munitions shipped from North Korea to Russia, as claimed, each at the date it "
            f"refers to. Running totals over all routes, counted from {USUAL_START} unless labelled; claims of "
            "different claimants are never combined. Crosses: Russia's and North Korea's denials of any arms deal.",
            f"claims by {charts.claimants_in_words(rows)}, as cited in the report's bibliography",
            rows["claimed_on"].max(),
        )
        grid = fig.add_gridspec(2, 1, height_ratios=[4.0, legend], hspace=0.2, left=0.12, right=0.97,
                                top=top_edge, bottom=bottom_edge)
        ax = fig.add_subplot(grid[0])
        # Denials sit at zero, apart from the counts: spread them among themselves only.
        denial = rows["claim_kind"] == "denial"
        x = pd.concat([spread(rows[~denial], 16), spread(rows[denial], 16)]).reindex(rows.index)
        charts.draw_claims_over_time(ax, rows, styles, ymax, x=x)
        weak = is_weak(rows)
        anchor = anchor_containers(ledger)
        for i, row in rows[~denial].iterrows():
            extra = (f"{row['claimant_short_name']}: {multilateral_states(ledger, row['claimant'])} states",) \
                if row["claim_id"] == anchor["claim_id"] and row["claimant_country"] == "International" else ()
            notes = _notes(scope.loc[row["claim_id"]], weak[i], extra)
            if notes:
                _place(ax, x[i], float(row["value"]), row["claim_id"], "\n".join(notes))
        if denial.any():
            _label(ax, x[rows.index[denial]].max(), 0, "denials", dy=7)
        ax.set_ylabel("containers")
        ax.set_xlim(rows["as_of"].min() - pd.Timedelta(days=40), rows["as_of"].max() + pd.Timedelta(days=110))
        _time_axis(ax, mdates.MonthLocator(bymonth=(1, 4, 7, 10)), mdates.DateFormatter("%b\n%Y"))
        _add_legends(fig, grid[1], rows, styles)
    return fig


def _draw_year_spans(ax, panel: pd.DataFrame, x: pd.Series, styles: dict, words_of=None) -> None:
    """A claim about a whole year is drawn across that year, so it is not read as a figure at mid-year."""
    for i, row in panel[panel["as_of_precision"] == "year"].iterrows():
        year = row["as_of"].year
        style = styles[row["claimant"]]
        ax.plot([pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)], [row["value"]] * 2,
                color=style["color"], linewidth=1.2,
                linestyle=(0, (2, 2)) if row["claim_kind"] == "forecast" else "-", zorder=1)
        text = words_of(row) if words_of else ("expected in" if row["claim_kind"] == "forecast" else "during") + f" {year}"
        _label(ax, x[i], float(row["value"]), text, dy=8, dx=0, ha="center")


def shells_figure(ledger: Ledger):
    """Rounds shipped, one panel per scope: shells alone over all routes; by sea; with rockets or missiles; in a year."""
    rows = shell_claims(ledger)
    scope = running_totals(ledger).set_index("claim_id")
    styles = charts.claimant_styles(ledger.claimants)
    ymax = _ymax(rows)
    weak = is_weak(rows)
    converts = conversions(ledger)
    panels = (
        ("Shells alone: running totals, all routes or route not said", rows[rows["measure"] == SHELLS]),
        ("Shells by sea only", rows[rows["measure"] == SHELLS_BY_SEA]),
        ("Shells with rockets or missiles", rows[rows["measure"] == MUNITIONS]),
        ("In one year, or a yearly rate", rows[rows["measure"].isin(YEARLY_ROUNDS)]),
    )
    with plt.rc_context(charts.STYLE):
        legend = _legend_inches(rows, styles)
        fig = charts.figure(7.6, 8.6 + legend)
        top_edge, bottom_edge = charts.add_provenance(
            fig, shells_title(ledger),
            "Artillery rounds shipped from North Korea to Russia, as claimed, one panel for each thing "
            "counted, all on one scale. Conversions from a container count show the rounds a container they "
            f"imply. Counted from {USUAL_START} unless labelled; claims of different claimants are never combined.",
            f"claims by {charts.claimants_in_words(rows)}, as cited in the report's bibliography",
            rows["claimed_on"].max(),
        )
        grid = fig.add_gridspec(3, 3, height_ratios=[3.2, 2.6, legend], hspace=0.45, wspace=0.12,
                                left=0.14, right=0.97, top=top_edge, bottom=bottom_edge)
        left_edge = rows["as_of"].min() - pd.Timedelta(days=40)
        right_edge = rows["as_of"].max() + pd.Timedelta(days=40)
        cells = (grid[0, :], grid[1, 0], grid[1, 1], grid[1, 2])
        first_ax = None
        for n, ((title, panel), cell) in enumerate(zip(panels, cells)):
            ax = fig.add_subplot(cell, sharey=first_ax)
            first_ax = first_ax or ax
            x = spread(panel, 16)
            charts.draw_claims_over_time(ax, panel, styles, ymax, x=x)
            for i, row in panel.iterrows():
                if row["measure"] in YEARLY_ROUNDS:
                    continue
                s = scope.loc[row["claim_id"]]
                extra = ()
                if row["claim_id"] in converts:
                    extra = (f"\u2248{rounds_per_container(ledger, row['claim_id'])}{' ' if n == 0 else chr(10)}a container",)
                elif s["method"] == BY_WEIGHT:
                    extra = ("by weight",)
                elif s["contents"] != "shells":
                    extra = (s["contents"].replace(", missiles and other arms", ", missiles\nand other arms"),)
                notes = _notes(s, weak[i], extra)
                if row["measure"] == SHELLS_BY_SEA:
                    notes = [n_ for n_ in notes if n_ != "by sea only"]
                _place(ax, x[i], level(row), row["claim_id"], "\n".join(notes), size=7.5 if n == 0 else 7)
            if n == 3:
                def year_words(row):
                    return f"{contents(row)}, {row['as_of'].year}" + (" (weak)" if is_weak(row.to_frame().T).iloc[0] else "")
                _draw_year_spans(ax, panel, x, styles, year_words)
                for i, row in panel[panel["as_of_precision"] != "year"].iterrows():
                    if row["measure"] == SHELLS_PER_YEAR:
                        _label(ax, x[i], float(row["value"]), "a year", dx=-7, ha="right", size=7)
                    else:
                        _label(ax, x[i], float(row["value"]), f"{row['as_of'].year},\nto {row['as_of']:%b}",
                               dy=-14, dx=4, ha="left", size=7)
            ax.set_title(title, fontsize=10 if n == 0 else 8.5, wrap=True)
            if n == 0:
                ax.set_xlim(left_edge, right_edge)
                _time_axis(ax, mdates.MonthLocator(bymonth=(1, 4, 7, 10)), mdates.DateFormatter("%b\n%Y"))
                ax.set_ylabel("rounds")
            else:
                lo = panel["as_of"].min()
                hi = panel["as_of"].max()
                if n == 3:
                    lo, hi = min(lo, pd.Timestamp(lo.year, 1, 1)), max(hi, pd.Timestamp(hi.year, 12, 31))
                ax.set_xlim(lo - pd.Timedelta(days=150), hi + pd.Timedelta(days=150))
                _time_axis(ax, mdates.MonthLocator(bymonth=(1, 7)), mdates.DateFormatter("%b\n%Y"))
                if n == 1:
                    ax.set_ylabel("rounds")
                else:
                    ax.tick_params(axis="y", labelleft=False)
        _add_legends(fig, grid[2, :], rows, styles)
    return fig


def weapons_figure(ledger: Ledger):
    """Missiles (supplied, fired, with the pause in launches) and artillery systems (together, guns, launchers)."""
    rows = weapon_claims(ledger)
    counted = rows[~rows["measure"].isin(MISSILE_EVENTS)]
    styles = charts.claimant_styles(ledger.claimants)
    missiles = counted[counted["measure"].isin([m for _, ms in MISSILE_PANELS for m in ms])]
    artillery = counted[counted["measure"].isin([m for _, ms in ARTILLERY_PANELS for m in ms])]
    pause = missile_pause(ledger)
    weak = is_weak(rows)
    with plt.rc_context(charts.STYLE):
        legend = _legend_inches(counted, styles)
        fig = charts.figure(7.6, 7.8 + legend)
        top_edge, bottom_edge = charts.add_provenance(
            fig, weapons_title(ledger),
            "North Korean KN-23 and KN-24 ballistic missiles supplied to Russia and fired at Ukraine, and "
            "artillery systems supplied, as claimed. One panel per measure; a figure for a whole year is "
            "drawn across that year. Launches counted in occasions, not missiles, are left out.",
            f"claims by {charts.claimants_in_words(counted)}, as cited in the report's bibliography",
            counted["claimed_on"].max(),
        )
        grid = fig.add_gridspec(3, 6, height_ratios=[2.5, 2.1, legend], hspace=0.45, wspace=1.0,
                                left=0.09, right=0.98, top=top_edge, bottom=bottom_edge)
        specs = [(MISSILE_PANELS[0], grid[0, :3]), (MISSILE_PANELS[1], grid[0, 3:])] + [
            (p, grid[1, 2 * i:2 * i + 2]) for i, p in enumerate(ARTILLERY_PANELS)]
        m_ymax, a_ymax = _ymax(missiles) * 1.05, _ymax(artillery)
        a_span = (artillery["as_of"].min() - pd.Timedelta(days=30), artillery["as_of"].max() + pd.Timedelta(days=30))
        artillery_axes = []
        for (title, measures), cell in specs:
            panel = counted[counted["measure"].isin(measures)]
            is_missile = measures[0].startswith("nk_ballistic")
            share = artillery_axes[0] if artillery_axes else None
            ax = fig.add_subplot(cell, sharey=None if is_missile else share)
            if not is_missile:
                artillery_axes.append(ax)
            x = spread(panel, 20 if is_missile else 22)
            charts.draw_claims_over_time(ax, panel, styles, m_ymax if is_missile else a_ymax, x=x)
            _draw_year_spans(ax, panel, x, styles)
            for i, row in panel.iterrows():
                if weak[i]:
                    _place(ax, x[i], level(row), row["claim_id"], "weak", size=7)
            ax.set_title(title, fontsize=9.5)
            if measures == MISSILE_PANELS[1][1]:
                last, resumed = pause["last"], pause["resumed"]
                ax.axvspan(last["as_of"], resumed["as_of"], color="#EEEEEE", zorder=0, linewidth=0)
                ax.text(last["as_of"] + (resumed["as_of"] - last["as_of"]) / 2, m_ymax * 0.97,
                        "no recorded\nlaunch", ha="center", va="top", fontsize=charts.pt(7), color=GREY)
                ax.annotate(f"use resumed\n{resumed['as_of']:%-d %b}" + ("\n(weak source)" if weak[rows.index[rows['claim_id'] == resumed['claim_id']][0]] else ""),
                            (resumed["as_of"], m_ymax * 0.55), fontsize=charts.pt(7), color=GREY, ha="left", va="center",
                            xytext=(3, 0), textcoords="offset points")
                for _, event in rows[rows["measure"] == "nk_missile_accuracy"].iterrows():
                    charts.link_claim(ax.axvline(event["as_of"], color="#999999", linewidth=1, linestyle=(0, (3, 2)),
                                                 zorder=0), event["claim_id"])
                    ax.annotate(f"more accurate,\nsays Ukraine\n({event['as_of']:%b %Y})", (event["as_of"], m_ymax * 0.55),
                                fontsize=charts.pt(7), color=GREY, ha="right", va="center", xytext=(-3, 0), textcoords="offset points")
                charts.link_claim(ax.axvline(resumed["as_of"], color="#999999", linewidth=1, linestyle=(0, (3, 2)),
                                             zorder=0), resumed["claim_id"])
            if is_missile:
                last_day = panel["as_of"].max()
                if measures == MISSILE_PANELS[1][1]:
                    last_day = max(last_day, rows.loc[rows["measure"].isin(MISSILE_EVENTS), "as_of"].max())
                right = (pd.Timestamp(last_day.year, 12, 31) if (panel["as_of_precision"] == "year").any()
                         else last_day) + pd.Timedelta(days=25)
                ax.set_xlim(panel["as_of"].min() - pd.Timedelta(days=30), right)
                _time_axis(ax, mdates.MonthLocator(bymonth=(1, 7)), FuncFormatter(_month_year))
                ax.set_ylabel("missiles")
            else:
                ax.set_xlim(*a_span)
                _time_axis(ax, mdates.MonthLocator(bymonth=(1, 4, 7, 10)), FuncFormatter(_month_year))
                if len(artillery_axes) > 1:
                    ax.tick_params(axis="y", labelleft=False)
                else:
                    ax.set_ylabel("systems")
        _add_legends(fig, grid[2, :], counted, styles)
    return fig


# --- Tables ------------------------------------------------------------------------------------

def basis_table(ledger: Ledger) -> str:
    """A MyST table of every running total of containers and rounds: what it counts, from when and how.

    Columns follow the widths of the claims-table class (_static/report.css): the long text last.
    Each row is cited in the chapter's claims table, so this one carries no citations (page weight).
    """
    rows = running_totals(ledger)
    weak = is_weak(rows)
    converts = conversions(ledger)
    lines = ["| Date | Claimant | What it counts | Figure | Counted from | How reached |",
             "|---|---|---|---|---|---|"]
    for i, row in rows.iterrows():
        how = row["method"]
        if row["claim_id"] in converts:
            how += (f" ({figure_text(ledger.claim(converts[row['claim_id']]))} containers;"
                    f" about {rounds_per_container(ledger, row['claim_id'])} rounds a container)")
        if weak[i]:
            how += "; rests on one weak source"
        what = row["contents"] + ("" if row["route"].startswith("all") else f", {row['route']}")
        cells = [date_text(row["as_of"], row["as_of_precision"]), escape_cell(row["claimant_short_name"]),
                 escape_cell(what), escape_cell(f"{figure_text(row)} {row['unit']}"), escape_cell(row["start"]),
                 escape_cell(how)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def basis_table_directive(ledger: Ledger, label: str, caption: str) -> str:
    """The basis table as a numbered MyST table that {numref}`label` can point to."""
    return f"```{{table}} {caption}\n:name: {label}\n:class: claims-table\n\n{basis_table(ledger)}\n```"


FIGURES = [
    Chart("fig-containers", "chapters/shipments.md", containers_figure, container_claims),
    Chart("fig-shells", "chapters/shipments.md", shells_figure, shell_claims),
    Chart("fig-missiles-artillery", "chapters/shipments.md", weapons_figure, weapon_claims),
]
