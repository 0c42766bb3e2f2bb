"""Reads of the staff's appellation pages, each in a constant number of queries whatever the number of
structures, sessions, applications or opinions (the rules themselves live in `selectors`)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from network.appellation import selectors
from network.models import (
    AppellationApplication,
    CommitteeMember,
    ConflictOfInterest,
    Opinion,
    PeerCommittee,
    PhaseChange,
    Structure,
)
from projects.selectors import Blocker

Phase = Structure.Phase
Status = AppellationApplication.Status


def with_seated_opinions(applications: QuerySet[AppellationApplication]) -> QuerySet:
    """Annotates `seated_opinions`: the opinions of members still seated on the application's committee,
    the count the quorum is judged on (`selectors.opinions_count`), in the same query."""
    seated = CommitteeMember.objects.filter(committee_id=OuterRef(OuterRef("committee_id"))).values(
        "structure_id"
    )
    count = (
        Opinion.objects.filter(application=OuterRef("pk"), member_id__in=seated)
        .order_by()
        .values("application")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return applications.annotate(seated_opinions=Coalesce(Subquery(count, output_field=IntegerField()), 0))


@dataclass(frozen=True)
class Quorum:
    count: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.count >= self.needed


def quorum_of(application: AppellationApplication) -> Quorum:
    """Needs `seated_opinions` (`with_seated_opinions`)."""
    return Quorum(application.seated_opinions, selectors.quorum())


def decision_blockers(application: AppellationApplication) -> list[Blocker]:
    """`selectors.decision_blockers` on the annotated count (`with_seated_opinions`), so that a session
    page with many applications asks nothing more; the service checks the rule again on recording."""
    return selectors.decision_blockers(application, opinions=getattr(application, "seated_opinions", 0))


# --- The overview ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseGroup:
    phase: str
    label: str
    structures: list[Structure]


@dataclass(frozen=True)
class ClockRow:
    structure: Structure
    clock: selectors.Clock


@dataclass(frozen=True)
class Overview:
    phases: list[PhaseGroup]
    clocks: list[ClockRow]
    dossiers: list[AppellationApplication]
    sessions: list[PeerCommittee]


def coming_sessions(today: dt.date) -> QuerySet[PeerCommittee]:
    """Planned sessions from today on, soonest first, with their applications (quorum counted) and the
    number of seats. Two queries."""
    applications = with_seated_opinions(AppellationApplication.objects.select_related("structure")).order_by(
        "structure__name"
    )
    return (
        PeerCommittee.objects.filter(held_on__gte=today, status=PeerCommittee.Status.PLANNED)
        .annotate(seat_count=Count("seats"))
        .prefetch_related(Prefetch("applications", queryset=applications))
        .order_by("held_on", "pk")
    )


def overview(today: dt.date) -> Overview:
    """Everything `/pilotage/appellation/` shows. Five queries: structures, their phase history (the
    clock), open dossiers, coming sessions, their applications."""
    structures = list(Structure.objects.prefetch_related("phase_changes").order_by("name"))
    phases = [
        PhaseGroup(value, label, [structure for structure in structures if structure.phase == value])
        for value, label in Phase.choices
    ]
    clocks = []
    for structure in structures:
        clock = selectors.experimentation_clock(structure, today)
        if clock is not None:
            clocks.append(ClockRow(structure, clock))
    clocks.sort(key=lambda row: (-row.clock.months, row.structure.name))
    dossiers = list(
        AppellationApplication.objects.exclude(status=Status.DECIDED)
        .select_related("structure", "committee")
        .order_by("status", "-submitted_at", "-created_at")
    )
    return Overview(phases, clocks, dossiers, list(coming_sessions(today)))


def sessions_for_list() -> QuerySet[PeerCommittee]:
    """Every session, latest first, with its counts (one query per page)."""
    return PeerCommittee.objects.annotate(
        seat_count=Count("seats", distinct=True), application_count=Count("applications", distinct=True)
    ).order_by("-held_on", "-pk")


# --- A session ------------------------------------------------------------------------------------------


def session_applications(committee: PeerCommittee) -> list[AppellationApplication]:
    """The session's agenda with, per application, the quorum count, its opinions (member and author) and
    its conflicts of interest. Three queries."""
    opinions = Opinion.objects.select_related("member", "author").order_by("member__name")
    conflicts = ConflictOfInterest.objects.select_related("structure").order_by("structure__name")
    return list(
        with_seated_opinions(
            AppellationApplication.objects.filter(committee=committee).select_related(
                "structure", "committee"
            )
        )
        .prefetch_related(Prefetch("opinions", queryset=opinions), Prefetch("conflicts", queryset=conflicts))
        .order_by("structure__name")
    )


def seated_structures(committee: PeerCommittee) -> list[Structure]:
    return list(Structure.objects.filter(seats__committee=committee).order_by("name"))


def member_candidates(committee: PeerCommittee) -> QuerySet[Structure]:
    """The structures the members form offers: the eligible ones, and those seated now (should one no
    longer be eligible, `set_members` says why instead of silently dropping it)."""
    eligible = selectors.eligible_members(committee).values("pk")
    seated = CommitteeMember.objects.filter(committee=committee).values("structure_id")
    return Structure.objects.filter(Q(pk__in=eligible) | Q(pk__in=seated)).order_by("name")


def attachable_applications() -> QuerySet[AppellationApplication]:
    """Submitted applications not yet on any session."""
    return (
        AppellationApplication.objects.filter(status=Status.SUBMITTED, committee__isnull=True)
        .select_related("structure")
        .order_by("submitted_at")
    )


def phase_history(structure: Structure) -> list[PhaseChange]:
    return list(
        structure.phase_changes.select_related("changed_by").order_by("-changed_on", "-created_at", "-pk")
    )
