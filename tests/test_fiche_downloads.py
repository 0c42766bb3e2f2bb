"""Issue 4 points 1–2: downloading the project fiche — who may, the « en cours de préparation » page and its
status endpoint, the staff-only HTML preview."""

import pytest
from django.urls import reverse

from projects import tasks
from projects.models import FicheStatus, Project, ProjectFiche
from tests import factories
from tests.test_fiches import full_project


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def funded_project(tag22, partner_user, media_root):
    """An unpublished project of TAG 22 in a programme Fondation PSA (partner_user's organisation) funds,
    its fiche already built."""
    project = full_project(tag22)
    factories.FundingFactory(
        programme=project.programme, partner=partner_user.partner_memberships.get().partner
    )
    tasks.build_project_fiche(project.pk)
    return project


def fiche_url(project, **query):
    url = reverse("projects:fiche", args=[project.slug])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


@pytest.fixture
def other_partner_user(db):
    """A member of a partner funding another programme only."""
    membership = factories.PartnerMemberFactory()
    factories.FundingFactory(partner=membership.partner)
    return membership.user


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, 404),
        ("outsider", 404),
        ("other_partner_user", 404),
        ("partner_user", 200),
        ("coordinator", 200),
        ("staff", 200),
    ],
)
def test_unpublished_project_fiche_is_downloaded_only_by_those_who_may_see_the_project(
    role, expected, funded_project, client, request
):
    if role:
        client.force_login(request.getfixturevalue(role))

    response = client.get(fiche_url(funded_project))

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert f"fiche-{funded_project.slug}.pdf" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_anonymous_visitor_downloads_the_fiche_of_a_published_project(funded_project, client):
    Project.objects.filter(pk=funded_project.pk).update(
        is_published=True, published_at=funded_project.created_at
    )

    response = client.get(fiche_url(funded_project))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_stale_fiche_download_queues_a_build_and_shows_it_is_being_prepared(
    funded_project, coordinator, client, django_capture_on_commit_callbacks, monkeypatch
):
    Project.objects.filter(pk=funded_project.pk).update(key_lessons="De nouveaux enseignements.")
    queued = []
    monkeypatch.setattr(tasks.build_project_fiche, "delay", queued.append)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(fiche_url(funded_project))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "en cours de préparation" in content
    assert reverse("projects:fiche_status", args=[funded_project.slug]) in content
    assert 'hx-trigger="every 2s"' in content
    assert queued == [funded_project.pk]
    assert ProjectFiche.objects.get(project=funded_project).status == FicheStatus.PENDING


def test_fiche_status_sends_htmx_to_the_download_once_built(funded_project, coordinator, client):
    client.force_login(coordinator)

    response = client.get(
        reverse("projects:fiche_status", args=[funded_project.slug]), HTTP_HX_REQUEST="true"
    )

    assert response["HX-Redirect"] == fiche_url(funded_project)


def test_fiche_status_keeps_polling_while_the_fiche_is_pending(funded_project, coordinator, client):
    ProjectFiche.objects.filter(project=funded_project).update(status=FicheStatus.PENDING)
    client.force_login(coordinator)

    response = client.get(
        reverse("projects:fiche_status", args=[funded_project.slug]), HTTP_HX_REQUEST="true"
    )

    assert "HX-Redirect" not in response
    content = response.content.decode()
    assert 'hx-trigger="every 2s"' in content
    assert "en préparation" in content


@pytest.mark.parametrize(("role", "sees_error"), [("coordinator", False), ("staff", True)])
def test_failed_fiche_error_is_shown_to_staff_only(role, sees_error, funded_project, client, request):
    ProjectFiche.objects.filter(project=funded_project).update(status=FicheStatus.FAILED, error="OSError: x")
    client.force_login(request.getfixturevalue(role))

    content = client.get(reverse("projects:fiche_status", args=[funded_project.slug])).content.decode()

    assert "pas pu être générée" in content
    assert "hx-trigger" not in content  # no more polling
    assert ("OSError: x" in content) is sees_error


@pytest.mark.parametrize(("role", "expected"), [(None, 404), ("outsider", 404), ("other_partner_user", 404)])
def test_fiche_status_is_hidden_from_those_who_cannot_see_the_project(
    role, expected, funded_project, client, request
):
    if role:
        client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("projects:fiche_status", args=[funded_project.slug])).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 404), ("outsider", 404), ("partner_user", 403), ("coordinator", 403), ("staff", 200)],
)
def test_html_preview_of_the_fiche_is_for_staff_only(role, expected, funded_project, client, request):
    if role:
        client.force_login(request.getfixturevalue(role))

    response = client.get(fiche_url(funded_project, format="html"))

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"].startswith("text/html")
        assert "Garage solidaire de Saint-Brieuc" in response.content.decode()


def test_html_preview_is_refused_to_anonymous_visitors_of_a_published_project(funded_project, client):
    Project.objects.filter(pk=funded_project.pk).update(
        is_published=True, published_at=funded_project.created_at
    )

    assert client.get(fiche_url(funded_project, format="html")).status_code == 403


def test_fiche_stays_current_for_a_visitor_browsing_in_english(funded_project, coordinator, client, settings):
    # The fiche is French whatever the visitor's language: its hash must not depend on the active language.
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(fiche_url(funded_project), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Type"] == "application/pdf"


def test_project_page_links_to_its_fiche(funded_project, coordinator, client):
    client.force_login(coordinator)

    response = client.get(reverse("projects:detail", args=[funded_project.slug]))

    assert f'href="{fiche_url(funded_project)}"' in response.content.decode()
