"""Reads for the partner portal (/partenaires/): the programmes a partner organisation funds or co-operates,
and their projects. Permissions stay in projects/access.py; this module only narrows querysets."""

from django.shortcuts import get_object_or_404

from fabrique.roles import AnyUser, is_avise_staff, partner_ids
from programmes.models import Programme
from projects.access import visible_projects


def may_use_portal(user: AnyUser) -> bool:
    """Staff (to check what partners see) and members of at least one partner organisation."""
    return is_avise_staff(user) or bool(partner_ids(user))


def portal_programmes(user: AnyUser):
    """Programmes with a Funding row (any role: funder, co-operator, host…) of the user's partners."""
    programmes = Programme.objects.order_by("name")
    if is_avise_staff(user):
        return programmes
    # distinct(): a partner holding several roles in one programme must not list it twice.
    return programmes.filter(fundings__partner_id__in=partner_ids(user)).distinct()


def get_portal_programme(user: AnyUser, slug: str) -> Programme:
    """The programme if the user's organisation funds or co-operates it, else 404 (do not reveal it)."""
    return get_object_or_404(portal_programmes(user), slug=slug)


def portal_projects(user: AnyUser, programme: Programme):
    """The programme's projects, published or not, that the user may read, with what the table shows."""
    projects = visible_projects(user).filter(programme=programme)
    return projects.select_related("structure").order_by("title", "pk")
