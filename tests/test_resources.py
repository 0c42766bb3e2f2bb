"""Spreadsheet import and export: French headers, natural keys, whole-file validation."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
import tablib
from django.db import models
from import_export.results import RowResult

from network.models import Departement, Structure, Territory
from network.resources import NaturalKeyResource, StructureResource, TerritoryResource
from programmes.models import Partner, Programme
from programmes.resources import PartnerResource, ProgrammeResource
from projects.models import Project
from projects.resources import ProjectResource
from tests import factories

pytestmark = pytest.mark.django_db


def csv(text: str) -> tablib.Dataset:
    return tablib.Dataset().load(text.strip() + "\n", format="csv")


def make_territories() -> None:
    factories.TerritoryFactory(
        name="Pays de Brest – Carhaix",
        slug="pays-de-brest-carhaix",
        departements=[factories.departement("29")],
        latitude=Decimal("48.39000"),
        longitude=Decimal("-4.48600"),
    )
    factories.TerritoryFactory(
        name="Strasbourg Eurométropole",
        slug="strasbourg-eurometropole",
        kind=Territory.Kind.QPV,
        qpv_code="QN06701M",
        departements=[factories.departement("67")],
    )
    factories.TerritoryFactory(name="Lanaudière", slug="lanaudiere", country=Territory.Country.CANADA)


def make_structures() -> None:
    brest = factories.TerritoryFactory(name="Pays de Brest", slug="pays-de-brest")
    rouen = factories.TerritoryFactory(name="Métropole Rouen Normandie", slug="rouen")
    tag29 = factories.StructureFactory(
        name="TAg29", slug="tag29", departement=factories.departement("29"), city="Brest"
    )
    tag29.territories.set([brest])
    adress = factories.StructureFactory(
        name="ADRESS Normandie",
        slug="adress-normandie",
        labelled=True,
        departement=factories.departement("76"),
    )
    adress.territories.set([rouen, brest])
    factories.StructureFactory(name="Courant Fort", slug="courant-fort", website="https://example.org")


def make_partners() -> None:
    factories.PartnerFactory(name="Fondation PSA", slug="fondation-psa")
    factories.PartnerFactory(
        name="Banque des territoires",
        slug="banque-des-territoires",
        kind=Partner.Kind.PUBLIC_BANK,
        is_national=True,
    )


def make_programmes() -> None:
    factories.ProgrammeFactory(name="Emergence de garages solidaires", slug="garages-solidaires")
    factories.ProgrammeFactory(
        name="Silver Solidarités",
        slug="silver-solidarites",
        start_date=dt.date(2016, 1, 1),
        is_published=False,
    )


def make_projects() -> None:
    programme = factories.ProgrammeFactory(slug="garages-solidaires")
    psa = factories.PartnerFactory(slug="fondation-psa")
    garage = factories.ProjectFactory(title="Garage solidaire du Pays Périgord Vert", programme=programme)
    garage.partners.set([psa])
    factories.ProjectFactory(
        title="La Glanerie",
        stage=Project.Stage.LAUNCHED,
        started_on=dt.date(2019, 9, 1),
        is_published=True,
        published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    factories.ProjectFactory(
        title="Conciergerie solidaire", stage=Project.Stage.ABANDONED, abandon_reason="Pas de porteur trouvé."
    )


EXPORTS: list[tuple[type[NaturalKeyResource], Callable[[], None]]] = [
    (TerritoryResource, make_territories),
    (StructureResource, make_structures),
    (PartnerResource, make_partners),
    (ProgrammeResource, make_programmes),
    (ProjectResource, make_projects),
]


@pytest.mark.parametrize(("resource_class", "make_rows"), EXPORTS, ids=lambda value: value.__name__)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_reimports_unchanged(resource_class, make_rows, file_format):
    make_rows()
    model = resource_class._meta.model
    count = model.objects.count()
    exported = getattr(resource_class().export(), file_format)

    dataset = tablib.Dataset().load(exported, format=file_format)
    result = resource_class().import_data(dataset, dry_run=True)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == [RowResult.IMPORT_TYPE_SKIP] * count
    assert result.totals[RowResult.IMPORT_TYPE_SKIP] == count


@pytest.mark.parametrize(("resource_class", "make_rows"), EXPORTS, ids=lambda value: value.__name__)
def test_export_has_french_headers_and_natural_keys(resource_class, make_rows):
    make_rows()

    dataset = resource_class().export()

    field_names = {field.name for field in resource_class._meta.model._meta.get_fields()}
    assert dataset.headers[1] == "Slug"
    assert field_names.isdisjoint(dataset.headers)


@pytest.mark.parametrize(("resource_class", "make_rows"), EXPORTS, ids=lambda value: value.__name__)
def test_export_runs_a_constant_number_of_queries(resource_class, make_rows, django_assert_max_num_queries):
    make_rows()
    count = resource_class._meta.model.objects.count()

    # A count and a page of rows (with related rows joined), then one query per prefetched relation.
    with django_assert_max_num_queries(3):
        dataset = resource_class().export()

    assert len(dataset) == count


def test_structure_export_names_departement_by_code_and_territories_by_slug():
    make_structures()

    row = next(row for row in StructureResource().export().dict if row["Slug"] == "adress-normandie")

    assert row["Code département"] == "76"
    assert sorted(row["Territoires"].split("|")) == ["pays-de-brest", "rouen"]
    assert row["Phase"] == "Appellation"  # exported as its French label, read back as such


def test_importing_structures_creates_them_with_departement_and_territories():
    factories.TerritoryFactory(slug="pays-de-brest")
    factories.TerritoryFactory(slug="pays-de-morlaix")
    dataset = csv(
        """
Nom,Slug,Forme juridique,Phase,Phase depuis le,Code département,Territoires,Ville
TAg29,tag29,scic,experimentation,2022-01-01,29,pays-de-brest|pays-de-morlaix,Brest
TAg22,tag22,association,candidate,2024-09-01,22,,Saint-Brieuc
"""
    )

    result = StructureResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals[RowResult.IMPORT_TYPE_NEW] == 2
    tag29 = Structure.objects.get(slug="tag29")
    assert tag29.departement == Departement.objects.get(code="29")
    assert sorted(tag29.territories.values_list("slug", flat=True)) == ["pays-de-brest", "pays-de-morlaix"]
    assert tag29.phase_since == dt.date(2022, 1, 1)
    assert Structure.objects.get(slug="tag22").territories.count() == 0


def test_importing_territories_links_departements_by_insee_code():
    dataset = csv(
        """
Nom,Slug,Type,Pays,Codes départements,Code QPV,Latitude,Longitude
Pays Périgord Vert,pays-perigord-vert,pays,FR,24,,45.41000,0.68000
Décines-Charpieu,decines-charpieu,commune,FR,69,,,
Pays de Redon,pays-de-redon,pays,FR,35|44|56,,,
"""
    )

    result = TerritoryResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    redon = Territory.objects.get(slug="pays-de-redon")
    assert sorted(redon.departements.values_list("code", flat=True)) == ["35", "44", "56"]
    assert Territory.objects.get(slug="pays-perigord-vert").latitude == Decimal("45.41")


def test_importing_partners_and_programmes_creates_them():
    partners = csv(
        """
Nom,Slug,Type,Partenaire national,Site web,Présentation
Fondation PSA,fondation-psa,foundation,0,,
ANCT,anct,state,1,https://agence-cohesion-territoires.gouv.fr,
"""
    )
    programmes = csv(
        """
Nom,Slug,Thématique,Résumé,Description,Début,Fin,Publié
Silver Solidarités,silver-solidarites,Bien-vieillir,,,2016-01-01,2018-12-31,1
Catalyseur,catalyseur,Alimentation locale et solidaire,,,2021-01-01,,0
"""
    )

    partner_result = PartnerResource().import_data(partners)
    programme_result = ProgrammeResource().import_data(programmes)

    assert not partner_result.has_validation_errors() and not programme_result.has_validation_errors()
    assert Partner.objects.get(slug="anct").is_national is True
    assert Partner.objects.get(slug="anct").kind == Partner.Kind.STATE
    assert Programme.objects.get(slug="silver-solidarites").end_date == dt.date(2018, 12, 31)
    assert Programme.objects.get(slug="catalyseur").is_published is False


def test_importing_projects_resolves_structure_territory_programme_and_partners_by_slug(staff):
    tag35 = factories.StructureFactory(name="TAg35", slug="tag35")
    retiers = factories.TerritoryFactory(name="Retiers", slug="retiers")
    catalyseur = factories.ProgrammeFactory(name="Catalyseur", slug="catalyseur")
    factories.PartnerFactory(slug="fnc-cuma")
    dataset = csv(
        """
Titre,Slug,Structure,Territoire,Programme,Secteur,Étape,Besoin détecté,Solution,Partenaires,Publié
Épicerie de Retiers,epicerie-retiers,tag35,retiers,catalyseur,food,invention,Rien,Une épicerie,fnc-cuma,1
"""
    )

    result = ProjectResource().import_data(dataset, user=staff)

    assert not result.has_errors() and not result.has_validation_errors()
    project = Project.objects.get(slug="epicerie-retiers")
    assert (project.structure, project.territory, project.programme) == (tag35, retiers, catalyseur)
    assert list(project.partners.values_list("slug", flat=True)) == ["fnc-cuma"]
    assert project.stage == Project.Stage.INVENTION
    assert project.stage_changed_at is not None
    assert project.created_by == staff
    assert project.is_published and project.published_at is not None


def test_unknown_departement_code_is_a_row_error_and_nothing_is_written():
    before = Structure.objects.count()
    dataset = csv(
        """
Nom,Slug,Forme juridique,Phase,Phase depuis le,Code département
TAg22,tag22,association,candidate,2024-09-01,22
Inter-Made,inter-made,association,candidate,2024-09-01,99
"""
    )

    result = StructureResource().import_data(dataset)

    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert list(invalid.field_specific_errors) == ["Code département"]
    assert "« 99 »" in invalid.field_specific_errors["Code département"][0]
    # The valid first row was rolled back with the rest of the file.
    assert Structure.objects.count() == before


def test_unknown_territory_slug_is_refused_not_silently_dropped():
    factories.TerritoryFactory(slug="pays-de-brest")
    dataset = csv(
        """
Nom,Slug,Forme juridique,Phase,Phase depuis le,Territoires
TAg29,tag29,scic,experimentation,2022-01-01,pays-de-brest|pays-inconnu
"""
    )

    result = StructureResource().import_data(dataset)

    assert result.has_validation_errors()
    assert "« pays-inconnu »" in result.invalid_rows[0].field_specific_errors["Territoires"][0]
    assert not Structure.objects.filter(slug="tag29").exists()


def test_invalid_choice_is_reported_under_its_french_column():
    dataset = csv(
        """
Nom,Slug,Type,Partenaire national
Fondation PSA,fondation-psa,mecene,0
"""
    )

    result = PartnerResource().import_data(dataset)

    assert list(result.invalid_rows[0].field_specific_errors) == ["Type"]
    assert not Partner.objects.exists()


def test_import_cannot_change_the_phase_of_an_existing_structure():
    factories.StructureFactory(name="TAg22", slug="tag22", phase=Structure.Phase.EXPERIMENTATION)
    exported = StructureResource().export()
    exported.dict = [{**row, "Phase": "candidate"} for row in exported.dict]

    result = StructureResource().import_data(exported)

    assert list(result.invalid_rows[0].field_specific_errors) == ["Phase"]
    assert Structure.objects.get(slug="tag22").phase == Structure.Phase.EXPERIMENTATION


def test_import_cannot_move_an_existing_project_along_the_pipeline():
    factories.ProjectFactory(slug="garage-solidaire", stage=Project.Stage.DETECTION)
    exported = ProjectResource().export()
    exported.dict = [{**row, "Étape": "invention", "Solution": "Un garage"} for row in exported.dict]

    result = ProjectResource().import_data(exported)

    assert list(result.invalid_rows[0].field_specific_errors) == ["Étape"]
    project = Project.objects.get(slug="garage-solidaire")
    assert (project.stage, project.solution) == (Project.Stage.DETECTION, "")


def test_import_updates_an_existing_project_matched_by_slug():
    factories.ProjectFactory(slug="garage-solidaire", title="Garage solidaire")
    exported = ProjectResource().export()
    exported.dict = [{**row, "Solution": "Un garage associatif"} for row in exported.dict]

    result = ProjectResource().import_data(exported)

    assert result.totals[RowResult.IMPORT_TYPE_UPDATE] == 1
    assert Project.objects.get().solution == "Un garage associatif"


def test_dry_run_writes_nothing():
    dataset = csv(
        """
Nom,Slug,Type,Partenaire national
Fondation PSA,fondation-psa,foundation,0
"""
    )

    result = PartnerResource().import_data(dataset, dry_run=True)

    assert result.totals[RowResult.IMPORT_TYPE_NEW] == 1
    assert not Partner.objects.exists()


def test_every_resource_matches_rows_by_slug():
    for resource_class, _make_rows in EXPORTS:
        resource = resource_class()
        assert resource.get_import_id_fields() == ["slug"]
        assert resource.fields["slug"].column_name == "Slug"
        assert isinstance(resource._meta.model._meta.get_field("slug"), models.SlugField)
