"""Invitations (issue 8): every write about them, each in one transaction, the e-mail sent on commit.

Avise staff invite a person by e-mail as coordinator of structures and/or member of a partner organisation.
A new address receives a signed, single-use link that expires INVITATION_MAX_AGE_DAYS after it was sent;
following it, the person chooses a password, their address counts as verified and they are logged in. An
address that already has an account receives the roles at once, and a mail saying so."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.models import Invitation, User, invitation_cutoff
from network.models import Coordinator, Structure
from programmes.models import Partner, PartnerMember

SIGNING_SALT = "fabrique.accounts.invitation"


@dataclass
class InvitationRefused(Exception):
    """Why an invitation cannot be followed, sent or revoked; `code` names the case, `message` says it."""

    code: str
    message: str


def link_token(invitation: Invitation) -> str:
    # Signed and timestamped: a link cannot be forged, and it is refused once older than the maximum age.
    return signing.dumps(invitation.key, salt=SIGNING_SALT)


def accept_url(invitation: Invitation, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("accounts:accept", args=[link_token(invitation)])


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, still open; otherwise InvitationRefused with a French explanation."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        key = signing.loads(token, salt=SIGNING_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise expired() from exc
    except signing.BadSignature as exc:
        raise InvitationRefused("invalid", _("Ce lien d’invitation n’est pas valable.")) from exc
    invitation = (
        Invitation.objects.filter(key=key).prefetch_related("structures").select_related("partner").first()
    )
    if invitation is None:
        # The key changes when the invitation is sent again: only the latest e-mail's link works.
        raise InvitationRefused(
            "replaced",
            _(
                "Ce lien a été remplacé par un lien plus récent : utilisez le dernier e-mail "
                "d’invitation reçu."
            ),
        )
    check_open(invitation)
    return invitation


def expired() -> InvitationRefused:
    return InvitationRefused(
        "expired",
        _(
            "Ce lien d’invitation a expiré : demandez à l’équipe de l’Avise de vous envoyer une "
            "nouvelle invitation."
        ),
    )


def check_open(invitation: Invitation) -> None:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationRefused(
            "used",
            _(
                "Cette invitation a déjà servi : connectez-vous avec votre adresse e-mail et votre mot de "
                "passe."
            ),
        )
    if status == Invitation.Status.REVOKED:
        raise InvitationRefused("revoked", _("Cette invitation a été annulée par l’équipe de l’Avise."))
    if status == Invitation.Status.EXPIRED:
        raise expired()


def normalize_email(email: str) -> str:
    return User.objects.normalize_email(email).strip().lower()


@transaction.atomic
def invite(
    *,
    invited_by: User,
    email: str,
    structures: Iterable[Structure] = (),
    partner: Partner | None = None,
    title: str = "",
    first_name: str = "",
    last_name: str = "",
    base_url: str,
) -> Invitation:
    """Invites `email`; if it already has an account, gives it the roles at once (`existing_account`)."""
    email = normalize_email(email)
    structures = list(structures)
    if not structures and partner is None:
        raise InvitationRefused("no_role", _("Choisissez au moins une structure ou un partenaire."))
    if Invitation.objects.filter(email=email).pending(invitation_cutoff()).exists():
        raise InvitationRefused(
            "pending",
            _("Une invitation attend déjà une réponse de cette adresse : renvoyez-la depuis la liste."),
        )
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        first_name=first_name,
        last_name=last_name,
        partner=partner,
        title=title,
        key=secrets.token_urlsafe(32),
        invited_by=invited_by,
        sent_at=now,
    )
    invitation.structures.set(structures)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        give_roles(invitation, user)
        Invitation.objects.filter(pk=invitation.pk).update(
            accepted_at=now, accepted_by=user, existing_account=True
        )
        invitation.refresh_from_db()
    send_on_commit(invitation, base_url)
    return invitation


@transaction.atomic
def resend(*, invitation: Invitation, base_url: str) -> Invitation:
    """A new link (the previous one stops working) and a new delay; for pending or expired invitations."""
    fresh_key = secrets.token_urlsafe(32)
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        key=fresh_key, sent_at=timezone.now()
    )
    if updated != 1:
        raise InvitationRefused("closed", _("Cette invitation est close : elle ne peut plus être renvoyée."))
    invitation.refresh_from_db()
    send_on_commit(invitation, base_url)
    return invitation


@transaction.atomic
def revoke(*, invitation: Invitation) -> Invitation:
    """The link stops working at once. An accepted invitation cannot be revoked (remove the role instead)."""
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if updated != 1:
        raise InvitationRefused("closed", _("Cette invitation est déjà close : rien n’a été changé."))
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def accept(
    *, invitation: Invitation, password: str, first_name: str = "", last_name: str = ""
) -> tuple[User, bool]:
    """Creates the account with its verified address and its roles; the link is used up. Returns the user
    and whether the account is new: one made meanwhile (by the admin) only gets the roles, and its owner
    logs in as usual, so that the link never opens an account without its password and TOTP.

    The conditional UPDATE makes the link single-use even when two tabs submit it at the same moment."""
    now = timezone.now()
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None, sent_at__gte=invitation_cutoff()
    ).update(accepted_at=now)
    if updated != 1:
        invitation.refresh_from_db()
        check_open(invitation)
        raise InvitationRefused("used", _("Cette invitation a déjà servi."))
    user = User.objects.filter(email__iexact=invitation.email).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name or invitation.first_name,
            last_name=last_name or invitation.last_name,
        )
    # Following the e-mailed link proves the address: it is the account's verified, primary address.
    EmailAddress.objects.filter(user=user).exclude(email__iexact=invitation.email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    give_roles(invitation, user)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user, existing_account=not created)
    return user, created


def give_roles(invitation: Invitation, user: User) -> None:
    for structure in invitation.structures.all():
        Coordinator.objects.get_or_create(
            user=user, structure=structure, defaults={"title": invitation.title}
        )
    if invitation.partner_id:
        PartnerMember.objects.get_or_create(
            user=user, partner_id=invitation.partner_id, defaults={"title": invitation.title}
        )


def send_on_commit(invitation: Invitation, base_url: str) -> None:
    context = {
        "invitation": invitation,
        "structures": list(invitation.structures.all()),
        "partner": invitation.partner,
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        "accept_url": accept_url(invitation, base_url),
        "login_url": base_url.rstrip("/") + reverse("account_login"),
    }
    template = "accounts/emails/role_added" if invitation.existing_account else "accounts/emails/invitation"
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email], fail_silently=False)
    )
