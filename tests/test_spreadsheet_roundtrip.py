"""Export → import round trips for every importable list (issue 7, point 4): a file exported as CSV or
XLSX and imported back reports every row unchanged and leaves the database exactly as it was."""

import datetime as dt
from decimal import Decimal

import pytest
import tablib
from django.db import models
from import_export.results import RowResult

from fabrique.spreadsheets.matching import ChoiceWidget
from fabrique.spreadsheets.registry import IMPORTABLES
from network.models import Structure, Territory
from partnerships.models import Beneficiary, KnowHowTransfer, Mission, Objective
from programmes.models import Partner, Programme
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db

# Every table an import may write, with the many-to-many tables: compared whole, timestamps included.
WRITTEN: list[type[models.Model]] = [
    Territory,
    Territory.departements.through,
    Structure,
    Structure.territories.through,
    Partner,
    Programme,
    Project,
    Project.partners.through,
    Mission,
    Mission.projects.through,
    Objective,
    KnowHowTransfer,
    KnowHowTransfer.projects.through,
    Beneficiary,
]


def snapshot() -> dict[str, list[dict]]:
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WRITTEN}


def build_network() -> None:
    """A few rows of every list, with the values spreadsheets mangle: accents, separators, quotes,
    line breaks, leading zeros, decimals, empty cells, every kind of choice and relation."""
    ain, cotes = factories.departement("01"), factories.departement("22")
    brest = factories.TerritoryFactory(
        name="Pays de Brest – Carhaix",
        slug="pays-de-brest-carhaix",
        departements=[factories.departement("29"), cotes],
        latitude=Decimal("48.39000"),
        longitude=Decimal("-4.48600"),
    )
    factories.TerritoryFactory(
        name="Strasbourg ; Eurométropole",
        slug="strasbourg-eurometropole",
        kind=Territory.Kind.QPV,
        qpv_code="QN06701M",
        departements=[ain],
    )
    factories.TerritoryFactory(name="Lanaudière", slug="lanaudiere", country=Territory.Country.CANADA)
    tag22 = factories.StructureFactory(
        name="TAg22",
        slug="tag22",
        departement=cotes,
        city="Saint-Brieuc",
        description='Une « Fabrique », avec des "guillemets",\nsur deux lignes ; et un point-virgule.',
        email="contact@tag22.example.org",
        phone="02 96 00 00 00",
    )
    tag22.territories.set([brest])
    factories.StructureFactory(
        name="ADRESS Normandie", slug="adress-normandie", labelled=True, departement=ain, website=""
    )
    psa = factories.PartnerFactory(name="Fondation PSA", slug="fondation-psa")
    factories.PartnerFactory(
        name="Banque des territoires",
        slug="banque-des-territoires",
        kind=Partner.Kind.PUBLIC_BANK,
        is_national=True,
    )
    garages = factories.ProgrammeFactory(name="Emergence de garages solidaires", slug="garages-solidaires")
    factories.ProgrammeFactory(name="Silver Solidarités", slug="silver-solidarites", is_published=False)
    garage = factories.ProjectFactory(
        title="Garage solidaire", slug="garage-solidaire", structure=tag22, territory=brest, programme=garages
    )
    garage.partners.set([psa])
    glanerie = factories.ProjectFactory(
        title="La Glanerie",
        slug="la-glanerie",
        structure=tag22,
        stage=Project.Stage.LAUNCHED,
        sector=Project.Sector.OTHER,
        started_on=dt.date(2019, 9, 1),
        is_published=True,
        published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    factories.ProjectFactory(
        title="Conciergerie solidaire",
        slug="conciergerie",
        structure=tag22,
        stage=Project.Stage.ABANDONED,
        abandon_reason="Pas de porteur trouvé.",
    )
    delegation = factories.MissionFactory(
        slug="delegation-quebec",
        kind=Mission.Kind.DELEGATION,
        direction=Mission.Direction.FR_TO_QC,
        timezone=Mission.TimeZone.TORONTO,
        starts_at=dt.datetime(2025, 6, 3, 0, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 6, 6, 21, 0, tzinfo=dt.UTC),
        cities="Québec, Montréal",
    )
    factories.ObjectiveFactory(mission=delegation, text="Observer la méthode", outcome="achieved", position=0)
    factories.ObjectiveFactory(
        mission=delegation, text="Essaimer", outcome="partly", outcome_note="À suivre", position=1
    )
    delegation.projects.set([garage, glanerie])
    factories.MissionFactory(slug="mission-tarnos", partnership=None)
    ecossolies = factories.OrganisationFactory(name="Les Ecossolies", slug="les-ecossolies", country="FR")
    visit = factories.KnowHowTransferFactory(
        slug="visite-apprenante",
        provider=ecossolies,
        format=KnowHowTransfer.Format.COLLECTIVE,
        status=KnowHowTransfer.Status.VALIDATED,
        is_published=True,
        started_on=dt.date(2020, 10, 23),
        ended_on=dt.date(2020, 10, 23),
        programme=garages,
    )
    Beneficiary.objects.create(transfer=visit, structure=tag22)
    Beneficiary.objects.create(transfer=visit, organisation=factories.OrganisationFactory(slug="figeacteurs"))
    visit.projects.set([garage])
    factories.BeneficiaryFactory(transfer=factories.KnowHowTransferFactory(slug="grap-coopilote"))


def through_csv(dataset: tablib.Dataset) -> tablib.Dataset:
    return tablib.Dataset().load(dataset.export("csv"), format="csv")


def through_xlsx(dataset: tablib.Dataset) -> tablib.Dataset:
    return tablib.Dataset().load(dataset.export("xlsx"), format="xlsx")


@pytest.mark.parametrize("key", list(IMPORTABLES))
@pytest.mark.parametrize("through", [through_csv, through_xlsx], ids=["csv", "xlsx"])
def test_an_exported_file_imports_back_with_every_row_unchanged(key, through):
    build_network()
    resource_class = IMPORTABLES[key].resource_class
    before = snapshot()
    rows = resource_class._meta.model.objects.count()
    dataset = through(resource_class().export())

    result = resource_class().import_data(dataset)

    assert not result.has_errors(), [error.error for error in result.base_errors]
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    assert rows >= 2 and [row.import_type for row in result.rows] == [RowResult.IMPORT_TYPE_SKIP] * rows
    assert snapshot() == before


@pytest.mark.parametrize("key", list(IMPORTABLES))
def test_an_export_names_choices_by_their_french_label(key):
    build_network()
    resource = IMPORTABLES[key].resource_class()
    dataset = resource.export()
    choice_fields = [
        field for field in resource.get_export_fields() if isinstance(field.widget, ChoiceWidget)
    ]

    for field in choice_fields:
        written = {value for value in dataset[field.column_name] if value}
        # Labels, except for the mission's time zone, written as its IANA name (« America/Toronto »).
        names = {str(label if field.widget.labels else value) for value, label in field.widget.choices}
        assert written and written <= names, field.column_name
