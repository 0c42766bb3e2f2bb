"""The Avise staff's journey in Chromium (issue 8): log in with the second factor, invite a coordinator of
TAg22, create a national programme in the administration, import its first projects from a spreadsheet
made in French Excel, and find them on the programme's page. The invited coordinator then follows the
e-mail's link and lands in TAg22's workspace with the imported projects."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from programmes.models import Programme
from projects.models import Project
from tests import factories
from tests.e2e.login import log_in_as_staff

COORDINATOR = "charge.mission@tag22.example.org"
PROGRAMME = "Fabriques de la mobilité solidaire"
SLUG = "fabriques-de-la-mobilite-solidaire"

# French Excel's « CSV (séparateur : point-virgule) »: Windows-1252, `;`, names rather than slugs.
PROJECTS_CSV = (
    "Titre;Slug;Structure;Territoire;Programme;Secteur;Étape;Besoin détecté;Publié\r\n"
    f"Garage solidaire de Guingamp;garage-guingamp;TAg22;Pays de Guingamp;{PROGRAMME};Mobilité;Détecter;"
    "Des salariés sans voiture pour aller travailler;oui\r\n"
    f"Location de vélos à assistance électrique;velos-plerin;tag22;pays-de-guingamp;{SLUG};Mobilité;"
    "Inventer;Des zones d'activité loin des bus;oui\r\n"
).encode("cp1252")


@pytest.mark.django_db(transaction=True)
def test_staff_invite_a_coordinator_create_a_programme_and_import_its_projects(
    live_server, page: Page, geography, tmp_path
):
    staff = factories.StaffFactory(email="avise@example.org")
    tag22 = factories.StructureFactory(name="TAg22", slug="tag22")
    factories.TerritoryFactory(name="Pays de Guingamp", slug="pays-de-guingamp")
    base = live_server.url
    log_in_as_staff(page, base, staff.email)

    # 1. The invitation: a coordinator of TAg22.
    page.goto(f"{base}/pilotage/invitations/")
    page.get_by_role("link", name="Inviter une personne").first.click()
    page.get_by_label(re.compile("^Adresse e-mail")).fill(COORDINATOR)
    page.get_by_label("TAg22", exact=True).check()
    page.get_by_role("button", name=re.compile("Envoyer l.invitation")).click()
    expect(page.get_by_text(f"Invitation envoyée à {COORDINATOR}.")).to_be_visible()

    # 2. The programme, in the administration (its slug is filled from the name by the admin's script).
    page.goto(f"{base}/admin/programmes/programme/add/")
    page.locator("#id_name").fill(PROGRAMME)
    page.locator("#id_name").press("Tab")  # the admin fills the slug on « change »
    expect(page.locator("#id_slug")).to_have_value(SLUG)
    page.locator("#id_theme").fill("Mobilité")
    page.locator("#id_start_date").fill("01/01/2026")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text(PROGRAMME)
    programme = Programme.objects.get(slug=SLUG)
    assert programme.is_published

    # 3. The projects, from the spreadsheet: preview, then confirm.
    sheet = tmp_path / "projets-mobilite.csv"
    sheet.write_bytes(PROJECTS_CSV)
    page.goto(f"{base}/pilotage/import/")
    page.get_by_label("Projets", exact=True).check()
    page.get_by_label("Fichier").set_input_files(str(sheet))
    page.get_by_role("button", name="Vérifier le fichier").click()
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("nouvelle")
    assert not Project.objects.filter(programme=programme).exists()  # the preview writes nothing
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("L'import est terminé.").first).to_be_visible()

    # The programme's page lists its two published projects.
    page.goto(f"{base}/programmes/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(PROGRAMME)
    expect(page.get_by_role("link", name="Garage solidaire de Guingamp")).to_be_visible()
    expect(page.get_by_role("link", name="Location de vélos à assistance électrique")).to_be_visible()
    assert set(Project.objects.filter(programme=programme).values_list("structure", flat=True)) == {tag22.pk}
    page.get_by_role("button", name="Se déconnecter").click()

    # 4. The invited coordinator follows the link and finds the imported projects in TAg22's workspace.
    link = next(word for word in mail.outbox[-1].body.split() if "/comptes/invitation/" in word)
    page.goto(link)
    page.locator("#id_first_name").fill("Yann")
    page.locator("#id_password1").fill("Un-long-mot-de-passe-2026")
    page.locator("#id_password2").fill("Un-long-mot-de-passe-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).to_have_url(f"{base}/espace/")
    expect(page.get_by_text("Garage solidaire de Guingamp").first).to_be_visible()
