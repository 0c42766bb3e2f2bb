"""The network map /reseau/carte/ and its data /reseau/structures.geojson: public, only the public
structures, a marker on the structure's first located territory, constant queries; the vendored outlines
of the départements it shades (static/vendor/natural-earth/departements.geojson)."""

import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from network.models import Departement, Structure
from tests import factories

GEOJSON_URL = "/reseau/structures.geojson"
MAP_URL = "/reseau/carte/"
OUTLINES = "vendor/natural-earth/departements.geojson"


def located_territory(name="Pays de Guingamp", latitude="48.56", longitude="-3.15", departements=("22",)):
    return factories.TerritoryFactory(
        name=name,
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
        departements=list(Departement.objects.filter(code__in=departements)),
    )


def geojson(client):
    response = client.get(GEOJSON_URL)
    assert response.status_code == 200
    return json.loads(response.content)


def features_by_slug(collection):
    return {feature["properties"]["slug"]: feature for feature in collection["features"]}


def test_urls_are_not_swallowed_by_the_structure_page_route():
    assert reverse("network:map") == MAP_URL
    assert reverse("network:geojson") == GEOJSON_URL


def test_geojson_is_a_feature_collection_served_as_geo_json(client, db):
    response = client.get(GEOJSON_URL)

    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(response.content) == {
        "type": "FeatureCollection",
        "features": [],
        "properties": {"skipped": 0},
    }


def test_geojson_describes_each_structure_with_its_point_phase_and_departements(client, tag22):
    tag22.territories.add(located_territory(departements=("22", "29")))

    feature = features_by_slug(geojson(client))["tag22"]

    assert feature["type"] == "Feature"
    # RFC 7946: longitude first.
    assert feature["geometry"] == {"type": "Point", "coordinates": [-3.15, 48.56]}
    assert feature["properties"] == {
        "name": "TAg22",
        "slug": "tag22",
        "url": "/reseau/tag22/",
        "phase": "experimentation",
        "phase_label": "Expérimentation",
        "departements": ["22", "29"],
    }


def test_geojson_places_the_marker_on_the_first_located_territory_by_name(client, tag22):
    tag22.territories.add(
        factories.TerritoryFactory(name="Argoat"),  # first by name, but without a point
        located_territory(name="Trégor", latitude="48.73", longitude="-3.46", departements=("22",)),
        located_territory(name="Léon", latitude="48.60", longitude="-4.30", departements=("29",)),
    )

    feature = features_by_slug(geojson(client))["tag22"]

    assert feature["geometry"]["coordinates"] == [-4.3, 48.6]
    assert feature["properties"]["departements"] == ["22", "29"]


def test_geojson_skips_structures_without_a_located_territory_and_counts_them(client, tag22, atis):
    tag22.territories.add(factories.TerritoryFactory(name="Sans point"))
    atis.territories.add(located_territory())

    collection = geojson(client)

    assert set(features_by_slug(collection)) == {"atis"}
    assert collection["properties"] == {"skipped": 1}


@pytest.mark.parametrize(
    "phase", [Structure.Phase.CANDIDATE, Structure.Phase.SUSPENDED, Structure.Phase.WITHDRAWN]
)
def test_geojson_leaves_out_structures_that_do_not_run_a_fabrique(client, db, phase):
    hidden = factories.StructureFactory(phase=phase)
    hidden.territories.add(located_territory())

    collection = geojson(client)

    assert collection["features"] == []
    assert collection["properties"] == {"skipped": 0}


def test_geojson_lists_experimentation_application_and_labelled_structures(client, db):
    for phase in (Structure.Phase.EXPERIMENTATION, Structure.Phase.APPLICATION):
        factories.StructureFactory(slug=phase, phase=phase).territories.add(located_territory())
    factories.StructureFactory(slug="labelled", labelled=True).territories.add(located_territory())

    assert set(features_by_slug(geojson(client))) == {"experimentation", "application", "labelled"}


def make_located_structures(count):
    for _ in range(count):
        structure = factories.StructureFactory()
        structure.territories.add(located_territory(departements=("22", "29")))


@pytest.mark.parametrize("count", [1, 5])
def test_geojson_runs_three_queries_whatever_the_number_of_structures(
    client, db, count, django_assert_num_queries
):
    make_located_structures(count)
    # 1. the public structures; 2. their territories; 3. those territories' départements.
    with django_assert_num_queries(3):
        collection = geojson(client)
    assert len(collection["features"]) == count


@pytest.mark.parametrize("count", [1, 5])
def test_map_page_runs_three_queries_whatever_the_number_of_structures(
    client, db, count, django_assert_num_queries
):
    make_located_structures(count)
    # Anonymous visitor, no session read. 1. the public structures; 2. their territories; 3. the départements.
    with django_assert_num_queries(3):
        response = client.get(MAP_URL)
    assert response.status_code == 200


ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]


@pytest.mark.parametrize("role", ROLES)
def test_map_and_geojson_are_open_to_every_visitor(client, request, tag22, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    tag22.territories.add(located_territory())

    page = client.get(MAP_URL)
    data = client.get(GEOJSON_URL)

    assert page.status_code == 200
    assert data.status_code == 200
    assert [f["properties"]["slug"] for f in json.loads(data.content)["features"]] == ["tag22"]


def test_map_page_lists_the_structures_as_links_for_who_cannot_use_the_map(client, tag22, atis):
    tag22.territories.add(located_territory(departements=("22",)))
    factories.StructureFactory(name="Candidate", phase=Structure.Phase.CANDIDATE)

    response = client.get(MAP_URL)

    assert response.templates[0].name == "network/map.html"
    html = response.content.decode()
    assert '<a href="/reseau/tag22/">TAg22</a>' in html
    assert '<a href="/reseau/atis/">ATIS</a>' in html
    assert "Candidate" not in html
    # ATIS has no located territory: the list says it is not on the map.
    assert "absente de la carte" in html
    assert 'data-geojson-url="/reseau/structures.geojson"' in html


def test_map_page_loads_leaflet_from_our_static_files_and_the_tiles_from_settings(client, db, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"

    html = client.get(MAP_URL).content.decode()

    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/js/network-map.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    # No inline script: the page works under a strict Content-Security-Policy.
    assert "<script>" not in html


def test_map_page_shows_an_empty_state_without_public_structures(client, db):
    html = client.get(MAP_URL).content.decode()

    assert "Aucune structure n'est encore présentée sur la carte du réseau." in html


def test_directory_links_to_the_map(client, db):
    assert f'href="{MAP_URL}"' in client.get("/reseau/").content.decode()


def test_geojson_refuses_writes(client, db):
    assert client.post(GEOJSON_URL).status_code == 405


# The outlines of the départements, shaded by static/js/network-map.js.


def outlines():
    return json.loads(Path(finders.find(OUTLINES)).read_text(encoding="utf-8"))


def outline_polygons(feature):
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def inside(polygon, longitude, latitude):
    """Even–odd ray casting over the polygon's rings (outer ring and holes)."""
    result = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            if (y1 > latitude) != (y2 > latitude) and longitude < x1 + (latitude - y1) * (x2 - x1) / (
                y2 - y1
            ):
                result = not result
    return result


def test_outlines_are_a_feature_collection_of_closed_wgs84_polygons():
    collection = outlines()

    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        for polygon in outline_polygons(feature):
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]["code"]
                # RFC 7946: longitude first, in degrees. France spans -62° (Antilles) to 56° (La Réunion).
                assert all(-62 < x < 56 and -22 < y < 52 for x, y in ring), feature["properties"]["code"]


def test_outlines_have_one_feature_per_departement_of_the_reference_data(db):
    codes = [feature["properties"]["code"] for feature in outlines()["features"]]
    names = {
        feature["properties"]["code"]: feature["properties"]["name"] for feature in outlines()["features"]
    }

    assert len(codes) == len(set(codes))
    assert set(codes) == set(Departement.objects.values_list("code", flat=True))
    assert names == dict(Departement.objects.values_list("code", "name"))


@pytest.mark.parametrize(
    "code, latitude, longitude",
    [
        ("22", 48.514, -2.765),  # Saint-Brieuc
        ("2A", 41.621, 8.975),  # Sartène
        ("2B", 42.697, 9.450),  # Bastia
        ("75", 48.857, 2.352),  # Paris
        ("84", 44.367, 4.980),  # Valréas, in the Vaucluse enclave surrounded by the Drôme
        ("971", 16.241, -61.533),  # Pointe-à-Pitre
        ("974", -20.882, 55.451),  # Saint-Denis
        ("976", -12.840, 45.150),  # Grande-Terre, inland: the simplified coast may cut Mamoudzou out
    ],
)
def test_each_outline_carries_the_code_of_the_departement_it_draws(code, latitude, longitude):
    """Natural Earth gives overseas départements no INSEE code: the build script maps them."""
    containing = [
        feature["properties"]["code"]
        for feature in outlines()["features"]
        if any(inside(polygon, longitude, latitude) for polygon in outline_polygons(feature))
    ]

    assert containing == [code]


def test_outlines_stay_small_enough_to_load_with_the_page():
    assert Path(finders.find(OUTLINES)).stat().st_size < 300_000


def test_every_departement_code_of_the_feed_has_an_outline(client, tag22):
    tag22.territories.add(
        located_territory(departements=list(Departement.objects.values_list("code", flat=True)))
    )

    (feature,) = geojson(client)["features"]

    outline_codes = {outline["properties"]["code"] for outline in outlines()["features"]}
    assert len(feature["properties"]["departements"]) == 101
    assert set(feature["properties"]["departements"]) == outline_codes


def test_map_page_points_the_script_to_the_outlines_and_credits_their_source(client, db):
    html = client.get(MAP_URL).content.decode()

    assert f'data-outlines-url="/static/{OUTLINES}"' in html
    assert "https://www.naturalearthdata.com/" in html
    assert "Un département couvert par au moins une structure." in html
