"""The staff dashboard `/pilotage/`: staff only; funnel, conversion rates, median time per stage, jobs
created and stalled structures on a known small dataset; the directory's filters; cached figures; a
constant number of queries; SVG charts with a text alternative and the same numbers in tables."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import stats
from projects.models import Indicator, Project, StageChange
from projects.views.dashboard import DashboardFilterSet
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/pilotage/"
DETECTION, INVENTION, LAUNCH, LAUNCHED, ABANDONED = Project.Stage.values
T0 = dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.UTC)
NBSP = "\u00a0"


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def project_through(
    *stages: str, start: dt.datetime = T0, durations: tuple[float, ...] = (), **kwargs
) -> Project:
    """A project created at `start` in detection (recorded as a move "" → detection, as the service does),
    then moved through `stages`, spending `durations[i]` days before the i-th move (10 days by default)."""
    current = stages[-1] if stages else DETECTION
    if current == LAUNCHED:
        kwargs.setdefault("started_on", dt.date(2024, 6, 1))
    if current == ABANDONED:
        kwargs.setdefault("abandon_reason", "Pas de porteur de projet trouvé.")
    project = factories.ProjectFactory(stage=current, stage_changed_at=start, **kwargs)
    Project.objects.filter(pk=project.pk).update(created_at=start)
    StageChange.objects.create(project=project, from_stage="", to_stage=DETECTION, changed_at=start)
    when, previous = start, DETECTION
    for index, stage in enumerate(stages):
        when += days(durations[index] if index < len(durations) else 10)
        StageChange.objects.create(project=project, from_stage=previous, to_stage=stage, changed_at=when)
        previous = stage
    return project


def figures(queryset=None) -> stats.Figures:
    return stats.compute_figures(Project.objects.all() if queryset is None else queryset)


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, f"no {name} figure on the page"
    return match.group(1)


# --- Access -------------------------------------------------------------------------------------------


def test_dashboard_url_is_pilotage():
    assert reverse("projects:dashboard") == URL


def test_anonymous_user_is_sent_to_login_from_dashboard(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["coordinator", "outsider", "partner_user"])
def test_only_staff_may_open_the_dashboard(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(URL).status_code == 403


def test_staff_opens_dashboard(client, staff):
    assert "Pilotage du réseau" in page(client, staff)


# --- Funnel and conversion rates ------------------------------------------------------------------------


@pytest.fixture
def pipeline() -> list[Project]:
    """Five projects: still in detection; in invention; launched; abandoned after inventing; abandoned
    in detection."""
    return [
        project_through(),
        project_through(INVENTION),
        project_through(INVENTION, LAUNCH, LAUNCHED),
        project_through(INVENTION, ABANDONED),
        project_through(ABANDONED),
    ]


def test_funnel_counts_every_step_a_project_reached_including_abandoned_ones(pipeline):
    assert figures().total == (5, 3, 1, 1)


def test_funnel_counts_current_stage_when_history_is_missing():
    # Imported projects may have no history: their current stage says which steps they passed.
    factories.ProjectFactory(stage=LAUNCH)
    factories.ProjectFactory(stage=LAUNCHED, started_on=dt.date(2024, 1, 1))

    assert figures().total == (2, 2, 2, 1)


def test_project_restarted_after_abandonment_counts_for_the_steps_its_history_shows():
    project_through(INVENTION, LAUNCH, ABANDONED, DETECTION)

    assert figures().total == (1, 1, 1, 0)


def test_conversion_rates_between_consecutive_steps(pipeline):
    steps = stats.build_dashboard(figures()).steps

    assert [step.label for step in steps] == ["Détecter", "Inventer", "Lancer", "Lancé"]
    assert [step.conversion and round(step.conversion, 1) for step in steps] == [None, 60.0, 33.3, 100.0]
    assert [round(step.share, 1) for step in steps] == [100.0, 60.0, 20.0, 20.0]


def test_conversion_rates_are_shown_in_french_format(client, staff, pipeline):
    html = page(client, staff)

    assert 'data-conversion="2">60,0&nbsp;%<' in html
    assert 'data-conversion="3">33,3&nbsp;%<' in html
    assert figure(html, "launch-rate") == "20,0&nbsp;%"


def test_funnel_by_programme_lists_projects_outside_programmes_last():
    garages = factories.ProgrammeFactory(name="Emergence de garages solidaires", slug="garages")
    silver = factories.ProgrammeFactory(name="Silver Solidarités", slug="silver")
    project_through(INVENTION, programme=silver)
    project_through(programme=garages)
    project_through(INVENTION, LAUNCH, programme=garages)
    project_through()

    rows = stats.build_dashboard(figures()).by_programme

    assert [(row.label, row.counts) for row in rows] == [
        ("Emergence de garages solidaires", (2, 1, 1, 0)),
        ("Silver Solidarités", (1, 1, 0, 0)),
        ("Hors programme", (1, 0, 0, 0)),
    ]


def test_funnel_by_region_counts_a_project_once_in_each_region_of_its_territory():
    # Ille-et-Vilaine and Finistère are in Bretagne, the Manche in Normandie, the Bouches-du-Rhône in PACA.
    bretagne_wide = factories.TerritoryFactory(departements=[factories.departement(c) for c in ("35", "29")])
    across = factories.TerritoryFactory(departements=[factories.departement(c) for c in ("35", "50")])
    marseille = factories.TerritoryFactory(departements=[factories.departement("13")])
    quebec = factories.TerritoryFactory(name="Lanaudière")
    project_through(INVENTION, territory=bretagne_wide)
    project_through(territory=bretagne_wide)
    project_through(territory=across)
    project_through(territory=marseille)
    project_through(territory=quebec)

    rows = stats.build_dashboard(figures()).by_region

    assert [(row.label, row.counts) for row in rows] == [
        ("Bretagne", (3, 1, 0, 0)),
        ("Normandie", (1, 0, 0, 0)),
        ("Provence-Alpes-Côte d'Azur", (1, 0, 0, 0)),
        ("Hors région française", (1, 0, 0, 0)),
    ]


def test_funnel_by_year_groups_by_year_of_creation():
    project_through(start=dt.datetime(2022, 5, 1, tzinfo=dt.UTC))
    project_through(INVENTION, start=dt.datetime(2023, 3, 1, tzinfo=dt.UTC))
    project_through(start=dt.datetime(2023, 9, 1, tzinfo=dt.UTC))

    rows = stats.build_dashboard(figures()).by_year

    assert [(row.label, row.counts) for row in rows] == [("2022", (1, 0, 0, 0)), ("2023", (2, 1, 0, 0))]


# --- Median time per stage ----------------------------------------------------------------------------


def medians(queryset=None) -> dict[str, float | None]:
    return {
        time.stage: time.median_days
        for time in stats.median_stage_times(Project.objects.all() if queryset is None else queryset)
    }


def test_median_time_in_detection_of_three_projects_is_the_middle_one():
    for spent in (10, 20, 40):
        project_through(INVENTION, durations=(spent,))

    times = {time.stage: time for time in stats.median_stage_times(Project.objects.all())}

    assert (times[DETECTION].median_days, times[DETECTION].count) == (20, 3)
    # All three are still in invention: no finished stay there yet.
    assert (times[INVENTION].median_days, times[INVENTION].count) == (None, 0)


def test_median_time_of_an_even_number_of_stays_is_the_mean_of_the_middle_two():
    for spent in (10, 20, 30, 100):
        project_through(INVENTION, LAUNCH, durations=(5, spent))

    assert medians() == {DETECTION: 5, INVENTION: 25, LAUNCH: None}


def test_median_time_counts_fractions_of_days():
    project_through(INVENTION, durations=(1.5,))

    assert medians()[DETECTION] == 1.5


def test_median_time_counts_from_creation_when_the_first_move_was_not_recorded():
    project = factories.ProjectFactory(stage=INVENTION)
    Project.objects.filter(pk=project.pk).update(created_at=T0)
    StageChange.objects.create(
        project=project, from_stage=DETECTION, to_stage=INVENTION, changed_at=T0 + days(30)
    )

    assert medians()[DETECTION] == 30


def test_median_time_ignores_projects_outside_the_filter():
    kept = factories.ProgrammeFactory(slug="kept")
    project_through(INVENTION, durations=(10,), programme=kept)
    project_through(INVENTION, durations=(90,))

    assert medians(Project.objects.filter(programme=kept))[DETECTION] == 10


def test_median_time_of_no_project_is_empty():
    project_through(INVENTION)  # outside the (empty) selection

    assert medians(Project.objects.none()) == {DETECTION: None, INVENTION: None, LAUNCH: None}


def test_figures_of_a_selection_known_to_be_empty_are_zero():
    project_through(INVENTION, LAUNCH, LAUNCHED)

    empty = figures(Project.objects.none())

    assert (empty.total, empty.by_programme, empty.jobs, empty.stalled) == ((0, 0, 0, 0), (), 0, ())


@pytest.mark.postgres
def test_median_time_uses_percentile_cont_on_postgresql():
    project_through(INVENTION, durations=(12,))

    with CaptureQueriesContext(connection) as queries:
        assert medians()[DETECTION] == 12

    assert "percentile_cont(0.5)" in queries[0]["sql"]


def test_median_times_are_shown_in_days_in_french_format(client, staff):
    for spent in (10, 20.5, 40):
        project_through(INVENTION, durations=(spent,))

    assert 'data-median="detection">20,5<' in page(client, staff)


# --- Jobs created -------------------------------------------------------------------------------------


def test_jobs_created_sums_the_latest_jobs_measure_of_each_project_only():
    first, second, third = (factories.ProjectFactory() for _ in range(3))
    factories.IndicatorFactory(project=first, value=Decimal("2"), measured_on=dt.date(2023, 12, 31))
    factories.IndicatorFactory(project=first, value=Decimal("3.5"), measured_on=dt.date(2024, 12, 31))
    factories.IndicatorFactory(project=second, value=Decimal("9"), measured_on=dt.date(2024, 6, 30))
    # Other kinds of indicator are not jobs.
    factories.IndicatorFactory(project=third, kind=Indicator.Kind.PEOPLE_REACHED, value=Decimal("120"))

    assert figures().jobs == Decimal("12.5")


def test_jobs_created_are_shown_in_fte_in_french_format(client, staff):
    factories.IndicatorFactory(value=Decimal("1234.5"))

    assert figure(page(client, staff), "jobs") == f"1{NBSP}234,5&nbsp;"


# --- Stalled structures -------------------------------------------------------------------------------


def test_stalled_structures_count_projects_that_have_not_changed_stage_for_six_months_before_launch():
    sleepy = factories.StructureFactory(name="Clus'Ter Jura", slug="cluster-jura")
    busy = factories.StructureFactory(name="TAg35", slug="tag35")
    long_ago, recently = timezone.now() - days(400), timezone.now() - days(100)
    factories.ProjectFactory(structure=sleepy, stage=DETECTION, stage_changed_at=long_ago)
    factories.ProjectFactory(structure=sleepy, stage=LAUNCH, stage_changed_at=timezone.now() - days(200))
    # Launched and abandoned projects wait for no one; a project moved 100 days ago is not stalled.
    factories.ProjectFactory(
        structure=sleepy, stage=LAUNCHED, started_on=dt.date(2024, 1, 1), stage_changed_at=long_ago
    )
    factories.ProjectFactory(
        structure=busy, stage=ABANDONED, abandon_reason="Pas de besoin confirmé.", stage_changed_at=long_ago
    )
    factories.ProjectFactory(structure=busy, stage=INVENTION, stage_changed_at=recently)

    stalled = figures().stalled

    assert stalled == (stats.StalledStructure("Clus'Ter Jura", "cluster-jura", 2, long_ago),)


def test_stalled_structures_link_to_the_directory_filtered_by_structure(client, staff):
    factories.ProjectFactory(
        structure=factories.StructureFactory(slug="cluster-jura"),
        stage_changed_at=dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC),
    )

    html = page(client, staff)

    assert f'href="{reverse("projects:directory")}?structure=cluster-jura&amp;tri=maj"' in html
    assert "<td>3 mars 2025</td>" in html


def test_no_stalled_structure_is_an_empty_state(client, staff):
    project_through(start=timezone.now())

    assert "Aucun projet en sommeil." in page(client, staff)


# --- Filters ------------------------------------------------------------------------------------------


def test_programme_filter_narrows_every_figure(client, staff):
    garages = factories.ProgrammeFactory(slug="garages")
    project_through(INVENTION, programme=garages)
    project_through(INVENTION, LAUNCH, LAUNCHED)
    factories.IndicatorFactory(project=project_through(programme=garages), value=Decimal("4"))
    factories.IndicatorFactory(value=Decimal("7"))

    html = page(client, staff, programme="garages")

    assert (figure(html, "projects"), figure(html, "launched")) == ("2", "0")
    assert figure(html, "jobs").startswith("4&nbsp;")


def test_region_filter_narrows_the_figures(client, staff):
    bretagne = factories.TerritoryFactory(departements=[factories.departement("35")])
    normandie = factories.TerritoryFactory(departements=[factories.departement("76")])
    project_through(territory=bretagne)
    project_through(territory=bretagne)
    project_through(territory=normandie)

    assert figure(page(client, staff, region="53"), "projects") == "2"
    assert figure(page(client, staff, region="28"), "projects") == "1"


def test_invalid_filter_is_reported_and_left_out_while_valid_ones_apply(client, staff):
    project_through(sector=Project.Sector.MOBILITY)
    project_through(sector=Project.Sector.HOUSING)

    html = page(client, staff, sector=Project.Sector.HOUSING, year="deux mille")

    assert "Certains filtres ne sont pas valides et n'ont pas été appliqués" in html
    assert figure(html, "projects") == "1"


def test_search_and_sort_of_the_directory_do_not_change_the_figures(client, staff):
    project_through(title="Garage solidaire")
    project_through(title="Épicerie solidaire de Retiers")

    html = page(client, staff, q="garage", tri="titre")

    assert figure(html, "projects") == "2"
    assert 'name="q"' not in html


def test_programme_region_and_year_rows_narrow_the_dashboard_keeping_the_other_filters(client, staff):
    garages = factories.ProgrammeFactory(slug="garages")
    bretagne = factories.TerritoryFactory(departements=[factories.departement("35")])
    project_through(programme=garages, territory=bretagne, sector=Project.Sector.MOBILITY)

    html = page(client, staff, sector=Project.Sector.MOBILITY, year="2024")

    assert 'href="?sector=mobility&amp;year=2024&amp;programme=garages"' in html
    assert 'href="?sector=mobility&amp;year=2024&amp;region=53"' in html
    assert 'href="?sector=mobility&amp;year=2024"' in html


def test_dashboard_shows_an_empty_state_when_no_project_matches(client, staff):
    project_through(sector=Project.Sector.MOBILITY)

    html = page(client, staff, sector=Project.Sector.HOUSING)

    assert "Aucun projet ne correspond à ces filtres." in html
    assert "<svg" not in html


def test_dashboard_without_any_project_says_so(client, staff):
    html = page(client, staff)

    assert "Aucun projet n'est encore enregistré" in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    "query",
    [
        "stage=launch",
        "sector=food",
        "programme=garages",
        "structure=tag35",
        "region=53",
        "region=28",
        "departement=35",
        "territory_kind=qpv",
        "year=2023",
        "programme=garages&region=53&sector=food",
    ],
)
def test_figures_summed_from_the_cube_match_the_filtered_projects(query):
    """The cube's matching (the directory's) and the filters' SQL select the same projects."""
    garages = factories.ProgrammeFactory(slug="garages")
    tag35 = factories.StructureFactory(slug="tag35")
    rennes = factories.TerritoryFactory(departements=[factories.departement("35")])
    across = factories.TerritoryFactory(
        kind="qpv", departements=[factories.departement("35"), factories.departement("50")]
    )
    for index, territory in enumerate([rennes, across, rennes, across, rennes, across]):
        project = project_through(
            *[(), (INVENTION,), (INVENTION, LAUNCH), (INVENTION, LAUNCH, LAUNCHED)][index % 4],
            programme=garages if index % 2 else None,
            structure=tag35 if index % 3 else factories.StructureFactory(),
            territory=territory,
            sector=[Project.Sector.MOBILITY, Project.Sector.FOOD][index % 2],
            start=T0 - dt.timedelta(days=200 * index),
        )
        factories.IndicatorFactory(project=project, value=Decimal(index))
    filterset = DashboardFilterSet(QueryDict(query), queryset=Project.objects.all())
    assert filterset.is_valid()

    summed = stats.figures_from_cube(
        stats.build_cube(Project.objects.all()), filterset.active_filters(), [], T0
    )
    selected = stats.figures_from_cube(stats.build_cube(filterset.qs), {}, [], T0)

    assert summed.total[0] > 0
    assert summed == selected


# --- Cache --------------------------------------------------------------------------------------------


def test_figures_are_cached_per_filter_combination_and_say_when_they_were_computed(client, staff):
    garages = factories.ProgrammeFactory(slug="garages")
    project_through(programme=garages)
    first = page(client, staff)
    project_through()  # recorded after the figures were computed

    assert figure(page(client, staff), "projects") == "1"  # still the cached figures
    assert figure(page(client, staff, programme="garages"), "projects") == "1"
    cache.clear()
    assert figure(page(client, staff), "projects") == "2"
    computed_at = timezone.localtime()
    assert re.search(
        rf"Chiffres calculés le {computed_at.day} \w+ {computed_at.year} à \d\d:\d\d{NBSP};", first
    )
    assert f"au plus toutes les 5{NBSP}minutes" in first


def test_cached_page_follows_its_figures_when_they_are_recomputed(client, staff):
    project_through()
    page(client, staff)
    project_through()
    cache.delete(stats.cache_key("cube-version", "staff"))  # as when the cube expires

    assert figure(page(client, staff), "projects") == "2"


def test_cached_page_is_per_query_string_so_that_each_form_shows_its_own_values(client, staff):
    project_through()
    page(client, staff)

    html = page(client, staff, year="deux mille")

    assert "Certains filtres ne sont pas valides" in html
    assert 'value="deux mille"' in html


# --- Queries and charts -------------------------------------------------------------------------------


def varied_projects(number: int) -> None:
    programme = factories.ProgrammeFactory()
    territory = factories.TerritoryFactory(departements=[factories.departement("35")])
    for index in range(number):
        stages = [(), (INVENTION,), (INVENTION, LAUNCH), (INVENTION, LAUNCH, LAUNCHED)][index % 4]
        project = project_through(
            *stages,
            programme=programme if index % 2 else None,
            territory=territory,
            start=T0 - dt.timedelta(days=400 * (index % 3)),
        )
        factories.IndicatorFactory(project=project, value=Decimal("1.5"))


@pytest.mark.parametrize("number", [1, 50])
def test_dashboard_runs_the_same_queries_for_1_or_50_projects(
    client, staff, django_assert_num_queries, number
):
    varied_projects(number)
    client.force_login(staff)
    cache.clear()
    # 1 session, 2 user; the cube: 3 cells GROUP BY, 4 jobs GROUP BY, 5 programmes, 6 structures,
    # 7 territories; 8 median times; the filter form's lists: 9 programmes, 10 structures, 11 régions,
    # 12 départements.
    with django_assert_num_queries(12):
        assert client.get(URL).status_code == 200
    # Another filter combination sums the cached cube: only its medians and the form's lists are queried.
    with django_assert_num_queries(7):
        assert client.get(URL, {"sector": Project.Sector.MOBILITY}).status_code == 200
    # Cached: the figures and the rendered page with its form's lists; only 1 session and 2 user remain.
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200


def test_dashboard_draws_accessible_svg_charts(client, staff, pipeline):
    html = page(client, staff)

    assert html.count("<svg") == 4
    assert html.count('role="img"') == 4
    assert 'aria-labelledby="funnel-chart-title funnel-chart-desc"' in html
    assert '<title id="funnel-chart-title">Projets ayant atteint chaque étape</title>' in html
    assert f'<desc id="funnel-chart-desc">Détecter{NBSP}: 5{NBSP}; Inventer{NBSP}: 3{NBSP}; ' in html
    assert f'<desc id="year-chart-desc">2024{NBSP}: 5</desc>' in html
    assert f'<desc id="programme-chart-desc">Hors programme{NBSP}: 20,0{NBSP}%</desc>' in html
    # Coordinates keep a decimal point in French, and a strict CSP forbids inline styles.
    assert 'width="60.0%"' in html
    assert not re.search(r'(width|x|y)="\d+,\d', html)
    assert " style=" not in html


def test_chart_and_tables_group_thousands_in_french():
    big = stats.Figures(
        total=(12345, 6789, 2000, 1234),
        by_programme=(stats.Group("garages", "Emergence de garages solidaires", (12345, 6789, 2000, 1234)),),
        by_region=(),
        by_year=(stats.Group("2024", "2024", (12345, 6789, 2000, 1234)),),
        stage_times=(),
        jobs=Decimal("0"),
        stalled=(),
        computed_at=timezone.now(),
    )

    dashboard = stats.build_dashboard(big)

    assert dashboard.charts["funnel"].description.startswith(f"Détecter{NBSP}: 12{NBSP}345{NBSP}; ")
    assert dashboard.charts["programme"].bars[0].value == f"10,0{NBSP}%"
    assert [bar.width for bar in dashboard.charts["funnel"].bars] == ["100.0", "55.0", "16.2", "10.0"]


def test_programmes_and_regions_sort_as_a_french_reader_expects():
    names = ["Silver Solidarités", "Émergence de garages solidaires", "Catalyseur", "Fabrique à initiatives"]

    assert sorted(names, key=stats.alphabetical) == [
        "Catalyseur",
        "Émergence de garages solidaires",
        "Fabrique à initiatives",
        "Silver Solidarités",
    ]
