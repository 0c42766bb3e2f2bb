import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabrique.settings")

logger = logging.getLogger(__name__)

app = Celery("fabrique")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks outside an app's own tasks.py module: the spreadsheet imports.
app.autodiscover_tasks(["fabrique.spreadsheets"])


@worker_ready.connect
def requeue_pending_fiches_at_start(sender, **kwargs) -> None:
    """A worker that starts queues every pending fiche, queued before or not: after an outage (Redis
    restarted empty, all workers killed) the fiches are built without waiting for celery beat, which a
    small deployment may not run. The duplicates this sends find their fiche current and do nothing."""
    try:
        sender.app.send_task("projects.requeue_pending_fiches", kwargs={"everything": True})
    except Exception as error:  # the broker went away again: beat will do it
        logger.warning("Pending fiches not queued at worker start: %r", error)
