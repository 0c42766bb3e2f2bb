"""A structure's appellation page /reseau/<slug>/appellation/ and its actions: open the dossier, write
its sections, attach and remove documents, submit it, give a committee member's opinion, download a
document or the decision letter.

Who may see the page: access.require_appellation_page (anyone else gets 404, the page is not revealed);
who may act: the access checks again (403), then the services, which check the rules. A refused action
shows the page again with the user's input and the reasons; a done one redirects to the page (PRG)."""

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from network.appellation import access, selectors, services
from network.appellation.forms import DossierDocumentForm, DossierForm, OpinionForm
from network.appellation.services import AppellationRefused
from network.models import AppellationApplication, ApplicationDocument, LetterStatus, Opinion, Structure
from network.selectors import PUBLIC_PHASES
from projects.selectors import Blocker

Status = AppellationApplication.Status
PAGE_TEMPLATE = "network/appellation/dossier.html"
CONFIRM_TEMPLATE = "network/appellation/dossier_confirm.html"


def page_url(structure: Structure, anchor: str = "") -> str:
    return reverse("network:appellation", args=[structure.slug]) + (f"#{anchor}" if anchor else "")


def load(request: HttpRequest, slug: str) -> tuple[Structure, AppellationApplication | None]:
    """The structure (with its phase history, for the clock) and its current application, if the user may
    see the page; 404 otherwise. Three queries, plus the access checks'."""
    structure = get_object_or_404(Structure.objects.prefetch_related("phase_changes"), slug=slug)
    application = selectors.open_application(structure)
    if application is not None:
        application.structure = structure  # the checklist reads it: no second query for it
    access.require_appellation_page(request.user, structure, application)
    return structure, application


def load_application(request: HttpRequest, slug: str) -> tuple[Structure, AppellationApplication]:
    structure, application = load(request, slug)
    if application is None:
        raise Http404
    return structure, application


def latest_decision(structure: Structure) -> AppellationApplication | None:
    """The structure's latest decided application (one query): its letter, and its recommendations while
    the structure prepares a new dossier after a deferral."""
    return structure.applications.filter(status=Status.DECIDED).order_by("-decided_on", "-created_at").first()


def opinion_forms(application: AppellationApplication, seated: set[int], sent: OpinionForm | None):
    """One opinion form per seated structure the user coordinates (`seated`), each with its current opinion
    (two queries: the structures, their opinions). Only the user's own structures' opinions are read."""
    members = Structure.objects.filter(pk__in=seated).order_by("name")
    given = {opinion.member_id: opinion for opinion in application.opinions.filter(member_id__in=seated)}
    rows = []
    for member in members:
        if sent is not None and sent.data.get("member") == str(member.pk):
            form = sent
        else:
            current = given.get(member.pk)
            initial = {"verdict": current.verdict, "comment": current.comment} if current else {}
            form = OpinionForm(members=members, member=member, initial=initial)
        rows.append({"member": member, "opinion": given.get(member.pk), "form": form})
    return rows


def staff_opinions(application: AppellationApplication) -> dict[str, object]:
    """Every member's opinion with its author, and the quorum (two queries): for the staff only."""
    count, needed = selectors.opinions_count(application), selectors.quorum()
    return {
        "opinions": list(application.opinions.select_related("member", "author").order_by("member__name")),
        "opinions_count": count,
        "quorum": needed,
        "quorum_reached": count >= needed,
    }


def render_page(
    request: HttpRequest,
    structure: Structure,
    application: AppellationApplication | None,
    *,
    status: int = 200,
    refused: list[Blocker] | None = None,
    **forms: object,
) -> HttpResponse:
    """The page. `forms` replaces the blank forms (a refused form keeps the user's input)."""
    user = request.user
    context = {
        "structure": structure,
        "application": application,
        "clock": selectors.experimentation_clock(structure),
        "refused": refused or [],
        "public_page": structure.phase in PUBLIC_PHASES,
        "is_staff": access.can_manage(user),
    }
    # A new dossier when none is open: the first one, or the next one after a deferral or a refusal.
    context["can_start"] = (application is None or application.status == Status.DECIDED) and (
        access.can_start_dossier(user, structure)
    )
    context["experimenting"] = structure.phase == Structure.Phase.EXPERIMENTATION
    if application is None:
        return render(request, PAGE_TEMPLATE, context, status=status)

    prefetch_related_objects(
        [application],
        Prefetch("documents", queryset=ApplicationDocument.objects.select_related("uploaded_by")),
    )
    editable = access.can_edit_dossier(user, application)
    context.update(
        figures=selectors.dossier_figures(structure, selectors.experimentation_began(structure)),
        sections=[(label, getattr(application, name)) for name, label in selectors.section_labels().items()],
        documents=list(application.documents.all()),
        editable=editable,
        decided=application if application.status == Status.DECIDED else latest_decision(structure),
    )
    context["can_read_letter"] = context["decided"] is not None and access.can_read_letter(
        user, context["decided"]
    )
    if editable:
        context.update(
            dossier_form=forms.get("dossier_form") or DossierForm.for_application(application),
            document_form=forms.get("document_form") or DossierDocumentForm(),
            blockers=selectors.submit_blockers(application),
        )
    # access.can_give_opinion is "seated for one of the user's structures": asked once, the seats reused.
    seated = (
        access.seated_structure_ids(user, application) if application.status == Status.SUBMITTED else set()
    )
    if seated:
        context["opinion_rows"] = opinion_forms(application, seated, forms.get("opinion_form"))
        # Opinions are given until the day of the session (services.record_opinion says the same).
        context["opinions_open"] = timezone.localdate() <= application.committee.held_on
    if context["is_staff"] and application.status != Status.DRAFT:
        context.update(staff_opinions(application))
    return render(request, PAGE_TEMPLATE, context, status=status)


def refuse(request, structure, application, refused: AppellationRefused, **forms) -> HttpResponse:
    messages.error(request, _("L'action n'a pas pu être faite : voyez pourquoi ci-dessous."))
    return render_page(request, structure, application, status=400, refused=refused.reasons, **forms)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_safe
def dossier(request: HttpRequest, slug: str) -> HttpResponse:
    structure, application = load(request, slug)
    return render_page(request, structure, application)


@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    structure, application = load(request, slug)
    require(access.can_start_dossier(request.user, structure))
    try:
        services.start_application(user=request.user, structure=structure)
    except AppellationRefused as refused:
        return refuse(request, structure, application, refused)
    messages.success(request, _("Le dossier de demande d'appellation est ouvert : vous pouvez le rédiger."))
    return redirect(page_url(structure, "dossier"))


@require_POST
def update(request: HttpRequest, slug: str) -> HttpResponse:
    structure, application = load_application(request, slug)
    require(access.can_edit_dossier(request.user, application))
    form = DossierForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Le dossier n'a pas été enregistré : corrigez le formulaire."))
        return render_page(request, structure, application, status=400, dossier_form=form)
    services.update_dossier(user=request.user, application=application, **form.cleaned_data)
    messages.success(request, _("Le dossier a été enregistré."))
    return redirect(page_url(structure, "dossier"))


@require_POST
def add_document(request: HttpRequest, slug: str) -> HttpResponse:
    structure, application = load_application(request, slug)
    require(access.can_edit_dossier(request.user, application))
    form = DossierDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_dossier_document(
                user=request.user,
                application=application,
                title=form.cleaned_data["title"],
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("Le document a été joint au dossier."))
            return redirect(page_url(structure, "documents"))
    messages.error(request, _("Le document n'a pas été joint : corrigez le formulaire."))
    return render_page(request, structure, application, status=400, document_form=form)


@require_POST
def delete_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    structure, application = load_application(request, slug)
    document = get_object_or_404(application.documents, pk=pk)
    require(access.can_edit_dossier(request.user, application))
    if not request.POST.get("confirmed"):
        context = {"structure": structure, "action": "delete_document", "document": document}
        return render(request, CONFIRM_TEMPLATE, context)
    services.delete_dossier_document(user=request.user, document=document)
    messages.success(
        request, _("Le document « %(title)s » a été retiré du dossier.") % {"title": document.title}
    )
    return redirect(page_url(structure, "documents"))


@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    structure, application = load_application(request, slug)
    require(access.can_edit_dossier(request.user, application))
    if not request.POST.get("confirmed"):
        blockers = selectors.submit_blockers(application)
        if blockers:
            return refuse(request, structure, application, AppellationRefused(blockers))
        return render(request, CONFIRM_TEMPLATE, {"structure": structure, "action": "submit"})
    try:
        services.submit_application(user=request.user, application=application)
    except AppellationRefused as refused:
        return refuse(request, structure, application, refused)
    messages.success(
        request,
        _("Le dossier est déposé : l'équipe de l'Avise est prévenue et l'inscrira à un comité de pairs."),
    )
    return redirect(page_url(structure))


@require_POST
def give_opinion(request: HttpRequest, slug: str) -> HttpResponse:
    structure, application = load_application(request, slug)
    require(access.can_give_opinion(request.user, application))
    members = Structure.objects.filter(pk__in=access.seated_structure_ids(request.user, application))
    member = members.filter(pk=request.POST.get("member") or 0).first()
    form = OpinionForm(request.POST, members=members, member=member)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_opinion(
                user=request.user,
                application=application,
                member=data["member"],
                verdict=data["verdict"],
                comment=data["comment"],
            )
        except AppellationRefused as refused:
            return refuse(request, structure, application, refused, opinion_form=form)
        except ValidationError as error:
            form.add_error("verdict", error.messages)
        else:
            messages.success(
                request,
                _("Avis enregistré pour %(member)s : %(verdict)s.")
                % {"member": data["member"].name, "verdict": Opinion.Verdict(data["verdict"]).label.lower()},
            )
            return redirect(page_url(structure, "avis"))
    messages.error(request, _("L'avis n'a pas été enregistré : corrigez le formulaire."))
    return render_page(request, structure, application, status=400, opinion_form=form)


def attachment(file, filename: str, content_type: str) -> FileResponse:
    """Always downloaded, never shown inline, and never sniffed: a file cannot run as a page of the site."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def document(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A document of one of the structure's dossiers, for whoever may read that dossier (404 otherwise)."""
    structure, _application = load(request, slug)
    attached = (
        ApplicationDocument.objects.select_related("application")
        .filter(application__structure=structure, pk=pk)
        .first()
    )
    if attached is None or not access.can_read_dossier(request.user, attached.application):
        raise Http404
    # Named after its title (the stored name carries the storage's random suffix), keeping the extension.
    filename = (slugify(attached.title) or "document") + PurePath(attached.file.name).suffix.lower()
    return attachment(attached.file, filename, attached.content_type)


@require_safe
def letter(request: HttpRequest, slug: str) -> FileResponse:
    """The decision letter of the structure's latest decided application, once built (404 before)."""
    structure, _application = load(request, slug)
    decided = latest_decision(structure)
    if decided is None:
        raise Http404
    require(access.can_read_letter(request.user, decided))
    if decided.letter_status != LetterStatus.READY or not decided.letter:
        raise Http404
    return attachment(decided.letter, f"decision-appellation-{structure.slug}.pdf", "application/pdf")
