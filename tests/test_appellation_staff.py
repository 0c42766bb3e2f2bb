"""The staff's appellation pages under /pilotage/appellation/: the overview (phases, experimentation clock,
dossiers in progress, coming sessions with their quorum), a committee session (agenda, members, conflicts
of interest, opinions, decision with a confirmation step) and a structure's phase page. Staff only.
The services' rules are tested in their own file; here, what the pages show and send."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from network.appellation.staff_views import letter_url
from network.models import (
    AppellationApplication,
    CommitteeMember,
    ConflictOfInterest,
    Opinion,
    PeerCommittee,
    PhaseChange,
    Structure,
)
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
Phase = Structure.Phase
TODAY = timezone.localdate()
SOON = TODAY + dt.timedelta(days=30)


# --- Data -----------------------------------------------------------------------------------------------


def session(**kwargs) -> PeerCommittee:
    kwargs.setdefault("held_on", SOON)
    return factories.PeerCommitteeFactory(**kwargs)


def submitted(structure: Structure, committee: PeerCommittee | None = None) -> AppellationApplication:
    Structure.objects.filter(pk=structure.pk).update(phase=Phase.APPLICATION)
    structure.refresh_from_db()
    return factories.ApplicationFactory(
        structure=structure,
        committee=committee,
        status=AppellationApplication.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )


def member(committee: PeerCommittee, name: str) -> Structure:
    """A labelled structure (no history: labelled since 2021) seated on the committee."""
    structure = factories.StructureFactory(name=name, labelled=True)
    factories.CommitteeMemberFactory(committee=committee, structure=structure)
    return structure


def opinions(application: AppellationApplication, count: int) -> None:
    for index in range(count):
        structure = member(application.committee, f"Membre {application.pk}-{index}")
        author = factories.CoordinatorFactory(structure=structure).user
        Opinion.objects.create(
            application=application,
            member=structure,
            author=author,
            verdict=Opinion.Verdict.FAVOURABLE,
            comment="Un ancrage territorial solide.",
        )


@pytest.fixture
def committee(db) -> PeerCommittee:
    return session(place="Avise, Paris")


@pytest.fixture
def application(tag22, committee) -> AppellationApplication:
    return submitted(tag22, committee)


@pytest.fixture
def committee_member(committee):
    """A coordinator of ADRESS Normandie, labelled and seated on the session."""
    adress = member(committee, "ADRESS Normandie")
    return factories.CoordinatorFactory(structure=adress, user__email="coordination@adress.example.org").user


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def post(client, user, url, data):
    if user is not None:
        client.force_login(user)
    return client.post(url, data)


def html(response) -> str:
    return response.content.decode()


# --- Access: staff only ----------------------------------------------------------------------------------


def page_urls(committee, application, tag22) -> dict[str, str]:
    return {
        "overview": reverse("network:appellation_staff"),
        "committees": reverse("network:appellation_committees"),
        "create": reverse("network:appellation_committee_create"),
        "committee": reverse("network:appellation_committee", args=[committee.pk]),
        "phase": reverse("network:appellation_phase", args=[tag22.slug]),
    }


def action_urls(committee, application, tag22) -> dict[str, str]:
    return {
        "create": reverse("network:appellation_committee_create"),
        "attach": reverse("network:appellation_committee_attach", args=[committee.pk]),
        "members": reverse("network:appellation_committee_members", args=[committee.pk]),
        "conflict": reverse("network:appellation_committee_conflict", args=[committee.pk]),
        "decision": reverse("network:appellation_decision", args=[committee.pk, application.pk]),
        "phase": reverse("network:appellation_phase", args=[tag22.slug]),
    }


PAGES = ["overview", "committees", "create", "committee", "phase"]
ACTIONS = ["create", "attach", "members", "conflict", "decision", "phase"]
NOT_STAFF = ["outsider", "partner_user", "coordinator", "committee_member"]


def test_the_pages_are_at_their_french_addresses(committee, application, tag22):
    urls = page_urls(committee, application, tag22) | action_urls(committee, application, tag22)
    assert urls["overview"] == "/pilotage/appellation/"
    assert urls["create"] == "/pilotage/appellation/comites/nouveau/"
    assert urls["committee"] == f"/pilotage/appellation/comites/{committee.pk}/"
    assert urls["phase"] == "/pilotage/appellation/structures/tag22/phase/"


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_login_from_every_page(client, committee, application, tag22, name):
    url = page_urls(committee, application, tag22)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_visitor_is_sent_to_login_from_every_action(client, committee, application, tag22, name):
    url = action_urls(committee, application, tag22)[name]
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", NOT_STAFF)
@pytest.mark.parametrize("name", PAGES)
def test_only_staff_see_the_appellation_pages(request, client, committee, application, tag22, role, name):
    user = request.getfixturevalue(role)
    assert get(client, user, page_urls(committee, application, tag22)[name]).status_code == 403


@pytest.mark.parametrize("role", NOT_STAFF)
@pytest.mark.parametrize("name", ACTIONS)
def test_only_staff_run_the_appellation_actions(request, client, committee, application, tag22, role, name):
    user = request.getfixturevalue(role)
    response = post(client, user, action_urls(committee, application, tag22)[name], {})
    assert response.status_code == 403
    assert (
        AppellationApplication.objects.get(pk=application.pk).status
        == AppellationApplication.Status.SUBMITTED
    )
    assert PeerCommittee.objects.count() == 1
    assert not PhaseChange.objects.exists()


@pytest.mark.parametrize("name", PAGES)
def test_staff_see_every_page(client, staff, committee, application, tag22, name):
    assert get(client, staff, page_urls(committee, application, tag22)[name]).status_code == 200


def test_staff_have_an_appellation_link_next_to_pilotage(client, staff, coordinator):
    page = html(get(client, staff, reverse("network:appellation_staff")))
    assert '<a href="/pilotage/appellation/" aria-current="page">Appellation</a>' in page
    assert 'href="/pilotage/appellation/"' not in html(get(client, coordinator, "/"))


# --- The overview ----------------------------------------------------------------------------------------


def test_overview_lists_structures_by_phase_with_the_day_the_phase_began(client, staff, tag22, atis):
    factories.StructureFactory(name="Première Brique", phase=Phase.CANDIDATE, phase_since=dt.date(2025, 3, 1))
    page = html(get(client, staff, reverse("network:appellation_staff")))
    assert f"Expérimentation</a>{NBSP}: <strong>1</strong>" in page
    assert f"Candidate</a>{NBSP}: <strong>1</strong>" in page
    assert f"Suspendue</a>{NBSP}: <strong>0</strong>" in page
    assert "Première Brique" in page and "depuis le 1er mars 2025" in page
    assert "Aucune structure dans cette phase." in page


def test_overview_flags_structures_past_30_months_in_words_longest_first(client, staff):
    # Without recorded history, the clock runs from the day the structure joined the network.
    long_ago, recently = TODAY - dt.timedelta(days=31 * 31), TODAY - dt.timedelta(days=200)
    old = factories.StructureFactory(name="TAg29", phase_since=long_ago, joined_on=long_ago)
    factories.StructureFactory(name="Clus'Ter Jura", phase_since=recently, joined_on=recently)
    page = html(get(client, staff, reverse("network:appellation_staff")))
    clock = page[page.index('id="clock-title"') :]
    assert clock.index("TAg29") < clock.index("Clus&#x27;Ter Jura")
    assert f"{selectors_months(old)} mois sur 36" in clock
    assert clock.count("plus de 30 mois") == 1


def selectors_months(structure: Structure) -> int:
    from network.appellation.selectors import months_between

    return months_between(structure.phase_since, TODAY)


def test_overview_lists_dossiers_in_progress_with_status_date_and_session(client, staff, tag22, application):
    factories.ApplicationFactory(structure=factories.StructureFactory(name="Courant Fort"))
    page = html(get(client, staff, reverse("network:appellation_staff")))
    dossiers = page[page.index('id="dossiers-title"') : page.index('id="sessions-title"')]
    assert "TAg22" in dossiers and "Déposée" in dossiers and "déposé le" in dossiers
    assert "Courant Fort" in dossiers and "En préparation" in dossiers and "ouvert le" in dossiers
    assert reverse("network:appellation_committee", args=[application.committee.pk]) in dossiers


def test_overview_shows_coming_sessions_with_the_quorum_status_of_each_application(
    client, staff, application
):
    opinions(application, 2)
    session(held_on=TODAY - dt.timedelta(days=1))  # past: not coming
    session(held_on=SOON, status=PeerCommittee.Status.CANCELLED)  # cancelled: not coming
    page = html(get(client, staff, reverse("network:appellation_staff")))
    sessions = page[page.index('id="sessions-title"') :]
    assert sessions.count('class="session-card"') == 1
    assert f"TAg22{NBSP}: " in sessions
    assert "2 avis sur 3 — quorum non atteint" in sessions
    assert reverse("network:appellation_committees") in sessions


def test_overview_says_when_there_is_nothing_to_show(client, staff):
    page = html(get(client, staff, reverse("network:appellation_staff")))
    assert "Aucune structure n'est en expérimentation." in page
    assert "Aucun dossier en cours." in page
    assert "Aucune séance n'est prévue." in page


def many_structures_and_sessions(number: int) -> None:
    for index in range(number):
        structure = factories.StructureFactory(name=f"Fabrique {index}")
        factories.PhaseChangeFactory(structure=structure)
        committee = session(held_on=SOON + dt.timedelta(days=index))
        application = submitted(structure, committee)
        opinions(application, 2)
        factories.ApplicationFactory(structure=factories.StructureFactory(name=f"Brouillon {index}"))


@pytest.mark.parametrize("number", [1, 6])
def test_overview_runs_the_same_queries_for_1_or_many_structures_sessions_and_opinions(
    client, staff, django_assert_num_queries, number
):
    many_structures_and_sessions(number)
    client.force_login(staff)
    # 1 session, 2 user; 3 structures, 4 their phase changes (the clock); 5 dossiers in progress;
    # 6 coming sessions with their seat count, 7 their applications with the seated opinions counted.
    with django_assert_num_queries(7):
        assert client.get(reverse("network:appellation_staff")).status_code == 200


@pytest.mark.parametrize("number", [1, 25])
def test_session_list_runs_the_same_queries_for_1_or_many_sessions(
    client, staff, django_assert_num_queries, number
):
    for index in range(number):
        session(held_on=TODAY - dt.timedelta(days=index + 1))
    client.force_login(staff)
    # 1 session, 2 user; 3 count for the paginator, 4 the page of sessions with their counts.
    with django_assert_num_queries(4):
        response = client.get(reverse("network:appellation_committees"))
    assert response.status_code == 200
    assert "(passée)" in html(response)


# --- Creating a session ----------------------------------------------------------------------------------


def test_staff_create_a_session_and_land_on_its_page(client, staff):
    data = {"held_on": SOON.isoformat(), "place": "Avise, Paris", "video_url": "", "notes": "Salle 2"}
    response = post(client, staff, reverse("network:appellation_committee_create"), data)
    committee = PeerCommittee.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("network:appellation_committee", args=[committee.pk])
    assert committee.place == "Avise, Paris" and committee.held_on == SOON


def test_a_session_without_place_or_link_is_refused_in_french(client, staff):
    data = {"held_on": SOON.isoformat(), "place": "", "video_url": ""}
    response = post(client, staff, reverse("network:appellation_committee_create"), data)
    assert response.status_code == 400
    assert "Indiquez le lieu de la séance ou son lien de visioconférence." in html(response)
    assert not PeerCommittee.objects.exists()


def test_a_session_without_date_is_refused_in_french(client, staff):
    response = post(client, staff, reverse("network:appellation_committee_create"), {"place": "Avise"})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in html(response)


# --- A session: agenda, members, conflicts ---------------------------------------------------------------


def committee_url(committee: PeerCommittee) -> str:
    return reverse("network:appellation_committee", args=[committee.pk])


def checked_names(page: str) -> list[str]:
    """The structures whose member checkbox is checked, by the label that follows it."""
    names = []
    for chunk in page.split('name="structures"')[1:]:
        if " checked>" in chunk.split(">", 1)[0] + ">":
            names.append(chunk.split("<label", 1)[1].split(">", 1)[1].split("<", 1)[0])
    return names


def test_the_proposal_is_checked_and_excludes_the_applicant_and_conflicted_structures(
    client, staff, committee, application, atis
):
    conflicted = factories.StructureFactory(name="France Active Alsace", labelled=True)
    ConflictOfInterest.objects.create(application=application, structure=conflicted, reason="Même territoire")
    factories.StructureFactory(name="Inter-Made", labelled=True)
    page = html(get(client, staff, committee_url(committee)))
    assert checked_names(page) == ["ATIS", "Inter-Made"]
    members = page[page.index('id="membres"') : page.index('id="conflits"')]
    assert "TAg22" not in members and "France Active Alsace" not in members
    assert "La plateforme propose les structures ayant l" in members


def test_once_members_are_saved_only_the_seats_are_checked(client, staff, committee, application, atis):
    factories.StructureFactory(name="Inter-Made", labelled=True)
    CommitteeMember.objects.create(committee=committee, structure=atis)
    assert checked_names(html(get(client, staff, committee_url(committee)))) == ["ATIS"]


def test_staff_save_the_members(client, staff, committee, application, atis):
    inter_made = factories.StructureFactory(name="Inter-Made", labelled=True)
    url = reverse("network:appellation_committee_members", args=[committee.pk])
    response = post(client, staff, url, {"structures": [atis.pk, inter_made.pk]})
    assert response.status_code == 302
    assert set(committee.seats.values_list("structure__name", flat=True)) == {"ATIS", "Inter-Made"}


def test_members_refused_by_the_rules_are_listed_with_their_reasons(
    client, staff, committee, application, atis
):
    # ATIS sits, then a conflict is declared behind the page's back: saving it again is refused, with why.
    CommitteeMember.objects.create(committee=committee, structure=atis)
    ConflictOfInterest.objects.create(application=application, structure=atis, reason="Partenaire de TAg22")
    url = reverse("network:appellation_committee_members", args=[committee.pk])
    response = post(client, staff, url, {"structures": [atis.pk]})
    assert response.status_code == 400
    assert "ATIS a déclaré un conflit d’intérêts" in html(response).replace("&#x27;", "’").replace("'", "’")
    assert f"Les membres n'ont pas été enregistrés{NBSP}:" in html(response)


def test_staff_attach_a_submitted_application_to_the_session(client, staff, committee, atis):
    application = submitted(factories.StructureFactory(name="TAg35"))
    page = html(get(client, staff, committee_url(committee)))
    assert "TAg35 — déposée le" in page
    url = reverse("network:appellation_committee_attach", args=[committee.pk])
    response = post(client, staff, url, {"application": application.pk})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.committee == committee


def test_an_application_already_on_a_session_cannot_be_attached_again(client, staff, committee, application):
    other = session(place="Bordeaux")
    url = reverse("network:appellation_committee_attach", args=[other.pk])
    response = post(client, staff, url, {"application": application.pk})
    assert response.status_code == 400
    assert "Cette demande ne peut plus être inscrite" in html(response)
    application.refresh_from_db()
    assert application.committee == committee


def test_staff_declare_a_conflict_listed_under_the_application(client, staff, committee, application, atis):
    url = reverse("network:appellation_committee_conflict", args=[committee.pk])
    data = {"application": application.pk, "structure": atis.pk, "reason": "Co-porteur d'un projet de TAg22"}
    assert post(client, staff, url, data).status_code == 302
    page = html(get(client, staff, committee_url(committee)))
    item = page[page.index(f'id="demande-{application.pk}"') :]
    assert "<strong>ATIS</strong>" in item and "Co-porteur d&#x27;un projet de TAg22" in item


def test_a_conflict_without_reason_is_refused_in_french(client, staff, committee, application, atis):
    url = reverse("network:appellation_committee_conflict", args=[committee.pk])
    response = post(client, staff, url, {"application": application.pk, "structure": atis.pk, "reason": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in html(response)
    assert not ConflictOfInterest.objects.exists()


def test_the_session_page_shows_each_opinion_and_the_quorum(client, staff, committee, application):
    opinions(application, 1)
    page = html(get(client, staff, committee_url(committee)))
    item = page[page.index(f'id="demande-{application.pk}"') :]
    assert "Membre" in item and "Favorable" in item and "Un ancrage territorial solide." in item
    assert "1 avis sur 3 — quorum non atteint" in item


@pytest.mark.parametrize("number", [1, 5])
def test_session_page_runs_the_same_queries_for_1_or_many_applications_and_opinions(
    client, staff, django_assert_num_queries, number
):
    committee = session(place="Avise, Paris")
    for index in range(number):
        application = submitted(factories.StructureFactory(name=f"Candidate {index}"), committee)
        opinions(application, 3)
        ConflictOfInterest.objects.create(
            application=application,
            structure=factories.StructureFactory(name=f"Conflit {index}", labelled=True),
            reason="Même territoire",
        )
        submitted(factories.StructureFactory(name=f"En attente {index}"))
    client.force_login(staff)
    # 1 session, 2 user; 3 the committee; 4 its applications with the seated opinions counted, 5 their
    # opinions (member, author), 6 their conflicts; 7 the seats; the attach form: 8 « any to attach? »,
    # 9 its choices; 10 the members' checkboxes; the conflict form: 11 applications, 12 labelled structures.
    with django_assert_num_queries(12):
        assert client.get(committee_url(committee)).status_code == 200


# --- The decision ----------------------------------------------------------------------------------------


def decision_url(committee, application) -> str:
    return reverse("network:appellation_decision", args=[committee.pk, application.pk])


def test_the_decision_button_is_disabled_before_quorum_and_the_page_says_why(
    client, staff, committee, application
):
    opinions(application, 2)
    page = html(get(client, staff, committee_url(committee)))
    item = page[page.index(f'id="demande-{application.pk}"') :]
    assert f'<button type="submit" disabled aria-describedby="decision-{application.pk}-reasons">' in item
    assert f"Le quorum n&#x27;est pas atteint{NBSP}: 2 avis sur 3 nécessaires." in item
    assert f'value="{TODAY.isoformat()}"' in item  # the decision is dated today unless changed


def test_the_decision_button_is_enabled_once_the_quorum_is_reached(client, staff, committee, application):
    opinions(application, 3)
    page = html(get(client, staff, committee_url(committee)))
    item = page[page.index(f'id="demande-{application.pk}"') :]
    assert "disabled" not in item.split("</form>")[0]
    assert "3 avis sur 3 — quorum atteint" in item


def test_a_decision_is_asked_for_confirmation_before_being_recorded(client, staff, committee, application):
    opinions(application, 3)
    data = {"decision": "granted", "decided_on": TODAY.isoformat(), "recommendations": ""}
    response = post(client, staff, decision_url(committee, application), data)
    assert response.status_code == 200
    assert f"TAg22 passera en phase «{NBSP}Appellation{NBSP}»" in html(response)
    assert 'name="confirmed" value="on"' in html(response)
    application.refresh_from_db()
    assert application.status == AppellationApplication.Status.SUBMITTED


def test_recording_granted_moves_the_structure_to_labelled(client, staff, committee, application, tag22):
    opinions(application, 3)
    data = {"decision": "granted", "decided_on": TODAY.isoformat(), "recommendations": "", "confirmed": "on"}
    response = post(client, staff, decision_url(committee, application), data)
    assert response.status_code == 302
    tag22.refresh_from_db()
    assert tag22.phase == Phase.LABELLED and tag22.labelled_on == TODAY
    change = PhaseChange.objects.get(structure=tag22)
    assert (change.from_phase, change.to_phase, change.changed_by) == (
        Phase.APPLICATION,
        Phase.LABELLED,
        staff,
    )
    page = html(get(client, staff, committee_url(committee)))
    assert "Appellation accordée" in page and "Lettre de décision" in page


@pytest.mark.parametrize("decision", ["deferred", "refused"])
def test_deferring_or_refusing_without_recommendations_is_refused_in_french(
    client, staff, committee, application, decision
):
    opinions(application, 3)
    data = {"decision": decision, "decided_on": TODAY.isoformat(), "recommendations": "", "confirmed": "on"}
    response = post(client, staff, decision_url(committee, application), data)
    assert response.status_code == 400
    assert "Rédigez les recommandations du comité" in html(response)
    application.refresh_from_db()
    assert application.status == AppellationApplication.Status.SUBMITTED


def test_a_decision_forced_before_quorum_is_refused_with_the_reason(client, staff, committee, application):
    opinions(application, 1)
    data = {"decision": "granted", "decided_on": TODAY.isoformat(), "confirmed": "on"}
    response = post(client, staff, decision_url(committee, application), data)
    assert response.status_code == 400
    assert f"La décision n'a pas été enregistrée{NBSP}:" in html(response)
    assert "1 avis sur 3 nécessaires" in html(response)
    assert not PhaseChange.objects.exists()


def test_a_decided_application_shows_its_letter_status_and_link(client, staff, committee, application):
    AppellationApplication.objects.filter(pk=application.pk).update(
        status=AppellationApplication.Status.DECIDED,
        decision=AppellationApplication.Decision.GRANTED,
        decided_on=TODAY,
        letter_status="ready",
    )
    page = html(get(client, staff, committee_url(committee)))
    assert "Prête" in page
    assert f'<a href="{letter_url(application.structure)}">Télécharger la lettre de décision</a>' in page


# --- A structure's phase ---------------------------------------------------------------------------------


def phase_url(structure) -> str:
    return reverse("network:appellation_phase", args=[structure.slug])


def test_phase_page_shows_the_current_phase_the_history_and_only_the_allowed_moves(client, staff, tag22):
    factories.PhaseChangeFactory(structure=tag22, reason="Entrée dans le réseau", changed_by=staff)
    page = html(get(client, staff, phase_url(tag22)))
    assert "phase-badge--experimentation" in page
    assert "Entrée dans le réseau" in page and "avise@example.org" in page and "1er janvier 2023" in page
    assert 'value="suspended"' in page and 'value="withdrawn"' in page
    assert 'value="labelled"' not in page


def test_suspending_asks_for_a_reason_in_french(client, staff, tag22):
    data = {"to_phase": "suspended", "reason": "", "changed_on": TODAY.isoformat()}
    response = post(client, staff, phase_url(tag22), data)
    assert response.status_code == 400
    assert "Indiquez le motif de la suspension ou du retrait." in html(response)


def test_suspending_is_confirmed_then_recorded_in_the_history(client, staff, tag22):
    data = {"to_phase": "suspended", "reason": "Plus de chargé·e de mission", "changed_on": TODAY.isoformat()}
    response = post(client, staff, phase_url(tag22), data)
    assert response.status_code == 200 and "Confirmer le changement de phase" in html(response)
    assert not PhaseChange.objects.exists()
    response = post(client, staff, phase_url(tag22), data | {"confirmed": "on"})
    assert response.status_code == 302
    tag22.refresh_from_db()
    assert tag22.phase == Phase.SUSPENDED
    assert PhaseChange.objects.get().reason == "Plus de chargé·e de mission"


def test_admitting_a_candidate_needs_no_confirmation(client, staff):
    candidate = factories.StructureFactory(name="CAPI Corsica", phase=Phase.CANDIDATE)
    data = {"to_phase": "experimentation", "reason": "", "changed_on": TODAY.isoformat()}
    assert post(client, staff, phase_url(candidate), data).status_code == 302
    candidate.refresh_from_db()
    assert candidate.phase == Phase.EXPERIMENTATION


@pytest.mark.parametrize("number", [1, 12])
def test_phase_page_runs_the_same_queries_for_1_or_many_changes(
    client, staff, tag22, django_assert_num_queries, number
):
    for index in range(number):
        factories.PhaseChangeFactory(
            structure=tag22, changed_on=dt.date(2023, 1, 1) + dt.timedelta(days=index), changed_by=staff
        )
    client.force_login(staff)
    # 1 session, 2 user; 3 the structure; 4 its history with who made each change.
    with django_assert_num_queries(4):
        assert client.get(phase_url(tag22)).status_code == 200


def test_every_form_of_the_session_page_carries_its_csrf_token(client, staff, committee, application, atis):
    submitted(factories.StructureFactory(name="TAg35"))
    page = html(get(client, staff, committee_url(committee)))
    # Attach, members, conflict, one decision form, and the site's logout and language forms.
    assert page.count('method="post"') == page.count('name="csrfmiddlewaretoken"') == 6


def test_a_move_the_staff_may_not_make_is_refused_in_french(client, staff, tag22):
    # Experimentation → labelled goes through the committee's decision, never by hand.
    data = {"to_phase": "labelled", "reason": "", "changed_on": TODAY.isoformat()}
    response = post(client, staff, phase_url(tag22), data)
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in html(response)
    tag22.refresh_from_db()
    assert tag22.phase == Phase.EXPERIMENTATION


def test_the_confirmation_page_sends_back_the_recommendations_typed(client, staff, committee, application):
    opinions(application, 3)
    data = {
        "decision": "deferred",
        "decided_on": TODAY.isoformat(),
        "recommendations": "Consolider les partenariats",
    }
    page = html(post(client, staff, decision_url(committee, application), data))
    assert '<input type="hidden" name="recommendations" value="Consolider les partenariats">' in page
    assert f"TAg22 passera en phase «{NBSP}Expérimentation{NBSP}»" in page
