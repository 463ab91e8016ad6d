"""The map chapter: where the claims place North Korea's soldiers and munitions, drawn offline from
sourced places (data/places.csv) on Natural Earth outlines (data/basemap.json)."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..data import Ledger
from ..data.ledger import DATA_DIR, DATA_DIR_VARIABLE
from ..report import style as charts
from ..report.style import Chart, link_claim
from ..report.text import date_text, escape_cell

# The ledger topics chapters/map.md reads (None: all of it); the build re-executes the chapter
# when they change, and fails it if it reads more.
TOPICS = ("troops", "operations", "shipments", "timeline", "nk_casualties", "response", "returns")

# How each kind of place is drawn: marker, size, and its words in the legend.
KINDS = {
    "base": ("^", 8, "base where troops trained or were stationed"),
    "front region": ("s", 8, "front region"),
    "port": ("o", 7, "port"),
    "rail depot": ("D", 6, "rail depot"),
    "struck city": ("X", 8, "city or region struck by North Korean missiles"),
    "capital": ("*", 11, "capital"),
    "city": (".", 9, "other place named"),
    "factory": ("P", 8, "factory"),
}
PLACE_COLOUR = "#222222"
LAND = {"Russia": "#f1ede4", "North Korea": "#e3e9f0", "Ukraine": "#f6f2d8"}
OTHER_LAND = "#f7f7f7"
SEA = "#dfeaf2"
# Routes a claim names both ends of: (from place, to place, words).
ROUTES = (("rajin", "vostochny-port", "by sea"), ("rajin", "dunai", "by sea"))
# Where each label sits from its mark, in points, where the places crowd (default: to the right).
LABEL_OFFSETS = {
    "ussuriysk": (-10, 8), "vladivostok": (-10, 10), "dunai": (16, 20), "vostochny-port": (10, -12),
    "rajin": (-12, -18), "tumangang": (-12, -3), "chongjin": (12, -10), "musudan": (9, -2),
    "hamhung": (9, 0), "wonsan": (9, -7), "deokcheon": (-9, 8), "pyongyang": (-9, -5), "seoul": (9, 0),
    "kursk-region": (9, 10), "kursk-city": (9, -14), "sudzha": (-10, 22), "martynovka": (-10, 42),
    "plekhovo": (-10, -18), "sumy-region": (-10, 0), "belgorod-region": (10, -2), "kharkiv": (9, -6),
    "poltava-region": (-9, 0), "dnipropetrovsk-region": (9, 9), "donetsk": (9, 2),
    "zaporizhzhia-region": (9, -8), "kirovohrad-region": (-9, 0), "kyiv": (-9, 6), "bila-tserkva": (-9, -6),
}
# Where each country's name is written, in degrees, clear of the places.
COUNTRY_LABELS = {
    "far_east": {"Russia": (133.5, 47.0), "China": (127.0, 45.2), "North Korea": (127.2, 40.9),
                 "South Korea": (128.2, 37.6)},
    "front": {"Russia": (39.6, 52.3), "Ukraine": (31.2, 47.3), "Belarus": (30.2, 52.5)},
}
# On a slide (read from the back of a room) only the places that matter most are named, by name
# alone: those of these kinds, and any other that this many claims name; most claims first.
SLIDE_LABEL_KINDS = ("base", "front region", "port")
SLIDE_LABEL_MIN_CLAIMS = 3
PANEL_TITLES = {"front": "The front: Russia's Kursk region and Ukraine",
                "far_east": "The Far East: North Korea and Russia's Pacific coast"}


def basemap() -> dict:
    import os
    from pathlib import Path

    folder = Path(os.environ.get(DATA_DIR_VARIABLE) or DATA_DIR)
    return json.loads((folder / "basemap.json").read_text(encoding="utf-8"))


def panel_of(lon: float, lat: float, panels: dict) -> str | None:
    for name, panel in panels.items():
        b = panel["bounds"]
        if b["west"] <= lon <= b["east"] and b["south"] <= lat <= b["north"]:
            return name
    return None


def place_claims(ledger: Ledger) -> pd.DataFrame:
    """One row per (claim, place) the claim names, with the place's kind and coordinates."""
    claims = ledger.claims[ledger.claims["places"].ne("")]
    pairs = claims.assign(place_id=claims["places"].str.split("; ")).explode("place_id")
    return pairs.merge(ledger.places, on="place_id", how="left", suffixes=("", "_place"))


def mapped_places(ledger: Ledger) -> pd.DataFrame:
    """Each place on the map, with how many claims name it and the first of them (its mark's claim)."""
    pairs = place_claims(ledger)
    panels = basemap()["panels"]
    pairs = pairs[[panel_of(lon, lat, panels) is not None for lon, lat in zip(pairs["lon"], pairs["lat"])]]
    first = pairs.sort_values(["as_of", "claimed_on", "claim_id"]).groupby("place_id", sort=False).head(1)
    counts = pairs.groupby("place_id")["claim_id"].nunique().rename("n_claims")
    rows = first.set_index("place_id").join(counts).reset_index()
    rows["panel"] = [panel_of(lon, lat, panels) for lon, lat in zip(rows["lon"], rows["lat"])]
    return rows.sort_values(["panel", "place_id"]).reset_index(drop=True)


def route_claims(ledger: Ledger) -> pd.DataFrame:
    """The first claim that names both ends of each route."""
    rows = []
    for start, end, words in ROUTES:
        named = ledger.claims[ledger.claims["places"].map(lambda p: {start, end} <= set(p.split("; ")))]
        if not named.empty:
            row = named.sort_values(["as_of", "claim_id"]).iloc[0].copy()
            row["route"] = (start, end, words)
            rows.append(row)
    return pd.DataFrame(rows)


def plotted_claims(ledger: Ledger) -> pd.DataFrame:
    """The claims the map's marks stand for: each place's first claim and each route's claim."""
    ids = list(mapped_places(ledger)["claim_id"]) + list(route_claims(ledger).get("claim_id", []))
    claims = ledger.claims
    return claims[claims["claim_id"].isin(ids)].sort_values(["as_of", "claim_id"]).reset_index(drop=True)


def headline(ledger: Ledger) -> dict:
    places = mapped_places(ledger)
    kinds = places.groupby("kind")["place_id"].apply(list).to_dict()
    front = places[places["kind"] == "front region"].sort_values("n_claims", ascending=False)
    return {
        "bases": places[(places["kind"] == "base") & (places["country"] == "Russia")],
        "front": front,
        "ports": places[places["kind"] == "port"],
        "struck": places[places["kind"] == "struck city"],
        "kinds": kinds,
        "places": places,
        "as_of": plotted_claims(ledger)["claimed_on"].max(),
    }


def shipment_ports(ledger: Ledger) -> dict[str, list[str]]:
    """The ports the shipment claims name, North Korean (where munitions left) and Russian."""
    pairs = place_claims(ledger)
    ports = pairs[(pairs["topic"] == "shipments") & (pairs["kind"] == "port")]
    return {side: list(dict.fromkeys(ports.loc[ports["country"] == country].sort_values("as_of")["name"]))
            for side, country in (("from", "North Korea"), ("to", "Russia"))}


def in_words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def chart_title(ledger: Ledger) -> str:
    h = headline(ledger)
    top = h["front"].iloc[0]
    ports = shipment_ports(ledger)
    return (f"The claims place North Korean troops at {len(h['bases'])} bases in Russia's Far East and in the "
            f"{top['name']} ({top['n_claims']} claims); munitions went by sea from {in_words(ports['from'])} "
            f"to {in_words(ports['to'])}")


def alt_text(ledger: Ledger) -> str:
    h = headline(ledger)
    names = lambda rows: ", ".join(rows["name"])
    return (f"Two maps. The Far East panel marks the bases {names(h['bases'])}, the ports {names(h['ports'])}, "
            f"and sea routes from Rason to Russian ports. The front panel marks the front regions "
            f"{names(h['front'])} and the places struck by North Korean missiles: {names(h['struck'])}. "
            f"Each mark is a place named by claims in the ledger, labelled with its first claim's date.")


def _draw_panel(ax, name: str, panel: dict, places: pd.DataFrame, routes: pd.DataFrame) -> None:
    b = panel["bounds"]
    ax.set_facecolor(SEA)
    for country, rings in panel["countries"].items():
        for ring in rings:
            xs, ys = zip(*ring)
            ax.fill(xs, ys, color=LAND.get(country, OTHER_LAND), edgecolor="#9a9a9a", linewidth=0.6, zorder=1)
    for country, (x, y) in COUNTRY_LABELS[name].items():
        ax.text(x, y, country.upper(), fontsize=8, color="#8a8a8a", ha="center", va="center", zorder=2)
    for _, route in routes.iterrows():
        start, end, words = route["route"]
        a = places_lookup(places, start)
        z = places_lookup(places, end)
        if a is None or z is None:
            continue
        arrow = ax.annotate("", xy=(z["lon"], z["lat"]), xytext=(a["lon"], a["lat"]), zorder=3,
                            arrowprops=dict(arrowstyle="-|>", color="#0072B2", lw=1.6, shrinkA=5, shrinkB=6,
                                            connectionstyle="arc3,rad=-0.25"))
        link_claim(arrow.arrow_patch, route["claim_id"])
    for _, place in places.iterrows():
        marker, size, _ = KINDS[place["kind"]]
        (mark,) = ax.plot([place["lon"]], [place["lat"]], marker=marker, markersize=size, color=PLACE_COLOUR,
                          markeredgecolor="white", markeredgewidth=0.8, linestyle="none", zorder=4)
        link_claim(mark, place["claim_id"])
        if charts.layout().slide:
            continue  # labelled once the slide is laid out (slide_labels)
        label = f"{place['name']}\n{date_text(place['as_of'], place['as_of_precision'])}"
        if place["n_claims"] > 1:
            label += f" · {place['n_claims']} claims"
        dx, dy = LABEL_OFFSETS.get(place["place_id"], (7, 0))
        ax.annotate(label, (place["lon"], place["lat"]), xytext=(dx, dy), textcoords="offset points",
                    fontsize=charts.pt(7), ha="left" if dx >= 0 else "right", va="center", zorder=5,
                    bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8),
                    arrowprops=dict(arrowstyle="-", color="#777777", lw=0.6, shrinkA=0, shrinkB=3)
                    if abs(dx) + abs(dy) > 14 else None)
    mid = (b["south"] + b["north"]) / 2
    ax.set_xlim(b["west"], b["east"])
    ax.set_ylim(b["south"], b["north"])
    ax.set_aspect(1 / np.cos(np.radians(mid)))
    ax.set_xticks([])
    ax.set_yticks([])


def places_lookup(places: pd.DataFrame, place_id: str):
    match = places[places["place_id"] == place_id]
    return None if match.empty else match.iloc[0]


def map_figure(ledger: Ledger):
    panels = basemap()["panels"]
    places = mapped_places(ledger)
    routes = route_claims(ledger)
    plotted = plotted_claims(ledger)
    with plt.rc_context(charts.STYLE):
        fig = charts.figure(7.6, 15.4)
        top, bottom = charts.add_provenance(
            fig, chart_title(ledger),
            "Places the claims name, by the part they play; each mark is labelled with the date of the first "
            "claim that names the place and, where several do, how many. Arrows are routes a claim names both "
            "ends of. No front line or area of control is drawn: no claim in the ledger gives one.",
            f"claims by {charts.claimants_in_words(plotted)}; coordinates from the pages listed in data/places.csv; "
            "outlines from Natural Earth (public domain)",
            headline(ledger)["as_of"],
        )
        if charts.layout().slide:  # the two maps side by side, each as wide as its shape asks, the legend beside them
            grid = fig.add_gridspec(1, 3, width_ratios=[_width_per_height(panels[k]["bounds"]) for k in ("far_east", "front")]
                                    + [0.5], wspace=0.08, left=0.03, right=0.99, top=top, bottom=bottom)
        else:
            grid = fig.add_gridspec(3, 1, height_ratios=[6.4, 4.6, 1.0], hspace=0.12, left=0.03, right=0.97,
                                    top=top, bottom=bottom)
        for i, key in enumerate(("far_east", "front")):
            ax = fig.add_subplot(grid[i])
            _draw_panel(ax, key, panels[key], places[places["panel"] == key],
                        routes[[key == panel_of(*_lonlat(places, r["route"][0]), panels) for _, r in routes.iterrows()]]
                        if not routes.empty else routes)
            ax.set_title(PANEL_TITLES[key], fontsize=10.5, loc="left")
        legend = fig.add_subplot(grid[2])
        legend.axis("off")
        shown = [k for k in KINDS if k in set(places["kind"])]
        handles = [plt.Line2D([], [], marker=KINDS[k][0], markersize=KINDS[k][1], color=PLACE_COLOUR, linestyle="none",
                              label=KINDS[k][2]) for k in shown]
        handles.append(plt.Line2D([], [], color="#0072B2", lw=1.6, label="route a claim names (arrow)"))
        slide = charts.layout().slide
        legend.legend(handles=handles, loc="upper left", ncol=2, fontsize=charts.layout().min_font if slide else 8.5,
                      frameon=False, title="Marks", title_fontsize=9, alignment="left")
        if charts.layout().slide:
            charts.legends_to_the_side(fig)
            # a map has no tick labels: the maps may take their room below, and reach nearer the legend
            column = min(l.get_window_extent().x0 for l in fig.legends) / fig.bbox.width - 0.02
            boxes = [ax.get_position() for ax in fig.axes[:2]]
            x0, x1, y0 = boxes[0].x0, boxes[1].x1, min(b.y0 for b in boxes)
            for ax, box in zip(fig.axes[:2], boxes):
                sx, sy = (column - x0) / (x1 - x0), (box.y1 - y0 + 0.05) / (box.y1 - y0)
                ax.set_position([x0 + (box.x0 - x0) * sx, box.y1 - box.height * sy, box.width * sx, box.height * sy])
            for ax, key in zip(fig.axes, ("far_east", "front")):
                slide_labels(fig, ax, places[places["panel"] == key])
    return fig


def slide_labels(fig, ax, places: pd.DataFrame) -> list[str]:
    """Name the places that matter most on a slide's panel, by name alone, where no label overlaps
    another, a mark, a country's name or the panel's edge (the book's chart labels every place)."""
    chosen = places[places["kind"].isin(SLIDE_LABEL_KINDS) | (places["n_claims"] >= SLIDE_LABEL_MIN_CLAIMS)]
    chosen = chosen.assign(_kind=chosen["kind"].map(list(KINDS).index)) \
        .sort_values(["n_claims", "_kind", "place_id"], ascending=[False, True, True])
    return charts.place_labels(fig, ax, [(name.split(" (")[0], (lon, lat)) for name, lon, lat
                                         in zip(chosen["name"], chosen["lon"], chosen["lat"])],
                               fontsize=charts.pt(7), zorder=5,
                               bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))


def _width_per_height(bounds: dict) -> float:
    """A panel's width over its height as drawn (degrees of longitude shrink with the cosine of latitude)."""
    mid = (bounds["south"] + bounds["north"]) / 2
    return (bounds["east"] - bounds["west"]) * np.cos(np.radians(mid)) / (bounds["north"] - bounds["south"])


def _lonlat(places: pd.DataFrame, place_id: str) -> tuple[float, float]:
    place = places_lookup(places, place_id)
    return (float("nan"), float("nan")) if place is None else (place["lon"], place["lat"])


def places_table(ledger: Ledger) -> str:
    """Every place the claims name, with its kind, coordinates, source page and the claims that name it."""
    pairs = place_claims(ledger)
    counts = pairs.groupby("place_id")["claim_id"].nunique()
    lines = ["| Place | Kind | Country | Coordinates | Claims naming it | Coordinates from |", "|---|---|---|---|---:|---|"]
    for place in ledger.places.sort_values(["kind", "name"]).itertuples():
        lines.append(f"| {escape_cell(place.name)} | {place.kind} | {escape_cell(place.country)} | "
                     f"{place.lat:.2f}° N, {place.lon:.2f}° E | {counts.get(place.place_id, 0)} | "
                     f"[{escape_cell(place.coord_note)}]({place.coord_url}) |")
    return "\n".join(lines)


FIGURES = [Chart("fig-map", "chapters/map.md", map_figure, plotted_claims)]
