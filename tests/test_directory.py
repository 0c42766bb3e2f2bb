"""The project directory /projets/: who sees what, filters, facets, search, sorting, pages, query counts."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from network.models import Territory
from projects.access import visible_projects
from projects.filters import PAGE_SIZE, ProjectFilterSet
from projects.models import Project
from projects.views import directory
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("projects:directory")
PUBLISHED = {"is_published": True, "published_at": dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC)}


@pytest.fixture
def psa_programme(partner_user):
    programme = factories.ProgrammeFactory(name="Emergence de garages solidaires", slug="garages-solidaires")
    factories.FundingFactory(partner=partner_user.partner_memberships.get().partner, programme=programme)
    return programme


@pytest.fixture
def cotes_darmor():
    return factories.TerritoryFactory(
        name="Pays de Guingamp", slug="pays-de-guingamp", kind=Territory.Kind.RURAL,
        departements=[factories.departement("22")],
    )  # fmt: skip


@pytest.fixture
def gironde():
    return factories.TerritoryFactory(
        name="Bordeaux Métropole", slug="bordeaux-metropole", kind=Territory.Kind.QPV,
        departements=[factories.departement("33")],
    )  # fmt: skip


@pytest.fixture
def projects(tag22, atis, psa_programme, cotes_darmor, gironde):
    """Two published projects (TAg22, ATIS), TAg22's draft, and a draft of the PSA programme at TAg22."""
    return {
        "epicerie": factories.ProjectFactory(
            title="Épicerie solidaire de Retiers", slug="epicerie", structure=tag22, territory=cotes_darmor,
            sector=Project.Sector.FOOD, stage=Project.Stage.INVENTION, **PUBLISHED,
        ),
        "tiers-lieu": factories.ProjectFactory(
            title="Tiers-lieu culturel La Manuco", slug="tiers-lieu", structure=atis, territory=gironde,
            sector=Project.Sector.CULTURE, stage=Project.Stage.LAUNCH, need="Un lieu de culture.",
            **PUBLISHED,
        ),
        "conciergerie": factories.ProjectFactory(
            title="Conciergerie solidaire", slug="conciergerie", structure=tag22, territory=cotes_darmor,
            sector=Project.Sector.LOCAL_SERVICES, need="Des services de proximité.",
        ),
        "garage": factories.ProjectFactory(
            title="Garage solidaire", slug="garage", structure=tag22, territory=cotes_darmor,
            programme=psa_programme,
        ),
    }  # fmt: skip


def listed(response) -> list[str]:
    return [card.slug for card in response.context["cards"]]


def facet(response, name: str) -> dict[str, tuple[int, dict]]:
    """label → (count, query of its link) of one facet of the page."""
    options = next(f for f in response.context["facets"]() if f.name == name).options
    return {o.label: (o.count, parse_qs(urlsplit(o.url).query)) for o in options}


# --- Who sees what ---------------------------------------------------------------------------------------


def test_anonymous_visitor_sees_only_published_projects(client, projects):
    response = client.get(URL)
    assert response.status_code == 200
    assert sorted(listed(response)) == ["epicerie", "tiers-lieu"]
    assert response.context["total"] == 2
    assert "Non publié" not in response.content.decode()


def test_coordinator_also_sees_their_structures_unpublished_projects_with_a_badge(
    client, projects, coordinator
):
    client.force_login(coordinator)
    response = client.get(URL)
    assert sorted(listed(response)) == ["conciergerie", "epicerie", "garage", "tiers-lieu"]
    assert response.content.decode().count("Non publié") == 2


def test_coordinator_of_another_structure_does_not_see_tag22_drafts(client, projects, outsider):
    client.force_login(outsider)
    assert sorted(listed(client.get(URL))) == ["epicerie", "tiers-lieu"]


def test_partner_also_sees_the_drafts_of_the_programmes_it_funds(client, projects, partner_user):
    client.force_login(partner_user)
    assert sorted(listed(client.get(URL))) == ["epicerie", "garage", "tiers-lieu"]


def test_staff_sees_every_project(client, projects, staff):
    client.force_login(staff)
    response = client.get(URL)
    assert sorted(listed(response)) == sorted(projects)
    assert response.context["total"] == 4


@pytest.mark.parametrize(
    ("role", "note"),
    [
        (None, "Seuls les projets publiés sont présentés."),
        (
            "coordinator",
            "Vous voyez les projets publiés et ceux, même non publiés, des structures que vous coordonnez.",
        ),
        (
            "partner_user",
            "Vous voyez les projets publiés et ceux, même non publiés, des programmes que votre",
        ),
        ("staff", "Vous voyez tous les projets du réseau, publiés ou non."),
    ],
)
def test_the_page_says_which_projects_the_visitor_sees(client, projects, request, role, note):
    if role:
        client.force_login(request.getfixturevalue(role))
    assert note in client.get(URL).content.decode()


def test_facet_counts_are_not_shared_between_visitors_who_see_different_projects(
    client, projects, coordinator
):
    anonymous = client.get(URL)
    assert anonymous.context["total"] == 2
    assert "?stage=detection" not in anonymous.content.decode()
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.context["total"] == 4  # the anonymous counts, cached, are not reused
    assert (
        '<a class="facet__option" href="?stage=detection">' in response.content.decode()
    )  # nor their facets


# --- Filters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=invention", ["epicerie"]),
        ("programme=garages-solidaires", ["garage"]),
        ("structure=atis", ["tiers-lieu"]),
        ("region=53", ["conciergerie", "epicerie", "garage"]),
        ("departement=33", ["tiers-lieu"]),
        ("territory_kind=qpv", ["tiers-lieu"]),
        ("sector=local_services", ["conciergerie"]),
        ("q=solidaire", ["conciergerie", "epicerie", "garage"]),
        ("q=proximité", ["conciergerie"]),  # the need is searched too
        ("region=53&sector=food", ["epicerie"]),
    ],
)
def test_each_filter_narrows_the_list(client, projects, staff, query, expected):
    client.force_login(staff)
    assert sorted(listed(client.get(f"{URL}?{query}"))) == expected


def test_year_filter_keeps_the_projects_recorded_that_year(client, projects, staff):
    Project.objects.filter(slug="garage").update(created_at=dt.datetime(2021, 6, 1, 12, tzinfo=dt.UTC))
    client.force_login(staff)
    response = client.get(f"{URL}?year=2021")
    assert listed(response) == ["garage"]
    assert facet(response, "year") == {
        "2021": (1, {}),  # the chosen year: its link removes the filter
        str(timezone.localdate().year): (3, {"year": [str(timezone.localdate().year)]}),
    }


def test_a_territory_over_two_departements_of_one_region_counts_its_project_once(client, staff, tag22):
    brittany_coast = factories.TerritoryFactory(
        kind=Territory.Kind.PAYS, departements=[factories.departement("22"), factories.departement("29")]
    )
    factories.ProjectFactory(slug="deux-departements", structure=tag22, territory=brittany_coast)
    client.force_login(staff)
    response = client.get(f"{URL}?region=53")
    assert listed(response) == ["deux-departements"]
    assert facet(response, "region")["Bretagne"][0] == 1
    assert {label: count for label, (count, _q) in facet(response, "departement").items()} == {
        "Côtes-d'Armor (22)": 1,
        "Finistère (29)": 1,
    }


def test_invalid_filter_values_get_a_french_message_and_are_ignored(client, projects):
    response = client.get(f"{URL}?stage=bientot&programme=inconnu&year=abc&sector=food")
    assert response.status_code == 200
    assert listed(response) == ["epicerie"]  # the valid filter still applies
    page = response.content.decode()
    assert "ne sont pas valides et n'ont pas été appliqués" in page
    assert "Étape\u00a0: Sélectionnez un choix valide." in page
    assert "Année de création\u00a0: Saisissez un nombre entier." in page
    # The invalid values are not carried over in the page's links.
    assert "bientot" not in response.context["export_url"]
    assert all("inconnu" not in option.url for f in response.context["facets"]() for option in f.options)


def test_unknown_parameters_and_an_empty_search_change_nothing(client, projects):
    response = client.get(f"{URL}?q=+&utm_source=lettre")
    assert sorted(listed(response)) == ["epicerie", "tiers-lieu"]
    assert not response.context["invalid"]


# --- Facets ----------------------------------------------------------------------------------------------


def test_facet_counts_apply_the_other_filters_but_not_their_own(client, projects, staff):
    client.force_login(staff)
    response = client.get(f"{URL}?structure=tag22&stage=detection")
    stages = {label: count for label, (count, _q) in facet(response, "stage").items()}
    assert stages == {"Détecter": 2, "Inventer": 1}  # TAg22's projects by stage, the stage filter left out
    structures = {label: count for label, (count, _q) in facet(response, "structure").items()}
    assert structures == {"TAg22": 2}  # projects at "Détecter", by structure (ATIS has none)
    assert response.context["total"] == 2


@pytest.mark.parametrize(
    "query", ["", "sector=food", "region=53&stage=detection", "programme=garages-solidaires"]
)
def test_each_facet_count_is_the_number_of_projects_its_link_lists(
    client, tag22, atis, psa_programme, staff, query
):
    add_projects(30, tag22, atis, psa_programme)
    client.force_login(staff)
    response = client.get(f"{URL}?{query}")
    for facet_ in response.context["facets"]():
        for option in facet_.options:
            # A chosen option's link removes it: its count is the current list's.
            link = QueryDict(query if option.current else urlsplit(option.url).query)
            listed_by_link = ProjectFilterSet(link, queryset=Project.objects.all()).qs.count()
            assert option.count == listed_by_link, (facet_.name, option.label)
    assert (
        response.context["total"]
        == ProjectFilterSet(QueryDict(query), queryset=Project.objects.all()).qs.count()
    )


def test_facet_links_keep_the_other_filters_and_go_back_to_page_one(client, projects, staff):
    client.force_login(staff)
    response = client.get(f"{URL}?q=solidaire&structure=tag22&tri=titre&page=2")
    count, query = facet(response, "sector")["Alimentation"]
    assert count == 1
    assert query == {"q": ["solidaire"], "structure": ["tag22"], "tri": ["titre"], "sector": ["food"]}


def test_the_chosen_facet_option_is_marked_and_its_link_removes_the_filter(client, projects, staff):
    client.force_login(staff)
    response = client.get(f"{URL}?sector=food&stage=invention")
    options = next(f for f in response.context["facets"]() if f.name == "sector").options
    chosen = next(o for o in options if o.current)
    assert chosen.label == "Alimentation"
    assert parse_qs(urlsplit(chosen.url).query) == {"stage": ["invention"]}
    assert 'aria-current="true"' in response.content.decode()


def test_the_search_form_keeps_the_other_filters_as_hidden_fields(client, projects):
    page = client.get(f"{URL}?sector=food&region=53&q=epicerie").content.decode()
    assert '<input type="hidden" name="sector" value="food">' in page
    assert '<input type="hidden" name="region" value="53">' in page
    assert '<input type="hidden" name="q"' not in page  # the search box itself carries it
    assert 'name="q" id="directory-q" value="epicerie"' in page


# --- Sorting and pages -----------------------------------------------------------------------------------


@pytest.fixture
def sixty(tag22):
    territory = factories.TerritoryFactory()
    for number in range(60):
        factories.ProjectFactory(
            title=f"Projet {number:02d}",
            slug=f"projet-{number:02d}",
            structure=tag22,
            territory=territory,
            **PUBLISHED,
        )


def test_sort_by_title_and_pages_of_25_cover_every_project_once(client, sixty):
    seen = []
    for page in (1, 2, 3):
        response = client.get(f"{URL}?tri=titre&page={page}")
        seen += listed(response)
        assert response.context["num_pages"] == 3
    assert seen == [f"projet-{number:02d}" for number in range(60)]
    assert len(listed(client.get(f"{URL}?tri=titre"))) == PAGE_SIZE


def test_default_sort_is_most_recently_updated_first(client, sixty):
    Project.objects.filter(slug="projet-42").update(updated_at=timezone.now() + dt.timedelta(days=1))
    response = client.get(URL)
    assert listed(response)[0] == "projet-42"
    assert str(response.context["sort_label"]) == "Mis à jour récemment"


def test_sort_by_structure_then_title_and_sort_by_stage_in_pipeline_order(client, projects, staff):
    client.force_login(staff)
    by_structure = listed(client.get(f"{URL}?tri=structure"))
    # ATIS's project, then TAg22's by title (« Épicerie » sorts by the database's collation)
    assert by_structure[:2] == ["tiers-lieu", "conciergerie"]
    assert sorted(by_structure[2:]) == ["epicerie", "garage"]
    # Détecter (the most recently updated first), Inventer, Lancer
    assert listed(client.get(f"{URL}?tri=etape")) == ["garage", "conciergerie", "epicerie", "tiers-lieu"]


def test_a_page_beyond_the_end_shows_the_last_page(client, sixty):
    response = client.get(f"{URL}?tri=titre&page=999")
    assert response.status_code == 200
    assert response.context["page_number"] == 3
    assert listed(response) == [f"projet-{number:02d}" for number in range(50, 60)]


@pytest.mark.parametrize("number", ["abc", "-4", "0", ""])
def test_a_page_number_that_is_not_a_positive_number_shows_page_one(client, sixty, number):
    assert client.get(f"{URL}?page={number}").context["page_number"] == 1


def test_an_invalid_sort_falls_back_to_the_default_with_a_message(client, sixty):
    response = client.get(f"{URL}?tri=prix")
    assert response.context["sort_label"] == "Mis à jour récemment"
    assert response.context["invalid"][0][0] == "Trier par"


def test_pagination_links_keep_the_filters_and_mark_the_current_page(client, sixty):
    response = client.get(f"{URL}?tri=titre&page=2")
    page = response.content.decode()
    assert 'href="?tri=titre&amp;page=3" rel="next"' in page
    assert 'href="?tri=titre&amp;page=1" rel="prev"' in page
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>2<', page)
    assert "Page 2 sur 3" in page


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, projects):
    page = client.get(f"{URL}?sector=housing").content.decode()
    assert "Aucun projet ne correspond à ces critères." in page
    assert f'href="{URL}">Effacer tous les filtres' in page


def test_an_empty_directory_says_so(client, db):
    page = client.get(URL).content.decode()
    assert "0 projet" in page
    assert "Aucun projet n'est encore présenté dans l'annuaire." in page


def test_the_export_link_carries_the_filters(client, projects):
    response = client.get(f"{URL}?sector=food&tri=titre&page=1")
    assert response.context["export_url"] == reverse("projects:export") + "?sector=food&tri=titre"


# --- Query counts ----------------------------------------------------------------------------------------


def add_projects(count: int, tag22, atis, programme) -> None:
    """`count` published projects over two structures, five territories and a programme: every facet and
    every card has several rows to show."""
    territories = [
        factories.TerritoryFactory(departements=[factories.departement(code)])
        for code in ("22", "29", "33", "35", "69")
    ]
    for number in range(count):
        factories.ProjectFactory(
            structure=(tag22, atis)[number % 2],
            territory=territories[number % 5],
            programme=programme if number % 3 == 0 else None,
            sector=Project.Sector.values[number % 5],
            **PUBLISHED,
        )


def test_anonymous_page_runs_the_same_queries_for_one_and_fifty_projects(
    client, tag22, atis, psa_programme, django_assert_num_queries
):
    add_projects(1, tag22, atis, psa_programme)
    # data version (latest update) · the counts' cube (GROUP BY) · programmes · structures · territories
    # with their départements and régions · the page's ids · the page's rows with their structure,
    # territory and programme
    with django_assert_num_queries(7):
        assert len(listed(client.get(URL))) == 1
    add_projects(49, tag22, atis, psa_programme)
    cache.clear()
    with django_assert_num_queries(7):
        assert len(listed(client.get(URL))) == PAGE_SIZE


def test_coordinator_page_runs_the_same_queries_for_one_and_fifty_projects(
    client, tag22, atis, psa_programme, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    add_projects(1, tag22, atis, psa_programme)
    # session · user · their structures · their partner organisations · the seven queries above
    with django_assert_num_queries(11):
        client.get(URL)
    add_projects(49, tag22, atis, psa_programme)
    cache.clear()
    with django_assert_num_queries(11):
        assert len(listed(client.get(URL))) == PAGE_SIZE


def test_cached_counts_leave_three_queries_and_a_deep_page_runs_the_same(
    client, sixty, django_assert_num_queries
):
    client.get(URL)
    # data version · the page's ids · the page's rows (the counts come from the cache)
    with django_assert_num_queries(3) as page_one:
        client.get(URL)
    with django_assert_num_queries(3) as page_three:
        client.get(f"{URL}?page=3")
    assert "LIMIT 25" in page_one.captured_queries[1]["sql"]
    # A deep page skips index entries only, never whole rows: its ids query selects the primary key alone.
    ids_query = page_three.captured_queries[1]["sql"]
    assert "OFFSET 50" in ids_query
    assert ids_query.startswith('SELECT "projects_project"."id" AS "pk" FROM "projects_project"')


@pytest.mark.parametrize("sort", ["-maj", "maj", "titre", "etape", "structure"])
def test_a_page_seen_before_is_read_from_its_first_row_and_not_skipped_to(
    client, sixty, atis, sort, monkeypatch
):
    monkeypatch.setattr(directory, "ANCHORS_FROM", 1)  # from the first skipped row, to keep the data small
    territory = factories.TerritoryFactory()
    for number in range(30):  # a second structure and other stages: the sorts by facet cross segments
        factories.ProjectFactory(
            title=f"Autre {number:02d}", structure=atis, territory=territory, stage=Project.Stage.INVENTION,
            **PUBLISHED,
        )  # fmt: skip
    by_offset = [listed(client.get(f"{URL}?tri={sort}&page={page}")) for page in (1, 2, 3, 4)]
    with CaptureQueriesContext(connection) as queries:
        by_anchor = [listed(client.get(f"{URL}?tri={sort}&page={page}")) for page in (1, 2, 3, 4)]
    assert by_anchor == by_offset
    assert sorted(slug for page in by_anchor for slug in page) == sorted(
        Project.objects.values_list("slug", flat=True)
    )
    assert not any("OFFSET" in query["sql"] for query in queries.captured_queries)
    ids_queries = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "projects_project"."id" AS "pk", ')
    ]
    assert len(ids_queries) >= 3  # pages 2, 3 and 4 seek from their first row (its sort key is selected)


def test_counts_are_recomputed_as_soon_as_a_project_changes(client, sixty):
    assert client.get(URL).context["total"] == 60
    project = Project.objects.get(slug="projet-07")
    project.is_published = False
    project.save()  # every write of the platform sets updated_at, the data version
    assert client.get(URL).context["total"] == 59


def test_a_change_to_a_project_forgets_the_cached_page_starts(client, sixty, monkeypatch):
    monkeypatch.setattr(directory, "ANCHORS_FROM", 1)
    before = listed(client.get(f"{URL}?tri=titre&page=2"))
    project = Project.objects.get(slug="projet-59")
    project.title = "Atelier vélo"  # now first by title: every page starts one project later
    project.save()
    after = listed(client.get(f"{URL}?tri=titre&page=2"))
    assert after == ["projet-24", *before[:-1]]


# --- The filter set used by other pages ------------------------------------------------------------------


def test_active_filters_is_safe_before_validation_and_when_unbound(projects):
    assert ProjectFilterSet(None, queryset=Project.objects.all()).active_filters() == {}
    filterset = ProjectFilterSet(
        QueryDict("sector=food&stage=nope&region=53&tri=titre"), queryset=Project.objects.all()
    )
    assert filterset.active_filters() == {"sector": "food", "region": "53"}


def test_the_filter_set_never_widens_the_visible_projects(projects):
    filterset = ProjectFilterSet(QueryDict("structure=tag22"), queryset=visible_projects(AnonymousUser()))
    assert [p.slug for p in filterset.qs] == ["epicerie"]
