"""The coordinators' workspace `/espace/`: whose projects each role sees, the board by stage (counts, cards,
time in stage, the 90-day flag, the per-column cap), the sortable paginated list, the create form, the
site navigation, and a constant number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Funding, Partner
from projects import workspace
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/espace/"
DETECTION, INVENTION, LAUNCH, LAUNCHED, ABANDONED = Project.Stage.values


def project(structure, title: str, **kwargs) -> Project:
    """A project of `structure`; `updated_at` can be set in the past (auto_now ignores it on save)."""
    updated_at = kwargs.pop("updated_at", None)
    if kwargs.get("stage") == LAUNCHED:
        kwargs.setdefault("started_on", dt.date(2024, 6, 1))
    if kwargs.get("stage") == ABANDONED:
        kwargs.setdefault("abandon_reason", "Aucun porteur trouvé.")
    created = factories.ProjectFactory(structure=structure, title=title, **kwargs)
    if updated_at is not None:
        Project.objects.filter(pk=created.pk).update(updated_at=updated_at)
    return created


def titles(html: str) -> list[str]:
    """The project titles linked on the page, in order."""
    return re.findall(r'<a href="/projets/[\w-]+/">([^<]+)</a>', html)


def page(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


# --- Access -------------------------------------------------------------------------------------------


def test_workspace_url_is_espace():
    assert reverse("projects:workspace") == URL


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_coordinator_sees_only_their_structures_projects(client, coordinator, tag22, atis):
    project(tag22, "Conciergerie solidaire de Lannion")
    # Even published, another structure's project belongs in the directory, not in this workspace.
    project(atis, "Foncière solidaire de Gironde", is_published=True, published_at=timezone.now())

    html = page(client, coordinator)

    assert titles(html) == ["Conciergerie solidaire de Lannion"]
    assert "Les projets suivis par TAg22." in html


def test_outsider_does_not_see_another_structures_projects(client, outsider, tag22, atis):
    project(tag22, "Conciergerie solidaire de Lannion")
    project(atis, "Foncière solidaire de Gironde")

    assert titles(page(client, outsider)) == ["Foncière solidaire de Gironde"]


def test_coordinator_of_two_structures_sees_both_and_filters_by_structure(client, coordinator, tag22):
    tag29 = factories.StructureFactory(name="TAg29", slug="tag29")
    factories.CoordinatorFactory(user=coordinator, structure=tag29)
    project(tag22, "Conciergerie solidaire de Lannion")
    project(tag29, "Garage solidaire de Morlaix")

    both = page(client, coordinator)
    only_tag29 = page(client, coordinator, "?structure=tag29")

    assert sorted(titles(both)) == ["Conciergerie solidaire de Lannion", "Garage solidaire de Morlaix"]
    assert 'name="structure"' in both and ">Toutes mes structures</option>" in both
    assert titles(only_tag29) == ["Garage solidaire de Morlaix"]


def test_coordinator_cannot_filter_on_a_structure_they_do_not_coordinate(client, coordinator, tag22, atis):
    project(tag22, "Conciergerie solidaire de Lannion")
    project(atis, "Foncière solidaire de Gironde")

    # An unknown choice is dropped: the page falls back to the coordinator's own projects.
    assert titles(page(client, coordinator, "?structure=atis")) == ["Conciergerie solidaire de Lannion"]


def test_staff_see_every_structure_and_may_narrow_to_one(client, staff, tag22, atis):
    project(tag22, "Conciergerie solidaire de Lannion")
    project(atis, "Foncière solidaire de Gironde")

    network = page(client, staff)
    only_atis = page(client, staff, "?structure=atis")

    assert sorted(titles(network)) == ["Conciergerie solidaire de Lannion", "Foncière solidaire de Gironde"]
    assert ">Tout le réseau</option>" in network
    assert titles(only_atis) == ["Foncière solidaire de Gironde"]
    assert "Les projets suivis par ATIS." in only_atis


def test_partner_reads_their_programmes_projects_without_create_form(client, partner_user, tag22):
    psa = Partner.objects.get(slug="fondation-psa")
    garages = factories.ProgrammeFactory(name="Emergence de garages solidaires")
    factories.FundingFactory(partner=psa, programme=garages)
    # Funding the same programme in a second role must not show its projects twice.
    factories.FundingFactory(partner=psa, programme=garages, role=Funding.Role.CO_OPERATOR)
    project(tag22, "Garage solidaire de Guingamp", programme=garages)
    project(tag22, "Conciergerie solidaire de Lannion")

    html = page(client, partner_user)

    assert titles(html) == ["Garage solidaire de Guingamp"]
    assert "en lecture seule" in html
    assert 'action="/projets/nouveau/"' not in html
    assert 'href="/partenaires/"' in html


def test_user_without_structure_or_partner_gets_an_explanation_and_the_directory(client, tag22):
    project(tag22, "Conciergerie solidaire de Lannion")
    nobody = factories.UserFactory()

    html = page(client, nobody)

    assert titles(html) == []
    assert "rattaché à aucune structure porteuse" in html
    assert 'href="/projets/"' in html
    assert 'action="/projets/nouveau/"' not in html


# --- The board ------------------------------------------------------------------------------------------


def test_board_has_five_columns_in_the_methods_order_with_counts(client, coordinator, tag22):
    project(tag22, "Conciergerie solidaire de Lannion")
    project(tag22, "Épicerie solidaire de Paimpol")
    project(tag22, "Tiers-lieu culturel de Dinan", stage=LAUNCHED)

    html = page(client, coordinator)

    headings = re.findall(
        r'<h2 class="board__title" id="colonne-(\w+)">\s*(\S+)\s*<span[^>]*>([^<]+)</span>', html
    )
    assert headings == [
        ("detection", "Détecter", "2 projets"),
        ("invention", "Inventer", "0 projets"),
        ("launch", "Lancer", "0 projets"),
        ("launched", "Lancé", "1 projet"),
        ("abandoned", "Abandonné", "0 projets"),
    ]
    assert html.count("Aucun projet à cette étape.") == 3


def test_card_shows_structure_territory_time_in_stage_and_holder(client, coordinator, tag22):
    territory = factories.TerritoryFactory(name="Lannion-Trégor Communauté")
    garage = project(
        tag22,
        "Garage solidaire de Lannion",
        territory=territory,
        stage=INVENTION,
        stage_changed_at=timezone.now() - dt.timedelta(days=95),
    )
    factories.HolderAssignmentFactory(project=garage, holder_name="Association Mobilité Solidaire")

    html = page(client, coordinator)

    assert (
        '<a href="/projets/garage-solidaire-de-lannion/">' in html
        or f'href="/projets/{garage.slug}/"' in html
    )
    assert "TAg22 · Lannion-Trégor Communauté" in html
    assert "À cette étape depuis 3\xa0mois" in html
    assert "Porteur\xa0: Association Mobilité Solidaire" in html


def test_project_arrived_today_reads_since_today():
    now = timezone.now()

    assert workspace.in_stage_for(now - dt.timedelta(hours=3), now) == ""
    assert workspace.in_stage_for(now - dt.timedelta(days=2), now) == "2\xa0jours"
    assert workspace.in_stage_for(now - dt.timedelta(days=800), now) == "2\xa0ans"


def test_project_without_update_for_90_days_is_flagged_in_words(client, coordinator, tag22):
    old = timezone.now() - dt.timedelta(days=91)
    project(tag22, "Conciergerie solidaire de Lannion", updated_at=old)
    project(tag22, "Épicerie solidaire de Paimpol", updated_at=timezone.now() - dt.timedelta(days=89))

    html = page(client, coordinator)

    assert html.count("Sans mise à jour depuis 90\xa0jours") == 1
    flagged = html.split("ws-card--stale", 1)[1].split("</li>", 1)[0]
    assert "Conciergerie solidaire de Lannion" in flagged


def test_launched_and_abandoned_projects_are_never_flagged_as_stale(client, coordinator, tag22):
    old = timezone.now() - dt.timedelta(days=400)
    project(tag22, "Tiers-lieu culturel de Dinan", stage=LAUNCHED, updated_at=old)
    project(tag22, "Foncière solidaire du Trégor", stage=ABANDONED, updated_at=old)

    assert "Sans mise à jour depuis" not in page(client, coordinator)


def test_column_shows_the_most_recent_projects_and_links_to_the_full_list(
    client, coordinator, tag22, monkeypatch
):
    monkeypatch.setattr(workspace, "BOARD_LIMIT", 2)
    now = timezone.now()
    for days, title in ((3, "Garage solidaire A"), (1, "Garage solidaire B"), (2, "Garage solidaire C")):
        project(tag22, title, updated_at=now - dt.timedelta(days=days))

    html = page(client, coordinator)

    assert titles(html) == ["Garage solidaire B", "Garage solidaire C"]
    assert "Voir les 3 projets «\xa0Détecter\xa0»" in html
    assert 'href="?vue=liste&amp;etape=detection&amp;tri=-maj"' in html


def test_coordinator_without_projects_is_pointed_to_the_create_form(client, coordinator):
    html = page(client, coordinator)

    assert "Aucun projet pour l'instant" in html
    assert 'href="#nouveau-projet"' in html
    assert 'id="nouveau-projet"' in html
    create_form = html.split('action="/projets/nouveau/"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in create_form


def test_staff_create_form_starts_on_the_filtered_structure(client, staff, tag22, atis):
    html = page(client, staff, "?structure=atis")

    assert re.search(rf'<option value="{atis.pk}" selected>ATIS</option>', html)


# --- The list -------------------------------------------------------------------------------------------


@pytest.fixture
def three_projects(tag22):
    now = timezone.now()
    return [
        project(
            tag22,
            "Conciergerie solidaire",
            stage=LAUNCH,
            stage_changed_at=now - dt.timedelta(days=10),
            updated_at=now - dt.timedelta(days=5),
        ),
        project(
            tag22,
            "Atelier vélo",
            stage=INVENTION,
            stage_changed_at=now - dt.timedelta(days=200),
            updated_at=now - dt.timedelta(days=1),
        ),
        project(
            tag22,
            "Bistrot de pays",
            stage=DETECTION,
            stage_changed_at=now - dt.timedelta(days=30),
            updated_at=now - dt.timedelta(days=100),
        ),
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("titre", ["Atelier vélo", "Bistrot de pays", "Conciergerie solidaire"]),
        ("-titre", ["Conciergerie solidaire", "Bistrot de pays", "Atelier vélo"]),
        ("etape", ["Bistrot de pays", "Atelier vélo", "Conciergerie solidaire"]),
        ("-etape", ["Conciergerie solidaire", "Atelier vélo", "Bistrot de pays"]),
        ("duree", ["Conciergerie solidaire", "Bistrot de pays", "Atelier vélo"]),
        ("-duree", ["Atelier vélo", "Bistrot de pays", "Conciergerie solidaire"]),
        ("maj", ["Bistrot de pays", "Conciergerie solidaire", "Atelier vélo"]),
        ("-maj", ["Atelier vélo", "Conciergerie solidaire", "Bistrot de pays"]),
    ],
)
def test_list_sorts_by_title_stage_time_in_stage_and_last_update(
    client, coordinator, three_projects, sort, expected
):
    assert titles(page(client, coordinator, f"?vue=liste&tri={sort}")) == expected


def test_list_header_of_the_sorted_column_says_so_and_links_to_the_reverse_order(
    client, coordinator, three_projects
):
    html = page(client, coordinator, "?vue=liste&tri=titre")

    header = re.search(r'<th scope="col" aria-sort="ascending">\s*<a href="([^"]+)">Titre', html)
    assert header and header.group(1) == "?vue=liste&amp;tri=-titre"
    assert html.count('aria-sort="none"') == 3


def test_list_filters_by_stage(client, coordinator, three_projects):
    assert titles(page(client, coordinator, "?vue=liste&etape=invention")) == ["Atelier vélo"]


def test_list_is_paginated_by_25(client, coordinator, tag22):
    territory = factories.TerritoryFactory()
    for number in range(26):
        project(tag22, f"Projet {number:02d}", territory=territory)

    first = page(client, coordinator, "?vue=liste&tri=titre")
    second = page(client, coordinator, "?vue=liste&tri=titre&page=2")

    assert len(titles(first)) == 25
    assert titles(second) == ["Projet 25"]
    assert "Page 2 sur 2" in second
    assert 'href="?vue=liste&amp;tri=titre&amp;page=1" rel="prev"' in second


def test_list_flags_projects_without_update_for_90_days(client, coordinator, tag22):
    project(tag22, "Conciergerie solidaire", updated_at=timezone.now() - dt.timedelta(days=120))

    html = page(client, coordinator, "?vue=liste")

    row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Conciergerie solidaire" in row and "Sans mise à jour depuis 90\xa0jours" in row


def test_invalid_parameters_fall_back_to_defaults(client, coordinator, three_projects):
    html = page(client, coordinator, "?vue=liste&tri=password&page=abc&etape=nulle-part")

    assert titles(html) == ["Bistrot de pays", "Atelier vélo", "Conciergerie solidaire"]


# --- Site navigation ------------------------------------------------------------------------------------


def nav(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_anonymous_navigation_offers_projects_but_no_workspace(client):
    links = nav(client.get("/").content.decode())

    assert 'href="/projets/">Projets</a>' in links
    assert "/espace/" not in links and "/pilotage/" not in links


def test_coordinator_navigation_marks_the_workspace_as_current_page(client, coordinator):
    links = nav(page(client, coordinator))

    assert 'href="/espace/" aria-current="page">Mon espace</a>' in links
    assert "/pilotage/" not in links


def test_partner_navigation_offers_the_workspace_but_not_the_dashboard(client, partner_user):
    links = nav(page(client, partner_user))

    assert 'href="/espace/"' in links and "/pilotage/" not in links


def test_staff_navigation_offers_the_dashboard(client, staff):
    links = nav(page(client, staff))

    assert 'href="/pilotage/">Pilotage</a>' in links


# --- Queries ------------------------------------------------------------------------------------------


def make_projects(structure, count: int) -> None:
    """`count` projects spread over every stage, each with a holder (so holders are really loaded)."""
    territory = factories.TerritoryFactory()
    stages = Project.Stage.values
    for number in range(count):
        created = project(structure, f"Projet {number}", territory=territory, stage=stages[number % 5])
        factories.HolderAssignmentFactory(project=created)


# The coordinator's board:
#  1. the session, 2. the user,
#  3. the user's structure ids, 4. their partner ids (both asked by projects.access.visible_projects),
#  5. those structures (names and slugs for the page),
#  6. the counts per stage (one GROUP BY),
#  7.–11. the shown projects of each of the five stages (LIMIT BOARD_LIMIT, with structure and territory),
#  12. the holders of the shown projects,
#  13. the create form's structures (are there several to choose from?), 14. its territories,
#  15. its programmes.
COORDINATOR_BOARD_QUERIES = 15


@pytest.mark.parametrize("count", [1, 50])
def test_coordinator_board_runs_a_constant_number_of_queries(
    client, coordinator, tag22, django_assert_num_queries, count
):
    make_projects(tag22, count)
    client.force_login(coordinator)

    with django_assert_num_queries(COORDINATOR_BOARD_QUERIES):
        response = client.get(URL)

    assert response.status_code == 200


# Staff on the whole network: 1. the session, 2. the user, 3. every structure (for the filter; staff need
# no structure or partner ids), 4. the counts per stage, 5.–9. the five columns, 10. the holders, then the
# create form's 11. structures (are there several?), 12. structures again (its select lists them),
# 13. territories and 14. programmes.
STAFF_BOARD_QUERIES = 14


@pytest.mark.parametrize("count", [1, 50])
def test_staff_board_runs_a_constant_number_of_queries(
    client, staff, tag22, atis, django_assert_num_queries, count
):
    make_projects(tag22, count)
    client.force_login(staff)

    with django_assert_num_queries(STAFF_BOARD_QUERIES):
        response = client.get(URL)

    assert response.status_code == 200


# The coordinator's list: session, user, structure ids, partner ids, structures, then the count, the
# page's ids, those projects with their structure and territory, their holders, then the create form's
# three.
COORDINATOR_LIST_QUERIES = 12


@pytest.mark.parametrize("count", [1, 50])
def test_coordinator_list_runs_a_constant_number_of_queries(
    client, coordinator, tag22, django_assert_num_queries, count
):
    make_projects(tag22, count)
    client.force_login(coordinator)

    with django_assert_num_queries(COORDINATOR_LIST_QUERIES):
        response = client.get(URL + "?vue=liste")

    assert response.status_code == 200
