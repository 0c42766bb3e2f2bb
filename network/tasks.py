"""Background tasks of the appellation path: the e-mails it sends and the decision letter PDF. Written in
the site's language (French): a worker has no request."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fabrique.pdf import render_html_to_pdf
from fabrique.tasks import send_task
from network.models import AppellationApplication, LetterStatus, PeerCommittee, Structure

logger = logging.getLogger(__name__)

LETTER_TEMPLATE = "network/appellation/letter.html"
LETTER_MAX_RETRIES = 3


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def dossier_url(structure: Structure) -> str:
    return absolute(reverse("network:appellation", args=[structure.slug]))


def send_each(subject: str, body: str, emails: list[str]) -> int:
    """One message per recipient: nobody learns who else is told."""
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in emails]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def staff_emails() -> list[str]:
    users = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return sorted({email.lower() for email in users.values_list("email", flat=True)})


def coordinator_emails(structure_id: int) -> list[str]:
    users = (
        get_user_model()
        .objects.filter(coordinations__structure_id=structure_id, is_active=True)
        .exclude(email="")
    )
    return sorted({email.lower() for email in users.values_list("email", flat=True)})


@shared_task(name="network.notify_application_submitted")
def notify_application_submitted(application_id: int) -> int:
    """Tells the staff that a structure submitted its dossier; returns how many e-mails were sent."""
    application = AppellationApplication.objects.select_related("structure").filter(pk=application_id).first()
    if application is None:
        return 0
    structure = application.structure
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Fabrique à initiatives] %(structure)s demande l'appellation") % {
            "structure": structure.name
        }
        body = render_to_string(
            "network/appellation/emails/submitted.txt",
            {"structure": structure, "application": application, "url": dossier_url(structure)},
        )
    return send_each(subject, body, staff_emails())


@shared_task(name="network.notify_committee_member")
def notify_committee_member(committee_id: int, structure_id: int) -> int:
    """Tells a new member's coordinators that their structure sits on a session, with a link to each
    dossier of its agenda; nothing if the seat was removed meanwhile."""
    committee = PeerCommittee.objects.filter(pk=committee_id, seats__structure_id=structure_id).first()
    if committee is None:
        return 0
    member = Structure.objects.get(pk=structure_id)
    applications = committee.applications.select_related("structure").order_by("structure__name")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Fabrique à initiatives] %(structure)s siège au comité de pairs du %(date)s") % {
            "structure": member.name,
            "date": committee.held_on.strftime("%d/%m/%Y"),
        }
        body = render_to_string(
            "network/appellation/emails/committee_member.txt",
            {
                "committee": committee,
                "member": member,
                "dossiers": [
                    (application.structure.name, dossier_url(application.structure))
                    for application in applications
                ],
            },
        )
    return send_each(subject, body, coordinator_emails(structure_id))


@shared_task(
    bind=True,
    name="network.build_decision_letter",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=LETTER_MAX_RETRIES,
)
def build_decision_letter(self, application_id: int) -> str:
    """Renders the decision letter PDF, stores it on the application, then tells the structure's
    coordinators. Returns "built" or "gone"; a last failure is kept for the staff."""
    application = (
        AppellationApplication.objects.select_related("structure", "committee", "decided_by")
        .filter(pk=application_id, status=AppellationApplication.Status.DECIDED)
        .first()
    )
    if application is None:
        return "gone"
    if application.letter_status == LetterStatus.READY and application.letter:
        return "current"  # a duplicate (re-queued by requeue_pending_letters): built already
    try:
        with translation.override(settings.LANGUAGE_CODE):
            pdf = render_html_to_pdf(
                LETTER_TEMPLATE,
                {
                    "application": application,
                    "structure": application.structure,
                    "generated_at": timezone.now(),
                },
            )
    except Exception as error:
        if self.request.retries >= self.max_retries:
            AppellationApplication.objects.filter(pk=application_id).update(
                letter_status=LetterStatus.FAILED, letter_error=f"{type(error).__name__}: {error}"[:2000]
            )
        raise
    old_name = application.letter.name if application.letter else ""
    application.letter.save(f"decision-{application.structure.slug}.pdf", ContentFile(pdf), save=False)
    # Claimed only while still pending: of two builds of the same letter (a re-queued duplicate), one
    # stores its file and sends the e-mails, the other removes its file.
    claimed = AppellationApplication.objects.filter(
        pk=application_id, letter_status=LetterStatus.PENDING
    ).update(letter=application.letter.name, letter_status=LetterStatus.READY, letter_error="")
    if not claimed:
        application.letter.storage.delete(application.letter.name)
        return "current"
    if old_name and old_name != application.letter.name:
        application.letter.storage.delete(old_name)
    notify_decision.delay(application_id)
    return "built"


LETTER_LOST_AFTER = timedelta(minutes=5)


@shared_task(name="network.requeue_pending_letters", ignore_result=True)
def requeue_pending_letters() -> int:
    """Queues again the decision letters still pending five minutes after the decision: their build was
    never sent (Redis down when the committee decided) or got lost. Run by celery beat; a duplicate finds
    the letter built and does nothing. Returns how many were sent."""
    stale = AppellationApplication.objects.filter(
        letter_status=LetterStatus.PENDING, updated_at__lt=timezone.now() - LETTER_LOST_AFTER
    ).values_list("pk", flat=True)
    sent = sum(send_task(build_decision_letter, pk) for pk in stale)
    if sent:
        logger.info("Queued again %s pending decision letter(s)", sent)
    return sent


@shared_task(name="network.notify_decision")
def notify_decision(application_id: int) -> int:
    """Tells the applicant's coordinators the committee's decision, the letter being ready."""
    application = AppellationApplication.objects.select_related("structure").filter(pk=application_id).first()
    if application is None or not application.decision:
        return 0
    structure = application.structure
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Fabrique à initiatives] Décision du comité de pairs pour %(structure)s") % {
            "structure": structure.name
        }
        body = render_to_string(
            "network/appellation/emails/decision.txt",
            {"structure": structure, "application": application, "url": dossier_url(structure)},
        )
    return send_each(subject, body, coordinator_emails(structure.pk))
