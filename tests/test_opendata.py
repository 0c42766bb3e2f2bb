"""Open data, /donnees/: the published projects only, their public fields only, as streamed CSV and JSON
readable from any site, and the page documenting every field."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from network.models import Territory
from projects.models import Project
from projects.views import opendata
from tests import factories

pytestmark = pytest.mark.django_db

PAGE_URL = reverse("projects:opendata")
CSV_URL = reverse("projects:opendata_csv")
JSON_URL = reverse("projects:opendata_json")
PUBLISHED = {"is_published": True, "published_at": dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)}
ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]


@pytest.fixture
def as_role(request, client):
    """The client logged in as the role named by the test's parameter (or left anonymous)."""

    def login(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.fixture
def projects(tag22, atis, partner_user):
    programme = factories.ProgrammeFactory(name="Garages solidaires", slug="garages")
    factories.FundingFactory(partner=partner_user.partner_memberships.get().partner, programme=programme)
    guingamp = factories.TerritoryFactory(
        name="Pays de Guingamp", slug="guingamp", kind=Territory.Kind.RURAL,
        departements=[factories.departement("22"), factories.departement("29")],
    )  # fmt: skip
    garage = factories.ProjectFactory(
        title="Garage solidaire", slug="garage", structure=tag22, territory=guingamp, programme=programme,
        stage=Project.Stage.LAUNCHED, started_on=dt.date(2025, 9, 1), solution="Un garage associatif.",
        study_conclusion=Project.StudyConclusion.FAVOURABLE, **PUBLISHED,
    )  # fmt: skip
    factories.HolderAssignmentFactory(project=garage, holder_name="Claude Secret", note="note interne")
    factories.DocumentFactory(project=garage, title="Budget confidentiel")
    tiers_lieu = factories.ProjectFactory(title="Tiers-lieu", slug="tiers-lieu", structure=atis, **PUBLISHED)
    # Drafts each role could see in the directory: the coordinator's, the funded programme's.
    factories.ProjectFactory(title="Brouillon TAg22", slug="brouillon-tag22", structure=tag22)
    factories.ProjectFactory(title="Brouillon PSA", slug="brouillon-psa", structure=atis, programme=programme)
    return garage, tiers_lieu


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def read_json(response) -> list[dict]:
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize("role", ROLES)
def test_csv_holds_the_published_projects_only_whoever_asks(as_role, projects, role):
    rows = read_csv(as_role(role).get(CSV_URL))
    assert sorted(row[1] for row in rows[1:]) == ["garage", "tiers-lieu"]


@pytest.mark.parametrize("role", ROLES)
def test_json_holds_the_published_projects_only_whoever_asks(as_role, projects, role):
    records = read_json(as_role(role).get(JSON_URL))
    assert [record["slug"] for record in records] == ["garage", "tiers-lieu"]


def test_csv_is_a_streamed_utf8_file_with_the_documented_snake_case_header(client, projects):
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="projets.csv"'
    rows = read_csv(response)
    assert rows[0] == [field.name for field in opendata.FIELDS]
    assert rows[0][:3] == ["title", "slug", "url"]


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_files_are_readable_from_any_site_and_cached_five_minutes(client, projects, url):
    response = client.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=300"}


def test_json_is_a_streamed_list_with_iso_dates_and_every_public_field(client, projects):
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    garage, tiers_lieu = read_json(response)
    assert garage == {
        "title": "Garage solidaire",
        "slug": "garage",
        "url": "http://testserver/projets/garage/",
        "structure_name": "TAg22",
        "structure_slug": "tag22",
        "territory_name": "Pays de Guingamp",
        "territory_kind": "rural",
        "departements": ["22", "29"],
        "regions": ["Bretagne"],
        "programme_slug": "garages",
        "programme_name": "Garages solidaires",
        "sector": "mobility",
        "sector_label": "Mobilité",
        "stage": "launched",
        "stage_label": "Lancé",
        "published_at": "2025-01-15T10:30:00+01:00",
        "started_on": "2025-09-01",
        "need": "Des habitants sans solution de mobilité pour aller travailler.",
        "solution": "Un garage associatif.",
        "study_conclusion": "favourable",
        "study_conclusion_label": "Favorable",
    }
    assert tiers_lieu["programme_slug"] is None
    assert tiers_lieu["started_on"] is None


def test_csv_row_has_the_same_values_as_the_json_record(client, projects):
    header, garage_row, _ = read_csv(client.get(CSV_URL))
    garage = dict(zip(header, garage_row, strict=True))
    assert garage["departements"] == "22, 29"
    assert garage["published_at"] == "2025-01-15T10:30:00+01:00"
    assert garage["stage_label"] == "Lancé"
    assert garage["programme_slug"] == "garages"


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_files_never_hold_holders_notes_or_documents(client, projects, staff, url):
    client.force_login(staff)
    body = b"".join(client.get(url).streaming_content).decode("utf-8")
    assert "Garage solidaire" in body
    for private in ("Claude Secret", "note interne", "Budget confidentiel"):
        assert private not in body


def test_labels_stay_french_whatever_the_visitors_language(client, projects):
    client.cookies["django_language"] = "en"
    garage = read_json(client.get(JSON_URL))[0]
    assert garage["stage_label"] == "Lancé"


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped(client, tag22):
    factories.ProjectFactory(title='=HYPERLINK("http://x")', need="-2+3", structure=tag22, **PUBLISHED)
    header, row = read_csv(client.get(CSV_URL))
    record = dict(zip(header, row, strict=True))
    assert record["title"] == '\'=HYPERLINK("http://x")'
    assert record["need"] == "'-2+3"


def test_json_keeps_the_text_as_written(client, tag22):
    factories.ProjectFactory(title="=1+1", structure=tag22, **PUBLISHED)
    assert read_json(client.get(JSON_URL))[0]["title"] == "=1+1"


def test_files_without_published_projects_are_a_header_and_an_empty_list(client, tag22):
    factories.ProjectFactory(structure=tag22)
    assert read_csv(client.get(CSV_URL)) == [[field.name for field in opendata.FIELDS]]
    assert read_json(client.get(JSON_URL)) == []


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
@pytest.mark.parametrize("count", [1, 6])
def test_files_run_the_same_queries_for_one_or_many_projects(
    client, staff, tag22, url, count, django_assert_num_queries
):
    territory = factories.TerritoryFactory(departements=[factories.departement("22")])
    for number in range(count):
        factories.ProjectFactory(slug=f"p{number}", structure=tag22, territory=territory, **PUBLISHED)
    client.force_login(staff)  # a logged-in user costs nothing: the files never read who asks
    response = client.get(url)
    # the published projects with structure, territory and programme · their départements with région
    with django_assert_num_queries(2):
        body = b"".join(response.streaming_content)
    assert body.count(b"/projets/p") == count  # one row per project, no more


def test_files_read_the_projects_in_chunks_while_they_stream(
    client, tag22, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(opendata, "CHUNK_SIZE", 2)
    for number in range(5):
        factories.ProjectFactory(slug=f"p{number}", structure=tag22, **PUBLISHED)
    chunks = iter(client.get(JSON_URL).streaming_content)
    with django_assert_num_queries(0):
        next(chunks)  # the opening bracket: nothing read yet
    # the projects (read two rows at a time) · the départements of the first chunk
    with django_assert_num_queries(2):
        next(chunks)
    # the départements of the second and third chunks: the rows were never all loaded at once
    with django_assert_num_queries(2):
        list(chunks)


def test_every_documented_field_is_in_the_records_and_nothing_else(projects):
    garage = Project.objects.get(slug="garage")
    record = opendata.RecordBuilder("https://exemple.fr/projets/__slug__/").record(garage)
    assert list(record) == [field.name for field in opendata.FIELDS]


@pytest.mark.parametrize("role", ROLES)
def test_page_documents_every_field_for_everyone(as_role, projects, role):
    response = as_role(role).get(PAGE_URL)
    assert response.status_code == 200
    content = response.content.decode()
    for field in opendata.FIELDS:
        assert f"<code>{field.name}</code>" in content
    assert "Licence Ouverte / Etalab 2.0" in content
    assert f'href="{CSV_URL}"' in content
    assert f'href="{JSON_URL}"' in content
    assert 'href="/reseau/structures.geojson"' in content
    assert "Les fichiers contiennent 2 projets publiés." in content


def test_page_says_when_nothing_is_published_yet(client, tag22):
    factories.ProjectFactory(structure=tag22)
    content = client.get(PAGE_URL).content.decode()
    assert "Aucun projet n'est encore publié" in content
    assert "projets publiés." not in content


def test_page_query_count_does_not_grow_with_the_projects(client, tag22, django_assert_num_queries):
    factories.ProjectFactory(structure=tag22, **PUBLISHED)
    # the count of published projects (anonymous: base.html reads no user)
    with django_assert_num_queries(1):
        client.get(PAGE_URL)
    for number in range(5):
        factories.ProjectFactory(slug=f"p{number}", structure=tag22, **PUBLISHED)
    with django_assert_num_queries(1):
        client.get(PAGE_URL)


def test_footer_links_to_the_open_data_page(client):
    content = client.get(reverse("home")).content.decode()
    assert f'<a href="{PAGE_URL}">Données ouvertes</a>' in content
