"""Every database constraint rejects the bad data it exists for, in the database itself and in
`full_clean()` (which forms and imports call), and no constraint is left without a case here."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, UniqueConstraint
from django.utils import timezone

from fabrique.models import ImportRun, Invitation
from programmes.models import ProgrammeBooklet
from projects.models import ProjectFiche
from tests import factories as f

PARIS_NOON = dt.datetime(2023, 10, 16, 10, tzinfo=dt.UTC)


def first(factory, **kwargs):
    """Build the valid object a duplicate case is measured against."""
    return factory(**kwargs)


# constraint name → a callable creating an object that violates it (the valid neighbours it needs included)
CHECK_CASES = {
    "territory_kind_valid": lambda: f.TerritoryFactory(kind="planete"),
    "territory_country_valid": lambda: f.TerritoryFactory(country="XX"),
    "territory_qpv_code_only_for_qpv": lambda: f.TerritoryFactory(kind="rural", qpv_code="QN06701M"),
    "territory_point_complete_and_valid": lambda: f.TerritoryFactory(latitude=48.1),
    "structure_legal_form_valid": lambda: f.StructureFactory(legal_form="sarl-magique"),
    "structure_phase_valid": lambda: f.StructureFactory(phase="graduated"),
    "structure_labelled_has_date": lambda: f.StructureFactory(phase="labelled", labelled_on=None),
    "phasechange_from_valid": lambda: f.PhaseChangeFactory(from_phase="nowhere"),
    "phasechange_to_valid": lambda: f.PhaseChangeFactory(to_phase="nowhere"),
    "phasechange_changes_phase": lambda: f.PhaseChangeFactory(from_phase="labelled", to_phase="labelled"),
    "committee_status_valid": lambda: f.PeerCommitteeFactory(status="postponed"),
    "committee_has_place_or_link": lambda: f.PeerCommitteeFactory(place="", video_url=""),
    "application_status_valid": lambda: f.ApplicationFactory(status="lost"),
    "application_decision_valid": lambda: f.ApplicationFactory(
        status="decided", decision="maybe", decided_on=dt.date(2026, 6, 15), submitted_at=PARIS_NOON
    ),
    "application_decision_iff_decided": lambda: f.ApplicationFactory(
        status="decided", decision="", decided_on=None, submitted_at=PARIS_NOON
    ),
    "application_submitted_has_date": lambda: f.ApplicationFactory(status="submitted", submitted_at=None),
    "opinion_verdict_valid": lambda: apps.get_model("network", "Opinion").objects.create(
        application=f.ApplicationFactory(), member=f.StructureFactory(labelled=True), verdict="bof"
    ),
    "partner_kind_valid": lambda: f.PartnerFactory(kind="secret"),
    "programme_ends_after_start": lambda: f.ProgrammeFactory(
        start_date=dt.date(2021, 1, 1), end_date=dt.date(2020, 1, 1)
    ),
    "funding_role_valid": lambda: f.FundingFactory(role="sponsor"),
    "funding_amount_positive": lambda: f.FundingFactory(amount=-1),
    "participation_ends_after_start": lambda: f.ParticipationFactory(
        start_date=dt.date(2021, 1, 1), end_date=dt.date(2020, 1, 1)
    ),
    "project_stage_valid": lambda: f.ProjectFactory(stage="dreaming"),
    "project_sector_valid": lambda: f.ProjectFactory(sector="space"),
    "project_study_conclusion_valid": lambda: f.ProjectFactory(study_conclusion="perhaps"),
    "project_abandoned_has_reason": lambda: f.ProjectFactory(stage="abandoned", abandon_reason=""),
    "project_launched_has_start": lambda: f.ProjectFactory(stage="launched", started_on=None),
    "project_study_dates_ordered": lambda: f.ProjectFactory(
        study_started_on=dt.date(2024, 5, 1), study_completed_on=dt.date(2024, 4, 1)
    ),
    "project_published_has_date": lambda: f.ProjectFactory(is_published=True, published_at=None),
    "stagechange_from_valid": lambda: f.StageChangeFactory(from_stage="dreaming"),
    "stagechange_to_valid": lambda: f.StageChangeFactory(to_stage="dreaming"),
    "stagechange_changes_stage": lambda: f.StageChangeFactory(from_stage="invention", to_stage="invention"),
    "indicator_kind_valid": lambda: f.IndicatorFactory(kind="happiness"),
    "indicator_value_positive": lambda: f.IndicatorFactory(value=-2),
    "document_kind_valid": lambda: f.DocumentFactory(kind="secret"),
    "projectfiche_status_valid": lambda: ProjectFiche.objects.create(
        project=f.ProjectFactory(), status="lost"
    ),
    "programmebooklet_status_valid": lambda: ProgrammeBooklet.objects.create(
        programme=f.ProgrammeFactory(), status="lost"
    ),
    "programmebooklet_progress_bounded": lambda: ProgrammeBooklet.objects.create(
        programme=f.ProgrammeFactory(), fiches_total=3, fiches_done=4
    ),
    "invitation_accepted_or_revoked": lambda: Invitation.objects.create(
        email="a@example.org",
        key="k",
        sent_at=timezone.now(),
        accepted_at=timezone.now(),
        revoked_at=timezone.now(),
    ),
    "importrun_status_valid": lambda: ImportRun.objects.create(
        kind="projets", file_name="p.csv", status="lost"
    ),
    "application_letter_status_valid": lambda: f.ApplicationFactory(letter_status="lost"),
    "organisation_kind_valid": lambda: f.OrganisationFactory(kind="club"),
    "organisation_country_valid": lambda: f.OrganisationFactory(country="BE"),
    "partnership_ends_after_start": lambda: f.PartnershipFactory(
        start_date=dt.date(2025, 1, 1), end_date=dt.date(2024, 1, 1)
    ),
    "party_side_valid": lambda: apps.get_model("partnerships", "Party").objects.create(
        partnership=f.PartnershipFactory(), organisation=f.OrganisationFactory(), side="BE"
    ),
    "agreement_status_valid": lambda: f.AgreementFactory(status="lost", signed_on=dt.date(2023, 10, 19)),
    "agreement_signed_has_date": lambda: f.AgreementFactory(status="signed", signed_on=None),
    "mission_kind_valid": lambda: f.MissionFactory(kind="holiday"),
    "mission_direction_valid": lambda: f.MissionFactory(direction="fr_to_be"),
    "mission_timezone_valid": lambda: f.MissionFactory(timezone="Europe/Brussels"),
    "mission_ends_after_start": lambda: f.MissionFactory(
        starts_at=PARIS_NOON, ends_at=PARIS_NOON - dt.timedelta(days=1)
    ),
    "visit_structure_xor_organisation": lambda: f.VisitFactory(structure=f.StructureFactory()),
    "objective_outcome_valid": lambda: f.ObjectiveFactory(outcome="failed"),
    "transfer_topic_valid": lambda: f.KnowHowTransferFactory(topic="astrology"),
    "transfer_format_valid": lambda: f.KnowHowTransferFactory(format="massive"),
    "transfer_status_valid": lambda: f.KnowHowTransferFactory(status="rumoured"),
    "transfer_ends_after_start": lambda: f.KnowHowTransferFactory(
        started_on=dt.date(2020, 3, 1), ended_on=dt.date(2020, 2, 1)
    ),
    "transfer_published_only_if_validated": lambda: f.KnowHowTransferFactory(
        status="proposed", is_published=True
    ),
    "beneficiary_structure_xor_organisation": lambda: f.BeneficiaryFactory(organisation=None),
}


def _duplicate(factory, **shared):
    def make():
        factory(**shared)
        factory(**shared)

    return make


def _same_user_twice(factory, other: str):
    def make():
        existing = factory()
        factory(user=existing.user, **{other: getattr(existing, other)})

    return make


def _two_open_applications():
    structure = f.StructureFactory()
    f.ApplicationFactory(structure=structure)
    f.ApplicationFactory(structure=structure, status="submitted", submitted_at=PARIS_NOON)


def _two_opinions_by_one_member():
    Opinion = apps.get_model("network", "Opinion")
    application, member = f.ApplicationFactory(), f.StructureFactory(labelled=True)
    Opinion.objects.create(application=application, member=member, verdict="favourable")
    Opinion.objects.create(application=application, member=member, verdict="unfavourable")


def _two_conflicts():
    Conflict = apps.get_model("network", "ConflictOfInterest")
    application, structure = f.ApplicationFactory(), f.StructureFactory()
    Conflict.objects.create(application=application, structure=structure, reason="Même territoire")
    Conflict.objects.create(application=application, structure=structure, reason="Encore")


def _two_seats():
    seat = f.CommitteeMemberFactory()
    f.CommitteeMemberFactory(committee=seat.committee, structure=seat.structure)


def _two_fundings_same_role():
    funding = f.FundingFactory()
    f.FundingFactory(partner=funding.partner, programme=funding.programme, role=funding.role)


def _two_participations():
    p = f.ParticipationFactory()
    f.ParticipationFactory(
        programme=p.programme, structure=p.structure, territory=p.territory, start_date=p.start_date
    )


def _two_indicators_same_day():
    indicator = f.IndicatorFactory()
    f.IndicatorFactory(project=indicator.project, kind=indicator.kind, measured_on=indicator.measured_on)


def _two_parties():
    Party = apps.get_model("partnerships", "Party")
    partnership, organisation = f.PartnershipFactory(), f.OrganisationFactory()
    Party.objects.create(partnership=partnership, organisation=organisation, side="CA")
    Party.objects.create(partnership=partnership, organisation=organisation, side="FR")


def _two_supports():
    Support = apps.get_model("partnerships", "Support")
    partnership, partner = f.PartnershipFactory(), f.PartnerFactory()
    Support.objects.create(partnership=partnership, partner=partner, scheme="CPCFQ")
    Support.objects.create(partnership=partnership, partner=partner, scheme="LOJIQ")


def _structure_beneficiary_twice():
    transfer, structure = f.KnowHowTransferFactory(), f.StructureFactory()
    f.BeneficiaryFactory(transfer=transfer, structure=structure, organisation=None)
    f.BeneficiaryFactory(transfer=transfer, structure=structure, organisation=None)


def _organisation_beneficiary_twice():
    b = f.BeneficiaryFactory()
    f.BeneficiaryFactory(transfer=b.transfer, organisation=b.organisation)


def _two_qpv_with_same_code():
    f.TerritoryFactory(kind="qpv", qpv_code="QN06701M")
    f.TerritoryFactory(kind="qpv", qpv_code="QN06701M")


UNIQUE_CASES = {
    "user_email_ci_unique": lambda: (
        f.UserFactory(email="coordination@tag22.example.org"),
        apps.get_model("fabrique", "User").objects.create(email="Coordination@TAg22.example.org"),
    ),
    "territory_qpv_code_unique": _two_qpv_with_same_code,
    "coordinator_unique": _same_user_twice(f.CoordinatorFactory, "structure"),
    "committee_member_unique": _two_seats,
    "application_one_open_per_structure": _two_open_applications,
    "opinion_one_per_member": _two_opinions_by_one_member,
    "conflict_unique": _two_conflicts,
    "partner_member_unique": _same_user_twice(f.PartnerMemberFactory, "partner"),
    "funding_unique_role": _two_fundings_same_role,
    "participation_unique": _two_participations,
    "indicator_one_per_day": _two_indicators_same_day,
    "party_unique": _two_parties,
    "support_unique": _two_supports,
    "beneficiary_structure_once": _structure_beneficiary_twice,
    "beneficiary_organisation_once": _organisation_beneficiary_twice,
}


def declared_constraints(kind) -> set[str]:
    names = set()
    for model in apps.get_models():
        if model._meta.app_label in {"fabrique", "network", "programmes", "projects", "partnerships"}:
            names |= {c.name for c in model._meta.constraints if isinstance(c, kind)}
    return names


def test_every_check_constraint_has_a_case():
    assert declared_constraints(CheckConstraint) == set(CHECK_CASES)


def test_every_unique_constraint_has_a_case():
    assert declared_constraints(UniqueConstraint) == set(UNIQUE_CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CHECK_CASES))
def test_database_rejects_what_the_check_constraint_forbids(name):
    with pytest.raises(IntegrityError, match=name), transaction.atomic():
        CHECK_CASES[name]()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(UNIQUE_CASES))
def test_database_rejects_duplicates_the_unique_constraint_forbids(name):
    with pytest.raises(IntegrityError), transaction.atomic():
        UNIQUE_CASES[name]()


@pytest.mark.django_db
def test_full_clean_explains_the_broken_pipeline_rule_in_french():
    project = f.ProjectFactory.build(
        structure=f.StructureFactory(), territory=f.TerritoryFactory(), stage="abandoned", abandon_reason=""
    )
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert error.value.messages == ["Un projet abandonné doit indiquer le motif de l'abandon."]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["00", "20", "96", "975", "2C", "1"])
def test_departement_code_outside_the_official_code_is_invalid(code):
    departement = f.departement("22")
    departement.code = code
    with pytest.raises(ValidationError):
        departement.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["01", "2A", "2B", "95", "971", "976"])
def test_official_departement_codes_are_valid(code):
    f.departement(code).full_clean()
