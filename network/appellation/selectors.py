"""Reads of the appellation path and the checks of its rules: a structure's phase on a given day, the
experimentation clock, the dossier's figures, the readiness checklist, the members a committee may have,
the quorum."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import (
    AppellationApplication,
    CommitteeMember,
    ConflictOfInterest,
    PeerCommittee,
    PhaseChange,
    Structure,
)
from programmes.models import Participation
from projects.models import Indicator, Project, Stage, StageChange
from projects.selectors import Blocker

Phase = Structure.Phase

# The usual length of the experimentation (about three years), and when a structure is flagged as due.
EXPERIMENTATION_MONTHS = 36
EXPERIMENTATION_FLAG_MONTHS = 30
# The narrative sections of the dossier, each to be written (at least this many characters) to submit.
DOSSIER_SECTIONS = ("territorial_anchoring", "partnerships", "know_how", "outlook")
SECTION_MIN_LENGTH = 200


# --- Phases ---------------------------------------------------------------------------------------------


def structures_in_phase_on(day: dt.date, phase: str) -> QuerySet[Structure]:
    """The structures whose phase on `day` was `phase`: the last change recorded on or before that day
    says so; a structure without any recorded change counts with its current phase since `phase_since`
    (and, for the appellation, since `labelled_on`)."""
    last_change = (
        PhaseChange.objects.filter(structure=OuterRef("pk"), changed_on__lte=day)
        .order_by("-changed_on", "-created_at", "-pk")
        .values("to_phase")[:1]
    )
    without_history = ~Exists(PhaseChange.objects.filter(structure=OuterRef("pk")))
    since = Q(labelled_on__lte=day) if phase == Phase.LABELLED else Q(phase_since__lte=day)
    return Structure.objects.annotate(phase_then=Subquery(last_change)).filter(
        Q(phase_then=phase) | (without_history & Q(phase=phase) & since)
    )


def labelled_on(day: dt.date) -> QuerySet[Structure]:
    return structures_in_phase_on(day, Phase.LABELLED)


def experimentation_began(structure: Structure) -> dt.date:
    """The day the structure's current experimentation began: its last move into experimentation (a
    deferred application sends it back there, but its clock keeps running from the first day of this
    stretch of experimentation), else the day it joined the network, else `phase_since`."""
    changes = sorted(structure.phase_changes.all(), key=lambda change: (change.changed_on, change.created_at))
    began = None
    for change in changes:
        if change.to_phase == Phase.EXPERIMENTATION and change.from_phase not in (Phase.APPLICATION,):
            began = change.changed_on
        elif change.to_phase not in (Phase.EXPERIMENTATION, Phase.APPLICATION):
            began = None
    # No recorded entry into experimentation (a structure from before the platform): it joined the network
    # in experimentation. Never `phase_since` when a submission or a decision has moved it since.
    return began or structure.joined_on or structure.phase_since


@dataclass(frozen=True)
class Clock:
    began: dt.date
    months: int
    usual_months: int
    flagged: bool

    @property
    def overdue(self) -> bool:
        """Past the usual length of an experimentation (about three years)."""
        return self.months >= self.usual_months


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (15 January → 14 March: 1 month; → 15 March: 2 months)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(months - (end.day < start.day), 0)


def experimentation_clock(structure: Structure, today: dt.date | None = None) -> Clock | None:
    """Months elapsed in experimentation (or while its application is under review), flagged past
    EXPERIMENTATION_FLAG_MONTHS; None in any other phase. Reads `structure.phase_changes` (prefetch it)."""
    if structure.phase not in (Phase.EXPERIMENTATION, Phase.APPLICATION):
        return None
    began = experimentation_began(structure)
    months = months_between(began, today or timezone.localdate())
    return Clock(began, months, EXPERIMENTATION_MONTHS, months >= EXPERIMENTATION_FLAG_MONTHS)


# --- The dossier ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierFigures:
    since: dt.date
    detected: int
    invented: int
    launched: int
    abandoned: int
    jobs: Decimal
    partners: int
    programmes: int


def dossier_figures(structure: Structure, since: dt.date) -> DossierFigures:
    """What the structure did since `since` (its experimentation began), from the platform's own data:
    projects detected (created since), invented, launched and abandoned (moves to those stages since),
    jobs created (the latest `jobs_fte` measure of each of its projects), partners of its projects and
    programmes it took part in. Four queries."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    projects = Project.objects.filter(structure=structure)
    moves = (
        StageChange.objects.filter(project__structure=structure, changed_at__gte=start)
        .values("to_stage")
        .annotate(projects=Count("project", distinct=True))
    )
    moved = {row["to_stage"]: row["projects"] for row in moves}
    later = Indicator.objects.filter(
        project=OuterRef("project"), kind=Indicator.Kind.JOBS_FTE, measured_on__gt=OuterRef("measured_on")
    )
    figures = projects.aggregate(
        detected=Count("pk", filter=Q(created_at__gte=start), distinct=True),
        partners=Count("partners", distinct=True),
    )
    jobs = (
        Indicator.objects.filter(project__structure=structure, kind=Indicator.Kind.JOBS_FTE)
        .filter(~Exists(later))
        .aggregate(total=Sum("value"))["total"]
    )
    programmes = Participation.objects.filter(structure=structure).values("programme").distinct().count()
    return DossierFigures(
        since=since,
        detected=figures["detected"],
        invented=moved.get(Stage.INVENTION, 0),
        launched=moved.get(Stage.LAUNCHED, 0),
        abandoned=moved.get(Stage.ABANDONED, 0),
        jobs=jobs or Decimal(0),
        partners=figures["partners"],
        programmes=programmes,
    )


def section_labels() -> dict[str, str]:
    return {name: str(AppellationApplication._meta.get_field(name).verbose_name) for name in DOSSIER_SECTIONS}


def submit_blockers(application: AppellationApplication) -> list[Blocker]:
    """Why the dossier cannot be submitted yet (empty when it can): the readiness checklist.

    Codes: not_draft, not_experimenting, section_too_short (one per section), document_missing.
    Reads `application.documents` (prefetch it) and the structure."""
    blockers = []
    if application.status != AppellationApplication.Status.DRAFT:
        blockers.append(Blocker("not_draft", _("Ce dossier a déjà été déposé.")))
    if application.structure.phase != Phase.EXPERIMENTATION:
        blockers.append(
            Blocker(
                "not_experimenting",
                _("Seule une structure en expérimentation peut demander l'appellation."),
            )
        )
    for name, label in section_labels().items():
        if len(getattr(application, name).strip()) < SECTION_MIN_LENGTH:
            blockers.append(
                Blocker(
                    "section_too_short",
                    _("Rédigez la partie « %(section)s » (au moins %(count)s caractères).")
                    % {"section": label, "count": SECTION_MIN_LENGTH},
                )
            )
    if not application.documents.all():
        blockers.append(
            Blocker(
                "document_missing",
                _("Joignez au moins un document (rapport d'activité, lettres des partenaires…)."),
            )
        )
    return blockers


def open_application(structure: Structure) -> AppellationApplication | None:
    """The structure's application in preparation or under review, else its latest decided one."""
    return (
        AppellationApplication.objects.filter(structure=structure)
        .select_related("committee", "decided_by")
        .order_by(
            # An open application first (there is at most one), then the latest decided.
            Case(When(status=AppellationApplication.Status.DECIDED, then=1), default=0),
            "-created_at",
        )
        .first()
    )


# --- The committee --------------------------------------------------------------------------------------


def eligible_members(committee: PeerCommittee) -> QuerySet[Structure]:
    """The structures that may sit on `committee`: labelled on the session date, never an applicant of
    one of its applications, never in a declared conflict of interest with one of them."""
    applications = AppellationApplication.objects.filter(committee=committee)
    return (
        labelled_on(committee.held_on)
        .exclude(pk__in=applications.values("structure_id"))
        .exclude(
            pk__in=ConflictOfInterest.objects.filter(application__in=applications).values("structure_id")
        )
        .order_by("name")
    )


def member_blockers(committee: PeerCommittee, structures: list[Structure]) -> list[Blocker]:
    """Why these structures may not all sit on the committee (one blocker per structure refused)."""
    eligible = set(eligible_members(committee).values_list("pk", flat=True))
    applicants = set(
        AppellationApplication.objects.filter(committee=committee).values_list("structure_id", flat=True)
    )
    conflicted = set(
        ConflictOfInterest.objects.filter(application__committee=committee).values_list(
            "structure_id", flat=True
        )
    )
    blockers = []
    for structure in structures:
        if structure.pk in eligible:
            continue
        if structure.pk in applicants:
            blockers.append(
                Blocker(
                    "applicant",
                    _("%(name)s demande l'appellation : elle ne peut pas siéger.") % {"name": structure.name},
                )
            )
        elif structure.pk in conflicted:
            blockers.append(
                Blocker(
                    "conflict",
                    _("%(name)s a déclaré un conflit d'intérêts avec une structure candidate.")
                    % {"name": structure.name},
                )
            )
        else:
            blockers.append(
                Blocker(
                    "not_labelled",
                    _("%(name)s n'a pas l'appellation à la date de la séance.") % {"name": structure.name},
                )
            )
    return blockers


def quorum() -> int:
    return settings.APPELLATION_QUORUM


def opinions_count(application: AppellationApplication) -> int:
    """Opinions of members still seated on the application's committee."""
    if not application.committee_id:
        return 0
    seated = CommitteeMember.objects.filter(committee_id=application.committee_id).values("structure_id")
    return application.opinions.filter(member_id__in=seated).count()


def decision_blockers(application: AppellationApplication, opinions: int | None = None) -> list[Blocker]:
    """Why no decision may be recorded yet. Codes: not_submitted, no_committee, quorum_not_reached.
    `opinions`: the seated members' opinions when the caller counted them already (a list page counts them
    for all its applications in one query); else `opinions_count` asks."""
    if application.status != AppellationApplication.Status.SUBMITTED:
        return [
            Blocker("not_submitted", _("Seule une demande déposée et pas encore décidée peut être tranchée."))
        ]
    if not application.committee_id:
        return [Blocker("no_committee", _("Inscrivez d'abord la demande à une séance du comité de pairs."))]
    count = opinions_count(application) if opinions is None else opinions
    needed = quorum()
    if count < needed:
        return [
            Blocker(
                "quorum_not_reached",
                _("Le quorum n'est pas atteint : %(count)s avis sur %(needed)s nécessaires.")
                % {"count": count, "needed": needed},
            )
        ]
    return []
