"""The coordinator's journey with the keyboard alone, in Chromium: the coordinator of TAg22 signs in, opens
one of their projects from their workspace, edits it (a text typed, the sector changed with the arrow keys)
and moves it to the next stage — only Tab, Shift+Tab, Enter, Space, arrows and typing, never a click. At each
step the test asserts where the focus is (`document.activeElement`) and that it can be seen (an outline or
a box-shadow, as computed by the browser)."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from network.models import Structure
from projects.models import Project, StageChange
from tests import factories

PASSWORD = "fabrique-demo"
EMAIL = "coordination@tag22.example.org"
# Enough to cross the site's header and a form, small enough to fail fast when a control is unreachable.
MAX_TABS = 60

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        tag: element.tagName.toLowerCase(),
        name: element.getAttribute('name') || '',
        id: element.id || '',
        text: (element.innerText || element.value || '').trim().slice(0, 80),
        href: element.getAttribute('href') || '',
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none',
    };
}"""


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_visible(element: dict) -> None:
    assert element["outline"] or element["shadow"], f"no visible focus indicator on {element}"


def tab_to(page: Page, matches, *, backwards: bool = False) -> dict:
    """Presses Tab (Shift+Tab) until the focused element satisfies `matches`; every element crossed must
    show where the focus is."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        element = focused(page)
        if element["tag"] != "body":
            assert_focus_visible(element)
        if matches(element):
            return element
    raise AssertionError(f"not reached with {key} in {MAX_TABS} presses: {matches.__doc__ or matches}")


def named(name: str):
    def matches(element: dict) -> bool:
        return element["name"] == name

    matches.__doc__ = f"the field named {name!r}"
    return matches


def labelled(text: str):
    def matches(element: dict) -> bool:
        # French typography puts no-break spaces inside « »: compare with plain spaces.
        return element["tag"] in {"a", "button", "summary"} and element["text"].replace("\xa0", " ") == text

    matches.__doc__ = f"the link or button {text!r}"
    return matches


@pytest.fixture
def journey(geography):
    tag22 = factories.StructureFactory(name="TAg22", slug="tag22", phase=Structure.Phase.EXPERIMENTATION)
    coordinator = factories.CoordinatorFactory(structure=tag22, user__email=EMAIL).user
    # Sign-in asks for a verified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
    EmailAddress.objects.update_or_create(
        user=coordinator, email=EMAIL, defaults={"verified": True, "primary": True}
    )
    # Another card on the board: the journey must pick its project among others.
    factories.ProjectFactory(
        title="Garage solidaire de Plérin", structure=tag22, stage=Project.Stage.INVENTION
    )
    return factories.ProjectFactory(
        title="Conciergerie solidaire de Lannion",
        slug="conciergerie-lannion",
        structure=tag22,
        sector=Project.Sector.OTHER,
        need="Des salariés des zones d'activité sans services de proximité.",
    )


def test_coordinator_signs_in_edits_and_moves_a_project_with_the_keyboard_alone(
    journey, live_server, page: Page
):
    project = journey
    page.goto(f"{live_server.url}/comptes/login/")

    # The first Tab reaches the skip link, which sends the focus to the main content.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["href"] == "#contenu"
    assert_focus_visible(skip)
    # Off-screen until focused, then slides in (a short transition): wholly on screen.
    expect(page.locator(".skip-link")).to_be_in_viewport(ratio=1)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "contenu"

    # Sign in: the e-mail, the password, Enter.
    tab_to(page, named("login"))
    page.keyboard.type(EMAIL)
    tab_to(page, named("password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(1)

    # To the workspace by the main navigation, then the project's page from its card.
    tab_to(page, labelled("Mon espace"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/espace/")
    tab_to(page, labelled(project.title))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projets/{project.slug}/")

    # Edit: the solution typed, the sector changed with the arrows, saved with Enter on the button.
    tab_to(page, labelled("Modifier le projet"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projets/{project.slug}/modifier/")
    tab_to(page, named("sector"))
    page.keyboard.press("ArrowUp")
    tab_to(page, named("solution"))
    page.keyboard.type("Une conciergerie itinérante qui passe chaque semaine dans les zones d'activité.")
    # Back to the sector by Shift+Tab: the arrow changed it, the field kept the choice.
    tab_to(page, named("sector"), backwards=True)
    changed_sector = page.evaluate("() => document.activeElement.value")
    assert changed_sector != Project.Sector.OTHER
    tab_to(page, labelled("Enregistrer"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projets/{project.slug}/")
    expect(page.get_by_role("status")).to_contain_text("enregistr")
    project.refresh_from_db()
    assert project.solution.startswith("Une conciergerie itinérante")
    assert project.sector == changed_sector

    # Move to « Inventer »: a note typed, the button pressed with Space.
    tab_to(page, named("note"))
    page.keyboard.type("Groupe-projet réuni le 12 novembre avec la communauté d'agglomération.")
    move = tab_to(page, labelled("Passer à « Inventer »"))
    assert move["tag"] == "button"
    page.keyboard.press("Space")
    page.wait_for_url(f"**/projets/{project.slug}/#etapes")
    expect(page.get_by_role("status")).to_contain_text("Inventer")
    project.refresh_from_db()
    assert project.stage == Project.Stage.INVENTION
    change = StageChange.objects.get(project=project)
    assert change.note.startswith("Groupe-projet réuni")
