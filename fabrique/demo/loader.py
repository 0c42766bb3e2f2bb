"""The `load_demo` service: the seeds' real data, the demo accounts and the synthetic projects, in one
transaction. Running it again changes nothing and only adds the synthetic projects that are missing."""

import time
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from fabrique.demo.accounts import ACCOUNTS, DemoAccount, ensure_roles, ensure_users
from fabrique.demo.load_seeds import (
    SeedIndex,
    load_committees,
    load_partnerships,
    load_programmes,
    load_projects,
    load_structures,
    load_territories,
)
from fabrique.demo.load_synthetic import date_by_history, load_synthetic
from fabrique.models import User
from network.models import PeerCommittee, Structure, Territory
from partnerships.models import KnowHowTransfer, Mission, Organisation, Partnership, Visit
from programmes.models import Participation, Partner, Programme
from projects.models import HolderAssignment, Indicator, Project, StageChange

STAFF_EMAIL = "avise@example.org"


@dataclass(frozen=True)
class DemoSummary:
    counts: list[tuple[str, int]]
    created_projects: int
    seconds: float
    accounts: list[DemoAccount]


def _counts() -> list[tuple[str, int]]:
    return [
        (_("Structures"), Structure.objects.count()),
        (_("dont avec l'appellation"), Structure.objects.filter(phase=Structure.Phase.LABELLED).count()),
        (_("Territoires"), Territory.objects.count()),
        (_("Comités de pairs"), PeerCommittee.objects.count()),
        (_("Partenaires"), Partner.objects.count()),
        (_("Programmes"), Programme.objects.count()),
        (_("Participations"), Participation.objects.count()),
        (_("Projets"), Project.objects.count()),
        (_("Changements d'étape"), StageChange.objects.count()),
        (_("Porteurs de projet désignés"), HolderAssignment.objects.count()),
        (_("Indicateurs"), Indicator.objects.count()),
        (_("Organisations"), Organisation.objects.count()),
        (_("Partenariats internationaux"), Partnership.objects.count()),
        (_("Missions"), Mission.objects.count()),
        (_("Lieux visités"), Visit.objects.count()),
        (_("Transferts de savoir-faire"), KnowHowTransfer.objects.count()),
        (_("Utilisateurs"), User.objects.count()),
    ]


def load_demo(*, projects: int = 200, seed: int = 2026) -> DemoSummary:
    """Loads (or completes) the demo data: idempotent, all or nothing."""
    if projects < 0:
        raise ValueError(_("Le nombre de projets doit être positif ou nul."))
    started = time.monotonic()
    with transaction.atomic():
        users = ensure_users()
        staff = users[STAFF_EMAIL]
        index = SeedIndex()
        load_territories(index)
        load_structures(index, staff)
        index.recorder_by_structure = {
            index.structures[account.structure].pk: users[account.email]
            for account in ACCOUNTS
            if account.structure
        }
        load_committees(index, staff)
        load_programmes(index)
        ensure_roles(users, index.structures, index.partners)
        load_projects(index)
        date_by_history(Project.objects.filter(slug__in=list(index.projects)))
        load_partnerships(index)
        created = load_synthetic(index, count=projects, seed=seed)
    return DemoSummary(
        counts=_counts(),
        created_projects=created,
        seconds=time.monotonic() - started,
        accounts=ACCOUNTS,
    )
