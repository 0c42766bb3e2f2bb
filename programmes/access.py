"""Who may download a programme's booklet, and which programmes a project may be attached to — the one
place for the programmes' permissions.

The booklet holds only published fiches, so it is public when its programme is: anyone may download the
booklet of a published programme. An unpublished programme's booklet is for the Avise staff and the
members of the partners that fund or co-operate the programme (they see it in their portal)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff, partner_ids
from programmes.models import Funding, Participation, Programme


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


def selectable_programmes(user: AnyUser, structure_ids=None, keep: int | None = None) -> QuerySet[Programme]:
    """The programmes a project of the structures `structure_ids` (by default those `user` coordinates) may
    be attached to: the published ones and those these structures take part in — an unpublished programme's
    name is not shown to other structures. Staff choose among all; `keep` (the project's programme) stays."""
    if is_avise_staff(user):
        return Programme.objects.order_by("name")
    if structure_ids is None:
        structure_ids = coordinated_structure_ids(user)
    selectable = Q(is_published=True) | Q(
        pk__in=Participation.objects.filter(structure_id__in=structure_ids).values("programme_id")
    )
    if keep is not None:
        selectable |= Q(pk=keep)
    return Programme.objects.filter(selectable).order_by("name")
