"""A user's roles come from their coordinations and partner memberships, in one place."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fabrique import roles
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_user_has_no_role():
    anonymous = AnonymousUser()
    assert not roles.is_avise_staff(anonymous)
    assert roles.coordinated_structure_ids(anonymous) == set()
    assert roles.partner_ids(anonymous) == set()
    assert roles.labelled_structure_ids(anonymous) == set()


def test_staff_is_avise_staff_but_an_inactive_staff_account_is_not(staff):
    assert roles.is_avise_staff(staff)
    staff.is_active = False
    assert not roles.is_avise_staff(staff)


def test_coordinator_coordinates_their_structures_only(coordinator, tag22, atis):
    other = factories.StructureFactory(name="TAg29", slug="tag29")
    factories.CoordinatorFactory(user=coordinator, structure=other)
    assert roles.coordinated_structure_ids(coordinator) == {tag22.pk, other.pk}
    assert atis.pk not in roles.coordinated_structure_ids(coordinator)
    assert not roles.is_avise_staff(coordinator)


def test_only_coordinators_of_labelled_structures_may_sit_on_committees(coordinator, outsider, atis):
    assert roles.labelled_structure_ids(coordinator) == set()
    assert roles.labelled_structure_ids(outsider) == {atis.pk}


def test_partner_member_belongs_to_their_organisation(partner_user, coordinator):
    assert len(roles.partner_ids(partner_user)) == 1
    assert roles.partner_ids(coordinator) == set()


def test_role_lookups_are_cached_on_the_user(coordinator, django_assert_num_queries):
    roles.coordinated_structure_ids(coordinator)
    with django_assert_num_queries(0):
        roles.coordinated_structure_ids(coordinator)
