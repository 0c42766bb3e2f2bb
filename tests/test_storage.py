"""Issue 4 point 2: fiches, booklets and documents live in Django's storage — MEDIA_ROOT by default, an
S3-compatible bucket when FABRIQUE_S3_BUCKET is set — and reach users only through the permission-checking
views.

The S3 tests run against a real S3 endpoint: moto's server, in a thread of this process, on 127.0.0.1."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import uuid

import boto3
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from fabrique.storage import FILE_SYSTEM_STORAGE, S3_STORAGE, file_storage_from_env
from programmes import booklets
from programmes.models import BookletStatus, ProgrammeBooklet
from projects import services, tasks
from projects.models import Document, FicheStatus, ProjectFiche
from tests import factories

# A minimal well-formed PDF, accepted by the document checks (same as tests/test_project_services.py).
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
S3_ENV = {
    "FABRIQUE_S3_BUCKET": "fabrique-fichiers",
    "FABRIQUE_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
    "FABRIQUE_S3_REGION": "fr-par",
    "FABRIQUE_S3_ACCESS_KEY_ID": "SCWACCESSKEY",
    "FABRIQUE_S3_SECRET_ACCESS_KEY": "secret-key",
    "FABRIQUE_S3_PREFIX": "/plateforme/",
}
FIRST_MOTO_PORT = 55990


# --- Reading the configuration -----------------------------------------------------------------------------


def test_without_a_bucket_files_go_to_the_media_folder():
    assert file_storage_from_env({}) == {"BACKEND": FILE_SYSTEM_STORAGE}
    assert file_storage_from_env({"FABRIQUE_S3_BUCKET": "  "}) == {"BACKEND": FILE_SYSTEM_STORAGE}


def test_a_bucket_stores_files_privately_in_s3_with_unique_names():
    storage = file_storage_from_env(S3_ENV)

    assert storage == {
        "BACKEND": S3_STORAGE,
        "OPTIONS": {
            "bucket_name": "fabrique-fichiers",
            "endpoint_url": "https://s3.fr-par.scw.cloud",
            "region_name": "fr-par",
            "access_key": "SCWACCESSKEY",
            "secret_key": "secret-key",
            "location": "plateforme",  # slashes around the prefix removed
            "default_acl": None,  # the bucket's default: owner-only
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "addressing_style": "path",  # MinIO, Scaleway, OVH… address buckets by path
        },
    }


def test_aws_bucket_without_endpoint_keeps_virtual_host_addressing_and_boto3_credentials():
    options = file_storage_from_env({"FABRIQUE_S3_BUCKET": "fabrique"})["OPTIONS"]

    assert "addressing_style" not in options
    assert options["endpoint_url"] is None
    assert options["region_name"] is None
    assert options["access_key"] is None and options["secret_key"] is None
    assert options["location"] == ""


@pytest.mark.parametrize("missing", ["FABRIQUE_S3_ACCESS_KEY_ID", "FABRIQUE_S3_SECRET_ACCESS_KEY"])
def test_one_s3_key_without_the_other_is_refused(missing):
    env = {name: value for name, value in S3_ENV.items() if name != missing}

    with pytest.raises(ImproperlyConfigured, match=missing):
        file_storage_from_env(env)


def test_s3_variables_without_a_bucket_are_refused_rather_than_falling_back_to_local_disk():
    env = {name: value for name, value in S3_ENV.items() if name != "FABRIQUE_S3_BUCKET"}

    with pytest.raises(ImproperlyConfigured, match="FABRIQUE_S3_BUCKET is empty"):
        file_storage_from_env(env)


@pytest.mark.parametrize("endpoint", ["s3.fr-par.scw.cloud", "ftp://s3.example.org", "https://"])
def test_an_endpoint_that_is_not_an_http_url_is_refused(endpoint):
    with pytest.raises(ImproperlyConfigured, match="FABRIQUE_S3_ENDPOINT_URL"):
        file_storage_from_env({**S3_ENV, "FABRIQUE_S3_ENDPOINT_URL": endpoint})


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """fabrique.settings imported afresh in a subprocess with `env` as its only FABRIQUE_S3_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FABRIQUE_S3_")}
    script = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "fabrique.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_read_the_bucket_from_the_environment_and_refuse_half_a_configuration():
    configured = run_settings(**S3_ENV)
    assert configured.returncode == 0, configured.stderr
    assert json.loads(configured.stdout)["BACKEND"] == S3_STORAGE

    half_done = run_settings(FABRIQUE_S3_BUCKET="fabrique", FABRIQUE_S3_ACCESS_KEY_ID="key")
    assert half_done.returncode != 0
    assert "FABRIQUE_S3_SECRET_ACCESS_KEY is missing" in half_done.stderr


# --- Against a real S3 endpoint (moto) --------------------------------------------------------------------


def free_port() -> int:
    """The first port from FIRST_MOTO_PORT nobody listens on (moto's server would hang on a taken one)."""
    for port in range(FIRST_MOTO_PORT, FIRST_MOTO_PORT + 100):
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port from {FIRST_MOTO_PORT} for the S3 server")


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 server on 127.0.0.1, shared by this module's tests (each uses its own bucket)."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """A fresh private bucket, made the default storage exactly as FABRIQUE_S3_* would; MEDIA_ROOT points to
    an empty folder, so that a test can check nothing was written locally. Yields a boto3 client."""
    name = f"fabrique-{uuid.uuid4().hex[:12]}"
    env = {
        "FABRIQUE_S3_BUCKET": name,
        "FABRIQUE_S3_ENDPOINT_URL": s3_endpoint,
        "FABRIQUE_S3_REGION": "us-east-1",
        "FABRIQUE_S3_ACCESS_KEY_ID": "testing",
        "FABRIQUE_S3_SECRET_ACCESS_KEY": "testing",
        "FABRIQUE_S3_PREFIX": "plateforme",
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    settings.MEDIA_ROOT = tmp_path
    # override_settings sends setting_changed: Django then forgets its storages and default_storage.
    with override_settings(STORAGES={**settings.STORAGES, "default": file_storage_from_env(env)}):
        client.bucket_name = name
        yield client


def bucket_objects(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=client.bucket_name).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=client.bucket_name, Key=item["Key"])["Body"].read()
        for item in listing
    }


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def test_file_fields_follow_the_configured_storage(bucket):
    # FileFields without their own storage use default_storage, which override_settings resets: the
    # models follow the setting, no model change is needed.
    for model in (ProjectFiche, Document):
        assert model._meta.get_field("file").storage is default_storage
    assert isinstance(default_storage, S3Storage)
    assert default_storage.bucket_name == bucket.bucket_name


def test_fiche_built_by_the_task_is_stored_in_the_bucket_and_downloaded_by_staff(
    bucket, client, staff, tag22, settings
):
    project = factories.ProjectFactory(structure=tag22, title="Garage solidaire de Saint-Brieuc")

    assert tasks.build_project_fiche(project.pk) == "built"

    fiche = ProjectFiche.objects.get(project=project)
    assert fiche.status == FicheStatus.READY
    stored = bucket_objects(bucket)
    assert list(stored) == [f"plateforme/{fiche.file.name}"]
    assert stored[f"plateforme/{fiche.file.name}"].startswith(b"%PDF")

    client.force_login(staff)
    response = client.get(reverse("projects:fiche", args=[project.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert downloaded(response) == stored[f"plateforme/{fiche.file.name}"]
    assert list(settings.MEDIA_ROOT.rglob("*")) == []  # nothing written on the local disk


def test_rebuilt_fiche_replaces_the_old_object_in_the_bucket(bucket, tag22):
    project = factories.ProjectFactory(structure=tag22, title="Épicerie solidaire")
    tasks.build_project_fiche(project.pk)
    first = ProjectFiche.objects.get(project=project).file.name

    project.title = "Épicerie solidaire de Lannion"
    project.save()
    assert tasks.build_project_fiche(project.pk) == "built"

    second = ProjectFiche.objects.get(project=project).file.name
    assert second != first  # file_overwrite off: a new name, never a half-written object under the old one
    assert list(bucket_objects(bucket)) == [f"plateforme/{second}"]


def upload_study(coordinator, project) -> Document:
    return services.add_document(
        user=coordinator,
        project=project,
        title="Étude d'opportunité",
        kind="study",
        uploaded_file=SimpleUploadedFile("etude.pdf", PDF_BYTES, content_type="application/pdf"),
    )


def test_uploaded_document_is_stored_in_the_bucket_and_streamed_to_the_coordinator(
    bucket, client, coordinator, tag22, settings
):
    project = factories.ProjectFactory(structure=tag22)

    document = upload_study(coordinator, project)

    assert bucket_objects(bucket) == {f"plateforme/{document.file.name}": PDF_BYTES}
    client.force_login(coordinator)
    response = client.get(reverse("projects:document", args=[project.slug, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="etude-dopportunite.pdf"'
    assert downloaded(response) == PDF_BYTES
    assert list(settings.MEDIA_ROOT.rglob("*")) == []


def test_document_in_the_bucket_stays_hidden_from_another_structures_coordinator(
    bucket, client, coordinator, outsider, tag22
):
    project = factories.ProjectFactory(structure=tag22, is_published=False)
    document = upload_study(coordinator, project)

    client.force_login(outsider)
    response = client.get(reverse("projects:document", args=[project.slug, document.pk]))

    assert response.status_code == 404


def test_document_missing_from_the_bucket_is_not_found(bucket, client, coordinator, tag22):
    project = factories.ProjectFactory(structure=tag22)
    document = upload_study(coordinator, project)
    bucket.delete_object(Bucket=bucket.bucket_name, Key=f"plateforme/{document.file.name}")

    client.force_login(coordinator)
    response = client.get(reverse("projects:document", args=[project.slug, document.pk]))

    assert response.status_code == 404


def test_programme_booklet_is_assembled_from_the_bucket_and_downloaded_by_staff(
    bucket, client, staff, tag22, settings, django_capture_on_commit_callbacks
):
    programme = factories.ProgrammeFactory(name="Mobilité solidaire", slug="mobilite-solidaire")
    project = factories.ProjectFactory(
        title="Garage solidaire de Lannion", structure=tag22, programme=programme
    )
    project.is_published = True
    project.published_at = timezone.now()
    project.save(update_fields=["is_published", "published_at"])

    # Tasks run eagerly here: the fiche chunk, then the assembly, which reads the fiche back from the bucket.
    with django_capture_on_commit_callbacks(execute=True):
        booklets.request_booklet(programme)

    booklet = ProgrammeBooklet.objects.get(programme=programme)
    assert booklet.status == BookletStatus.READY
    fiche = ProjectFiche.objects.get(project=project)
    stored = bucket_objects(bucket)
    assert sorted(stored) == sorted([f"plateforme/{fiche.file.name}", f"plateforme/{booklet.file.name}"])
    client.force_login(staff)
    response = client.get(reverse("programmes:booklet", args=[programme.slug]))
    assert response.status_code == 200
    assert downloaded(response) == stored[f"plateforme/{booklet.file.name}"]
    assert list(settings.MEDIA_ROOT.rglob("*")) == []
