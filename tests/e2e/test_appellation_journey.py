"""The appellation path in Chromium: the coordinator of an experimenting structure writes and submits its
dossier, the staff create a committee session, put the application on its agenda and seat the proposed
members, a member of a labelled structure gives its opinion, the staff record « Appellation accordée », and
the structure shows the appellation badge in the public directory."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from network.appellation import services
from network.models import AppellationApplication, Structure
from tests import factories
from tests.e2e import login
from tests.e2e.login import log_in_as_staff

SECTION_TEXT = (
    "Fabrique à initiatives en Drôme-Ardèche depuis 2023, en quartier prioritaire (centre ancien d'Annonay) "
    "et en zone rurale, avec les habitants, la commune d'Annonay et la Fondation PSA ; un garage solidaire "
    "et un tiers-lieu sont nés des besoins détectés."
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def labelled(name: str) -> tuple[Structure, object]:
    structure = factories.StructureFactory(name=name, labelled=True, labelled_on=dt.date(2021, 6, 17))
    coordinator = factories.CoordinatorFactory(
        structure=structure, user__email=f"coordination@{structure.slug}.example.org"
    ).user
    return structure, coordinator


def log_in(page: Page, base_url: str, email: str) -> None:
    login.log_in(page, base_url, email)
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(1)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_from_dossier_to_appellation_badge(live_server, page: Page, tmp_path):
    staff = factories.StaffFactory(email="avise@example.org")
    applicant = factories.StructureFactory(
        name="Courant Fort", slug="courant-fort", joined_on=dt.date(2023, 1, 1)
    )
    coordinator = factories.CoordinatorFactory(
        structure=applicant, user__email="coordination@courant-fort.example.org"
    ).user
    (_atis, atis_coordinator), (adress, adress_coordinator), (brique, brique_coordinator) = (
        labelled("ATIS"),
        labelled("ADRESS Normandie"),
        labelled("Première Brique"),
    )
    base = live_server.url

    # The coordinator opens the dossier from the structure's page, writes it, joins a document, submits.
    log_in(page, base, coordinator.email)
    page.goto(f"{base}/reseau/courant-fort/")
    page.get_by_role("link", name=re.compile("appellation", re.IGNORECASE)).first.click()
    page.get_by_role("button", name="Commencer le dossier").click()
    for label in ("Ancrage territorial", "Partenariats", "Savoir-faire", "Perspectives"):
        page.get_by_label(re.compile(rf"^{label}")).fill(SECTION_TEXT)
    page.get_by_role("button", name="Enregistrer le dossier").click()
    expect(page.get_by_text("Le dossier a été enregistré.")).to_be_visible()
    report = tmp_path / "rapport-activite-2025.pdf"
    report.write_bytes(PDF)
    page.get_by_text("Joindre un document", exact=True).click()  # the upload form opens on demand
    page.get_by_label("Titre du document").fill("Rapport d'activité 2025")
    page.get_by_label("Fichier").set_input_files(str(report))
    page.get_by_role("button", name="Joindre le document").click()
    expect(page.get_by_text("Le document a été joint au dossier.")).to_be_visible()
    page.get_by_role("button", name="Déposer le dossier…").click()
    page.get_by_role("button", name="Oui, déposer le dossier").click()
    expect(page.get_by_text(re.compile("Dossier déposé le"))).to_be_visible()
    log_out(page)
    application = AppellationApplication.objects.get(structure=applicant)
    assert application.status == AppellationApplication.Status.SUBMITTED

    # The staff create a session, put the application on its agenda and seat the proposed members.
    log_in_as_staff(page, base, staff.email)
    page.goto(f"{base}/pilotage/appellation/")
    page.get_by_role("link", name="Créer une séance").first.click()
    held_on = timezone.localdate() + dt.timedelta(days=20)
    page.get_by_label("Date de la séance").fill(held_on.isoformat())
    page.get_by_label("Lieu").fill("Avise, Paris")
    page.get_by_role("button", name="Créer la séance").click()
    page.get_by_label("Demande à inscrire").select_option(value=str(application.pk))
    page.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    for name in ("ATIS", "ADRESS Normandie", "Première Brique"):
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Courant Fort")).to_have_count(0)
    page.get_by_role("button", name="Enregistrer les membres").click()
    expect(page.get_by_text("Les membres de la séance ont été enregistrés.")).to_be_visible()
    log_out(page)

    # Two members have given their opinion already; ATIS's coordinator gives the third.
    application.refresh_from_db()
    for member, user in ((adress, adress_coordinator), (brique, brique_coordinator)):
        services.record_opinion(user=user, application=application, member=member, verdict="favourable")
    log_in(page, base, atis_coordinator.email)
    page.goto(f"{base}/reseau/courant-fort/appellation/")
    page.get_by_label("Favorable", exact=True).check()
    page.get_by_label("Commentaire").fill("Un ancrage solide et des partenaires engagés.")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page.get_by_text(re.compile("Avis enregistré pour ATIS"))).to_be_visible()
    log_out(page)

    # The quorum reached, the staff record « Appellation accordée » after confirming it.
    log_in_as_staff(page, base, staff.email)
    page.goto(f"{base}/pilotage/appellation/comites/{application.committee_id}/")
    page.get_by_label("Appellation accordée").check()
    page.get_by_role("button", name="Enregistrer la décision…").click()
    page.get_by_role("button", name="Confirmer et enregistrer la décision").click()
    expect(page.get_by_text(re.compile("La décision est enregistrée"))).to_be_visible()
    log_out(page)

    # The public directory shows Courant Fort with the appellation badge.
    page.goto(f"{base}/reseau/")
    card = page.locator(".structure-card", has=page.get_by_role("link", name="Courant Fort"))
    expect(card.locator(".phase-badge")).to_have_text("Appellation")
    assert Structure.objects.get(pk=applicant.pk).phase == Structure.Phase.LABELLED
