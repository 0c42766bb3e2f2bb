"""A coordinator's journey in Chromium: from the workspace, create a project, see the move to « Inventer »
refused with its reason until the need is written, then take it through « Inventer » to « Lancer » once
the study is favourable and a holder is named, and find the moves in the timeline and on the board."""

import re

from playwright.sync_api import Page, expect

from projects.models import Project, StageChange
from tests import factories

EMAIL = "coordination@tag22.example.org"
PASSWORD = "fabrique-demo"
TITLE = "Garage solidaire de Guingamp"


def stage_button(page: Page, label: str):
    # « Passer à « Inventer » »: the guillemets may carry plain or non-breaking spaces.
    return page.get_by_role("button", name=re.compile(rf"^Passer à «\s*{label}\s*»$"))


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/comptes/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(1)


def edit_project(page: Page, fill) -> None:
    page.get_by_role("link", name="Modifier le projet").click()
    fill()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Les modifications du projet ont été enregistrées.")).to_be_visible()


def test_coordinator_takes_a_new_project_from_detection_to_launch(live_server, page: Page):
    tag22 = factories.StructureFactory(name="TAg22", slug="tag22")
    factories.CoordinatorFactory(user__email=EMAIL, structure=tag22)
    factories.TerritoryFactory(name="Guingamp-Paimpol Agglomération", slug="guingamp-paimpol")

    log_in(page, live_server.url)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon espace"
    ).click()

    # An empty workspace points to the create form, on the same page.
    expect(page.get_by_role("heading", name="Aucun projet pour l'instant")).to_be_visible()
    page.get_by_role("link", name="Créer le premier projet").click()
    form = page.locator("#nouveau-projet")
    form.get_by_label("Titre du projet").fill(TITLE)
    form.get_by_label("Territoire").select_option(label="Guingamp-Paimpol Agglomération")
    form.get_by_label("Secteur").select_option(label="Mobilité")
    form.get_by_role("button", name="Créer le projet").click()

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    project = Project.objects.get(title=TITLE)
    expect(page).to_have_url(re.compile(rf"/projets/{project.slug}/"))

    # No need written yet: the move is refused, and the reason is next to the disabled button.
    to_invention = stage_button(page, "Inventer")
    expect(to_invention).to_be_disabled()
    reasons = page.locator(f"#{to_invention.get_attribute('aria-describedby')}")
    expect(reasons).to_contain_text("Décrivez le besoin détecté avant de passer à")

    edit_project(
        page,
        lambda: page.get_by_label("Besoin détecté").fill(
            "Des habitants du pays de Guingamp sans solution de mobilité pour aller travailler."
        ),
    )
    expect(stage_button(page, "Inventer")).to_be_enabled()
    stage_button(page, "Inventer").click()
    expect(page.locator(".stage-badge")).to_contain_text("Inventer")

    # To launch, the study must be favourable and a holder named: both reasons show until then.
    to_launch = stage_button(page, "Lancer")
    expect(to_launch).to_be_disabled()
    launch_reasons = page.locator(f"#{to_launch.get_attribute('aria-describedby')}")
    expect(launch_reasons).to_contain_text("L'étude d'opportunité doit conclure favorablement")
    expect(launch_reasons).to_contain_text("Désignez un porteur de projet")

    edit_project(page, lambda: page.get_by_label("Conclusion de l'étude").select_option(label="Favorable"))
    page.get_by_text("Désigner le porteur").click()
    page.get_by_label("Nom du porteur de projet").fill("Association Mobilité Solidaire")
    page.get_by_role("button", name="Enregistrer le porteur").click()
    expect(page.get_by_text("Le porteur de projet a été enregistré.")).to_be_visible()

    expect(stage_button(page, "Lancer")).to_be_enabled()
    stage_button(page, "Lancer").click()
    expect(page.locator(".stage-badge")).to_contain_text("Lancer")

    # The timeline tells the whole story, oldest first.
    timeline = page.locator(".timeline__what")
    expect(timeline).to_have_count(3)
    expect(timeline.nth(0)).to_contain_text(re.compile(r"Entrée à l'étape «\s*Détecter\s*»"))
    expect(timeline.nth(1)).to_contain_text(re.compile(r"De «\s*Détecter\s*» à «\s*Inventer\s*»"))
    expect(timeline.nth(2)).to_contain_text(re.compile(r"De «\s*Inventer\s*» à «\s*Lancer\s*»"))
    assert list(StageChange.objects.filter(project=project).values_list("from_stage", "to_stage")) == [
        ("", "detection"),
        ("detection", "invention"),
        ("invention", "launch"),
    ]

    # Back in the workspace, the project sits in the « Lancer » column with its holder.
    page.get_by_role("link", name="Mon espace").click()
    column = page.get_by_role("region", name=re.compile(r"^Lancer"))
    expect(column.get_by_role("link", name=TITLE)).to_be_visible()
    expect(column).to_contain_text("Association Mobilité Solidaire")
    expect(column).to_contain_text("À cette étape depuis aujourd'hui")
