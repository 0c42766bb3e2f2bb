"""Writes on projects other than moves: creation, edition, holder, indicators, documents, publication."""

import datetime as dt
import io
import struct
import zipfile
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.models import Document, HolderAssignment, Indicator, Project, StageChange
from projects.selectors import current_holder
from projects.services import (
    PublishRefused,
    add_document,
    add_indicator,
    assign_holder,
    create_project,
    move_project,
    publish_project,
    unpublish_project,
    update_project,
)
from tests import factories

Stage = Project.Stage

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def png_bytes() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def territory(db):
    return factories.TerritoryFactory(name="Lannion-Trégor Communauté", slug="lannion-tregor")


@pytest.fixture
def project(tag22, territory):
    return factories.ProjectFactory(
        title="Garage solidaire de Lannion",
        slug="garage-solidaire-de-lannion",
        structure=tag22,
        territory=territory,
    )


# --- create_project ----------------------------------------------------------------------------------------


def create(user, structure, territory, title="Épicerie solidaire du Trégor", **extra) -> Project:
    extra.setdefault("sector", Project.Sector.FOOD)
    return create_project(user=user, structure=structure, title=title, territory=territory, **extra)


def test_created_project_starts_at_detection_with_a_first_history_row(coordinator, tag22, territory):
    project = create(coordinator, tag22, territory, need="Pas de commerce alimentaire à moins de 15 km.")

    project.refresh_from_db()
    assert (project.slug, project.stage, project.created_by) == (
        "epicerie-solidaire-du-tregor",
        Stage.DETECTION,
        coordinator,
    )
    change = StageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage, change.changed_by, change.note) == (
        "",
        Stage.DETECTION,
        coordinator,
        "Projet créé",
    )


def test_projects_with_the_same_title_get_numbered_slugs(coordinator, tag22, territory):
    slugs = [create(coordinator, tag22, territory).slug for _ in range(3)]
    assert slugs == [
        "epicerie-solidaire-du-tregor",
        "epicerie-solidaire-du-tregor-2",
        "epicerie-solidaire-du-tregor-3",
    ]


def test_coordinator_cannot_create_a_project_for_another_structure(outsider, tag22, territory):
    with pytest.raises(PermissionDenied):
        create(outsider, tag22, territory)
    assert not Project.objects.exists()


def test_staff_may_create_a_project_for_any_structure(staff, tag22, territory):
    assert create(staff, tag22, territory).structure == tag22


def test_invalid_project_is_refused_and_nothing_is_written(coordinator, tag22, territory):
    with pytest.raises(ValidationError) as error:
        create(coordinator, tag22, territory, title="Épicerie", need="x", solution="y", sector="nope")
    assert "sector" in error.value.message_dict
    assert not Project.objects.exists()
    assert not StageChange.objects.exists()


# --- update_project ----------------------------------------------------------------------------------------


def test_update_changes_the_editable_fields(project, coordinator):
    partner = factories.PartnerFactory(name="Fondation PSA")
    update_project(
        user=coordinator,
        project=project,
        solution="Un garage associatif.",
        key_lessons="Associer les élus.",
        partners=[partner],
    )
    project.refresh_from_db()
    assert (project.solution, project.key_lessons) == ("Un garage associatif.", "Associer les élus.")
    assert list(project.partners.all()) == [partner]


@pytest.mark.parametrize("field", ["stage", "is_published", "structure", "slug"])
def test_update_cannot_change_stage_publication_or_owner(project, coordinator, field):
    with pytest.raises(ValueError, match=field):
        update_project(user=coordinator, project=project, **{field: "x"})


def test_update_from_a_stale_copy_does_not_undo_a_move(project, coordinator):
    stale = Project.objects.get(pk=project.pk)
    move_project(user=coordinator, project=project, to_stage=Stage.INVENTION, expected_stage=Stage.DETECTION)

    update_project(user=coordinator, project=stale, solution="Un garage associatif.")

    project.refresh_from_db()
    assert (project.stage, project.solution) == (Stage.INVENTION, "Un garage associatif.")


def test_update_refuses_a_study_that_ends_before_it_starts(project, coordinator):
    with pytest.raises(ValidationError):
        update_project(
            user=coordinator,
            project=project,
            study_started_on=dt.date(2025, 3, 1),
            study_completed_on=dt.date(2025, 1, 1),
        )
    project.refresh_from_db()
    assert project.study_started_on is None


def test_coordinator_cannot_update_another_structures_project(project, outsider):
    with pytest.raises(PermissionDenied):
        update_project(user=outsider, project=project, solution="Autre chose.")


# --- assign_holder -----------------------------------------------------------------------------------------


def test_new_holder_becomes_current_and_earlier_ones_stay_as_history(project, coordinator):
    assign_holder(
        user=coordinator, project=project, holder_name="Ancien porteur", assigned_on=dt.date(2024, 1, 1)
    )
    assign_holder(
        user=coordinator,
        project=project,
        holder_name="Association Mobilité Solidaire",
        holder_organisation="AMS 22",
        assigned_on=dt.date(2025, 2, 1),
    )

    assert HolderAssignment.objects.filter(project=project).count() == 2
    holder = current_holder(project)
    assert (holder.holder_name, holder.holder_organisation, holder.recorded_by) == (
        "Association Mobilité Solidaire",
        "AMS 22",
        coordinator,
    )


def test_holder_cannot_be_assigned_in_the_future(project, coordinator):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        assign_holder(user=coordinator, project=project, holder_name="Porteur", assigned_on=tomorrow)
    assert error.value.message_dict["assigned_on"] == [
        "La date de désignation du porteur ne peut pas être dans le futur."
    ]
    assert not HolderAssignment.objects.exists()


def test_coordinator_cannot_assign_a_holder_to_another_structures_project(project, outsider):
    with pytest.raises(PermissionDenied):
        assign_holder(user=outsider, project=project, holder_name="Porteur", assigned_on=dt.date(2024, 1, 1))


# --- add_indicator -----------------------------------------------------------------------------------------


def test_indicator_value_cannot_be_negative(project, coordinator):
    with pytest.raises(ValidationError) as error:
        add_indicator(
            user=coordinator,
            project=project,
            kind=Indicator.Kind.JOBS_FTE,
            value=-1,
            measured_on=dt.date(2025, 1, 1),
        )
    assert "value" in error.value.message_dict
    assert not Indicator.objects.exists()


def test_same_indicator_on_the_same_date_corrects_the_value(project, coordinator):
    first = add_indicator(
        user=coordinator,
        project=project,
        kind=Indicator.Kind.JOBS_FTE,
        value=2,
        measured_on=dt.date(2025, 1, 1),
    )
    again = add_indicator(
        user=coordinator,
        project=project,
        kind=Indicator.Kind.JOBS_FTE,
        value="2.5",
        measured_on=dt.date(2025, 1, 1),
        note="Un mi-temps de plus.",
    )

    assert again.pk == first.pk
    indicator = Indicator.objects.get()
    assert (indicator.value, indicator.note) == (Decimal("2.5"), "Un mi-temps de plus.")


def test_indicators_of_other_dates_or_kinds_are_kept_apart(project, coordinator):
    for kind, day in [
        (Indicator.Kind.JOBS_FTE, 1),
        (Indicator.Kind.JOBS_FTE, 2),
        (Indicator.Kind.PEOPLE_REACHED, 1),
    ]:
        add_indicator(
            user=coordinator, project=project, kind=kind, value=3, measured_on=dt.date(2025, 1, day)
        )
    assert Indicator.objects.count() == 3


# --- add_document ------------------------------------------------------------------------------------------


def upload(
    user, project, name: str, content: bytes, browser_type: str = "application/octet-stream"
) -> Document:
    return add_document(
        user=user,
        project=project,
        title="Étude d'opportunité",
        kind=Document.Kind.STUDY,
        uploaded_file=SimpleUploadedFile(name, content, content_type=browser_type),
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("etude.pdf", PDF_BYTES, "application/pdf"),
        ("photo.png", png_bytes(), "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
        (
            "compte-rendu.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("indicateurs.csv", b"territoire;emplois\nLannion;2,5\n", "text/plain"),
    ],
)
def test_document_type_is_read_from_its_content(project, coordinator, name, content, expected):
    document = upload(coordinator, project, name, content)

    document.refresh_from_db()
    assert (document.content_type, document.size, document.uploaded_by) == (
        expected,
        len(content),
        coordinator,
    )
    with document.file.open("rb") as stored:
        assert stored.read() == content


def test_document_type_ignores_what_the_browser_says(project, coordinator):
    document = upload(coordinator, project, "sans-extension", png_bytes(), browser_type="application/pdf")
    assert document.content_type == "image/png"


def test_fake_pdf_is_refused_with_a_message_naming_the_file(project, coordinator):
    with pytest.raises(ValidationError) as error:
        upload(
            coordinator, project, "etude.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 10, "application/pdf"
        )
    assert "« etude.pdf »" in error.value.messages[0]
    assert not Document.objects.exists()


def test_text_file_named_like_a_pdf_is_refused(project, coordinator):
    with pytest.raises(ValidationError) as error:
        upload(coordinator, project, "etude.pdf", b"Ceci n'est pas un PDF.", "application/pdf")
    assert "« etude.pdf »" in error.value.messages[0]


def test_zip_that_is_not_an_office_document_is_refused(project, coordinator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("programme.exe", b"MZ")
    with pytest.raises(ValidationError):
        upload(coordinator, project, "archive.docx", buffer.getvalue())


def test_document_larger_than_the_limit_is_refused(project, coordinator, settings):
    settings.PROJECT_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        upload(coordinator, project, "etude.pdf", PDF_BYTES + b" " * 100)
    assert "« etude.pdf » dépasse la taille maximale" in error.value.messages[0]
    assert not Document.objects.exists()


def test_coordinator_cannot_attach_a_document_to_another_structures_project(project, outsider):
    with pytest.raises(PermissionDenied):
        upload(outsider, project, "etude.pdf", PDF_BYTES)


# --- publish_project / unpublish_project -------------------------------------------------------------------


def publish_codes(user, project) -> list[str]:
    with pytest.raises(PublishRefused) as refused:
        publish_project(user=user, project=project)
    return [reason.code for reason in refused.value.reasons]


def test_publishing_needs_a_need_and_a_solution(project, coordinator):
    project.need = ""
    project.save()
    assert publish_codes(coordinator, project) == ["need_missing", "solution_missing"]
    project.refresh_from_db()
    assert not project.is_published


def test_abandoned_project_cannot_be_published(project, coordinator):
    project.solution = "Un garage associatif."
    project.stage = Stage.ABANDONED
    project.abandon_reason = "Pas de porteur."
    project.save()
    assert publish_codes(coordinator, project) == ["abandoned"]


def test_project_in_launch_needs_a_study_and_a_holder_to_be_published(project, coordinator):
    project.solution = "Un garage associatif."
    project.stage = Stage.LAUNCH
    project.save()
    assert publish_codes(coordinator, project) == ["study_missing", "holder_missing"]


def test_ready_project_is_published_then_unpublished(project, coordinator):
    project.solution = "Un garage associatif."
    project.save()

    publish_project(user=coordinator, project=project)
    project.refresh_from_db()
    assert project.is_published
    assert project.published_at is not None

    unpublish_project(user=coordinator, project=project)
    project.refresh_from_db()
    assert (project.is_published, project.published_at) == (False, None)


def test_coordinator_cannot_publish_another_structures_project(project, outsider):
    project.solution = "Un garage associatif."
    project.save()
    with pytest.raises(PermissionDenied):
        publish_project(user=outsider, project=project)
    with pytest.raises(PermissionDenied):
        unpublish_project(user=outsider, project=project)


def test_a_new_holder_measure_or_document_counts_as_an_update_of_the_project(project, coordinator):
    long_ago = timezone.now() - dt.timedelta(days=200)
    Project.objects.filter(pk=project.pk).update(updated_at=long_ago)
    today = timezone.localdate()

    assign_holder(user=coordinator, project=project, holder_name="Yasmine Garcia", assigned_on=today)
    after_holder = Project.objects.get(pk=project.pk).updated_at
    add_indicator(user=coordinator, project=project, kind="jobs_fte", value="1.5", measured_on=today)
    after_indicator = Project.objects.get(pk=project.pk).updated_at

    assert long_ago < after_holder <= after_indicator
