"""How an imported file's cells find what they mean (issue 7, point 1): headers in French or English,
accents and case ignored; choices by French label or code; related rows by key or name; one row per slug.
Every refusal is in French, names its column (or the file's columns) and leaves the database unchanged."""

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from import_export.results import RowResult

from fabrique.spreadsheets.matching import FileRefused, header_key, normalise
from network.models import Structure, Territory
from network.resources import StructureResource, TerritoryResource
from partnerships.models import KnowHowTransfer, Mission
from partnerships.resources import KnowHowTransferResource, MissionResource
from programmes.models import Partner
from programmes.resources import PartnerResource
from projects.models import Project
from projects.resources import ProjectResource
from tests import factories

pytestmark = pytest.mark.django_db


def csv(text: str) -> tablib.Dataset:
    return tablib.Dataset().load(text.strip() + "\n", format="csv")


def refusal(result) -> str:
    """The file-level refusal of an import, which reads no row."""
    [error] = result.base_errors
    assert isinstance(error.error, FileRefused)
    assert not result.rows
    return str(error.error)


def errors_of(result) -> dict[int, dict[str, list[str]]]:
    """Row number (1 = first data row) → column → messages."""
    return {row.number: row.field_specific_errors for row in result.invalid_rows}


def database() -> tuple:
    return (
        list(Structure.objects.order_by("pk").values()),
        list(Project.objects.order_by("pk").values()),
        list(Territory.objects.order_by("pk").values()),
    )


@pytest.fixture
def tag35():
    return factories.StructureFactory(name="TAg35", slug="tag35")


@pytest.fixture
def retiers():
    return factories.TerritoryFactory(name="Retiers", slug="retiers")


# --- Normalising ------------------------------------------------------------------------------------


def test_normalise_ignores_accents_case_spaces_hyphens_and_curly_apostrophes():
    assert normalise("  Côtes-d’Armor ") == normalise("cotes d'armor") == "cotes d'armor"
    assert normalise(22.0) == "22"


def test_header_key_ignores_punctuation_and_underscores():
    assert header_key("Code Département") == header_key("code_departement") == header_key(" CODE departement")
    assert header_key("E-mail") == header_key("email")


# --- Headers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        "Nom,Slug,Forme juridique,Phase depuis le,Code département,Ville",
        " nom ,SLUG,forme_juridique,phase depuis le,code departement,VILLE",
        "name,slug,legal_form,phase_since,departement,city",
        "Name,Slug,Legal Form,Phase Since,departement_code,City",
        "NOM,slug,Forme Juridique,PHASE_DEPUIS_LE,Code Département,ville",
    ],
    ids=["french", "case-and-spaces", "english", "english-variants", "mixed"],
)
def test_columns_are_accepted_under_their_french_header_or_english_field_name(headers):
    dataset = csv(f"{headers}\nTAg22,tag22,association,2024-09-01,22,Saint-Brieuc")

    result = StructureResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    tag22 = Structure.objects.get(slug="tag22")
    assert (tag22.departement.code, tag22.city, tag22.legal_form) == ("22", "Saint-Brieuc", "association")


def test_headers_are_renamed_to_the_french_ones_before_the_rows_are_read():
    dataset = csv("name,slug,kind\nFondation PSA,fondation-psa,foundation")

    PartnerResource().import_data(dataset, dry_run=True)

    assert dataset.headers == ["Nom", "Slug", "Type"]


def test_unknown_columns_refuse_the_file_naming_them_and_listing_the_expected_ones():
    before = database()
    dataset = csv("Nom,Slug,Forme juridique,Couleur,Budget\nTAg22,tag22,association,bleu,1000")

    result = StructureResource().import_data(dataset)

    message = refusal(result)
    assert "Colonnes inconnues\u00a0: «\u00a0Couleur\u00a0», «\u00a0Budget\u00a0»." in message
    assert "Colonnes attendues\u00a0: «\u00a0Nom\u00a0», «\u00a0Slug\u00a0»" in message
    assert "«\u00a0Code département\u00a0»" in message
    assert database() == before


def test_a_column_given_twice_under_two_names_refuses_the_file():
    result = PartnerResource().import_data(csv("Nom,Slug,Type,name\nPSA,psa,foundation,PSA"))

    assert "Colonnes en double\u00a0: «\u00a0Nom\u00a0»" in refusal(result)
    assert not Partner.objects.exists()


def test_a_missing_slug_column_refuses_the_file_naming_it():
    before = database()

    result = StructureResource().import_data(csv("Nom,Forme juridique\nTAg22,association"))

    assert refusal(result) == "Colonnes obligatoires manquantes\u00a0: «\u00a0Slug\u00a0»."
    assert database() == before


def test_a_column_a_new_row_needs_refuses_the_file_naming_it_and_the_new_rows(tag35):
    factories.ProjectFactory(slug="garage-solidaire", structure=tag35)
    before = database()
    dataset = csv("Slug,Titre,Solution\ngarage-solidaire,Garage,Un garage\nepicerie,Épicerie,Une épicerie")

    result = ProjectResource().import_data(dataset)

    message = refusal(result)
    assert message == (
        "Colonnes obligatoires manquantes\u00a0: «\u00a0Structure\u00a0», «\u00a0Territoire\u00a0». "
        "Elles sont nécessaires pour créer la ligne 3, dont le slug n'existe pas encore."
    )
    assert database() == before


def test_a_file_that_only_updates_existing_rows_needs_only_the_slug_and_its_columns(tag35):
    factories.ProjectFactory(slug="garage-solidaire", structure=tag35, solution="")

    result = ProjectResource().import_data(csv("slug,solution\ngarage-solidaire,Un garage associatif"))

    assert [row.import_type for row in result.rows] == [RowResult.IMPORT_TYPE_UPDATE]
    assert Project.objects.get().solution == "Un garage associatif"


def test_an_empty_trailing_column_without_header_is_ignored():
    dataset = tablib.Dataset(
        ["Fondation PSA", "fondation-psa", "foundation", ""], headers=["Nom", "Slug", "Type", ""]
    )

    result = PartnerResource().import_data(dataset)

    assert not result.has_errors() and Partner.objects.get().slug == "fondation-psa"


def test_a_column_with_values_but_no_header_refuses_the_file():
    dataset = tablib.Dataset(
        ["Fondation PSA", "fondation-psa", "foundation", "?"], headers=["Nom", "Slug", "Type", None]
    )

    result = PartnerResource().import_data(dataset)

    assert refusal(result) == "La colonne n°\u00a04 n'a pas d'en-tête mais contient des valeurs."
    assert not Partner.objects.exists()


# --- Choices ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["Inventer", "inventer", " INVENTER ", "invention"])
def test_a_stage_is_read_as_its_french_label_or_its_code(tag35, retiers, stage):
    dataset = csv(f"Titre,Slug,Structure,Territoire,Étape\nÉpicerie,epicerie,tag35,retiers,{stage}")

    result = ProjectResource().import_data(dataset)

    assert not result.has_validation_errors()
    assert Project.objects.get(slug="epicerie").stage == Project.Stage.INVENTION


def test_a_phase_label_with_accents_is_read_whatever_its_accents():
    dataset = csv(
        "Nom,Slug,Forme juridique,Phase depuis le,Phase\n"
        "TAg22,tag22,association,2024-09-01,experimentation\n"
        "TAg29,tag29,scic,2024-09-01,EXPÉRIMENTATION"
    )

    result = StructureResource().import_data(dataset)

    assert not result.has_validation_errors()
    assert set(Structure.objects.values_list("phase", flat=True)) == {Structure.Phase.EXPERIMENTATION}


def test_an_unknown_stage_names_the_value_and_the_accepted_labels_under_its_column(tag35, retiers):
    before = database()
    dataset = csv(
        "Titre,Slug,Structure,Territoire,Étape\n"
        "Épicerie,epicerie,tag35,retiers,Inventer\n"
        "Garage,garage,tag35,retiers,Lancement"
    )

    result = ProjectResource().import_data(dataset)

    [message] = errors_of(result)[2]["Étape"]
    assert message == (
        "«\u00a0Lancement\u00a0» n'est pas une valeur possible. Valeurs acceptées\u00a0: "
        "«\u00a0Détecter\u00a0», «\u00a0Inventer\u00a0», «\u00a0Lancer\u00a0», "
        "«\u00a0Lancé\u00a0», «\u00a0Abandonné\u00a0»."
    )
    assert database() == before


def test_an_export_writes_the_stage_and_phase_as_their_french_labels(tag35):
    factories.ProjectFactory(slug="epicerie", structure=tag35, stage=Project.Stage.INVENTION)

    assert ProjectResource().export().dict[0]["Étape"] == "Inventer"
    assert StructureResource().export().dict[0]["Phase"] == "Expérimentation"


def test_a_yes_no_column_reads_oui_and_non_and_refuses_anything_else():
    dataset = csv("Nom,Slug,Type,Partenaire national\nANCT,anct,state,Oui\nPSA,psa,foundation,peut-être")

    result = PartnerResource().import_data(dataset)

    assert "«\u00a0peut-être\u00a0»" in errors_of(result)[2]["Partenaire national"][0]
    assert not Partner.objects.exists()
    assert PartnerResource().import_data(csv("Nom,Slug,Type,Partenaire national\nANCT,anct,state,Oui"))
    assert Partner.objects.get().is_national is True


def test_a_missions_time_zone_is_read_as_its_label_too():
    dataset = csv(
        "Intitulé,Slug,Sens,Fuseau horaire,Début (heure locale),Fin (heure locale)\n"
        "Délégation,delegation,France → Québec,Heure de Montréal,2025-06-02 20:00,2025-06-03 18:00"
    )

    result = MissionResource().import_data(dataset)

    assert not result.has_validation_errors(), errors_of(result)
    mission = Mission.objects.get(slug="delegation")
    assert mission.timezone == Mission.TimeZone.TORONTO and mission.starts_at.hour == 0


# --- Related rows -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["22", "22.0", "Côtes-d'Armor", "cotes d'armor", "COTES D’ARMOR"])
def test_a_departement_is_found_by_insee_code_or_by_name(cell):
    dataset = csv(
        f'Nom,Slug,Forme juridique,Phase depuis le,Code département\nTAg22,tag22,scic,2024-09-01,"{cell}"'
    )

    result = StructureResource().import_data(dataset)

    assert not result.has_validation_errors(), errors_of(result)
    assert Structure.objects.get().departement.code == "22"


def test_an_insee_code_a_spreadsheet_turned_into_a_number_finds_its_departement():
    dataset = csv("Nom,Slug,Type,Codes départements\nPays de Gex,pays-de-gex,pays,1|74")

    TerritoryResource().import_data(dataset)

    assert sorted(Territory.objects.get().departements.values_list("code", flat=True)) == ["01", "74"]


def test_an_invalid_insee_code_is_refused_on_its_column_and_nothing_is_written():
    before = database()
    dataset = csv(
        "Nom,Slug,Forme juridique,Phase depuis le,Code département\n"
        "TAg22,tag22,association,2024-09-01,22\n"
        "X,x,association,2024-09-01,99"
    )

    result = StructureResource().import_data(dataset)

    [message] = errors_of(result)[2]["Code département"]
    assert message == "«\u00a099\u00a0»\u00a0: introuvable parmi les départements (code INSEE ou nom)."
    assert database() == before


def test_structure_territory_and_programme_are_found_by_slug_or_by_name(tag35, retiers):
    catalyseur = factories.ProgrammeFactory(name="Catalyseur", slug="catalyseur")
    dataset = csv("Titre,Slug,Structure,Territoire,Programme\nÉpicerie,epicerie,tag35,RETIERS,catalyseur")
    by_name = csv("Titre,Slug,Structure,Territoire,Programme\nGarage,garage,TAg35,retiers,Catalyseur")

    results = [ProjectResource().import_data(dataset), ProjectResource().import_data(by_name)]

    assert not any(result.has_validation_errors() for result in results)
    for slug in ("epicerie", "garage"):
        project = Project.objects.get(slug=slug)
        assert (project.structure, project.territory, project.programme) == (tag35, retiers, catalyseur)


def test_partners_are_found_by_slug_or_name_in_one_cell(tag35, retiers):
    psa = factories.PartnerFactory(name="Fondation PSA", slug="fondation-psa")
    anct = factories.PartnerFactory(name="ANCT", slug="anct")

    ProjectResource().import_data(
        csv("Titre,Slug,Structure,Territoire,Partenaires\nGarage,garage,tag35,retiers,fondation psa|anct")
    )

    assert set(Project.objects.get().partners.all()) == {psa, anct}


def test_a_name_two_structures_share_asks_for_the_slug(retiers):
    factories.StructureFactory(name="Courant Fort", slug="courant-fort")
    factories.StructureFactory(name="Courant fort", slug="courant-fort-2")
    before = database()

    result = ProjectResource().import_data(
        csv("Titre,Slug,Structure,Territoire\nGarage,garage,courant fort,retiers")
    )

    [message] = errors_of(result)[1]["Structure"]
    assert "désigne plusieurs structures" in message and "«\u00a0courant-fort-2\u00a0»" in message
    assert "indiquez le slug" in message
    assert database() == before


def test_unknown_partners_are_all_named_in_one_message(tag35, retiers):
    factories.PartnerFactory(slug="anct")

    result = ProjectResource().import_data(
        csv("Titre,Slug,Structure,Territoire,Partenaires\nG,g,tag35,retiers,anct|psa|ag2r")
    )

    [message] = errors_of(result)[1]["Partenaires"]
    assert message.startswith(
        "«\u00a0psa\u00a0», «\u00a0ag2r\u00a0»\u00a0: introuvable parmi les partenaires"
    )
    assert not Project.objects.exists()


def test_a_transfers_provider_and_beneficiaries_are_found_by_slug_or_name(tag35):
    ecossolies = factories.OrganisationFactory(name="Les Écossolies", slug="les-ecossolies", country="FR")
    dataset = csv(
        "Intitulé,Slug,Structure apporteuse,Thème,Début,Bénéficiaires\n"
        "Visite,visite,les ecossolies,Tiers-lieu,2020-10-23,s:TAg35|LES ECOSSOLIES"
    )

    result = KnowHowTransferResource().import_data(dataset)

    assert not result.has_validation_errors(), errors_of(result)
    transfer = KnowHowTransfer.objects.get(slug="visite")
    assert transfer.provider == ecossolies
    assert {(b.structure, b.organisation) for b in transfer.beneficiaries.all()} == {
        (tag35, None),
        (None, ecossolies),
    }


# --- Duplicates -------------------------------------------------------------------------------------


def test_the_same_slug_twice_is_refused_naming_both_spreadsheet_rows():
    before = database()
    dataset = csv(
        "Nom,Slug,Forme juridique,Phase depuis le\n"
        "TAg22,tag22,association,2024-09-01\n"
        "TAg29,tag29,scic,2024-09-01\n"
        "TAg22 bis,tag22,association,2024-09-01"
    )

    result = StructureResource().import_data(dataset)

    assert list(errors_of(result)) == [3]
    [message] = errors_of(result)[3]["Slug"]
    assert message == "Slug «\u00a0tag22\u00a0» en double\u00a0: lignes 2 et 4 du fichier (une par slug)."
    assert database() == before


# --- Cost -------------------------------------------------------------------------------------------


@pytest.fixture
def related_rows():
    factories.StructureFactory(name="TAg35", slug="tag35")
    factories.TerritoryFactory(name="Retiers", slug="retiers")
    factories.PartnerFactory(name="Fondation PSA", slug="fondation-psa")


def import_queries(rows: int) -> list[str]:
    """The queries of a dry run importing `rows` new projects naming their relations by name."""
    lines = [f"Projet {n},projet-{n},TAg35,Retiers,Inventer,Fondation PSA" for n in range(rows)]
    dataset = csv("Titre,Slug,Structure,Territoire,Étape,Partenaires\n" + "\n".join(lines))
    with CaptureQueriesContext(connection) as context:
        result = ProjectResource().import_data(dataset, dry_run=True)
    assert result.totals[RowResult.IMPORT_TYPE_NEW] == rows
    return [query["sql"] for query in context.captured_queries]


def lookups(queries: list[str], table: str) -> int:
    """Loads of a whole table by the name / key lookups: a SELECT on it without a WHERE."""
    return sum(1 for sql in queries if f'FROM "{table}"' in sql and "WHERE" not in sql)


@pytest.mark.parametrize("rows", [1, 6])
def test_related_rows_are_looked_up_once_per_import_whatever_the_number_of_rows(related_rows, rows):
    queries = import_queries(rows)

    assert lookups(queries, "network_structure") == 1
    assert lookups(queries, "network_territory") == 1
    assert lookups(queries, "programmes_partner") == 1


def test_every_row_costs_the_same_queries_however_many_rows_the_file_has(related_rows):
    one, two, six = (len(import_queries(rows)) for rows in (1, 2, 6))

    # Once per file: the transaction's savepoints, the rows the file names (one query), the structures,
    # territories and partners (one query each). Per row: its savepoint and release, model validation
    # (existence of the structure and of the territory, uniqueness of the slug, one savepoint-wrapped
    # query per check constraint), the insert, and the partners: compared, written, read for the diff.
    assert six - one == 5 * (two - one)
