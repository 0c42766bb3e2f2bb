"""Who a user is on the platform. Every app's access checks start from these helpers.

A user may hold several roles at once: Avise staff, coordinator of one or more structures, committee
member (a coordinator of a labelled structure sitting on a committee session) and member of a partner
organisation."""

from django.contrib.auth.models import AnonymousUser

from fabrique.models import User

AnyUser = User | AnonymousUser


def is_avise_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def coordinated_structure_ids(user: AnyUser) -> set[int]:
    """Ids of the structures this user coordinates (one query, cached on the user object)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_coordinated_structure_ids"):
        user._coordinated_structure_ids = set(user.coordinations.values_list("structure_id", flat=True))
    return user._coordinated_structure_ids


def partner_ids(user: AnyUser) -> set[int]:
    """Ids of the partner organisations this user belongs to (one query, cached on the user object)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_partner_ids"):
        user._partner_ids = set(user.partner_memberships.values_list("partner_id", flat=True))
    return user._partner_ids


def labelled_structure_ids(user: AnyUser) -> set[int]:
    """Ids of the labelled structures this user coordinates: through them they may sit on committees."""
    if not user.is_authenticated:
        return set()
    return set(user.coordinations.filter(structure__phase="labelled").values_list("structure_id", flat=True))
