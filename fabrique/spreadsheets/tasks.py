"""The background import of large spreadsheets (above settings.IMPORT_BACKGROUND_ROWS rows) and the e-mail
that tells the importer how it ended."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fabrique.models import ImportRun
from fabrique.spreadsheets import importing
from fabrique.spreadsheets.registry import IMPORTABLES

logger = logging.getLogger(__name__)


# A 5 MB file of projects takes minutes, not the default 5: one transaction, so a timeout writes nothing.
@shared_task(name="spreadsheets.import_spreadsheet", soft_time_limit=30 * 60, time_limit=31 * 60)
def import_spreadsheet(run_id: int) -> str:
    """Imports a confirmed run's file, then e-mails the importer. Returns the run's final status.

    Not retried: the import is one transaction, so a failure leaves the database as it was and the run
    marked failed; the staff re-import the file once its cause is known."""
    run = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None:
        logger.warning("Import run %s is gone: nothing to import.", run_id)
        return "gone"
    if run.status != ImportRun.Status.RUNNING:
        # Already imported (a redelivered message): do not import it twice.
        return run.status
    importing.run_import(run)
    notify_import_finished(run)
    return run.status


def notify_import_finished(run: ImportRun) -> int:
    """E-mails the importer the outcome of a background import (counts and a link to the run)."""
    user = run.created_by
    if user is None or not user.email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        if run.status == ImportRun.Status.DONE:
            subject = _("[Fabrique à initiatives] Import terminé : %(file)s")
        else:
            subject = _("[Fabrique à initiatives] Import échoué : %(file)s")
        body = render_to_string(
            "spreadsheets/emails/import_finished.txt",
            {
                "run": run,
                "kind": IMPORTABLES[run.kind].label if run.kind in IMPORTABLES else run.kind,
                "url": settings.SITE_URL.rstrip("/") + reverse("spreadsheets:run", args=[run.pk]),
            },
        )
        return EmailMessage(subject=subject % {"file": run.file_name}, body=body, to=[user.email]).send()
