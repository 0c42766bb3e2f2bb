"""Who may do what on the appellation path — the one place for its permissions.

- The applicant structure's coordinators prepare, edit and submit its dossier (a draft only), and read it
  and its decision letter afterwards.
- Committee members (coordinators of a structure seated on the application's committee) read the dossier
  and give an opinion; they read nothing else.
- The Avise staff read everything and run the path: phases, committees, members, decisions. They do not
  write a structure's dossier: it is the structure's own account."""

from django.http import Http404

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff
from network.models import AppellationApplication, CommitteeMember, Structure


def is_applicant(user: AnyUser, application: AppellationApplication) -> bool:
    return application.structure_id in coordinated_structure_ids(user)


def seated_structure_ids(user: AnyUser, application: AppellationApplication) -> set[int]:
    """The structures `user` coordinates that sit on the application's committee (empty without one)."""
    mine = coordinated_structure_ids(user)
    if not application.committee_id or not mine:
        return set()
    return set(
        CommitteeMember.objects.filter(
            committee_id=application.committee_id, structure_id__in=mine
        ).values_list("structure_id", flat=True)
    )


def can_read_dossier(user: AnyUser, application: AppellationApplication) -> bool:
    return (
        is_avise_staff(user)
        or is_applicant(user, application)
        or bool(seated_structure_ids(user, application))
    )


def can_edit_dossier(user: AnyUser, application: AppellationApplication) -> bool:
    """Only the applicant's coordinators, and only while the dossier is a draft."""
    return is_applicant(user, application) and application.status == AppellationApplication.Status.DRAFT


def can_start_dossier(user: AnyUser, structure: Structure) -> bool:
    return structure.pk in coordinated_structure_ids(user)


def can_give_opinion(user: AnyUser, application: AppellationApplication) -> bool:
    return bool(seated_structure_ids(user, application))


def can_read_letter(user: AnyUser, application: AppellationApplication) -> bool:
    """The decision letter: the applicant's coordinators and the staff."""
    return is_avise_staff(user) or is_applicant(user, application)


def can_manage(user: AnyUser) -> bool:
    """Phases, committees, members, conflicts of interest and decisions: the Avise staff."""
    return is_avise_staff(user)


def may_see_appellation_page(user: AnyUser, structure: Structure, application) -> bool:
    """The structure's appellation page: staff, its coordinators, and the members of its application's
    committee. Anyone else gets 404 (the page is not revealed)."""
    if is_avise_staff(user) or structure.pk in coordinated_structure_ids(user):
        return True
    return application is not None and bool(seated_structure_ids(user, application))


def require_appellation_page(user: AnyUser, structure: Structure, application) -> None:
    if not may_see_appellation_page(user, structure, application):
        raise Http404
