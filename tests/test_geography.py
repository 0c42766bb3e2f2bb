"""The INSEE reference geography is loaded with the project by a data migration, not typed by hand."""

import pytest

from network.models import Departement, Region

pytestmark = pytest.mark.django_db


def test_the_18_regions_are_loaded():
    assert Region.objects.count() == 18
    assert set(Region.objects.values_list("code", flat=True)) >= {
        "01",
        "02",
        "03",
        "04",
        "06",
        "11",
        "84",
        "94",
    }


def test_the_101_departements_are_loaded():
    assert Departement.objects.count() == 101


@pytest.mark.parametrize(
    ("code", "name", "region"),
    [
        ("2A", "Corse-du-Sud", "Corse"),
        ("2B", "Haute-Corse", "Corse"),
        ("22", "Côtes-d'Armor", "Bretagne"),
        ("33", "Gironde", "Nouvelle-Aquitaine"),
        ("76", "Seine-Maritime", "Normandie"),
        ("971", "Guadeloupe", "Guadeloupe"),
        ("976", "Mayotte", "Mayotte"),
    ],
)
def test_departements_carry_their_insee_code_and_region(code, name, region):
    departement = Departement.objects.select_related("region").get(code=code)
    assert departement.name == name
    assert departement.region.name == region


def test_overseas_collectivities_that_are_not_departements_are_absent():
    assert not Departement.objects.filter(code__in=["975", "977", "978", "988", "20"]).exists()
