"""The Content-Security-Policy in Chromium: every page type that runs JavaScript or carries styles works
under it without a single violation — the home page, the directory, the network map (Leaflet and its
GeoJSON), a fiche being prepared (htmx polling), the spreadsheet import's preview and progress, the admin
(index, change list, change form, history). A blocked script, style, image or request fires a
`securitypolicyviolation` event and a console error: either fails the test."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from fabrique.models import User
from projects import fiches
from tests import factories
from tests.e2e.login import PASSWORD, log_in, log_in_as_staff

pytestmark = pytest.mark.django_db(transaction=True)

# Installed before any page script: collects the violations the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`
    + ` (${event.sourceFile || "page"}:${event.lineNumber})`);
});
"""


@pytest.fixture
def watched(page: Page) -> Iterator[list[str]]:
    """The page, recording CSP violations from its events and from Chromium's console."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    # The tile server is outside this closed network: abort its requests (the CSP allows them).
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    yield problems


def violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__cspViolations"), *console]


def visit(page: Page, url: str, console: list[str]) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response.status if response else 'no answer'}"
    assert "unsafe" not in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    return violations(page, console)


def open_session(page: Page, base_url: str, user: User) -> None:
    """A session opened by Django's test client, handed to Chromium (the login pages have their own
    tests): the pages behind the login are what this file checks."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


@pytest.fixture
def network(geography, tag22):
    tag22.territories.add(
        factories.TerritoryFactory(name="Trégor", slug="tregor", latitude="48.51", longitude="-2.76")
    )
    programme = factories.ProgrammeFactory(is_published=True)
    project = factories.ProjectFactory(
        structure=tag22,
        programme=programme,
        title="Garage solidaire du Trégor",
        slug="garage-tregor",
        is_published=True,
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    return tag22, project


def test_public_pages_run_their_scripts_and_styles_without_a_violation(
    live_server, page: Page, watched, network
):
    base = live_server.url

    assert visit(page, f"{base}/", watched) == []
    assert visit(page, f"{base}/projets/?stage=detection&sort=title", watched) == []
    assert visit(page, f"{base}/reseau/", watched) == []
    assert visit(page, f"{base}/programmes/", watched) == []
    assert visit(page, f"{base}/comptes/login/", watched) == []

    with page.expect_response("**/reseau/structures.geojson"):
        page.goto(f"{base}/reseau/carte/")
    # Leaflet drew the map, its markers and its controls, styling them from JavaScript.
    expect(page.locator("#network-map[data-loaded=true]")).to_have_count(1)
    expect(page.locator("#network-map .leaflet-marker-icon")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert violations(page, watched) == []


def test_a_fiche_being_prepared_polls_with_htmx_without_a_violation(
    live_server, page: Page, watched, network, coordinator, monkeypatch
):
    _tag22, project = network
    # No build is queued: the fiche stays « en cours de préparation » and the page keeps polling.
    monkeypatch.setattr(fiches, "queue_fiche_build", lambda *args, **kwargs: False)
    open_session(page, live_server.url, coordinator)

    page.goto(f"{live_server.url}/projets/{project.slug}/fiche.pdf")
    expect(page.get_by_text("en cours de préparation").first).to_be_visible()
    with page.expect_response(f"**/projets/{project.slug}/fiche/etat/", timeout=5000):
        pass  # htmx asks for the status every 2 seconds

    assert violations(page, watched) == []


def test_the_spreadsheet_import_preview_and_progress_run_without_a_violation(
    live_server, page: Page, watched, network, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = factories.StaffFactory(email="avise@example.org")
    sheet = tmp_path / "projets.csv"
    sheet.write_text(
        "Titre;Slug;Structure;Territoire;Étape\nÉpicerie du Trégor;epicerie;tag22;tregor;Détecter\n"
    )
    base = live_server.url
    open_session(page, base, staff)

    assert visit(page, f"{base}/pilotage/import/", watched) == []
    page.get_by_label("Projets", exact=True).check()
    page.get_by_label("Fichier").set_input_files(str(sheet))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.locator("table.import-rows tbody tr")).to_have_count(1)
    assert violations(page, watched) == []

    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("L'import est terminé.").first).to_be_visible()
    assert violations(page, watched) == []


def test_the_admin_works_under_the_policy(live_server, page: Page, watched, network):
    _tag22, project = network
    staff = factories.StaffFactory(email="avise@example.org")
    project.title = "Garage du Trégor"
    project.save()  # a second version, for the history page
    base = live_server.url
    open_session(page, base, staff)

    for path in (
        "/admin/",
        "/admin/projects/project/",
        f"/admin/projects/project/{project.pk}/change/",
        f"/admin/projects/project/{project.pk}/history/",
        "/admin/network/structure/",
        "/admin/projects/project/import/",
        "/admin/projects/project/export/",
    ):
        assert visit(page, f"{base}{path}", watched) == [], path

    # The change form's scripts run: the date shortcuts are there.
    page.goto(f"{base}/admin/projects/project/{project.pk}/change/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    # The export page's « select all », bound without its inline handler, unticks every column.
    page.goto(f"{base}/admin/projects/project/export/")
    columns = page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
    expect(columns.first).to_be_checked()
    page.locator("#select-all-toggle").uncheck()
    for index in range(columns.count()):
        expect(columns.nth(index)).not_to_be_checked()
    assert violations(page, watched) == []


def test_the_staff_login_with_its_code_and_the_authenticator_activation_run_without_a_violation(
    live_server, page: Page, watched
):
    staff = factories.StaffFactory()
    newcomer = factories.StaffFactory(totp=False)
    base = live_server.url

    # The login form, then the page asking for the authenticator's code.
    log_in_as_staff(page, base, staff.email)
    assert violations(page, watched) == []
    page.context.clear_cookies()

    # A staff member without an authenticator is sent to its activation page and its QR code (SVG).
    log_in(page, base, newcomer.email)
    if "/reauthenticate/" in page.url:  # allauth asks the password again before activating
        assert violations(page, watched) == []
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(f"{base}{reverse('mfa_activate_totp')}")
    expect(page.locator("main svg").first).to_be_visible()
    assert violations(page, watched) == []
