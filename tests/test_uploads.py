"""Uploaded documents (issue 8, point 3): limited in size, checked by their content with real files of each
kind, stored under MEDIA_ROOT (never the static files) and served only by the views that check who may read
them — on the site and in the admin alike."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from fabrique.uploads import DOCX, JPEG, ODT, PDF, PNG, TEXT, XLSX, validate_document_file
from partnerships.models import Agreement
from projects.models import Document, Project
from tests import factories

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
WEB_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format=kind)
    return buffer.getvalue()


def office_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "Emplois créés"
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes, browser_type: str = "application/pdf") -> SimpleUploadedFile:
    # The browser's type is whatever the sender claims: the checks never read it.
    return SimpleUploadedFile(name, content, content_type=browser_type)


def refusal(name: str, content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        validate_document_file(upload(name, content), **kwargs)
    return refused.value.messages[0]


# --- What each kind of file must contain ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("etude.pdf", PDF_BYTES, PDF),
        ("photo.png", image("PNG"), PNG),
        ("photo.jpg", image("JPEG"), JPEG),
        ("photo.jpeg", image("JPEG"), JPEG),
        (
            "compte-rendu.docx",
            office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            DOCX,
        ),
        ("budget.xlsx", workbook(), XLSX),
        ("note.odt", office_zip({"mimetype": ODT.encode(), "content.xml": b"<office/>"}), ODT),
        ("notes.txt", "Réunion du 3 mars : 12 personnes.".encode(), TEXT),
        ("participants.csv", b"nom;structure\nCamille;TAg22\n", TEXT),
    ],
)
def test_each_accepted_kind_is_recognised_by_its_content(name, content, expected):
    assert validate_document_file(upload(name, content, browser_type="application/octet-stream")) == expected


def test_a_web_page_named_like_a_pdf_is_refused():
    message = refusal("etude.pdf", WEB_PAGE)

    assert message == (
        "Le fichier «\u00a0etude.pdf\u00a0» ne contient pas ce que son nom annonce\u00a0: "
        "son contenu a été refusé."
    )


@pytest.mark.parametrize(
    "name", ["page.html", "page.htm", "dessin.svg", "script.js", "notes.txt", "sans-nom"]
)
def test_markup_or_script_is_refused_under_any_name(name):
    content = (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' if name == "dessin.svg" else WEB_PAGE
    )
    if name == "script.js":
        content = b"fetch('/admin/').then(r => r.text())"

    assert "n'est pas d'un type accepté" in refusal(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", image("PNG")),  # a real image, but not the one its name promises
        ("rapport.docx", office_zip({"virus.exe": b"MZ"})),  # a ZIP that is no office document
        ("budget.xlsx", office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})),
        ("installeur.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("archive.zip", office_zip({"a.txt": b"a"})),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_or_not_accepted_is_refused(name, content):
    assert name in refusal(name, content)


def test_an_oversized_file_is_refused_with_its_size_and_the_limit():
    message = refusal("etude.pdf", PDF_BYTES.ljust(3072, b"0"), max_bytes=1024)

    assert message == (
        "Le fichier «\u00a0etude.pdf\u00a0» dépasse la taille maximale de 1,0\u00a0Kio\u00a0: "
        "il pèse 3,0\u00a0Kio."
    )


def test_the_default_limit_is_the_documents_setting(settings):
    settings.PROJECT_DOCUMENT_MAX_BYTES = len(PDF_BYTES) - 1

    assert "dépasse la taille maximale" in refusal("etude.pdf", PDF_BYTES)


def test_an_empty_file_is_refused():
    assert refusal("vide.pdf", b"") == "Le fichier «\u00a0vide.pdf\u00a0» est vide."


# --- Through the site and the admin -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def project(tag22):
    return factories.ProjectFactory(structure=tag22, slug="garage-tregor")


@pytest.mark.django_db
def test_a_coordinator_uploading_a_web_page_named_pdf_gets_an_error_and_nothing_is_stored(
    client, coordinator, project
):
    client.force_login(coordinator)

    response = client.post(
        reverse("projects:add_document", args=[project.slug]),
        {"document-title": "Étude", "document-kind": "study", "document-file": upload("etude.pdf", WEB_PAGE)},
    )

    assert response.status_code == 400
    assert "ne contient pas ce que son nom annonce" in response.content.decode()
    assert not Document.objects.exists()
    assert not (Path(settings.MEDIA_ROOT)).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


@pytest.mark.django_db
def test_an_oversized_upload_on_the_site_says_both_sizes(client, coordinator, project, settings):
    settings.PROJECT_DOCUMENT_MAX_BYTES = 1024
    client.force_login(coordinator)

    response = client.post(
        reverse("projects:add_document", args=[project.slug]),
        {
            "document-title": "Étude",
            "document-kind": "study",
            "document-file": upload("etude.pdf", PDF_BYTES.ljust(4096, b"0")),
        },
    )

    assert response.status_code == 400
    assert (
        "dépasse la taille maximale de 1,0\u00a0Kio\u00a0: il pèse 4,0\u00a0Kio" in response.content.decode()
    )
    assert not Document.objects.exists()


def admin_form(model, staff, files: dict, data: dict, instance=None):
    request = RequestFactory().post("/admin/")
    request.user = staff
    model_admin = admin.site._registry[model]
    form_class = model_admin.get_form(request, instance, change=instance is not None)
    return form_class(data, files, instance=instance)


@pytest.mark.django_db
def test_the_admin_refuses_a_fake_pdf_as_an_agreement_document(staff):
    agreement = factories.AgreementFactory()
    data = {
        "partnership": agreement.partnership_id,
        "title": agreement.title,
        "status": agreement.status,
        "parties": [],
    }

    form = admin_form(Agreement, staff, {"document": upload("entente.pdf", WEB_PAGE)}, data, agreement)

    assert not form.is_valid()
    assert "ne contient pas ce que son nom annonce" in form.errors["document"][0]


@pytest.mark.django_db
def test_the_admin_refuses_a_fake_study_document_on_a_project(staff, project):
    form = admin_form(Project, staff, {"study_document": upload("etude.pdf", WEB_PAGE)}, {}, project)

    form.is_valid()

    assert "ne contient pas ce que son nom annonce" in form.errors["study_document"][0]


@pytest.mark.django_db
def test_a_document_added_in_the_admin_records_the_type_its_content_shows(client, staff, project):
    client.force_login(staff)
    change_page = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    data = {
        key: value
        for key, value in change_page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list) and key != "study_document"
    }
    inline_management = {}
    for formset in change_page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        inline_management |= {
            f"{prefix}-TOTAL_FORMS": "0" if "document" not in prefix else "1",
            f"{prefix}-INITIAL_FORMS": "0",
        }
    documents = next(
        f.formset.prefix
        for f in change_page.context["inline_admin_formsets"]
        if "document" in f.formset.prefix
    )
    data |= inline_management | {
        f"{documents}-0-title": "Photo du garage",
        f"{documents}-0-kind": "photo",
        f"{documents}-0-file": upload("garage.png", image("PNG"), browser_type="text/html"),
        "partners": [],
    }

    response = client.post(reverse("admin:projects_project_change", args=[project.pk]), data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    document = Document.objects.get()
    assert (document.content_type, document.uploaded_by) == (PNG, staff)


# --- Where accepted files live and who reads them ---------------------------------------------------------


@pytest.fixture
def stored_document(coordinator, project):
    from projects import services

    return services.add_document(
        user=coordinator,
        project=project,
        title="Étude",
        kind="study",
        uploaded_file=upload("etude.pdf", PDF_BYTES),
    )


@pytest.mark.django_db
def test_accepted_files_are_stored_under_media_root_never_with_the_static_files(stored_document):
    path = Path(stored_document.file.path).resolve()

    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    for static_dir in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not path.is_relative_to(Path(static_dir).resolve())


@pytest.mark.django_db
def test_no_url_serves_the_media_folder(client, staff, stored_document):
    client.force_login(staff)

    assert client.get(f"/{settings.MEDIA_URL}{stored_document.file.name}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("outsider", 404), ("partner_user", 404), ("coordinator", 200), ("staff", 200)],
)
def test_a_document_is_served_only_to_who_may_see_its_project(client, request, stored_document, role, status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.get(
        reverse("projects:document", args=[stored_document.project.slug, stored_document.pk])
    )

    assert response.status_code == status
    if status == 200:
        # Downloaded with the type its content showed, never sniffed into a page.
        assert response["Content-Type"] == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
