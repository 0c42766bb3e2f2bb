"""A partner's journey in Chromium: log in, open the partner portal from the workspace, download the fiche
of an unpublished project of a programme their organisation funds, then the programme's booklet — both
through the « en cours de préparation » page, whose htmx polling leads to the file once it is built."""

import io
import re

import pypdf
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories

EMAIL = "partenaire@fondation-psa.example.org"
PASSWORD = "fabrique-demo"


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/comptes/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(1)


def pdf_text(download) -> str:
    with open(download.path(), "rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_partner_downloads_a_fiche_and_the_booklet_from_the_portal(live_server, page: Page):
    membership = factories.PartnerMemberFactory(
        user__email=EMAIL, partner__name="Fondation PSA", partner__slug="fondation-psa"
    )
    programme = factories.ProgrammeFactory(
        name="Mobilité solidaire", slug="mobilite-solidaire", is_published=False
    )
    factories.FundingFactory(programme=programme, partner=membership.partner)
    tag22 = factories.StructureFactory(name="TAg22", slug="tag22")
    factories.ProjectFactory(
        title="Garage solidaire de Lannion",
        structure=tag22,
        programme=programme,
        is_published=True,
        published_at=timezone.now(),
    )
    draft = factories.ProjectFactory(
        title="Auto-école sociale de Guingamp", structure=tag22, programme=programme
    )

    log_in(page, live_server.url)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon espace"
    ).click()
    page.get_by_role("link", name=re.compile("^Espace partenaire")).click()
    expect(page.get_by_role("heading", level=1, name="Espace partenaire")).to_be_visible()
    page.get_by_role("link", name="Mobilité solidaire").click()
    portal_url = page.url

    # The unpublished project's fiche: not built yet, so the waiting page polls until it is, then downloads.
    with page.expect_download() as fiche_download:
        page.get_by_role("link", name=re.compile(r"Fiche PDF de «\s*Auto-école sociale de Guingamp")).click()
        expect(page.get_by_role("heading", name="Fiche projet en cours de préparation")).to_be_visible()
    assert fiche_download.value.suggested_filename == f"fiche-{draft.slug}.pdf"
    assert "Auto-école sociale de Guingamp" in pdf_text(fiche_download.value)

    page.goto(portal_url)
    with page.expect_download() as booklet_download:
        page.get_by_role("link", name="Télécharger le carnet du programme (PDF)").click()
        expect(page.get_by_role("heading", name=re.compile("Carnet du programme"))).to_be_visible()
    assert booklet_download.value.suggested_filename == "carnet-mobilite-solidaire.pdf"
    text = pdf_text(booklet_download.value)
    assert "Sommaire" in text and "Garage solidaire de Lannion" in text
    assert "Auto-école sociale de Guingamp" not in text  # the booklet holds published projects only
