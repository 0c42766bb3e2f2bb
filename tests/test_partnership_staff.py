"""The staff's editing pages of partnerships, agreements and missions (/partenariats/gestion/…): who may
use them, what the forms refuse, and mission times typed in the mission's own time zone."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.models import Agreement, Mission, Objective, Partnership
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]


def log_in(client, request, role: str) -> None:
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def mission_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Voyage d'étude des Pôles d'économie sociale du Québec en France",
        "slug": "",
        "kind": "study_trip",
        "direction": "qc_to_fr",
        "timezone": "America/Toronto",
        "starts_at": "2025-06-02T20:00",
        "ends_at": "2025-06-06T17:00",
        "cities": "Rouen, Toulouse, Bordeaux",
        "summary": "",
        "is_published": "on",
        **management("objectifs"),
        **management("visites"),
        **management("participants"),
    }
    data.update(changes)
    return data


def partnership_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Avise – Pôles d'économie sociale du Québec",
        "slug": "",
        "summary": "",
        "objectives": "",
        "start_date": "2025-01-01",
        "end_date": "2026-12-31",
        "is_published": "on",
        **management("parties"),
        **management("soutiens"),
    }
    data.update(changes)
    return data


def pdf(name: str = "entente.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def mission(db) -> Mission:
    return factories.MissionFactory(slug="mission-cereso-tarnos-2023")


def page_urls(mission: Mission) -> list[str]:
    agreement = factories.AgreementFactory(partnership=mission.partnership)
    return [
        reverse("partnerships:manage_partnerships"),
        reverse("partnerships:manage_missions"),
        reverse("partnerships:manage_partnership_create"),
        reverse("partnerships:manage_partnership_edit", args=[mission.partnership.slug]),
        reverse("partnerships:manage_agreement_create", args=[mission.partnership.slug]),
        reverse("partnerships:manage_agreement_edit", args=[agreement.pk]),
        reverse("partnerships:manage_mission_create"),
        reverse("partnerships:manage_mission_edit", args=[mission.slug]),
        reverse("partnerships:manage_mission_delete", args=[mission.slug]),
    ]


# --- Who may use the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_open_the_editing_pages(client, request, mission, role):
    log_in(client, request, role)
    for url in page_urls(mission):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("account_login")), url
        elif role == "staff":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


@pytest.mark.parametrize("role", ["anonymous", "outsider", "partner_user", "coordinator"])
def test_only_staff_write_through_the_pages(client, request, mission, role):
    objective = factories.ObjectiveFactory(mission=mission)
    log_in(client, request, role)
    expected = 302 if role == "anonymous" else 403
    posts = [
        (reverse("partnerships:manage_partnership_create"), partnership_data()),
        (reverse("partnerships:manage_mission_create"), mission_data(slug="nouvelle")),
        (reverse("partnerships:manage_mission_edit", args=[mission.slug]), mission_data(slug=mission.slug)),
        (reverse("partnerships:manage_mission_delete", args=[mission.slug]), {}),
        (reverse("partnerships:manage_objective", args=[objective.pk]), {"outcome": "achieved"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == expected, url
    assert Partnership.objects.count() == 1 and Mission.objects.count() == 1
    objective.refresh_from_db()
    assert objective.outcome == Objective.Outcome.NOT_YET


def test_services_refuse_a_user_who_is_not_staff(coordinator, mission):
    with pytest.raises(PermissionDenied):
        services.delete_mission(user=coordinator, mission=mission)
    objective = factories.ObjectiveFactory(mission=mission)
    with pytest.raises(PermissionDenied):
        services.set_objective_outcome(
            user=coordinator, objective=objective, outcome="achieved", outcome_note=""
        )
    assert Mission.objects.filter(pk=mission.pk).exists()


def test_objective_quick_form_only_accepts_post(client, staff, mission):
    objective = factories.ObjectiveFactory(mission=mission)
    client.force_login(staff)
    assert client.get(reverse("partnerships:manage_objective", args=[objective.pk])).status_code == 405


# --- Partnerships and agreements -----------------------------------------------------------------------


def test_staff_create_a_partnership_with_parties_and_supports_and_slug_from_title(client, staff):
    avise = factories.OrganisationFactory(name="Avise", slug="avise", country="FR")
    poles = factories.OrganisationFactory(name="Réseau des pôles", slug="poles", country="CA")
    cpcfq = factories.PartnerFactory(name="CPCFQ", slug="cpcfq")
    client.force_login(staff)
    data = partnership_data(
        **management("parties", total=2),
        **{
            "parties-0-organisation": avise.pk,
            "parties-0-side": "FR",
            "parties-0-description": "37 Fabriques",
        },
        **{"parties-1-organisation": poles.pk, "parties-1-side": "CA", "parties-1-description": "22 pôles"},
        **management("soutiens", total=1),
        **{"soutiens-0-partner": cpcfq.pk, "soutiens-0-scheme": "Appel à projets 2025"},
    )
    response = client.post(reverse("partnerships:manage_partnership_create"), data)
    partnership = Partnership.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "partnerships:manage_partnership_edit", args=["avise-poles-deconomie-sociale-du-quebec"]
    )
    assert partnership.slug == "avise-poles-deconomie-sociale-du-quebec"
    assert {(p.organisation.slug, p.side) for p in partnership.parties.all()} == {
        ("avise", "FR"),
        ("poles", "CA"),
    }
    assert partnership.supports.get().scheme == "Appel à projets 2025"


def test_partnership_refuses_an_end_before_its_start(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("partnerships:manage_partnership_create"),
        partnership_data(start_date="2026-01-01", end_date="2025-01-01"),
    )
    assert response.status_code == 200
    assert "La fin ne peut précéder le début." in response.content.decode()
    assert not Partnership.objects.exists()


def test_partnership_refuses_a_party_row_without_its_side_and_saves_nothing(client, staff):
    organisation = factories.OrganisationFactory()
    client.force_login(staff)
    data = partnership_data(**management("parties", total=1), **{"parties-0-organisation": organisation.pk})
    response = client.post(reverse("partnerships:manage_partnership_create"), data)
    assert response.status_code == 200 and not Partnership.objects.exists()


def test_a_signed_agreement_needs_its_signature_date(client, staff, mission):
    cereso = factories.OrganisationFactory()
    client.force_login(staff)
    url = reverse("partnerships:manage_agreement_create", args=[mission.partnership.slug])
    response = client.post(
        url, {"title": "Entente", "parties": [cereso.pk], "status": "signed", "signed_on": ""}
    )
    assert response.status_code == 200
    assert "Une entente signée ou expirée doit avoir sa date de signature." in response.content.decode()
    assert not Agreement.objects.exists()


def test_staff_record_a_signed_agreement_with_its_document(client, staff, mission):
    cereso, tube = factories.OrganisationFactory(), factories.OrganisationFactory()
    client.force_login(staff)
    url = reverse("partnerships:manage_agreement_create", args=[mission.partnership.slug])
    data = {"title": "Entente CERESO – Tube", "parties": [cereso.pk, tube.pk], "status": "signed"}
    response = client.post(url, {**data, "signed_on": "2023-10-19", "document": pdf()})
    agreement = Agreement.objects.get()
    assert response.url == reverse("partnerships:manage_partnership_edit", args=[mission.partnership.slug])
    assert agreement.partnership == mission.partnership and agreement.signed_on == dt.date(2023, 10, 19)
    assert set(agreement.parties.all()) == {cereso, tube} and agreement.document.name.endswith(".pdf")


def test_agreement_document_is_refused_when_its_content_is_not_what_its_name_says(client, staff, mission):
    client.force_login(staff)
    url = reverse("partnerships:manage_agreement_create", args=[mission.partnership.slug])
    fake = SimpleUploadedFile("entente.pdf", b"\x00\x01 not a pdf", content_type="application/pdf")
    response = client.post(url, {"title": "Entente", "status": "draft", "document": fake})
    assert response.status_code == 200 and "entente.pdf" in response.content.decode()
    assert not Agreement.objects.exists()


def test_staff_edit_an_existing_agreement(client, staff, mission):
    agreement = factories.AgreementFactory(partnership=mission.partnership)
    cereso = factories.OrganisationFactory()
    client.force_login(staff)
    url = reverse("partnerships:manage_agreement_edit", args=[agreement.pk])
    data = {
        "title": "Entente renouvelée",
        "parties": [cereso.pk],
        "status": "expired",
        "signed_on": "2020-05-04",
    }
    client.post(url, data)
    agreement.refresh_from_db()
    assert (agreement.title, agreement.status) == ("Entente renouvelée", "expired")


# --- Missions: time zones ---------------------------------------------------------------------------


def test_mission_entered_in_toronto_time_is_stored_in_utc_and_shown_back_in_toronto_time(client, staff):
    client.force_login(staff)
    response = client.post(reverse("partnerships:manage_mission_create"), mission_data())
    mission = Mission.objects.get()
    assert response.status_code == 302
    # 2 June 2025 20:00 in Toronto (EDT, UTC−4) is 3 June 00:00 UTC — 02:00 in Paris.
    assert mission.starts_at == dt.datetime(2025, 6, 3, 0, 0, tzinfo=dt.UTC)
    assert mission.ends_at == dt.datetime(2025, 6, 6, 21, 0, tzinfo=dt.UTC)
    page = client.get(reverse("partnerships:manage_mission_edit", args=[mission.slug])).content.decode()
    assert 'name="starts_at" value="2025-06-02T20:00"' in page


def test_mission_times_do_not_depend_on_the_sites_current_time_zone(client, staff):
    client.force_login(staff)
    with timezone.override("Asia/Tokyo"):
        client.post(reverse("partnerships:manage_mission_create"), mission_data(timezone="Europe/Paris"))
    # 20:00 in Paris in summer (CEST, UTC+2) is 18:00 UTC, whatever zone the site runs in.
    assert Mission.objects.get().starts_at == dt.datetime(2025, 6, 2, 18, 0, tzinfo=dt.UTC)


def test_a_time_that_only_paris_skips_is_accepted_in_toronto(client, staff):
    client.force_login(staff)
    # 30 March 2025 02:30 does not exist in Paris (clocks jump to 03:00) but does in Toronto (EDT).
    data = mission_data(starts_at="2025-03-30T02:30", ends_at="2025-03-30T10:00")
    client.post(reverse("partnerships:manage_mission_create"), data)
    assert Mission.objects.get().starts_at == dt.datetime(2025, 3, 30, 6, 30, tzinfo=dt.UTC)


def test_a_time_the_clocks_skip_in_the_missions_zone_is_refused(client, staff):
    client.force_login(staff)
    # 9 March 2025: Toronto's clocks jump from 02:00 to 03:00.
    data = mission_data(starts_at="2025-03-09T02:30", ends_at="2025-03-10T10:00")
    response = client.post(reverse("partnerships:manage_mission_create"), data)
    assert response.status_code == 200 and not Mission.objects.exists()
    assert "Cette heure n&#x27;existe pas dans ce fuseau" in response.content.decode()


def test_a_time_the_clocks_show_twice_is_read_as_the_first_one(client, staff):
    client.force_login(staff)
    # 2 November 2025: Toronto's clocks go back from 02:00 to 01:00; 01:30 is first read on summer time.
    data = mission_data(starts_at="2025-11-02T01:30", ends_at="2025-11-02T10:00")
    client.post(reverse("partnerships:manage_mission_create"), data)
    mission = Mission.objects.get()
    assert mission.starts_at == dt.datetime(2025, 11, 2, 5, 30, tzinfo=dt.UTC)
    # Shown back as typed, and the winter-time hour after it is one hour later in UTC.
    page = client.get(reverse("partnerships:manage_mission_edit", args=[mission.slug])).content.decode()
    assert 'value="2025-11-02T01:30"' in page and mission.ends_at == dt.datetime(
        2025, 11, 2, 15, tzinfo=dt.UTC
    )


def test_mission_refuses_an_end_before_its_start(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("partnerships:manage_mission_create"), mission_data(ends_at="2025-06-01T10:00")
    )
    assert response.status_code == 200 and not Mission.objects.exists()
    assert "La fin ne peut précéder le début." in response.content.decode()


# --- Missions: rows, report, outcome, deletion --------------------------------------------------------


def test_staff_record_a_mission_with_objectives_a_visited_structure_and_a_participant(client, staff, tag22):
    project = factories.ProjectFactory(structure=tag22)
    client.force_login(staff)
    data = mission_data(
        projects=[project.pk],
        **management("objectifs", total=3),
        **{"objectifs-0-text": "Comparer les pratiques", "objectifs-0-outcome": "not_yet"},
        **{"objectifs-1-text": "Transférer les savoir-faire", "objectifs-1-outcome": "partly"},
        **{"objectifs-2-text": "", "objectifs-2-outcome": "not_yet"},  # an extra row left empty
        **management("visites", total=1),
        **{
            "visites-0-structure": tag22.pk,
            "visites-0-city": "Saint-Brieuc",
            "visites-0-visited_on": "2025-06-03",
        },
        **management("participants", total=1),
        **{"participants-0-name": "Carine Perron", "participants-0-role": "Directrice"},
    )
    response = client.post(reverse("partnerships:manage_mission_create"), data)
    mission = Mission.objects.get()
    assert response.url == reverse("partnerships:manage_mission_edit", args=[mission.slug])
    assert [(o.text, o.position) for o in mission.objectives.all()] == [
        ("Comparer les pratiques", 0),
        ("Transférer les savoir-faire", 1),
    ]
    assert mission.visits.get().structure == tag22
    assert mission.participants.get().name == "Carine Perron"
    assert list(mission.projects.all()) == [project]


@pytest.mark.parametrize(
    ("visit", "message"),
    [
        ({}, "Choisissez une structure du réseau ou une organisation."),
        ({"both": True}, "Choisissez une structure du réseau ou une organisation, pas les deux."),
    ],
)
def test_a_visit_names_a_structure_or_an_organisation_exactly_once(client, staff, tag22, visit, message):
    organisation = factories.OrganisationFactory()
    client.force_login(staff)
    row = {"visites-0-city": "Tarnos"}
    if visit:
        row |= {"visites-0-structure": tag22.pk, "visites-0-organisation": organisation.pk}
    response = client.post(
        reverse("partnerships:manage_mission_create"), mission_data(**management("visites", total=1), **row)
    )
    assert response.status_code == 200 and not Mission.objects.exists()
    assert message in response.content.decode()


def test_mission_report_is_checked_from_its_bytes(client, staff):
    client.force_login(staff)
    fake = SimpleUploadedFile("rapport.pdf", b"\x00\x01 not a pdf", content_type="application/pdf")
    response = client.post(reverse("partnerships:manage_mission_create"), mission_data(report=fake))
    assert response.status_code == 200 and not Mission.objects.exists()
    client.post(reverse("partnerships:manage_mission_create"), mission_data(report=pdf("rapport.pdf")))
    assert Mission.objects.get().report.name.endswith(".pdf")


def test_editing_a_mission_updates_and_deletes_its_rows(client, staff, mission):
    kept = factories.ObjectiveFactory(mission=mission, text="Gardé", position=0)
    dropped = factories.ObjectiveFactory(mission=mission, text="Retiré", position=1)
    client.force_login(staff)
    data = mission_data(
        slug=mission.slug,
        timezone="Europe/Paris",
        **management("objectifs", total=2, initial=2),
        **{"objectifs-0-id": kept.pk, "objectifs-0-text": "Gardé", "objectifs-0-outcome": "achieved"},
        **{"objectifs-1-id": dropped.pk, "objectifs-1-text": "Retiré", "objectifs-1-outcome": "not_yet"},
        **{"objectifs-1-DELETE": "on"},
    )
    client.post(reverse("partnerships:manage_mission_edit", args=[mission.slug]), data)
    assert list(mission.objectives.values_list("text", "outcome")) == [("Gardé", "achieved")]


def test_staff_mark_an_objectives_outcome_and_return_to_the_page_they_came_from(client, staff, mission):
    objective = factories.ObjectiveFactory(mission=mission)
    client.force_login(staff)
    url = reverse("partnerships:manage_objective", args=[objective.pk])
    response = client.post(
        url, {"outcome": "achieved", "outcome_note": "Entente signée.", "next": "/partenariats/"}
    )
    objective.refresh_from_db()
    assert (objective.outcome, objective.outcome_note) == ("achieved", "Entente signée.")
    assert response.url == "/partenariats/"


def test_objective_quick_form_never_redirects_to_another_site(client, staff, mission):
    objective = factories.ObjectiveFactory(mission=mission)
    client.force_login(staff)
    url = reverse("partnerships:manage_objective", args=[objective.pk])
    response = client.post(url, {"outcome": "partly", "next": "https://example.com/"})
    assert response.url == reverse("partnerships:manage_mission_edit", args=[mission.slug])


def test_objective_quick_form_refuses_an_unknown_outcome(client, staff, mission):
    objective = factories.ObjectiveFactory(mission=mission)
    client.force_login(staff)
    client.post(reverse("partnerships:manage_objective", args=[objective.pk]), {"outcome": "perhaps"})
    objective.refresh_from_db()
    assert objective.outcome == Objective.Outcome.NOT_YET


def test_deleting_a_mission_asks_for_confirmation_first(client, staff, mission):
    client.force_login(staff)
    url = reverse("partnerships:manage_mission_delete", args=[mission.slug])
    page = client.get(url).content.decode()
    assert "Supprimer la mission" in page and 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert Mission.objects.filter(pk=mission.pk).exists()
    response = client.post(url)
    assert response.url == reverse("partnerships:manage_missions")
    assert not Mission.objects.filter(pk=mission.pk).exists()


# --- Lists ----------------------------------------------------------------------------------------


def test_mission_list_shows_each_mission_in_its_own_time_zone(client, staff):
    factories.MissionFactory(
        title="Délégation au Québec",
        timezone="America/Toronto",
        starts_at=dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 12, 11, 22, 0, tzinfo=dt.UTC),
    )
    client.force_login(staff)
    page = client.get(reverse("partnerships:manage_missions")).content.decode()
    assert "7 décembre 2026, 09:00" in page


@pytest.mark.parametrize("count", [1, 6])
def test_partnership_list_runs_a_constant_number_of_queries(client, staff, django_assert_num_queries, count):
    for _ in range(count):
        factories.MissionFactory()
    client.force_login(staff)
    # Session, user, count of partnerships, the page of partnerships with their mission and agreement counts.
    with django_assert_num_queries(4):
        response = client.get(reverse("partnerships:manage_partnerships"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_mission_list_runs_a_constant_number_of_queries(client, staff, django_assert_num_queries, count):
    for _ in range(count):
        factories.MissionFactory()
    client.force_login(staff)
    # Session, user, count of missions, the page of missions joined with their partnership.
    with django_assert_num_queries(4):
        response = client.get(reverse("partnerships:manage_missions"))
    assert response.status_code == 200


def test_staff_pages_are_not_caught_by_the_public_partnership_pattern():
    from django.urls import resolve

    assert resolve("/partenariats/gestion/missions/").url_name == "manage_missions"
    assert resolve("/partenariats/gestion/partenariats/").url_name == "manage_partnerships"


def test_the_edit_page_names_the_stored_report_without_linking_to_the_media_url(client, staff, mission):
    mission.report = SimpleUploadedFile("rapport-tarnos.pdf", b"%PDF-1.4\n%%EOF\n")
    mission.save()
    client.force_login(staff)
    page = client.get(reverse("partnerships:manage_mission_edit", args=[mission.slug])).content.decode()
    assert "rapport-tarnos" in page and mission.report.url not in page
