"""Writes of the projects app: every change to a project goes through one of these functions.

Each takes the acting user, checks they may change the project (else PermissionDenied), validates with
`full_clean()`, writes in one transaction and queues side effects (e-mails) only once it is committed."""

import copy
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fabrique.audit import record_versions
from fabrique.models import User
from fabrique.tasks import send_task_on_commit
from fabrique.uploads import validate_document_file
from network.models import Structure, Territory
from programmes.models import Programme
from projects.access import can_change, can_create_for
from projects.fiches import request_fiche
from projects.models import Document, HolderAssignment, Indicator, Project, Stage, StageChange
from projects.selectors import Blocker, move_blockers, publish_blockers
from projects.tasks import notify_project_moved

# What `update_project` may change, in the order of the edit form. The stage moves only through
# `move_project`, publication only through `publish_project`/`unpublish_project`; the structure and the
# author never change.
EDITABLE_FIELDS = (
    "title",
    "territory",
    "sector",
    "programme",
    "need",
    "solution",
    "study_started_on",
    "study_completed_on",
    "study_summary",
    "study_conclusion",
    "study_document",
    "started_on",
    "key_lessons",
    "partners",
)

DEFAULT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


class PipelineError(Exception):
    """A write refused for reasons the user can fix; `reasons` holds their codes and French messages."""

    def __init__(self, reasons: list[Blocker]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(reason.message for reason in reasons))

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


class MoveRefused(PipelineError):
    pass


class PublishRefused(PipelineError):
    pass


class ConcurrentMove(Exception):
    """Someone else moved the project between the moment the page was loaded and this move."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _require_change(user: User, project: Project) -> None:
    if not can_change(user, project):
        raise PermissionDenied(_("Vous ne pouvez pas modifier ce projet."))


def _touch(project: Project) -> None:
    """Marks the project as updated now: a new holder, measure or document is news about the project (the
    workspace flags projects without news for 90 days)."""
    project.updated_at = timezone.now()
    Project.objects.filter(pk=project.pk).update(updated_at=project.updated_at)


def _unique_slug(title: str) -> str:
    """slugify(title), then -2, -3… until no project uses it (the unique constraint guards races)."""
    base = slugify(title)[:200] or "projet"
    taken = set(Project.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def create_project(
    *,
    user: User,
    structure: Structure,
    title: str,
    territory: Territory,
    sector: str,
    programme: Programme | None = None,
    need: str = "",
    solution: str = "",
) -> Project:
    """A new project of `structure` at the detection stage, with its first history row (« Projet créé »).

    Only staff and the structure's coordinators may create one (else PermissionDenied). The slug comes
    from the title, made unique with -2, -3…"""
    if not can_create_for(user, structure.pk):
        raise PermissionDenied(_("Vous ne pouvez pas créer de projet pour cette structure."))
    now = timezone.now()
    project = Project(
        title=title,
        slug=_unique_slug(title),
        structure=structure,
        territory=territory,
        sector=sector,
        programme=programme,
        need=need,
        solution=solution,
        stage=Stage.DETECTION,
        stage_changed_at=now,
        created_by=user,
    )
    project.full_clean()
    project.save()
    StageChange.objects.create(
        project=project,
        from_stage="",
        to_stage=Stage.DETECTION,
        changed_at=now,
        changed_by=user,
        note=_("Projet créé"),
    )
    return project


@transaction.atomic
def update_project(*, user: User, project: Project, **fields: Any) -> Project:
    """Changes the editable fields of `project` (see EDITABLE_FIELDS; `partners` takes an iterable).

    Any other field (stage, is_published, structure…) is a programming error: ValueError. Only the given
    fields are written, so a stale copy of the project cannot undo a move made meanwhile."""
    unknown = set(fields).difference(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"update_project cannot change {', '.join(sorted(unknown))}")
    _require_change(user, project)
    partners = fields.pop("partners", None)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    if fields:
        project.save(update_fields=[*fields, "updated_at"])
    if partners is not None:
        project.partners.set(partners)
    request_fiche(project)
    return project


def _concurrent_move(project: Project) -> ConcurrentMove:
    current = Project.objects.filter(pk=project.pk).values_list("stage", flat=True).first()
    if current is None:
        return ConcurrentMove(_("Ce projet vient d'être supprimé par quelqu'un d'autre. Rechargez la page."))
    return ConcurrentMove(
        _(
            "Ce projet vient d'être déplacé par quelqu'un d'autre : il est maintenant à l'étape "
            "« %(stage)s ». Rechargez la page."
        )
        % {"stage": Stage(current).label}
    )


@transaction.atomic
def move_project(
    *,
    user: User,
    project: Project,
    to_stage: str,
    expected_stage: str,
    note: str = "",
    abandon_reason: str = "",
    started_on: dt.date | None = None,
) -> Project:
    """Moves `project` from `expected_stage` (the stage the user saw) to `to_stage`.

    PermissionDenied if the user may not change the project; MoveRefused with coded reasons (see
    `selectors.move_blockers`) if the move is not allowed; ConcurrentMove if the project is no longer at
    `expected_stage` (nothing is written). `abandon_reason` (moves to abandoned) and `started_on` (moves to
    launched) are written with the move; leaving `abandoned` clears the reason. Writes one StageChange and
    e-mails the structure's coordinators and the staff once the transaction is committed."""
    _require_change(user, project)
    # The rules are checked against the row as it is now, not the copy the page was built from.
    fresh = Project.objects.filter(pk=project.pk).first()
    if fresh is None or fresh.stage != expected_stage:
        raise _concurrent_move(project)
    candidate = copy.copy(fresh)
    if abandon_reason.strip():
        candidate.abandon_reason = abandon_reason.strip()
    if started_on is not None:
        candidate.started_on = started_on
    blockers = move_blockers(candidate, to_stage, user)
    if blockers:
        raise MoveRefused(blockers)

    now = timezone.now()
    changes: dict[str, Any] = {"stage": to_stage, "stage_changed_at": now, "updated_at": now}
    if to_stage == Stage.ABANDONED:
        changes["abandon_reason"] = candidate.abandon_reason
    elif expected_stage == Stage.ABANDONED:
        changes["abandon_reason"] = ""
    if started_on is not None:
        changes["started_on"] = started_on
    # The WHERE on the stage is what makes two simultaneous moves safe: only one of them finds the row.
    updated = Project.objects.filter(pk=project.pk, stage=expected_stage).update(**changes)
    if updated != 1:
        raise _concurrent_move(project)
    for name, value in changes.items():
        setattr(project, name, value)
        setattr(fresh, name, value)
    # update() sends no signal: the audit trail gets the moved row's version here.
    record_versions([fresh], user=user)

    stage_change = StageChange.objects.create(
        project=project,
        from_stage=expected_stage,
        to_stage=to_stage,
        changed_at=now,
        changed_by=user,
        note=note.strip(),
    )
    send_task_on_commit(notify_project_moved, stage_change.pk)
    request_fiche(project)
    return project


@transaction.atomic
def assign_holder(
    *,
    user: User,
    project: Project,
    holder_name: str,
    assigned_on: dt.date,
    holder_organisation: str = "",
    note: str = "",
) -> HolderAssignment:
    """Records who carries the project from `assigned_on` on. Earlier assignments stay as history; the one
    with the latest date is the current holder. A date in the future is refused (ValidationError)."""
    _require_change(user, project)
    if assigned_on > timezone.localdate():
        raise ValidationError(
            {"assigned_on": _("La date de désignation du porteur ne peut pas être dans le futur.")}
        )
    assignment = HolderAssignment(
        project=project,
        holder_name=holder_name.strip(),
        holder_organisation=holder_organisation.strip(),
        assigned_on=assigned_on,
        recorded_by=user,
        note=note.strip(),
    )
    assignment.full_clean()
    assignment.save()
    _touch(project)
    request_fiche(project)
    return assignment


@transaction.atomic
def add_indicator(
    *,
    user: User,
    project: Project,
    kind: str,
    value: Decimal | int | float | str,
    measured_on: dt.date,
    note: str = "",
) -> Indicator:
    """Records a measure of the project's impact (value ≥ 0, else ValidationError).

    There is one measure per kind and date: recording the same kind on the same date again corrects the
    value (and note) of the existing measure instead of adding a second one."""
    _require_change(user, project)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"value": _("Saisissez un nombre.")}) from None
    if amount < 0:
        raise ValidationError({"value": _("La valeur d'un indicateur ne peut pas être négative.")})
    indicator = (
        Indicator.objects.select_for_update()
        .filter(project=project, kind=kind, measured_on=measured_on)
        .first()
    )
    if indicator is None:
        indicator = Indicator(project=project, kind=kind, measured_on=measured_on)
    indicator.value = amount
    indicator.note = note.strip()
    indicator.full_clean()
    indicator.save()
    _touch(project)
    request_fiche(project)
    return indicator


@transaction.atomic
def add_document(
    *, user: User, project: Project, title: str, kind: str, uploaded_file: UploadedFile
) -> Document:
    """Attaches a file to the project. The file is checked by its content (PDF, PNG, JPEG, docx, xlsx, odt,
    UTF-8 text or CSV), never by its name or the type the browser sent, and must not exceed
    settings.PROJECT_DOCUMENT_MAX_BYTES (10 Mo by default): ValidationError naming the file otherwise.
    The detected content type and the size are stored with the document."""
    _require_change(user, project)
    max_bytes = getattr(settings, "PROJECT_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES)
    content_type = validate_document_file(uploaded_file, max_bytes)
    document = Document(
        project=project,
        title=title.strip(),
        kind=kind,
        file=uploaded_file,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=user,
    )
    document.full_clean()
    document.save()
    _touch(project)
    return document


@transaction.atomic
def publish_project(*, user: User, project: Project) -> Project:
    """Shows the project on the public directory.

    PublishRefused with coded reasons when it is not ready (see `selectors.publish_blockers`):
    need_missing, solution_missing, abandoned, study_missing (launch/launched without a study summary),
    holder_missing (launch/launched without a holder). Publishing an already published project keeps its
    first publication date."""
    _require_change(user, project)
    blockers = publish_blockers(project)
    if blockers:
        raise PublishRefused(blockers)
    if not project.is_published:
        project.is_published = True
        project.published_at = timezone.now()
        project.save(update_fields=["is_published", "published_at", "updated_at"])
    request_fiche(project)
    return project


@transaction.atomic
def unpublish_project(*, user: User, project: Project) -> Project:
    """Takes the project off the public directory."""
    _require_change(user, project)
    project.is_published = False
    project.published_at = None
    project.save(update_fields=["is_published", "published_at", "updated_at"])
    return project
