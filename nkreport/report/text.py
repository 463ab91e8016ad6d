"""Words for numbers: how a claim reads in prose and in tables, with its bound and its source."""

from __future__ import annotations

import html

import pandas as pd

REPORT_TITLE = "North Korea's Military Role in Russia's War against Ukraine"

DEFAULT_QUALIFIER = {"floor": "at least", "ceiling": "up to", "approximate": "about", "exact": ""}

KIND_LABELS = {
    "estimate": "estimate",
    "official_statement": "official statement",
    "confirmed_count": "confirmed count",
    "denial": "denial",
    "forecast": "forecast",
    "report": "report",
}

# Labels for tables. Every figure in this report is about North Korea unless the label says
# otherwise, so troop labels leave the country out.
MEASURE_LABELS = {
    "nk_troops_in_russia": "Troops in Russia",
    "nk_troops_in_kursk": "Troops in the Kursk region",
    "nk_troops_sent_total": "Troops sent in total since October 2024",
    "nk_troops_expected": "Troops expected or being prepared",
    "nk_troops_reinforcements": "Reinforcements (one batch)",
    "nk_engineers_builders_pledged": "Engineers and builders pledged",
    "nk_engineers_in_russia": "Engineers in Russia",
    "nk_builders_in_russia": "Military builders in Russia",
    "nk_troops_near_ukraine_border": "Troops near the Ukrainian border",
    "nk_active_military_personnel": "North Korea's active military",
    "nk_nuclear_tests": "North Korean nuclear tests",
    "nk_killed_wounded_in_period": "North Korean soldiers killed or wounded in a stated period",
    "nk_killed_memorial_wall": "North Korean dead named on a memorial",
    "nk_killed_engineers": "North Korean engineers killed",
    "ru_killed_wounded": "Russian soldiers killed or wounded since February 2022",
    "nk_containers_to_russia_total": "Containers of munitions shipped from North Korea to Russia",
    "nk_arms_to_russia": "North Korean arms deliveries to Russia",
    "kr_troops_vietnam_total": "South Korean troops sent to Vietnam in total",
    "kim_putin_meetings": "Meetings of Kim Jong-un and Vladimir Putin",
    "treaty_signed": "Russia–North Korea mutual defence treaty signed",
    "us_confirms_nk_troops_in_russia": "United States confirms North Korean troops in Russia",
    "nk_killed": "North Korean soldiers killed",
    "nk_wounded": "North Korean soldiers wounded",
    "nk_killed_wounded": "North Korean soldiers killed or wounded",
    "nk_captured": "North Korean soldiers captured",
    # Arms shipments
    "nk_shells_to_russia_total": "Artillery shells shipped from North Korea to Russia in total",
    "nk_shells_to_russia_in_year": "Artillery shells shipped from North Korea to Russia in one year",
    "nk_ballistic_missiles_supplied": "Ballistic missiles (KN-23/KN-24) supplied to Russia",
    "nk_ballistic_missiles_supplied_in_year": "Ballistic missiles supplied to Russia in one year",
    "nk_ballistic_missiles_expected": "Ballistic missiles expected to be supplied",
    "nk_ballistic_missiles_fired": "North Korean ballistic missiles fired at Ukraine",
    "nk_ballistic_missile_launch_occasions": "Occasions on which North Korean missiles were launched at Ukraine",
    "nk_artillery_systems_supplied": "Artillery systems supplied to Russia",
    "nk_sp_howitzers_supplied": "Self-propelled howitzers supplied to Russia",
    "nk_mrl_supplied": "Multiple rocket launchers supplied to Russia",
    # Russian losses
    "ru_killed": "Russian soldiers killed since February 2022",
    "ru_killed_named": "Russian soldiers killed, confirmed by name",
    # The Vietnam-era comparison and force sizes
    "kr_troops_in_vietnam": "South Korean troops in Vietnam at one date",
    "kr_troops_vietnam_peak": "South Korean troops in Vietnam at the peak",
    "kr_killed_vietnam": "South Korean soldiers killed in Vietnam",
    "kr_earnings_vietnam_total": "South Korea's earnings from the Vietnam War",
    "us_aid_to_kr_vietnam": "US aid to South Korea tied to its Vietnam deployment",
    "us_payments_to_kr_vietnam_total": "US payments to South Korea for its Vietnam deployment",
    "us_troops_vietnam_peak": "US troops in Vietnam at the peak",
    "kr_active_military_personnel": "South Korea's active military",
    "ru_active_military_personnel": "Russia's active military",
    "ru_authorised_military_personnel": "Russia's authorised military strength",
    "ru_troops_in_ukraine": "Russian troops in Ukraine",
    "ua_military_personnel": "Ukraine's armed forces",
    # Dated events
    "leaders_meeting": "Kim–Putin meeting",
    "summit": "Summit",
    "treaty_ratified": "Treaty ratified",
    "treaty_in_force": "Treaty enters into force",
    "deployment_disclosed": "Deployment disclosed",
    "deployment_confirmed": "Deployment confirmed",
    "deployment_acknowledged": "Deployment acknowledged",
    "deployment_praised": "Deployment praised",
    "ru_nonconfirmation": "Russia neither confirms nor denies",
    "kp_nonconfirmation": "North Korea neither confirms nor denies",
    "first_combat": "First combat reported",
    "prisoners_captured": "North Korean soldiers captured",
    "pullback": "Troops pulled back from the front",
    "return_to_front": "Troops return to the front",
    "engineers_announced": "Engineers and builders announced",
    "engineers_returned": "Engineers return home",
    "award_ceremony": "Award ceremony",
    "memorial": "Memorial to the dead",
    "remains_repatriated": "Remains repatriated",
    # Responses
    "kr_response": "South Korean response",
    "us_response": "US response",
    "ua_response": "Ukrainian response",
    "eu_response": "EU response",
    "un_response": "UN response",
    "cn_response": "Chinese response",
    "combat_confirmed": "Combat confirmed",
    "containers_to_nk": "Containers sent to North Korea in return",
    "demining_role": "Demining role",
    "deployment_alleged": "Deployment alleged",
    "drone_adaptation": "Adapting to drones",
    "envoy_visit": "Envoy's visit",
    "fire_support_role": "Fire-support role",
    "first_casualties_reported": "First casualties reported",
    "g7_response": "G7 response",
    "integration_with_russian_units": "Integration with Russian units",
    "jp_response": "Japanese response",
    "kp_personnel_north_vietnam": "North Korean air force personnel in North Vietnam",
    "kp_pilots_killed_vietnam": "North Korean pilots killed in Vietnam",
    "kr_troops_vietnam_deployed_increments": "South Korean force built up in Vietnam by successive deployments",
    "kr_vietnam_mercenary_charge": "US Senate charge of hired troops",
    "kursk_campaign_end": "End of the Kursk campaign",
    "kursk_offensive_role": "Role in the Kursk counter-offensive",
    "kursk_recapture": "Sudzha retaken",
    "mass_assaults": "Mass assaults begin",
    "missiles_first_used": "First North Korean missiles fired",
    "msmt_response": "Sanctions monitoring team (MSMT)",
    "nato_response": "NATO response",
    "nk_arms_earnings_in_year": "North Korea's arms earnings from Russia in a year",
    "nk_arms_earnings_total": "North Korea's arms earnings from Russia in total",
    "nk_arms_to_russia_value": "Value of North Korea's arms and troops for Russia",
    "nk_battle_casualties": "North Korean battle casualties (killed, wounded, missing, captured)",
    "nk_cargo_shipments_in_year": "Cargo shipments from North Korea to Russia in a year",
    "nk_containers_to_russia_by_sea": "Containers shipped to Russia by sea (four ships)",
    "nk_earnings_per_year": "North Korea's earnings from the deployment a year",
    "nk_missile_accuracy": "North Korean missiles' accuracy",
    "nk_missile_debris_attribution": "Missile debris attributed to North Korea",
    "nk_missile_use_resumed": "North Korean missile use resumed",
    "nk_missiles_failed_share": "Share of North Korean missiles that failed",
    "nk_munitions_to_russia_total": "Shells, rockets and missiles shipped to Russia in total",
    "nk_pay_per_soldier_month": "Pay per North Korean soldier a month",
    "nk_railcars_at_border": "Freight railcars at the border rail facility",
    "nk_rgb_troops_sent": "Reconnaissance General Bureau troops sent",
    "nk_russia_ship_call": "Russian ship calls at North Korean ports",
    "nk_sappers_explosives_destroyed": "Explosive devices cleared by North Korean sappers",
    "nk_share_of_russian_ammunition": "North Korea's share of Russia's ammunition",
    "nk_share_of_russian_shells": "North Korea's share of Russia's artillery shells",
    "nk_shells_faulty_share": "Share of North Korean shells that are faulty",
    "nk_shells_to_russia_by_sea": "Artillery shells shipped to Russia by sea (four ships)",
    "nk_shells_to_russia_per_year": "Artillery shells shipped to Russia a year",
    "nk_troops_returned_home": "North Korean troops rotated home",
    "nk_troops_training_far_east": "North Korean troops training in Russia's Far East",
    "nk_workers_alabuga_planned": "North Korean workers planned for the Alabuga drone plant",
    "nk_workers_in_russia": "North Korean workers in Russia",
    "nk_workers_sent_to_russia_in_year": "North Korean workers sent to Russia in a year",
    "nk_wounded_repatriated": "North Korean wounded sent home",
    "oil_to_nk": "Oil sent to North Korea",
    "oil_to_nk_in_month": "Refined petroleum sent to North Korea in a month",
    "prisoners_fate": "The prisoners' fate",
    "prisoners_seoul_position": "Seoul's position on the prisoners",
    "prisoners_wish": "The prisoners' wish",
    "rice_to_nk": "Rice sent to North Korea",
    "ru_aid_to_nk": "Russian aid to North Korea",
    "ru_air_defence_systems_to_nk": "Air-defence systems sent to North Korea",
    "ru_compensation_to_nk_value": "Value of Russia's compensation to North Korea",
    "ru_killed_in_month": "Russian soldiers killed in a month",
    "ru_response": "Russian response",
    "ru_technology_to_nk": "Russian technology for North Korea",
    "ru_weapons_to_nk": "Russian weapons for North Korea",
    "russian_ids": "Russian identity papers",
    "sanctions_monitoring_ended": "UN sanctions monitoring ended",
    "suicide_orders": "Orders not to be captured",
    "tactics_assessment": "Tactics",
    "uk_response": "British response",
    "ukraine_territory_signoff": "Fighting on Ukrainian soil",
    "un_panel_finding": "UN Panel of Experts finding",
    "units_sent": "Units sent",
    "ru_killed_wounded_in_year": "Russian soldiers killed or wounded in a year",
    "ru_killed_seriously_wounded_per_month": "Russian soldiers killed or seriously wounded a month",
    "nk_memorial_burial_plots": "Burial places at the Pyongyang memorial",
    "bereaved_families_housing": "Housing for the families of the dead",
}


def thousands(value: float) -> str:
    """12000 -> '12,000'; 1200000 -> '1.2 million'; 5e9 -> '5 billion'; decimals only where the data has them."""
    if value >= 1_000_000_000_000 and value % 10_000_000_000 == 0:
        return f"{value / 1_000_000_000_000:g} trillion"
    if value >= 1_000_000_000 and value % 10_000_000 == 0:
        return f"{value / 1_000_000_000:g} billion"
    if value >= 1_000_000 and value % 10_000 == 0:
        return f"{value / 1_000_000:g} million"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# Units written before the figure rather than after it.
CURRENCY_PREFIX = {"USD": "US$", "KRW": "₩"}


def figure_text(row: pd.Series | object) -> str:
    """The figure as a reader should say it: 'more than 600,000', '11,000–12,000', 'denied'."""
    get = row.get if hasattr(row, "get") else lambda k: getattr(row, k)
    if get("claim_kind") == "denial":
        return "denied"
    value, low, high = get("value"), get("value_low"), get("value_high")
    money = CURRENCY_PREFIX.get(get("unit"), "")
    if pd.notna(low) and pd.notna(high):
        span = f"{money}{thousands(low)}\u2013{thousands(high)}"
        return f"{span} (central {money}{thousands(value)})" if pd.notna(value) else span
    if pd.isna(value):
        return ""
    word = get("qualifier") or DEFAULT_QUALIFIER.get(get("bound"), "")
    return f"{word} {money}{thousands(value)}".strip()


def date_text(day: pd.Timestamp, precision: str) -> str:
    """'23 Oct 2024', or 'Oct 2024' where the source names only a month."""
    if precision == "year":
        return f"{day:%Y}"
    if precision == "month":
        return f"{day:%b %Y}"
    return f"{day.day} {day:%b %Y}"


def measure_label(measure: str) -> str:
    return MEASURE_LABELS.get(measure, measure.replace("_", " "))


def escape_cell(text: str) -> str:
    """Data text made inert in a MyST table: no raw HTML, no roles, no column breaks."""
    text = html.escape(str(text), quote=False)
    for ch in ("\\", "`", "|", "*", "_", "[", "]", "{", "}", "$"):
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


def cite(source: str) -> str:
    keys = ",".join(source.split("; "))
    return f"{{cite:p}}`{keys}`"


def claims_table(claims: pd.DataFrame, columns: tuple[str, ...] = ("date", "claimant", "what", "figure", "kind", "source", "note")) -> str:
    """A MyST Markdown table of claims, one row each, with a citation to every source."""
    heads = {"date": "Date", "claimant": "Claimant", "what": "What is claimed", "figure": "Figure",
             "kind": "Kind", "source": "Source", "note": "Note", "id": "Claim id"}
    lines = ["| " + " | ".join(heads[c] for c in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for row in claims.sort_values(["as_of", "claim_id"]).itertuples():
        cells = {
            # The span lets the page's "newest claim" line (nkreport.build.sphinxext.pages) see every row.
            "date": f"[{date_text(row.as_of, row.as_of_precision)}]{{.claim-row .claim-row-{row.claim_id}}}",
            "claimant": escape_cell(row.claimant_short_name),
            "what": escape_cell(measure_label(row.measure)),
            "figure": escape_cell(figure_text(row)),
            "kind": KIND_LABELS[row.claim_kind],
            "source": cite(row.source),
            "note": escape_cell(row.note),
            "id": f"`{row.claim_id}`",
        }
        lines.append("| " + " | ".join(cells[c] for c in columns) + " |")
    return "\n".join(lines)
