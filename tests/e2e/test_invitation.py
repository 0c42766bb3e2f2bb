"""An invitation in Chromium: Avise staff invite a coordinator of TAg22; the e-mail's link (read from the
live server's outbox: it runs in this process) lets the person choose a password; they are then logged in
and see TAg22's projects in their workspace."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.login import log_in_as_staff

NEWCOMER = "nouvelle.recrue@tag22.example.org"
NEW_PASSWORD = "Un-long-mot-de-passe-2026"


@pytest.mark.django_db(transaction=True)
def test_staff_invite_a_coordinator_who_sets_a_password_and_sees_their_structure(
    live_server, page: Page, geography
):
    staff = factories.StaffFactory(email="avise@example.org")
    tag22 = factories.StructureFactory(name="TAg22", slug="tag22")
    factories.StructureFactory(name="ATIS", slug="atis")
    factories.ProjectFactory(structure=tag22, title="Conciergerie solidaire de Lannion")
    base = live_server.url

    log_in_as_staff(page, base, staff.email)
    page.goto(f"{base}/pilotage/invitations/")
    expect(page.get_by_text("Aucune invitation n’a encore été envoyée.")).to_be_visible()
    page.get_by_role("link", name="Inviter une personne").first.click()
    page.get_by_label(re.compile("^Adresse e-mail")).fill(NEWCOMER)
    page.get_by_label("TAg22", exact=True).check()
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.get_by_text(f"Invitation envoyée à {NEWCOMER}.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(NEWCOMER))).to_contain_text("En attente")
    page.get_by_role("button", name="Se déconnecter").click()

    assert [message.to for message in mail.outbox] == [[NEWCOMER]]
    link = next(word for word in mail.outbox[0].body.split() if "/comptes/invitation/" in word)
    assert link.startswith(base)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accepter l’invitation")
    expect(page.get_by_text("chargé·e de mission de TAg22")).to_be_visible()
    page.locator("#id_first_name").fill("Léa")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page).to_have_url(f"{base}/espace/")
    expect(page.get_by_text("Bienvenue")).to_be_visible()
    expect(page.get_by_text("Conciergerie solidaire de Lannion").first).to_be_visible()
    expect(page.get_by_text(f"{NEWCOMER}").first).to_be_visible()  # logged in as the new account

    # The link served once: following it again says so.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation non valable")
