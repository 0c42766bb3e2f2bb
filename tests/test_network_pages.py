"""The network's public pages: the directory /reseau/ (phase badges, filters by région and phase, pages)
and a structure's page /reseau/<slug>/ (territories, programmes, published projects). Who sees what,
empty states, and query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from network.models import Structure, Territory
from network.views import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("network:directory")
PUBLISHED = {"is_published": True, "published_at": dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC)}
ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]
HIDDEN_PHASES = [Structure.Phase.CANDIDATE, Structure.Phase.SUSPENDED, Structure.Phase.WITHDRAWN]


@pytest.fixture
def login(client, request):
    """Signs in as the role fixture named (or stays anonymous) and returns the client."""

    def sign_in(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in


def detail_url(structure: Structure) -> str:
    return reverse("network:detail", args=[structure.slug])


def listed(response) -> list[str]:
    return [structure.name for structure in response.context["object_list"]]


@pytest.fixture
def pays_de_guingamp():
    return factories.TerritoryFactory(
        name="Pays de Guingamp", slug="pays-de-guingamp", kind=Territory.Kind.RURAL,
        departements=[factories.departement("22"), factories.departement("29")],
    )  # fmt: skip


@pytest.fixture
def bordeaux():
    return factories.TerritoryFactory(
        name="Bordeaux Métropole", slug="bordeaux-metropole", kind=Territory.Kind.INTERCOMMUNALITE,
        departements=[factories.departement("33")],
    )  # fmt: skip


# --- The directory: who sees it, what it lists ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_directory_of_the_public_structures_only(login, role, tag22, atis):
    for phase in HIDDEN_PHASES:
        factories.StructureFactory(name=f"Cachée {phase}", phase=phase)
    factories.StructureFactory(name="Adress Normandie", phase=Structure.Phase.APPLICATION)

    response = login(role).get(URL)

    assert response.status_code == 200
    # Staff and the structure's own coordinator see the same list: this is the public directory.
    assert listed(response) == ["Adress Normandie", "ATIS", "TAg22"]


def test_directory_shows_each_structures_phase_badge_with_the_date_it_began(client, tag22, atis):
    Structure.objects.filter(pk=atis.pk).update(phase_since=dt.date(2021, 6, 1))

    html = client.get(URL).content.decode()

    assert '<span class="phase-badge phase-badge--experimentation">Expérimentation</span>' in html
    assert "depuis le 1er janvier 2023" in html
    assert '<span class="phase-badge phase-badge--labelled">Appellation</span>' in html
    assert "depuis le 1er juin 2021" in html


def test_directory_card_shows_seat_territories_and_published_project_count(client, tag22, pays_de_guingamp):
    Structure.objects.filter(pk=tag22.pk).update(city="Saint-Brieuc", departement=factories.departement("22"))
    tag22.territories.add(pays_de_guingamp)
    factories.ProjectFactory(structure=tag22, territory=pays_de_guingamp, **PUBLISHED)
    factories.ProjectFactory(structure=tag22, territory=pays_de_guingamp)  # a draft: not counted

    response = client.get(URL)

    html = response.content.decode()
    assert f'<a href="{detail_url(tag22)}">TAg22</a>' in html
    assert "Saint-Brieuc, Côtes-d&#x27;Armor (22) — Bretagne" in html
    assert "Pays de Guingamp" in html
    assert response.context["object_list"][0].published_projects == 1


def test_directory_says_so_when_no_structure_is_public_yet(client):
    factories.StructureFactory(phase=Structure.Phase.CANDIDATE)

    html = client.get(URL).content.decode()

    assert "Aucune structure n'est encore présentée dans l'annuaire du réseau." in html


def test_directory_marks_its_link_in_the_site_navigation_as_the_current_page(client):
    html = client.get(URL).content.decode()

    assert f'<a href="{URL}" aria-current="page">Réseau</a>' in html


# --- Filters ---------------------------------------------------------------------------------------------


def test_region_filter_keeps_structures_seated_in_the_region(client, tag22, atis):
    Structure.objects.filter(pk=tag22.pk).update(departement=factories.departement("22"))
    Structure.objects.filter(pk=atis.pk).update(departement=factories.departement("33"))

    assert listed(client.get(URL, {"region": "53"})) == ["TAg22"]
    assert listed(client.get(URL, {"region": "75"})) == ["ATIS"]


def test_region_filter_keeps_structures_acting_on_a_territory_of_the_region_once(
    client, tag22, atis, pays_de_guingamp
):
    # Two territories in Bretagne: the structure must still be listed once.
    tag22.territories.add(
        pays_de_guingamp, factories.TerritoryFactory(departements=[factories.departement("35")])
    )

    assert listed(client.get(URL, {"region": "53"})) == ["TAg22"]


def test_phase_filter_keeps_the_structures_in_that_phase(client, tag22, atis):
    assert listed(client.get(URL, {"phase": "labelled"})) == ["ATIS"]
    assert listed(client.get(URL, {"phase": "experimentation"})) == ["TAg22"]


def test_phase_filter_cannot_reveal_a_hidden_phase(client, tag22):
    factories.StructureFactory(name="Candidate", phase=Structure.Phase.CANDIDATE)

    response = client.get(URL, {"phase": "candidate"})

    assert "Candidate" not in listed(response)
    assert response.context["filter"].form.errors["phase"]


def test_unknown_region_code_is_reported_and_ignored(client, tag22, atis):
    response = client.get(URL, {"region": "99"})

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert listed(response) == ["ATIS", "TAg22"]


def test_filters_matching_nothing_say_so_and_offer_to_clear_them(client, tag22):
    html = client.get(URL, {"phase": "labelled"}).content.decode()

    assert "Aucune structure ne correspond à ces filtres." in html
    assert "Effacer les filtres" in html


def test_filter_form_has_labelled_fields_and_only_public_phases(client):
    html = client.get(URL).content.decode()

    assert '<label for="id_region">Région' in html
    assert '<label for="id_phase">Phase' in html
    assert '<option value="53">Bretagne</option>' in html
    assert 'value="candidate"' not in html
    assert 'value="withdrawn"' not in html


def test_region_filter_lists_the_regions_in_reading_order(client):
    html = client.get(URL).content.decode()

    # « Île-de-France » among the I, not after « Provence » as a byte order would put it.
    assert html.index(">Hauts-de-France<") < html.index(">Île-de-France<") < html.index(">La Réunion<")


def test_region_filter_adds_one_query_to_check_the_region_chosen(client, tag22, django_assert_num_queries):
    Structure.objects.filter(pk=tag22.pk).update(departement=factories.departement("22"))
    # the régions to check the choice · the count · the page's structures · their territories · the
    # régions of the form
    with django_assert_num_queries(5):
        assert listed(client.get(URL, {"region": "53"})) == ["TAg22"]


# --- Pages -------------------------------------------------------------------------------------------------


def test_directory_shows_twenty_five_structures_a_page_and_keeps_the_filters_in_page_links(client):
    factories.StructureFactory.create_batch(
        PAGE_SIZE + 1, phase=Structure.Phase.LABELLED, labelled_on=dt.date(2022, 1, 1)
    )

    first = client.get(URL, {"phase": "labelled"})
    second = client.get(URL, {"phase": "labelled", "page": 2})

    assert len(listed(first)) == PAGE_SIZE
    assert len(listed(second)) == 1
    assert "?phase=labelled&amp;page=2" in first.content.decode()
    assert "26 structures" in first.content.decode()


def test_directory_runs_the_same_queries_for_one_and_thirty_structures(
    client, pays_de_guingamp, django_assert_num_queries
):
    def add(count: int) -> None:
        for structure in factories.StructureFactory.create_batch(
            count, departement=factories.departement("22")
        ):
            structure.territories.add(pays_de_guingamp)
            factories.ProjectFactory(structure=structure, territory=pays_de_guingamp, **PUBLISHED)

    add(1)
    # the count · the page's structures with their seat, its région and their published projects counted
    # · their territories · the régions of the filter
    with django_assert_num_queries(4):
        assert len(listed(client.get(URL))) == 1
    add(29)
    with django_assert_num_queries(4):
        assert len(listed(client.get(URL))) == PAGE_SIZE


# --- A structure's page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_a_public_structures_page(login, role, tag22, atis):
    response = login(role).get(detail_url(tag22))

    assert response.status_code == 200
    assert response.context["structure"] == tag22


@pytest.mark.parametrize("phase", HIDDEN_PHASES)
@pytest.mark.parametrize("role", ROLES)
def test_nobody_sees_the_page_of_a_candidate_suspended_or_withdrawn_structure(
    login, role, phase, tag22, atis
):
    # Even its own coordinator and the staff: they follow it in the administration, not on the public site.
    Structure.objects.filter(pk=tag22.pk).update(phase=phase)

    assert login(role).get(detail_url(tag22)).status_code == 404


def test_unknown_structure_is_404(client):
    assert client.get(reverse("network:detail", args=["inconnue"])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_structure_page_lists_its_published_projects_only_whoever_reads(
    login, role, tag22, atis, pays_de_guingamp
):
    published = factories.ProjectFactory(
        title="Garage solidaire de Guingamp", structure=tag22, territory=pays_de_guingamp, **PUBLISHED
    )
    factories.ProjectFactory(title="Brouillon de TAg22", structure=tag22, territory=pays_de_guingamp)
    factories.ProjectFactory(title="Projet d'ATIS", structure=atis, territory=pays_de_guingamp, **PUBLISHED)

    html = login(role).get(detail_url(tag22)).content.decode()

    assert (
        f'<a href="{reverse("projects:detail", args=[published.slug])}">Garage solidaire de Guingamp</a>'
        in html
    )
    assert "Brouillon de TAg22" not in html
    assert "ATIS" not in html


def test_structure_page_shows_territories_with_their_kind_and_departements(client, tag22, pays_de_guingamp):
    tag22.territories.add(pays_de_guingamp)

    html = client.get(detail_url(tag22)).content.decode()

    assert "<strong>Pays de Guingamp</strong> — Territoire rural" in html
    assert "Côtes-d&#x27;Armor (22), Finistère (29)" in html


def test_structure_page_shows_published_programmes_it_takes_part_in_with_territory_and_period(
    client, tag22, pays_de_guingamp, bordeaux
):
    garages = factories.ProgrammeFactory(name="Emergence de garages solidaires")
    factories.ParticipationFactory(
        programme=garages, structure=tag22, territory=pays_de_guingamp,
        start_date=dt.date(2020, 3, 1), end_date=dt.date(2021, 12, 31),
    )  # fmt: skip
    factories.ParticipationFactory(
        programme=garages, structure=tag22, territory=bordeaux, start_date=dt.date(2022, 2, 1)
    )
    hidden = factories.ProgrammeFactory(name="Programme en préparation", is_published=False)
    factories.ParticipationFactory(programme=hidden, structure=tag22, territory=bordeaux)

    response = client.get(detail_url(tag22))

    html = response.content.decode()
    assert html.count("<h3>Emergence de garages solidaires</h3>") == 1
    assert "Pays de Guingamp —" in html and "du 1er mars 2020 au 31 décembre 2021" in html
    assert "Bordeaux Métropole —" in html and "depuis le 1er février 2022" in html
    assert "Programme en préparation" not in html


def test_structure_page_shows_phase_badge_with_its_date_and_the_appellation_date(client, atis):
    Structure.objects.filter(pk=atis.pk).update(phase_since=dt.date(2021, 6, 1))

    html = client.get(detail_url(atis)).content.decode()

    assert '<span class="phase-badge phase-badge--labelled">Appellation</span>' in html
    assert "depuis le 1er juin 2021" in html
    assert "Appellation obtenue le" in html


def test_structure_page_never_shows_contact_people_or_their_addresses(client, tag22):
    # Contact has no consent to publication: neither the people nor the structure's e-mail and phone.
    factories.ContactFactory(structure=tag22, email="mathilde@tag22.example.org", phone="02 96 00 00 00")
    Structure.objects.filter(pk=tag22.pk).update(email="contact@tag22.example.org", phone="02 96 11 11 11")

    html = client.get(detail_url(tag22)).content.decode()

    assert "Mathilde Lebreton" not in html
    assert "example.org" not in html
    assert "02 96" not in html


def test_structure_page_says_so_when_it_has_no_territory_programme_or_project(client, tag22):
    html = client.get(detail_url(tag22)).content.decode()

    assert "Les territoires d'action de cette structure ne sont pas encore renseignés." in html
    assert "Cette structure ne participe à aucun programme national pour l'instant." in html
    assert "Cette structure n'a encore publié aucun projet." in html


def test_structure_page_shows_twenty_five_projects_a_page(client, tag22, pays_de_guingamp):
    factories.ProjectFactory.create_batch(
        PAGE_SIZE + 1, structure=tag22, territory=pays_de_guingamp, **PUBLISHED
    )

    first = client.get(detail_url(tag22))
    second = client.get(detail_url(tag22), {"page": 2})

    assert len(first.context["page_obj"].object_list) == PAGE_SIZE
    assert len(second.context["page_obj"].object_list) == 1
    assert 'href="?page=2" rel="next"' in first.content.decode()


def test_structure_page_runs_the_same_queries_for_one_and_thirty_rows(
    client, tag22, django_assert_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            territory = factories.TerritoryFactory(departements=[factories.departement("22")])
            tag22.territories.add(territory)
            factories.ParticipationFactory(structure=tag22, territory=territory)
            factories.ProjectFactory(structure=tag22, territory=territory, **PUBLISHED)

    add(1)
    # the structure with its seat · its phase history (the clock) · its territories · their départements ·
    # its participations with their programme and territory · the projects' count · the page's projects
    # with territory and programme · its missions (visits or participants) · the transfers it benefited
    # from, with their provider (the last two: « Activité internationale et transferts », issue 6)
    with django_assert_num_queries(9):
        client.get(detail_url(tag22))
    add(29)
    with django_assert_num_queries(9):
        assert len(client.get(detail_url(tag22)).context["page_obj"].object_list) == PAGE_SIZE
