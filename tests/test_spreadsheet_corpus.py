"""Every bad file of the corpus (tests/data/, made by make_corpus.py) sent through the staff's import page:
each gets a clear French message, and nothing is written — not at the preview, not by a confirmation."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabrique.models import ImportRun
from network.models import Structure
from projects.models import Project
from tests import factories

DATA = Path(__file__).resolve().parent / "data"

# (file, kind imported, words of the message the staff read)
BAD_FILES = [
    ("empty.csv", "projets", "Le fichier soumis est vide."),
    ("header_only.csv", "projets", "Le fichier ne contient que la ligne d'en-têtes"),
    ("projects_unknown_columns.csv", "projets", "Colonnes inconnues\u00a0: «\u00a0Couleur préférée\u00a0»"),
    ("projects_missing_slug.csv", "projets", "Colonnes obligatoires manquantes\u00a0: «\u00a0Slug\u00a0»"),
    ("projects_unknown_stage.csv", "projets", "«\u00a0Rêver\u00a0» n'est pas une valeur possible"),
    (
        "structures_invalid_insee.csv",
        "structures",
        "«\u00a099\u00a0»\u00a0: introuvable parmi les départements",
    ),
    (
        "projects_duplicate_rows.csv",
        "projets",
        "Slug «\u00a0epicerie-corpus\u00a0» en double\u00a0: lignes 2 et 3",
    ),
    ("too_many_cells.csv", "projets", "La ligne 3 a plus de cellules que l'en-tête"),
    ("binary_named.csv", "projets", "n'est pas un tableur CSV ou XLSX"),
    ("formulas.xlsx", "projets", "contient une formule"),
    ("merged_cells.xlsx", "projets", "sont fusionnées"),
]


@pytest.fixture
def staff_client(client, staff):
    factories.StructureFactory(name="TAg22", slug="tag22")
    factories.TerritoryFactory(name="Pays de Guingamp", slug="pays-de-guingamp")
    client.force_login(staff)
    return client


def upload(client, name: str, kind: str, content: bytes | None = None):
    content = (DATA / name).read_bytes() if content is None else content
    return client.post(
        reverse("spreadsheets:import"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def refusal_text(client, response) -> str:
    """The page the staff read: the form with its error, or the preview listing the rows' errors."""
    if response.status_code == 302:
        return client.get(response["Location"]).content.decode()
    return response.content.decode()


def snapshot() -> tuple:
    return (Project.objects.count(), Structure.objects.count())


@pytest.mark.parametrize(
    ("name", "kind", "words"), BAD_FILES, ids=[name for name, _kind, _words in BAD_FILES]
)
def test_a_bad_file_of_the_corpus_gets_a_clear_message_and_writes_nothing(
    staff_client, django_capture_on_commit_callbacks, name, kind, words
):
    before = snapshot()

    response = upload(staff_client, name, kind)

    assert response.status_code in (302, 400)
    assert words in refusal_text(staff_client, response).replace("&#x27;", "'")
    run = ImportRun.objects.order_by("pk").last()
    if run is not None:  # read, but refused by the rows' checks: confirming it is refused too
        with django_capture_on_commit_callbacks(execute=True):
            staff_client.post(reverse("spreadsheets:confirm", args=[run.pk]))
        assert run.error_count
    assert snapshot() == before


def test_a_file_over_5_mb_is_refused_with_both_sizes_and_writes_nothing(staff_client):
    before = snapshot()
    content = ("Titre;Slug;Structure;Territoire;Secteur\r\n" + "x" * (5 * 1024 * 1024)).encode()

    response = upload(staff_client, "projets-enormes.csv", "projets", content)

    assert response.status_code == 400
    page = response.content.decode()
    assert "la limite est de 5" in page and "Mo" in page
    assert snapshot() == before
    assert not ImportRun.objects.exists()


def test_a_windows_1252_file_keeps_its_accents_once_imported(
    staff_client, django_capture_on_commit_callbacks
):
    content = (
        "Titre;Slug;Structure;Territoire;Secteur\r\n"
        "Cœur de Côtes-d'Armor : épicerie;coeur-epicerie;tag22;pays-de-guingamp;Alimentation\r\n"
    ).encode("cp1252")

    assert upload(staff_client, "projets.csv", "projets", content).status_code == 302
    run = ImportRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("spreadsheets:confirm", args=[run.pk]))

    assert Project.objects.get(slug="coeur-epicerie").title == "Cœur de Côtes-d'Armor : épicerie"
