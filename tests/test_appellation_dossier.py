"""The appellation dossier page /reseau/<slug>/appellation/ and its actions (open, write, attach, submit,
give an opinion, download), and what the structure's page shows of the path (phase clock, history, link).

Roles: anonymous, outsider (coordinator of ATIS), partner, the applicant's coordinator (TAg22), a member
seated on the application's committee (TAg35), a member of another session (Première Brique), staff.
The rules themselves are tested with the services (tests/test_appellation_rules.py); here, the pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from network.appellation import selectors, services
from network.models import AppellationApplication, LetterStatus, Opinion, PhaseChange, Structure
from projects.models import Stage
from tests import factories

pytestmark = pytest.mark.django_db

Status = AppellationApplication.Status
TODAY = timezone.localdate()
SECTION = (
    "Depuis 2023, la Fabrique détecte les besoins du Pays de Guingamp avec les habitants, les élus et "
    "les associations ; elle a fait émerger un garage solidaire et une conciergerie itinérante, portés "
    "aujourd'hui par des structures du territoire qui emploient des salariés en insertion."
)
SECTIONS = dict.fromkeys(selectors.DOSSIER_SECTIONS, SECTION)
VISIBLE_TO = {"coordinator", "member", "staff"}
# On a draft (no committee yet), only its coordinators and the staff see the page; the staff do not write it.
OTHERS_ON_A_DRAFT = [
    ("anonymous", 404),
    ("outsider", 404),
    ("partner_user", 404),
    ("member", 404),
    ("other_member", 404),
    ("staff", 403),
]
ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "member", "other_member", "staff"]


def pdf(name: str = "rapport-activite.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n%%EOF\n", content_type="application/pdf")


def url(name: str, structure: Structure, *args: object) -> str:
    return reverse(f"network:{name}", args=[structure.slug, *args])


@pytest.fixture
def login(client, request):
    """Signs in as the role fixture named (or stays anonymous) and returns the client."""

    def sign_in(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in


@pytest.fixture
def tag35():
    return factories.StructureFactory(name="TAg35", slug="tag35", labelled=True)


@pytest.fixture
def member(tag35):
    """Coordinator of TAg35, seated on the committee that examines TAg22's application."""
    return factories.CoordinatorFactory(user__email="coordination@tag35.example.org", structure=tag35).user


@pytest.fixture
def other_member(db):
    """Coordinator of Première Brique, seated on another session only."""
    brique = factories.StructureFactory(name="Première Brique", slug="premiere-brique", labelled=True)
    factories.CommitteeMemberFactory(
        committee=factories.PeerCommitteeFactory(held_on=TODAY + dt.timedelta(days=60)), structure=brique
    )
    return factories.CoordinatorFactory(
        user__email="coordination@premiere-brique.example.org", structure=brique
    ).user


@pytest.fixture
def draft(coordinator, tag22):
    # Admitted in experimentation on 1 January 2023 (the factory's phase_since), as the history says.
    factories.PhaseChangeFactory(structure=tag22, changed_on=dt.date(2023, 1, 1))
    return services.start_application(user=coordinator, structure=tag22)


@pytest.fixture
def ready_draft(draft, coordinator):
    services.update_dossier(user=coordinator, application=draft, **SECTIONS)
    services.add_dossier_document(
        user=coordinator, application=draft, title="Rapport d'activité 2025", uploaded_file=pdf()
    )
    return draft


@pytest.fixture
def committee(staff):
    return services.create_committee(user=staff, held_on=TODAY + dt.timedelta(days=30), place="Avise, Paris")


@pytest.fixture
def submitted(ready_draft, coordinator, committee, staff, tag35, member):
    application = services.submit_application(user=coordinator, application=ready_draft)
    services.attach_application(user=staff, committee=committee, application=application)
    services.set_members(user=staff, committee=committee, structures=[tag35])
    return AppellationApplication.objects.get(pk=application.pk)


def seat(committee, name: str, slug: str):
    """Another labelled structure on the committee, and its coordinator."""
    structure = factories.StructureFactory(name=name, slug=slug, labelled=True)
    factories.CommitteeMemberFactory(committee=committee, structure=structure)
    user = factories.CoordinatorFactory(
        user__email=f"coordination@{slug}.example.org", structure=structure
    ).user
    return structure, user


def decide(application, staff, settings, decision="deferred"):
    settings.APPELLATION_QUORUM = 1
    member_structure = application.committee.seats.get().structure
    author = member_structure.coordinators.get().user
    services.record_opinion(
        user=author, application=application, member=member_structure, verdict=Opinion.Verdict.FAVOURABLE
    )
    return services.record_decision(
        user=staff,
        application=application,
        decision=decision,
        recommendations="Consolider les partenariats avec les collectivités du territoire.",
        decided_on=TODAY,
    )


# --- Who sees the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_appellation_page_is_shown_to_staff_applicant_and_seated_members_only(login, role, submitted, tag22):
    response = login(role).get(url("appellation", tag22))

    assert response.status_code == (200 if role in VISIBLE_TO else 404)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "partner_user", "other_member"])
def test_appellation_page_without_a_dossier_is_hidden_from_everyone_but_coordinators_and_staff(
    login, role, tag22
):
    assert login(role).get(url("appellation", tag22)).status_code == 404


def test_coordinator_is_offered_to_start_the_dossier_when_experimenting(client, coordinator, tag22):
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "Aucun dossier de demande d'appellation n'est ouvert" in html
    assert f'action="{url("appellation_start", tag22)}"' in html
    assert "Commencer le dossier" in html


def test_staff_see_the_page_but_are_not_offered_to_start_the_dossier(client, staff, tag22):
    client.force_login(staff)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "Commencer le dossier" not in html


def test_candidate_structure_coordinator_cannot_start_a_dossier(client, coordinator, tag22):
    Structure.objects.filter(pk=tag22.pk).update(phase=Structure.Phase.CANDIDATE)
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "Commencer le dossier" not in html
    assert "Seule une structure en expérimentation peut demander l'appellation." in html


def test_unknown_structure_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("network:appellation", args=["inconnue"])).status_code == 404


# --- Opening and writing the dossier ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("partner_user", 404),
        ("member", 404),
        ("other_member", 404),
        ("staff", 403),
        ("coordinator", 302),
    ],
)
def test_only_the_structures_coordinator_starts_its_dossier(login, role, status, tag22):
    response = login(role).post(url("appellation_start", tag22))

    assert response.status_code == status
    assert AppellationApplication.objects.filter(structure=tag22).exists() == (status == 302)


def test_starting_the_dossier_says_so_in_french_and_goes_back_to_the_page(client, coordinator, tag22):
    client.force_login(coordinator)

    response = client.post(url("appellation_start", tag22), follow=True)

    assert response.redirect_chain == [(url("appellation", tag22) + "#dossier", 302)]
    assert "Le dossier de demande d'appellation est ouvert : vous pouvez le rédiger." in [
        str(message) for message in response.context["messages"]
    ]
    assert AppellationApplication.objects.get(structure=tag22).status == Status.DRAFT


def test_starting_a_second_dossier_shows_the_reason(client, coordinator, tag22, draft):
    client.force_login(coordinator)

    response = client.post(url("appellation_start", tag22))

    assert response.status_code == 400
    assert 'data-code="already_open"' in response.content.decode()


def test_posts_need_the_csrf_token(coordinator, tag22):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    assert client.post(url("appellation_start", tag22)).status_code == 403
    assert not AppellationApplication.objects.filter(structure=tag22).exists()


def test_applicant_coordinator_edits_the_sections_of_a_draft(client, coordinator, tag22, draft):
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()
    response = client.post(
        url("appellation_update", tag22),
        {f"dossier-{name}": text for name, text in SECTIONS.items()},
        follow=True,
    )

    for label in selectors.section_labels().values():
        assert f">{label.capitalize()}" in html or f">{label}" in html
    assert f'action="{url("appellation_update", tag22)}"' in html
    draft.refresh_from_db()
    assert draft.territorial_anchoring == SECTION and draft.outlook == SECTION
    assert "Le dossier a été enregistré." in [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(("role", "status"), OTHERS_ON_A_DRAFT)
def test_nobody_but_the_applicant_coordinator_edits_the_dossier(login, role, status, tag22, draft):
    response = login(role).post(url("appellation_update", tag22), {"dossier-outlook": "Réécrit."})

    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.outlook == ""


def test_submitted_dossier_is_shown_read_only_to_its_coordinator(client, coordinator, tag22, submitted):
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()
    response = client.post(url("appellation_update", tag22), {"dossier-outlook": "Réécrit."})

    assert f'action="{url("appellation_update", tag22)}"' not in html
    assert SECTION.replace("'", "&#x27;") in html
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["member", "staff"])
@pytest.mark.parametrize("action", ["appellation_update", "appellation_add_document", "appellation_submit"])
def test_who_reads_a_submitted_dossier_cannot_change_it(login, role, action, tag22, submitted):
    response = login(role).post(url(action, tag22), {"confirmed": "1", "dossier-outlook": "Réécrit."})

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.outlook == SECTION and submitted.documents.count() == 1


# --- Documents -------------------------------------------------------------------------------------------


def test_coordinator_attaches_a_document(client, coordinator, tag22, draft):
    client.force_login(coordinator)

    response = client.post(
        url("appellation_add_document", tag22),
        {"document-title": "Lettre de soutien du Département", "document-file": pdf("lettre.pdf")},
        follow=True,
    )

    assert draft.documents.get().title == "Lettre de soutien du Département"
    assert "Le document a été joint au dossier." in [str(message) for message in response.context["messages"]]
    assert "Lettre de soutien du Département" in response.content.decode()


def test_a_file_refused_by_its_content_is_shown_on_the_form_and_nothing_is_attached(
    client, coordinator, tag22, draft
):
    client.force_login(coordinator)
    fake = SimpleUploadedFile("rapport.pdf", b"ceci n'est pas un PDF", content_type="application/pdf")

    response = client.post(
        url("appellation_add_document", tag22), {"document-title": "Rapport", "document-file": fake}
    )

    assert response.status_code == 400
    assert "ne contient pas ce que son nom annonce" in response.content.decode()
    assert not draft.documents.exists()


def test_removing_a_document_asks_for_confirmation_first(client, coordinator, tag22, ready_draft):
    document = ready_draft.documents.get()
    client.force_login(coordinator)
    delete = url("appellation_delete_document", tag22, document.pk)

    asked = client.post(delete)
    done = client.post(delete, {"confirmed": "1"}, follow=True)

    assert asked.status_code == 200
    assert "Retirer « Rapport d&#x27;activité 2025 » du dossier ?" in asked.content.decode()
    assert not ready_draft.documents.exists()
    assert "Le document « Rapport d'activité 2025 » a été retiré du dossier." in [
        str(message) for message in done.context["messages"]
    ]


@pytest.mark.parametrize(("role", "status"), OTHERS_ON_A_DRAFT)
def test_nobody_but_the_applicant_coordinator_removes_a_document(login, role, status, tag22, ready_draft):
    document = ready_draft.documents.get()

    response = login(role).post(url("appellation_delete_document", tag22, document.pk), {"confirmed": "1"})

    assert response.status_code == status
    assert ready_draft.documents.exists()


@pytest.mark.parametrize("role", ROLES)
def test_dossier_documents_download_for_whoever_reads_the_dossier(login, role, tag22, submitted):
    document = submitted.documents.get()

    response = login(role).get(url("appellation_document", tag22, document.pk))

    assert response.status_code == (200 if role in VISIBLE_TO else 404)
    if response.status_code == 200:
        assert response["Content-Disposition"] == 'attachment; filename="rapport-dactivite-2025.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_of_another_structure_is_404(client, staff, tag22, atis, submitted):
    client.force_login(staff)
    document = submitted.documents.get()

    assert client.get(url("appellation_document", atis, document.pk)).status_code == 404


# --- Figures and the readiness checklist -----------------------------------------------------------------


def test_dossier_shows_the_figures_since_experimentation_began_in_french_format(
    client, coordinator, tag22, draft
):
    before = timezone.make_aware(dt.datetime(2022, 6, 1))
    projects = factories.ProjectFactory.create_batch(3, structure=tag22)
    factories.StageChangeFactory(project=projects[0], to_stage=Stage.INVENTION)
    factories.StageChangeFactory(project=projects[1], from_stage=Stage.LAUNCH, to_stage=Stage.LAUNCHED)
    factories.StageChangeFactory(project=projects[2], to_stage=Stage.ABANDONED)
    factories.StageChangeFactory(project=projects[2], to_stage=Stage.INVENTION, changed_at=before)
    factories.IndicatorFactory(project=projects[1], value=Decimal("1234.5"))
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "Depuis le début de l'expérimentation, le 1er janvier 2023" in html
    assert '<dd data-figure="detected">3</dd>' in html
    assert '<dd data-figure="invented">1</dd>' in html
    assert '<dd data-figure="launched">1</dd>' in html
    assert '<dd data-figure="abandoned">1</dd>' in html
    assert '<dd data-figure="jobs">1\xa0234,5&nbsp;<abbr' in html


def test_committee_members_read_the_figures_since_experimentation_began(client, member, tag22, submitted):
    old = factories.ProjectFactory(structure=tag22)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.make_aware(dt.datetime(2022, 5, 1)))
    factories.ProjectFactory.create_batch(2, structure=tag22)
    client.force_login(member)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "le 1er janvier 2023" in html
    assert '<dd data-figure="detected">2</dd>' in html


def test_submit_button_is_disabled_with_the_reasons_beside_it_while_the_dossier_is_incomplete(
    client, coordinator, tag22, draft
):
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert '<button type="submit" disabled aria-describedby="depot-a-faire">' in html
    assert '<div class="checklist" id="depot-a-faire">' in html
    assert html.count('data-code="section_too_short"') == 4
    assert 'data-code="document_missing"' in html
    assert "À faire\xa0:" in html


def test_submit_button_is_enabled_once_the_dossier_is_complete(client, coordinator, tag22, ready_draft):
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "depot-a-faire" not in html
    assert "Le dossier est complet." in html
    assert '<button type="submit">Déposer le dossier…</button>' in html


def test_submitting_asks_confirmation_then_moves_the_structure_to_application(
    client, coordinator, tag22, ready_draft
):
    client.force_login(coordinator)

    asked = client.post(url("appellation_submit", tag22))
    ready_draft.refresh_from_db()
    assert asked.status_code == 200 and ready_draft.status == Status.DRAFT
    assert "Déposer le dossier de demande d'appellation ?" in asked.content.decode()

    done = client.post(url("appellation_submit", tag22), {"confirmed": "1"}, follow=True)

    ready_draft.refresh_from_db()
    tag22.refresh_from_db()
    assert ready_draft.status == Status.SUBMITTED
    assert tag22.phase == Structure.Phase.APPLICATION
    change = PhaseChange.objects.get(structure=tag22, to_phase=Structure.Phase.APPLICATION)
    assert (change.from_phase, change.to_phase, change.changed_by) == (
        Structure.Phase.EXPERIMENTATION,
        Structure.Phase.APPLICATION,
        coordinator,
    )
    assert any("Le dossier est déposé" in str(message) for message in done.context["messages"])
    html = done.content.decode()
    assert f"Dossier déposé le {timezone.localdate():%-d}" in html.replace("1er", "1")


def test_submitting_an_incomplete_dossier_shows_the_reasons(client, coordinator, tag22, draft):
    client.force_login(coordinator)

    response = client.post(url("appellation_submit", tag22), {"confirmed": "1"})

    assert response.status_code == 400
    assert 'data-code="document_missing"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize(("role", "status"), OTHERS_ON_A_DRAFT)
def test_nobody_but_the_applicant_coordinator_submits(login, role, status, tag22, ready_draft):
    response = login(role).post(url("appellation_submit", tag22), {"confirmed": "1"})

    assert response.status_code == status
    ready_draft.refresh_from_db()
    assert ready_draft.status == Status.DRAFT


# --- Opinions --------------------------------------------------------------------------------------------


def test_member_reads_the_dossier_and_gives_an_opinion(client, member, tag22, tag35, submitted):
    client.force_login(member)

    page = client.get(url("appellation", tag22)).content.decode()
    response = client.post(
        url("appellation_opinion", tag22),
        {"member": tag35.pk, "verdict": "reservations", "comment": "Un ancrage solide."},
        follow=True,
    )

    assert f'action="{url("appellation_opinion", tag22)}"' in page
    assert f'action="{url("appellation_update", tag22)}"' not in page
    opinion = Opinion.objects.get(application=submitted)
    assert (opinion.member, opinion.author, opinion.verdict) == (tag35, member, "reservations")
    assert "Avis enregistré pour TAg35 : favorable avec réserves." in [
        str(message) for message in response.context["messages"]
    ]
    assert "Avis actuel : <strong>Favorable avec réserves</strong>" in response.content.decode()


def test_members_never_see_another_members_opinion(client, member, committee, tag22, submitted):
    adress, adress_user = seat(committee, "ADRESS Normandie", "adress")
    services.record_opinion(
        user=adress_user, application=submitted, member=adress, verdict="unfavourable", comment="Trop tôt."
    )
    client.force_login(member)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "Trop tôt." not in html
    assert "Avis actuel" not in html  # not theirs either: TAg35 has given none
    assert "ADRESS Normandie" not in html


def test_staff_see_every_opinion_with_its_author_and_the_quorum(
    client, staff, member, committee, tag22, tag35, submitted
):
    adress, adress_user = seat(committee, "ADRESS Normandie", "adress")
    services.record_opinion(user=member, application=submitted, member=tag35, verdict="favourable")
    services.record_opinion(
        user=adress_user, application=submitted, member=adress, verdict="unfavourable", comment="Trop tôt."
    )
    client.force_login(staff)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "2 avis sur 3" in html and "quorum non atteint" in html
    assert "<strong>ADRESS Normandie</strong>\xa0: Défavorable" in html
    assert "<strong>TAg35</strong>\xa0: Favorable" in html
    assert f"par {adress_user}" in html and "Trop tôt." in html
    assert f'action="{url("appellation_opinion", tag22)}"' not in html


def test_the_applicant_sees_no_opinion(client, coordinator, member, tag22, tag35, submitted):
    services.record_opinion(
        user=member, application=submitted, member=tag35, verdict="favourable", comment="Oui."
    )
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "TAg35" not in html and "avis sur" not in html


def test_a_member_coordinating_two_seated_structures_gets_one_form_for_each(
    client, member, committee, tag22, tag35, submitted
):
    second = factories.StructureFactory(name="TAg29", slug="tag29", labelled=True)
    factories.CommitteeMemberFactory(committee=committee, structure=second)
    factories.CoordinatorFactory(user=member, structure=second)
    client.force_login(member)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "Au nom de TAg29" in html and "Au nom de TAg35" in html
    assert f'value="{second.pk}"' in html and f'value="{tag35.pk}"' in html
    assert f'id="avis-{second.pk}-verdict_0"' in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("partner_user", 404),
        ("other_member", 404),
        ("coordinator", 403),
        ("staff", 403),
    ],
)
def test_only_seated_members_give_an_opinion(login, role, status, tag22, tag35, submitted):
    response = login(role).post(
        url("appellation_opinion", tag22), {"member": tag35.pk, "verdict": "favourable"}
    )

    assert response.status_code == status
    assert not Opinion.objects.exists()


def test_an_opinion_after_the_session_is_refused_with_the_reason(
    client, member, committee, tag22, tag35, submitted
):
    type(committee).objects.filter(pk=committee.pk).update(held_on=TODAY - dt.timedelta(days=1))
    client.force_login(member)

    response = client.post(url("appellation_opinion", tag22), {"member": tag35.pk, "verdict": "favourable"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-code="session_passed"' in html
    assert "La séance a eu lieu\xa0: les avis sont clos." in html


def test_an_opinion_without_verdict_is_shown_back_with_the_error(client, member, tag22, tag35, submitted):
    client.force_login(member)

    response = client.post(url("appellation_opinion", tag22), {"member": tag35.pk, "comment": "Hésitant."})

    assert response.status_code == 400
    assert "Hésitant." in response.content.decode()
    assert not Opinion.objects.exists()


# --- Decision and letter ---------------------------------------------------------------------------------


def test_decided_dossier_shows_the_decision_recommendations_and_the_letter_in_preparation(
    client, coordinator, staff, tag22, submitted, settings
):
    decide(submitted, staff, settings)
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "<strong>Ajournée</strong> le" in html
    assert "Consolider les partenariats avec les collectivités du territoire." in html
    assert "La lettre de décision est en préparation" in html


def test_failed_letter_is_said(client, coordinator, staff, tag22, submitted, settings):
    decide(submitted, staff, settings)
    AppellationApplication.objects.filter(pk=submitted.pk).update(letter_status=LetterStatus.FAILED)
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "La lettre de décision n'a pas pu être préparée." in html


@pytest.mark.parametrize("role", ROLES)
def test_the_decision_letter_downloads_for_the_applicant_and_staff_only(
    login, role, staff, tag22, submitted, settings
):
    decided = decide(submitted, staff, settings, decision="granted")
    decided.letter.save("decision.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
    AppellationApplication.objects.filter(pk=decided.pk).update(
        letter=decided.letter.name, letter_status=LetterStatus.READY
    )

    response = login(role).get(url("appellation_letter", tag22))

    expected = {"coordinator": 200, "staff": 200, "member": 403}.get(role, 404)
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"] == 'attachment; filename="decision-appellation-tag22.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_letter_is_404_until_it_is_ready(client, coordinator, staff, tag22, submitted, settings):
    decide(submitted, staff, settings)
    client.force_login(coordinator)

    assert client.get(url("appellation_letter", tag22)).status_code == 404


def test_the_letter_link_is_shown_only_to_those_who_may_download_it(
    client, coordinator, member, staff, tag22, submitted, settings
):
    decide(submitted, staff, settings)
    AppellationApplication.objects.filter(pk=submitted.pk).update(letter_status=LetterStatus.READY)
    link = f'href="{url("appellation_letter", tag22)}"'

    client.force_login(coordinator)
    assert link in client.get(url("appellation", tag22)).content.decode()
    client.force_login(member)
    assert link not in client.get(url("appellation", tag22)).content.decode()


def test_after_a_deferral_the_coordinator_is_offered_a_new_dossier(
    client, coordinator, staff, tag22, submitted, settings
):
    decide(submitted, staff, settings)
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()
    response = client.post(url("appellation_start", tag22))

    assert "Commencer un nouveau dossier" in html
    assert response.status_code == 302
    assert AppellationApplication.objects.filter(structure=tag22, status=Status.DRAFT).count() == 1


def test_after_a_deferral_the_new_dossier_shows_the_previous_decision_and_its_letter(
    client, coordinator, staff, tag22, submitted, settings
):
    decide(submitted, staff, settings)
    services.start_application(user=coordinator, structure=tag22)
    AppellationApplication.objects.filter(pk=submitted.pk).update(letter_status=LetterStatus.READY)
    client.force_login(coordinator)

    html = client.get(url("appellation", tag22)).content.decode()

    assert "Décision précédente du comité de pairs" in html
    assert "Consolider les partenariats avec les collectivités du territoire." in html
    assert f'href="{url("appellation_letter", tag22)}"' in html
    assert f'action="{url("appellation_update", tag22)}"' in html


# --- Query counts ----------------------------------------------------------------------------------------


def test_dossier_page_runs_the_same_queries_for_one_and_many_rows(
    client, staff, coordinator, committee, tag22, tag35, member, submitted, django_assert_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            project = factories.ProjectFactory(structure=tag22)
            factories.StageChangeFactory(project=project)
            factories.IndicatorFactory(project=project)
            submitted.documents.create(
                title=f"Lettre de soutien {index}",
                file=ContentFile(b"%PDF-1.4\n", name="lettre.pdf"),
                content_type="application/pdf",
                size=9,
            )
            structure, user = seat(committee, f"Fabrique {index}", f"fabrique-{index}-{count}")
            services.record_opinion(user=user, application=submitted, member=structure, verdict="favourable")

    add(1)
    client.force_login(staff)
    # the structure · its phase history · its application with committee and decider · session · user ·
    # the documents with who uploaded them · the user's structures (access) · figures: moves by stage,
    # projects' counts, jobs, programmes · the latest decision · the opinions with member and author ·
    # opinions counted
    with django_assert_num_queries(14):
        client.get(url("appellation", tag22))
    add(5)
    with django_assert_num_queries(14):
        response = client.get(url("appellation", tag22))
    assert len(response.context["opinions"]) == 6 and len(response.context["documents"]) == 7


def test_dossier_page_for_a_member_runs_the_same_queries_for_one_and_many_rows(
    client, member, committee, tag22, tag35, submitted, django_assert_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            submitted.documents.create(
                title=f"Lettre de soutien {index}",
                file=ContentFile(b"%PDF-1.4\n", name="lettre.pdf"),
                content_type="application/pdf",
                size=9,
            )
            structure, user = seat(committee, f"Fabrique {index}", f"fabrique-{index}-{count}")
            services.record_opinion(user=user, application=submitted, member=structure, verdict="favourable")

    add(1)
    client.force_login(member)
    # the structure · its phase history · its application · session · user · the user's structures
    # (access) · their seats on the committee (page access) · the documents · figures: moves by stage,
    # projects' counts, jobs, programmes · the latest decision · their seats again (opinion access) · the
    # seated structures · their opinions
    with django_assert_num_queries(16):
        client.get(url("appellation", tag22))
    add(5)
    with django_assert_num_queries(16):
        response = client.get(url("appellation", tag22))
    assert len(response.context["opinion_rows"]) == 1


# --- The structure's page: phase, clock, history, link ---------------------------------------------------


def detail(structure: Structure) -> str:
    return reverse("network:detail", args=[structure.slug])


@pytest.fixture
def experimenting_since(tag22):
    """TAg22 entered experimentation on a given day, recorded in its history by the staff."""

    def since(day: dt.date):
        Structure.objects.filter(pk=tag22.pk).update(phase_since=day)
        return factories.PhaseChangeFactory(
            structure=tag22, changed_on=day, reason="Admise en expérimentation par le bureau."
        )

    return since


def test_structure_page_shows_the_experimentation_clock(client, tag22, experimenting_since):
    experimenting_since(TODAY - dt.timedelta(days=14 * 31))

    html = client.get(detail(tag22)).content.decode()

    assert "14 mois d'expérimentation sur 36" in html
    assert "Échéance proche" not in html


def test_structure_page_flags_an_experimentation_past_thirty_months_in_words(
    client, tag22, experimenting_since
):
    experimenting_since(TODAY - dt.timedelta(days=31 * 31))

    html = client.get(detail(tag22)).content.decode()

    assert "31 mois d'expérimentation sur 36" in html
    assert "Échéance proche\xa0: l'expérimentation dure d'habitude 36 mois" in html


def test_labelled_structure_page_has_no_clock(client, atis):
    assert "mois d'expérimentation" not in client.get(detail(atis)).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "outsider", "partner_user", "member", "coordinator", "staff"])
def test_phase_history_is_shown_to_staff_and_the_structures_coordinators_only(
    login, role, tag22, staff, experimenting_since
):
    change = experimenting_since(dt.date(2023, 1, 1))
    PhaseChange.objects.filter(pk=change.pk).update(changed_by=staff)

    html = login(role).get(detail(tag22)).content.decode()

    shown = role in {"coordinator", "staff"}
    assert ("Historique du parcours d'appellation" in html) == shown
    assert ("Admise en expérimentation par le bureau." in html) == shown
    if shown:
        assert "de «\xa0Candidate\xa0» à «\xa0Expérimentation\xa0»" in html
        assert f"par {staff}" in html


@pytest.mark.parametrize("role", ROLES)
def test_structure_page_links_to_the_appellation_page_for_whoever_may_see_it(login, role, tag22, submitted):
    html = login(role).get(detail(tag22)).content.decode()

    assert (f'href="{url("appellation", tag22)}"' in html) == (role in VISIBLE_TO)


def test_dossier_page_for_its_coordinator_runs_the_same_queries_for_one_and_many_rows(
    client, coordinator, tag22, draft, django_assert_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            factories.StageChangeFactory(project=factories.ProjectFactory(structure=tag22))
            draft.documents.create(
                title=f"Lettre de soutien {index}",
                file=ContentFile(b"%PDF-1.4\n", name="lettre.pdf"),
                content_type="application/pdf",
                size=9,
            )

    add(1)
    client.force_login(coordinator)
    # the structure · its phase history · its application · session · user · the documents with who
    # uploaded them · the user's structures (access) · figures: moves by stage, projects' counts, jobs,
    # programmes · the latest decision (the checklist reads the documents and structure already loaded)
    with django_assert_num_queries(12):
        client.get(url("appellation", tag22))
    add(5)
    with django_assert_num_queries(12):
        response = client.get(url("appellation", tag22))
    assert len(response.context["documents"]) == 6 and response.context["blockers"]


def test_structure_page_for_a_member_runs_the_same_queries_for_one_and_many_phase_changes(
    client, member, tag22, submitted, django_assert_num_queries
):
    client.force_login(member)
    # the structure with its seat · its phase history · session · user · the user's structures · its
    # application · the user's seats on its committee · territories (none: no départements query) ·
    # participations · the projects' count (none published: no page query) · its missions · the transfers
    # it benefited from
    with django_assert_num_queries(12):
        client.get(detail(tag22))
    for year in range(2010, 2016):
        factories.PhaseChangeFactory(structure=tag22, changed_on=dt.date(year, 1, 1))
    with django_assert_num_queries(12):
        client.get(detail(tag22))


def test_structure_page_says_when_the_usual_three_years_are_past(client, tag22, experimenting_since):
    experimenting_since(TODAY - dt.timedelta(days=40 * 31))

    html = client.get(detail(tag22)).content.decode()

    assert "Durée habituelle dépassée\xa0: l'expérimentation dure d'habitude 36 mois" in html
    assert "Échéance proche" not in html
