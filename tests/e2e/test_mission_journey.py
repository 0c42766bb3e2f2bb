"""A mission recorded by the staff in Chromium: two objectives and a visited member structure, entered in
Montréal time; one objective then marked achieved from the mission's page; the visited structure's public
page shows the mission, and the mission's page shows its times in Paris for a Paris reader."""

import re

import pytest
from playwright.sync_api import Page, expect

from partnerships.models import Mission, Objective
from tests import factories
from tests.e2e.login import log_in_as_staff


@pytest.mark.django_db(transaction=True)
def test_staff_record_a_mission_mark_an_objective_and_the_structure_shows_it(live_server, page: Page):
    staff = factories.StaffFactory(email="avise@example.org")
    factories.StructureFactory(name="ADRESS Normandie", slug="adress-normandie", labelled=True)
    base = live_server.url

    log_in_as_staff(page, base, staff.email)

    page.goto(f"{base}/missions/")
    page.get_by_role("link", name="Nouvelle mission").first.click()
    page.get_by_label(re.compile("^Intitulé")).fill("Voyage d'étude des pôles du Québec en Normandie")
    page.get_by_label(re.compile("^Sens")).select_option(label="Québec → France")
    page.get_by_label(re.compile("^Fuseau horaire")).select_option(label="Heure de Montréal")
    page.get_by_label(re.compile("^Début")).fill("2025-06-02T20:00")
    page.get_by_label(re.compile("^Fin")).fill("2025-06-06T17:00")
    page.get_by_label(re.compile("^Villes")).fill("Rouen")
    page.locator("#id_objectifs-0-text").fill("Découvrir la méthode de la Fabrique à initiatives")
    page.locator("#id_objectifs-1-text").fill("Rencontrer les partenaires de la Fabrique normande")
    page.locator("#id_visites-0-structure").select_option(label="ADRESS Normandie")
    page.locator("#id_visites-0-city").fill("Rouen")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    mission = Mission.objects.get(title="Voyage d'étude des pôles du Québec en Normandie")
    assert mission.objectives.count() == 2
    assert mission.visits.get().structure.slug == "adress-normandie"
    assert mission.starts_at.isoformat() == "2025-06-03T00:00:00+00:00"  # 20:00 in Montréal

    # From the mission's page, the first objective is marked achieved.
    page.goto(f"{base}/missions/{mission.slug}/")
    first = Objective.objects.get(mission=mission, text__startswith="Découvrir")
    page.locator(f"#outcome-{first.pk}").select_option(label="Atteint")
    page.locator(f"#outcome-note-{first.pk}").fill("Trois journées d'immersion à Rouen.")
    page.locator(f"form[action$='/objectifs/{first.pk}/']").get_by_role("button").click()
    expect(page.get_by_text("Résultat : Atteint")).to_have_count(1)
    first.refresh_from_db()
    assert (first.outcome, first.outcome_note) == ("achieved", "Trois journées d'immersion à Rouen.")
    # A Paris reader sees the start on 3 June at 02:00.
    expect(page.get_by_text(re.compile(r"3 juin 2025.{0,4}02:00"))).to_be_visible()

    # The visited structure's public page shows the mission.
    page.goto(f"{base}/reseau/adress-normandie/")
    expect(page.get_by_role("link", name="Voyage d'étude des pôles du Québec en Normandie")).to_be_visible()
