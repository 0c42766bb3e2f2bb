"""Issue 4 points 3 and 5: the booklet's download, progress and rebuild views. A published programme's
booklet is public (it holds published fiches only); an unpublished programme's is for staff and for the
members of its partners. Each view is tried as anonymous, partner of the programme, partner of another
programme, coordinator and staff."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import booklets, tasks
from programmes.models import BookletStatus, ProgrammeBooklet
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = [None, "partner_user", "other_partner_user", "coordinator", "staff"]


@pytest.fixture
def programme(tag22, partner_user):
    """An unpublished programme funded by Fondation PSA (partner_user's organisation), one published
    TAg22 project."""
    programme = factories.ProgrammeFactory(
        name="Mobilité solidaire", slug="mobilite-solidaire", is_published=False
    )
    factories.FundingFactory(programme=programme, partner=partner_user.partner_memberships.get().partner)
    factories.ProjectFactory(
        title="Garage solidaire de Lannion",
        structure=tag22,
        programme=programme,
        is_published=True,
        published_at=timezone.now(),
    )
    return programme


@pytest.fixture
def other_partner_user(db):
    """A member of a partner funding another programme only."""
    membership = factories.PartnerMemberFactory(user__email="membre@autre.example.org")
    factories.FundingFactory(partner=membership.partner)
    return membership.user


@pytest.fixture
def built(programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booklets.request_booklet(programme)
    return ProgrammeBooklet.objects.get(programme=programme)


def url(programme, name="booklet"):
    return reverse(f"programmes:{name}", args=[programme.slug])


def login(client, request, role):
    if role:
        client.force_login(request.getfixturevalue(role))


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 404), ("partner_user", 200), ("other_partner_user", 404), ("coordinator", 404), ("staff", 200)],
)
def test_unpublished_programmes_booklet_is_for_its_partners_and_staff(role, expected, built, client, request):
    login(client, request, role)

    response = client.get(url(built.programme))

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="carnet-mobilite-solidaire.pdf"'
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("role", ROLES)
def test_published_programmes_booklet_is_public(role, built, client, request):
    type(built.programme).objects.filter(pk=built.programme.pk).update(is_published=True)
    login(client, request, role)

    response = client.get(url(built.programme))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 404), ("partner_user", 200), ("other_partner_user", 404), ("coordinator", 404), ("staff", 200)],
)
def test_booklet_progress_follows_the_download_permissions(role, expected, built, client, request):
    login(client, request, role)

    assert client.get(url(built.programme, "booklet_status")).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 404), ("partner_user", 403), ("other_partner_user", 404), ("coordinator", 404), ("staff", 302)],
)
def test_only_staff_may_force_a_new_build(
    role, expected, built, client, request, django_capture_on_commit_callbacks
):
    login(client, request, role)
    build_id = built.build_id

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url(built.programme, "booklet_rebuild"))

    assert response.status_code == expected
    built.refresh_from_db()
    assert (built.build_id != build_id) is (expected == 302)


def test_rebuild_needs_a_post_with_csrf_token(built, staff):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff)

    assert csrf_client.get(url(built.programme, "booklet_rebuild")).status_code == 405
    assert csrf_client.post(url(built.programme, "booklet_rebuild")).status_code == 403


def test_missing_booklet_download_queues_the_build_and_shows_its_progress(
    programme, partner_user, client, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks, "queue_booklet_build", lambda *args: queued.append(args))
    client.force_login(partner_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url(programme))

    assert response.status_code == 200
    content = response.content.decode()
    assert "en cours de préparation" in content
    assert "0 fiche prête sur 1" in content
    assert 'hx-trigger="every 2s"' in content
    assert "Vous recevrez aussi un e-mail" in content
    assert len(queued) == 1
    assert ProgrammeBooklet.objects.get(programme=programme).subscribers.get() == partner_user


def test_progress_fragment_counts_the_fiches_ready(programme, partner_user, client):
    ProgrammeBooklet.objects.create(
        programme=programme, status=BookletStatus.PENDING, fiches_total=40, fiches_done=12
    )
    client.force_login(partner_user)

    response = client.get(url(programme, "booklet_status"), HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert "12 fiches prêtes sur 40" in content
    assert 'value="12"' in content and 'max="40"' in content
    assert 'hx-trigger="every 2s"' in content


def test_progress_fragment_before_any_request_offers_to_build_the_booklet(programme, partner_user, client):
    client.force_login(partner_user)

    response = client.get(url(programme, "booklet_status"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Aucun carnet n'a encore été demandé pour ce programme." in content
    assert f'href="{url(programme)}"' in content
    assert "hx-trigger" not in content  # nothing being built: nothing to poll
    assert not ProgrammeBooklet.objects.filter(programme=programme).exists()  # reading it queues nothing


def test_progress_fragment_says_when_the_fiches_are_being_assembled(programme, partner_user, client):
    ProgrammeBooklet.objects.create(
        programme=programme, status=BookletStatus.PENDING, fiches_total=3, fiches_done=3
    )
    client.force_login(partner_user)

    content = client.get(url(programme, "booklet_status"), HTTP_HX_REQUEST="true").content.decode()

    assert "assemblage du carnet" in content


def test_progress_fragment_sends_htmx_to_the_download_once_ready(built, partner_user, client):
    client.force_login(partner_user)

    response = client.get(url(built.programme, "booklet_status"), HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == url(built.programme)


@pytest.mark.parametrize(("role", "sees_error"), [("partner_user", False), ("staff", True)])
def test_failed_booklet_error_is_shown_to_staff_only(role, sees_error, programme, client, request):
    ProgrammeBooklet.objects.create(
        programme=programme, status=BookletStatus.FAILED, error="OSError: disque plein"
    )
    client.force_login(request.getfixturevalue(role))

    content = client.get(url(programme, "booklet_status")).content.decode()

    assert "n'a pas pu être généré" in content or "n’a pas pu être généré" in content
    assert "hx-trigger" not in content
    assert ("disque plein" in content) is sees_error
    assert ("Relancer la génération" in content) is sees_error


def test_programme_page_links_its_booklet_when_a_project_is_published(programme, client):
    type(programme).objects.filter(pk=programme.pk).update(is_published=True)

    content = client.get(reverse("programmes:detail", args=[programme.slug])).content.decode()

    assert url(programme) in content


def test_programme_page_has_no_booklet_link_without_published_project(client):
    programme = factories.ProgrammeFactory()
    factories.ProjectFactory(programme=programme)

    content = client.get(reverse("programmes:detail", args=[programme.slug])).content.decode()

    assert url(programme) not in content


def test_partner_portal_links_the_booklet_of_an_unpublished_programme(programme, partner_user, client):
    client.force_login(partner_user)

    content = client.get(reverse("programmes:portal_programme", args=[programme.slug])).content.decode()

    assert url(programme) in content
