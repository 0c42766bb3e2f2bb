"""The demo accounts, one per role, all with the password `fabrique-demo`, their address verified; the staff
account with an authenticator app whose secret is published below (staff must use TOTP)."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt

from fabrique.demo.store import upsert
from fabrique.models import User
from network.models import Coordinator, Structure
from programmes.models import Partner, PartnerMember

DEMO_PASSWORD = "fabrique-demo"  # noqa: S105 - published on purpose: demo accounts only
# The TOTP secret of the demo staff account (base32), to type into an authenticator app. Published on
# purpose, like the password: demo accounts only.
DEMO_TOTP_SECRET = "FABRIQUEAVISEDEMOTOTPSECRET23456"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    is_staff: bool = False
    structure: str = ""
    partner: str = ""
    title: str = ""


ACCOUNTS = [
    DemoAccount("avise@example.org", "Équipe", "Avise", "Équipe Avise (administration)", is_staff=True),
    DemoAccount(
        "coordination@tag22.example.org",
        "Coordination",
        "TAg22",
        "Coordinatrice de TAg22",
        structure="tag22",
        title="Chargée de mission Fabrique à initiatives",
    ),
    DemoAccount(
        "coordination@atis.example.org",
        "Coordination",
        "ATIS",
        "Coordinateur d'ATIS (structure avec appellation, membre de comité)",
        structure="atis",
        title="Chargé de mission Fabrique à initiatives",
    ),
    DemoAccount(
        "partenaire@fondation-psa.example.org",
        "Partenaire",
        "Fondation PSA",
        "Partenaire : Fondation PSA",
        partner="fondation-psa",
        title="Chargée de programme",
    ),
]


def ensure_users() -> dict[str, User]:
    """The demo users by e-mail. An existing user keeps its password hash while `fabrique-demo` still
    opens it, so a re-run changes nothing (hashing again would give a new salt)."""
    users = {}
    for account in ACCOUNTS:
        user = upsert(
            User,
            {"email": account.email},
            {
                "first_name": account.first_name,
                "last_name": account.last_name,
                "is_staff": account.is_staff,
                "is_superuser": account.is_staff,
                "is_active": True,
            },
        )
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # allauth refuses to log in an unverified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        upsert(EmailAddress, {"user": user, "email": account.email}, {"verified": True, "primary": True})
        if account.is_staff:
            ensure_demo_totp(user)
        users[account.email] = user
    return users


def ensure_demo_totp(user: User) -> None:
    """The staff account's authenticator app, with the published secret (reset if someone changed it)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None and decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET:
        return
    if authenticator is not None:
        authenticator.delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)


def ensure_roles(
    users: dict[str, User], structures: dict[str, Structure], partners: dict[str, Partner]
) -> None:
    for account in ACCOUNTS:
        user = users[account.email]
        if account.structure:
            upsert(
                Coordinator,
                {"user": user, "structure": structures[account.structure]},
                {"title": account.title},
            )
        if account.partner:
            upsert(
                PartnerMember, {"user": user, "partner": partners[account.partner]}, {"title": account.title}
            )
