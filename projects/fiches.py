"""The project fiche (issue 4 points 1–2): what it shows, the hash of it, and the request to (re)build it.

The PDF itself is rendered by `build_fiche`, called by the Celery tasks `projects.tasks.build_project_fiche`
and `programmes.tasks.build_booklet_chunk`, never in a request."""

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation

from fabrique.pdf import render_html_to_pdf
from fabrique.tasks import send_task
from network.models import Departement
from programmes.models import Funding
from projects.models import FicheStatus, Indicator, Project, ProjectFiche, StageChange
from projects.selectors import current_holder

logger = logging.getLogger(__name__)

FICHE_TEMPLATE = "projects/fiche.html"
FICHE_FOLDER = "fiches"
# Written files land here before they are renamed into FICHE_FOLDER (same folder tree, so the same file
# system: the rename is atomic). Only a worker killed mid-write leaves one behind; the sweep removes it.
PARTIAL_FOLDER = f"{FICHE_FOLDER}/.partial"
PARTIAL_MAX_AGE_SECONDS = 3600
# A queued build marks its fiche in the cache (Redis, next to the queue) for this long: the periodic
# re-queue leaves such fiches alone. Redis restarted empty loses queue and marks together, so every fiche
# still pending is queued again; a mark that outlives a lost task only delays its re-queue by this much.
QUEUED_MARK_SECONDS = 300
# Test-only hook (tests/test_faults.py): while the file this variable names exists, a worker writing a
# fiche waits halfway through the file, so that a test can kill it mid-write. Unset in real deployments.
TEST_HOLD_FILE_VARIABLE = "FABRIQUE_TEST_FICHE_HOLD_FILE"


def fiche_queryset():
    """Projects with everything their fiches show, in a constant number of queries whatever their number:
    the projects with their structure, territory and programme, then one query per prefetched relation."""
    return Project.objects.select_related("structure", "territory", "programme").prefetch_related(
        Prefetch("territory__departements", queryset=Departement.objects.select_related("region")),
        Prefetch("programme__fundings", queryset=Funding.objects.select_related("partner")),
        Prefetch("stage_changes", queryset=StageChange.objects.order_by("changed_at", "pk")),
        "holder_assignments",
        Prefetch("indicators", queryset=Indicator.objects.order_by("kind", "measured_on")),
        "partners",
    )


def fiche_project(project_id: int) -> Project | None:
    """The project with everything its fiche shows (see `fiche_queryset`), or None if it is gone."""
    return fiche_queryset().filter(pk=project_id).first()


def fiche_context(project: Project) -> dict:
    """Everything the fiche shows, as plain values (labels already translated). `project` should come from
    `fiche_project` (else each relation costs a query). The generation date is added by `render_context`,
    so that it never changes the hash. The fiche is in the site's language (French) whatever the visitor's:
    labels translated otherwise would change the hash and make a current fiche look stale."""
    with translation.override(settings.LANGUAGE_CODE):
        return _fiche_values(project)


def _fiche_values(project: Project) -> dict:
    territory = project.territory
    departements = list(territory.departements.all())
    programme = project.programme
    holder = current_holder(project)
    return {
        "title": project.title,
        "structure": project.structure.name,
        "territory": territory.name,
        "territory_kind": territory.get_kind_display(),
        "is_qpv": territory.kind == territory.Kind.QPV,
        "is_rural": territory.kind == territory.Kind.RURAL,
        "departements": [f"{dep.name} ({dep.code})" for dep in departements],
        "regions": sorted({dep.region.name for dep in departements}),
        "programme": programme.name if programme else "",
        "funders": [
            {"name": funding.partner.name, "role": funding.get_role_display()}
            for funding in (programme.fundings.all() if programme else [])
        ],
        "sector": project.get_sector_display(),
        "stage": project.get_stage_display(),
        "stage_since": project.stage_changed_at,
        "stage_history": [
            {"stage": change.get_to_stage_display(), "date": change.changed_at}
            for change in project.stage_changes.all()
        ],
        "need": project.need,
        "solution": project.solution,
        "study_started_on": project.study_started_on,
        "study_completed_on": project.study_completed_on,
        "study_summary": project.study_summary,
        "study_conclusion": project.get_study_conclusion_display(),
        "started_on": project.started_on,
        "holder": holder.holder_name if holder else "",
        "holder_organisation": holder.holder_organisation if holder else "",
        "partners": sorted(partner.name for partner in project.partners.all()),
        "indicators": [
            {"kind": indicator.get_kind_display(), "value": indicator.value, "date": indicator.measured_on}
            for indicator in project.indicators.all()
        ],
        "key_lessons": project.key_lessons,
    }


def fiche_hash(context: dict) -> str:
    """sha256 of what the fiche shows (dates, decimals written as text), stable across processes."""
    payload = json.dumps(context, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def render_context(context: dict) -> dict:
    return {"fiche": context, "generated_at": timezone.now()}


def is_current(fiche: ProjectFiche, content_hash: str) -> bool:
    """A fiche that can be served as is: built, from the same data, its file still in storage."""
    return (
        fiche.status == FicheStatus.READY
        and fiche.content_hash == content_hash
        and bool(fiche.file)
        and fiche.file.storage.exists(fiche.file.name)
    )


def request_fiche(project: Project) -> ProjectFiche:
    """Makes sure the project's fiche is, or will be, up to date: unless it is current, marks it pending
    and queues its build once the transaction commits (the worker must see the committed data).

    The fiche is marked pending in the database before anything is queued: if the broker is down, the
    save still succeeds and `requeue_pending_fiches` queues the build once the broker is back."""
    fiche, _created = ProjectFiche.objects.get_or_create(project=project)
    loaded = fiche_project(project.pk)
    if loaded is not None and is_current(fiche, fiche_hash(fiche_context(loaded))):
        return fiche
    if fiche.status != FicheStatus.PENDING:
        fiche.status = FicheStatus.PENDING
        fiche.save(update_fields=["status"])
    project_id = project.pk
    transaction.on_commit(lambda: queue_fiche_build(project_id))
    return fiche


def _queued_mark(project_id: int) -> str:
    return f"fiche-queued:{project_id}"


def queue_fiche_build(project_id: int, *, unless_queued: bool = False) -> bool:
    """Sends the build of the project's fiche to the workers; returns whether it was sent.

    Never raises and never waits long: it runs after a coordinator's save has been committed, which must
    succeed even when Redis is down. The broker's short connection timeout and single retry (settings:
    a pooled connection left over from before a Redis restart fails once, then reconnects) bound the
    wait; the cache (Redis too) is touched only once the broker has answered. A failure is logged; the
    fiche stays pending, and `requeue_pending_fiches` sends it later. `unless_queued`: not if a build was
    sent less than QUEUED_MARK_SECONDS ago. Without a broker (eager tasks) the build runs here and its
    errors are the caller's, as with any eager task."""
    from projects.tasks import build_project_fiche  # the task module imports this one

    if build_project_fiche.app.conf.task_always_eager:
        return send_task(build_project_fiche, project_id)
    mark = _queued_mark(project_id)
    if unless_queued and cache.get(mark):
        return False
    if not send_task(build_project_fiche, project_id):
        logger.warning(
            "Fiche of project %s not queued: it stays pending and will be queued again by "
            "requeue_pending_fiches",
            project_id,
        )
        return False
    cache.set(mark, 1, QUEUED_MARK_SECONDS)  # the platform's cache drops a write Redis refuses
    return True


def pending_fiche_projects() -> list[int]:
    """Ids of the projects whose fiche waits for a build (asked for and not built since)."""
    return list(
        ProjectFiche.objects.filter(status=FicheStatus.PENDING)
        .order_by("pk")
        .values_list("project_id", flat=True)
    )


def build_fiche(project: Project) -> tuple[ProjectFiche, bool]:
    """Renders the fiche of `project` (loaded by `fiche_project`) and stores it, unless the stored one is
    current; returns the fiche and whether it was built. The fiche row stays locked meanwhile (on
    PostgreSQL), so two workers asked for the same fiche build it once: the second finds it current."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        fiche, _created = ProjectFiche.objects.select_for_update().get_or_create(project=project)
        context = fiche_context(project)
        content_hash = fiche_hash(context)
        if is_current(fiche, content_hash):
            return fiche, False
        pdf = render_html_to_pdf(FICHE_TEMPLATE, render_context(context))
        old_name = fiche.file.name if fiche.file else ""
        with _written_whole(fiche.file.storage, pdf) as written:
            fiche.file.save(f"{project.slug}.pdf", written, save=False)
        fiche.status = FicheStatus.READY
        fiche.content_hash = content_hash
        fiche.built_at = timezone.now()
        fiche.error = ""
        fiche.attempts = 0
        fiche.save(update_fields=["file", "status", "content_hash", "built_at", "error", "attempts"])
    if old_name and old_name != fiche.file.name:
        fiche.file.storage.delete(old_name)
    return fiche, True


class _WrittenFile(File):
    """A complete file already on disk: FileSystemStorage moves it into place (`os.rename` within one file
    system) instead of copying its bytes, so the stored name never points at a half-written file."""

    def temporary_file_path(self) -> str:
        return self.file.name


@contextmanager
def _written_whole(storage: Storage, data: bytes) -> Iterator[File]:
    """The PDF written in full to a temporary file, before the storage sees it.

    On local storage the temporary file sits in PARTIAL_FOLDER, under MEDIA_ROOT, so the storage renames
    it into FICHE_FOLDER atomically: a worker killed while writing leaves only a file in PARTIAL_FOLDER,
    which nothing points to and `sweep_partial_fiches` removes. Other storages (S3) get the same complete
    file to upload, and an S3 object only appears once its upload is complete."""
    folder = None
    if isinstance(storage, FileSystemStorage):
        folder = Path(storage.path(PARTIAL_FOLDER))
        folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix="fiche-", suffix=".part", delete=False) as handle:
        try:
            half = len(data) // 2
            handle.write(data[:half])
            handle.flush()
            _hold_for_tests()
            handle.write(data[half:])
            handle.flush()
            os.fsync(handle.fileno())
            handle.seek(0)
            yield _WrittenFile(handle)
        finally:
            # Moved into place by the storage, or still here (another storage, or a failure): remove it.
            Path(handle.name).unlink(missing_ok=True)


def _hold_for_tests() -> None:
    """The test-only pause of TEST_HOLD_FILE_VARIABLE (bounded, so a forgotten file cannot stall a worker)."""
    hold_file = os.environ.get(TEST_HOLD_FILE_VARIABLE, "")
    deadline = time.monotonic() + 60
    while hold_file and os.path.exists(hold_file) and time.monotonic() < deadline:
        time.sleep(0.05)


def sweep_partial_fiches(storage: Storage, max_age_seconds: int = PARTIAL_MAX_AGE_SECONDS) -> int:
    """Removes the temporary files of builds killed mid-write (older than `max_age_seconds`, so that no
    build in progress loses its file); returns how many. Only local storage has such files."""
    if not isinstance(storage, FileSystemStorage):
        return 0
    folder = Path(storage.path(PARTIAL_FOLDER))
    if not folder.is_dir():
        return 0
    removed = 0
    too_old = time.time() - max_age_seconds
    for path in folder.glob("fiche-*.part"):
        try:
            if path.stat().st_mtime < too_old:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile by another worker's sweep
            continue
    return removed
