"""Issue 4 point 3: the programme booklet — cover, table of contents, then the fiche of every published
project in order — built by chunks of fiches in the background, with its progress and an e-mail when ready."""

import datetime as dt
import io
import time

import pypdf
import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from programmes import booklets, tasks
from programmes.models import BookletStatus, ProgrammeBooklet
from projects import fiches
from projects.models import ProjectFiche
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(tag22):
    """« Mobilité solidaire », funded by Fondation PSA: three published projects (created out of title
    order) and one unpublished."""
    programme = factories.ProgrammeFactory(name="Mobilité solidaire", slug="mobilite-solidaire")
    factories.FundingFactory(programme=programme, partner__name="Fondation PSA")
    for title in (
        "Garage solidaire de Lannion",
        "Auto-école sociale de Guingamp",
        "Vélos partagés de Paimpol",
    ):
        publish(factories.ProjectFactory(title=title, structure=tag22, programme=programme))
    factories.ProjectFactory(title="Covoiturage rural (brouillon)", structure=tag22, programme=programme)
    return programme


def publish(project):
    project.is_published = True
    project.published_at = timezone.now()
    project.save(update_fields=["is_published", "published_at"])
    return project


def build(programme, capture, user=None, force=False):
    """Requests the booklet and runs what is queued after commit (tasks run eagerly here)."""
    with capture(execute=True):
        booklet = booklets.request_booklet(programme, requested_by=user, force=force)
    booklet.refresh_from_db()
    return booklet


def pdf_pages(booklet) -> list[str]:
    with booklet.file.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def outline_titles(booklet) -> list[str]:
    """The top-level bookmarks after the cover's: one per fiche (each fiche's sections nest under it)."""
    with booklet.file.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    top_level = [item.title for item in reader.outline if not isinstance(item, list)]
    return top_level[top_level.index(booklet.programme.name) + 1 :]


ORDERED_TITLES = [
    "Auto-école sociale de Guingamp",
    "Garage solidaire de Lannion",
    "Vélos partagés de Paimpol",
]


def test_booklet_has_cover_and_contents_then_each_published_fiche_in_title_order(
    programme, django_capture_on_commit_callbacks
):
    booklet = build(programme, django_capture_on_commit_callbacks)

    assert booklet.status == BookletStatus.READY
    pages = pdf_pages(booklet)
    assert "Mobilité solidaire" in pages[0] and "Fondation PSA" in pages[0]
    assert "3 projets publiés" in pages[0]
    contents = " ".join(pages[:2])
    positions = [contents.index(title) for title in ORDERED_TITLES]
    assert positions == sorted(positions)
    assert "brouillon" not in " ".join(pages)
    assert outline_titles(booklet) == ORDERED_TITLES


def test_contents_page_numbers_point_to_the_first_page_of_each_fiche(
    programme, django_capture_on_commit_callbacks
):
    booklet = build(programme, django_capture_on_commit_callbacks)

    pages = pdf_pages(booklet)
    fiche_firsts = {
        title: index + 1
        for index, text in enumerate(pages)
        for title in ORDERED_TITLES
        if text.startswith(title)
    }
    assert set(fiche_firsts) == set(ORDERED_TITLES)
    contents = next(text for text in pages if "Sommaire" in text)
    for title, page_number in fiche_firsts.items():
        assert f"{title} TAg22 {page_number}" in contents


def test_booklet_reuses_fiches_already_current(programme, django_capture_on_commit_callbacks, monkeypatch):
    first = programme.projects.published().order_by("title").first()
    fiches.build_fiche(fiches.fiche_project(first.pk))
    rendered = []
    original = fiches.render_html_to_pdf
    monkeypatch.setattr(fiches, "render_html_to_pdf", lambda *args: rendered.append(1) or original(*args))

    build(programme, django_capture_on_commit_callbacks)

    assert len(rendered) == 2  # the two other fiches; the current one is appended as it is


def test_second_request_with_the_same_data_does_nothing(programme, django_capture_on_commit_callbacks):
    booklet = build(programme, django_capture_on_commit_callbacks)
    built_at, name = booklet.built_at, booklet.file.name

    again = build(programme, django_capture_on_commit_callbacks)

    assert (again.built_at, again.file.name, again.status) == (built_at, name, BookletStatus.READY)


def test_publishing_another_project_makes_the_booklet_stale_and_rebuilds_it(
    programme, tag22, django_capture_on_commit_callbacks
):
    booklet = build(programme, django_capture_on_commit_callbacks)
    old_name = booklet.file.name
    publish(factories.ProjectFactory(title="Bricothèque de Tréguier", structure=tag22, programme=programme))

    rebuilt = build(programme, django_capture_on_commit_callbacks)

    assert rebuilt.file.name != old_name
    assert "Bricothèque de Tréguier" in outline_titles(rebuilt)
    assert not rebuilt.file.storage.exists(old_name)


def test_booklet_is_split_in_chunks_and_assembled_after_the_last_one(
    programme, tag22, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.BOOKLET_CHUNK_SIZE = 2
    publish(factories.ProjectFactory(title="Bricothèque de Tréguier", structure=tag22, programme=programme))
    chunks, assemblies = [], []
    monkeypatch.setattr(tasks.build_booklet_chunk, "delay", lambda *args: chunks.append(args))
    monkeypatch.setattr(tasks.assemble_booklet, "delay", lambda *args: assemblies.append(args))

    booklet = build(programme, django_capture_on_commit_callbacks)

    assert [len(project_ids) for _id, _build, project_ids in chunks] == [2, 2]
    assert (booklet.fiches_total, booklet.chunks_total, booklet.status) == (4, 2, BookletStatus.PENDING)
    assert tasks.build_booklet_chunk.apply(args=chunks[0]).get() == "built"
    booklet.refresh_from_db()
    assert (booklet.fiches_done, booklet.chunks_done, assemblies) == (2, 1, [])
    tasks.build_booklet_chunk.apply(args=chunks[1]).get()
    booklet.refresh_from_db()
    assert (booklet.fiches_done, booklet.chunks_done) == (4, 2)
    assert assemblies == [(booklet.pk, str(booklet.build_id))]
    assert tasks.assemble_booklet.apply(args=assemblies[0]).get() == "built"
    booklet.refresh_from_db()
    assert booklet.status == BookletStatus.READY
    assert len(outline_titles(booklet)) == 4


def test_request_while_the_same_build_runs_does_not_start_another(
    programme, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks, "queue_booklet_build", lambda *args: queued.append(args))
    first = build(programme, django_capture_on_commit_callbacks)

    second = build(programme, django_capture_on_commit_callbacks)

    assert len(queued) == 1
    assert second.build_id == first.build_id


def test_a_build_pending_for_too_long_is_restarted(
    programme, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks, "queue_booklet_build", lambda *args: queued.append(args))
    first = build(programme, django_capture_on_commit_callbacks)
    ProgrammeBooklet.objects.filter(pk=first.pk).update(
        requested_at=timezone.now() - booklets.LOST_AFTER - dt.timedelta(minutes=1)
    )

    second = build(programme, django_capture_on_commit_callbacks)

    assert len(queued) == 2
    assert second.build_id != first.build_id


def test_chunks_of_a_superseded_build_do_nothing(programme, django_capture_on_commit_callbacks, monkeypatch):
    chunks = []
    monkeypatch.setattr(tasks.build_booklet_chunk, "delay", lambda *args: chunks.append(args))
    build(programme, django_capture_on_commit_callbacks)
    build(programme, django_capture_on_commit_callbacks, force=True)

    assert tasks.build_booklet_chunk.apply(args=chunks[0]).get() == "superseded"
    assert tasks.assemble_booklet.apply(args=(chunks[0][0], chunks[0][1])).get() == "superseded"
    assert ProjectFiche.objects.filter(project__programme=programme).count() == 0


def test_failed_chunk_is_retried_then_marks_the_booklet_failed_with_its_error(
    programme, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(fiches, "render_html_to_pdf", broken)
    chunks = []
    monkeypatch.setattr(tasks.build_booklet_chunk, "delay", lambda *args: chunks.append(args))
    booklet = build(programme, django_capture_on_commit_callbacks)

    assert tasks.build_booklet_chunk.retry_backoff is True
    with pytest.raises(OSError, match="disque plein"):
        tasks.build_booklet_chunk.apply(args=chunks[0], retries=tasks.BOOKLET_MAX_RETRIES, throw=True)

    booklet.refresh_from_db()
    assert booklet.status == BookletStatus.FAILED
    assert "disque plein" in booklet.error


def test_an_earlier_try_that_fails_leaves_the_booklet_pending_for_the_retry(
    programme, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(fiches, "render_html_to_pdf", lambda *args: (_ for _ in ()).throw(OSError("x")))
    chunks = []
    monkeypatch.setattr(tasks.build_booklet_chunk, "delay", lambda *args: chunks.append(args))
    booklet = build(programme, django_capture_on_commit_callbacks)

    with pytest.raises(Retry):
        tasks.build_booklet_chunk.apply(args=chunks[0], retries=0, throw=True)

    booklet.refresh_from_db()
    assert booklet.status == BookletStatus.PENDING


def test_who_asked_while_it_was_built_gets_an_email_once_it_is_ready(
    programme, partner_user, django_capture_on_commit_callbacks
):
    build(programme, django_capture_on_commit_callbacks, user=partner_user)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [partner_user.email]
    assert "«\xa0Mobilité solidaire\xa0» est prêt" in message.subject
    assert "/programmes/mobilite-solidaire/carnet.pdf" in message.body
    assert "3 projets publiés" in message.body
    assert not ProgrammeBooklet.objects.get(programme=programme).subscribers.exists()


def test_nobody_is_emailed_when_the_booklet_was_already_current(
    programme, partner_user, django_capture_on_commit_callbacks
):
    build(programme, django_capture_on_commit_callbacks)

    build(programme, django_capture_on_commit_callbacks, user=partner_user)

    assert mail.outbox == []


def test_booklet_of_a_programme_without_published_project_is_a_cover_saying_so(
    django_capture_on_commit_callbacks,
):
    programme = factories.ProgrammeFactory(name="Territoires French Impact")

    booklet = build(programme, django_capture_on_commit_callbacks)

    assert booklet.status == BookletStatus.READY
    assert "pas encore de projet publié" in " ".join(pdf_pages(booklet))


def test_single_document_holds_cover_contents_and_every_fiche(programme):
    html = booklets.single_document_html(programme)

    assert html.count('class="fiche"') == 3
    assert [html.index(title) for title in ORDERED_TITLES] == sorted(
        html.index(title) for title in ORDERED_TITLES
    )
    assert "brouillon" not in html


@pytest.mark.parametrize("count", [1, 12])
def test_booklet_state_query_count_does_not_grow_with_projects(tag22, django_assert_num_queries, count):
    programme = factories.ProgrammeFactory()
    factories.FundingFactory(programme=programme)
    for _index in range(count):
        project = publish(factories.ProjectFactory(structure=tag22, programme=programme))
        factories.IndicatorFactory(project=project)
        factories.StageChangeFactory(project=project)
    # projects (structure, territory, programme joined), territories' départements (région joined),
    # programme fundings (partner joined), stage changes, holder assignments, indicators, partners,
    # the cover's fundings
    with django_assert_num_queries(8):
        booklets.booklet_state(programme)


# --- Through a real worker ------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_builds_the_booklet_by_chunks_with_its_fiches_in_order(settings, tag22):
    settings.BOOKLET_CHUNK_SIZE = 2  # decided when the build is requested, here: two chunks for three fiches
    programme = factories.ProgrammeFactory(name="Mobilité solidaire", slug="mobilite-solidaire")
    for title in reversed(ORDERED_TITLES):
        publish(factories.ProjectFactory(title=title, structure=tag22, programme=programme))

    booklet = booklets.request_booklet(programme)  # outside a transaction: queued at once to the worker
    assert booklet.chunks_total == 2

    deadline = time.monotonic() + 90
    while booklet.status == BookletStatus.PENDING and time.monotonic() < deadline:
        time.sleep(0.3)
        booklet.refresh_from_db()
    try:
        assert booklet.status == BookletStatus.READY, booklet.error
        assert (booklet.fiches_done, booklet.chunks_done) == (3, 2)
        assert outline_titles(booklet) == ORDERED_TITLES
        assert ProjectFiche.objects.filter(project__programme=programme, status="ready").count() == 3
    finally:
        for fiche in ProjectFiche.objects.filter(project__programme=programme):
            fiche.file.delete(save=False)
        if booklet.file:
            booklet.file.delete(save=False)


def test_booklet_pages_carry_the_booklets_page_numbers_except_the_cover(
    programme, django_capture_on_commit_callbacks
):
    booklet = build(programme, django_capture_on_commit_callbacks)

    pages = pdf_pages(booklet)
    total = len(pages)
    assert "— page" not in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert f"Carnet « Mobilité solidaire » — page {number} / {total}" in text.replace("\xa0", " ")


def test_programme_name_cannot_break_out_of_the_page_number_style(tag22, django_capture_on_commit_callbacks):
    programme = factories.ProgrammeFactory(name='L\'"Europe" </style><img src="http://127.0.0.1:9/x"> \\ fin')
    publish(factories.ProjectFactory(structure=tag22, programme=programme))

    booklet = build(programme, django_capture_on_commit_callbacks)

    assert booklet.status == BookletStatus.READY
    assert 'Carnet « L\'"Europe" </style><img src="http://127.0.0.1:9/x"> \\ fin » — page 2' in (
        pdf_pages(booklet)[1].replace("\xa0", " ")
    )
