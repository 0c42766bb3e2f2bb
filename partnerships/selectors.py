"""Read functions of the partnerships' public pages. Each runs a known number of queries, the same for one
row as for many (the docstrings name them); permissions come from partnerships/access.py."""

import datetime as dt
from typing import NamedTuple

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fabrique.roles import AnyUser
from network.models import Structure
from network.selectors import PUBLIC_PHASES
from partnerships.access import (
    get_visible_partnership,
    visible_missions,
    visible_partnerships,
)
from partnerships.models import (
    Agreement,
    KnowHowTransfer,
    Mission,
    Objective,
    Participant,
    Partnership,
    Party,
    Support,
    Visit,
)
from projects.access import visible_projects
from projects.models import Project

# The French side first (« FR » sorts after « CA »), as the site speaks from France.
PARTIES = Prefetch(
    "parties", queryset=Party.objects.select_related("organisation").order_by("-side", "organisation__name")
)


def partnership_list(user: AnyUser) -> QuerySet[Partnership]:
    """The partnerships `user` may read, newest first, with their parties and organisations: the page, then
    one query for the parties of all its partnerships."""
    return visible_partnerships(user).prefetch_related(PARTIES).order_by("-start_date", "title", "pk")


def partnership_page(user: AnyUser, slug: str) -> Partnership:
    """The partnership `slug` as `user` may read it (else 404), with its parties, supporters and their
    schemes, agreements and their signatories, and the missions `user` may read, by date. Six queries: the
    partnership · its parties · its supports · its agreements · their signatories · its missions."""
    partnership = get_visible_partnership(user, slug)
    # On the object already fetched: no second query for the partnership itself.
    prefetch_related_objects(
        [partnership],
        PARTIES,
        Prefetch("supports", queryset=Support.objects.select_related("partner").order_by("partner__name")),
        Prefetch(
            "agreements",
            queryset=Agreement.objects.prefetch_related("parties").order_by("-signed_on", "title", "pk"),
        ),
        Prefetch("missions", queryset=visible_missions(user).order_by("starts_at", "pk"), to_attr="timeline"),
    )
    return partnership


def upcoming_missions(user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Mission]:
    """Missions not yet over (ending now or later), soonest first, with their partnership: one query."""
    now = now or timezone.now()
    return (
        visible_missions(user)
        .filter(ends_at__gte=now)
        .select_related("partnership")
        .order_by("starts_at", "pk")
    )


def past_missions(user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Mission]:
    """Missions over, most recent first, with their partnership: one query a page (plus the count)."""
    now = now or timezone.now()
    return (
        visible_missions(user)
        .filter(ends_at__lt=now)
        .select_related("partnership")
        .order_by("-starts_at", "-pk")
    )


class MissionPage(NamedTuple):
    mission: Mission
    visits: list[Visit]
    participants: list[Participant]
    objectives: list[Objective]
    projects: list[Project]


def mission_page(user: AnyUser, slug: str) -> MissionPage:
    """The mission `slug` as `user` may read it (else 404) and what it shows. Five queries: the mission with
    its partnership · its visits with their structure or organisation · its participants with theirs · its
    objectives · its projects that `user` may read."""
    mission = get_object_or_404(visible_missions(user).select_related("partnership"), slug=slug)
    visits = list(
        mission.visits.select_related("structure", "organisation").order_by("visited_on", "city", "pk")
    )
    for visit in visits:
        # A candidate, suspended or withdrawn structure has no public page: its name is shown unlinked.
        visit.structure_is_public = visit.structure is not None and visit.structure.phase in PUBLIC_PHASES
    participants = list(
        mission.participants.select_related("structure", "organisation").order_by("name", "pk")
    )
    objectives = list(mission.objectives.order_by("position", "pk"))
    projects = list(visible_projects(user, mission.projects.all()).order_by("title", "pk"))
    return MissionPage(mission, visits, participants, objectives, projects)


class StructureActivity(NamedTuple):
    missions: list[Mission]
    transfers: list[KnowHowTransfer]


def structure_activity(user: AnyUser, structure: Structure) -> StructureActivity:
    """A structure's international and transfer activity: the missions `user` may read that visited it or
    took its people along (one query), and the validated, published transfers it benefited from, with their
    provider (one query)."""
    missions = list(
        visible_missions(user)
        .filter(Q(visits__structure=structure) | Q(participants__structure=structure))
        .distinct()
        .order_by("-starts_at", "-pk")
    )
    transfers = list(
        KnowHowTransfer.objects.filter(
            status=KnowHowTransfer.Status.VALIDATED, is_published=True, beneficiaries__structure=structure
        )
        .select_related("provider")
        .distinct()
        .order_by("-started_on", "-pk")
    )
    return StructureActivity(missions, transfers)
