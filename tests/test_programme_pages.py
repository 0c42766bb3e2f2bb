"""The public programme pages: the list /programmes/ and a programme's page /programmes/<slug>/ (period,
partners and amounts, participating structures, the funnel and the jobs of all its projects, its published
projects by name). Who sees what, empty states, French formatting and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from network.models import Structure
from programmes.models import Funding
from programmes.views import PAGE_SIZE, format_euros
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = reverse("programmes:list")
ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]
PUBLISHED = {"is_published": True, "published_at": dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC)}
NBSP = "\xa0"


@pytest.fixture
def login(client, request):
    """Signs in as the role fixture named (or stays anonymous) and returns the client."""

    def sign_in(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in


@pytest.fixture
def garages():
    return factories.ProgrammeFactory(
        name="Garages solidaires", slug="garages-solidaires",
        start_date=dt.date(2021, 1, 1), end_date=dt.date(2023, 12, 31),
    )  # fmt: skip


def detail_url(programme) -> str:
    return reverse("programmes:detail", args=[programme.slug])


def launched(**kwargs) -> Project:
    return factories.ProjectFactory(stage=Project.Stage.LAUNCHED, started_on=dt.date(2024, 1, 1), **kwargs)


# --- The list -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_programme_list_shows_only_published_programmes_to_everyone(login, role, garages):
    factories.ProgrammeFactory(name="Programme en préparation", is_published=False)

    response = login(role).get(LIST_URL)

    assert response.status_code == 200
    assert [programme.name for programme in response.context["programmes"]] == ["Garages solidaires"]
    assert "Programme en préparation" not in response.content.decode()


def test_programme_list_links_each_programme_with_its_period(client, garages):
    html = client.get(LIST_URL).content.decode()

    assert f'href="{detail_url(garages)}"' in html
    assert "du 1er janvier 2021 au 31 décembre 2023" in html


def test_programme_list_counts_distinct_structures_and_only_published_projects(client, garages, tag22):
    factories.ParticipationFactory(programme=garages, structure=tag22)
    factories.ParticipationFactory(programme=garages, structure=tag22, start_date=dt.date(2022, 1, 1))
    factories.ParticipationFactory(programme=garages)
    factories.ProjectFactory(programme=garages, **PUBLISHED)
    factories.ProjectFactory(programme=garages)  # not published: not counted on the list

    (programme,) = client.get(LIST_URL).context["programmes"]

    assert (programme.structure_count, programme.published_count) == (2, 1)


def test_programme_list_says_when_no_programme_is_published(client):
    factories.ProgrammeFactory(is_published=False)

    assert "Aucun programme publié pour le moment." in client.get(LIST_URL).content.decode()


def test_programme_list_runs_one_query_for_one_or_twenty_programmes(client, django_assert_num_queries):
    def add(count: int) -> None:
        for programme in factories.ProgrammeFactory.create_batch(count):
            factories.ParticipationFactory(programme=programme)
            factories.ProjectFactory(programme=programme, **PUBLISHED)

    add(1)
    # the published programmes with their structures and published projects counted in subqueries
    with django_assert_num_queries(1):
        assert len(client.get(LIST_URL).context["programmes"]) == 1
    add(19)
    with django_assert_num_queries(1):
        assert len(client.get(LIST_URL).context["programmes"]) == 20


def test_site_navigation_links_to_programmes_after_the_network(client, garages):
    html = client.get(detail_url(garages)).content.decode()

    network = html.index(f'href="{reverse("network:directory")}"')
    programmes = html.index(f'href="{LIST_URL}" aria-current="page">Programmes<')
    assert network < programmes


# --- A programme's page: who may read it ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_published_programmes_page(login, role, garages):
    response = login(role).get(detail_url(garages))

    assert response.status_code == 200
    assert response.context["programme"] == garages


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_programme_has_no_public_page_even_for_staff(login, role):
    draft = factories.ProgrammeFactory(is_published=False)

    assert login(role).get(detail_url(draft)).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_unknown_programme_slug_is_404(login, role):
    assert login(role).get(reverse("programmes:detail", args=["inconnu"])).status_code == 404


def test_programme_pages_refuse_post(client, garages):
    assert client.post(LIST_URL).status_code == 405
    assert client.post(detail_url(garages)).status_code == 405


# --- A programme's page: projects, funnel, jobs --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_programme_page_names_only_published_projects_whoever_reads(login, role, garages, tag22):
    shown = factories.ProjectFactory(
        title="Garage de Guingamp", programme=garages, structure=tag22, **PUBLISHED
    )
    factories.ProjectFactory(title="Idée confidentielle", programme=garages, structure=tag22)
    factories.ProjectFactory(title="Garage d'un autre programme", **PUBLISHED)

    response = login(role).get(detail_url(garages))

    html = response.content.decode()
    assert list(response.context["page_obj"]) == [shown]
    assert f'href="{reverse("projects:detail", args=[shown.slug])}"' in html
    assert "Idée confidentielle" not in html
    assert "Garage d'un autre programme" not in html


def test_funnel_counts_every_project_of_the_programme_published_or_not(client, garages):
    factories.ProjectFactory(programme=garages)  # detected
    factories.ProjectFactory(programme=garages, stage=Project.Stage.INVENTION, **PUBLISHED)
    launched(programme=garages)
    # Abandoned in invention: counts for detection and invention, not for launch.
    gave_up = factories.ProjectFactory(
        programme=garages, stage=Project.Stage.ABANDONED, abandon_reason="Pas de porteur."
    )
    factories.StageChangeFactory(project=gave_up, to_stage=Project.Stage.INVENTION)
    launched()  # outside the programme

    response = client.get(detail_url(garages))

    figures = response.context["figures"]
    assert figures.funnel == (4, 3, 1, 1)
    assert figures.abandoned == 1
    assert [(step.label, step.count) for step in response.context["steps"]] == [
        ("Détecter", 4), ("Inventer", 3), ("Lancer", 1), ("Lancé", 1)
    ]  # fmt: skip
    html = response.content.decode()
    assert "<caption>Nombre de projets ayant atteint chaque étape de la méthode</caption>" in html
    assert 'role="img"' in html
    # The chart's text alternative holds every number (spaces compared whatever their kind).
    assert "Détecter : 4 ; Inventer : 3 ; Lancer : 1 ; Lancé : 1" in html.replace(NBSP, " ")
    assert f"75,0{NBSP}%" in html.replace("&nbsp;", NBSP)  # 3 of the 4 detected projects reached invention


def test_jobs_created_sum_the_latest_measure_of_each_project_of_the_programme(client, garages):
    first, second = launched(programme=garages), launched(programme=garages)
    factories.IndicatorFactory(project=first, value=2, measured_on=dt.date(2023, 12, 31))
    factories.IndicatorFactory(project=first, value=3, measured_on=dt.date(2024, 12, 31))  # the latest
    factories.IndicatorFactory(project=second, value=Decimal("1.5"))
    factories.IndicatorFactory(project=launched(), value=10)  # outside the programme

    response = client.get(detail_url(garages))

    assert response.context["figures"].jobs == Decimal("4.5")
    assert 'data-figure="jobs">4,5' in response.content.decode()


def test_programme_without_projects_says_so_instead_of_an_empty_funnel(client, garages):
    html = client.get(detail_url(garages)).content.decode()

    assert "Aucun projet n'a encore été détecté dans ce programme." in html
    assert "Aucun projet de ce programme n'est encore publié." in html
    assert 'role="img"' not in html


def test_published_projects_are_listed_twenty_a_page(client, garages):
    factories.ProjectFactory.create_batch(PAGE_SIZE + 1, programme=garages, **PUBLISHED)

    first = client.get(detail_url(garages))
    second = client.get(detail_url(garages), {"page": 2})

    assert len(first.context["page_obj"]) == PAGE_SIZE
    assert len(second.context["page_obj"]) == 1
    assert 'rel="next"' in first.content.decode()


# --- A programme's page: partners and participations ---------------------------------------------------


def test_funders_are_listed_with_their_role_and_amount_in_french(client, garages):
    factories.FundingFactory(programme=garages, partner__name="Fondation PSA", amount=Decimal("150000"))
    factories.FundingFactory(
        programme=garages, partner__name="ANCT", role=Funding.Role.CO_OPERATOR, amount=None
    )

    html = client.get(detail_url(garages)).content.decode()

    assert f"150{NBSP}000{NBSP}€" in html
    assert "Financeur" in html and "Co-opérateur" in html
    assert "non communiqué" in html


def test_euro_amounts_show_cents_only_when_there_are_some():
    assert format_euros(Decimal("150000.00")) == f"150{NBSP}000{NBSP}€"
    assert format_euros(Decimal("2500.5")) == f"2{NBSP}500,50{NBSP}€"


def test_participating_structure_links_to_its_page_only_when_that_page_is_public(client, garages, tag22):
    candidate = factories.StructureFactory(name="Fabrique en projet", phase=Structure.Phase.CANDIDATE)
    factories.ParticipationFactory(programme=garages, structure=tag22, territory__name="Pays de Guingamp")
    factories.ParticipationFactory(programme=garages, structure=candidate)

    html = client.get(detail_url(garages)).content.decode()

    assert f'<a href="{reverse("network:detail", args=[tag22.slug])}">TAg22</a>' in html
    assert "Pays de Guingamp" in html
    assert "depuis le 1er janvier 2020" in html
    assert "Fabrique en projet" in html
    assert reverse("network:detail", args=[candidate.slug]) not in html


def test_programme_without_partners_or_structures_says_so(client, garages):
    html = client.get(detail_url(garages)).content.decode()

    assert "Aucun partenaire n'est encore renseigné pour ce programme." in html
    assert "Aucune structure ne participe encore à ce programme." in html


# --- Query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_programme_page_runs_the_same_queries_for_one_and_twenty_rows(
    login, role, garages, django_assert_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            project = launched(programme=garages, **PUBLISHED)
            factories.IndicatorFactory(project=project)
            factories.FundingFactory(programme=garages)
            factories.ParticipationFactory(programme=garages)

    client = login(role)
    # A signed-in reader adds two: the session and the user.
    signed_in = 0 if role == "anonymous" else 2
    add(1)
    # the programme · the funnel's counts · the jobs · the partners with their organisation · the
    # participations with structure and territory · the published projects counted · the page of them
    with django_assert_num_queries(7 + signed_in):
        assert len(client.get(detail_url(garages)).context["page_obj"]) == 1
    add(19)
    with django_assert_num_queries(7 + signed_in):
        assert len(client.get(detail_url(garages)).context["page_obj"]) == 20


def test_partners_are_listed_lead_first_then_funders_by_amount(client, garages):
    factories.FundingFactory(programme=garages, partner__name="Petit financeur", amount=Decimal("1000"))
    factories.FundingFactory(programme=garages, partner__name="Hôte", role=Funding.Role.HOST, amount=None)
    factories.FundingFactory(programme=garages, partner__name="Grand financeur", amount=Decimal("90000"))
    factories.FundingFactory(programme=garages, partner__name="Avise", role=Funding.Role.LEAD)

    fundings = client.get(detail_url(garages)).context["fundings"]

    assert [funding.partner.name for funding in fundings] == [
        "Avise", "Grand financeur", "Petit financeur", "Hôte"
    ]  # fmt: skip
