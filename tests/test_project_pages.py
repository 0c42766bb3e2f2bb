"""The project page and its actions, as the coordinator of TAg22 and the Avise staff use them: the moves and
their rules, the timeline, the holder, indicators, documents, publication, and the page's query count."""

import datetime as dt
import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from fabrique.models import User
from network.models import Departement
from projects.models import Document, HolderAssignment, Indicator, Project, StageChange
from tests import factories

Stage = Project.Stage


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(tag22):
    return factories.ProjectFactory(
        title="Garage solidaire de Lannion",
        slug="garage-lannion",
        structure=tag22,
        solution="Un garage associatif qui répare à prix coûtant.",
    )


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def url(name: str, project: Project, *args) -> str:
    return reverse(f"projects:{name}", args=[project.slug, *args])


def move(client, project: Project, to_stage: str, expected_stage: str | None = None, **extra):
    data = {"to_stage": to_stage, "expected_stage": expected_stage or project.stage, **extra}
    return client.post(url("move", project), data)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def set_stage(project: Project, stage: str, **fields) -> Project:
    Project.objects.filter(pk=project.pk).update(stage=stage, **fields)
    project.refresh_from_db()
    return project


# --- Creating and editing ----------------------------------------------------------------------------------


def test_coordinator_creates_a_project_of_their_structure_at_detection_with_a_first_history_row(
    coordinator_client, coordinator, tag22
):
    territory = factories.TerritoryFactory(name="Pays de Guingamp")
    data = {
        "structure": tag22.pk,
        "title": "Épicerie solidaire de Guingamp",
        "territory": territory.pk,
        "sector": "food",
        "need": "Pas de commerce alimentaire à prix accessibles dans le centre-bourg.",
    }

    response = coordinator_client.post(reverse("projects:create"), data)

    project = Project.objects.get(title="Épicerie solidaire de Guingamp")
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[project.slug])
    assert (project.structure, project.stage, project.created_by) == (tag22, Stage.DETECTION, coordinator)
    assert list(project.stage_changes.values_list("to_stage", flat=True)) == [Stage.DETECTION]
    assert message_texts(response) == ["Le projet «\u00a0Épicerie solidaire de Guingamp\u00a0» a été créé."]


@pytest.mark.parametrize("url_name", ["projects:create", "projects:workspace"])
def test_the_create_form_posts_with_its_csrf_token_when_csrf_is_enforced(coordinator, tag22, url_name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    territory = factories.TerritoryFactory(name="Pays de Guingamp")
    html = client.get(reverse(url_name)).content.decode()
    start = html.index(f'action="{reverse("projects:create")}"')
    form = html[start : html.index("</form>", start)]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = client.post(
        reverse("projects:create"),
        {
            "csrfmiddlewaretoken": token,
            "structure": tag22.pk,
            "title": "Épicerie",
            "territory": territory.pk,
            "sector": "food",
        },
    )

    assert response.status_code == 302
    assert Project.objects.filter(title="Épicerie").exists()


def test_create_form_with_errors_keeps_the_input_and_says_what_to_fix(coordinator_client, tag22):
    response = coordinator_client.post(
        reverse("projects:create"), {"structure": tag22.pk, "title": "Épicerie solidaire", "sector": "food"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Épicerie solidaire"' in html
    assert "Ce champ est obligatoire." in html
    assert not Project.objects.exists()


def test_edit_saves_the_study_and_keeps_a_move_made_meanwhile(coordinator_client, project, staff):
    form_page = coordinator_client.get(url("edit", project))
    assert form_page.status_code == 200
    set_stage(project, Stage.INVENTION)  # someone moves it while the form is open
    data = {
        "title": project.title,
        "territory": project.territory_id,
        "sector": project.sector,
        "need": project.need,
        "solution": project.solution,
        "study_started_on": "2024-09-02",
        "study_completed_on": "2025-01-31",
        "study_summary": "Vingt garages interrogés, une demande forte.",
        "study_conclusion": "favourable",
    }

    response = coordinator_client.post(url("edit", project), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.study_conclusion == Project.StudyConclusion.FAVOURABLE
    assert project.study_completed_on == dt.date(2025, 1, 31)
    assert project.stage == Stage.INVENTION


def test_edit_refuses_a_study_ending_before_it_starts_and_keeps_the_input(coordinator_client, project):
    data = {
        "title": "Garage solidaire du Trégor",
        "territory": project.territory_id,
        "sector": project.sector,
        "study_started_on": "2025-03-01",
        "study_completed_on": "2025-01-31",
        "study_conclusion": "pending",
    }

    response = coordinator_client.post(url("edit", project), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "L&#x27;étude d&#x27;opportunité ne peut pas finir avant d&#x27;avoir commencé." in html
    assert 'value="Garage solidaire du Trégor"' in html
    project.refresh_from_db()
    assert project.title == "Garage solidaire de Lannion"


# --- Moves -----------------------------------------------------------------------------------------------


def test_move_records_from_to_who_when_and_note_and_shows_it_in_the_timeline(
    coordinator_client, coordinator, project
):
    response = move(coordinator_client, project, Stage.INVENTION, note="Besoin confirmé avec la mairie.")

    assert response.status_code == 302
    assert message_texts(response) == ["Le projet est passé à l'étape «\u00a0Inventer\u00a0»."]
    change = StageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage, change.changed_by, change.note) == (
        Stage.DETECTION,
        Stage.INVENTION,
        coordinator,
        "Besoin confirmé avec la mairie.",
    )
    html = coordinator_client.get(url("detail", project)).content.decode()
    assert "De «\u00a0Détecter\u00a0» à «\u00a0Inventer\u00a0»" in html
    assert "Besoin confirmé avec la mairie." in html
    assert f"par {coordinator}" in html


def test_public_reads_the_timeline_without_who_moved_the_project_or_the_notes(client, coordinator, project):
    factories.StageChangeFactory(project=project, changed_by=coordinator, note="Appel à la mairie le 3 mars.")
    Project.objects.filter(pk=project.pk).update(
        is_published=True, published_at=dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    )

    html = client.get(url("detail", project)).content.decode()

    assert "De «\u00a0Détecter\u00a0» à «\u00a0Inventer\u00a0»" in html
    assert f"par {coordinator}" not in html
    assert "Appel à la mairie" not in html


def test_edit_form_groups_the_partners_under_a_legend(coordinator_client, project):
    factories.PartnerFactory(name="Fondation PSA")

    html = coordinator_client.get(url("edit", project)).content.decode()

    assert "<legend>Partenaires du projet</legend>" in html
    assert "Fondation PSA" in html


def test_move_to_invention_is_disabled_with_its_reason_until_the_need_is_documented(
    coordinator_client, project
):
    Project.objects.filter(pk=project.pk).update(need="")

    html = coordinator_client.get(url("detail", project)).content.decode()
    assert 'disabled aria-describedby="move-invention-reasons"' in html
    assert 'data-code="need_missing"' in html

    response = move(coordinator_client, project, Stage.INVENTION)
    assert response.status_code == 400
    assert "Décrivez le besoin détecté avant de passer à « Inventer »." in message_texts(response)
    project.refresh_from_db()
    assert project.stage == Stage.DETECTION


def test_move_to_launch_needs_a_favourable_study_and_a_holder(coordinator_client, project):
    set_stage(project, Stage.INVENTION)

    html = coordinator_client.get(url("detail", project)).content.decode()
    assert 'data-code="study_not_favourable"' in html
    assert 'data-code="holder_missing"' in html
    response = move(coordinator_client, project, Stage.LAUNCH)
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.stage == Stage.INVENTION

    Project.objects.filter(pk=project.pk).update(study_conclusion=Project.StudyConclusion.FAVOURABLE)
    factories.HolderAssignmentFactory(project=project)
    assert move(coordinator_client, project, Stage.LAUNCH).status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.LAUNCH


def test_move_to_launched_takes_the_start_date_typed_with_the_move(coordinator_client, project):
    set_stage(project, Stage.LAUNCH)

    refused = move(coordinator_client, project, Stage.LAUNCHED)
    assert refused.status_code == 400
    assert "Indiquez la date de démarrage de l'activité avant de passer à « Lancé »." in message_texts(
        refused
    )

    assert move(coordinator_client, project, Stage.LAUNCHED, started_on="2025-09-01").status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.started_on) == (Stage.LAUNCHED, dt.date(2025, 9, 1))


def test_abandoning_needs_a_reason(coordinator_client, project):
    response = move(coordinator_client, project, Stage.ABANDONED, confirmed="1")

    assert response.status_code == 400
    assert "Indiquez le motif de l&#x27;abandon." in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.DETECTION


def test_abandoning_asks_for_confirmation_first_and_writes_nothing_until_confirmed(
    coordinator_client, project
):
    reason = "Un garage solidaire ouvre à 10 km."

    confirm = move(coordinator_client, project, Stage.ABANDONED, abandon_reason=reason, note="Vu en comité.")

    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Oui, abandonner le projet" in html
    assert 'name="confirmed" value="1"' in html
    assert f'name="abandon_reason" value="{reason}"' in html
    project.refresh_from_db()
    assert project.stage == Stage.DETECTION

    done = move(coordinator_client, project, Stage.ABANDONED, abandon_reason=reason, confirmed="1")
    assert done.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.abandon_reason) == (Stage.ABANDONED, reason)


def test_only_staff_reopen_an_abandoned_project(client, coordinator, staff, project):
    set_stage(project, Stage.ABANDONED, abandon_reason="Pas de porteur.")
    client.force_login(coordinator)
    html = client.get(url("detail", project)).content.decode()
    assert 'data-code="reopen_staff_only"' in html
    assert move(client, project, Stage.DETECTION).status_code == 400

    client.force_login(staff)
    assert move(client, project, Stage.DETECTION, note="Nouveau porteur pressenti.").status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.abandon_reason) == (Stage.DETECTION, "")


def test_a_move_outside_the_pipeline_is_refused(coordinator_client, project):
    response = move(coordinator_client, project, Stage.LAUNCHED, started_on="2025-01-01")

    assert response.status_code == 400
    assert "Un projet à l'étape « Détecter » ne peut pas passer à « Lancé »." in message_texts(response)


def test_second_of_two_moves_made_from_the_same_page_gets_a_clear_message_and_keeps_its_note(
    client, coordinator, staff, project
):
    move(client_for(staff), project, Stage.INVENTION)  # staff moves first
    client.force_login(coordinator)

    response = move(
        client,
        project,
        Stage.ABANDONED,
        expected_stage=Stage.DETECTION,
        abandon_reason="Doublon.",
        note="Voir avec la communauté de communes.",
        confirmed="1",
    )

    assert response.status_code == 409
    assert message_texts(response) == [
        "Ce projet vient d'être déplacé par quelqu'un d'autre : il est maintenant à l'étape « Inventer ». "
        "Rechargez la page."
    ]
    html = response.content.decode()
    assert "Voir avec la communauté de communes." in html  # the note typed is shown back, not lost
    assert 'name="expected_stage" value="invention"' in html  # the page now offers moves from Inventer
    project.refresh_from_db()
    assert (project.stage, project.abandon_reason) == (Stage.INVENTION, "")
    assert StageChange.objects.filter(project=project).count() == 1


def client_for(user: User) -> Client:
    other = Client()
    other.force_login(user)
    return other


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_moves_through_the_page_move_the_project_once(coordinator, staff, tag22):
    project = factories.ProjectFactory(slug="garage-concurrent", structure=tag22)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post_move(user: User, to_stage: str, extra: dict) -> None:
        try:
            client = client_for(user)
            barrier.wait(timeout=10)
            data = {"to_stage": to_stage, "expected_stage": Stage.DETECTION, "confirmed": "1", **extra}
            statuses.append(client.post(url("move", project), data).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post_move, args=(coordinator, Stage.INVENTION, {})),
        threading.Thread(target=post_move, args=(staff, Stage.ABANDONED, {"abandon_reason": "Doublon."})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [302, 409]
    project.refresh_from_db()
    changes = list(StageChange.objects.filter(project=project).values_list("to_stage", flat=True))
    assert changes == [project.stage]


# --- Holder, indicators, documents -----------------------------------------------------------------------


def test_changing_the_holder_keeps_the_previous_one_in_the_history(coordinator_client, project):
    factories.HolderAssignmentFactory(
        project=project, holder_name="Ancien porteur", assigned_on=dt.date(2024, 1, 8)
    )
    data = {
        "holder-holder_name": "Association Roule Ma Poule",
        "holder-holder_organisation": "SCIC Mobilité Trégor",
        "holder-assigned_on": "2025-03-01",
    }

    response = coordinator_client.post(url("assign_holder", project), data)

    assert response.status_code == 302
    assert HolderAssignment.objects.filter(project=project).count() == 2
    html = coordinator_client.get(url("detail", project)).content.decode()
    assert "Porté par <strong>Association Roule Ma Poule</strong> depuis le 1er mars 2025." in html
    assert "Ancien porteur" in html


def test_holder_assigned_in_the_future_is_refused_and_the_input_kept(coordinator_client, project):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = {"holder-holder_name": "Association Roule Ma Poule", "holder-assigned_on": future}

    response = coordinator_client.post(url("assign_holder", project), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "La date de désignation du porteur ne peut pas être dans le futur." in html
    assert 'value="Association Roule Ma Poule"' in html
    assert not HolderAssignment.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("jobs_fte", "1.5", "1,5\u00a0ETP"),
        ("people_reached", "1200", "1\u00a0200\u00a0personnes"),
        ("people_reached", "1", "1\u00a0personne"),
        ("creativity_sessions", "3", "3\u00a0séances"),
        ("funds_raised", "45000.50", "45\u00a0000,50\u00a0€"),
    ],
)
def test_indicators_show_their_french_unit_and_localised_number(
    coordinator_client, project, kind, value, shown
):
    data = {"indicator-kind": kind, "indicator-value": value, "indicator-measured_on": "2025-06-30"}

    assert coordinator_client.post(url("add_indicator", project), data).status_code == 302

    html = coordinator_client.get(url("detail", project)).content.decode()
    assert shown in html
    assert "30 juin 2025" in html


def test_recording_an_indicator_again_on_the_same_day_corrects_it(coordinator_client, project):
    data = {"indicator-kind": "jobs_fte", "indicator-value": "2", "indicator-measured_on": "2025-06-30"}
    coordinator_client.post(url("add_indicator", project), data)
    coordinator_client.post(url("add_indicator", project), {**data, "indicator-value": "3"})

    assert list(Indicator.objects.values_list("value", flat=True)) == [3]


def test_negative_indicator_is_refused(coordinator_client, project):
    data = {"indicator-kind": "jobs_fte", "indicator-value": "-1", "indicator-measured_on": "2025-06-30"}

    response = coordinator_client.post(url("add_indicator", project), data)

    assert response.status_code == 400
    assert not Indicator.objects.exists()


def test_uploaded_document_is_stored_with_the_type_read_from_its_content(coordinator_client, project):
    upload = SimpleUploadedFile("etude.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n", content_type="text/html")
    data = {"document-title": "Étude d'opportunité", "document-kind": "study", "document-file": upload}

    response = coordinator_client.post(url("add_document", project), data)

    assert response.status_code == 302
    document = Document.objects.get(project=project)
    assert (document.content_type, document.size) == ("application/pdf", 23)


def test_document_whose_content_is_not_accepted_is_refused_with_its_name(coordinator_client, project):
    upload = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    data = {"document-title": "Photo du garage", "document-kind": "photo", "document-file": upload}

    response = coordinator_client.post(url("add_document", project), data)

    assert response.status_code == 400
    assert "Le fichier « photo.png » ne contient pas ce que son nom annonce" in response.content.decode()
    assert not Document.objects.exists()


def test_document_too_large_is_refused(coordinator_client, project, settings):
    settings.PROJECT_DOCUMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("notes.txt", b"Compte rendu du groupe projet.")
    data = {"document-title": "Notes", "document-kind": "report", "document-file": upload}

    response = coordinator_client.post(url("add_document", project), data)

    assert response.status_code == 400
    assert "dépasse la taille maximale" in response.content.decode()


def test_document_is_downloaded_as_an_attachment_with_its_checked_type_and_nosniff(
    coordinator_client, project
):
    document = factories.DocumentFactory(project=project)

    response = coordinator_client.get(url("document", project, document.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'filename="etude-dopportunite.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"


def test_document_of_another_project_is_404_through_this_projects_url(coordinator_client, project, tag22):
    other = factories.DocumentFactory(project=factories.ProjectFactory(structure=tag22))

    assert coordinator_client.get(url("document", project, other.pk)).status_code == 404


# --- Publication -----------------------------------------------------------------------------------------


def test_publish_is_refused_with_the_coded_list_of_what_is_missing(coordinator_client, project):
    set_stage(project, Stage.LAUNCH, solution="")

    response = coordinator_client.post(url("publish", project))

    assert response.status_code == 400
    html = response.content.decode()
    for code in ("solution_missing", "study_missing", "holder_missing"):
        assert f'data-code="{code}"' in html
    assert 'disabled aria-describedby="publish-reasons"' in html
    project.refresh_from_db()
    assert not project.is_published


def test_publish_shows_the_project_on_the_public_site(client, coordinator, project):
    client.force_login(coordinator)
    assert client.post(url("publish", project)).status_code == 302
    client.logout()

    assert client.get(url("detail", project)).status_code == 200


def test_unpublishing_asks_for_confirmation_first(coordinator_client, project):
    Project.objects.filter(pk=project.pk).update(
        is_published=True, published_at=dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    )

    confirm = coordinator_client.post(url("unpublish", project))
    assert confirm.status_code == 200
    assert "Oui, retirer la fiche" in confirm.content.decode()
    project.refresh_from_db()
    assert project.is_published

    assert coordinator_client.post(url("unpublish", project), {"confirmed": "1"}).status_code == 302
    project.refresh_from_db()
    assert (project.is_published, project.published_at) == (False, None)


# --- Query count -----------------------------------------------------------------------------------------


def fill(project: Project, rows: int, people: list[User]) -> None:
    for day in range(rows):
        when = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        who = people[day % len(people)]
        factories.StageChangeFactory(project=project, changed_by=who)
        factories.IndicatorFactory(project=project, measured_on=when)
        factories.HolderAssignmentFactory(project=project, assigned_on=when, recorded_by=who)
        factories.DocumentFactory(project=project, uploaded_by=who)
    project.partners.add(*(factories.PartnerFactory() for _ in range(rows)))
    project.territory.departements.add(*Departement.objects.all()[:rows])


@pytest.mark.parametrize("role", ["coordinator", "staff", "partner_user", "anonymous"])
def test_project_page_runs_as_many_queries_for_one_row_as_for_fifty(
    client, request, tag22, partner_user, django_assert_num_queries, role
):
    programme = factories.ProgrammeFactory()
    factories.FundingFactory(programme=programme, partner=partner_user.partner_memberships.get().partner)
    small = factories.ProjectFactory(
        structure=tag22,
        slug="petit",
        programme=programme,
        is_published=True,
        published_at=dt.datetime(2025, 1, 6, tzinfo=dt.UTC),
    )
    large = factories.ProjectFactory(
        structure=tag22,
        slug="grand",
        programme=programme,
        is_published=True,
        published_at=dt.datetime(2025, 1, 6, tzinfo=dt.UTC),
    )
    # A few authors shared by the rows: each user costs a password hash, and the count must not depend on
    # how many distinct people appear anyway (select_related, not one query per person).
    people = factories.UserFactory.create_batch(5)
    fill(small, 1, people)
    fill(large, 50, people)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    # Queries: session, user (logged in only); coordinated structures and partner memberships (neither for
    # staff nor anonymous); the project with its structure, territory, programme and author; stage changes
    # with who; holders; indicators; documents with who; partners; départements with their région.
    expected = {"coordinator": 11, "partner_user": 11, "staff": 9, "anonymous": 7}[role]
    for slug in ("petit", "grand"):
        with django_assert_num_queries(expected):
            assert client.get(reverse("projects:detail", args=[slug])).status_code == 200
