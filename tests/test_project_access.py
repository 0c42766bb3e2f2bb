"""The access rules of the projects app, checked at the one place that decides them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from projects.access import can_change, get_changeable_project, get_visible_project, visible_projects
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def psa_programme(partner_user):
    programme = factories.ProgrammeFactory(name="Emergence de garages solidaires", slug="garages-solidaires")
    factories.FundingFactory(partner=partner_user.partner_memberships.get().partner, programme=programme)
    # A second role of the same partner must not duplicate the programme's projects.
    factories.FundingFactory(
        partner=partner_user.partner_memberships.get().partner, programme=programme, role="co_operator"
    )
    return programme


@pytest.fixture
def projects(tag22, atis, psa_programme):
    return {
        "tag22_draft": factories.ProjectFactory(structure=tag22, slug="tag22-brouillon"),
        "tag22_psa": factories.ProjectFactory(structure=tag22, programme=psa_programme, slug="tag22-garage"),
        "atis_draft": factories.ProjectFactory(structure=atis, slug="atis-brouillon"),
        "atis_published": factories.ProjectFactory(
            structure=atis, slug="atis-publie", is_published=True, published_at="2025-01-01T10:00Z"
        ),
    }


def slugs(user) -> set[str]:
    return set(visible_projects(user).values_list("slug", flat=True))


def test_public_reads_published_projects_only(projects):
    assert slugs(AnonymousUser()) == {"atis-publie"}


def test_coordinator_reads_own_structures_projects_and_published_ones(projects, coordinator):
    assert slugs(coordinator) == {"tag22-brouillon", "tag22-garage", "atis-publie"}


def test_coordinator_of_another_structure_does_not_read_tag22_drafts(projects, outsider):
    assert slugs(outsider) == {"atis-brouillon", "atis-publie"}


def test_partner_reads_projects_of_the_programmes_it_funds_once(projects, partner_user):
    assert sorted(visible_projects(partner_user).values_list("slug", flat=True)) == [
        "atis-publie",
        "tag22-garage",
    ]


def test_staff_reads_everything(projects, staff):
    assert slugs(staff) == {p.slug for p in projects.values()}


def test_only_staff_and_the_structures_coordinators_change_a_project(
    projects, coordinator, outsider, partner_user, staff
):
    project = projects["tag22_psa"]
    assert can_change(staff, project)
    assert can_change(coordinator, project)
    assert not can_change(outsider, project)
    assert not can_change(partner_user, project)
    assert not can_change(AnonymousUser(), project)


def test_unseen_project_is_404_and_seen_read_only_project_is_403(projects, partner_user, outsider):
    with pytest.raises(Http404):
        get_visible_project(outsider, "tag22-garage")
    with pytest.raises(PermissionDenied):
        get_changeable_project(partner_user, "tag22-garage")
    with pytest.raises(Http404):
        get_changeable_project(outsider, "tag22-garage")
    assert get_changeable_project(outsider, "atis-brouillon").slug == "atis-brouillon"
