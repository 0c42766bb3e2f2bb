"""Who may do what on the project pages: every URL of /projets/<slug>/ × the five roles.

404 when the user may not see the project (its existence is not revealed), 403 when they may see it but
not change it. The project belongs to TAg22 and sits in a programme funded by Fondation PSA, so the
partner reads it; `outsider` coordinates ATIS."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Document, HolderAssignment, Indicator, Project, StageChange
from tests import factories

Stage = Project.Stage
ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(tag22, partner_user):
    programme = factories.ProgrammeFactory(name="Emergence de garages solidaires")
    factories.FundingFactory(programme=programme, partner=partner_user.partner_memberships.get().partner)
    project = factories.ProjectFactory(
        title="Garage solidaire de Lannion",
        slug="garage-lannion",
        structure=tag22,
        programme=programme,
        solution="Un garage associatif qui répare à prix coûtant.",
    )
    factories.DocumentFactory(project=project, title="Étude d'opportunité")
    return project


@pytest.fixture
def orphan(tag22):
    """An unpublished project of TAg22 outside any programme: the partner does not see it."""
    return factories.ProjectFactory(slug="conciergerie-solidaire", structure=tag22)


@pytest.fixture
def published(project):
    Project.objects.filter(pk=project.pk).update(
        is_published=True, published_at=dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    )
    return project


def login(client, request, role: str) -> None:
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


def post_action(client, action: str, slug: str):
    """POSTs a valid request for `action`; returns the response."""
    url = reverse(f"projects:{action}", args=[slug])
    data = {
        "move": {"to_stage": Stage.INVENTION, "expected_stage": Stage.DETECTION, "note": "Besoin confirmé."},
        "assign_holder": {
            "holder-holder_name": "Association Roule Ma Poule",
            "holder-assigned_on": "2025-03-01",
        },
        "add_indicator": {
            "indicator-kind": "people_reached",
            "indicator-value": "40",
            "indicator-measured_on": "2025-06-30",
        },
        "add_document": {
            "document-title": "Compte rendu du groupe projet",
            "document-kind": "report",
            "document-file": SimpleUploadedFile("compte-rendu.txt", "Réunion du 3 mars.".encode()),
        },
        "publish": {},
        "unpublish": {"confirmed": "1"},
    }[action]
    return client.post(url, data)


def written(action: str, project: Project) -> bool:
    """Whether the action changed anything (it must not have when refused)."""
    project.refresh_from_db()
    return {
        "move": project.stage != Stage.DETECTION or StageChange.objects.filter(project=project).exists(),
        "assign_holder": HolderAssignment.objects.filter(project=project).exists(),
        "add_indicator": Indicator.objects.filter(project=project).exists(),
        "add_document": Document.objects.filter(project=project).count() > 1,
        "publish": project.is_published,
    }[action]


WRITE_ACTIONS = ["move", "assign_holder", "add_indicator", "add_document", "publish"]


# --- Reading ----------------------------------------------------------------------------------------------

DETAIL = {"anonymous": 404, "outsider": 404, "partner_user": 200, "coordinator": 200, "staff": 200}


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_project_page_is_seen_by_its_structure_its_programmes_partners_and_staff_only(
    client, request, project, role
):
    login(client, request, role)
    assert client.get(reverse("projects:detail", args=[project.slug])).status_code == DETAIL[role]


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_document_is_downloaded_only_by_those_who_see_the_project(client, request, project, role):
    login(client, request, role)
    document = project.documents.get()
    response = client.get(reverse("projects:document", args=[project.slug, document.pk]))
    assert response.status_code == DETAIL[role]


@pytest.mark.parametrize("role", ROLES)
def test_published_project_page_and_documents_are_public(client, request, published, role):
    login(client, request, role)
    document = published.documents.get()
    assert client.get(reverse("projects:detail", args=[published.slug])).status_code == 200
    assert client.get(reverse("projects:document", args=[published.slug, document.pk])).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("outsider", 404), ("partner_user", 404), ("coordinator", 200), ("staff", 200)],
)
def test_partner_does_not_see_a_project_outside_their_programmes(client, request, orphan, role, status):
    login(client, request, role)
    assert client.get(reverse("projects:detail", args=[orphan.slug])).status_code == status


def test_missing_project_is_404_even_for_staff(client, staff):
    client.force_login(staff)
    assert client.get(reverse("projects:detail", args=["nexiste-pas"])).status_code == 404


@pytest.mark.parametrize("role", ["partner_user", "outsider"])
def test_read_only_page_offers_no_edit_move_or_publish_control(client, request, published, role):
    login(client, request, role)
    html = client.get(reverse("projects:detail", args=[published.slug])).content.decode()
    for action in ("edit", "move", "assign_holder", "add_indicator", "add_document", "publish", "unpublish"):
        assert f'action="{reverse(f"projects:{action}", args=[published.slug])}"' not in html
    assert reverse("projects:edit", args=[published.slug]) not in html


# --- Changing ---------------------------------------------------------------------------------------------

UNPUBLISHED_WRITE = {"anonymous": 404, "outsider": 404, "partner_user": 403, "coordinator": 302, "staff": 302}
PUBLISHED_WRITE = {"anonymous": 403, "outsider": 403, "partner_user": 403, "coordinator": 302, "staff": 302}


@pytest.mark.parametrize("action", WRITE_ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_only_the_structures_coordinator_and_staff_change_an_unpublished_project(
    client, request, project, role, action
):
    login(client, request, role)
    response = post_action(client, action, project.slug)
    assert response.status_code == UNPUBLISHED_WRITE[role]
    assert written(action, project) is (UNPUBLISHED_WRITE[role] == 302)


@pytest.mark.parametrize("action", [a for a in WRITE_ACTIONS if a != "publish"])
@pytest.mark.parametrize("role", ROLES)
def test_seeing_a_published_project_does_not_allow_changing_it(client, request, published, role, action):
    login(client, request, role)
    response = post_action(client, action, published.slug)
    assert response.status_code == PUBLISHED_WRITE[role]
    assert written(action, published) is (PUBLISHED_WRITE[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_structures_coordinator_and_staff_unpublish(client, request, published, role):
    login(client, request, role)
    response = post_action(client, "unpublish", published.slug)
    assert response.status_code == PUBLISHED_WRITE[role]
    published.refresh_from_db()
    assert published.is_published is (PUBLISHED_WRITE[role] != 302)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 404), ("partner_user", 403), ("coordinator", 200), ("staff", 200)],
)
def test_edit_form_is_offered_to_the_structures_coordinator_and_staff_only(
    client, request, project, role, status
):
    login(client, request, role)
    response = client.get(reverse("projects:edit", args=[project.slug]))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 404), ("partner_user", 403), ("coordinator", 302), ("staff", 302)],
)
def test_only_the_structures_coordinator_and_staff_save_the_edit_form(client, request, project, role, status):
    login(client, request, role)
    data = {
        "title": "Garage solidaire du Trégor",
        "territory": project.territory_id,
        "sector": "mobility",
        "study_conclusion": "pending",
    }
    response = client.post(reverse("projects:edit", args=[project.slug]), data)
    assert response.status_code == status
    project.refresh_from_db()
    assert (project.title == "Garage solidaire du Trégor") is (role in ("coordinator", "staff"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 200), ("partner_user", 403), ("coordinator", 200), ("staff", 200)],
)
def test_create_form_is_offered_to_coordinators_and_staff_only(client, request, role, status):
    login(client, request, role)
    response = client.get(reverse("projects:create"))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_coordinator_cannot_create_a_project_for_another_structure(client, outsider, tag22):
    client.force_login(outsider)
    territory = factories.TerritoryFactory()
    data = {"structure": tag22.pk, "title": "Épicerie solidaire", "territory": territory.pk, "sector": "food"}
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 400
    assert not Project.objects.filter(title="Épicerie solidaire").exists()


@pytest.mark.parametrize(
    "action", ["move", "assign_holder", "add_indicator", "add_document", "publish", "unpublish"]
)
def test_actions_refuse_get(client, coordinator, project, action):
    client.force_login(coordinator)
    assert client.get(reverse(f"projects:{action}", args=[project.slug])).status_code == 405


def test_actions_need_the_csrf_token(coordinator, project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(reverse("projects:publish", args=[project.slug]))
    assert response.status_code == 403
    project.refresh_from_db()
    assert not project.is_published
