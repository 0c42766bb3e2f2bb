"""Issue 5: the rules of the appellation path, checked on the services and selectors (the pages are tested
in test_appellation_dossier.py and test_appellation_staff.py)."""

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from network.appellation import selectors, services
from network.appellation.services import AppellationRefused
from network.models import (
    AppellationApplication,
    CommitteeMember,
    ConflictOfInterest,
    LetterStatus,
    PhaseChange,
    Structure,
)
from projects.models import Indicator, Project, Stage
from tests import factories

pytestmark = pytest.mark.django_db

Phase = Structure.Phase
SECTION_TEXT = "Un ancrage construit avec les collectivités du pays de Saint-Brieuc et de Guingamp. " * 4
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def codes(error) -> list[str]:
    return [reason.code for reason in error.value.reasons]


def labelled_member(name: str, since=dt.date(2021, 6, 1)):
    """A structure holding the appellation since `since` (its history says so), with a coordinator."""
    structure = factories.StructureFactory(name=name, labelled=True, labelled_on=since, phase_since=since)
    factories.PhaseChangeFactory(
        structure=structure,
        from_phase=Phase.CANDIDATE,
        to_phase=Phase.EXPERIMENTATION,
        changed_on=dt.date(2018, 1, 1),
    )
    factories.PhaseChangeFactory(
        structure=structure, from_phase=Phase.APPLICATION, to_phase=Phase.LABELLED, changed_on=since
    )
    coordinator = factories.CoordinatorFactory(structure=structure).user
    return structure, coordinator


def ready_dossier(coordinator, structure):
    application = services.start_application(user=coordinator, structure=structure)
    services.update_dossier(
        user=coordinator,
        application=application,
        **dict.fromkeys(selectors.DOSSIER_SECTIONS, SECTION_TEXT),
    )
    services.add_dossier_document(
        user=coordinator,
        application=application,
        title="Rapport d'activité 2025",
        uploaded_file=SimpleUploadedFile("rapport.pdf", PDF, content_type="application/pdf"),
    )
    return application


@pytest.fixture
def submitted(staff, coordinator, tag22, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = ready_dossier(coordinator, tag22)
        return services.submit_application(user=coordinator, application=application)


@pytest.fixture
def committee(staff):
    return services.create_committee(
        user=staff, held_on=timezone.localdate() + dt.timedelta(days=20), place="Avise, Paris"
    )


@pytest.fixture
def members():
    return [labelled_member(name) for name in ("ATIS", "ADRESS Normandie", "Première Brique")]


# --- Phases and their history ---------------------------------------------------------------------------


def test_every_phase_change_is_in_the_history_with_who_when_and_why(staff, tag22):
    services.change_phase(
        user=staff,
        structure=tag22,
        to_phase=Phase.SUSPENDED,
        reason="Plus de chargée de mission",
        on=dt.date(2026, 3, 2),
    )

    change = PhaseChange.objects.get(structure=tag22)
    assert (change.from_phase, change.to_phase, change.changed_on, change.changed_by, change.reason) == (
        Phase.EXPERIMENTATION,
        Phase.SUSPENDED,
        dt.date(2026, 3, 2),
        staff,
        "Plus de chargée de mission",
    )
    tag22.refresh_from_db()
    assert (tag22.phase, tag22.phase_since) == (Phase.SUSPENDED, dt.date(2026, 3, 2))


@pytest.mark.parametrize("to_phase", [Phase.SUSPENDED, Phase.WITHDRAWN])
def test_suspending_or_withdrawing_needs_a_reason(staff, tag22, to_phase):
    with pytest.raises(AppellationRefused) as refused:
        services.change_phase(user=staff, structure=tag22, to_phase=to_phase, reason="  ")
    assert codes(refused) == ["reason_missing"]
    assert not PhaseChange.objects.exists()


def test_staff_cannot_label_a_structure_by_hand_without_a_committee(staff, tag22):
    with pytest.raises(AppellationRefused) as refused:
        services.change_phase(user=staff, structure=tag22, to_phase=Phase.LABELLED)
    assert codes(refused) == ["transition_not_allowed"]


def test_only_staff_change_a_phase(coordinator, tag22):
    with pytest.raises(PermissionDenied):
        services.change_phase(user=coordinator, structure=tag22, to_phase=Phase.SUSPENDED, reason="x")


def test_phase_on_a_day_follows_the_history():
    structure, _coordinator = labelled_member("ATIS", since=dt.date(2021, 6, 1))

    assert structure not in selectors.labelled_on(dt.date(2021, 5, 31))
    assert structure in selectors.labelled_on(dt.date(2021, 6, 1))
    assert structure in selectors.structures_in_phase_on(dt.date(2020, 1, 1), Phase.EXPERIMENTATION)


def test_a_structure_without_history_counts_from_its_appellation_date():
    structure = factories.StructureFactory(labelled=True, labelled_on=dt.date(2022, 1, 10))

    assert structure not in selectors.labelled_on(dt.date(2022, 1, 9))
    assert structure in selectors.labelled_on(dt.date(2022, 1, 10))


def test_experimentation_clock_counts_whole_months_and_flags_past_30(tag22):
    factories.PhaseChangeFactory(
        structure=tag22, to_phase=Phase.EXPERIMENTATION, changed_on=dt.date(2023, 1, 15)
    )

    assert selectors.experimentation_clock(tag22, dt.date(2025, 7, 14)).months == 29
    clock = selectors.experimentation_clock(tag22, dt.date(2025, 7, 15))
    assert (clock.months, clock.usual_months, clock.flagged, clock.began) == (
        30,
        36,
        True,
        dt.date(2023, 1, 15),
    )


def test_a_deferred_application_does_not_restart_the_clock(tag22):
    factories.PhaseChangeFactory(
        structure=tag22, to_phase=Phase.EXPERIMENTATION, changed_on=dt.date(2022, 2, 1)
    )
    factories.PhaseChangeFactory(
        structure=tag22,
        from_phase=Phase.EXPERIMENTATION,
        to_phase=Phase.APPLICATION,
        changed_on=dt.date(2025, 1, 1),
    )
    factories.PhaseChangeFactory(
        structure=tag22,
        from_phase=Phase.APPLICATION,
        to_phase=Phase.EXPERIMENTATION,
        changed_on=dt.date(2025, 3, 1),
    )

    assert selectors.experimentation_began(tag22) == dt.date(2022, 2, 1)


def test_labelled_structure_has_no_clock():
    structure, _coordinator = labelled_member("ATIS")
    assert selectors.experimentation_clock(structure) is None


# --- The dossier ----------------------------------------------------------------------------------------


def test_dossier_figures_count_what_happened_since_experimentation_began(tag22, atis):
    since = dt.date(2024, 1, 1)
    before, after = dt.datetime(2023, 6, 1, tzinfo=dt.UTC), dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    old = factories.ProjectFactory(structure=tag22)
    Project.objects.filter(pk=old.pk).update(created_at=before)
    factories.StageChangeFactory(project=old, to_stage=Stage.INVENTION, changed_at=before)
    factories.StageChangeFactory(
        project=old, from_stage=Stage.INVENTION, to_stage=Stage.LAUNCH, changed_at=after
    )
    factories.StageChangeFactory(
        project=old, from_stage=Stage.LAUNCH, to_stage=Stage.LAUNCHED, changed_at=after
    )
    new = [factories.ProjectFactory(structure=tag22) for _ in range(3)]
    Project.objects.filter(pk__in=[project.pk for project in new]).update(created_at=after)
    factories.StageChangeFactory(project=new[0], to_stage=Stage.INVENTION, changed_at=after)
    factories.StageChangeFactory(project=new[1], to_stage=Stage.INVENTION, changed_at=after)
    factories.StageChangeFactory(
        project=new[1], from_stage=Stage.INVENTION, to_stage=Stage.ABANDONED, changed_at=after
    )
    factories.IndicatorFactory(
        project=old, kind=Indicator.Kind.JOBS_FTE, value=Decimal("2"), measured_on=dt.date(2024, 6, 30)
    )
    factories.IndicatorFactory(
        project=old, kind=Indicator.Kind.JOBS_FTE, value=Decimal("3.5"), measured_on=dt.date(2025, 6, 30)
    )
    factories.IndicatorFactory(
        project=new[0], kind=Indicator.Kind.JOBS_FTE, value=Decimal("1"), measured_on=dt.date(2025, 6, 30)
    )
    psa, macif = (
        factories.PartnerFactory(name="Fondation PSA"),
        factories.PartnerFactory(name="Fondation Macif"),
    )
    old.partners.add(psa, macif)
    new[0].partners.add(psa)
    factories.ParticipationFactory(structure=tag22)
    factories.ProjectFactory(structure=atis)  # another structure's project counts nowhere

    figures = selectors.dossier_figures(tag22, since)

    assert (figures.detected, figures.invented, figures.launched, figures.abandoned) == (3, 2, 1, 1)
    assert figures.jobs == Decimal("4.5")  # the latest measure of each project: 3.5 + 1
    assert (figures.partners, figures.programmes) == (2, 1)


def test_dossier_figures_query_count_is_constant(tag22, django_assert_num_queries):
    factories.ProjectFactory.create_batch(5, structure=tag22)
    # stage changes grouped, projects and partners aggregated, latest jobs summed, programmes counted
    with django_assert_num_queries(4):
        selectors.dossier_figures(tag22, dt.date(2020, 1, 1))


def test_only_an_experimenting_structure_opens_a_dossier(staff):
    candidate = factories.StructureFactory(phase=Phase.CANDIDATE)
    coordinator = factories.CoordinatorFactory(structure=candidate).user

    with pytest.raises(AppellationRefused) as refused:
        services.start_application(user=coordinator, structure=candidate)
    assert codes(refused) == ["not_experimenting"]


def test_a_structure_has_one_open_dossier_at_a_time(coordinator, tag22):
    services.start_application(user=coordinator, structure=tag22)
    with pytest.raises(AppellationRefused) as refused:
        services.start_application(user=coordinator, structure=tag22)
    assert codes(refused) == ["already_open"]


def test_only_the_applicants_coordinators_edit_its_dossier(coordinator, outsider, staff, tag22):
    application = services.start_application(user=coordinator, structure=tag22)
    for user in (outsider, staff):
        with pytest.raises(PermissionDenied):
            services.update_dossier(user=user, application=application, outlook="Non.")
    services.update_dossier(user=coordinator, application=application, outlook="Essaimer en Centre-Bretagne.")
    application.refresh_from_db()
    assert application.outlook == "Essaimer en Centre-Bretagne."


def test_a_submitted_dossier_can_no_longer_be_edited(submitted, coordinator):
    with pytest.raises(PermissionDenied):
        services.update_dossier(user=coordinator, application=submitted, outlook="Plus tard.")


def test_a_dossier_document_is_checked_by_its_content(coordinator, tag22):
    application = services.start_application(user=coordinator, structure=tag22)
    with pytest.raises(ValidationError):
        services.add_dossier_document(
            user=coordinator,
            application=application,
            title="Faux PDF",
            uploaded_file=SimpleUploadedFile(
                "faux.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
            ),
        )
    assert not application.documents.exists()


def test_readiness_checklist_gives_a_coded_reason_for_each_missing_piece(coordinator, tag22):
    application = services.start_application(user=coordinator, structure=tag22)
    services.update_dossier(user=coordinator, application=application, territorial_anchoring=SECTION_TEXT)

    with pytest.raises(AppellationRefused) as refused:
        services.submit_application(user=coordinator, application=application)

    assert codes(refused) == ["section_too_short"] * 3 + ["document_missing"]
    application.refresh_from_db()
    assert application.status == AppellationApplication.Status.DRAFT


def test_submitting_moves_the_structure_under_review_and_tells_staff(submitted, tag22, staff, coordinator):
    tag22.refresh_from_db()
    assert tag22.phase == Phase.APPLICATION
    change = PhaseChange.objects.get(structure=tag22)
    assert (change.from_phase, change.to_phase, change.changed_by) == (
        Phase.EXPERIMENTATION,
        Phase.APPLICATION,
        coordinator,
    )
    assert submitted.submitted_at is not None
    assert [message.to for message in mail.outbox] == [[staff.email]]
    assert f"{tag22.name} demande l'appellation" in mail.outbox[0].subject
    assert f"/reseau/{tag22.slug}/appellation/" in mail.outbox[0].body


# --- The committee --------------------------------------------------------------------------------------


def test_proposed_members_are_labelled_on_the_session_date_never_the_applicant_nor_conflicted(
    staff, submitted, committee, members
):
    services.attach_application(user=staff, committee=committee, application=submitted)
    (atis, _), (adress, _), (premiere_brique, _) = members
    late = factories.StructureFactory(
        name="Courant Fort", labelled=True, labelled_on=committee.held_on + dt.timedelta(days=1)
    )
    withdrawn = factories.StructureFactory(name="Inter-Made", labelled=True, labelled_on=dt.date(2020, 1, 1))
    factories.PhaseChangeFactory(
        structure=withdrawn,
        from_phase=Phase.APPLICATION,
        to_phase=Phase.LABELLED,
        changed_on=dt.date(2020, 1, 1),
    )
    factories.PhaseChangeFactory(
        structure=withdrawn,
        from_phase=Phase.LABELLED,
        to_phase=Phase.WITHDRAWN,
        changed_on=dt.date(2025, 1, 1),
    )
    services.declare_conflict(
        user=staff, application=submitted, structure=adress, reason="Même financeur régional"
    )

    proposed = list(selectors.eligible_members(committee))

    assert proposed == [atis, premiere_brique]
    assert late not in proposed and withdrawn not in proposed and submitted.structure not in proposed


def test_staff_cannot_seat_the_applicant_a_conflicted_or_a_not_yet_labelled_structure(
    staff, submitted, committee, members
):
    services.attach_application(user=staff, committee=committee, application=submitted)
    (atis, _), (adress, _), _third = members
    services.declare_conflict(user=staff, application=submitted, structure=adress, reason="Même financeur")
    candidate = factories.StructureFactory(name="Clus'Ter Jura")

    with pytest.raises(AppellationRefused) as refused:
        services.set_members(
            user=staff, committee=committee, structures=[atis, submitted.structure, adress, candidate]
        )

    assert sorted(codes(refused)) == ["applicant", "conflict", "not_labelled"]
    assert not CommitteeMember.objects.exists()


def test_seated_members_coordinators_are_told_with_links_to_the_dossiers(
    staff, submitted, committee, members, django_capture_on_commit_callbacks
):
    services.attach_application(user=staff, committee=committee, application=submitted)
    mail.outbox.clear()
    (atis, atis_coordinator), _second, _third = members

    with django_capture_on_commit_callbacks(execute=True):
        services.set_members(user=staff, committee=committee, structures=[atis])

    assert [message.to for message in mail.outbox] == [[atis_coordinator.email]]
    assert f"/reseau/{submitted.structure.slug}/appellation/" in mail.outbox[0].body


def test_a_conflict_declared_after_seating_removes_the_seat(staff, submitted, committee, members):
    services.attach_application(user=staff, committee=committee, application=submitted)
    (atis, _), _second, _third = members
    services.set_members(user=staff, committee=committee, structures=[atis])

    services.declare_conflict(
        user=staff, application=submitted, structure=atis, reason="Ancien salarié commun"
    )

    assert not committee.seats.filter(structure=atis).exists()
    assert ConflictOfInterest.objects.get().reason == "Ancien salarié commun"


def test_only_a_submitted_application_goes_on_a_session(staff, coordinator, tag22, committee):
    draft = services.start_application(user=coordinator, structure=tag22)
    with pytest.raises(AppellationRefused) as refused:
        services.attach_application(user=staff, committee=committee, application=draft)
    assert codes(refused) == ["not_submitted"]


def test_a_session_needs_a_place_or_a_link(staff):
    with pytest.raises(ValidationError):
        services.create_committee(user=staff, held_on=dt.date(2026, 12, 10))


# --- Opinions and decisions -----------------------------------------------------------------------------


@pytest.fixture
def seated(staff, submitted, committee, members):
    services.attach_application(user=staff, committee=committee, application=submitted)
    services.set_members(user=staff, committee=committee, structures=[structure for structure, _ in members])
    submitted.refresh_from_db()
    return submitted


def give_opinions(application, members, count):
    for structure, coordinator in members[:count]:
        services.record_opinion(
            user=coordinator, application=application, member=structure, verdict="favourable"
        )


def test_only_a_seated_members_coordinator_gives_an_opinion(seated, outsider, atis):
    with pytest.raises(PermissionDenied):
        services.record_opinion(user=outsider, application=seated, member=atis, verdict="favourable")


def test_a_member_may_change_its_opinion_until_the_session(seated, members):
    structure, coordinator = members[0]
    services.record_opinion(
        user=coordinator,
        application=seated,
        member=structure,
        verdict="reservations",
        comment="Partenariats fragiles",
    )
    services.record_opinion(user=coordinator, application=seated, member=structure, verdict="favourable")

    assert seated.opinions.get().verdict == "favourable"


def test_no_opinion_after_the_session(seated, members):
    seated.committee.__class__.objects.filter(pk=seated.committee_id).update(
        held_on=timezone.localdate() - dt.timedelta(days=1)
    )
    seated.refresh_from_db()
    structure, coordinator = members[0]

    with pytest.raises(AppellationRefused) as refused:
        services.record_opinion(user=coordinator, application=seated, member=structure, verdict="favourable")
    assert codes(refused) == ["session_passed"]


def test_no_decision_without_quorum(seated, members, staff, settings):
    settings.APPELLATION_QUORUM = 3
    give_opinions(seated, members, 2)

    with pytest.raises(AppellationRefused) as refused:
        services.record_decision(user=staff, application=seated, decision="granted")

    assert codes(refused) == ["quorum_not_reached"]
    assert "2 avis sur 3" in refused.value.reasons[0].message
    seated.structure.refresh_from_db()
    assert seated.structure.phase == Phase.APPLICATION


def test_opinions_of_members_no_longer_seated_do_not_count_for_the_quorum(seated, members, staff, settings):
    settings.APPELLATION_QUORUM = 3
    give_opinions(seated, members, 3)
    services.set_members(
        user=staff, committee=seated.committee, structures=[structure for structure, _ in members[:2]]
    )

    assert selectors.opinions_count(seated) == 2


def test_granted_labels_the_structure_on_the_decision_date_and_builds_the_letter(
    seated, members, staff, coordinator, django_capture_on_commit_callbacks
):
    give_opinions(seated, members, 3)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.record_decision(
            user=staff, application=seated, decision="granted", decided_on=dt.date(2026, 12, 15)
        )

    structure = Structure.objects.get(pk=seated.structure_id)
    assert (structure.phase, structure.labelled_on, structure.phase_since) == (
        Phase.LABELLED,
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 15),
    )
    last = PhaseChange.objects.filter(structure=structure).latest("created_at")
    assert (last.from_phase, last.to_phase, last.changed_by) == (Phase.APPLICATION, Phase.LABELLED, staff)
    seated.refresh_from_db()
    assert (seated.status, seated.decision, seated.decided_by, seated.letter_status) == (
        "decided",
        "granted",
        staff,
        LetterStatus.READY,
    )
    with seated.letter.open("rb") as handle:
        text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(handle.read())).pages)
    assert "accorde l'appellation" in " ".join(text.split())
    assert "15 décembre 2026" in text
    assert [message.to for message in mail.outbox] == [[coordinator.email]]


def test_deferred_sends_the_structure_back_to_experimentation_with_recommendations(seated, members, staff):
    give_opinions(seated, members, 3)

    with pytest.raises(AppellationRefused) as refused:
        services.record_decision(user=staff, application=seated, decision="deferred")
    assert codes(refused) == ["recommendations_missing"]

    services.record_decision(
        user=staff, application=seated, decision="deferred", recommendations="Consolider les partenariats."
    )
    structure = Structure.objects.get(pk=seated.structure_id)
    assert structure.phase == Phase.EXPERIMENTATION
    seated.refresh_from_db()
    assert seated.recommendations == "Consolider les partenariats."


def test_refused_needs_its_reasons_and_ends_the_review(seated, members, staff):
    give_opinions(seated, members, 3)

    services.record_decision(
        user=staff, application=seated, decision="refused", recommendations="Activité trop récente."
    )

    assert Structure.objects.get(pk=seated.structure_id).phase == Phase.EXPERIMENTATION
    assert AppellationApplication.objects.get(pk=seated.pk).decision == "refused"


def test_only_staff_record_a_decision(seated, members):
    give_opinions(seated, members, 3)
    _structure, coordinator = members[0]
    with pytest.raises(PermissionDenied):
        services.record_decision(user=coordinator, application=seated, decision="granted")


def test_a_decided_application_takes_no_more_opinion_nor_decision(seated, members, staff):
    give_opinions(seated, members, 3)
    services.record_decision(user=staff, application=seated, decision="granted")
    structure, coordinator = members[0]

    with pytest.raises(AppellationRefused):
        services.record_opinion(
            user=coordinator, application=seated, member=structure, verdict="unfavourable"
        )
    with pytest.raises(AppellationRefused) as refused:
        services.record_decision(user=staff, application=seated, decision="refused", recommendations="x")
    assert codes(refused) == ["not_submitted"]


def test_members_of_a_held_or_cancelled_session_no_longer_change(staff, committee, members):
    committee.status = committee.Status.HELD
    committee.save(update_fields=["status"])

    with pytest.raises(AppellationRefused) as refused:
        services.set_members(user=staff, committee=committee, structures=[members[0][0]])
    assert codes(refused) == ["committee_not_planned"]


def test_clock_of_a_structure_without_recorded_entry_runs_from_its_joining_even_after_submission(
    submitted, tag22
):
    tag22.refresh_from_db()  # joined on 1 January 2023; its submission is its only recorded change

    assert selectors.experimentation_began(tag22) == dt.date(2023, 1, 1)
    assert selectors.experimentation_clock(tag22, dt.date(2025, 7, 1)).months == 30


# --- Through a real worker ------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_builds_the_decision_letter_once_the_decision_is_committed(settings):
    import time

    settings.APPELLATION_QUORUM = 1
    staff = factories.StaffFactory()
    applicant = factories.StructureFactory(name="Courant Fort", joined_on=dt.date(2023, 1, 1))
    coordinator = factories.CoordinatorFactory(structure=applicant).user
    application = services.submit_application(
        user=coordinator, application=ready_dossier(coordinator, applicant)
    )
    committee = services.create_committee(
        user=staff, held_on=timezone.localdate() + dt.timedelta(days=5), place="Avise, Paris"
    )
    services.attach_application(user=staff, committee=committee, application=application)
    member, member_coordinator = labelled_member("ATIS")
    services.set_members(user=staff, committee=committee, structures=[member])
    services.record_opinion(
        user=member_coordinator, application=application, member=member, verdict="favourable"
    )

    services.record_decision(
        user=staff,
        application=application,
        decision="deferred",
        recommendations="Consolider les partenariats.",
    )

    deadline = time.monotonic() + 60
    application.refresh_from_db()
    while application.letter_status == LetterStatus.PENDING and time.monotonic() < deadline:
        time.sleep(0.3)
        application.refresh_from_db()
    try:
        assert application.letter_status == LetterStatus.READY, application.letter_error
        with application.letter.open("rb") as handle:
            text = " ".join(
                " ".join(page.extract_text().split())
                for page in pypdf.PdfReader(io.BytesIO(handle.read())).pages
            )
        assert "ajourne sa décision" in text and "Consolider les partenariats." in text
    finally:
        if application.letter:
            application.letter.delete(save=False)
        for document in application.documents.all():
            document.file.delete(save=False)
