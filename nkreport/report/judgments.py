"""The report's key judgments: a likelihood on the scale of US Intelligence Community Directive 203,
a confidence level, and the confidence a fixed rule allows from the claims each judgment rests on.

The rule (written out in the Methods chapter, sec-judgments) looks only at the claims:

- independent sources: claimants counted by government (South Korea's agencies are one source,
  the United States' another), each independent outlet or international body on its own;
- whether any source is not a party to the war;
- how far apart their figures are, where the claims give figures of one measure;
- whether every claim rests on one weak page;
- how old the newest claim is.

High confidence needs three or more independent sources, at least one not a party to the war, no
claim resting on a weak page alone, figures within a factor of two and a claim from the last two
years; moderate needs two sources or one non-party source with strong claims, figures within a
factor of four; anything else is low. A judgment may state a higher confidence than the rule
allows only with its reason in `confidence_reason`.
"""

from __future__ import annotations

import re

import pandas as pd

from ..data import Ledger
from ..data.ledger import PLACEHOLDER
from .facts import is_weak
from .text import cite, date_text, escape_cell, figure_text

# ICD 203's terms of likelihood and their probability bands, in order.
LIKELIHOOD = {
    "almost no chance": "1–5%", "very unlikely": "5–20%", "unlikely": "20–45%",
    "roughly even chance": "45–55%", "likely": "55–80%", "very likely": "80–95%", "almost certain": "95–99%",
}
CONFIDENCE = ("low", "moderate", "high")
# How old the newest claim may be, in days, for each level.
FRESH_DAYS = {"high": 730, "moderate": 1095}
# How far apart the figures may be (largest over smallest) for each level.
SPREAD = {"high": 2.0, "moderate": 4.0}


def source_group(row) -> str:
    """Whose voice a claim is: governments by country; outlets and international bodies by name."""
    if row["claimant_country"] in ("Independent", "International", "NATO"):
        return row["claimant"]
    return row["claimant_country"]


def evidence(ledger: Ledger, judgment) -> dict:
    """The facts about a judgment's claims that the confidence rule reads."""
    ids = judgment["claims"].split("; ")
    claims = ledger.claims[ledger.claims["claim_id"].isin(ids)]
    groups = {source_group(r) for _, r in claims.iterrows()}
    non_party = claims["claimant_role"].ne("belligerent").any()
    weak_only = bool(is_weak(claims).all())
    spreads = []
    for _, same in claims.groupby("measure"):
        values = pd.concat([same["value"], same["value_low"], same["value_high"]]).dropna().astype(float)
        values = values[values > 0]
        if len(same) > 1 and len(values) > 1:
            spreads.append(values.max() / values.min())
    newest = claims["claimed_on"].max()
    return {
        "claims": len(claims),
        "sources": len(groups),
        "non_party": bool(non_party),
        "weak_only": weak_only,
        "spread": max(spreads) if spreads else None,
        "newest": newest,
        "age_days": None if pd.isna(newest) else (pd.Timestamp(ledger.claims["checked_on"].max()) - newest).days,
    }


def rule_in_words() -> str:
    """The confidence rule as the Methods chapter states it, from the same constants the code uses."""
    return (f"High confidence needs three or more independent sources, at least one of them not a party to "
            f"the war, figures no more than {SPREAD['high']:g} times apart, not every claim on a weak page, "
            f"and a claim from the last {FRESH_DAYS['high'] // 365} years. Moderate confidence needs two "
            f"sources, or one that is not a party to the war, figures no more than {SPREAD['moderate']:g} "
            f"times apart, not every claim on a weak page, and a claim from the last "
            f"{FRESH_DAYS['moderate'] // 365} years. Anything less is low confidence.")


def allowed_confidence(facts: dict) -> str:
    """The highest confidence the rule allows for these facts."""
    def within(level):
        spread_ok = facts["spread"] is None or facts["spread"] <= SPREAD[level]
        fresh = facts["age_days"] is not None and facts["age_days"] <= FRESH_DAYS[level]
        return spread_ok and fresh and not facts["weak_only"]
    if facts["sources"] >= 3 and facts["non_party"] and within("high"):
        return "high"
    if (facts["sources"] >= 2 or facts["non_party"]) and within("moderate"):
        return "moderate"
    return "low"


def overstated(ledger: Ledger) -> pd.DataFrame:
    """Judgments whose stated confidence exceeds what the rule allows and that give no reason."""
    rows = []
    for _, j in ledger.judgments.iterrows():
        allowed = allowed_confidence(evidence(ledger, j))
        if CONFIDENCE.index(j["confidence"]) > CONFIDENCE.index(allowed) and not j["confidence_reason"]:
            rows.append({"judgment_id": j["judgment_id"], "stated": j["confidence"], "allowed": allowed})
    return pd.DataFrame(rows, columns=["judgment_id", "stated", "allowed"])


def statement_markdown(ledger: Ledger, statement: str) -> str:
    """The statement with each [[claim-id]] as the claim's figure (in its claim span) and citation,
    and each [[date:claim-id]] as the date the claim refers to."""
    def replace(match: re.Match) -> str:
        kind, claim_id = match.groups()
        row = ledger.claim(claim_id)
        if kind == "date":
            return date_text(row["as_of"], row["as_of_precision"])
        # a dollar sign is escaped, or two of them in one statement would be read as maths
        return f"[{figure_text(row).replace('$', chr(92) + '$')}]{{.claim .claim-{claim_id}}} {cite(row['source'])}"
    return PLACEHOLDER.sub(replace, statement)


def _evidence_words(facts: dict) -> str:
    parts = [f"{facts['claims']} claim{'s' if facts['claims'] != 1 else ''}",
             f"{facts['sources']} independent source{'s' if facts['sources'] != 1 else ''}",
             "one or more not a party to the war" if facts["non_party"] else "all parties to the war"]
    if facts["spread"] is not None:
        parts.append(f"figures {facts['spread']:.1f} times apart")
    if facts["weak_only"]:
        parts.append("every claim on a weak page")
    if facts["newest"] is not None and not pd.isna(facts["newest"]):
        parts.append(f"newest {date_text(facts['newest'], 'day')}")
    return ", ".join(parts)


def claim_links(claims: str) -> str:
    """Links to the ledger rows of the claims a judgment rests on (plain HTML: rows are anchors)."""
    return ", ".join(f'<a href="ledger.html#claim-{c}"><code>{c}</code></a>' for c in claims.split("; "))


def judgment_block(ledger: Ledger, judgment, heading_level: str = "") -> str:
    """One judgment as MyST: its anchor, statement, likelihood and confidence with the rule's facts."""
    facts = evidence(ledger, judgment)
    allowed = allowed_confidence(facts)
    jid = judgment["judgment_id"]
    likelihood = judgment["likelihood"]
    lines = [
        f"({jid})=",
        f"**{likelihood.capitalize()}** ({LIKELIHOOD[likelihood]}): {statement_markdown(ledger, judgment['statement'])}",
        "",
        f"*{judgment['confidence'].capitalize()} confidence.* {escape_cell(judgment['basis'])} "
        f"Evidence: {_evidence_words(facts)}; the rule allows {allowed} confidence"
        + (f"; stated higher because {escape_cell(judgment['confidence_reason'])}" if judgment["confidence_reason"] else "")
        + f". Claims: {claim_links(judgment['claims'])}.",
    ]
    return "\n".join(lines)


def chapter_judgments(ledger: Ledger, chapter: str) -> pd.DataFrame:
    return ledger.judgments[ledger.judgments["chapter"] == chapter]


def judgments_markdown(ledger: Ledger, chapter: str) -> str:
    """The key judgments a chapter opens with, as a MyST admonition."""
    rows = chapter_judgments(ledger, chapter)
    if rows.empty:
        return ""
    body = "\n\n".join(judgment_block(ledger, j) for _, j in rows.iterrows())
    return (f":::{{admonition}} Key judgments\n:class: key-judgments\n\n{body}\n\n"
            "Likelihood and confidence follow the scale and rule set out in {ref}`sec-judgments`.\n:::")


def all_judgments_markdown(ledger: Ledger, chapter_titles: dict[str, str]) -> str:
    """Every judgment for the front page: statement, likelihood, confidence, and a link to its place."""
    lines = []
    order = list(chapter_titles)
    for chapter, rows in sorted(ledger.judgments.groupby("chapter", sort=False),
                                key=lambda g: order.index(g[0]) if g[0] in order else len(order)):
        lines.append(f"**{chapter_titles.get(chapter, chapter)}**")
        lines.append("")
        for _, j in rows.iterrows():
            # Likelihood and confidence in separate sentences, as ICD 203 asks.
            lines.append(f"- {statement_markdown(ledger, j['statement'])} *{j['likelihood'].capitalize()}.* "
                         f"{j['confidence'].capitalize()} confidence ({{ref}}`why <{j['judgment_id']}>`).")
        lines.append("")
    return "\n".join(lines)
