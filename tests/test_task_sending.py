"""Tasks are sent after a write the user has been told succeeded: a broker that does not answer (Redis
stopped) is logged, and the write stands; an import that cannot start says so at once."""

import logging

import pytest
from celery import Task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from kombu.exceptions import OperationalError

from fabrique.celery import app
from fabrique.models import ImportRun
from fabrique.tasks import send_task
from projects import services
from projects.models import Project, StageChange
from projects.tasks import notify_project_moved
from tests import factories


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks sent to a broker (not run eagerly), whose every send fails as kombu fails on a stopped Redis."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)

    def refused(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refused)


def test_a_task_the_broker_refuses_is_logged_not_raised(broker_down, caplog):
    with caplog.at_level(logging.ERROR, logger="fabrique.tasks"):
        assert send_task(notify_project_moved, 42) is False
    assert "projects.notify_project_moved(42,) not sent" in caplog.text


def test_a_move_stands_when_its_email_cannot_be_queued(
    broker_down, coordinator, tag22, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("projects.fiches.queue_fiche_build", lambda *args, **kwargs: False)
    project = factories.ProjectFactory(structure=tag22, need="Pas de commerce au bourg.")
    with django_capture_on_commit_callbacks(execute=True):
        services.move_project(
            user=coordinator,
            project=project,
            to_stage=Project.Stage.INVENTION,
            expected_stage=Project.Stage.DETECTION,
        )
    project.refresh_from_db()
    assert project.stage == Project.Stage.INVENTION
    assert StageChange.objects.filter(project=project, to_stage=Project.Stage.INVENTION).exists()


def test_a_background_import_that_cannot_start_is_marked_failed_saying_why(
    broker_down, client, staff, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    client.force_login(staff)
    sheet = "Nom;Slug;Forme juridique;Phase;Phase depuis le;Entrée dans le réseau;Code département\n"
    sheet += "TAg29;tag29;scic;experimentation;2022-01-01;2022-01-01;29\n"
    sheet += "TAg56;tag56;association;candidate;2024-09-01;2024-09-01;56\n"
    client.post(
        reverse("spreadsheets:import"),
        {"kind": "structures", "file": SimpleUploadedFile("structures.csv", sheet.encode())},
    )
    run = ImportRun.objects.latest("pk")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spreadsheets:confirm", args=[run.pk]))

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.errors[0]["message"].startswith("Le service des tâches de fond ne répond pas")
    assert run.finished_at is not None
    page = client.get(reverse("spreadsheets:run", args=[run.pk])).content.decode()
    assert "Le service des tâches de fond ne répond pas" in page
