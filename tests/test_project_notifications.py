"""E-mails about pipeline moves: sent once the move is committed, to the right people, in French."""

from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from projects.models import Project, StageChange
from projects.services import MoveRefused, move_project
from projects.tasks import notify_project_moved
from tests import factories

Stage = Project.Stage


@pytest.fixture
def project(tag22):
    return factories.ProjectFactory(
        title="Garage solidaire de Lannion", slug="garage-solidaire-de-lannion", structure=tag22
    )


def move_to_invention(user, project, note: str = "Besoin confirmé en comité local.") -> None:
    move_project(
        user=user, project=project, to_stage=Stage.INVENTION, expected_stage=Stage.DETECTION, note=note
    )


def test_move_is_notified_only_after_the_commit(
    project, coordinator, staff, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move_to_invention(coordinator, project)
    assert len(callbacks) == 2  # the e-mails, then the fiche rebuild (tests/test_fiches.py)
    assert mailoutbox == []

    callbacks[0]()

    assert len(mailoutbox) == 2


def test_structure_coordinators_and_staff_are_told_but_not_other_coordinators(
    project, tag22, coordinator, staff, outsider, partner_user, django_capture_on_commit_callbacks, mailoutbox
):
    second = factories.CoordinatorFactory(user__email="direction@tag22.example.org", structure=tag22).user
    factories.StaffFactory(email="ancien@avise.example.org", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        move_to_invention(coordinator, project)

    # One message per recipient: nobody sees who else was told.
    assert sorted(tuple(message.to) for message in mailoutbox) == sorted(
        [(coordinator.email,), (second.email,), (staff.email,)]
    )


def test_move_e_mail_says_what_moved_who_moved_it_when_and_where_to_look(
    project, coordinator, staff, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.SITE_URL = "https://fabrique.example.org"
    coordinator.first_name, coordinator.last_name = "Mathilde", "Lebreton"
    coordinator.save()

    with django_capture_on_commit_callbacks(execute=True):
        move_to_invention(coordinator, project, note="Besoin confirmé en comité local.")

    message = mailoutbox[0]
    assert (
        message.subject
        == "[Fabrique à initiatives] TAg22 : « Garage solidaire de Lannion » passe à « Inventer »"
    )
    changed_at = StageChange.objects.get().changed_at.astimezone(ZoneInfo("Europe/Paris"))
    assert "De « Détecter » à « Inventer »" in message.body
    assert "Mathilde Lebreton" in message.body
    assert f"le {changed_at:%d/%m/%Y à %H:%M} (heure de Paris)" in message.body
    assert "Besoin confirmé en comité local." in message.body
    assert "https://fabrique.example.org/projets/garage-solidaire-de-lannion/" in message.body


def test_nothing_is_sent_when_the_move_is_rolled_back(
    project, coordinator, staff, django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        move_to_invention(coordinator, project)
        raise RuntimeError("la suite de la requête échoue")

    assert mailoutbox == []
    project.refresh_from_db()
    assert project.stage == Stage.DETECTION


def test_refused_move_sends_nothing(
    project, coordinator, staff, django_capture_on_commit_callbacks, mailoutbox
):
    project.need = ""
    project.save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(MoveRefused):
        move_to_invention(coordinator, project)
    assert mailoutbox == []


def test_notification_of_a_deleted_move_logs_and_sends_nothing(project, staff, mailoutbox, caplog):
    change = factories.StageChangeFactory(project=project)
    change_id = change.pk
    change.delete()

    with caplog.at_level("INFO", logger="projects.tasks"):
        assert notify_project_moved(change_id) == 0

    assert mailoutbox == []
    assert str(change_id) in caplog.text
