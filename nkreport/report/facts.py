"""Facts about the ledger that more than one page states, each defined once.

A count, a date or a "first" that two chapters both state comes from here and is glued on both
pages, so the chapters cannot disagree (tests/test_shared_facts.py checks every page states the
same value)."""

from __future__ import annotations

import pandas as pd

from ..data import Ledger


def is_weak(claims: pd.DataFrame) -> pd.Series:
    """Claims that rest on a single weak or secondary page (the ledger's weak_source column)."""
    return claims["weak_source"].eq("yes")


def weak_claims(ledger: Ledger) -> pd.DataFrame:
    return ledger.claims[is_weak(ledger.claims)]


def dated(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims whose claimed_on is known; a claim whose date no page gives never counts as newest."""
    return claims[claims["claimed_on_precision"].ne("unknown") & claims["claimed_on"].notna()]


def newest_claim(claims: pd.DataFrame) -> pd.Series:
    """The most recently made claim of a frame (by claimed_on, then id, so ties resolve the same way)."""
    return dated(claims).sort_values(["claimed_on", "claim_id"]).iloc[-1]


def cited_source_keys(ledger: Ledger) -> list[str]:
    """The bibliography keys the claims cite, in sorted order."""
    return sorted({k for s in ledger.claims["source"] for k in s.split("; ")})


def source_pages(ledger: Ledger) -> int:
    """How many distinct pages (URLs) the claims cite: the report's count of its source pages."""
    return len({ledger.sources[k]["url"] for k in cited_source_keys(ledger)})


def undated_sources(ledger: Ledger) -> list[str]:
    """Cited sources that show no date of their own."""
    return [k for k in cited_source_keys(ledger)
            if not (ledger.sources[k].get("date") or ledger.sources[k].get("year"))]


def unknown_claim_dates(ledger: Ledger) -> pd.DataFrame:
    """Claims whose date no page gives (claimed_on_precision unknown)."""
    return ledger.claims[ledger.claims["claimed_on_precision"].eq("unknown")]


def checked(ledger: Ledger) -> pd.DataFrame:
    """Claims with a recorded check: all of them, since the validator requires it."""
    return ledger.claims[ledger.claims["checked_on"].notna()]


# --- Firsts and turning points that several chapters state -------------------------------------

def earliest(claims: pd.DataFrame, measures, claimant: str | None = None) -> pd.Series:
    """The earliest claim (by the date it refers to, then by claim date) of these measures."""
    rows = claims[claims["measure"].isin([measures] if isinstance(measures, str) else measures)]
    if claimant:
        rows = rows[rows["claimant"] == claimant]
    if rows.empty:
        raise KeyError(f"no claim of {measures}" + (f" by {claimant}" if claimant else ""))
    return rows.sort_values(["as_of", "claimed_on", "claim_id"]).iloc[0]


def first_combat(claims: pd.DataFrame) -> pd.Series:
    """The first reported clash of North Korean troops with Ukrainian forces (small-scale)."""
    return earliest(claims, "first_combat")


def mass_assaults_begin(claims: pd.DataFrame) -> pd.Series:
    """When large-scale North Korean assaults were first reported: combat 'from December'."""
    return earliest(claims, "mass_assaults")


def first_capture(claims: pd.DataFrame) -> pd.Series:
    """The first North Korean soldier reported taken alive (he died of his wounds)."""
    return earliest(claims, "nk_captured")


def first_surviving_prisoners(claims: pd.DataFrame) -> pd.Series:
    """The first North Korean prisoners who survived: the earliest capture after the first one."""
    first = first_capture(claims)
    rows = claims[(claims["measure"] == "nk_captured") & (claims["as_of"] > first["as_of"])]
    return rows.sort_values(["as_of", "claimed_on", "claim_id"]).iloc[0]


def first_nis_death_estimate(claims: pd.DataFrame) -> pd.Series:
    """The South Korean intelligence service's first estimate of North Korean dead."""
    return earliest(claims, "nk_killed", claimant="kr-nis")


def first_kim_putin_summit(claims: pd.DataFrame) -> pd.Series:
    """The first meeting of Kim Jong-un and Vladimir Putin the ledger records."""
    return earliest(claims, ("summit", "leaders_meeting"))


# --- Counts several pages give ------------------------------------------------------------------

def counts(ledger: Ledger) -> dict[str, int]:
    """The ledger's size as every page states it."""
    claims = ledger.claims
    return {
        "claims": len(claims),
        "claimants": claims["claimant"].nunique(),
        "source_pages": source_pages(ledger),
        "weak": int(is_weak(claims).sum()),
        "checked": len(checked(ledger)),
        "topics": claims["topic"].nunique(),
    }


def newest_by_topic(ledger: Ledger) -> pd.DataFrame:
    """Each topic's newest claim (by claim date): how current each part of the report is."""
    rows = dated(ledger.claims).sort_values(["claimed_on", "claim_id"])
    return rows.groupby("topic", sort=True).tail(1).sort_values("topic").reset_index(drop=True)


# --- How many were sent: the figures every chapter that compares the deployment uses ------------

def strongest(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims that do not rest on one weak page: what a headline may use."""
    return claims[~is_weak(claims)]


def newest_of(claims: pd.DataFrame, measure: str, claimant: str | None = None, strong: bool = True) -> pd.Series:
    """The newest claim of a measure (by the date it refers to), of one claimant if given, leaving
    out weak ones unless strong is False."""
    rows = claims[claims["measure"] == measure]
    if claimant:
        rows = rows[rows["claimant"] == claimant]
    if strong:
        rows = strongest(rows)
    if rows.empty:
        raise KeyError(f"no {'strong ' if strong else ''}claim of {measure}" + (f" by {claimant}" if claimant else ""))
    return rows.sort_values(["as_of", "claimed_on", "claim_id"]).iloc[-1]


def combat_troops_sent(claims: pd.DataFrame) -> pd.Series:
    """The South Korean intelligence service's newest count of combat troops sent in total (the
    first two waves, October 2024 to early 2025)."""
    return newest_of(claims, "nk_troops_sent_total", "kr-nis")


def first_wave_sent(claims: pd.DataFrame) -> pd.Series:
    """The size of the first deployment, of 2024, as the multilateral monitoring team gives it."""
    return newest_of(claims, "nk_troops_sent_total", "msmt")


def later_deployments(claims: pd.DataFrame) -> dict[str, pd.Series]:
    """The deployments after the two combat waves, as the intelligence service counted them:
    engineers (deminers) and military builders."""
    return {"engineers": newest_of(claims, "nk_engineers_in_russia", "kr-nis"),
            "builders": newest_of(claims, "nk_builders_in_russia", "kr-nis")}
