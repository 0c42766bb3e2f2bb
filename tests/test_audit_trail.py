"""The audit trail (issue 8, point 3): every create, update and delete of a domain model leaves a version
with who and when, also for the writes that bypass the model's signals; the staff read it in the admin's
« Historique », nobody else does, and nobody reverts from it."""

import datetime as dt

import pytest
import tablib
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from network.appellation import services as appellation_services
from network.models import CommitteeMember, Structure
from network.resources import StructureResource
from partnerships import transfer_services
from partnerships.models import Beneficiary, KnowHowTransfer
from projects import services as project_services
from projects.models import Project
from projects.resources import ProjectResource
from tests import factories

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("network", "programmes", "projects", "partnerships")
# Build artefacts, not domain records: their status moves with every PDF build (pending, ready, failed) and
# the fiche or booklet they describe is rebuilt from the tracked models at any time.
UNTRACKED = {"projects.ProjectFiche", "programmes.ProgrammeBooklet"}


@pytest.fixture
def project(coordinator, tag22):
    return factories.ProjectFactory(structure=tag22, title="Garage solidaire du Trégor", slug="garage-tregor")


def history_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


def edit_data(project: Project, **changes) -> dict:
    data = {
        "title": project.title,
        "territory": project.territory_id,
        "sector": project.sector,
        "need": project.need,
        "solution": project.solution,
        "study_conclusion": project.study_conclusion,
    }
    return {**data, **changes}


def test_every_domain_model_keeps_an_audit_trail():
    for app_label in DOMAIN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label in UNTRACKED or hasattr(model, "instance_type"):  # a version model itself
                continue
            assert hasattr(model, "history"), f"{model._meta.label} has no audit trail"


def test_version_models_are_named_in_french():
    assert str(Project.history.model._meta.verbose_name) == "version de projet"


def test_staff_see_in_the_admin_who_edited_a_project_on_the_site_and_what_changed(
    client, coordinator, staff, project
):
    client.force_login(coordinator)
    response = client.post(
        reverse("projects:edit", args=[project.slug]), edit_data(project, title="Garage du Trégor")
    )
    assert response.status_code == 302

    latest = project.history.first()
    assert latest.history_user == coordinator
    assert latest.history_type == "~"
    assert latest.title == "Garage du Trégor"

    client.force_login(staff)
    page = client.get(history_url(project))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Historique de «\u00a0Garage du Trégor\u00a0»" in html
    assert str(coordinator) in html
    # The changed field by its French label, from the old value to the new one.
    assert "<strong>Titre</strong>&nbsp;: Garage solidaire du Trégor → Garage du Trégor" in html


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "outsider", "partner_user"])
def test_only_staff_reach_the_history_of_a_project(client, request, role, project):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.get(history_url(project))

    # The admin sends whoever is not staff to its login page, the history unread.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_no_version_can_be_reverted_from_the_admin(client, staff, project):
    project.title = "Titre changé"
    project.save()
    first = project.history.last()
    client.force_login(staff)
    url = reverse("admin:projects_project_simple_history", args=[project.pk, first.history_id])

    page = client.get(url)
    # Even a complete form, as the change page would send it, is refused.
    response = client.post(url, {**edit_data(project, title=first.title), "stage": project.stage})

    assert page.status_code == 200
    assert "_save" not in page.content.decode()
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "Titre changé"


def test_a_deleted_structure_leaves_its_versions_with_the_deletion_and_who_did_it(client, staff):
    structure = factories.StructureFactory(name="Fabrique du Pays de Bray", slug="fabrique-bray")
    client.force_login(staff)

    response = client.post(reverse("admin:network_structure_delete", args=[structure.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Structure.objects.filter(pk=structure.pk).exists()
    versions = Structure.history.filter(id=structure.pk)
    assert [v.history_type for v in versions] == ["-", "+"]
    assert versions.first().history_user == staff
    assert versions.first().name == "Fabrique du Pays de Bray"


def test_a_move_records_the_project_version_at_its_new_stage_by_its_author(coordinator, project):
    project_services.move_project(
        user=coordinator,
        project=project,
        to_stage=Project.Stage.ABANDONED,
        expected_stage=Project.Stage.DETECTION,
        abandon_reason="Pas de local",
    )

    latest = project.history.first()
    assert (latest.stage, latest.abandon_reason) == (Project.Stage.ABANDONED, "Pas de local")
    assert latest.history_user == coordinator
    # And the move itself (StageChange) has its own first version.
    assert project.stage_changes.get().history.get().history_type == "+"


def test_the_fast_path_import_writes_each_new_projects_first_version_by_the_importer(staff):
    factories.StructureFactory(name="TAg35", slug="tag35")
    factories.TerritoryFactory(name="Retiers", slug="retiers")
    dataset = tablib.Dataset().load(
        "Titre,Slug,Structure,Territoire,Étape\n"
        "Épicerie de Retiers,epicerie-retiers,tag35,retiers,Détecter\n"
        "Garage de Retiers,garage-retiers,tag35,retiers,Inventer\n",
        format="csv",
    )

    result = ProjectResource().import_data(dataset, user=staff)

    assert not result.has_errors() and not result.has_validation_errors()
    versions = Project.history.order_by("slug")
    assert [(v.slug, v.history_type, v.history_user) for v in versions] == [
        ("epicerie-retiers", "+", staff),
        ("garage-retiers", "+", staff),
    ]
    assert {v.id for v in versions} == set(Project.objects.values_list("id", flat=True))


def test_seating_committee_members_records_each_seat_by_the_staff_member(staff):
    since = dt.date(2021, 6, 1)
    atis = factories.StructureFactory(name="ATIS", labelled=True, labelled_on=since, phase_since=since)
    factories.PhaseChangeFactory(
        structure=atis,
        from_phase=Structure.Phase.APPLICATION,
        to_phase=Structure.Phase.LABELLED,
        changed_on=since,
    )
    committee = appellation_services.create_committee(
        user=staff, held_on=timezone.localdate() + dt.timedelta(days=20), place="Avise, Paris"
    )

    appellation_services.set_members(user=staff, committee=committee, structures=[atis])

    seat = CommitteeMember.objects.get()
    version = seat.history.get()
    assert (version.history_type, version.history_user, version.structure_id) == ("+", staff, atis.pk)


def test_the_beneficiaries_of_a_proposed_transfer_are_recorded_with_the_transfer(coordinator, tag22, atis):
    transfer = transfer_services.propose_transfer(
        user=coordinator,
        title="Essaimage d'une recyclerie",
        topic=KnowHowTransfer._meta.get_field("topic").choices[0][0],
        format=KnowHowTransfer.Format.COLLECTIVE,
        started_on=dt.date(2025, 3, 1),
        provider=factories.OrganisationFactory(),
        structures=[tag22, atis],
    )

    assert transfer.history.get().history_type == "+"
    recorded = Beneficiary.history.filter(transfer_id=transfer.pk)
    assert sorted(v.structure_id for v in recorded) == sorted([tag22.pk, atis.pk])
    assert {v.history_user for v in recorded} == {coordinator}


@pytest.mark.parametrize("changes", [1, 12])
def test_history_page_runs_the_same_queries_for_one_version_or_many(
    client, staff, project, changes, django_assert_num_queries
):
    for n in range(changes):
        project.title = f"Version {n}"
        project.save()
    client.force_login(staff)

    # The session, the staff user, the project, the count of its versions (paginator), then one page of
    # versions with their authors joined.
    with django_assert_num_queries(5):
        assert client.get(history_url(project)).status_code == 200


def test_an_import_outside_a_request_names_the_importer_in_the_versions_it_writes(staff):
    # As a background import runs it (a Celery task: no request for the middleware to read).
    structure = factories.StructureFactory(name="Ancien nom", slug="fabrique-bray")
    dataset = tablib.Dataset().load("Slug,Nom\nfabrique-bray,Fabrique du Pays de Bray\n", format="csv")

    result = StructureResource().import_data(dataset, user=staff)

    assert not result.has_errors() and not result.has_validation_errors()
    latest = structure.history.first()
    assert (latest.name, latest.history_type, latest.history_user) == ("Fabrique du Pays de Bray", "~", staff)
