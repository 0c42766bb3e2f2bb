"""Issue 4 points 1–2: the project fiche PDF, built by a Celery task, rebuilt only when what it shows changes,
downloaded through a permission-checked view."""

import datetime as dt
import io
import time

import pypdf
import pytest
from celery.exceptions import Retry
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from network.models import Departement, Region
from projects import fiches, services, tasks
from projects.models import FicheStatus, Project, ProjectFiche
from tests import factories


def cotes_d_armor():
    """The département from the migrations' reference data, recreated if a transactional test flushed it."""
    region, _ = Region.objects.get_or_create(code="53", defaults={"name": "Bretagne", "slug": "bretagne"})
    departement, _ = Departement.objects.get_or_create(
        code="22", defaults={"name": "Côtes-d'Armor", "slug": "cotes-d-armor", "region": region}
    )
    return departement


def full_project(structure, **fields):
    """A project with every field of the fiche filled, in the Côtes-d'Armor (Bretagne), QPV."""
    territory = factories.TerritoryFactory(
        name="Quartier de la Croix-Saint-Lambert",
        kind="qpv",
        qpv_code="QN02201M",
        departements=[cotes_d_armor()],
    )
    funding = factories.FundingFactory(partner__name="Fondation Macif", programme__name="Mobilité solidaire")
    project = factories.ProjectFactory(
        title="Garage solidaire de Saint-Brieuc",
        structure=structure,
        territory=territory,
        programme=funding.programme,
        stage=Project.Stage.INVENTION,
        stage_changed_at=dt.datetime(2024, 5, 14, 10, tzinfo=dt.UTC),
        need="Des habitants sans voiture pour aller travailler.",
        solution="Un garage associatif qui répare à prix coûtant.",
        study_started_on=dt.date(2024, 5, 20),
        study_summary="Une clientèle suffisante est confirmée.",
        study_conclusion=Project.StudyConclusion.FAVOURABLE,
        key_lessons="Associer tôt les garagistes du secteur.",
        **fields,
    )
    factories.StageChangeFactory(project=project, changed_at=dt.datetime(2024, 5, 14, 10, tzinfo=dt.UTC))
    factories.HolderAssignmentFactory(project=project, holder_name="Association Roule Ma Poule")
    factories.IndicatorFactory(project=project, value=3, measured_on=dt.date(2024, 12, 31))
    project.partners.add(factories.PartnerFactory(name="Crédit Coopératif"))
    return project


def pdf_text(fiche):
    with fiche.file.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# --- The fiche's content --------------------------------------------------------------------------------


def test_built_fiche_pdf_shows_every_field_of_the_fiche(tag22, media_root):
    project = full_project(tag22)

    assert tasks.build_project_fiche(project.pk) == "built"

    fiche = ProjectFiche.objects.get(project=project)
    assert fiche.status == FicheStatus.READY
    assert fiche.built_at is not None
    assert len(fiche.content_hash) == 64
    text = pdf_text(fiche)
    for expected in (
        "Garage solidaire de Saint-Brieuc",  # title
        tag22.name,  # structure
        "Quartier de la Croix-Saint-Lambert",  # territory
        "Côtes-d'Armor (22)",  # département
        "Bretagne",  # région
        "quartier prioritaire",  # QPV
        "Mobilité solidaire",  # programme
        "Fondation Macif",  # funder
        "Inventer",  # stage
        "14 mai 2024",  # stage date
        "Des habitants sans voiture pour aller travailler.",  # need
        "Un garage associatif qui répare à prix coûtant.",  # solution
        "Favorable",  # study conclusion
        "Une clientèle suffisante est confirmée.",
        "Association Roule Ma Poule",  # holder
        "Crédit Coopératif",  # partner
        "Emplois créés (ETP)",  # indicator
        "Associer tôt les garagistes du secteur.",  # key lessons
        "Fiche générée le",  # generation date
    ):
        assert expected in text, expected


def test_fiche_uses_french_non_breaking_spaces_inside_guillemets(tag22):
    project = full_project(tag22)
    rendered = render_to_string(
        fiches.FICHE_TEMPLATE, fiches.render_context(fiches.fiche_context(fiches.fiche_project(project.pk)))
    )
    assert "«\u00a0Inventer\u00a0»" in rendered


def test_fiche_context_query_count_does_not_grow_with_history_indicators_and_partners(
    tag22, django_assert_num_queries
):
    small = factories.ProjectFactory(structure=tag22, programme=factories.FundingFactory().programme)
    large = full_project(tag22)
    factories.StageChangeFactory.create_batch(4, project=large, from_stage="invention", to_stage="launch")
    factories.IndicatorFactory.create_batch(
        3,
        project=large,
        measured_on=factories.factory.Sequence(lambda n: dt.date(2023, 1, 1) + dt.timedelta(days=n)),
    )
    for project in (small, large):
        # 1 project + structure + territory + programme, 2 territory départements (+ régions), 3 programme
        # fundings (+ partners), 4 stage changes, 5 holder assignments, 6 indicators, 7 partners.
        with django_assert_num_queries(7):
            fiches.fiche_context(fiches.fiche_project(project.pk))


# --- Built only when needed -----------------------------------------------------------------------------


def test_second_build_with_the_same_data_does_nothing(tag22, media_root):
    project = full_project(tag22)
    tasks.build_project_fiche(project.pk)
    fiche = ProjectFiche.objects.get(project=project)
    path = media_root / fiche.file.name
    modified = path.stat().st_mtime_ns

    assert tasks.build_project_fiche(project.pk) == "current"

    again = ProjectFiche.objects.get(project=project)
    assert (again.file.name, again.content_hash, again.built_at) == (
        fiche.file.name,
        fiche.content_hash,
        fiche.built_at,
    )
    assert path.stat().st_mtime_ns == modified


def test_need_edited_through_update_project_rebuilds_the_fiche(
    tag22, coordinator, media_root, django_capture_on_commit_callbacks
):
    project = full_project(tag22)
    tasks.build_project_fiche(project.pk)
    before = ProjectFiche.objects.get(project=project)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_project(user=coordinator, project=project, need="Un besoin tout nouveau.")

    after = ProjectFiche.objects.get(project=project)
    assert after.status == FicheStatus.READY
    assert after.content_hash != before.content_hash
    assert after.file.name != before.file.name
    assert "Un besoin tout nouveau." in pdf_text(after)
    assert not default_storage.exists(before.file.name)  # the old file is removed


@pytest.mark.parametrize(
    "write",
    [
        lambda user, project: services.assign_holder(
            user=user, project=project, holder_name="Nouveau porteur", assigned_on=dt.date(2025, 1, 2)
        ),
        lambda user, project: services.add_indicator(
            user=user, project=project, kind="people_reached", value=40, measured_on=dt.date(2025, 1, 2)
        ),
        lambda user, project: services.move_project(
            user=user, project=project, to_stage="abandoned", expected_stage="invention", abandon_reason="x"
        ),
    ],
    ids=["holder", "indicator", "move"],
)
def test_fiche_visible_changes_queue_a_build_after_commit(
    write, tag22, coordinator, media_root, django_capture_on_commit_callbacks, monkeypatch
):
    project = full_project(tag22)
    queued = []
    monkeypatch.setattr(tasks.build_project_fiche, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        write(coordinator, project)
    assert queued == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()

    assert queued == [project.pk]
    assert ProjectFiche.objects.get(project=project).status == FicheStatus.PENDING


def test_request_fiche_does_not_queue_when_the_fiche_is_current(
    tag22, media_root, django_capture_on_commit_callbacks
):
    project = full_project(tag22)
    tasks.build_project_fiche(project.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        fiches.request_fiche(project)

    assert callbacks == []


def test_failed_build_is_retried_with_backoff_then_marked_failed_with_its_error(
    tag22, media_root, monkeypatch
):
    project = full_project(tag22)

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(fiches, "render_html_to_pdf", broken)
    assert tasks.build_project_fiche.retry_backoff is True
    assert tasks.build_project_fiche.max_retries == tasks.FICHE_MAX_RETRIES

    # A first failure asks Celery for a retry: the fiche stays pending, the error is kept.
    with pytest.raises(Retry):
        tasks.build_project_fiche.apply(args=[project.pk], throw=True)
    fiche = ProjectFiche.objects.get(project=project)
    assert (fiche.status, fiche.attempts) == (FicheStatus.PENDING, 1)
    assert "disque plein" in fiche.error

    # The last try gives up: the fiche is failed, its error visible to the staff.
    with pytest.raises(OSError, match="disque plein"):
        tasks.build_project_fiche.apply(args=[project.pk], retries=tasks.FICHE_MAX_RETRIES, throw=True)
    fiche.refresh_from_db()
    assert (fiche.status, fiche.attempts) == (FicheStatus.FAILED, 2)


# --- Through a real worker ------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_change_committed_through_a_service_makes_the_real_worker_build_a_new_fiche_file():
    coordinator = factories.CoordinatorFactory().user
    project = full_project(coordinator.coordinations.get().structure)
    fiches.request_fiche(project)  # outside a transaction: queued at once, to the worker on Redis
    first = wait_for_ready_fiche(project, previous_hash="")

    services.update_project(user=coordinator, project=project, need="Un besoin apparu depuis.")
    second = wait_for_ready_fiche(project, previous_hash=first.content_hash)

    try:
        assert second.file.name != first.file.name
        assert default_storage.exists(second.file.name)
        assert "Un besoin apparu depuis." in pdf_text(second)
    finally:
        default_storage.delete(second.file.name)


def wait_for_ready_fiche(project, previous_hash, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fiche = ProjectFiche.objects.filter(project=project).first()
        if fiche and fiche.status == FicheStatus.READY and fiche.content_hash != previous_hash:
            return fiche
        time.sleep(0.3)
    pytest.fail(f"no new fiche after {timeout} s (status: {fiche.status if fiche else None})")
