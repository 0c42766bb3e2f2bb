"""Accessibility in Chromium: axe-core (through axe-playwright-python, which bundles it) finds no serious or
critical violation on any page type of the platform, as the public, a coordinator, an applicant structure,
a committee member, a partner and the staff see them, over the demo data (`load_demo`) — labels, names,
landmarks, headings, contrast of the real style sheets, ARIA use. Lesser findings ("moderate", "minor") are
reported as warnings naming the page. Map tiles are not fetched.

One test per page type (parametrized), so that a failure names the page. Users sign in by a session cookie
made with Django's test client rather than the login form, where the staff would have to give a TOTP code;
the login form itself and its TOTP step are page types of their own. The fiche and booklet builds are not
queued, so that their pages stay « en cours de préparation »."""

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from fabrique.demo.accounts import DEMO_PASSWORD
from fabrique.demo.loader import load_demo
from fabrique.models import User
from network.appellation import services as appellation_services
from network.models import Opinion, PeerCommittee, Structure
from partnerships.models import KnowHowTransfer, Mission, Partnership
from programmes.models import Programme
from projects.models import Indicator, Project
from tests import factories

AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


class AccessibilityNotice(UserWarning):
    """A "moderate" or "minor" axe finding: reported, not failed."""


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it stands (all impacts)."""
    return AXE.run(page, options={"resultTypes": ["violations"]}).response["violations"]


def describe(violation: dict) -> str:
    targets = " | ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['impact']} {violation['id']} ({violation['help']}): {targets}"


def violations(page: Page, url: str) -> list[str]:
    """Opens `url` and lists every axe violation there, whatever its impact (used by other browser tests,
    which want none at all)."""
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return [f"{url} — {describe(violation)}" for violation in axe_violations(page)]


# --- The data: the demo network, plus what the demo leaves out ------------------------------------------


@dataclass(frozen=True)
class Demo:
    project: Project  # TAg22's, published, with study, holder, indicators and documents
    draft: Project  # TAg22's, unpublished, at « Détecter », its need not described yet
    programme: Programme  # funded by Fondation PSA, published
    committee: PeerCommittee  # planned, examines Courant Fort's application (quorum reached); ATIS sits on it
    partnership: Partnership
    mission: Mission
    transfer: KnowHowTransfer
    proposed_transfer: KnowHowTransfer


DOSSIER = {
    "territorial_anchoring": "Fabrique à initiatives en Corse depuis 2019, en Haute-Corse et en "
    "Corse-du-Sud, avec les communautés de communes rurales et les quartiers prioritaires de Bastia et "
    "d'Ajaccio ; un comité local réunit chaque trimestre élus, habitants et acteurs de l'ESS.",
    "partnerships": "Collectivité de Corse, Banque des territoires, France Active Corsica, les "
    "intercommunalités du Centre Corse et de la Castagniccia, la Fondation Crédit Coopératif et le Fonds "
    "social européen, qui soutiennent l'animation et les études d'opportunité depuis 2019.",
    "know_how": "Diagnostics partagés avec les habitants, groupes-projets, études d'opportunité ; une "
    "épicerie solidaire et une conciergerie rurale lancées, un tiers-lieu en étude ; une méthode écrite et "
    "partagée avec les autres Fabriques du réseau lors des rencontres nationales.",
    "outlook": "Étendre la démarche aux vallées de l'intérieur, accompagner trois nouveaux projets par an, "
    "consolider le financement de l'animation avec la Collectivité de Corse et former une seconde chargée "
    "de mission pour couvrir la Corse-du-Sud.",
}


@pytest.fixture
def demo(geography) -> Demo:
    load_demo(projects=30)
    tag22 = Structure.objects.get(slug="tag22")
    programme = Programme.objects.get(slug="emergence-garages-solidaires")
    territory = tag22.territories.first()
    project = factories.ProjectFactory(
        title="Garage solidaire de Guingamp",
        slug="garage-solidaire-guingamp",
        structure=tag22,
        territory=territory,
        programme=programme,
        stage=Project.Stage.INVENTION,
        solution="Un garage associatif qui répare à prix solidaire et loue des véhicules.",
        study_started_on=dt.date(2024, 11, 1),
        study_completed_on=dt.date(2025, 3, 1),
        study_summary="Une quarantaine de ménages du Pays de Guingamp sans solution pour aller travailler.",
        study_conclusion=Project.StudyConclusion.FAVOURABLE,
        is_published=True,
        published_at=timezone.now(),
    )
    factories.HolderAssignmentFactory(project=project)
    factories.IndicatorFactory(project=project)
    factories.IndicatorFactory(project=project, kind=Indicator.Kind.PEOPLE_REACHED, value=140)
    factories.DocumentFactory(project=project)
    # No need described yet: its move to « Inventer » is blocked, the page says why.
    draft = factories.ProjectFactory(
        title="Conciergerie solidaire de Lannion",
        slug="conciergerie-lannion",
        structure=tag22,
        territory=territory,
        need="",
    )
    # Capi Corsica, in experimentation, drafts its appellation dossier (with one document).
    capi = Structure.objects.get(slug="capi-corsica")
    applicant = factories.CoordinatorFactory(
        structure=capi, user__email="coordination@capi-corsica.example.org"
    )
    dossier = appellation_services.start_application(user=applicant.user, structure=capi)
    appellation_services.update_dossier(user=applicant.user, application=dossier, **DOSSIER)
    appellation_services.add_dossier_document(
        user=applicant.user,
        application=dossier,
        title="Rapport d'activité 2025",
        uploaded_file=SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    committee = PeerCommittee.objects.get(status=PeerCommittee.Status.PLANNED)
    application = committee.applications.get()
    # Three members have given their opinion (the quorum); ATIS, the committee member of these tests, not yet.
    for member in committee.members.exclude(slug="atis")[:3]:
        Opinion.objects.create(application=application, member=member, verdict="favourable")
    factories.UserFactory(email=USERS["new-staff"], is_staff=True)
    proposed = factories.KnowHowTransferFactory(
        title="Les Ecossolies → TAg22\u00a0: conciergerie", slug="ecossolies-tag22-conciergerie"
    )
    return Demo(
        project=project,
        draft=draft,
        programme=programme,
        committee=committee,
        partnership=Partnership.objects.get(slug="cereso-ptce-sud-aquitaine"),
        mission=Mission.objects.get(slug="mission-cereso-tarnos-2023"),
        transfer=KnowHowTransfer.objects.get(slug="etic-figeacteurs-tiers-lieu"),
        proposed_transfer=proposed,
    )


USERS = {
    "coordinator": "coordination@tag22.example.org",
    "applicant": "coordination@capi-corsica.example.org",
    "committee": "coordination@atis.example.org",  # ATIS sits on the planned committee
    "partner": "partenaire@fondation-psa.example.org",
    "staff": "avise@example.org",
    "new-staff": "nouvelle.recrue@avise.example.org",  # no authenticator app yet
}


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Signs in by the session cookie of Django's test client (no login form, hence no TOTP step)."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


# --- Steps that bring a page into a state a plain GET does not show --------------------------------------


def submit(label: str, *, opening: str = "") -> Callable[[Page], None]:
    """Presses the button `label` (in the folded panel `opening` first, if any) as the form stands."""

    def step(page: Page) -> None:
        if opening:
            page.locator("summary", has_text=opening).first.click()
        page.get_by_role("button", name=label, exact=True).first.click()
        page.wait_for_load_state("networkidle")

    return step


def clear_and_submit(field: str, button: str, *, opening: str = "") -> Callable[[Page], None]:
    """Empties the field named `field` (a required one) and sends its form."""

    def step(page: Page) -> None:
        if opening:
            page.locator("summary", has_text=opening).first.click()
        page.locator(f"[name={field}]").first.fill("")
        submit(button)(page)

    return step


def wrong_password(page: Page) -> None:
    page.get_by_label("Courriel").fill("coordination@tag22.example.org")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    submit("Se connecter")(page)


def staff_password(page: Page) -> None:
    """The login form's first step for the staff: the second one asks the authenticator app's code."""
    page.get_by_label("Courriel").fill(USERS["staff"])
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    submit("Se connecter")(page)


def password_again(page: Page) -> None:
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    submit("Confirmer")(page)


def ask_to_abandon(page: Page) -> None:
    page.get_by_label("Motif de l'abandon").fill("Le besoin est couvert par une autre association.")
    submit("Abandonner le projet…")(page)


def upload(content: bytes) -> Callable[[Page], None]:
    def step(page: Page) -> None:
        page.get_by_label("Projets", exact=True).check()
        page.get_by_label("Fichier").set_input_files(
            files=[{"name": "projets.csv", "mimeType": "text/csv", "buffer": content}]
        )
        submit("Vérifier le fichier")(page)

    return step


# A good row and a bad one (unknown structure): the preview shows both kinds.
preview_import = upload(
    "Titre;Slug;Structure;Secteur;Étape\r\n"
    "Épicerie solidaire de Guingamp;epicerie-guingamp;tag22;Alimentation;Détecter\r\n"
    "Garage à Plérin;garage-plerin;inconnue;Mobilité;Inventer\r\n".encode()
)
upload_empty_file = upload(b"")


def ask_for_decision(page: Page) -> None:
    page.get_by_role("radio", name="Appellation accordée").first.check()
    submit("Enregistrer la décision…")(page)


def ask_to_suspend(page: Page) -> None:
    page.get_by_role("radio", name="Suspendue").check()
    page.get_by_label("Motif").fill("Plus de chargé·e de mission depuis six mois.")
    submit("Enregistrer le changement…")(page)


@dataclass(frozen=True)
class PageType:
    name: str
    role: str  # "anonymous" or a key of USERS
    path: Callable[[Demo], str]
    then: Callable[[Page], None] | None = None
    shows: str = ""  # a text on the page (once `then` is done): the state meant, not the form unchanged
    status: int = 200


def at(path: str) -> Callable[[Demo], str]:
    return lambda demo: path


# Django's message for a required field left empty, in French.
REQUIRED = "Ce champ est obligatoire."


def project(suffix: str = "") -> Callable[[Demo], str]:
    return lambda demo: f"/projets/{demo.project.slug}/{suffix}"


PAGE_TYPES = [
    # The public site.
    PageType("home", "anonymous", at("/")),
    PageType("project-directory", "anonymous", at("/projets/")),
    PageType("project-directory-no-result", "anonymous", at("/projets/?q=zzzzzzzz")),
    PageType(
        "project-directory-filtered", "anonymous", at("/projets/?stage=invention&region=53&sector=mobility")
    ),
    PageType("project-page-published", "anonymous", project()),
    PageType("network-directory", "anonymous", at("/reseau/")),
    PageType("network-directory-filtered", "anonymous", at("/reseau/?phase=labelled")),
    PageType("structure-page", "anonymous", at("/reseau/tag22/")),
    PageType("network-map", "anonymous", at("/reseau/carte/")),
    PageType("open-data", "anonymous", at("/donnees/")),
    PageType("programme-list", "anonymous", at("/programmes/")),
    PageType("programme-page", "anonymous", lambda d: f"/programmes/{d.programme.slug}/"),
    PageType(
        "booklet-waiting",
        "anonymous",
        lambda d: f"/programmes/{d.programme.slug}/carnet.pdf",
        shows="en cours de préparation",
    ),
    PageType("partnership-list", "anonymous", at("/partenariats/")),
    PageType("partnership-page", "anonymous", lambda d: f"/partenariats/{d.partnership.slug}/"),
    PageType("mission-list", "anonymous", at("/missions/")),
    PageType("mission-page", "anonymous", lambda d: f"/missions/{d.mission.slug}/"),
    PageType("transfer-list", "anonymous", at("/transferts/")),
    PageType("transfer-list-filtered", "anonymous", at("/transferts/?topic=third_place")),
    PageType("transfer-page", "anonymous", lambda d: f"/transferts/{d.transfer.slug}/"),
    PageType("login", "anonymous", at("/comptes/login/")),
    PageType("login-with-error", "anonymous", at("/comptes/login/"), wrong_password, "mot de passe"),
    PageType("password-reset", "anonymous", at("/comptes/password/reset/")),
    PageType("not-found", "anonymous", at("/projets/ce-projet-n-existe-pas/"), status=404),
    PageType("password-reset-done", "anonymous", at("/comptes/password/reset/done/")),
    PageType("signup-closed", "anonymous", at("/comptes/signup/")),
    PageType("login-totp-step", "anonymous", at("/comptes/login/"), staff_password, "code"),
    # Everyone's account pages.
    PageType("logout-confirm", "coordinator", at("/comptes/logout/")),
    PageType("password-change", "coordinator", at("/comptes/password/change/")),
    PageType("two-factor-staff", "staff", at("/comptes/2fa/")),
    # A staff member without an authenticator app is sent to its activation, after their password again.
    PageType(
        "two-factor-activation",
        "new-staff",
        at("/comptes/reauthenticate/?next=/comptes/2fa/totp/activate/"),
        password_again,
        "Activer une application",
    ),
    PageType("invitations", "staff", at("/pilotage/invitations/")),
    PageType("invitation-create", "staff", at("/pilotage/invitations/nouvelle/")),
    # A coordinator (TAg22) and their projects.
    PageType("workspace-board", "coordinator", at("/espace/")),
    PageType("workspace-list", "coordinator", at("/espace/?vue=liste")),
    PageType("project-page-coordinator", "coordinator", project()),
    PageType("project-page-blocked-move", "coordinator", lambda d: f"/projets/{d.draft.slug}/"),
    PageType(
        "project-page-invalid-indicator",
        "coordinator",
        project(),
        submit("Enregistrer la mesure", opening="Ajouter une mesure"),
        REQUIRED,
    ),
    PageType(
        "project-page-invalid-holder",
        "coordinator",
        project(),
        clear_and_submit("holder-holder_name", "Enregistrer le porteur", opening="Changer de porteur"),
        REQUIRED,
    ),
    PageType(
        "project-page-invalid-document",
        "coordinator",
        project(),
        submit("Joindre le document", opening="Joindre un document"),
        REQUIRED,
    ),
    PageType("project-abandon-confirm", "coordinator", project(), ask_to_abandon, "Abandonner"),
    PageType(
        "project-unpublish-confirm",
        "coordinator",
        project(),
        submit("Retirer de l'annuaire public…"),
        "de l'annuaire public",
    ),
    PageType("project-create", "coordinator", at("/projets/nouveau/")),
    PageType(
        "project-create-invalid", "coordinator", at("/projets/nouveau/"), submit("Créer le projet"), REQUIRED
    ),
    PageType("project-edit", "coordinator", project("modifier/")),
    PageType(
        "project-edit-invalid",
        "coordinator",
        project("modifier/"),
        clear_and_submit("title", "Enregistrer"),
        REQUIRED,
    ),
    PageType("forbidden", "coordinator", at("/pilotage/import/"), status=403),
    PageType(
        "fiche-waiting",
        "coordinator",
        lambda d: f"/projets/{d.draft.slug}/fiche.pdf",
        shows="en cours de préparation",
    ),
    PageType("transfer-propose", "coordinator", at("/transferts/proposer/")),
    PageType(
        "transfer-propose-invalid",
        "coordinator",
        at("/transferts/proposer/"),
        submit("Proposer le transfert"),
        REQUIRED,
    ),
    # The appellation path: the applicant's dossier, a committee member's opinion.
    PageType("appellation-dossier", "applicant", at("/reseau/capi-corsica/appellation/")),
    PageType(
        "appellation-dossier-invalid-document",
        "applicant",
        at("/reseau/capi-corsica/appellation/"),
        submit("Joindre le document", opening="Joindre un document"),
        REQUIRED,
    ),
    PageType(
        "appellation-submit-confirm",
        "applicant",
        at("/reseau/capi-corsica/appellation/"),
        submit("Déposer le dossier…"),
        "Déposer le dossier de demande d'appellation",
    ),
    PageType(
        "appellation-document-remove-confirm",
        "applicant",
        at("/reseau/capi-corsica/appellation/"),
        lambda page: page.locator("form[action$='/supprimer/'] button").first.click(),
        "du dossier",
    ),
    PageType("appellation-labelled-structure", "coordinator", at("/reseau/tag22/appellation/")),
    PageType("appellation-opinion", "committee", at("/reseau/courant-fort/appellation/")),
    PageType(
        "appellation-opinion-invalid",
        "committee",
        at("/reseau/courant-fort/appellation/"),
        submit("Enregistrer l'avis"),
        REQUIRED,
    ),
    # A partner (Fondation PSA).
    PageType("partner-portal", "partner", at("/partenaires/")),
    PageType("partner-programme", "partner", lambda d: f"/partenaires/programmes/{d.programme.slug}/"),
    PageType("workspace-partner", "partner", at("/espace/")),
    # The Avise staff.
    PageType("dashboard", "staff", at("/pilotage/")),
    PageType("dashboard-filtered", "staff", at("/pilotage/?region=53")),
    PageType("appellation-staff", "staff", at("/pilotage/appellation/")),
    PageType("committee-list", "staff", at("/pilotage/appellation/comites/")),
    PageType("committee-create", "staff", at("/pilotage/appellation/comites/nouveau/")),
    PageType("committee-page", "staff", lambda d: f"/pilotage/appellation/comites/{d.committee.pk}/"),
    PageType(
        "committee-decision-confirm",
        "staff",
        lambda d: f"/pilotage/appellation/comites/{d.committee.pk}/",
        ask_for_decision,
        "Confirmer la décision",
    ),
    PageType("structure-phase", "staff", at("/pilotage/appellation/structures/capi-corsica/phase/")),
    PageType(
        "structure-phase-confirm",
        "staff",
        at("/pilotage/appellation/structures/capi-corsica/phase/"),
        ask_to_suspend,
        "Confirmer le changement de phase",
    ),
    PageType("appellation-dossier-staff", "staff", at("/reseau/courant-fort/appellation/")),
    PageType("spreadsheet-import", "staff", at("/pilotage/import/")),
    PageType(
        "spreadsheet-import-invalid",
        "staff",
        at("/pilotage/import/"),
        upload_empty_file,
        "Le fichier soumis est vide",
    ),
    PageType("spreadsheet-preview", "staff", at("/pilotage/import/"), preview_import, "projets.csv"),
    PageType("spreadsheet-history", "staff", at("/pilotage/import/historique/")),
    PageType("manage-partnerships", "staff", at("/partenariats/gestion/partenariats/")),
    PageType("manage-partnership-create", "staff", at("/partenariats/gestion/partenariats/nouveau/")),
    PageType(
        "manage-partnership-edit",
        "staff",
        lambda d: f"/partenariats/gestion/partenariats/{d.partnership.slug}/",
    ),
    PageType(
        "manage-agreement-create",
        "staff",
        lambda d: f"/partenariats/gestion/partenariats/{d.partnership.slug}/ententes/nouvelle/",
    ),
    PageType("manage-missions", "staff", at("/partenariats/gestion/missions/")),
    PageType("manage-mission-create", "staff", at("/partenariats/gestion/missions/nouvelle/")),
    PageType("manage-mission-edit", "staff", lambda d: f"/partenariats/gestion/missions/{d.mission.slug}/"),
    PageType(
        "manage-mission-delete-confirm",
        "staff",
        lambda d: f"/partenariats/gestion/missions/{d.mission.slug}/supprimer/",
    ),
    PageType("transfer-edit", "staff", lambda d: f"/transferts/{d.proposed_transfer.slug}/modifier/"),
    PageType(
        "transfer-validate-confirm", "staff", lambda d: f"/transferts/{d.proposed_transfer.slug}/valider/"
    ),
    PageType("transfer-page-proposed", "staff", lambda d: f"/transferts/{d.proposed_transfer.slug}/"),
]


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=[page_type.name for page_type in PAGE_TYPES])
def test_page_type_has_no_serious_accessibility_violation(
    page_type: PageType, demo: Demo, live_server, page: Page, monkeypatch
):
    # The fiche and the booklet stay « en préparation »: no worker picks their build up.
    monkeypatch.setattr("projects.tasks.build_project_fiche.delay", lambda *args, **kwargs: None)
    monkeypatch.setattr("programmes.tasks.queue_booklet_build", lambda *args, **kwargs: None)
    if page_type.role != "anonymous":
        sign_in(page, live_server.url, USERS[page_type.role])
    url = live_server.url + page_type.path(demo)
    page.set_default_timeout(10_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    # The page asked for, not a login page or a redirection elsewhere: else axe would check the wrong page.
    assert (response.status, urlsplit(page.url).path) == (page_type.status, urlsplit(url).path)
    if page_type.then is not None:
        page_type.then(page)
    if page_type.shows:
        expect(page.locator("main")).to_contain_text(page_type.shows)

    found = axe_violations(page)

    for violation in found:
        if violation["impact"] not in BLOCKING_IMPACTS:
            warnings.warn(f"{page_type.name}: {describe(violation)}", AccessibilityNotice, stacklevel=1)
    blocking = [describe(v) for v in found if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], f"{page_type.name} ({page.url})"
