"""Who may read and write the partnerships, missions and know-how transfers — the one place for their
permissions.

- Everyone reads what is published (partnerships, missions, validated transfers), with their documents
  (agreements, mission reports): published means public.
- The Avise staff read and edit everything, and validate the transfers coordinators propose.
- A coordinator proposes a transfer for the network; they read the transfers they proposed until staff
  validate and publish them."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff
from partnerships.models import KnowHowTransfer, Mission, Partnership


def can_manage(user: AnyUser) -> bool:
    """Create and edit partnerships, agreements, missions and transfers; validate proposals; import."""
    return is_avise_staff(user)


def visible_partnerships(user: AnyUser) -> QuerySet[Partnership]:
    partnerships = Partnership.objects.all()
    return partnerships if is_avise_staff(user) else partnerships.filter(is_published=True)


def visible_missions(user: AnyUser) -> QuerySet[Mission]:
    """Published missions (whose partnership, if any, is published too); everything for staff."""
    missions = Mission.objects.all()
    if is_avise_staff(user):
        return missions
    return missions.filter(is_published=True).filter(
        Q(partnership__isnull=True) | Q(partnership__is_published=True)
    )


def visible_transfers(user: AnyUser) -> QuerySet[KnowHowTransfer]:
    """Published transfers; for a user, also those they proposed; everything for staff."""
    transfers = KnowHowTransfer.objects.all()
    if is_avise_staff(user):
        return transfers
    visible = Q(is_published=True)
    if user.is_authenticated:
        visible |= Q(proposed_by=user)
    return transfers.filter(visible)


def can_propose_transfer(user: AnyUser) -> bool:
    """Coordinators propose transfers (the staff validate them); staff record them directly."""
    return is_avise_staff(user) or bool(coordinated_structure_ids(user))


def get_visible_partnership(user: AnyUser, slug: str) -> Partnership:
    return get_object_or_404(visible_partnerships(user), slug=slug)


def get_visible_mission(user: AnyUser, slug: str) -> Mission:
    return get_object_or_404(visible_missions(user), slug=slug)


def get_visible_transfer(user: AnyUser, slug: str) -> KnowHowTransfer:
    return get_object_or_404(visible_transfers(user), slug=slug)
