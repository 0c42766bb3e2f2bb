"""The CSV export of the directory, /projets/export.csv: same visibility, filters and sort as the page,
French Excel format, formula-safe cells, streamed in chunks."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Territory
from projects.models import Project
from projects.views import export
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("projects:export")
PUBLISHED = {"is_published": True, "published_at": dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC)}


@pytest.fixture
def psa_programme(partner_user):
    programme = factories.ProgrammeFactory(name="Emergence de garages solidaires", slug="garages-solidaires")
    factories.FundingFactory(partner=partner_user.partner_memberships.get().partner, programme=programme)
    return programme


@pytest.fixture
def projects(tag22, atis, psa_programme):
    guingamp = factories.TerritoryFactory(
        name="Pays de Guingamp", kind=Territory.Kind.RURAL, departements=[factories.departement("22")]
    )
    epicerie = factories.ProjectFactory(
        title="Épicerie solidaire", slug="epicerie", structure=tag22, territory=guingamp,
        sector=Project.Sector.FOOD, stage=Project.Stage.INVENTION, **PUBLISHED,
    )  # fmt: skip
    return [
        epicerie,
        factories.ProjectFactory(
            title="Tiers-lieu La Manuco", slug="tiers-lieu", structure=atis, **PUBLISHED
        ),
        factories.ProjectFactory(title="Conciergerie solidaire", slug="conciergerie", structure=tag22),
        factories.ProjectFactory(
            title="Garage solidaire", slug="garage", structure=atis, programme=psa_programme
        ),
    ]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def titles(response) -> list[str]:
    return sorted(line[0] for line in read_csv(response)[1:])


def test_export_is_a_streamed_utf8_csv_for_french_excel(client, projects):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.streaming
    assert not response.has_header("Content-Length")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="projets-{today}.csv"'
    lines = read_csv(response)
    assert lines[0] == [
        "Titre",
        "Étape",
        "Secteur",
        "Structure",
        "Territoire",
        "Type de territoire",
        "Départements",
        "Programme",
        "Besoin détecté",
        "Solution imaginée",
        "Publié",
        "Créé le",
        "Mis à jour le",
        "Adresse de la fiche",
    ]


def test_export_cells_are_in_french(client, projects):
    row = next(line for line in read_csv(client.get(URL)) if line[0] == "Épicerie solidaire")
    created = timezone.localdate(projects[0].created_at).strftime("%d/%m/%Y")
    assert row[1:8] == ["Inventer", "Alimentation", "TAg22", "Pays de Guingamp", "Territoire rural",
                        "Côtes-d'Armor (22)", ""]  # fmt: skip
    assert row[10:13] == ["oui", created, created]
    assert row[13] == "http://testserver" + reverse("projects:detail", args=["epicerie"])


def test_anonymous_export_holds_the_published_projects_only(client, projects):
    assert titles(client.get(URL)) == ["Tiers-lieu La Manuco", "Épicerie solidaire"]


def test_coordinator_export_adds_their_structures_drafts(client, projects, coordinator):
    client.force_login(coordinator)
    assert titles(client.get(URL)) == ["Conciergerie solidaire", "Tiers-lieu La Manuco", "Épicerie solidaire"]


def test_outsider_export_does_not_hold_tag22_drafts(client, projects, outsider):
    client.force_login(outsider)  # coordinator of ATIS: sees ATIS's draft, not TAg22's
    assert titles(client.get(URL)) == ["Garage solidaire", "Tiers-lieu La Manuco", "Épicerie solidaire"]


def test_partner_export_adds_the_drafts_of_the_programmes_it_funds(client, projects, partner_user):
    client.force_login(partner_user)
    assert titles(client.get(URL)) == ["Garage solidaire", "Tiers-lieu La Manuco", "Épicerie solidaire"]


def test_staff_export_holds_every_project(client, projects, staff):
    client.force_login(staff)
    assert len(read_csv(client.get(URL))) == 1 + 4


def test_export_applies_the_filters_and_the_sort_of_the_directory(client, projects, staff):
    client.force_login(staff)
    lines = read_csv(client.get(f"{URL}?q=solidaire&structure=tag22&tri=titre"))
    assert [line[0] for line in lines[1:]] == ["Conciergerie solidaire", "Épicerie solidaire"]


def test_export_ignores_invalid_filters_like_the_page(client, projects):
    assert titles(client.get(f"{URL}?stage=bientot&sector=food")) == ["Épicerie solidaire"]


@pytest.mark.parametrize(
    "dangerous", ['=HYPERLINK("http://x.example","clic")', "+33 6 00", "-1+1", "@SUM(A1)"]
)
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped(client, tag22, dangerous):
    factories.ProjectFactory(title=dangerous, need=dangerous, structure=tag22, **PUBLISHED)
    row = read_csv(client.get(URL))[1]
    assert row[0] == "'" + dangerous
    assert row[8] == "'" + dangerous


def test_a_formula_behind_an_apostrophe_gets_one_more_as_in_every_export(client, tag22):
    # The staff exports' rule (their import drops one apostrophe before a formula start): one escape rule.
    factories.ProjectFactory(title="'=1+1", structure=tag22, **PUBLISHED)
    assert read_csv(client.get(URL))[1][0] == "''=1+1"


def test_export_reads_the_projects_in_chunks_while_it_streams(
    client, tag22, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    for number in range(5):
        factories.ProjectFactory(title=f"Projet {number}", structure=tag22, **PUBLISHED)
    response = client.get(URL)
    lines = iter(response.streaming_content)
    with django_assert_num_queries(0):
        next(lines)  # the header: nothing read yet
    # the projects (a cursor read two rows at a time) · the départements of the first chunk
    with django_assert_num_queries(2):
        next(lines)
    # the départements of the second and third chunks: the rows were never all loaded at once
    with django_assert_num_queries(2):
        assert len(list(lines)) == 4
