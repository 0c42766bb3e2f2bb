"""Background tasks of the partnerships app: the staff's e-mail when a coordinator proposes a transfer."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from partnerships.models import KnowHowTransfer

logger = logging.getLogger(__name__)


def staff_emails() -> list[str]:
    """E-mail addresses of the active Avise staff, each once."""
    emails = get_user_model().objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    return sorted({email.lower() for email in emails if email})


@shared_task(name="partnerships.notify_transfer_proposed")
def notify_transfer_proposed(transfer_id: int) -> int:
    """E-mails each staff member about a proposed transfer to validate; returns how many were sent.

    Nothing is sent if the transfer is gone or already validated (a retried task does not nag)."""
    transfer = (
        KnowHowTransfer.objects.select_related("provider", "proposed_by").filter(pk=transfer_id).first()
    )
    if transfer is None or transfer.status != KnowHowTransfer.Status.PROPOSED:
        logger.info("Transfer %s is gone or validated: no notification sent", transfer_id)
        return 0
    # A worker has no request: the e-mails are written in the site's language, French.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Fabrique à initiatives] Transfert proposé à valider : « %(title)s »") % {
            "title": transfer.title
        }
        path = reverse("partnerships:transfer_detail", args=[transfer.slug])
        body = render_to_string(
            "partnerships/transfer_proposed_email.txt",
            {
                "transfer": transfer,
                "proposed_by": str(transfer.proposed_by) if transfer.proposed_by else _("un compte supprimé"),
                "url": f"{settings.SITE_URL.rstrip('/')}{path}",
            },
        )
    # One message per recipient: nobody learns who else is told.
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in staff_emails()]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
