"""The staff's spreadsheet import pages (/pilotage/import/, issue 7 points 1–3): upload, preview per row,
confirmation in one transaction (one bad row and nothing is written), background imports with their
progress and e-mail, and the history."""

import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fabrique.models import ImportRun
from fabrique.spreadsheets import importing
from network.models import Structure
from projects.models import Project
from tests import factories

HEADER = "Nom;Slug;Forme juridique;Phase;Phase depuis le;Entrée dans le réseau;Code département"
TAG29 = "TAg29;tag29;scic;experimentation;2022-01-01;2022-01-01;29"
TAG56 = "TAg56;tag56;association;candidate;2024-09-01;2024-09-01;56"
BAD_DEPARTEMENT = "Inter-Made;inter-made;association;candidate;2024-09-01;2024-09-01;99"


def csv_file(*rows: str, name: str = "structures.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join((HEADER, *rows)).encode(), content_type="text/csv")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def preview(staff_client, *rows: str) -> ImportRun:
    response = staff_client.post(
        reverse("spreadsheets:import"), {"kind": "structures", "file": csv_file(*rows)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.latest("pk")


def confirm(staff_client, run: ImportRun, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("spreadsheets:confirm", args=[run.pk]))
    run.refresh_from_db()
    return response


# --- Access ----------------------------------------------------------------------------------------------


@pytest.fixture
def any_run(staff):
    return ImportRun.objects.create(created_by=staff, kind="structures", file_name="structures.csv")


PAGES = ["import", "history", "run", "progress", "confirm"]


def page_request(client: Client, name: str, run: ImportRun):
    args = [run.pk] if name in {"run", "progress", "confirm"} else []
    url = reverse(f"spreadsheets:{name}", args=args)
    return client.post(url) if name == "confirm" else client.get(url)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, any_run, name):
    response = page_request(client, name, any_run)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["coordinator", "outsider", "partner_user"])
@pytest.mark.parametrize("name", PAGES)
def test_only_staff_may_use_the_import_pages(client, request, any_run, name, role):
    client.force_login(request.getfixturevalue(role))

    assert page_request(client, name, any_run).status_code == 403
    any_run.refresh_from_db()
    assert any_run.status == ImportRun.Status.PREVIEW


@pytest.mark.parametrize("name", ["import", "history", "run", "progress"])
def test_staff_see_the_import_pages(staff_client, any_run, name):
    assert page_request(staff_client, name, any_run).status_code == 200


def test_confirmation_needs_the_csrf_token(staff, any_run):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(reverse("spreadsheets:confirm", args=[any_run.pk]))

    assert response.status_code == 403
    any_run.refresh_from_db()
    assert any_run.status == ImportRun.Status.PREVIEW


# --- Upload and preview ----------------------------------------------------------------------------------


def test_import_page_lists_each_resources_french_columns(staff_client):
    page = staff_client.get(reverse("spreadsheets:import")).content.decode()

    for label in ("Structures", "Territoires", "Partenaires", "Programmes", "Projets", "Missions"):
        assert label in page
    assert "<code>Code département</code>" in page
    assert "<code>Étape</code>" in page


def test_a_preview_writes_nothing_but_the_run(staff_client, staff):
    run = preview(staff_client, TAG29, TAG56)

    assert not Structure.objects.filter(slug__in=["tag29", "tag56"]).exists()
    assert run.status == ImportRun.Status.PREVIEW
    assert run.created_by == staff
    assert run.file_name == "structures.csv"
    assert run.file.name.startswith("imports/")
    assert (run.total_rows, run.new_count, run.error_count) == (2, 2, 0)


def test_preview_shows_each_row_status_by_its_line_in_the_sheet(staff_client):
    factories.StructureFactory(
        slug="tag29", name="Ancien nom", phase_since="2022-01-01", joined_on="2022-01-01"
    )

    run = preview(staff_client, TAG29, TAG56)
    page = staff_client.get(reverse("spreadsheets:run", args=[run.pk])).content.decode()

    assert run.preview == [
        {"row": 2, "status": "updated", "key": "tag29"},
        {"row": 3, "status": "new", "key": "tag56"},
    ]
    assert "mise à jour" in page
    assert "nouvelle" in page
    assert "Confirmer l&#x27;import" in page or "Confirmer l'import" in page
    assert "disabled" not in page


def test_preview_names_the_row_and_column_of_each_error_and_disables_the_confirmation(staff_client):
    run = preview(staff_client, TAG29, BAD_DEPARTEMENT)
    page = staff_client.get(reverse("spreadsheets:run", args=[run.pk])).content.decode()

    assert run.error_count == 1
    [error] = run.errors
    assert (error["row"], error["column"]) == (3, "Code département")
    assert "«\u00a099\u00a0»" in error["message"]
    assert run.preview[1]["status"] == "error"
    assert "«\u00a099\u00a0»" in page
    assert 'disabled aria-describedby="confirm-blocked"' in page
    assert "corrigez les erreurs" in page


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(staff_client):
    empty = SimpleUploadedFile("vide.csv", b"", content_type="text/csv")

    response = staff_client.post(reverse("spreadsheets:import"), {"kind": "structures", "file": empty})

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not ImportRun.objects.exists()


# --- Confirmation ----------------------------------------------------------------------------------------


def test_confirming_writes_every_row(staff_client, django_capture_on_commit_callbacks):
    run = preview(staff_client, TAG29, TAG56)

    response = confirm(staff_client, run, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert run.status == ImportRun.Status.DONE
    assert run.finished_at is not None
    assert set(Structure.objects.filter(slug__in=["tag29", "tag56"]).values_list("slug", flat=True)) == {
        "tag29",
        "tag56",
    }
    assert Structure.objects.get(slug="tag29").departement.code == "29"


def test_the_same_file_imported_again_is_reported_unchanged(staff_client, django_capture_on_commit_callbacks):
    confirm(staff_client, preview(staff_client, TAG29, TAG56), django_capture_on_commit_callbacks)

    again = preview(staff_client, TAG29, TAG56)

    assert [row["status"] for row in again.preview] == ["unchanged", "unchanged"]
    assert again.unchanged_count == 2


def test_a_preview_with_an_error_cannot_be_confirmed(staff_client, django_capture_on_commit_callbacks):
    run = preview(staff_client, TAG29, BAD_DEPARTEMENT)

    confirm(staff_client, run, django_capture_on_commit_callbacks)

    assert run.status == ImportRun.Status.PREVIEW
    assert not Structure.objects.filter(slug="tag29").exists()


def test_one_row_gone_bad_since_the_preview_and_nothing_is_written(
    staff_client, django_capture_on_commit_callbacks
):
    territory = factories.TerritoryFactory(slug="pays-de-brest")
    header_rows = [f"{TAG29};pays-de-brest", f"{TAG56};"]
    upload = SimpleUploadedFile(
        "structures.csv", "\n".join([f"{HEADER};Territoires", *header_rows]).encode(), content_type="text/csv"
    )
    staff_client.post(reverse("spreadsheets:import"), {"kind": "structures", "file": upload})
    run = ImportRun.objects.latest("pk")
    assert run.error_count == 0
    territory.delete()  # between the preview and the confirmation

    confirm(staff_client, run, django_capture_on_commit_callbacks)

    assert run.status == ImportRun.Status.FAILED
    assert run.errors[0]["row"] == 2
    assert not Structure.objects.filter(slug__in=["tag29", "tag56"]).exists()


def test_a_run_is_confirmed_only_once(staff_client, django_capture_on_commit_callbacks):
    run = preview(staff_client, TAG29)
    confirm(staff_client, run, django_capture_on_commit_callbacks)

    with pytest.raises(importing.ImportRefused):
        importing.confirm_import(run=run)


# --- Background imports ----------------------------------------------------------------------------------


def test_a_large_file_is_imported_in_the_background_with_progress_and_an_email(
    staff_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 1)
    reported = []
    original_set = cache.set

    def spy(key, value, *args, **kwargs):
        if key.startswith("spreadsheets:import:"):
            reported.append(value)
        return original_set(key, value, *args, **kwargs)

    monkeypatch.setattr(importing.cache, "set", spy)
    run = preview(staff_client, TAG29, TAG56, "TAg35;tag35;scic;candidate;2024-01-01;2024-01-01;35")

    confirm(staff_client, run, django_capture_on_commit_callbacks)

    assert reported == [0, 1, 2, 3]
    assert run.status == ImportRun.Status.DONE
    assert Structure.objects.filter(slug__in=["tag29", "tag56", "tag35"]).count() == 3
    [email] = mail.outbox
    assert email.to == ["avise@example.org"]
    assert "structures.csv" in email.subject
    assert "nouvelles\u00a0: 3" in email.body
    assert reverse("spreadsheets:run", args=[run.pk]) in email.body


def test_the_progress_fragment_shows_rows_done_out_of_the_total(staff_client, any_run):
    ImportRun.objects.filter(pk=any_run.pk).update(status=ImportRun.Status.RUNNING, total_rows=1500)
    cache.set(importing.progress_key(any_run.pk), 250)

    page = staff_client.get(reverse("spreadsheets:progress", args=[any_run.pk])).content.decode()

    assert "250 / 1" in page and "500 lignes" in page
    assert 'hx-trigger="every 2s"' in page
    assert '<progress max="1500" value="250"' in page


def test_the_progress_fragment_stops_polling_once_the_import_is_done(staff_client, any_run):
    ImportRun.objects.filter(pk=any_run.pk).update(status=ImportRun.Status.DONE, total_rows=1500)

    page = staff_client.get(reverse("spreadsheets:progress", args=[any_run.pk])).content.decode()

    assert "hx-get" not in page
    assert "L&#x27;import est terminé" in page or "L'import est terminé" in page


@pytest.mark.parametrize("rows", [1, 30])
def test_run_page_runs_a_constant_number_of_queries(staff_client, staff, rows, django_assert_num_queries):
    verdicts = [{"row": n + 2, "status": "new", "key": f"tag-{n}"} for n in range(rows)]
    run = ImportRun.objects.create(created_by=staff, kind="structures", file_name="s.csv", preview=verdicts)

    # session, user, the run with its importer (rows and errors are stored on it)
    with django_assert_num_queries(3):
        staff_client.get(reverse("spreadsheets:run", args=[run.pk]))


def test_import_page_runs_two_queries(staff_client, django_assert_num_queries):
    # session, user: the column help is read from the resource classes, not the database
    with django_assert_num_queries(2):
        staff_client.get(reverse("spreadsheets:import"))


# --- History ---------------------------------------------------------------------------------------------


def test_history_lists_runs_newest_first_with_their_counts(staff_client, staff):
    older = ImportRun.objects.create(created_by=staff, kind="projets", file_name="projets.xlsx", new_count=7)
    newer = ImportRun.objects.create(created_by=staff, kind="structures", file_name="structures.csv")

    response = staff_client.get(reverse("spreadsheets:history"))

    assert list(response.context["page_obj"].object_list) == [newer, older]
    page = response.content.decode()
    assert "projets.xlsx" in page and "Projets" in page
    assert reverse("spreadsheets:run", args=[older.pk]) in page


def test_history_says_when_nothing_was_imported(staff_client):
    assert "Aucun import" in staff_client.get(reverse("spreadsheets:history")).content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_history_runs_a_constant_number_of_queries(staff_client, staff, count, django_assert_num_queries):
    for _ in range(count):
        ImportRun.objects.create(created_by=staff, kind="structures", file_name="structures.csv")

    # session, user, count of runs (paginator), the page of runs with their importer
    with django_assert_num_queries(4):
        staff_client.get(reverse("spreadsheets:history"))


# --- A file made in French Excel -------------------------------------------------------------------------

FRENCH_EXCEL_PROJECTS = (
    "Titre;Slug;Structure;Territoire;Secteur;Étape;Besoin détecté\r\n"
    "Épicerie solidaire de Guingamp;epicerie-guingamp;TAg22;pays-de-guingamp;Alimentation;Détecter;"
    "Des familles éloignées des commerces\r\n"
    "Garage à Plérin;garage-plerin;tag22;Pays de Guingamp;Mobilité;Inventer;Se déplacer pour travailler\r\n"
).encode("cp1252")


def test_a_projects_csv_from_french_excel_is_previewed_then_imported(
    staff_client, tag22, django_capture_on_commit_callbacks
):
    factories.TerritoryFactory(name="Pays de Guingamp", slug="pays-de-guingamp")
    upload = SimpleUploadedFile("projets.csv", FRENCH_EXCEL_PROJECTS, content_type="text/csv")
    staff_client.post(reverse("spreadsheets:import"), {"kind": "projets", "file": upload})
    run = ImportRun.objects.latest("pk")
    assert run.errors == []
    assert [row["status"] for row in run.preview] == ["new", "new"]

    confirm(staff_client, run, django_capture_on_commit_callbacks)

    grocery = Project.objects.get(slug="epicerie-guingamp")
    assert (grocery.title, grocery.stage, grocery.structure) == (
        "Épicerie solidaire de Guingamp",
        Project.Stage.DETECTION,
        tag22,
    )
    assert Project.objects.get(slug="garage-plerin").stage == Project.Stage.INVENTION


# --- Through a real worker -------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_imports_a_large_file_and_the_run_records_it(client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1
    staff = factories.StaffFactory(email="avise@example.org")
    client.force_login(staff)
    header = "Nom;Slug;Forme juridique;Phase;Phase depuis le;Entrée dans le réseau"
    rows = [f"Fabrique {n};fabrique-{n};scic;candidate;2024-01-01;2024-01-01" for n in range(3)]
    upload = SimpleUploadedFile("grand.csv", "\n".join([header, *rows]).encode(), content_type="text/csv")
    client.post(reverse("spreadsheets:import"), {"kind": "structures", "file": upload})
    run = ImportRun.objects.get(file_name="grand.csv")

    client.post(reverse("spreadsheets:confirm", args=[run.pk]))  # autocommit: queued to the worker at once

    deadline = time.monotonic() + 30
    run.refresh_from_db()
    while run.status == ImportRun.Status.RUNNING and time.monotonic() < deadline:
        time.sleep(0.3)
        run.refresh_from_db()
    try:
        assert run.status == ImportRun.Status.DONE, run.errors
        assert (run.total_rows, run.new_count) == (3, 3)
        assert Structure.objects.filter(slug__startswith="fabrique-").count() == 3
    finally:
        run.file.delete(save=False)
