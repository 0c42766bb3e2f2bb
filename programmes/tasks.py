"""Background tasks of the programmes app: the programme booklet, built by chunks of fiches on any number
of workers, assembled by the task that finishes the last chunk, then announced by e-mail."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fabrique.tasks import send_task
from programmes import booklets
from programmes.models import BookletStatus, ProgrammeBooklet
from projects.fiches import build_fiche, fiche_queryset

logger = logging.getLogger(__name__)

BOOKLET_MAX_RETRIES = 3


def queue_booklet_build(booklet_id: int, build_id: str, parts: list[list[int]]) -> None:
    """One task per chunk of fiches; a booklet without fiche goes straight to its assembly. Sent after the
    request's commit: with the broker down the booklet stays pending, and is restarted when asked again
    once its build is older than the lost-build delay."""
    if not parts:
        send_task(assemble_booklet, booklet_id, build_id)
        return
    for project_ids in parts:
        if not send_task(build_booklet_chunk, booklet_id, build_id, project_ids):
            return


def current_build(booklet_id: int, build_id: str):
    """The booklet rows of this build (empty once another build superseded it)."""
    return ProgrammeBooklet.objects.filter(pk=booklet_id, build_id=build_id)


def record_failure(booklet_id: int, build_id: str, error: Exception, last_try: bool) -> None:
    if last_try:
        current_build(booklet_id, build_id).update(
            status=BookletStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )


@shared_task(
    bind=True,
    name="programmes.build_booklet_chunk",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=BOOKLET_MAX_RETRIES,
)
def build_booklet_chunk(self, booklet_id: int, build_id: str, project_ids: list[int]) -> str:
    """Makes the fiches of one chunk current, counting each in the booklet's progress; the task that
    completes the last chunk queues the assembly. Returns "built" or "superseded"."""
    if not current_build(booklet_id, build_id).exists():
        return "superseded"
    try:
        for project in fiche_queryset().filter(pk__in=project_ids):
            build_fiche(project)
            # Least(): a retried chunk counts its fiches again; the progress never passes the total.
            current_build(booklet_id, build_id).update(
                fiches_done=Least(F("fiches_done") + 1, F("fiches_total"))
            )
    except Exception as error:
        record_failure(booklet_id, build_id, error, self.request.retries >= self.max_retries)
        raise
    with transaction.atomic():
        # The UPDATE locks the row until commit: two chunks finishing together read 1 then 2, never 2 twice.
        if not current_build(booklet_id, build_id).update(
            chunks_done=Least(F("chunks_done") + 1, F("chunks_total"))
        ):
            return "superseded"
        booklet = ProgrammeBooklet.objects.only("chunks_done", "chunks_total").get(pk=booklet_id)
        last_chunk = booklet.chunks_done == booklet.chunks_total
    if last_chunk:
        assemble_booklet.delay(booklet_id, build_id)
    return "built"


@shared_task(
    bind=True,
    name="programmes.assemble_booklet",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=BOOKLET_MAX_RETRIES,
)
def assemble_booklet(self, booklet_id: int, build_id: str) -> str:
    """Cover, table of contents and the fiches in one PDF, stored in the booklet; then the e-mails.
    Returns "built" or "superseded"."""
    booklet = current_build(booklet_id, build_id).select_related("programme").first()
    if booklet is None:
        return "superseded"
    try:
        pdf = booklets.assemble(booklet.programme, booklet.project_ids)
    except Exception as error:
        record_failure(booklet_id, build_id, error, self.request.retries >= self.max_retries)
        raise
    old_name = booklet.file.name if booklet.file else ""
    booklet.file.save(f"carnet-{booklet.programme.slug}.pdf", ContentFile(pdf), save=False)
    with transaction.atomic():
        stored = current_build(booklet_id, build_id).update(
            file=booklet.file.name,
            status=BookletStatus.READY,
            content_hash=F("pending_hash"),
            fiches_done=F("fiches_total"),
            built_at=timezone.now(),
            error="",
        )
    if not stored:  # superseded while assembling: this file is nobody's
        booklet.file.storage.delete(booklet.file.name)
        return "superseded"
    if old_name and old_name != booklet.file.name:
        booklet.file.storage.delete(old_name)
    transaction.on_commit(lambda: notify_booklet_ready.delay(booklet_id))
    return "built"


@shared_task(name="programmes.notify_booklet_ready")
def notify_booklet_ready(booklet_id: int) -> int:
    """E-mails each user who asked for the booklet while it was being built; returns how many were sent."""
    booklet = ProgrammeBooklet.objects.select_related("programme").filter(pk=booklet_id).first()
    if booklet is None or booklet.status != BookletStatus.READY:
        return 0
    subscribers = list(booklet.subscribers.filter(is_active=True).exclude(email=""))
    programme = booklet.programme
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Fabrique à initiatives] Le carnet du programme « %(programme)s » est prêt") % {
            "programme": programme.name
        }
        body = render_to_string(
            "programmes/emails/booklet_ready.txt",
            {
                "programme": programme,
                "booklet": booklet,
                "url": settings.SITE_URL.rstrip("/") + reverse("programmes:booklet", args=[programme.slug]),
            },
        )
    messages = [EmailMessage(subject=subject, body=body, to=[user.email]) for user in subscribers]
    booklet.subscribers.remove(*subscribers)
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
