"""A decision letter whose build was never sent (Redis down when the committee decided) or got lost is
queued again by celery beat, and a duplicate build neither writes a second file nor sends a second e-mail."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from network import tasks
from network.models import AppellationApplication, LetterStatus
from tests import factories

pytestmark = pytest.mark.django_db


def decided(**fields) -> AppellationApplication:
    application = factories.ApplicationFactory(
        structure=factories.StructureFactory(name="Courant Fort"),
        status=AppellationApplication.Status.DECIDED,
        decision="deferred",
        decided_on=dt.date(2026, 11, 20),
        submitted_at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
        recommendations="Consolider les partenariats.",
        **{"letter_status": LetterStatus.PENDING, **fields},
    )
    factories.CoordinatorFactory(structure=application.structure, user__email="coordination@courant-fort.fr")
    return application


def minutes_ago(application: AppellationApplication, minutes: int) -> None:
    AppellationApplication.objects.filter(pk=application.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_only_letters_pending_for_five_minutes_are_queued_again(monkeypatch):
    lost, building = decided(), decided()
    minutes_ago(lost, 6)
    minutes_ago(building, 1)  # its build may still be running
    ready = decided(letter_status=LetterStatus.READY)
    minutes_ago(ready, 60)
    sent = []
    monkeypatch.setattr(tasks, "send_task", lambda task, pk: sent.append((task.name, pk)) or True)

    assert tasks.requeue_pending_letters() == 1
    assert sent == [("network.build_decision_letter", lost.pk)]


def test_a_duplicate_build_finds_the_letter_ready_and_sends_no_second_email():
    application = decided()

    assert tasks.build_decision_letter.delay(application.pk).get() == "built"
    application.refresh_from_db()
    stored = application.letter.name
    assert tasks.build_decision_letter.delay(application.pk).get() == "current"

    application.refresh_from_db()
    assert application.letter.name == stored
    assert [message.to for message in mail.outbox] == [["coordination@courant-fort.fr"]]
    application.letter.delete(save=False)


def test_the_build_that_loses_the_race_removes_its_own_file(monkeypatch):
    application = decided()
    render = tasks.render_html_to_pdf

    def other_build_finishes_meanwhile(*args, **kwargs):
        pdf = render(*args, **kwargs)
        AppellationApplication.objects.filter(pk=application.pk).update(letter_status=LetterStatus.READY)
        return pdf

    monkeypatch.setattr(tasks, "render_html_to_pdf", other_build_finishes_meanwhile)
    saved = []
    storage = AppellationApplication._meta.get_field("letter").storage
    original_save = storage.save
    monkeypatch.setattr(
        storage,
        "save",
        lambda name, content, **kw: saved.append(original_save(name, content, **kw)) or saved[-1],
    )

    assert tasks.build_decision_letter.delay(application.pk).get() == "current"

    assert len(saved) == 1 and not storage.exists(saved[0])
    assert mail.outbox == []
