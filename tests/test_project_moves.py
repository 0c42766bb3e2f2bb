"""Moving a project along the pipeline: the rules of each move, its history, concurrent moves, the page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabrique.models import User
from network.models import Departement
from projects.models import Project, StageChange
from projects.selectors import available_moves, current_holder, move_blockers, project_for_page
from projects.services import ConcurrentMove, MoveRefused, move_project
from tests import factories

Stage = Project.Stage


@pytest.fixture
def project(tag22):
    return factories.ProjectFactory(
        title="Garage solidaire de Lannion", slug="garage-lannion", structure=tag22
    )


def ready_for_launch(project: Project) -> Project:
    project.stage = Stage.INVENTION
    project.study_conclusion = Project.StudyConclusion.FAVOURABLE
    project.save()
    factories.HolderAssignmentFactory(project=project, assigned_on=dt.date(2024, 3, 1))
    return project


def refused_codes(**kwargs) -> list[str]:
    with pytest.raises(MoveRefused) as refused:
        move_project(**kwargs)
    return [reason.code for reason in refused.value.reasons]


def test_move_to_invention_writes_the_stage_and_one_history_row(project, coordinator):
    move_project(
        user=coordinator,
        project=project,
        to_stage=Stage.INVENTION,
        expected_stage=Stage.DETECTION,
        note="Besoin confirmé par la Communauté de communes.",
    )

    project.refresh_from_db()
    assert project.stage == Stage.INVENTION
    change = StageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        Stage.DETECTION,
        Stage.INVENTION,
        coordinator,
    )
    assert change.note == "Besoin confirmé par la Communauté de communes."
    assert change.changed_at == project.stage_changed_at


def test_move_to_invention_is_refused_without_a_documented_need(project, coordinator):
    project.need = "   "
    project.save()

    codes = refused_codes(
        user=coordinator, project=project, to_stage=Stage.INVENTION, expected_stage=Stage.DETECTION
    )

    assert codes == ["need_missing"]
    project.refresh_from_db()
    assert project.stage == Stage.DETECTION
    assert not StageChange.objects.exists()


def test_refusal_message_is_french_and_says_what_to_do(project):
    project.need = ""
    [blocker] = move_blockers(project, Stage.INVENTION, None)
    assert blocker.message == "Décrivez le besoin détecté avant de passer à « Inventer »."


def test_move_to_launch_needs_a_favourable_study_and_a_holder(project, coordinator):
    project.stage = Stage.INVENTION
    project.save()

    codes = refused_codes(
        user=coordinator, project=project, to_stage=Stage.LAUNCH, expected_stage=Stage.INVENTION
    )

    assert codes == ["study_not_favourable", "holder_missing"]


def test_move_to_launch_is_allowed_with_a_favourable_study_and_a_holder(project, coordinator):
    ready_for_launch(project)
    move_project(user=coordinator, project=project, to_stage=Stage.LAUNCH, expected_stage=Stage.INVENTION)
    project.refresh_from_db()
    assert project.stage == Stage.LAUNCH


def test_move_to_launched_needs_a_start_date(project, coordinator):
    project.stage = Stage.LAUNCH
    project.save()

    codes = refused_codes(
        user=coordinator, project=project, to_stage=Stage.LAUNCHED, expected_stage=Stage.LAUNCH
    )

    assert codes == ["start_date_missing"]


def test_move_to_launched_takes_the_start_date_given_with_the_move(project, coordinator):
    project.stage = Stage.LAUNCH
    project.save()

    move_project(
        user=coordinator,
        project=project,
        to_stage=Stage.LAUNCHED,
        expected_stage=Stage.LAUNCH,
        started_on=dt.date(2025, 9, 1),
    )

    project.refresh_from_db()
    assert (project.stage, project.started_on) == (Stage.LAUNCHED, dt.date(2025, 9, 1))


def test_abandoning_needs_a_reason_and_stores_it(project, coordinator):
    codes = refused_codes(
        user=coordinator, project=project, to_stage=Stage.ABANDONED, expected_stage=Stage.DETECTION
    )
    assert codes == ["abandon_reason_missing"]

    move_project(
        user=coordinator,
        project=project,
        to_stage=Stage.ABANDONED,
        expected_stage=Stage.DETECTION,
        abandon_reason="Aucun porteur trouvé sur le territoire.",
    )
    project.refresh_from_db()
    assert (project.stage, project.abandon_reason) == (
        Stage.ABANDONED,
        "Aucun porteur trouvé sur le territoire.",
    )


def test_a_move_outside_the_transition_map_is_refused(project, coordinator):
    codes = refused_codes(
        user=coordinator, project=project, to_stage=Stage.LAUNCHED, expected_stage=Stage.DETECTION
    )
    assert codes == ["transition_not_allowed"]


@pytest.fixture
def abandoned(project):
    project.stage = Stage.ABANDONED
    project.abandon_reason = "Financements introuvables."
    project.save()
    return project


def test_only_staff_may_reopen_an_abandoned_project(abandoned, coordinator):
    codes = refused_codes(
        user=coordinator, project=abandoned, to_stage=Stage.DETECTION, expected_stage=Stage.ABANDONED
    )
    assert codes == ["reopen_staff_only"]


def test_reopening_clears_the_abandon_reason(abandoned, staff):
    move_project(user=staff, project=abandoned, to_stage=Stage.DETECTION, expected_stage=Stage.ABANDONED)

    abandoned.refresh_from_db()
    assert (abandoned.stage, abandoned.abandon_reason) == (Stage.DETECTION, "")
    assert StageChange.objects.get(project=abandoned).changed_by == staff


def test_coordinator_cannot_move_another_structures_project(project, outsider):
    with pytest.raises(PermissionDenied):
        move_project(user=outsider, project=project, to_stage=Stage.INVENTION, expected_stage=Stage.DETECTION)
    project.refresh_from_db()
    assert project.stage == Stage.DETECTION
    assert not StageChange.objects.exists()


def test_partner_cannot_move_a_project(project, partner_user):
    with pytest.raises(PermissionDenied):
        move_project(
            user=partner_user, project=project, to_stage=Stage.INVENTION, expected_stage=Stage.DETECTION
        )


def test_second_of_two_concurrent_moves_gets_a_clear_message_and_nothing_is_lost(project, coordinator, staff):
    first_copy = Project.objects.get(pk=project.pk)
    second_copy = Project.objects.get(pk=project.pk)
    move_project(
        user=coordinator, project=first_copy, to_stage=Stage.INVENTION, expected_stage=Stage.DETECTION
    )

    with pytest.raises(ConcurrentMove) as concurrent:
        move_project(
            user=staff,
            project=second_copy,
            to_stage=Stage.ABANDONED,
            expected_stage=Stage.DETECTION,
            abandon_reason="Doublon.",
        )

    assert "vient d'être déplacé par quelqu'un d'autre" in concurrent.value.message
    assert "Rechargez la page." in concurrent.value.message
    project.refresh_from_db()
    assert (project.stage, project.abandon_reason) == (Stage.INVENTION, "")
    assert list(StageChange.objects.values_list("to_stage", flat=True)) == [Stage.INVENTION]


def test_conditional_update_refuses_a_move_when_the_row_changed_after_it_was_read(
    project, coordinator, monkeypatch
):
    """The last line of defence: the row moves between the service's read and its UPDATE."""
    from projects import services

    real_blockers = services.move_blockers

    def blockers_then_someone_moves_it(*args, **kwargs):
        Project.objects.filter(pk=project.pk).update(stage=Stage.ABANDONED, abandon_reason="Ailleurs.")
        return real_blockers(*args, **kwargs)

    monkeypatch.setattr(services, "move_blockers", blockers_then_someone_moves_it)

    with pytest.raises(ConcurrentMove):
        move_project(
            user=coordinator, project=project, to_stage=Stage.INVENTION, expected_stage=Stage.DETECTION
        )
    assert not StageChange.objects.exists()


def test_available_moves_lists_every_target_with_its_label_and_blockers(project, coordinator):
    project.need = ""

    moves = available_moves(project, coordinator)

    assert [(stage, label) for stage, label, _ in moves] == [
        (Stage.INVENTION, "Inventer"),
        (Stage.ABANDONED, "Abandonné"),
    ]
    assert [[b.code for b in blockers] for _, _, blockers in moves] == [
        ["need_missing"],
        ["abandon_reason_missing"],
    ]


def test_current_holder_is_the_latest_assignment_and_uses_prefetched_rows(project, django_assert_num_queries):
    factories.HolderAssignmentFactory(
        project=project, holder_name="Ancien porteur", assigned_on=dt.date(2023, 1, 1)
    )
    factories.HolderAssignmentFactory(
        project=project, holder_name="Nouveau porteur", assigned_on=dt.date(2024, 6, 1)
    )

    assert current_holder(project).holder_name == "Nouveau porteur"
    loaded = Project.objects.prefetch_related("holder_assignments").get(pk=project.pk)
    with django_assert_num_queries(0):
        assert current_holder(loaded).holder_name == "Nouveau porteur"


def fill(project: Project, rows: int) -> None:
    for day in range(rows):
        factories.StageChangeFactory(project=project, changed_by=factories.UserFactory())
        factories.IndicatorFactory(project=project, measured_on=dt.date(2024, 1, 1) + dt.timedelta(days=day))
        factories.HolderAssignmentFactory(project=project)
        factories.DocumentFactory(project=project, uploaded_by=factories.UserFactory())
    project.partners.add(*(factories.PartnerFactory() for _ in range(rows)))
    project.territory.departements.add(*Departement.objects.all()[:rows])


def page_queries(user: User, slug: str) -> int:
    user = User.objects.get(pk=user.pk)  # a fresh copy: its role cache starts empty each time
    with CaptureQueriesContext(connection) as queries:
        page = project_for_page(user, slug)
        for change in page.stage_changes.all():
            str(change.changed_by)
        for document in page.documents.all():
            str(document.uploaded_by)
        list(page.indicators.all())
        current_holder(page)
        list(page.partners.all())
        for departement in page.territory.departements.all():
            str(departement.region)
        str(page.structure), str(page.territory), str(page.programme), str(page.created_by)
    return len(queries)


def test_project_page_runs_as_many_queries_for_one_row_as_for_twenty(tag22, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    small = factories.ProjectFactory(structure=tag22, slug="petit", programme=factories.ProgrammeFactory())
    large = factories.ProjectFactory(structure=tag22, slug="grand", programme=factories.ProgrammeFactory())
    fill(small, 1)
    fill(large, 20)

    assert small.territory.departements.count() == 1
    assert large.territory.departements.count() == 20
    # Coordinated structures, partner memberships, project (+ structure, territory, programme, author),
    # stage changes (+ who), holders, indicators, documents (+ who), partners, départements (+ région).
    assert page_queries(coordinator, "petit") == page_queries(coordinator, "grand") == 9
