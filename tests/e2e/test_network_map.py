"""The public network map in Chromium: it fetches /reseau/structures.geojson and draws a marker per
feature. Tile requests are aborted: the map must work without them (offline, blocked tile server)."""

import json
from decimal import Decimal

from playwright.sync_api import Page, expect

from network.models import Departement, Structure
from tests import factories


def structure_located_at(latitude: str, longitude: str, **kwargs) -> Structure:
    structure = factories.StructureFactory(**kwargs)
    structure.territories.add(
        factories.TerritoryFactory(
            latitude=Decimal(latitude),
            longitude=Decimal(longitude),
            departements=list(Departement.objects.filter(code="22")),
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
