"""The map: drawn offline from sourced places, every mark a place the claims name."""

import json
import socket

import matplotlib
import pytest

from nkreport.chapters import map as places_map
from nkreport.report.export import svg_bytes

matplotlib.use("agg")


def test_every_mapped_place_is_in_the_places_table_with_a_source(ledger):
    places = places_map.mapped_places(ledger)
    table = ledger.places.set_index("place_id")
    assert len(places) > 10
    for place in places.itertuples():
        assert place.place_id in table.index
        assert table.loc[place.place_id, "coord_url"].startswith("http")


def test_every_mark_stands_for_a_claim_that_names_its_place(ledger):
    for place in places_map.mapped_places(ledger).itertuples():
        claim = ledger.claim(place.claim_id)
        assert place.place_id in claim["places"].split("; ")


def test_the_map_is_drawn_with_no_network(ledger, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("the map must not use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fig = places_map.map_figure(ledger)
    svg = svg_bytes(fig).decode("utf-8")
    for place in places_map.mapped_places(ledger).itertuples():
        assert place.name.split(" (")[0] in svg, f"{place.name} is not text in the SVG"


def test_the_basemap_records_where_it_came_from():
    outline = places_map.basemap()
    source = outline["source"]
    assert "Natural Earth" in source["data"] and "public domain" in source["data"]
    assert source["package"].startswith("npm world-atlas@") and len(source["sha256"]) == 64
    assert set(outline["panels"]) == {"front", "far_east"}


def test_routes_are_drawn_only_where_a_claim_names_both_ends(ledger):
    for row in places_map.route_claims(ledger).itertuples():
        start, end, _ = row.route
        assert {start, end} <= set(row.places.split("; "))


def test_the_title_and_alt_text_come_from_the_data(ledger):
    head = places_map.headline(ledger)
    assert str(head["front"].iloc[0]["n_claims"]) in places_map.chart_title(ledger)
    for name in head["bases"]["name"]:
        assert name in places_map.alt_text(ledger)


@pytest.mark.parametrize("kind", ["base", "front region", "port", "struck city"])
def test_the_map_shows_each_kind_of_place_the_issue_asks_for(ledger, kind):
    assert kind in set(places_map.mapped_places(ledger)["kind"])


def test_the_map_page_shows_the_chart_inline_with_linked_marks(book_html, ledger):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((book_html / "chapters" / "map.html").read_text(encoding="utf-8"), "html.parser")
    svg = page.find("svg", class_="nkreport-chart")
    assert svg is not None
    linked = {a["href"].split("#claim-")[1] for a in svg.select("a.chart-claim")}
    assert linked == set(places_map.plotted_claims(ledger)["claim_id"])
    assert page.find("table", id="tbl-places") is not None
