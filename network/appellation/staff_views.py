"""The staff's appellation pages under /pilotage/appellation/: the overview, the committee sessions (agenda,
members, conflicts of interest, opinions, decisions) and a structure's phase. Staff only: anonymous
visitors go to the login page, anyone else gets 403. Writes through `services`; a refusal shows its
reasons on the page again (status 400)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from network.appellation import access, selectors, services, staff_selectors
from network.appellation.services import DECISION_PHASES, AppellationRefused
from network.appellation.staff_forms import (
    AttachForm,
    CommitteeForm,
    ConflictForm,
    DecisionForm,
    MembersForm,
    PhaseForm,
)
from network.models import AppellationApplication, LetterStatus, PeerCommittee, Structure
from projects.selectors import Blocker

SESSIONS_PER_PAGE = 20


def staff_only(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not access.can_manage(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def refusal_errors(form, error: AppellationRefused | ValidationError) -> None:
    """A service's refusal onto the form, as errors of the whole form (each reason in words)."""
    reasons = error.reasons if isinstance(error, AppellationRefused) else error.messages
    for reason in reasons:
        form.add_error(None, getattr(reason, "message", reason))


def letter_url(structure: Structure) -> str:
    return reverse("network:appellation_letter", args=[structure.slug])


def decision_auto_id(application: AppellationApplication) -> str:
    """Ids of a decision form's fields, unique on a session page with several applications."""
    return f"decision-{application.pk}-%s"


@require_safe
@staff_only
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {"overview": staff_selectors.overview(today), "quorum": selectors.quorum(), "today": today}
    return render(request, "network/appellation/staff/overview.html", context)


@require_safe
@staff_only
def committee_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(staff_selectors.sessions_for_list(), SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "today": timezone.localdate()}
    return render(request, "network/appellation/staff/committee_list.html", context)


@staff_only
def committee_create(request: HttpRequest) -> HttpResponse:
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.create_committee(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusal_errors(form, error)
        else:
            messages.success(request, _("La séance a été créée : inscrivez-y les demandes et ses membres."))
            return redirect("network:appellation_committee", pk=committee.pk)
    status = 400 if form.is_bound else 200
    return render(request, "network/appellation/staff/committee_form.html", {"form": form}, status=status)


@dataclass(frozen=True)
class AgendaRow:
    """One application of the session page: its quorum, why no decision may be recorded yet (the button is
    disabled with these reasons), its decision form and, once decided, its letter."""

    application: AppellationApplication
    quorum: staff_selectors.Quorum
    blockers: list[Blocker]
    decision_form: DecisionForm
    letter_url: str


def agenda_rows(committee: PeerCommittee, sent: DecisionForm | None, sent_for: int | None) -> list[AgendaRow]:
    rows = []
    for application in staff_selectors.session_applications(committee):
        ready = application.letter_status == LetterStatus.READY
        rows.append(
            AgendaRow(
                application=application,
                quorum=staff_selectors.quorum_of(application),
                blockers=staff_selectors.decision_blockers(application),
                decision_form=sent
                if sent is not None and sent_for == application.pk
                else DecisionForm(auto_id=decision_auto_id(application)),
                letter_url=letter_url(application.structure) if ready else "",
            )
        )
    return rows


def render_committee(
    request: HttpRequest, committee: PeerCommittee, *, status: int = 200, **forms
) -> HttpResponse:
    """The session page; `forms` replaces a blank form by the one sent (with its errors)."""
    seated = staff_selectors.seated_structures(committee)
    # No seats yet: the platform's proposal is checked; else the seats; a form sent back keeps its boxes.
    proposal = [] if seated else list(selectors.eligible_members(committee))
    members_form = forms.get("members_form")
    if members_form is not None:
        checked = set(members_form.data.getlist("structures"))
    else:
        members_form = MembersForm(candidates=staff_selectors.member_candidates(committee))
        checked = {str(structure.pk) for structure in seated or proposal}
    context = {
        "committee": committee,
        "rows": agenda_rows(committee, forms.get("decision_form"), forms.get("decision_for")),
        "seated": seated,
        "proposal": proposal,
        "checked": checked,
        "members_form": members_form,
        "attach_form": forms.get("attach_form")
        or AttachForm(applications=staff_selectors.attachable_applications()),
        "conflict_form": forms.get("conflict_form") or conflict_form(committee),
    }
    return render(request, "network/appellation/staff/committee_detail.html", context, status=status)


def conflict_form(committee: PeerCommittee, data=None) -> ConflictForm:
    return ConflictForm(
        data,
        applications=AppellationApplication.objects.filter(committee=committee)
        .select_related("structure")
        .order_by("structure__name"),
        structures=selectors.labelled_on(committee.held_on).order_by("name"),
    )


@require_safe
@staff_only
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_committee(request, get_object_or_404(PeerCommittee, pk=pk))


def after_write(request: HttpRequest, committee: PeerCommittee, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("network:appellation_committee", args=[committee.pk]) + f"#{anchor}")


@require_POST
@staff_only
def committee_attach(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(PeerCommittee, pk=pk)
    form = AttachForm(request.POST, applications=staff_selectors.attachable_applications())
    if form.is_valid():
        try:
            services.attach_application(
                user=request.user, committee=committee, application=form.cleaned_data["application"]
            )
        except AppellationRefused as refusal:
            refusal_errors(form, refusal)
        else:
            return after_write(
                request, committee, _("La demande est inscrite à l'ordre du jour."), "ordre-du-jour"
            )
    return render_committee(request, committee, status=400, attach_form=form)


@require_POST
@staff_only
def committee_members(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(PeerCommittee, pk=pk)
    form = MembersForm(request.POST, candidates=staff_selectors.member_candidates(committee))
    if form.is_valid():
        try:
            services.set_members(
                user=request.user, committee=committee, structures=list(form.cleaned_data["structures"])
            )
        except AppellationRefused as refusal:
            refusal_errors(form, refusal)
        else:
            return after_write(
                request, committee, _("Les membres de la séance ont été enregistrés."), "membres"
            )
    return render_committee(request, committee, status=400, members_form=form)


@require_POST
@staff_only
def committee_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(PeerCommittee, pk=pk)
    form = conflict_form(committee, request.POST)
    if form.is_valid():
        try:
            services.declare_conflict(user=request.user, **form.cleaned_data)
        except AppellationRefused as refusal:
            refusal_errors(form, refusal)
        else:
            return after_write(request, committee, _("Le conflit d'intérêts a été enregistré."), "conflits")
    return render_committee(request, committee, status=400, conflict_form=form)


@require_POST
@staff_only
def decision(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """Asked twice: the first post shows what the decision will do, the confirmed one records it."""
    committee = get_object_or_404(PeerCommittee, pk=pk)
    application = get_object_or_404(
        AppellationApplication.objects.select_related("structure"), pk=application_pk, committee=committee
    )
    form = DecisionForm(request.POST, auto_id=decision_auto_id(application))
    if form.is_valid():
        data = form.cleaned_data
        if not data["confirmed"]:
            context = {
                "committee": committee,
                "application": application,
                "form": form,
                "decision_label": AppellationApplication.Decision(data["decision"]).label,
                "new_phase": Structure.Phase(DECISION_PHASES[data["decision"]]).label,
            }
            return render(request, "network/appellation/staff/decision_confirm.html", context)
        try:
            services.record_decision(
                user=request.user,
                application=application,
                decision=data["decision"],
                recommendations=data["recommendations"],
                decided_on=data["decided_on"],
            )
        except AppellationRefused as refusal:
            refusal_errors(form, refusal)
        else:
            message = _("La décision est enregistrée ; la lettre de décision est en préparation.")
            return after_write(request, committee, message, f"demande-{application.pk}")
    return render_committee(request, committee, status=400, decision_form=form, decision_for=application.pk)


def render_phase(
    request: HttpRequest, structure: Structure, form: PhaseForm, status: int = 200
) -> HttpResponse:
    context = {"structure": structure, "form": form, "history": staff_selectors.phase_history(structure)}
    return render(request, "network/appellation/staff/phase.html", context, status=status)


@staff_only
def phase(request: HttpRequest, slug: str) -> HttpResponse:
    """A structure's phase and its history; the staff's moves (suspend and withdraw asked twice)."""
    structure = get_object_or_404(Structure, slug=slug)
    form = PhaseForm(request.POST or None, structure=structure)
    if request.method != "POST":
        return render_phase(request, structure, form)
    if form.is_valid():
        data = form.cleaned_data
        if form.needs_confirmation:
            new_phase = Structure.Phase(data["to_phase"]).label
            context = {"structure": structure, "form": form, "new_phase": new_phase}
            return render(request, "network/appellation/staff/phase_confirm.html", context)
        try:
            services.change_phase(
                user=request.user,
                structure=structure,
                to_phase=data["to_phase"],
                reason=data["reason"],
                on=data["changed_on"],
            )
        except AppellationRefused as refusal:
            refusal_errors(form, refusal)
        else:
            messages.success(request, _("Le changement de phase est enregistré."))
            return redirect("network:appellation_phase", slug=structure.slug)
    return render_phase(request, structure, form, status=400)
