"""Every write of the appellation path. Each checks its permission (`access`) and its rules (`selectors`),
runs in one transaction, and queues its e-mails or PDF after commit. A refusal raises AppellationRefused
with coded reasons (`.reasons`: list of Blocker), or PermissionDenied."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit import record_versions
from fabrique.models import User
from fabrique.tasks import send_task_on_commit
from fabrique.uploads import validate_document_file
from network.appellation import access, selectors
from network.models import (
    AppellationApplication,
    ApplicationDocument,
    CommitteeMember,
    ConflictOfInterest,
    LetterStatus,
    Opinion,
    PeerCommittee,
    PhaseChange,
    Structure,
)
from projects.selectors import Blocker

Phase = Structure.Phase
Decision = AppellationApplication.Decision
DEFAULT_DOSSIER_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

# The moves the staff may make by hand; submitting a dossier and recording a decision make the others.
STAFF_MOVES = {
    Phase.CANDIDATE: {Phase.EXPERIMENTATION, Phase.WITHDRAWN},
    Phase.EXPERIMENTATION: {Phase.SUSPENDED, Phase.WITHDRAWN},
    Phase.APPLICATION: {Phase.SUSPENDED, Phase.WITHDRAWN},
    Phase.LABELLED: {Phase.SUSPENDED, Phase.WITHDRAWN},
    Phase.SUSPENDED: {Phase.EXPERIMENTATION, Phase.LABELLED, Phase.WITHDRAWN},
    Phase.WITHDRAWN: {Phase.CANDIDATE},
}
# Suspending or withdrawing a structure is said and justified.
REASON_REQUIRED = {Phase.SUSPENDED, Phase.WITHDRAWN}


class AppellationRefused(Exception):
    def __init__(self, reasons: list[Blocker]):
        super().__init__("; ".join(reason.message for reason in reasons))
        self.reasons = reasons


def _refuse(code: str, message: str) -> AppellationRefused:
    return AppellationRefused([Blocker(code, message)])


def _require_staff(user: User) -> None:
    if not access.can_manage(user):
        raise PermissionDenied(_("Seule l'équipe de l'Avise conduit le parcours d'appellation."))


# --- Phases ---------------------------------------------------------------------------------------------


def _record_phase(
    structure: Structure, to_phase: str, *, user: User | None, reason: str, on: dt.date
) -> PhaseChange:
    """Moves the structure to `to_phase` on `on` and keeps the change in its history."""
    change = PhaseChange.objects.create(
        structure=structure,
        from_phase=structure.phase,
        to_phase=to_phase,
        changed_on=on,
        changed_by=user,
        reason=reason.strip(),
    )
    structure.phase = to_phase
    structure.phase_since = on
    fields = ["phase", "phase_since", "updated_at"]
    if to_phase == Phase.LABELLED:
        structure.labelled_on = on
        fields.append("labelled_on")
    structure.save(update_fields=fields)
    return change


@transaction.atomic
def change_phase(
    *, user: User, structure: Structure, to_phase: str, reason: str = "", on: dt.date | None = None
) -> PhaseChange:
    """A phase change made by the staff (admit in experimentation, suspend, withdraw, reinstate).
    Codes: transition_not_allowed, reason_missing."""
    _require_staff(user)
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    if to_phase not in STAFF_MOVES.get(structure.phase, set()):
        raise _refuse(
            "transition_not_allowed",
            _("Une structure en phase « %(from)s » ne peut pas passer en « %(to)s » ici.")
            % {"from": structure.get_phase_display(), "to": Phase(to_phase).label},
        )
    if to_phase in REASON_REQUIRED and not reason.strip():
        raise _refuse("reason_missing", _("Indiquez le motif de ce changement de phase."))
    return _record_phase(structure, to_phase, user=user, reason=reason, on=on or timezone.localdate())


# --- The dossier ----------------------------------------------------------------------------------------


@transaction.atomic
def start_application(*, user: User, structure: Structure) -> AppellationApplication:
    """Opens the structure's dossier (a draft). Codes: not_experimenting, already_open."""
    if not access.can_start_dossier(user, structure):
        raise PermissionDenied(_("Seul·e un·e chargé·e de mission de la structure prépare son dossier."))
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    if structure.phase != Phase.EXPERIMENTATION:
        raise _refuse(
            "not_experimenting", _("Seule une structure en expérimentation peut demander l'appellation.")
        )
    if structure.applications.exclude(status=AppellationApplication.Status.DECIDED).exists():
        raise _refuse("already_open", _("Un dossier est déjà en cours pour cette structure."))
    return AppellationApplication.objects.create(structure=structure)


def _require_edit(user: User, application: AppellationApplication) -> None:
    if not access.can_edit_dossier(user, application):
        raise PermissionDenied(
            _(
                "Seul·e un·e chargé·e de mission de la structure modifie son dossier, "
                "tant qu'il n'est pas déposé."
            )
        )


@transaction.atomic
def update_dossier(
    *, user: User, application: AppellationApplication, **sections: str
) -> AppellationApplication:
    """Saves the narrative sections (territorial_anchoring, partnerships, know_how, outlook)."""
    _require_edit(user, application)
    unknown = set(sections) - set(selectors.DOSSIER_SECTIONS)
    if unknown:
        raise ValueError(f"not dossier sections: {sorted(unknown)}")
    for name, text in sections.items():
        setattr(application, name, text.strip())
    application.save(update_fields=[*sections, "updated_at"])
    return application


def add_dossier_document(
    *, user: User, application: AppellationApplication, title: str, uploaded_file: UploadedFile
) -> ApplicationDocument:
    """Attaches a file to the dossier, checked by its content like a project's documents (ValidationError
    naming the file otherwise)."""
    _require_edit(user, application)
    max_bytes = getattr(settings, "PROJECT_DOCUMENT_MAX_BYTES", DEFAULT_DOSSIER_DOCUMENT_MAX_BYTES)
    content_type = validate_document_file(uploaded_file, max_bytes)
    document = ApplicationDocument(
        application=application,
        title=title.strip(),
        file=uploaded_file,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=user,
    )
    document.full_clean()
    document.save()
    return document


def delete_dossier_document(*, user: User, document: ApplicationDocument) -> None:
    _require_edit(user, document.application)
    document.delete()
    transaction.on_commit(lambda: document.file.storage.delete(document.file.name))


@transaction.atomic
def submit_application(*, user: User, application: AppellationApplication) -> AppellationApplication:
    """Submits the dossier: the structure moves to « demande d'appellation en cours » and the staff are
    told. AppellationRefused with the readiness checklist's reasons (selectors.submit_blockers)."""
    from network.tasks import notify_application_submitted

    _require_edit(user, application)
    application = (
        AppellationApplication.objects.select_for_update()
        .select_related("structure")
        .prefetch_related("documents")
        .get(pk=application.pk)
    )
    blockers = selectors.submit_blockers(application)
    if blockers:
        raise AppellationRefused(blockers)
    application.status = AppellationApplication.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    _record_phase(
        application.structure,
        Phase.APPLICATION,
        user=user,
        reason=_("Dossier de demande d'appellation déposé."),
        on=timezone.localdate(),
    )
    application_id = application.pk
    send_task_on_commit(notify_application_submitted, application_id)
    return application


# --- The committee --------------------------------------------------------------------------------------


@transaction.atomic
def create_committee(
    *, user: User, held_on: dt.date, place: str = "", video_url: str = "", notes: str = ""
) -> PeerCommittee:
    """A session of the peer committee. ValidationError when it has neither a place nor a link."""
    _require_staff(user)
    committee = PeerCommittee(held_on=held_on, place=place.strip(), video_url=video_url.strip(), notes=notes)
    if not committee.place and not committee.video_url:
        raise ValidationError(_("Indiquez le lieu de la séance ou son lien de visioconférence."))
    committee.full_clean()
    committee.save()
    return committee


@transaction.atomic
def attach_application(
    *, user: User, committee: PeerCommittee, application: AppellationApplication
) -> AppellationApplication:
    """Puts a submitted application on the committee's agenda. A structure already seated there is
    removed from the seats (an applicant never sits). Codes: not_submitted, committee_not_planned."""
    _require_staff(user)
    application = AppellationApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AppellationApplication.Status.SUBMITTED:
        raise _refuse("not_submitted", _("Seule une demande déposée peut être inscrite à une séance."))
    if committee.status != PeerCommittee.Status.PLANNED:
        raise _refuse("committee_not_planned", _("Cette séance n'est plus à venir."))
    application.committee = committee
    application.save(update_fields=["committee", "updated_at"])
    CommitteeMember.objects.filter(committee=committee, structure_id=application.structure_id).delete()
    return application


@transaction.atomic
def declare_conflict(
    *, user: User, application: AppellationApplication, structure: Structure, reason: str
) -> ConflictOfInterest:
    """Records a conflict of interest: the structure is never proposed for (and leaves) the seats of the
    application's committee. Code: reason_missing."""
    _require_staff(user)
    if not reason.strip():
        raise _refuse("reason_missing", _("Indiquez le motif du conflit d'intérêts."))
    conflict, _created = ConflictOfInterest.objects.update_or_create(
        application=application, structure=structure, defaults={"reason": reason.strip()}
    )
    committee_id = AppellationApplication.objects.values_list("committee_id", flat=True).get(
        pk=application.pk
    )
    if committee_id:
        CommitteeMember.objects.filter(committee_id=committee_id, structure=structure).delete()
    return conflict


@transaction.atomic
def set_members(
    *, user: User, committee: PeerCommittee, structures: list[Structure]
) -> list[CommitteeMember]:
    """Sets the committee's members to `structures`, all of which must be eligible (selectors.
    eligible_members); the coordinators of each new member are told by e-mail after commit.
    AppellationRefused naming each structure refused (codes applicant, conflict, not_labelled)."""
    from network.tasks import notify_committee_member

    _require_staff(user)
    committee = PeerCommittee.objects.select_for_update().get(pk=committee.pk)
    if committee.status != PeerCommittee.Status.PLANNED:
        raise _refuse("committee_not_planned", _("Cette séance n'est plus à venir."))
    blockers = selectors.member_blockers(committee, structures)
    if blockers:
        raise AppellationRefused(blockers)
    wanted = {structure.pk for structure in structures}
    current = set(committee.seats.values_list("structure_id", flat=True))
    committee.seats.exclude(structure_id__in=wanted).delete()
    added = [CommitteeMember(committee=committee, structure_id=pk) for pk in sorted(wanted - current)]
    CommitteeMember.objects.bulk_create(added)
    record_versions(added, change="+", user=user)  # bulk_create sends no signal to the audit trail
    committee_id = committee.pk
    for structure_id in sorted(wanted - current):
        send_task_on_commit(notify_committee_member, committee_id, structure_id)
    return list(committee.seats.select_related("structure").order_by("structure__name"))


# --- Opinions and decisions -----------------------------------------------------------------------------


@transaction.atomic
def record_opinion(
    *, user: User, application: AppellationApplication, member: Structure, verdict: str, comment: str = ""
) -> Opinion:
    """A member's opinion (one per member, which may change its mind until the session). Codes:
    not_submitted, session_passed."""
    # Read again under lock: the decision may have been recorded since the page was shown.
    application = (
        AppellationApplication.objects.select_for_update(of=("self",))
        .select_related("committee")
        .get(pk=application.pk)
    )
    if member.pk not in access.seated_structure_ids(user, application):
        raise PermissionDenied(_("Seuls les membres de la séance donnent leur avis sur ce dossier."))
    if verdict not in Opinion.Verdict.values:
        raise ValidationError(_("Choisissez un avis : favorable, favorable avec réserves ou défavorable."))
    if application.status != AppellationApplication.Status.SUBMITTED:
        raise _refuse("not_submitted", _("Ce dossier n'attend plus d'avis."))
    if timezone.localdate() > application.committee.held_on:
        raise _refuse("session_passed", _("La séance a eu lieu : les avis sont clos."))
    opinion, _created = Opinion.objects.update_or_create(
        application=application,
        member=member,
        defaults={"verdict": verdict, "comment": comment.strip(), "author": user},
    )
    return opinion


DECISION_PHASES = {
    Decision.GRANTED: Phase.LABELLED,
    # Deferred: back to experimentation with the committee's recommendations, to apply again later.
    Decision.DEFERRED: Phase.EXPERIMENTATION,
    # Refused: the structure leaves « demande en cours » and goes on experimenting; the staff may then
    # suspend or withdraw it, with their own reason.
    Decision.REFUSED: Phase.EXPERIMENTATION,
}


@transaction.atomic
def record_decision(
    *,
    user: User,
    application: AppellationApplication,
    decision: str,
    recommendations: str = "",
    decided_on: dt.date | None = None,
) -> AppellationApplication:
    """The committee's decision, recorded by the staff once the quorum is reached: the structure's phase
    follows (granted → appellation dated `decided_on`), and the decision letter is built in the background.
    Codes: not_submitted, no_committee, quorum_not_reached, recommendations_missing."""
    from network.tasks import build_decision_letter

    _require_staff(user)
    application = (
        AppellationApplication.objects.select_for_update().select_related("structure").get(pk=application.pk)
    )
    blockers = selectors.decision_blockers(application)
    if decision in (Decision.DEFERRED, Decision.REFUSED) and not recommendations.strip():
        blockers.append(
            Blocker(
                "recommendations_missing",
                _("Rédigez les recommandations du comité : elles figurent dans la lettre de décision."),
            )
        )
    if blockers:
        raise AppellationRefused(blockers)
    decided_on = decided_on or timezone.localdate()
    application.status = AppellationApplication.Status.DECIDED
    application.decision = decision
    application.decided_on = decided_on
    application.decided_by = user
    application.recommendations = recommendations.strip()
    application.letter_status = LetterStatus.PENDING
    application.save()
    _record_phase(
        application.structure,
        DECISION_PHASES[Decision(decision)],
        user=user,
        reason=_("Décision du comité de pairs : %(decision)s.") % {"decision": Decision(decision).label},
        on=decided_on,
    )
    application_id = application.pk
    send_task_on_commit(build_decision_letter, application_id)
    return application
