"""The know-how transfers' writes (partnerships.transfer_services): who proposes, edits, validates and
publishes; the beneficiary and date rules; what each user sees; the staff's e-mail on a proposal."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from partnerships import transfer_services as services
from partnerships.access import visible_transfers
from partnerships.models import Beneficiary, KnowHowTransfer, Organisation
from partnerships.tasks import notify_transfer_proposed
from tests import factories

pytestmark = pytest.mark.django_db

INDIVIDUAL = KnowHowTransfer.Format.INDIVIDUAL
COLLECTIVE = KnowHowTransfer.Format.COLLECTIVE
PUBLISHED = {"is_published": True, "published_at": dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC)}


@pytest.fixture
def etic():
    return factories.OrganisationFactory(name="ETIC", slug="etic", country="FR")


@pytest.fixture
def figeacteurs():
    return factories.OrganisationFactory(name="PTCE Figeacteurs", slug="figeacteurs", country="FR")


def propose(user, provider, **overrides):
    values = {
        "user": user,
        "title": "ETIC → PTCE Figeacteurs : montage d'un tiers-lieu",
        "topic": KnowHowTransfer.Topic.THIRD_PLACE,
        "format": INDIVIDUAL,
        "started_on": dt.date(2020, 2, 1),
        "ended_on": dt.date(2020, 10, 31),
        "provider": provider,
    }
    return services.propose_transfer(**(values | overrides))


def message_of(error: ValidationError, field: str) -> str:
    return " ".join(error.value.message_dict[field])


# --- Proposing -------------------------------------------------------------------------------------------


def test_coordinator_proposal_waits_unpublished_for_the_staffs_validation(coordinator, etic, figeacteurs):
    transfer = propose(coordinator, etic, organisations=[figeacteurs])

    transfer.refresh_from_db()
    assert transfer.status == KnowHowTransfer.Status.PROPOSED
    assert transfer.is_published is False
    assert transfer.proposed_by == coordinator
    assert transfer.slug == "etic-ptce-figeacteurs-montage-dun-tiers-lieu"
    assert [b.organisation for b in transfer.beneficiaries.all()] == [figeacteurs]


def test_proposal_with_a_title_already_used_gets_a_numbered_slug(coordinator, etic, figeacteurs):
    first = propose(coordinator, etic, organisations=[figeacteurs])
    second = propose(coordinator, etic, organisations=[figeacteurs])

    assert second.slug == f"{first.slug}-2"


@pytest.mark.parametrize("role", ["partner_user", "outsider_without_structure"])
def test_only_coordinators_and_staff_may_propose_a_transfer(request, role, etic, figeacteurs):
    user = factories.UserFactory() if role == "outsider_without_structure" else request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        propose(user, etic, organisations=[figeacteurs])

    assert not KnowHowTransfer.objects.exists()


def test_individual_transfer_needs_exactly_one_beneficiary(coordinator, tag22, etic, figeacteurs):
    for beneficiaries in ({}, {"structures": [tag22], "organisations": [figeacteurs]}):
        with pytest.raises(ValidationError) as error:
            propose(coordinator, etic, format=INDIVIDUAL, **beneficiaries)
        assert message_of(error, "beneficiaries") == "Un transfert individuel a exactement un bénéficiaire."

    assert not KnowHowTransfer.objects.exists()


def test_collective_transfer_needs_at_least_two_beneficiaries(coordinator, tag22, etic, figeacteurs):
    with pytest.raises(ValidationError) as error:
        propose(coordinator, etic, format=COLLECTIVE, organisations=[figeacteurs])

    assert "au moins deux bénéficiaires" in message_of(error, "beneficiaries")
    transfer = propose(coordinator, etic, format=COLLECTIVE, structures=[tag22], organisations=[figeacteurs])
    assert transfer.beneficiaries.count() == 2


def test_the_same_beneficiary_twice_counts_once(coordinator, etic, figeacteurs):
    with pytest.raises(ValidationError):
        propose(coordinator, etic, format=COLLECTIVE, organisations=[figeacteurs, figeacteurs])


def test_transfer_cannot_end_before_it_starts(coordinator, etic, figeacteurs):
    with pytest.raises(ValidationError) as error:
        propose(
            coordinator, etic, organisations=[figeacteurs],
            started_on=dt.date(2020, 11, 15), ended_on=dt.date(2020, 11, 14),
        )  # fmt: skip

    assert message_of(error, "ended_on") == "Le transfert ne peut pas finir avant d'avoir commencé."


def test_proposal_may_name_a_new_provider_which_is_created(coordinator, figeacteurs):
    new = services.NewOrganisation(
        name="Villages vivants", kind=Organisation.Kind.ESS_ENTERPRISE, city="Crest"
    )

    transfer = propose(coordinator, None, new_provider=new, organisations=[figeacteurs])

    provider = Organisation.objects.get(slug="villages-vivants")
    assert transfer.provider == provider
    assert (provider.kind, provider.city) == (Organisation.Kind.ESS_ENTERPRISE, "Crest")


def test_refused_proposal_leaves_no_new_provider_behind(coordinator):
    new = services.NewOrganisation(name="Villages vivants")

    with pytest.raises(ValidationError):
        propose(coordinator, None, new_provider=new)  # no beneficiary

    assert not Organisation.objects.filter(name="Villages vivants").exists()


def test_proposal_needs_one_provider_existing_or_new_not_both(coordinator, etic, figeacteurs):
    with pytest.raises(ValidationError) as error:
        propose(
            coordinator, etic, new_provider=services.NewOrganisation(name="GRAP"), organisations=[figeacteurs]
        )

    assert "structure apporteuse" in message_of(error, "provider")


def test_coordinator_links_only_their_structures_projects(coordinator, tag22, atis, etic, figeacteurs):
    own = factories.ProjectFactory(structure=tag22)
    other = factories.ProjectFactory(structure=atis, **PUBLISHED)

    with pytest.raises(ValidationError) as error:
        propose(coordinator, etic, organisations=[figeacteurs], projects=[own, other])
    assert "vos structures" in message_of(error, "projects")

    transfer = propose(coordinator, etic, organisations=[figeacteurs], projects=[own])
    assert list(transfer.projects.all()) == [own]


# --- The staff's e-mail ----------------------------------------------------------------------------------


def test_coordinator_proposal_emails_each_staff_member_once_committed(
    coordinator, staff, etic, figeacteurs, django_capture_on_commit_callbacks
):
    factories.StaffFactory(email="direction@avise.example.org")
    factories.StaffFactory(email="ancien@avise.example.org", is_active=False)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        propose(coordinator, etic, organisations=[figeacteurs])
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert sorted(message.to[0] for message in mail.outbox) == [
        "avise@example.org",
        "direction@avise.example.org",
    ]
    assert "Transfert proposé à valider" in mail.outbox[0].subject
    assert "/transferts/etic-ptce-figeacteurs-montage-dun-tiers-lieu/" in mail.outbox[0].body


def test_staff_recording_a_transfer_emails_nobody(
    staff, etic, figeacteurs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        propose(staff, etic, organisations=[figeacteurs])

    assert mail.outbox == []


def test_notification_of_an_already_validated_transfer_is_not_sent(staff):
    transfer = factories.KnowHowTransferFactory(status=KnowHowTransfer.Status.VALIDATED)

    assert notify_transfer_proposed(transfer.pk) == 0
    assert notify_transfer_proposed(transfer.pk + 1000) == 0  # gone
    assert mail.outbox == []


# --- Editing, validating, publishing ---------------------------------------------------------------------


def test_staff_edit_replaces_the_beneficiaries_and_keeps_the_slug(
    staff, coordinator, tag22, etic, figeacteurs
):
    transfer = propose(coordinator, etic, organisations=[figeacteurs])
    slug = transfer.slug

    services.update_transfer(
        user=staff, transfer=transfer, provider=etic, structures=[tag22], title="Nouveau titre",
        testimonial="« Un regard extérieur précieux. »",
    )  # fmt: skip

    transfer.refresh_from_db()
    assert (transfer.title, transfer.slug) == ("Nouveau titre", slug)
    assert transfer.testimonial == "« Un regard extérieur précieux. »"
    assert [b.structure for b in Beneficiary.objects.filter(transfer=transfer)] == [tag22]


def test_proposer_cannot_edit_their_own_proposal(coordinator, etic, figeacteurs):
    transfer = propose(coordinator, etic, organisations=[figeacteurs])

    with pytest.raises(PermissionDenied):
        services.update_transfer(
            user=coordinator, transfer=transfer, provider=etic, organisations=[figeacteurs]
        )


def test_update_refuses_the_status_and_publication_fields(staff):
    transfer = factories.KnowHowTransferFactory()

    with pytest.raises(ValueError, match="is_published"):
        services.update_transfer(user=staff, transfer=transfer, provider=transfer.provider, is_published=True)


@pytest.mark.parametrize("role", ["coordinator", "outsider", "partner_user"])
def test_only_staff_validate_a_transfer(request, role):
    transfer = factories.KnowHowTransferFactory(proposed_by=request.getfixturevalue("coordinator"))

    with pytest.raises(PermissionDenied):
        services.validate_transfer(user=request.getfixturevalue(role), transfer=transfer)

    transfer.refresh_from_db()
    assert (transfer.status, transfer.is_published) == (KnowHowTransfer.Status.PROPOSED, False)


def test_staff_validation_validates_and_publishes(staff):
    transfer = factories.KnowHowTransferFactory()

    services.validate_transfer(user=staff, transfer=transfer)

    transfer.refresh_from_db()
    assert (transfer.status, transfer.is_published) == (KnowHowTransfer.Status.VALIDATED, True)


def test_transfer_is_published_only_if_validated(staff):
    transfer = factories.KnowHowTransferFactory()

    with pytest.raises(ValidationError, match="validé avant d'être publié"):
        services.publish_transfer(user=staff, transfer=transfer)
    # The table refuses it too, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        KnowHowTransfer.objects.filter(pk=transfer.pk).update(is_published=True)


def test_unpublished_transfer_stays_validated_and_can_be_published_again(staff, coordinator):
    transfer = factories.KnowHowTransferFactory(status=KnowHowTransfer.Status.VALIDATED, is_published=True)
    with pytest.raises(PermissionDenied):
        services.unpublish_transfer(user=coordinator, transfer=transfer)

    services.unpublish_transfer(user=staff, transfer=transfer)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.is_published) == (KnowHowTransfer.Status.VALIDATED, False)

    services.publish_transfer(user=staff, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.is_published is True


# --- Who sees what ---------------------------------------------------------------------------------------


def test_coordinator_sees_their_own_proposal_but_not_others_unpublished(coordinator, outsider, staff):
    published = factories.KnowHowTransferFactory(status=KnowHowTransfer.Status.VALIDATED, is_published=True)
    own = factories.KnowHowTransferFactory(proposed_by=coordinator)
    others = factories.KnowHowTransferFactory(proposed_by=outsider)
    unpublished = factories.KnowHowTransferFactory(
        status=KnowHowTransfer.Status.VALIDATED, proposed_by=outsider
    )

    assert set(visible_transfers(coordinator)) == {published, own}
    assert set(visible_transfers(outsider)) == {published, others, unpublished}
    assert set(visible_transfers(factories.UserFactory())) == {published}
    assert visible_transfers(staff).count() == 4
