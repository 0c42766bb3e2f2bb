"""The demo accounts, one per role, all with the password `fabrique-demo`."""

from dataclasses import dataclass

from fabrique.demo.store import upsert
from fabrique.models import User
from network.models import Coordinator, Structure
from programmes.models import Partner, PartnerMember

DEMO_PASSWORD = "fabrique-demo"  # noqa: S105 - published on purpose: demo accounts only


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
        users[account.email] = user
    return users


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
