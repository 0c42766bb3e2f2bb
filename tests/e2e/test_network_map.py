"""The public network map in Chromium: it fetches /reseau/structures.geojson, draws a marker per feature
and shades the départements the structures cover. Tile requests are aborted: the map must work without
them (offline, blocked tile server)."""

import json
from decimal import Decimal

from playwright.sync_api import Page, expect

from network.models import Departement, Structure
from tests import factories


def structure_located_at(latitude: str, longitude: str, departements=("22",), **kwargs) -> Structure:
    structure = factories.StructureFactory(**kwargs)
    structure.territories.add(
        factories.TerritoryFactory(
            latitude=Decimal(latitude),
            longitude=Decimal(longitude),
            departements=list(Departement.objects.filter(code__in=departements)),
        )
    )
    return structure


def test_map_page_loads_its_geojson_and_draws_one_marker_per_structure(live_server, page: Page):
    structure_located_at("48.51", "-2.76", name="TAg22", slug="tag22")
    structure_located_at("47.22", "-1.55", name="ATIS", slug="atis", labelled=True)
    structure_located_at("45.76", "4.84", name="Candidate", phase=Structure.Phase.CANDIDATE)
    factories.StructureFactory(name="Sans territoire localisé")
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())

    with page.expect_response("**/reseau/structures.geojson") as geojson_response:
        page.goto(f"{live_server.url}/reseau/carte/")
    features = json.loads(geojson_response.value.body())["features"]

    assert sorted(f["properties"]["name"] for f in features) == ["ATIS", "TAg22"]
    expect(page.locator("#network-map[data-loaded=true]")).to_have_count(1)
    markers = page.locator("#network-map .leaflet-marker-icon")
    expect(markers).to_have_count(len(features))
    # Each marker is named for assistive technologies and opens a popup linking to the structure.
    page.get_by_role("button", name="TAg22").click()
    expect(page.locator(".leaflet-popup a[href='/reseau/tag22/']")).to_have_text("TAg22")
    # The list of structures remains, for whoever cannot use the map.
    expect(page.get_by_role("link", name="Sans territoire localisé")).to_be_visible()


def test_map_shades_each_covered_departement_under_the_markers(geography, live_server, page: Page):
    structure_located_at("48.51", "-2.76", departements=("22", "29"), name="TAg22", slug="tag22")
    structure_located_at("47.22", "-1.55", departements=("22", "44"), name="ATIS", slug="atis")
    # Not public: the département it alone covers stays blank.
    structure_located_at("45.76", "4.84", departements=("69",), phase=Structure.Phase.CANDIDATE)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())

    page.goto(f"{live_server.url}/reseau/carte/")

    expect(page.locator("#network-map[data-shaded=true]")).to_have_count(1)
    # One shaded path per covered département (22 once, though both structures cover it), one marker each.
    expect(page.locator("#network-map path.network-map__departement")).to_have_count(3)
    expect(page.locator("#network-map .leaflet-marker-icon")).to_have_count(2)
    # Markers stay above the shading: a click on TAg22's marker, inside the shaded Côtes-d'Armor, reaches it.
    page.get_by_role("button", name="TAg22").click()
    expect(page.locator(".leaflet-popup a[href='/reseau/tag22/']")).to_have_text("TAg22")
    # The outlines' source is credited with the tiles'.
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Natural Earth")


def test_hovering_a_shaded_departement_names_it_and_the_structures_covering_it(
    geography, live_server, page: Page
):
    structure_located_at("48.51", "-2.76", departements=("22", "29"), name="TAg22", slug="tag22")
    structure_located_at("48.39", "-4.49", departements=("29",), name="Brest Initiatives", slug="brest")
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/reseau/carte/")
    expect(page.locator("#network-map[data-shaded=true]")).to_have_count(1)

    # Finistère, away from the markers: its outline's bounding box centre is inland, west of Carhaix.
    finistere = page.locator("#network-map path.network-map__departement").nth(1)
    box = finistere.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)

    expect(page.locator(".leaflet-tooltip")).to_contain_text("Finistère (29)")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Couvert par\u00a0: Brest Initiatives, TAg22")


def test_map_still_shows_markers_when_the_outlines_cannot_be_loaded(geography, live_server, page: Page):
    structure_located_at("48.51", "-2.76", name="TAg22", slug="tag22")
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page.route("**/departements.geojson", lambda route: route.abort())

    page.goto(f"{live_server.url}/reseau/carte/")

    expect(page.locator("[data-map-status]")).to_contain_text("Les contours des départements n’ont pas pu")
    expect(page.locator("#network-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#network-map path.network-map__departement")).to_have_count(0)
