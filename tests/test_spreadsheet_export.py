"""The staff's exports /pilotage/export/<liste>.<csv|xlsx> (issue 7, point 4): the list filtered as on
screen, in the columns the import reads, formulas escaped, streamed, and re-importable unchanged."""

import io

import openpyxl
import pytest
from django.urls import reverse
from import_export.results import RowResult

from fabrique.spreadsheets import exporting
from fabrique.spreadsheets.reading import read_table
from fabrique.spreadsheets.registry import IMPORTABLES
from network.models import Structure
from network.resources import escape_formula, unescape_formula
from projects.models import Project
from projects.resources import ProjectResource
from tests import factories
from tests.test_spreadsheet_roundtrip import build_network, snapshot

pytestmark = pytest.mark.django_db

PROJECT_HEADERS = [field.column_name for field in ProjectResource().get_export_fields()]


def export_url(kind: str, extension: str = "csv", query: str = "") -> str:
    url = reverse("spreadsheets:export", kwargs={"kind": kind, "extension": extension})
    return f"{url}?{query}" if query else url


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    """The exported CSV read back by the import's own reader: headers first."""
    dataset = read_table(io.BytesIO(content(response)))
    return [list(dataset.headers), *[list(row) for row in dataset]]


def xlsx_rows(response) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- Access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, extension):
    response = client.get(export_url("projets", extension))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["coordinator", "outsider", "partner_user"])
@pytest.mark.parametrize("kind", ["projets", "structures"])
def test_only_the_staff_may_export_a_list(client, request, role, kind):
    factories.ProjectFactory(is_published=True, published_at="2024-01-01T00:00Z")
    client.force_login(request.getfixturevalue(role))

    assert client.get(export_url(kind)).status_code == 403
    assert client.get(export_url(kind, "xlsx")).status_code == 403


def test_an_unknown_list_is_not_found(staff_client):
    assert staff_client.get(export_url("utilisateurs")).status_code == 404


def test_an_export_is_read_only(staff_client):
    assert staff_client.post(export_url("projets")).status_code == 405


@pytest.mark.parametrize(
    ("url_name", "kind"),
    [
        ("projects:directory", "projets"),
        ("network:directory", "structures"),
        ("partnerships:missions", "missions"),
        ("partnerships:transfers", "transferts"),
    ],
)
def test_the_list_pages_offer_the_staff_the_export_with_the_current_filters(staff_client, url_name, kind):
    response = staff_client.get(reverse(url_name) + "?region=53&stage=launch")

    html = response.content.decode()
    for extension in ("csv", "xlsx"):
        assert f'href="{export_url(kind, extension)}?region=53&amp;stage=launch"' in html
    assert "Exporter (CSV)" in html and "Exporter (XLSX)" in html


@pytest.mark.parametrize("role", [None, "coordinator", "outsider", "partner_user"])
@pytest.mark.parametrize("url_name", ["projects:directory", "network:directory", "partnerships:missions"])
def test_the_list_pages_do_not_offer_the_export_to_anyone_else(client, request, role, url_name):
    if role:
        client.force_login(request.getfixturevalue(role))

    assert "/pilotage/export/" not in client.get(reverse(url_name)).content.decode()


# --- What is exported ------------------------------------------------------------------------------------


def test_a_csv_export_is_french_excel_utf8_with_bom_semicolons_and_the_import_headers(staff_client, tag22):
    factories.ProjectFactory(title="Épicerie ; solidaire", slug="epicerie", structure=tag22)

    response = staff_client.get(export_url("projets"))

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="projets-')
    raw = content(response)
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(PROJECT_HEADERS)
    assert lines[0].startswith("Titre;Slug;Structure;Territoire;Programme;Secteur;Étape;Besoin détecté")
    assert lines[1].startswith('"Épicerie ; solidaire";epicerie;tag22;')
    assert ";Détecter;" in lines[1]


def test_an_xlsx_export_holds_the_same_rows_as_the_csv_export(staff_client, tag22):
    for number in range(3):
        factories.ProjectFactory(slug=f"projet-{number}", structure=tag22, need=f"=HYPERLINK({number})")

    from_csv = csv_rows(staff_client.get(export_url("projets")))
    response = staff_client.get(export_url("projets", "xlsx"))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="projets-' in response["Content-Disposition"]
    assert xlsx_rows(response) == from_csv
    assert len(from_csv) == 4 and from_csv[0] == PROJECT_HEADERS


def test_the_projects_export_keeps_the_directorys_filters(staff_client, tag22):
    factories.ProjectFactory(slug="lance-1", structure=tag22, stage=Project.Stage.LAUNCH)
    factories.ProjectFactory(slug="lance-2", stage=Project.Stage.LAUNCH)
    factories.ProjectFactory(slug="detecte", structure=tag22)

    by_stage = csv_rows(staff_client.get(export_url("projets", query="stage=launch")))
    by_both = csv_rows(staff_client.get(export_url("projets", query="stage=launch&structure=tag22")))

    slug = PROJECT_HEADERS.index("Slug")
    assert sorted(row[slug] for row in by_stage[1:]) == ["lance-1", "lance-2"]
    assert [row[slug] for row in by_both[1:]] == ["lance-1"]


def test_an_invalid_filter_is_ignored_as_on_the_page(staff_client):
    factories.ProjectFactory(slug="seul")

    rows = csv_rows(staff_client.get(export_url("projets", query="stage=inconnue")))

    assert [row[1] for row in rows[1:]] == ["seul"]


def test_the_structures_export_keeps_the_directorys_phase_filter_and_includes_candidates(staff_client):
    factories.StructureFactory(slug="labellisee", labelled=True)
    factories.StructureFactory(slug="candidate", phase=Structure.Phase.CANDIDATE)

    everything = csv_rows(staff_client.get(export_url("structures")))
    labelled = csv_rows(staff_client.get(export_url("structures", query="phase=labelled")))

    assert sorted(row[1] for row in everything[1:]) == ["candidate", "labellisee"]
    assert [row[1] for row in labelled[1:]] == ["labellisee"]


def test_the_transfers_export_keeps_the_lists_filters(staff_client):
    factories.KnowHowTransferFactory(slug="collectif", format="collective")
    factories.KnowHowTransferFactory(slug="individuel", format="individual")

    rows = csv_rows(staff_client.get(export_url("transferts", query="format=collective")))

    assert [row[1] for row in rows[1:]] == ["collectif"]


# --- Formula injection -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 00", "'+33 6 00"),
        ("-20 %", "'-20 %"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcaché", "'\tcaché"),
        ("'=déjà échappé", "''=déjà échappé"),
        ("Rien à signaler", "Rien à signaler"),
        ("l'=aucun risque", "l'=aucun risque"),
        ("'apostrophe", "'apostrophe"),
    ],
)
def test_a_cell_starting_like_a_formula_is_written_behind_an_apostrophe_that_the_import_drops(
    stored, written
):
    assert escape_formula(stored) == written
    assert unescape_formula(written) == stored


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_formula_is_written_as_text_in_both_formats(staff_client, tag22, extension):
    factories.ProjectFactory(slug="formule", structure=tag22, need="=1+1", solution='@cmd|" /C calc"!A0')

    raw = content(staff_client.get(export_url("projets", extension)))

    if extension == "csv":
        row = read_table(io.BytesIO(raw))[0]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
        # Text cells only: no formula (« f ») that a spreadsheet would run.
        types = {cell.data_type for line in sheet.iter_rows() for cell in line}
        assert "f" not in types and types <= {"s", "inlineStr"}
        row = [cell.value for cell in sheet[2]]
    assert row[PROJECT_HEADERS.index("Besoin détecté")] == "'=1+1"
    assert row[PROJECT_HEADERS.index("Solution")] == '\'@cmd|" /C calc"!A0'


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("need", ["=1+1", "-20 %", "-20 % de chômage", "'=déjà échappé", "+ de mobilité"])
def test_a_need_starting_like_a_formula_round_trips_unchanged(staff_client, tag22, extension, need):
    factories.ProjectFactory(slug="formule", structure=tag22, need=need)
    before = snapshot()

    dataset = read_table(io.BytesIO(content(staff_client.get(export_url("projets", extension)))))
    result = ProjectResource().import_data(dataset, dry_run=True)

    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == [RowResult.IMPORT_TYPE_SKIP]
    assert snapshot() == before


def test_an_edited_escaped_cell_is_imported_without_its_apostrophe(tag22):
    project = factories.ProjectFactory(slug="formule", structure=tag22, need="Ancien besoin")
    dataset = ProjectResource().export()
    row = list(dataset[0])
    row[dataset.headers.index("Besoin détecté")] = "'=2+2"
    dataset[0] = row

    ProjectResource().import_data(dataset)

    project.refresh_from_db()
    assert project.need == "=2+2"


# --- Round trips -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", list(IMPORTABLES))
def test_every_export_imports_back_with_every_row_unchanged(staff_client, kind, extension):
    build_network()
    resource_class = IMPORTABLES[kind].resource_class
    before = snapshot()

    response = staff_client.get(export_url(kind, extension))
    dataset = read_table(io.BytesIO(content(response)))
    result = resource_class().import_data(dataset, dry_run=True)

    assert not result.has_errors(), [error.error for error in result.base_errors]
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    expected = resource_class._meta.model.objects.count()
    assert expected >= 2
    assert [row.import_type for row in result.rows] == [RowResult.IMPORT_TYPE_SKIP] * expected
    assert snapshot() == before


# --- Memory and queries ----------------------------------------------------------------------------------


def make_projects(count: int) -> None:
    structure, territory = factories.StructureFactory(), factories.TerritoryFactory()
    programme, partner = factories.ProgrammeFactory(), factories.PartnerFactory()
    for number in range(count):
        project = factories.ProjectFactory(
            slug=f"projet-{number}", structure=structure, territory=territory, programme=programme
        )
        project.partners.add(partner)


@pytest.mark.parametrize("count", [1, 50])
def test_a_csv_export_costs_the_same_queries_for_1_or_50_projects(
    staff_client, django_assert_num_queries, count
):
    make_projects(count)

    # 1. the session, 2. the user, 3. the projects with their structure, territory and programme (one
    # chunk), 4. their partners (prefetched for the chunk).
    with django_assert_num_queries(4):
        response = staff_client.get(export_url("projets"))
        lines = content(response).decode("utf-8-sig").splitlines()

    assert len(lines) == count + 1


@pytest.mark.parametrize("count", [1, 50])
def test_an_xlsx_export_costs_the_same_queries_for_1_or_50_projects(
    staff_client, django_assert_num_queries, count
):
    make_projects(count)

    # Same four queries as the CSV: session, user, projects with their relations, their partners.
    with django_assert_num_queries(4):
        response = staff_client.get(export_url("projets", "xlsx"))
        rows = xlsx_rows(response)

    assert len(rows) == count + 1


@pytest.mark.parametrize("count", [1, 20])
def test_a_transfers_export_costs_the_same_queries_for_1_or_20_transfers(
    staff_client, django_assert_num_queries, count
):
    for number in range(count):
        transfer = factories.KnowHowTransferFactory(slug=f"transfert-{number}")
        factories.BeneficiaryFactory(transfer=transfer)
        factories.BeneficiaryFactory(
            transfer=transfer, structure=factories.StructureFactory(), organisation=None
        )

    # 1. the session, 2. the user, 3. the years of the list's filter, 4. the transfers with their provider
    # and programme, 5. their beneficiaries, 6. the beneficiary structures, 7. organisations, 8. projects.
    with django_assert_num_queries(8):
        lines = content(staff_client.get(export_url("transferts"))).decode("utf-8-sig").splitlines()

    assert len(lines) == count + 1


def test_the_csv_is_streamed_line_by_line_reading_the_rows_in_chunks(
    staff_client, django_assert_num_queries, monkeypatch
):
    make_projects(5)
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 2)

    # 1. the session, 2. the user, 3. the projects with their relations (one cursor, read 2 rows at a
    # time), 4–6. the partners of each chunk of 2, 2 and 1 projects: never all the rows at once.
    with django_assert_num_queries(6):
        response = staff_client.get(export_url("projets"))
        lines = list(response.streaming_content)

    # One piece per line, header first: nothing is gathered into one body before it is sent.
    assert len(lines) == 6 and lines[0].startswith("\ufeffTitre;".encode())


def test_the_admins_export_escapes_formula_like_cells_too(tag22):
    """The admin's django-import-export export goes through the same resource: no cell runs as a formula."""
    from projects.resources import ProjectResource

    factories.ProjectFactory(structure=tag22, slug="garage-formule", need='=HYPERLINK("http://x")')

    row = next(row for row in ProjectResource().export().dict if row["Slug"] == "garage-formule")

    assert row["Besoin détecté"] == '\'=HYPERLINK("http://x")'
