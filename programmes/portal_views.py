"""The partner portal: programmes a partner organisation funds or co-operates, and their projects."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from programmes import portal
from programmes.booklets import booklet_projects

PROJECTS_PER_PAGE = 25


def _require_portal_user(request):
    if not portal.may_use_portal(request.user):
        raise PermissionDenied(
            _("L’espace partenaire est réservé aux membres d’une organisation partenaire.")
        )


@login_required
def portal_home(request):
    _require_portal_user(request)
    return render(request, "programmes/portal.html", {"programmes": portal.portal_programmes(request.user)})


@login_required
def portal_programme(request, slug):
    _require_portal_user(request)
    programme = portal.get_portal_programme(request.user, slug)
    page = Paginator(portal.portal_projects(request.user, programme), PROJECTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "programme": programme,
        "page": page,
        "published_count": booklet_projects(programme).count(),
    }
    return render(request, "programmes/portal_programme.html", context)
