"""Read functions of the projects app. Each runs a known, small number of queries."""

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from fabrique.roles import AnyUser, is_avise_staff
from network.models import Departement
from projects.access import get_visible_project
from projects.models import (
    TRANSITIONS,
    Document,
    HolderAssignment,
    Indicator,
    Project,
    Stage,
    StageChange,
)


class StageCount(NamedTuple):
    stage: str
    label: str
    count: int


def project_counts_by_stage() -> list[StageCount]:
    """Projects per pipeline stage, every stage in the method's order (zero included).

    Counts cover all projects, published or not: an aggregate number reveals no project. One query."""
    counts = dict(Project.objects.order_by().values_list("stage").annotate(count=Count("id")))
    return [
        StageCount(stage=stage.value, label=str(stage.label), count=counts.get(stage.value, 0))
        for stage in Project.Stage
    ]


# --- The pipeline: can this project move or be published, who carries it, the project page -------------


@dataclass(frozen=True)
class Blocker:
    """Why a write is refused: a stable code for code and tests, a French message for the page."""

    code: str
    message: str


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def move_blockers(project: Project, to_stage: str, user: AnyUser) -> list[Blocker]:
    """Why `user` may not move `project` to `to_stage` now; [] means the move is allowed.

    Codes: transition_not_allowed, reopen_staff_only, need_missing, study_not_favourable, holder_missing,
    start_date_missing (the last two depend on data the move itself may bring: see `move_project`).
    Whether `user` may change the project at all is not a blocker: the service raises PermissionDenied.
    May run one query (the current holder) unless holder_assignments are prefetched."""
    if to_stage not in TRANSITIONS.get(project.stage, set()):
        return [
            Blocker(
                "transition_not_allowed",
                _("Un projet à l'étape « %(from)s » ne peut pas passer à « %(to)s ».")
                % {"from": _stage_label(project.stage), "to": _stage_label(to_stage)}
                if to_stage in Stage.values
                else _("Étape inconnue."),
            )
        ]
    blockers: list[Blocker] = []
    if project.stage == Stage.ABANDONED and not is_avise_staff(user):
        blockers.append(
            Blocker("reopen_staff_only", _("Seule l'équipe de l'Avise peut rouvrir un projet abandonné."))
        )
    if to_stage == Stage.INVENTION and not project.need.strip():
        blockers.append(
            Blocker("need_missing", _("Décrivez le besoin détecté avant de passer à « Inventer »."))
        )
    if to_stage == Stage.LAUNCH:
        if project.study_conclusion != Project.StudyConclusion.FAVOURABLE:
            blockers.append(
                Blocker(
                    "study_not_favourable",
                    _("L'étude d'opportunité doit conclure favorablement avant de passer à « Lancer »."),
                )
            )
        if current_holder(project) is None:
            blockers.append(
                Blocker("holder_missing", _("Désignez un porteur de projet avant de passer à « Lancer »."))
            )
    if to_stage == Stage.LAUNCHED and project.started_on is None:
        blockers.append(
            Blocker(
                "start_date_missing",
                _("Indiquez la date de démarrage de l'activité avant de passer à « Lancé »."),
            )
        )
    if to_stage == Stage.ABANDONED and not project.abandon_reason.strip():
        blockers.append(Blocker("abandon_reason_missing", _("Indiquez le motif de l'abandon.")))
    return blockers


def available_moves(project: Project, user: AnyUser) -> list[tuple[str, str, list[Blocker]]]:
    """Every stage the project may go to from its stage, in the method's order, with its label and blockers.

    Abandoning always shows `abandon_reason_missing` (the reason is typed with the move itself), and
    launching shows `start_date_missing` until a start date is known: the page asks for them in the form."""
    targets = TRANSITIONS.get(project.stage, set())
    return [
        (stage.value, str(stage.label), move_blockers(project, stage.value, user))
        for stage in Stage
        if stage in targets
    ]


def publish_blockers(project: Project) -> list[Blocker]:
    """Why `project` may not be shown on the public directory; [] means it may.

    Codes: need_missing, solution_missing, abandoned, study_missing (launch or launched without a study
    summary), holder_missing (launch or launched without a holder)."""
    blockers: list[Blocker] = []
    if not project.need.strip():
        blockers.append(Blocker("need_missing", _("Décrivez le besoin détecté avant de publier le projet.")))
    if not project.solution.strip():
        blockers.append(
            Blocker("solution_missing", _("Décrivez la solution imaginée avant de publier le projet."))
        )
    if project.stage == Stage.ABANDONED:
        blockers.append(Blocker("abandoned", _("Un projet abandonné ne peut pas être publié.")))
    if project.stage in (Stage.LAUNCH, Stage.LAUNCHED):
        if not project.study_summary.strip():
            blockers.append(
                Blocker(
                    "study_missing",
                    _("Résumez l'étude d'opportunité avant de publier un projet en lancement."),
                )
            )
        if current_holder(project) is None:
            blockers.append(
                Blocker(
                    "holder_missing",
                    _("Désignez un porteur de projet avant de publier un projet en lancement."),
                )
            )
    return blockers


def current_holder(project: Project) -> HolderAssignment | None:
    """The latest holder assignment (by `assigned_on`, then entry), or None.

    Uses the prefetched `holder_assignments` when present (no query), else one query."""
    prefetched = getattr(project, "_prefetched_objects_cache", {}).get("holder_assignments")
    if prefetched is not None:
        rows = list(prefetched)
        return max(rows, key=lambda row: (row.assigned_on, row.created_at, row.pk)) if rows else None
    return project.holder_assignments.order_by("-assigned_on", "-created_at", "-pk").first()


def project_for_page(user: AnyUser, slug: str) -> Project:
    """The project `slug` if `user` may see it (else 404), with everything its page shows loaded.

    A constant number of queries whatever the history's length: the project with its structure,
    territory, programme and author, then one per prefetched relation."""
    queryset = Project.objects.select_related(
        "structure", "territory", "programme", "created_by"
    ).prefetch_related(
        Prefetch(
            "stage_changes",
            queryset=StageChange.objects.select_related("changed_by").order_by("changed_at", "pk"),
        ),
        "holder_assignments",
        Prefetch("indicators", queryset=Indicator.objects.order_by("kind", "measured_on")),
        Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
        "partners",
        Prefetch("territory__departements", queryset=Departement.objects.select_related("region")),
    )
    return get_visible_project(user, slug, queryset)
