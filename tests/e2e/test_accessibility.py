"""Accessibility in Chromium: axe-core (vendored for the tests, tests/e2e/vendor/) finds no violation on the
platform's main pages, as the public, a coordinator, the staff and a partner see them — labels, names,
landmarks, headings, contrast of the real style sheets, ARIA use. Map tiles are not fetched."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from network.models import Departement, Structure
from projects.models import Project
from tests import factories

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PASSWORD = "fabrique-demo"


@pytest.fixture
def network(geography):
    """A small network: TAg22 (coordinator, experimenting) with published and unpublished projects in a
    programme funded by Fondation PSA, ATIS labelled, and the staff."""
    cotes_d_armor = Departement.objects.get(code="22")
    territory = factories.TerritoryFactory(
        name="Pays de Guingamp",
        latitude=Decimal("48.56"),
        longitude=Decimal("-3.15"),
        departements=[cotes_d_armor],
    )
    tag22 = factories.StructureFactory(name="TAg22", slug="tag22", departement=cotes_d_armor)
    tag22.territories.add(territory)
    factories.StructureFactory(name="ATIS", slug="atis", labelled=True)
    membership = factories.PartnerMemberFactory(
        user__email="partenaire@fondation-psa.example.org", partner__name="Fondation PSA"
    )
    funding = factories.FundingFactory(partner=membership.partner, programme__name="Garages solidaires")
    for index, published in enumerate((True, True, False)):
        factories.ProjectFactory(
            title=f"Garage solidaire de Guingamp {index}",
            structure=tag22,
            territory=territory,
            programme=funding.programme,
            stage=Project.Stage.INVENTION,
            is_published=published,
            published_at=timezone.now() if published else None,
        )
    factories.CoordinatorFactory(structure=tag22, user__email="coordination@tag22.example.org")
    factories.StaffFactory(email="avise@example.org")
    return {"programme": funding.programme, "project": Project.objects.filter(is_published=True).first()}


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/comptes/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_selector("form[action='/comptes/logout/']")


def violations(page: Page, url: str) -> list[str]:
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=AXE)
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(
            v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"""
    )
    return [f"{url} — {line}" for line in found]


def check(page: Page, base_url: str, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in violations(page, base_url + path)]
    assert problems == []


def test_public_pages_have_no_accessibility_violation(network, live_server, page: Page):
    project, programme = network["project"], network["programme"]
    Structure.objects.filter(slug="tag22").update(phase_since=dt.date(2023, 1, 1))
    type(programme).objects.filter(pk=programme.pk).update(is_published=True)
    check(
        page,
        live_server.url,
        [
            "/",
            "/projets/",
            f"/projets/{project.slug}/",
            "/reseau/",
            "/reseau/tag22/",
            "/reseau/carte/",
            "/programmes/",
            f"/programmes/{programme.slug}/",
            "/donnees/",
            "/comptes/login/",
        ],
    )


def test_coordinator_pages_have_no_accessibility_violation(network, live_server, page: Page):
    log_in(page, live_server.url, "coordination@tag22.example.org")
    check(
        page,
        live_server.url,
        [
            "/espace/",
            "/espace/?vue=liste",
            f"/projets/{network['project'].slug}/",
            "/reseau/tag22/appellation/",
        ],
    )


def test_staff_pages_have_no_accessibility_violation(network, live_server, page: Page):
    log_in(page, live_server.url, "avise@example.org")
    check(
        page,
        live_server.url,
        [
            "/pilotage/",
            "/pilotage/appellation/",
            "/pilotage/appellation/comites/nouveau/",
            "/reseau/tag22/appellation/",
        ],
    )


def test_partner_pages_have_no_accessibility_violation(network, live_server, page: Page):
    log_in(page, live_server.url, "partenaire@fondation-psa.example.org")
    check(page, live_server.url, ["/partenaires/", f"/partenaires/programmes/{network['programme'].slug}/"])
