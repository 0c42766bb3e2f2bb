"""The programme booklet: its download (queues the build when the booklet is missing or stale and shows
its progress), the progress fragment polled by htmx, and the staff's forced rebuild."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from fabrique.roles import is_avise_staff
from programmes import access
from programmes.booklets import request_booklet
from programmes.models import BookletStatus, ProgrammeBooklet


@require_GET
def booklet(request: HttpRequest, slug: str) -> HttpResponse:
    """The booklet PDF when it is current; otherwise starts (or lets go on) its build and shows its
    progress, which htmx refreshes until the file is ready."""
    programme = access.get_booklet_programme(request.user, slug)
    programme_booklet = request_booklet(programme, requested_by=request.user)
    if programme_booklet.status == BookletStatus.READY:
        # request_booklet leaves a booklet "ready" only when it is current and its file exists.
        return FileResponse(
            programme_booklet.file.open("rb"),
            as_attachment=True,
            filename=f"carnet-{programme.slug}.pdf",
            content_type="application/pdf",
        )
    return render(
        request, "programmes/booklet_pending.html", progress_context(request, programme, programme_booklet)
    )


@require_GET
def booklet_status(request: HttpRequest, slug: str) -> HttpResponse:
    """The progress fragment (« 12 fiches prêtes sur 40 »); once the booklet is ready, htmx is told to
    go to the download."""
    programme = access.get_booklet_programme(request.user, slug)
    programme_booklet = ProgrammeBooklet.objects.filter(programme=programme).first()
    if request.htmx and programme_booklet is not None and programme_booklet.status == BookletStatus.READY:
        return HttpResponseClientRedirect(reverse("programmes:booklet", args=[programme.slug]))
    return render(
        request, "programmes/_booklet_progress.html", progress_context(request, programme, programme_booklet)
    )


@require_POST
def booklet_rebuild(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access.get_booklet_programme(request.user, slug)
    if not access.can_rebuild_booklet(request.user):
        raise PermissionDenied(_("Seule l'équipe de l'Avise peut relancer la génération d'un carnet."))
    request_booklet(programme, requested_by=request.user, force=True)
    messages.success(request, _("La génération du carnet est relancée."))
    return redirect("programmes:booklet", slug=programme.slug)


def progress_context(request: HttpRequest, programme, programme_booklet) -> dict:
    subscribed = (
        programme_booklet is not None
        and request.user.is_authenticated
        and programme_booklet.subscribers.filter(pk=request.user.pk).exists()
    )
    return {
        "programme": programme,
        "booklet": programme_booklet,
        "subscribed": subscribed,
        "show_error": is_avise_staff(request.user),
        "can_rebuild": access.can_rebuild_booklet(request.user),
    }
