"""The staff import a projects CSV made in French Excel (« CSV (séparateur : point-virgule) »: `;`,
Windows-1252, accents) in Chromium: they read the preview, confirm, and find the rows in the projects'
directory."""

import re

import pytest
from playwright.sync_api import Page, expect

from projects.models import Project
from tests import factories
from tests.e2e.login import log_in_as_staff
from tests.e2e.test_accessibility import violations

# Written as French Excel saves it: Windows-1252, `;`, CRLF, French headers and labels, names for keys.
FRENCH_EXCEL_CSV = (
    "Titre;Slug;Structure;Territoire;Secteur;Étape;Besoin détecté\r\n"
    "Épicerie solidaire de Guingamp;epicerie-guingamp;TAg22;Pays de Guingamp;Alimentation;Détecter;"
    "Des familles éloignées des commerces\r\n"
    "Garage à Plérin;garage-plerin;tag22;pays-de-guingamp;Mobilité;Inventer;Se déplacer pour travailler\r\n"
).encode("cp1252")


@pytest.mark.django_db(transaction=True)
def test_staff_import_a_french_excel_csv_and_find_the_projects_in_the_directory(
    live_server, page: Page, tmp_path
):
    staff = factories.StaffFactory(email="avise@example.org")
    factories.StructureFactory(name="TAg22", slug="tag22")
    factories.TerritoryFactory(name="Pays de Guingamp", slug="pays-de-guingamp")
    sheet = tmp_path / "projets.csv"
    sheet.write_bytes(FRENCH_EXCEL_CSV)
    base = live_server.url

    log_in_as_staff(page, base, staff.email)

    page.goto(f"{base}/pilotage/import/")
    page.get_by_label("Projets", exact=True).check()
    page.get_by_label("Fichier").set_input_files(str(sheet))
    page.get_by_role("button", name="Vérifier le fichier").click()

    # The preview: both rows new, nothing written yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("projets.csv"))
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("nouvelle")
    expect(rows.nth(0)).to_contain_text("epicerie-guingamp")
    expect(rows.nth(1)).to_contain_text("garage-plerin")
    assert not Project.objects.filter(slug__in=["epicerie-guingamp", "garage-plerin"]).exists()
    run_url = page.url
    assert violations(page, f"{base}/pilotage/import/") == []
    assert violations(page, run_url) == []

    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("L'import est terminé.").first).to_be_visible()
    assert Project.objects.get(slug="epicerie-guingamp").stage == Project.Stage.DETECTION
    assert violations(page, f"{base}/pilotage/import/historique/") == []

    page.goto(f"{base}/projets/?q=Épicerie")
    expect(page.get_by_role("link", name="Épicerie solidaire de Guingamp")).to_be_visible()
    page.goto(f"{base}/projets/?q=Plérin")
    expect(page.get_by_role("link", name="Garage à Plérin")).to_be_visible()
