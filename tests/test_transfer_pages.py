"""The know-how transfer pages: the list /transferts/ (filters, pages, empty states), a transfer's page,
the proposal form, the staff's edit form and their validate / unpublish confirmations. Every view for
every role (anonymous, outsider = coordinator of another structure, partner, coordinator = the proposer,
staff), and query counts."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from network.models import Structure, Territory
from partnerships.models import KnowHowTransfer, Organisation
from partnerships.transfer_views import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = reverse("partnerships:transfers")
PROPOSE_URL = reverse("partnerships:transfer_propose")
ROLES = ["anonymous", "outsider", "partner_user", "coordinator", "staff"]
VALIDATED = {"status": KnowHowTransfer.Status.VALIDATED, "is_published": True}
PUBLISHED_PROJECT = {"is_published": True, "published_at": dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC)}


@pytest.fixture
def login(client, request):
    """Signs in as the role fixture named (or stays anonymous) and returns the client."""

    def sign_in(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in


def url(name: str, transfer: KnowHowTransfer) -> str:
    return reverse(f"partnerships:{name}", args=[transfer.slug])


def listed(response) -> list[str]:
    return [transfer.title for transfer in response.context["object_list"]]


@pytest.fixture
def published(db):
    """ETIC → PTCE Figeacteurs, validated and published, with one beneficiary."""
    transfer = factories.KnowHowTransferFactory(
        title="ETIC → PTCE Figeacteurs : tiers-lieu", slug="etic-figeacteurs",
        provider__name="ETIC", started_on=dt.date(2020, 2, 1), ended_on=dt.date(2020, 10, 31), **VALIDATED,
    )  # fmt: skip
    factories.BeneficiaryFactory(transfer=transfer, organisation__name="PTCE Figeacteurs")
    return transfer


@pytest.fixture
def proposal(coordinator, tag22):
    """A transfer TAg22's coordinator proposed, waiting for validation."""
    transfer = factories.KnowHowTransferFactory(
        title="GRAP → TAg22 : filière bio", slug="grap-tag22", provider__name="GRAP",
        topic=KnowHowTransfer.Topic.FOOD_CHAIN, proposed_by=coordinator,
    )  # fmt: skip
    factories.BeneficiaryFactory(transfer=transfer, structure=tag22, organisation=None)
    return transfer


# --- The list --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_published_transfers_and_only_the_proposers_own_proposal(login, role, published, proposal):
    response = login(role).get(LIST_URL)

    assert response.status_code == 200
    expected = [published.title] + ([proposal.title] if role in {"coordinator", "staff"} else [])
    assert sorted(listed(response)) == sorted(expected)


def test_list_row_shows_provider_beneficiaries_topic_format_dates_and_programme(client, published):
    programme = factories.ProgrammeFactory(name="Transfert de savoir-faire des Territoires French Impact")
    KnowHowTransfer.objects.filter(pk=published.pk).update(programme=programme)

    html = client.get(LIST_URL).content.decode()

    assert f'<a href="{url("transfer_detail", published)}">ETIC → PTCE Figeacteurs : tiers-lieu</a>' in html
    assert "ETIC" in html and "PTCE Figeacteurs" in html
    assert "Tiers-lieu" in html
    assert "Individuel" in html
    assert "du 1er février 2020 au 31 octobre 2020" in html
    assert "Transfert de savoir-faire des Territoires French Impact" in html
    assert "1 transfert" in html


def test_proposer_sees_the_status_of_their_proposal_in_the_list(login, proposal):
    html = login("coordinator").get(LIST_URL).content.decode()

    assert "Proposé — en attente de validation par l'Avise" in html


def test_list_says_so_when_nothing_is_published(client, proposal):
    html = client.get(LIST_URL).content.decode()

    assert "Aucun transfert de savoir-faire n'est encore publié." in html


def test_list_says_so_when_no_transfer_matches_the_filters(client, published):
    html = client.get(LIST_URL, {"topic": KnowHowTransfer.Topic.MOBILITY}).content.decode()

    assert "Aucun transfert ne correspond à ces filtres." in html


def test_list_shows_twenty_transfers_a_page(client):
    factories.KnowHowTransferFactory.create_batch(PAGE_SIZE + 1, **VALIDATED)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert len(first.context["object_list"]) == PAGE_SIZE == 20
    assert len(second.context["object_list"]) == 1
    assert "Page 2 sur 2" in second.content.decode()


@pytest.mark.parametrize("role", ["coordinator", "outsider", "staff"])
def test_coordinators_and_staff_get_the_link_to_propose_a_transfer(login, role):
    assert f'href="{PROPOSE_URL}"' in login(role).get(LIST_URL).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "partner_user"])
def test_public_and_partners_get_no_link_to_propose(login, role):
    assert f'href="{PROPOSE_URL}"' not in login(role).get(LIST_URL).content.decode()


# --- Filters ---------------------------------------------------------------------------------------------


@pytest.fixture
def three_transfers(tag22, atis):
    """Three published transfers differing in topic, format, year and région of their beneficiaries."""
    Structure.objects.filter(pk=tag22.pk).update(departement=factories.departement("22"))  # Bretagne
    gironde = factories.TerritoryFactory(
        kind=Territory.Kind.DEPARTEMENT, departements=[factories.departement("33")]
    )
    atis.territories.add(gironde)  # ATIS acts in Nouvelle-Aquitaine (no seat set)
    tiers_lieu = factories.KnowHowTransferFactory(
        title="Tiers-lieu",
        topic=KnowHowTransfer.Topic.THIRD_PLACE,
        started_on=dt.date(2020, 2, 1),
        **VALIDATED,
    )
    factories.BeneficiaryFactory(transfer=tiers_lieu, structure=tag22, organisation=None)
    fonciere = factories.KnowHowTransferFactory(
        title="Foncière solidaire", provider__name="Villages vivants", topic=KnowHowTransfer.Topic.LAND_TRUST,
        started_on=dt.date(2021, 11, 15), **VALIDATED,
    )  # fmt: skip
    factories.BeneficiaryFactory(transfer=fonciere, structure=atis, organisation=None)
    visite = factories.KnowHowTransferFactory(
        title="Visite apprenante", format=KnowHowTransfer.Format.COLLECTIVE,
        topic=KnowHowTransfer.Topic.GOVERNANCE, started_on=dt.date(2020, 10, 23), **VALIDATED,
    )  # fmt: skip
    factories.BeneficiaryFactory(transfer=visite, organisation__name="CAPEE")
    factories.BeneficiaryFactory(transfer=visite, organisation__name="Marseille Solutions")
    return tiers_lieu, fonciere, visite


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Foncière solidaire", "Visite apprenante", "Tiers-lieu"]),
        ({"topic": "land_trust"}, ["Foncière solidaire"]),
        ({"format": "collective"}, ["Visite apprenante"]),
        ({"year": "2020"}, ["Visite apprenante", "Tiers-lieu"]),
        ({"region": "53"}, ["Tiers-lieu"]),  # Bretagne: TAg22's seat
        ({"region": "75"}, ["Foncière solidaire"]),  # Nouvelle-Aquitaine: a territory of ATIS
        ({"region": "11"}, []),  # Île-de-France: nobody
        ({"q": "villages"}, ["Foncière solidaire"]),  # the provider's name
        ({"q": "marseille"}, ["Visite apprenante"]),  # a beneficiary's name
        ({"q": "TIERS"}, ["Tiers-lieu"]),  # the title, whatever the case
        ({"year": "2020", "format": "individual"}, ["Tiers-lieu"]),
    ],
)
def test_each_filter_narrows_the_list(client, three_transfers, params, expected):
    assert listed(client.get(LIST_URL, params)) == expected


def test_year_choices_are_the_years_of_the_visible_transfers(client, three_transfers, coordinator):
    factories.KnowHowTransferFactory(started_on=dt.date(2019, 5, 1), proposed_by=coordinator)  # unpublished

    choices = client.get(LIST_URL).context["filter"].form.fields["year"].choices

    assert [value for value, _label in choices] == ["", "2021", "2020"]


def test_unknown_year_is_ignored_not_an_empty_list(client, three_transfers):
    assert len(listed(client.get(LIST_URL, {"year": "1999"}))) == 3


def test_region_filter_explains_its_rule(client):
    html = client.get(LIST_URL).content.decode()

    assert "Les autres organisations bénéficiaires n'ont pas de région" in html


# --- A transfer's page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_published_transfer_without_its_status(login, role, published):
    response = login(role).get(url("transfer_detail", published))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>ETIC → PTCE Figeacteurs : tiers-lieu</h1>" in html
    assert "PTCE Figeacteurs" in html
    assert ("Validé et publié" in html) == (role == "staff")


@pytest.mark.parametrize(
    ("role", "status"), [*[(r, 404) for r in ROLES[:3]], ("coordinator", 200), ("staff", 200)]
)
def test_only_the_proposer_and_staff_read_a_proposal(login, role, status, proposal):
    response = login(role).get(url("transfer_detail", proposal))

    assert response.status_code == status
    if status == 200:
        assert "Proposé — en attente de validation par l&#x27;Avise" in response.content.decode()


def test_page_links_public_structures_only_and_shows_every_field(client, published, tag22):
    candidate = factories.StructureFactory(name="Future Fabrique", phase=Structure.Phase.CANDIDATE)
    factories.BeneficiaryFactory(transfer=published, structure=tag22, organisation=None)
    factories.BeneficiaryFactory(transfer=published, structure=candidate, organisation=None)
    KnowHowTransfer.objects.filter(pk=published.pk).update(
        city="Figeac", description="Appui sur un tiers-lieu.", testimonial="« Un regard aiguisé. »",
        outcome="Le tiers-lieu a ouvert.",
        programme=factories.ProgrammeFactory(name="Territoires French Impact"),
    )  # fmt: skip

    html = client.get(url("transfer_detail", published)).content.decode()

    assert f'<a href="{reverse("network:detail", args=["tag22"])}">TAg22</a>' in html
    assert "<li>Future Fabrique</li>" in html  # a candidate has no public page: no link
    for text in ["Figeac", "Appui sur un tiers-lieu.", "« Un regard aiguisé. »", "Le tiers-lieu a ouvert."]:
        assert text in html
    assert "Territoires French Impact" in html
    assert "du 1er février 2020 au 31 octobre 2020" in html


def test_page_lists_only_the_linked_projects_the_reader_may_see(client, published, tag22):
    public = factories.ProjectFactory(title="Garage solidaire", structure=tag22, **PUBLISHED_PROJECT)
    draft = factories.ProjectFactory(title="Conciergerie en préparation", structure=tag22)
    published.projects.set([public, draft])

    html = client.get(url("transfer_detail", published)).content.decode()

    assert "Garage solidaire" in html
    assert "Conciergerie en préparation" not in html


@pytest.mark.parametrize("role", ROLES[:4])
def test_only_staff_get_the_edit_and_validate_actions(login, role, published):
    html = login(role).get(url("transfer_detail", published)).content.decode()

    assert url("transfer_edit", published) not in html
    assert url("transfer_unpublish", published) not in html


def test_staff_get_edit_and_validate_links_on_a_proposal(login, proposal):
    html = login("staff").get(url("transfer_detail", proposal)).content.decode()

    assert url("transfer_edit", proposal) in html
    assert url("transfer_validate", proposal) in html


# --- Proposing -------------------------------------------------------------------------------------------


def proposal_data(**overrides) -> dict:
    provider = Organisation.objects.get(name="ETIC")
    data = {
        "title": "ETIC → Figeacteurs",
        "provider": provider.pk,
        "new_provider_kind": "ess_enterprise",
        "format": "individual",
        "topic": "third_place",
        "started_on": "2020-02-01",
        "ended_on": "2020-10-31",
        "city": "Figeac",
    }
    return data | overrides


@pytest.fixture
def etic():
    return factories.OrganisationFactory(name="ETIC", slug="etic", country="FR")


def test_anonymous_visitor_is_sent_to_sign_in_to_propose(client):
    response = client.get(PROPOSE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_partner_may_not_propose_a_transfer(login):
    assert login("partner_user").get(PROPOSE_URL).status_code == 403
    assert login("partner_user").post(PROPOSE_URL, {}).status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "outsider", "staff"])
def test_coordinators_and_staff_get_the_proposal_form(login, role):
    response = login(role).get(PROPOSE_URL)

    assert response.status_code == 200
    assert "<h1>Proposer un transfert de savoir-faire</h1>" in response.content.decode()


def test_proposal_form_offers_only_the_coordinators_projects(login, tag22, atis):
    factories.ProjectFactory(title="Garage de TAg22", structure=tag22)
    factories.ProjectFactory(title="Foncière d'ATIS", structure=atis, **PUBLISHED_PROJECT)

    html = login("coordinator").get(PROPOSE_URL).content.decode()

    assert "Garage de TAg22 (TAg22)" in html
    assert "Foncière d&#x27;ATIS" not in html


def test_coordinator_proposes_a_transfer_and_sees_it_waiting(login, coordinator, tag22, etic):
    client = login("coordinator")

    response = client.post(PROPOSE_URL, proposal_data(structures=[tag22.pk]), follow=True)

    transfer = KnowHowTransfer.objects.get()
    assert response.redirect_chain == [(url("transfer_detail", transfer), 302)]
    assert (transfer.status, transfer.is_published, transfer.proposed_by) == ("proposed", False, coordinator)
    assert "Proposé — en attente de validation par l&#x27;Avise" in response.content.decode()


def test_staff_record_a_transfer_through_the_same_form(login, staff, atis, etic):
    response = login("staff").post(PROPOSE_URL, proposal_data(structures=[atis.pk]))

    assert response.status_code == 302
    transfer = KnowHowTransfer.objects.get()
    assert (transfer.proposed_by, transfer.status) == (staff, "proposed")


def test_proposal_with_a_new_provider_by_name(login, tag22, etic):
    data = proposal_data(
        provider="", new_provider_name="GRAP", new_provider_city="Lyon", structures=[tag22.pk]
    )

    login("coordinator").post(PROPOSE_URL, data)

    assert KnowHowTransfer.objects.get().provider == Organisation.objects.get(name="GRAP", city="Lyon")


TAG22 = "the pk of TAg22"  # replaced in the test: the fixture does not exist at collection time


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"format": "collective"}, "a au moins deux bénéficiaires."),
        ({}, "Un transfert individuel a exactement un bénéficiaire."),  # no beneficiary ticked
        ({"ended_on": "2020-01-31", "structures": TAG22}, "ne peut pas finir avant d&#x27;avoir commencé."),
        ({"provider": "", "structures": TAG22}, "Choisissez une structure apporteuse existante"),
    ],
)
def test_invalid_proposal_is_shown_again_with_a_french_message(login, tag22, etic, overrides, message):
    if overrides.get("structures") == TAG22:
        overrides["structures"] = [tag22.pk]

    response = login("coordinator").post(PROPOSE_URL, proposal_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not KnowHowTransfer.objects.exists()


# --- Editing, validating, unpublishing (staff only) ------------------------------------------------------


@pytest.mark.parametrize("name", ["transfer_edit", "transfer_validate", "transfer_unpublish"])
def test_anonymous_visitor_is_sent_to_sign_in_for_staff_actions(client, published, name):
    for method in (client.get, client.post):
        response = method(url(name, published))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["transfer_edit", "transfer_validate", "transfer_unpublish"])
@pytest.mark.parametrize("role", ["outsider", "partner_user", "coordinator"])
def test_others_than_staff_may_not_edit_validate_or_unpublish(login, role, name, published, proposal):
    client = login(role)
    assert client.get(url(name, published)).status_code == 403
    assert client.post(url(name, published)).status_code == 403
    # A proposal they cannot see stays hidden (404); the proposer sees theirs but may not act on it (403).
    assert client.post(url(name, proposal)).status_code == (403 if role == "coordinator" else 404)
    published.refresh_from_db()
    proposal.refresh_from_db()
    assert (published.is_published, proposal.status) == (True, "proposed")


def test_staff_edit_form_is_filled_with_the_transfer(login, proposal, tag22):
    response = login("staff").get(url("transfer_edit", proposal))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "GRAP → TAg22 : filière bio"
    assert form.initial["structures"] == [tag22.pk]
    assert "Témoignage" in response.content.decode()


def test_staff_edit_saves_the_changes(login, proposal, tag22, etic):
    data = proposal_data(title="GRAP → TAg22", structures=[tag22.pk], outcome="Une filière structurée.")

    response = login("staff").post(url("transfer_edit", proposal), data)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.outcome, proposal.provider) == (
        "GRAP → TAg22",
        "Une filière structurée.",
        etic,
    )


def test_staff_validation_asks_for_confirmation_then_publishes(login, proposal):
    client = login("staff")

    page = client.get(url("transfer_validate", proposal))
    proposal.refresh_from_db()
    assert proposal.status == "proposed"  # showing the confirmation changes nothing
    assert "Oui, valider et publier" in page.content.decode()

    response = client.post(url("transfer_validate", proposal))

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.is_published) == ("validated", True)


def test_staff_unpublish_asks_for_confirmation_then_hides_the_transfer(login, published, client):
    staff_client = login("staff")
    assert (
        "Oui, retirer de la publication"
        in staff_client.get(url("transfer_unpublish", published)).content.decode()
    )

    staff_client.post(url("transfer_unpublish", published))

    published.refresh_from_db()
    assert (published.status, published.is_published) == ("validated", False)
    assert Client().get(url("transfer_detail", published)).status_code == 404


def test_validation_without_csrf_token_is_refused(staff, proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.post(url("transfer_validate", proposal)).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


# --- Query counts ----------------------------------------------------------------------------------------


def add_transfers(count: int, beneficiaries: int) -> None:
    programme = factories.ProgrammeFactory()
    for _ in range(count):
        transfer = factories.KnowHowTransferFactory(programme=programme, **VALIDATED)
        for _ in range(beneficiaries):
            factories.BeneficiaryFactory(
                transfer=transfer, structure=factories.StructureFactory(), organisation=None
            )


@pytest.mark.parametrize(("count", "beneficiaries"), [(1, 1), (8, 3)])
def test_list_runs_the_same_queries_for_one_or_many_transfers(
    client, django_assert_num_queries, count, beneficiaries
):
    add_transfers(count, beneficiaries)

    # 1 count of the transfers, 2 the page of transfers with their provider and programme, 3 their
    # beneficiaries with structure or organisation, 4 the years for the filter, 5 the régions for the filter.
    with django_assert_num_queries(5):
        client.get(LIST_URL)


@pytest.mark.parametrize(("count", "beneficiaries"), [(1, 1), (1, 6)])
def test_page_runs_the_same_queries_for_one_or_many_beneficiaries(
    client, django_assert_num_queries, count, beneficiaries
):
    add_transfers(count, beneficiaries)
    transfer = KnowHowTransfer.objects.get()
    transfer.projects.set(factories.ProjectFactory.create_batch(beneficiaries, **PUBLISHED_PROJECT))

    # 1 the transfer with its provider and programme, 2 its beneficiaries with structure or organisation,
    # 3 its projects the reader may see.
    with django_assert_num_queries(3):
        client.get(url("transfer_detail", transfer))


def test_staffs_list_adds_only_the_session_and_user_queries(login, django_assert_num_queries):
    add_transfers(3, 2)
    client = login("staff")

    # 1 the session, 2 the user, then the 5 queries of the public list.
    with django_assert_num_queries(7):
        client.get(LIST_URL)
