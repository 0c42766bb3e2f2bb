"""The partner portal /partenaires/: the programmes a partner organisation funds or co-operates and their
projects, published or not. Who may enter, who gets 404, pagination, empty state and query counts."""

import pytest
from django.urls import reverse

from programmes.models import Funding
from programmes.portal_views import PROJECTS_PER_PAGE
from tests import factories

pytestmark = pytest.mark.django_db

HOME_URL = reverse("programmes:portal")


@pytest.fixture
def programme(partner_user, tag22):
    """A programme co-operated by the partner's organisation, with one unpublished TAg22 project."""
    programme = factories.ProgrammeFactory(name="Garages solidaires", slug="garages")
    factories.FundingFactory(
        partner=partner_user.partner_memberships.get().partner,
        programme=programme,
        role=Funding.Role.CO_OPERATOR,
    )
    factories.ProjectFactory(
        title="Garage du Périgord", structure=tag22, programme=programme, is_published=False
    )
    return programme


@pytest.fixture
def other_partner_user(db):
    """A member of another partner organisation, funding another programme."""
    membership = factories.PartnerMemberFactory(user__email="membre@autre.example.org")
    factories.FundingFactory(partner=membership.partner)
    return membership.user


def programme_url(programme):
    return reverse("programmes:portal_programme", args=[programme.slug])


@pytest.mark.parametrize("url_name", ["home", "programme"])
def test_anonymous_is_sent_to_login_with_next(client, programme, url_name):
    url = HOME_URL if url_name == "home" else programme_url(programme)
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response.url and "next=" in response.url


@pytest.mark.parametrize("role", ["outsider", "coordinator"])
@pytest.mark.parametrize("url_name", ["home", "programme"])
def test_user_who_is_not_partner_member_nor_staff_gets_403(client, request, programme, role, url_name):
    client.force_login(request.getfixturevalue(role))
    url = HOME_URL if url_name == "home" else programme_url(programme)
    assert client.get(url).status_code == 403


def test_partner_lists_the_programmes_their_organisation_co_operates(client, partner_user, programme):
    factories.ProgrammeFactory(name="Programme sans eux")
    client.force_login(partner_user)
    content = client.get(HOME_URL).content.decode()
    assert "Garages solidaires" in content
    assert "Programme sans eux" not in content


def test_partner_sees_unpublished_projects_with_fiche_link(client, partner_user, programme):
    client.force_login(partner_user)
    response = client.get(programme_url(programme))
    content = response.content.decode()
    project = programme.projects.get()
    assert response.status_code == 200
    assert reverse("projects:detail", args=[project.slug]) in content
    assert reverse("projects:fiche", args=[project.slug]) in content
    assert "Non publié" in content


def test_partner_of_another_programme_gets_404(client, other_partner_user, programme):
    client.force_login(other_partner_user)
    assert client.get(programme_url(programme)).status_code == 404


def test_staff_see_every_programme(client, staff, programme):
    client.force_login(staff)
    assert "Garages solidaires" in client.get(HOME_URL).content.decode()
    assert client.get(programme_url(programme)).status_code == 200


def test_partner_without_programme_sees_empty_state(client, other_partner_user):
    partner = factories.PartnerMemberFactory(user__email="seul@example.org")
    client.force_login(partner.user)
    assert "aucun programme" in client.get(HOME_URL).content.decode()


def test_programme_without_project_shows_empty_state(client, partner_user, programme):
    programme.projects.all().delete()
    client.force_login(partner_user)
    assert "Aucun projet dans ce programme" in client.get(programme_url(programme)).content.decode()


def test_projects_are_paginated(client, partner_user, programme, tag22):
    factories.ProjectFactory.create_batch(PROJECTS_PER_PAGE, structure=tag22, programme=programme)
    client.force_login(partner_user)
    first = client.get(programme_url(programme))
    second = client.get(programme_url(programme), {"page": 2})
    assert len(first.context["page"].object_list) == PROJECTS_PER_PAGE
    assert len(second.context["page"].object_list) == 1


@pytest.mark.parametrize("count", [1, 20])
def test_programme_page_query_count_does_not_grow_with_projects(
    client, partner_user, programme, tag22, django_assert_num_queries, count
):
    factories.ProjectFactory.create_batch(count - 1, structure=tag22, programme=programme)
    client.force_login(partner_user)
    # session, user, partner ids, programme, coordinated structure ids (visible_projects), project count,
    # project page (structure joined), published projects (for the booklet)
    with django_assert_num_queries(8):
        assert client.get(programme_url(programme)).status_code == 200
