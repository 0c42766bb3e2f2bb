"""The project fiche: download of the PDF built in the background, its build status, the staff preview."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from fabrique.roles import is_avise_staff
from projects.access import get_visible_project
from projects.fiches import (
    FICHE_TEMPLATE,
    fiche_context,
    fiche_project,
    render_context,
    request_fiche,
)
from projects.models import FicheStatus, ProjectFiche


@require_GET
def fiche(request: HttpRequest, slug: str) -> HttpResponse:
    """The fiche PDF when it is current; otherwise queues its build and shows « en cours de préparation »,
    whose status htmx polls from `fiche_status`. `?format=html`: the same template in the browser, for
    staff only."""
    project = get_visible_project(request.user, slug)
    if request.GET.get("format") == "html":
        if not is_avise_staff(request.user):
            raise PermissionDenied(_("Seule l'équipe de l'Avise peut prévisualiser une fiche."))
        context = render_context(fiche_context(fiche_project(project.pk)))
        with translation.override(settings.LANGUAGE_CODE):  # the fiche as it will be printed
            return render(request, FICHE_TEMPLATE, context)
    project_fiche = request_fiche(project)
    if project_fiche.status == FicheStatus.READY:
        # request_fiche leaves a fiche "ready" only when it is current and its file exists.
        return FileResponse(
            project_fiche.file.open("rb"),
            as_attachment=True,
            filename=f"fiche-{project.slug}.pdf",
            content_type="application/pdf",
        )
    return render(
        request,
        "projects/fiche_pending.html",
        {"project": project, "fiche": project_fiche, "show_error": is_avise_staff(request.user)},
    )


@require_GET
def fiche_status(request: HttpRequest, slug: str) -> HttpResponse:
    """The build status fragment polled by htmx on the « en cours de préparation » page (the error only for
    staff); once the fiche is ready, htmx is told to go to the download."""
    project = get_visible_project(request.user, slug)
    project_fiche = ProjectFiche.objects.filter(project=project).first()
    if request.htmx and project_fiche is not None and project_fiche.status == FicheStatus.READY:
        return HttpResponseClientRedirect(reverse("projects:fiche", args=[project.slug]))
    return render(
        request,
        "projects/_fiche_progress.html",
        {"project": project, "fiche": project_fiche, "show_error": is_avise_staff(request.user)},
    )
