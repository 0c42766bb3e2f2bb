"""Background tasks of the projects app: e-mails sent once a pipeline move is committed, project fiches."""

import logging
from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.fiches import (
    build_fiche,
    fiche_project,
    pending_fiche_projects,
    queue_fiche_build,
    sweep_partial_fiches,
)
from projects.models import FicheStatus, ProjectFiche, StageChange

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")


def move_recipients(stage_change: StageChange) -> list[str]:
    """E-mail addresses of the project structure's coordinators and of the active staff (each once)."""
    users = get_user_model().objects.filter(
        Q(coordinations__structure_id=stage_change.project.structure_id) | Q(is_staff=True),
        is_active=True,
    )
    return sorted({email.lower() for email in users.values_list("email", flat=True) if email})


@shared_task(name="projects.notify_project_moved")
def notify_project_moved(stage_change_id: int) -> int:
    """E-mails one message per recipient about a pipeline move; returns how many were sent.

    The move may have been deleted since (its project removed): then it logs and sends nothing."""
    stage_change = (
        StageChange.objects.select_related("project__structure", "changed_by")
        .filter(pk=stage_change_id)
        .first()
    )
    if stage_change is None:
        logger.info("Stage change %s is gone: no notification sent", stage_change_id)
        return 0
    project = stage_change.project
    # A worker has no request: the e-mails are written in the site's language, French.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Fabrique à initiatives] %(structure)s : « %(project)s » passe à « %(stage)s »") % {
            "structure": project.structure.name,
            "project": project.title,
            "stage": stage_change.get_to_stage_display(),
        }
        body = render_to_string(
            "projects/emails/project_moved.txt",
            {
                "project": project,
                "stage_change": stage_change,
                "changed_by": str(stage_change.changed_by)
                if stage_change.changed_by
                else _("un compte supprimé"),
                "changed_at": timezone.localtime(stage_change.changed_at, PARIS),
                "url": f"{settings.SITE_URL.rstrip('/')}/projets/{project.slug}/",
            },
        )
    recipients = move_recipients(stage_change)
    # One message per recipient: nobody learns who else is told.
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in recipients]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


FICHE_MAX_RETRIES = 3


@shared_task(
    bind=True,
    name="projects.build_project_fiche",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=FICHE_MAX_RETRIES,
    # Nobody waits for this result (the fiche row says it all): sending the task then touches only the
    # broker, not the result backend, which would retry a Redis that is down for ~20 s.
    ignore_result=True,
)
def build_project_fiche(self, project_id: int) -> str:
    """Renders the project's fiche to PDF and stores it; returns "built", "current" (the stored fiche
    already shows these data: nothing done) or "gone" (project deleted).

    A failure is retried with exponential backoff; after the last try the fiche is marked failed, with
    the error kept for the staff. A worker process killed mid-build (out of memory, deployment) loses
    nothing: the build's transaction is rolled back, its file was not yet in place (`build_fiche`), and
    the message, acknowledged only at the end (CELERY_TASK_ACKS_LATE), is handed to another process
    (CELERY_TASK_REJECT_ON_WORKER_LOST)."""
    project = fiche_project(project_id)
    if project is None:
        logger.info("Project %s is gone: no fiche built", project_id)
        return "gone"
    try:
        _fiche, built = build_fiche(project)
    except Exception as error:
        record_fiche_failure(project, error, last_try=self.request.retries >= self.max_retries)
        raise
    return "built" if built else "current"


@shared_task(name="projects.requeue_pending_fiches", ignore_result=True)
def requeue_pending_fiches(everything: bool = False) -> int:
    """Queues again the builds of the fiches still pending, which no queued build covers; returns how
    many were sent. Run by celery beat (CELERY_BEAT_SCHEDULE) and by each worker at start.

    A fiche is pending from the save that changed its data until a build stores it: if the build was
    never queued (Redis down during the save) or lost (Redis restarted empty, worker killed and its
    message kept unacknowledged), this is what builds it, without anyone asking again. Fiches queued
    recently (see `queue_fiche_build`) are skipped unless `everything`; a duplicate build is harmless
    anyway, since it finds a current fiche and does nothing. Also removes the files left by builds killed
    mid-write."""
    sweep_partial_fiches(default_storage)
    sent = sum(
        queue_fiche_build(project_id, unless_queued=not everything) for project_id in pending_fiche_projects()
    )
    if sent:
        logger.info("Queued again %s pending fiche(s)", sent)
    return sent


def record_fiche_failure(project, error: Exception, last_try: bool) -> None:
    """Keeps the error on the fiche (created if the failed build's transaction took its row with it)."""
    values = {
        "error": f"{type(error).__name__}: {error}"[:2000],
        "status": FicheStatus.FAILED if last_try else FicheStatus.PENDING,
    }
    if not ProjectFiche.objects.filter(project=project).update(attempts=F("attempts") + 1, **values):
        ProjectFiche.objects.create(project=project, attempts=1, **values)
