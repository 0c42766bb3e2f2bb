"""The project page `/projets/<slug>/` and its actions: create, edit, move, holder, indicators, documents,
publication. Access through projects.access (404 cannot see, 403 cannot change), writes through
projects.services; a refused action re-renders the page with the user's input and the reasons."""

from dataclasses import dataclass
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from fabrique.roles import coordinated_structure_ids, is_avise_staff
from projects import services
from projects.access import can_change, get_changeable_project, get_visible_project
from projects.forms import (
    DocumentForm,
    HolderForm,
    IndicatorForm,
    MoveForm,
    ProjectCreateForm,
    ProjectEditForm,
)
from projects.models import Indicator, Project, Stage
from projects.selectors import Blocker, available_moves, current_holder, project_for_page, publish_blockers

# Blockers the move form itself lifts: the reason is typed with the abandon, the date with the launch.
SUPPLIED_BY_FORM = {Stage.ABANDONED: "abandon_reason_missing", Stage.LAUNCHED: "start_date_missing"}


@dataclass(frozen=True)
class MoveOption:
    """One button of the moves panel: enabled, or disabled with the reasons shown next to it."""

    stage: str
    label: str
    blockers: list[Blocker]
    asks_reason: bool
    asks_start: bool
    form: MoveForm | None  # the form the user sent for this move, when the page is shown again

    @property
    def enabled(self) -> bool:
        return not self.blockers


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    unit: str

    @property
    def number_format(self) -> str:
        """The `floatformat` argument, digits grouped: euros with cents unless round (45 000,50 €, 300 €),
        other values with the decimals they have (1,5 ETP, not 1,50)."""
        value = self.indicator.value
        if value == value.to_integral_value():
            return "0g"
        if self.indicator.kind == Indicator.Kind.FUNDS_RAISED:
            return "2g"
        return f"{-value.normalize().as_tuple().exponent}g"


def move_options(project: Project, user, submitted: MoveForm | None) -> list[MoveOption]:
    sent_to = submitted.data.get("to_stage") if submitted is not None else None
    options = []
    for stage, label, blockers in available_moves(project, user):
        supplied = SUPPLIED_BY_FORM.get(stage)
        options.append(
            MoveOption(
                stage=stage,
                label=label,
                blockers=[blocker for blocker in blockers if blocker.code != supplied],
                asks_reason=stage == Stage.ABANDONED,
                asks_start=stage == Stage.LAUNCHED,
                form=submitted if sent_to == stage else None,
            )
        )
    return options


def indicator_unit(indicator: Indicator) -> str:
    count = int(indicator.value)
    if indicator.kind == Indicator.Kind.JOBS_FTE:
        return _("ETP")
    if indicator.kind == Indicator.Kind.PEOPLE_REACHED:
        return ngettext("personne", "personnes", count)
    if indicator.kind == Indicator.Kind.CREATIVITY_SESSIONS:
        return ngettext("séance", "séances", count)
    return "€"


def render_detail(
    request: HttpRequest, project: Project, *, status: int = 200, **forms: object
) -> HttpResponse:
    """The project page. `forms` replaces the blank forms (a failed form keeps the user's input)."""
    changeable = can_change(request.user, project)
    context = {
        "project": project,
        "can_change": changeable,
        # Who moved the project and the notes of its history are for signed-in network members and
        # partners, not for the public reading a published fiche.
        "show_people": request.user.is_authenticated,
        "holder": current_holder(project),
        "holders": sorted(
            project.holder_assignments.all(), key=lambda row: (row.assigned_on, row.created_at), reverse=True
        ),
        "history": list(project.stage_changes.all()),
        "indicators": [IndicatorRow(row, indicator_unit(row)) for row in project.indicators.all()],
        "documents": list(project.documents.all()),
        "partners": list(project.partners.all()),
    }
    if changeable:
        moves = move_options(project, request.user, forms.get("move_form"))
        context.update(
            moves=moves,
            # A move sent for a stage no longer offered (someone moved the project): its note is shown
            # back so that nothing typed is lost.
            unsent_move=forms.get("move_form") if not any(option.form for option in moves) else None,
            publish_blockers=[] if project.is_published else publish_blockers(project),
            holder_form=forms.get("holder_form") or HolderForm(),
            indicator_form=forms.get("indicator_form") or IndicatorForm(),
            document_form=forms.get("document_form") or DocumentForm(),
        )
    return render(request, "projects/project_detail.html", context, status=status)


def changeable_page_project(request: HttpRequest, slug: str) -> Project:
    """The project as its page needs it, if the user may change it (404 / 403 otherwise)."""
    project = project_for_page(request.user, slug)
    if not can_change(request.user, project):
        raise PermissionDenied
    return project


def add_errors(form, error: ValidationError, field: str | None = None) -> None:
    """A service's ValidationError onto the form, on its fields when it names them."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


def page_url(project: Project, anchor: str = "") -> str:
    return reverse("projects:detail", args=[project.slug]) + (f"#{anchor}" if anchor else "")


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_detail(request, project_for_page(request.user, slug))


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not (is_avise_staff(request.user) or coordinated_structure_ids(request.user)):
        raise PermissionDenied  # partners and people without a structure create nothing
    form = ProjectCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Le projet « %(title)s » a été créé.") % {"title": project.title})
            return redirect(page_url(project))
    status = 400 if form.is_bound else 200
    return render(request, "projects/project_form.html", {"form": form, "project": None}, status=status)


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_changeable_project(request.user, slug)
    form = ProjectEditForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(user=request.user, project=project, **form.changes())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Les modifications du projet ont été enregistrées."))
            return redirect(page_url(project))
    status = 400 if form.is_bound else 200
    return render(request, "projects/project_form.html", {"form": form, "project": project}, status=status)


@require_POST
def move(request: HttpRequest, slug: str) -> HttpResponse:
    project = changeable_page_project(request, slug)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Le changement d'étape n'a pas été enregistré : corrigez le formulaire."))
        return render_detail(request, project, status=400, move_form=form)
    data = form.cleaned_data
    if data["to_stage"] == Stage.ABANDONED and not request.POST.get("confirmed"):
        return render(
            request, "projects/project_confirm.html", {"project": project, "action": "abandon", "form": form}
        )
    try:
        services.move_project(user=request.user, project=project, **data)
    except services.MoveRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason.message)
        return render_detail(request, project, status=400, move_form=form)
    except services.ConcurrentMove as concurrent:
        messages.error(request, concurrent.message)
        # The page shows the stage as it is now; the note typed is kept in the form of the same move.
        return render_detail(request, project_for_page(request.user, slug), status=409, move_form=form)
    messages.success(
        request, _("Le projet est passé à l'étape « %(stage)s ».") % {"stage": Stage(data["to_stage"]).label}
    )
    return redirect(page_url(project, "etapes"))


def _record(request, project, form, write, *, saved, refused, anchor, form_name, error_field=None):
    """Runs `write(cleaned_data)` when `form` is valid; redirects to the page's `anchor` with `saved`, or
    re-renders the page (400) with the form, its errors and `refused`."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error, field=error_field)
        else:
            messages.success(request, saved)
            return redirect(page_url(project, anchor))
    messages.error(request, refused)
    return render_detail(request, project, status=400, **{form_name: form})


@require_POST
def assign_holder(request: HttpRequest, slug: str) -> HttpResponse:
    project = changeable_page_project(request, slug)
    return _record(
        request,
        project,
        HolderForm(request.POST),
        lambda data: services.assign_holder(user=request.user, project=project, **data),
        saved=_("Le porteur de projet a été enregistré."),
        refused=_("Le porteur de projet n'a pas été enregistré : corrigez le formulaire."),
        anchor="porteur",
        form_name="holder_form",
    )


@require_POST
def add_indicator(request: HttpRequest, slug: str) -> HttpResponse:
    project = changeable_page_project(request, slug)
    return _record(
        request,
        project,
        IndicatorForm(request.POST),
        lambda data: services.add_indicator(user=request.user, project=project, **data),
        saved=_("L'indicateur a été enregistré."),
        refused=_("L'indicateur n'a pas été enregistré : corrigez le formulaire."),
        anchor="indicateurs",
        form_name="indicator_form",
    )


@require_POST
def add_document(request: HttpRequest, slug: str) -> HttpResponse:
    project = changeable_page_project(request, slug)
    return _record(
        request,
        project,
        DocumentForm(request.POST, request.FILES),
        lambda data: services.add_document(
            user=request.user,
            project=project,
            title=data["title"],
            kind=data["kind"],
            uploaded_file=data["file"],
        ),
        saved=_("Le document a été ajouté."),
        refused=_("Le document n'a pas été ajouté : corrigez le formulaire."),
        anchor="documents",
        form_name="document_form",
        error_field="file",
    )


@require_safe
def document(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A project document, for whoever may see the project; always downloaded, never shown inline, so a
    file cannot run as a page of the site."""
    project = get_visible_project(request.user, slug)
    attached = project.documents.filter(pk=pk).first()
    if attached is None:
        raise Http404
    try:
        handle = attached.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Named after its title (the stored name carries the storage's random suffix), keeping the extension.
    filename = (slugify(attached.title) or "document") + PurePath(attached.file.name).suffix.lower()
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=attached.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    project = changeable_page_project(request, slug)
    try:
        services.publish_project(user=request.user, project=project)
    except services.PublishRefused:
        messages.error(request, _("Le projet ne peut pas encore être publié : voyez ce qui manque."))
        return render_detail(request, project, status=400)
    messages.success(request, _("Le projet est publié : il apparaît dans l'annuaire public."))
    return redirect(page_url(project, "publication"))


@require_POST
def unpublish(request: HttpRequest, slug: str) -> HttpResponse:
    project = changeable_page_project(request, slug)
    if not request.POST.get("confirmed"):
        return render(request, "projects/project_confirm.html", {"project": project, "action": "unpublish"})
    services.unpublish_project(user=request.user, project=project)
    messages.success(request, _("Le projet n'est plus publié : il n'apparaît plus dans l'annuaire public."))
    return redirect(page_url(project, "publication"))
