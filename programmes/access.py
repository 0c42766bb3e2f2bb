"""Who may download a programme's booklet — the one place for the booklet's permissions.

The booklet holds only published fiches, so it is public when its programme is: anyone may download the
booklet of a published programme. An unpublished programme's booklet is for the Avise staff and the
members of the partners that fund or co-operate the programme (they see it in their portal)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from fabrique.roles import AnyUser, is_avise_staff, partner_ids
from programmes.models import Funding, Programme


def booklet_programmes(user: AnyUser) -> QuerySet[Programme]:
    """The programmes whose booklet `user` may download."""
    if is_avise_staff(user):
        return Programme.objects.all()
    visible = Q(is_published=True)
    partners = partner_ids(user)
    if partners:
        visible |= Q(pk__in=Funding.objects.filter(partner_id__in=partners).values("programme_id"))
    return Programme.objects.filter(visible)


def get_booklet_programme(user: AnyUser, slug: str) -> Programme:
    """The programme if `user` may download its booklet, else 404 (not revealing unpublished programmes)."""
    return get_object_or_404(booklet_programmes(user), slug=slug)


def can_rebuild_booklet(user: AnyUser) -> bool:
    """Forcing a new build (after a change of the templates, say) is for the staff."""
    return is_avise_staff(user)
