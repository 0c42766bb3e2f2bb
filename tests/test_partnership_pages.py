"""The public pages of the Québec–France partnerships (issue 6): /partenariats/ and a partnership's page
(parties by side, period, supporters, agreements and their documents, timeline of missions), /missions/
and a mission's page (visits, participants, objectives and outcomes, projects, report), the
« International » link, and a structure's « Activité internationale et transferts ». Who sees what (the
published for everyone, everything for staff), documents served as attachments, and query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fabrique.demo.loader import load_demo
from network.models import Structure
from partnerships.models import (
    Agreement,
    KnowHowTransfer,
    Mission,
    Objective,
    Organisation,
    Participant,
    Party,
    Support,
)
from partnerships.views import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]
NON_STAFF = ["anonymous", "outsider", "partner_user", "coordinator"]
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def login(client, request):
    """Signs in as the role fixture named (or stays anonymous) and returns the client."""

    def sign_in(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in


def future(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture
def partnership():
    """Avise ↔ Réseau des pôles d'économie sociale du Québec, supported by the CPCFQ, signed entente."""
    partnership = factories.PartnershipFactory(
        title="Avise – Réseau des pôles d'économie sociale du Québec",
        slug="avise-poles",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 12, 31),
        summary="Un partenariat entre deux réseaux d'accompagnement de l'ESS.",
        objectives="Croiser les méthodes d'émergence de projets.",
    )
    avise = factories.OrganisationFactory(name="Avise", country=Organisation.Country.FRANCE, city="Paris")
    poles = factories.OrganisationFactory(
        name="Réseau des pôles d'économie sociale du Québec", kind=Organisation.Kind.NETWORK, city="Québec"
    )
    Party.objects.create(partnership=partnership, organisation=avise, side="FR", description="37 Fabriques")
    Party.objects.create(partnership=partnership, organisation=poles, side="CA", description="22 pôles")
    cpcfq = factories.PartnerFactory(name="CPCFQ", slug="cpcfq")
    Support.objects.create(partnership=partnership, partner=cpcfq, scheme="Fonds Franco-Québécois")
    agreement = factories.AgreementFactory(
        partnership=partnership,
        title="Entente de coopération 2025",
        status=Agreement.Status.SIGNED,
        signed_on=dt.date(2025, 3, 1),
        document=SimpleUploadedFile("entente.pdf", PDF),
    )
    agreement.parties.set([avise, poles])
    return partnership


@pytest.fixture
def mission(partnership, tag22):
    """The 2025 study trip (published), visiting TAg22 and an external organisation, with two objectives."""
    mission = factories.MissionFactory(
        partnership=partnership,
        title="Voyage d'étude 2025",
        slug="voyage-etude-2025",
        starts_at=dt.datetime(2025, 5, 12, 7, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 5, 16, 16, tzinfo=dt.UTC),
        cities="Rouen, Toulouse, Bordeaux",
        report=SimpleUploadedFile("rapport.pdf", PDF),
    )
    factories.VisitFactory(mission=mission, organisation=None, structure=tag22, city="Saint-Brieuc")
    factories.VisitFactory(
        mission=mission, organisation__name="La Manuco", organisation__country="FR", city="Bordeaux"
    )
    factories.ObjectiveFactory(
        mission=mission,
        text="Découvrir la méthode",
        outcome=Objective.Outcome.ACHIEVED,
        outcome_note="Trois visites",
    )
    factories.ObjectiveFactory(
        mission=mission, text="Signer une entente", outcome=Objective.Outcome.PARTLY, position=1
    )
    Participant.objects.create(mission=mission, name="Marie Tremblay", role="Directrice", structure=tag22)
    return mission


def detail_url(partnership) -> str:
    return reverse("partnerships:detail", args=[partnership.slug])


def mission_url(mission) -> str:
    return reverse("partnerships:mission_detail", args=[mission.slug])


def agreement_url(agreement) -> str:
    return reverse("partnerships:agreement_document", args=[agreement.partnership.slug, agreement.pk])


def report_url(mission) -> str:
    return reverse("partnerships:mission_report", args=[mission.slug])


# --- Who sees what --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_published_partnership_and_its_mission(login, role, mission):
    client = login(role)
    partnership = mission.partnership

    assert client.get(reverse("partnerships:list")).context["page_obj"].object_list[0] == partnership
    assert client.get(detail_url(partnership)).status_code == 200
    assert list(client.get(reverse("partnerships:missions")).context["page_obj"].object_list) == [mission]
    assert client.get(mission_url(mission)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_everyone_downloads_the_documents_of_what_is_published(login, role, mission):
    client = login(role)
    agreement = mission.partnership.agreements.get()

    for url in (agreement_url(agreement), report_url(mission)):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("role", NON_STAFF)
def test_only_staff_see_an_unpublished_partnership_its_missions_and_documents(login, role, mission):
    partnership = mission.partnership
    partnership.is_published = False
    partnership.save()
    client = login(role)

    assert list(client.get(reverse("partnerships:list")).context["page_obj"].object_list) == []
    assert client.get(detail_url(partnership)).status_code == 404
    assert client.get(agreement_url(partnership.agreements.get())).status_code == 404
    # A published mission of an unpublished partnership stays hidden with it.
    assert client.get(mission_url(mission)).status_code == 404
    assert client.get(report_url(mission)).status_code == 404


@pytest.mark.parametrize("role", NON_STAFF)
def test_only_staff_see_an_unpublished_mission_and_its_report(login, role, mission):
    Mission.objects.filter(pk=mission.pk).update(is_published=False)
    client = login(role)

    assert client.get(mission_url(mission)).status_code == 404
    assert client.get(report_url(mission)).status_code == 404
    assert list(client.get(reverse("partnerships:missions")).context["page_obj"].object_list) == []
    assert client.get(detail_url(mission.partnership)).context["partnership"].timeline == []


def test_staff_see_unpublished_partnerships_and_missions_marked_as_such(login, mission):
    Mission.objects.filter(pk=mission.pk).update(is_published=False)
    partnership = mission.partnership
    partnership.is_published = False
    partnership.save()
    client = login("staff")

    listing = client.get(reverse("partnerships:list")).content.decode()
    assert "Non publié (visible par l'équipe de l'Avise seulement)" in listing
    assert client.get(detail_url(partnership)).status_code == 200
    page = client.get(mission_url(mission))
    assert page.status_code == 200
    assert "Non publiée (visible par l'équipe de l'Avise seulement)" in page.content.decode()
    assert client.get(agreement_url(partnership.agreements.get())).status_code == 200
    assert client.get(report_url(mission)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_document_never_uploaded_is_not_found(login, role, mission):
    agreement = factories.AgreementFactory(partnership=mission.partnership, title="Projet d'avenant")
    Mission.objects.filter(pk=mission.pk).update(report="")
    client = login(role)

    assert client.get(agreement_url(agreement)).status_code == 404
    assert client.get(report_url(mission)).status_code == 404


def test_an_agreement_is_reached_only_through_its_own_partnership(client, mission):
    other = factories.AgreementFactory(document=SimpleUploadedFile("autre.pdf", PDF))
    url = reverse("partnerships:agreement_document", args=[mission.partnership.slug, other.pk])

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_feed_and_zone_choice_answer_everyone(login, role, mission):
    client = login(role)

    assert client.get(reverse("partnerships:missions_ics")).status_code == 200
    response = client.post(
        reverse("partnerships:timezone_choice"), {"timezone": "America/Toronto", "next": "/"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["list", "missions", "missions_ics"])
def test_reading_pages_refuse_posts(client, name):
    assert client.post(reverse(f"partnerships:{name}")).status_code == 405


# --- What the pages show --------------------------------------------------------------------------------


def test_partnership_page_shows_parties_by_side_supporters_agreements_and_timeline(client, mission):
    page = client.get(detail_url(mission.partnership)).content.decode()

    assert "du 1er janvier 2025 au 31 décembre 2026" in page
    assert page.index("<strong>Avise</strong>") < page.index("<strong>Réseau des pôles"), "French side first"
    assert "France</span> :\n      <strong>Avise</strong>, Paris" in page
    assert (
        "Canada (Québec)</span> :\n      <strong>Réseau des pôles d&#x27;économie sociale du Québec</strong>"
        in page
    )
    assert "<strong>CPCFQ</strong> — dispositif : Fonds Franco-Québécois" in page
    assert "Croiser les méthodes d&#x27;émergence de projets." in page
    assert "Signée</span>" in page
    assert "1er mars 2025" in page
    assert "Avise, Réseau des pôles" in page
    assert f'href="{agreement_url(mission.partnership.agreements.get())}"' in page
    assert f'href="{mission_url(mission)}"' in page


def test_partnership_timeline_lists_missions_by_date(client, mission):
    earlier = factories.MissionFactory(
        partnership=mission.partnership,
        title="Premiers échanges",
        starts_at=dt.datetime(2025, 2, 1, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 2, 2, 9, tzinfo=dt.UTC),
    )

    timeline = client.get(detail_url(mission.partnership)).context["partnership"].timeline

    assert timeline == [earlier, mission]


def test_partnership_without_agreement_or_mission_says_so(client):
    partnership = factories.PartnershipFactory()

    page = client.get(detail_url(partnership)).content.decode()

    assert "Aucune entente n'est enregistrée pour ce partenariat." in page
    assert "Aucune mission n'est encore publiée pour ce partenariat." in page
    assert "Aucune partie n'est encore renseignée." in page
    assert "depuis le 1er janvier 2018" in page


def test_empty_lists_say_so(client):
    assert (
        "Aucun partenariat international n'est encore publié."
        in client.get(reverse("partnerships:list")).content.decode()
    )
    missions = client.get(reverse("partnerships:missions")).content.decode()
    assert "Aucune mission n'est prévue pour le moment." in missions
    assert "Aucune mission passée n'est encore publiée." in missions


def test_missions_are_split_into_upcoming_soonest_first_and_past(client, mission):
    later = factories.MissionFactory(starts_at=future(30), ends_at=future(35))
    sooner = factories.MissionFactory(starts_at=future(3), ends_at=future(5))
    ongoing = factories.MissionFactory(starts_at=future(-1), ends_at=future(1))

    response = client.get(reverse("partnerships:missions"))

    assert response.context["upcoming"] == [ongoing, sooner, later]
    assert list(response.context["page_obj"].object_list) == [mission]


def test_past_missions_are_paginated(client):
    factories.MissionFactory.create_batch(PAGE_SIZE + 1)

    first = client.get(reverse("partnerships:missions"))
    second = client.get(reverse("partnerships:missions"), {"page": 2})

    assert len(first.context["page_obj"].object_list) == PAGE_SIZE
    assert len(second.context["page_obj"].object_list) == 1
    assert 'href="?page=2" rel="next"' in first.content.decode()


def test_partnerships_are_paginated(client):
    factories.PartnershipFactory.create_batch(PAGE_SIZE + 1)

    assert len(client.get(reverse("partnerships:list")).context["page_obj"].object_list) == PAGE_SIZE
    assert len(client.get(reverse("partnerships:list"), {"page": 2}).context["page_obj"].object_list) == 1


def test_mission_page_shows_kind_direction_visits_participants_objectives_and_report(client, mission):
    page = client.get(mission_url(mission)).content.decode()

    assert "Voyage d&#x27;étude" in page
    assert "Québec → France" in page
    assert "Rouen, Toulouse, Bordeaux" in page
    assert f'<a href="{reverse("network:detail", args=["tag22"])}">TAg22</a>' in page
    assert "La Manuco\n          \n          — Bordeaux" in page
    assert "Marie Tremblay, Directrice — TAg22" in page
    assert "Résultat : Atteint" in page
    assert "Trois visites" in page
    assert "Résultat : Partiellement atteint" in page
    assert f'href="{report_url(mission)}"' in page
    assert f'href="{detail_url(mission.partnership)}"' in page


def test_visited_structure_without_a_public_page_is_not_linked(client, mission, tag22):
    Structure.objects.filter(pk=tag22.pk).update(phase=Structure.Phase.WITHDRAWN)

    page = client.get(mission_url(mission)).content.decode()

    assert "TAg22\n" in page
    assert reverse("network:detail", args=["tag22"]) not in page


def test_mission_page_lists_only_the_projects_the_reader_may_see(login, mission, tag22):
    published = factories.ProjectFactory(
        title="Garage solidaire", structure=tag22, is_published=True, published_at=timezone.now()
    )
    draft = factories.ProjectFactory(title="Conciergerie en projet", structure=tag22, is_published=False)
    mission.projects.set([published, draft])

    assert login("anonymous").get(mission_url(mission)).context["projects"] == [published]
    assert login("coordinator").get(mission_url(mission)).context["projects"] == [draft, published]


def test_mission_without_report_or_objectives_says_so(client):
    mission = factories.MissionFactory()

    page = client.get(mission_url(mission)).content.decode()

    assert "Le rapport de cette mission n'est pas encore disponible." in page
    assert "Aucun objectif n'est encore renseigné." in page
    assert "Aucune visite n'est encore renseignée." in page


def test_site_navigation_links_to_the_international_pages(client):
    page = client.get(reverse("partnerships:list")).content.decode()

    assert f'<a href="{reverse("partnerships:list")}" aria-current="page">International</a>' in page
    assert f'href="{reverse("network:directory")}"' in page


# --- A structure's page ---------------------------------------------------------------------------------


def structure_page(client, structure) -> str:
    return client.get(reverse("network:detail", args=[structure.slug])).content.decode()


def test_structure_page_shows_missions_that_visited_it_or_took_its_people(client, mission, tag22):
    by_participant = factories.MissionFactory(title="Délégation à Joliette")
    Participant.objects.create(mission=by_participant, name="Jean Martin", structure=tag22)
    factories.MissionFactory(title="Mission sans TAg22")

    page = structure_page(client, tag22)

    assert "Activité internationale et transferts" in page
    assert f'href="{mission_url(mission)}"' in page
    assert f'href="{mission_url(by_participant)}"' in page
    assert "Mission sans TAg22" not in page


def test_structure_page_hides_unpublished_missions_from_the_public_only(login, mission, tag22):
    Mission.objects.filter(pk=mission.pk).update(is_published=False)

    assert f'href="{mission_url(mission)}"' not in structure_page(login("anonymous"), tag22)
    assert f'href="{mission_url(mission)}"' in structure_page(login("staff"), tag22)


def test_structure_page_shows_validated_published_transfers_it_benefited_from(client, tag22):
    published = factories.KnowHowTransferFactory(
        title="Villages vivants → TAg22 : foncière solidaire",
        status=KnowHowTransfer.Status.VALIDATED,
        is_published=True,
    )
    proposed = factories.KnowHowTransferFactory(title="Proposition en attente")
    for transfer in (published, proposed):
        factories.BeneficiaryFactory(transfer=transfer, organisation=None, structure=tag22)

    page = structure_page(client, tag22)

    assert f'href="{reverse("partnerships:transfer_detail", args=[published.slug])}"' in page
    assert "Proposition en attente" not in page


def test_structure_without_international_activity_says_so(client, tag22):
    page = structure_page(client, tag22)

    assert "Aucune mission publiée ne concerne cette structure." in page
    assert "Cette structure n'a pas encore bénéficié d'un transfert de savoir-faire publié." in page


# --- Query counts ---------------------------------------------------------------------------------------


def add_partnerships(count: int) -> None:
    for partnership in factories.PartnershipFactory.create_batch(count):
        for side in ("FR", "CA"):
            Party.objects.create(
                partnership=partnership, organisation=factories.OrganisationFactory(), side=side
            )


def test_partnership_list_runs_the_same_queries_for_one_and_many(client, django_assert_num_queries):
    add_partnerships(1)
    # the count · the page's partnerships · their parties with their organisations
    with django_assert_num_queries(3):
        client.get(reverse("partnerships:list"))
    add_partnerships(PAGE_SIZE + 5)
    with django_assert_num_queries(3):
        assert len(client.get(reverse("partnerships:list")).context["page_obj"].object_list) == PAGE_SIZE


def test_partnership_page_runs_the_same_queries_for_one_and_many(client, mission, django_assert_num_queries):
    partnership = mission.partnership
    # the partnership · its parties with their organisations · its supports with their partner · its
    # agreements · their signatories · its missions
    with django_assert_num_queries(6):
        client.get(detail_url(partnership))
    for index in range(5):
        agreement = factories.AgreementFactory(partnership=partnership, title=f"Avenant {index}")
        agreement.parties.add(factories.OrganisationFactory())
        Support.objects.create(partnership=partnership, partner=factories.PartnerFactory())
        Party.objects.create(partnership=partnership, organisation=factories.OrganisationFactory(), side="CA")
        factories.MissionFactory(partnership=partnership)
    with django_assert_num_queries(6):
        assert len(client.get(detail_url(partnership)).context["partnership"].timeline) == 6


def test_mission_list_runs_the_same_queries_for_one_and_many(client, django_assert_num_queries):
    factories.MissionFactory(starts_at=future(3), ends_at=future(5))
    factories.MissionFactory()
    # the upcoming missions with their partnership · the past ones' count · the page's past missions
    with django_assert_num_queries(3):
        client.get(reverse("partnerships:missions"))
    factories.MissionFactory.create_batch(5, starts_at=future(3), ends_at=future(5))
    factories.MissionFactory.create_batch(PAGE_SIZE + 5)
    with django_assert_num_queries(3):
        assert len(client.get(reverse("partnerships:missions")).context["upcoming"]) == 6


def test_mission_page_runs_the_same_queries_for_one_and_many(
    client, mission, tag22, django_assert_num_queries
):
    # the mission with its partnership · its visits with their structure or organisation · its participants
    # with theirs · its objectives · its projects the reader may see
    with django_assert_num_queries(5):
        client.get(mission_url(mission))
    for index in range(5):
        factories.VisitFactory(mission=mission, city=f"Ville {index}")
        factories.VisitFactory(mission=mission, organisation=None, structure=factories.StructureFactory())
        factories.ObjectiveFactory(mission=mission, position=index + 2)
        Participant.objects.create(
            mission=mission, name=f"Personne {index}", organisation=factories.OrganisationFactory()
        )
        mission.projects.add(factories.ProjectFactory(is_published=True, published_at=timezone.now()))
    with django_assert_num_queries(5):
        response = client.get(mission_url(mission))
    assert len(response.context["visits"]) == 12
    assert len(response.context["objectives"]) == 7


# --- The demo data --------------------------------------------------------------------------------------


def test_demo_partnerships_missions_and_atis_page_render(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(projects=0, seed=2026)

    listing = client.get(reverse("partnerships:list"))
    assert {p.slug for p in listing.context["page_obj"].object_list} >= {
        "avise-poles-economie-sociale-quebec",
        "cereso-ptce-sud-aquitaine",
    }
    for partnership in listing.context["page_obj"].object_list:
        assert client.get(detail_url(partnership)).status_code == 200
    cereso = client.get(reverse("partnerships:mission_detail", args=["mission-cereso-tarnos-2023"]))
    assert "16 octobre 2023, 09:00</time> au <time" in cereso.content.decode()
    assert len(cereso.context["objectives"]) == 6
    study_trip = client.get(reverse("partnerships:mission_detail", args=["voyage-etude-poles-quebec-2025"]))
    assert f'href="{reverse("network:detail", args=["atis"])}"' in study_trip.content.decode()
    assert "Voyage d&#x27;étude des Pôles" in structure_page(client, Structure.objects.get(slug="atis"))
