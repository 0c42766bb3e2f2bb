"""Who may see and change which project: the one place the projects app decides it.

Seeing: staff see every project; a coordinator sees their structures' projects; a partner member sees the
projects of the programmes their organisation funds or co-operates; everyone sees published projects.
Changing (edit, move, publish, attach): staff, and the coordinators of the project's structure only.
Views answer 404 for what a user cannot see and 403 for what they can see but not change."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff, partner_ids
from projects.models import Project, ProjectQuerySet


def visible_projects(user: AnyUser, queryset: ProjectQuerySet | None = None) -> ProjectQuerySet:
    """The projects `user` may read, narrowing `queryset` (all projects by default)."""
    queryset = Project.objects.all() if queryset is None else queryset
    if is_avise_staff(user):
        return queryset
    visible = Q(is_published=True)
    structures = coordinated_structure_ids(user)
    if structures:
        visible |= Q(structure_id__in=structures)
    partners = partner_ids(user)
    if partners:
        visible |= Q(programme__fundings__partner_id__in=partners)
        # A partner funding a programme several ways must not see its projects twice.
        return queryset.filter(pk__in=Project.objects.filter(visible).values("pk"))
    return queryset.filter(visible)


def can_change(user: AnyUser, project: Project) -> bool:
    """Edit, move, publish, attach documents: staff, or a coordinator of the project's structure."""
    return is_avise_staff(user) or project.structure_id in coordinated_structure_ids(user)


def can_create_for(user: AnyUser, structure_id: int) -> bool:
    return is_avise_staff(user) or structure_id in coordinated_structure_ids(user)


def get_visible_project(user: AnyUser, slug: str, queryset: ProjectQuerySet | None = None) -> Project:
    """The project `slug` if `user` may read it, else 404 (its existence is not revealed)."""
    return get_object_or_404(visible_projects(user, queryset), slug=slug)


def get_changeable_project(user: AnyUser, slug: str, queryset: ProjectQuerySet | None = None) -> Project:
    """The project `slug` if `user` may change it: 404 if they cannot even see it, 403 if read-only."""
    project = get_visible_project(user, slug, queryset)
    if not can_change(user, project):
        raise PermissionDenied
    return project
