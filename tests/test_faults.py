"""Issue 8 point 4: faults survived, nothing lost, and /sante/ honest about each of them.

Against a stack of real processes of its own (tests/faults/stack.py): PostgreSQL, Redis, gunicorn and a
Celery worker with beat, which these tests stop, restart and kill — never the services the rest of the
suite uses. Each test starts with everything up (the `healthy` fixture starts again what an earlier test
left stopped, then waits for /sante/ to be green), so the tests do not depend on their order.

The re-queuing of fiches (projects/tasks.py `requeue_pending_fiches`) runs every second here instead of
every minute, and the worker pauses mid-write only while the test's hold file exists (projects/fiches.py).
"""

import datetime as dt
import io
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from kombu.exceptions import OperationalError
from pypdf import PdfReader

from fabrique.celery import app as celery_app
from fabrique.celery import requeue_pending_fiches_at_start
from projects import fiches, services, tasks
from projects.fiches import FICHE_FOLDER, PARTIAL_FOLDER
from projects.models import FicheStatus, Project, ProjectFiche
from tests import factories
from tests.conftest import require_service, running_in_ci
from tests.faults.stack import Stack, processes_with_open, wait_for

# The stack tests need the PostgreSQL and Redis binaries (not the suite's servers: they start their own);
# `make test-quick` leaves them out through their markers. The in-process tests at the end need nothing.

# A save must not wait on a broker that is down for longer than its connection timeout allows (1 s, tried
# twice: fabrique/settings.py); a refused connection costs far less.
SAVE_SECONDS = 3
FROZEN_SAVE_SECONDS = 4.5
# From Redis back to the fiche stored: the worker reconnects (a few seconds, kombu's back-off), beat
# re-queues the pending fiche within a second, the build takes under a second. Generous for a busy machine.
REBUILD_SECONDS = 30


def _binaries_missing() -> str | None:
    needed = ["/usr/bin/redis-server"]
    if not any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        return "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/pg_ctl)"
    missing = [path for path in needed if not os.access(path, os.X_OK)]
    return f"{', '.join(missing)} not installed" if missing else None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Module fixtures are set up before the markers' checks run: check first, start nothing if skipped.
    require_service("postgres")
    require_service("redis")
    reason = _binaries_missing()
    if reason:
        if running_in_ci():
            pytest.fail(f"CI needs this service: {reason}", pytrace=False)
        pytest.skip(reason)
    stack = Stack(tmp_path_factory.mktemp("faults"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
def healthy(stack: Stack) -> Stack:
    """The stack with everything up (a test that stops the worker leaves it stopped: started again here)."""
    stack.hold_file.unlink(missing_ok=True)
    if stack.worker is None:
        stack.start_worker()
    stack.wait_until_healthy()
    return stack


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data), strict=True).pages)


# --- /sante/ ---------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_health_is_200_when_postgresql_redis_and_a_worker_answer(healthy):
    response = healthy.probe()

    assert response.status == 200
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "ok", "vendor": "postgresql"}
    assert checks["cache"] == {"status": "ok", "backend": "RedisCache"}
    assert checks["broker"] == {"status": "ok", "transport": "redis"}
    assert checks["workers"] == {"status": "ok", "count": 1}


@pytest.mark.postgres
@pytest.mark.redis
def test_health_is_503_with_a_database_error_while_postgresql_is_down(healthy):
    healthy.services("stop-postgres")
    try:
        response = healthy.probe()
    finally:
        healthy.services("start")

    assert response.status == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "error", "vendor": "postgresql", "error": "OperationalError"}
    assert checks["broker"]["status"] == "ok"
    assert response.seconds < 3


@pytest.mark.postgres
@pytest.mark.redis
def test_health_is_503_with_a_broker_error_while_redis_is_down(healthy):
    healthy.services("stop-redis")
    try:
        response = healthy.probe()
    finally:
        healthy.services("start")

    assert response.status == 503
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "error"
    assert checks["workers"] == {"status": "error", "error": "broker indisponible"}
    assert checks["cache"]["status"] == "error"
    assert checks["database"]["status"] == "ok"
    assert response.seconds < 3


# --- Redis down during a save ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_saving_a_project_while_redis_is_down_succeeds_and_its_fiche_is_built_once_redis_is_back(healthy):
    project_id, slug = healthy.seeded["project_id"], healthy.seeded["slug"]
    need = "Des salariés sans voiture, saisi pendant la panne de Redis."
    healthy.get(f"/projets/{slug}/modifier/")  # the coordinator opens the form while all is well
    saved_after = dt.datetime.now(dt.UTC)

    healthy.services("stop-redis")
    try:
        response = healthy.edit_project(slug, need=need)
        page = healthy.get(response.headers.get("Location", "/"))
        stored = healthy.sql("SELECT need FROM projects_project WHERE id = %s", project_id)[0][0]
        fiche_meanwhile = healthy.fiche(project_id)
    finally:
        healthy.services("start")  # Redis back, empty: whatever was queued before is lost

    # The save went through, quickly, and the coordinator is sent to the project's page.
    assert response.status == 302, response.body[:500]
    assert response.headers["Location"] == f"/projets/{slug}/"
    assert response.seconds < SAVE_SECONDS
    assert stored == need
    assert page.status == 200
    assert "Les modifications du projet ont été enregistrées." in page.body.decode()
    # The build could not be sent: the fiche waits, pending, and the failure is in the web log.
    assert fiche_meanwhile["status"] == "pending"
    assert f"Fiche of project {project_id} not queued" in healthy.log("web").read_text(errors="replace")

    # Nobody asks again: the worker reconnects, beat re-queues the pending fiche, the worker builds it.
    fiche = healthy.wait_for_fiche_built_after(project_id, saved_after, REBUILD_SECONDS)
    download = healthy.get(f"/projets/{slug}/fiche.pdf")
    assert download.status == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert need in pdf_text(download.body)
    assert fiche["file"].startswith(f"{FICHE_FOLDER}/{slug}")


@pytest.mark.postgres
@pytest.mark.redis
def test_saving_a_project_while_redis_hangs_answers_within_the_broker_timeouts(healthy):
    """A Redis that accepts connections and never answers (frozen, overloaded) is worse than one that is
    down: without socket timeouts the save would wait for gunicorn to kill its worker."""
    project_id, slug = healthy.seeded["project_id"], healthy.seeded["slug"]
    need = "Un besoin saisi pendant que Redis ne répondait plus."
    healthy.get(f"/projets/{slug}/modifier/")
    redis_pid = int((healthy.run_dir / "redis.pid").read_text())

    os.kill(redis_pid, signal.SIGSTOP)
    try:
        response = healthy.edit_project(slug, need=need)
    finally:
        os.kill(redis_pid, signal.SIGCONT)

    assert response.status == 302
    # Two tries, each cut by the 1 s socket timeout (fabrique/settings.py), plus the reconnection between.
    assert response.seconds < FROZEN_SAVE_SECONDS
    assert healthy.sql("SELECT need FROM projects_project WHERE id = %s", project_id)[0][0] == need


# --- A worker killed while writing a fiche ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_process_killed_mid_fiche_leaves_no_partial_pdf_and_the_build_runs_again(healthy):
    project_id, slug = healthy.seeded["project_id"], healthy.seeded["slug"]
    need = "Un besoin saisi juste avant que le worker soit tué."
    fiche_folder = healthy.media_root / FICHE_FOLDER
    partial = healthy.media_root / PARTIAL_FOLDER
    previous = healthy.fiche(project_id)
    healthy.hold_file.touch()  # the worker will pause halfway through writing the PDF
    log_start = len(healthy.log("worker").read_text(errors="replace"))
    saved_after = dt.datetime.now(dt.UTC)

    assert healthy.edit_project(slug, need=need).status == 302
    # The pool process building the fiche, caught with half of the PDF written.
    writers = wait_for(
        "a worker process writing the fiche",
        lambda: {pid: path for pid, path in processes_with_open(partial).items() if path.stat().st_size > 0},
        20,
        0.05,
    )
    [(pid, half_written)] = writers.items()
    stored_before_kill = healthy.fiche(project_id)
    os.kill(pid, signal.SIGKILL)
    healthy.hold_file.unlink()

    fiche = healthy.wait_for_fiche_built_after(project_id, saved_after, REBUILD_SECONDS)

    # While the build was held, the row still named the previous file (its transaction was not committed).
    assert stored_before_kill["status"] == "pending"
    assert stored_before_kill["file"] == (previous["file"] if previous else "")
    # The same message ran again in a new pool process: acknowledged late, handed back when its process died.
    log = healthy.log("worker").read_text(errors="replace")[log_start:]
    assert "WorkerLostError" in log
    assert "signal 9 (SIGKILL)" in log
    received = Counter(re.findall(r"Task projects\.build_project_fiche\[([0-9a-f-]+)\] received", log))
    succeeded = re.findall(r"Task projects\.build_project_fiche\[([0-9a-f-]+)\] succeeded", log)
    [run_twice] = [task_id for task_id, count in received.items() if count == 2]
    assert run_twice in succeeded, log
    # The half-written file never became a fiche: every PDF stored is whole, the current one shows the
    # new data and is what the download serves.
    assert half_written.parent == partial
    for path in fiche_folder.glob("*.pdf"):
        assert len(PdfReader(path, strict=True).pages) >= 1, path
    stored = (healthy.media_root / fiche["file"]).read_bytes()
    assert len(PdfReader(io.BytesIO(stored), strict=True).pages) == 1
    assert need in pdf_text(stored)
    assert healthy.get(f"/projets/{slug}/fiche.pdf").body == stored


@pytest.mark.postgres
@pytest.mark.redis
def test_a_whole_worker_killed_mid_fiche_is_replaced_by_one_that_builds_the_fiche_at_start(healthy):
    """Main process, pool and beat killed at once (a machine lost): nobody hands the message back before
    Redis's visibility timeout (an hour), and the fiche was queued a moment ago, so beat leaves it alone
    for a while; the next worker to start queues every pending fiche."""
    project_id, slug = healthy.seeded["project_id"], healthy.seeded["slug"]
    need = "Un besoin saisi juste avant la perte de la machine du worker."
    healthy.hold_file.touch()
    saved_after = dt.datetime.now(dt.UTC)

    assert healthy.edit_project(slug, need=need).status == 302
    wait_for(
        "a worker process writing the fiche",
        lambda: any(
            path.stat().st_size > 0
            for path in processes_with_open(healthy.media_root / PARTIAL_FOLDER).values()
        ),
        20,
        0.05,
    )
    os.killpg(healthy.worker.pid, signal.SIGKILL)
    healthy.worker.wait(timeout=10)
    healthy.worker = None
    healthy.hold_file.unlink()
    assert healthy.fiche(project_id)["status"] == "pending"

    healthy.start_worker()

    fiche = healthy.wait_for_fiche_built_after(project_id, saved_after, REBUILD_SECONDS)
    stored = (healthy.media_root / fiche["file"]).read_bytes()
    assert need in pdf_text(stored)


# --- PostgreSQL restarted ----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_requests_succeed_right_after_postgresql_restarts(healthy):
    slug = healthy.seeded["slug"]
    # gunicorn runs one sync process: its connection stays open from one request to the next (CONN_MAX_AGE),
    # and the restart breaks it under the next request.
    before = [healthy.get(f"/projets/{slug}/").status for _ in range(3)]

    healthy.services("restart-postgres")
    started = time.monotonic()
    after = [healthy.get(f"/projets/{slug}/").status for _ in range(10)]

    assert before == [200] * 3
    # The stale connection is noticed before use (CONN_HEALTH_CHECKS) and replaced: not one error.
    assert after == [200] * 10
    assert time.monotonic() - started < 10
    assert healthy.probe().status == 200


# Last of the stack tests: it leaves the worker stopped, since nothing after it needs one (`healthy`
# would start it again otherwise).
@pytest.mark.postgres
@pytest.mark.redis
def test_health_is_503_with_a_workers_error_when_no_worker_runs(healthy):
    healthy.stop_worker()

    response = healthy.probe()

    assert response.status == 503
    checks = response.json()["checks"]
    assert checks["workers"] == {"status": "error", "count": 0}
    assert checks["broker"]["status"] == "ok"
    assert checks["database"]["status"] == "ok"


# --- In process, without services: the pieces the stack tests rely on ----------------------------------


@pytest.fixture
def not_eager() -> Iterator[None]:
    """Tasks are sent to a broker, as in production, instead of running in the test."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def sent_to_broker(not_eager, monkeypatch):
    """The fiche builds sent to the broker (recorded by `delay`)."""
    sent = []
    monkeypatch.setattr(tasks.build_project_fiche, "delay", sent.append)
    return sent


@pytest.mark.django_db
def test_a_save_whose_fiche_build_cannot_be_sent_succeeds_logs_it_and_leaves_the_fiche_pending(
    coordinator, tag22, not_eager, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    project = factories.ProjectFactory(structure=tag22)

    def broker_down(project_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_project_fiche, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_project(user=coordinator, project=project, need="Un besoin saisi sans broker.")

    assert Project.objects.get(pk=project.pk).need == "Un besoin saisi sans broker."
    assert ProjectFiche.objects.get(project=project).status == FicheStatus.PENDING
    assert f"Fiche of project {project.pk} not queued" in caplog.text


@pytest.mark.django_db
def test_requeue_sends_the_pending_fiches_that_no_recent_send_covers(tag22, sent_to_broker):
    pending, queued, ready = factories.ProjectFactory.create_batch(3, structure=tag22)
    ProjectFiche.objects.create(project=pending, status=FicheStatus.PENDING)
    ProjectFiche.objects.create(project=queued, status=FicheStatus.PENDING)
    ProjectFiche.objects.create(project=ready, status=FicheStatus.READY)
    fiches.queue_fiche_build(queued.pk)  # sent a moment ago: marked in the cache
    sent_to_broker.clear()

    assert tasks.requeue_pending_fiches() == 1

    assert sent_to_broker == [pending.pk]


@pytest.mark.django_db
def test_a_starting_worker_sends_every_pending_fiche_even_recently_sent_ones(
    tag22, sent_to_broker, monkeypatch
):
    first, second = factories.ProjectFactory.create_batch(2, structure=tag22)
    for project in (first, second):
        ProjectFiche.objects.create(project=project, status=FicheStatus.PENDING)
        fiches.queue_fiche_build(project.pk)
    sent_to_broker.clear()
    started = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, **options: started.append((name, options)))

    requeue_pending_fiches_at_start(sender=SimpleNamespace(app=celery_app))
    [(name, options)] = started
    assert name == "projects.requeue_pending_fiches"
    tasks.requeue_pending_fiches(**options["kwargs"])

    assert sent_to_broker == [first.pk, second.pk]


def test_beat_requeues_pending_fiches_periodically():
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == tasks.requeue_pending_fiches.name
    ]
    assert 0 < entry["schedule"] <= 300


def test_a_task_is_acknowledged_only_once_done_and_handed_back_if_its_process_dies():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    # One message at a time per process: a killed process takes no other message down with it.
    assert celery_app.conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db
def test_a_built_fiche_is_moved_into_place_whole_and_leaves_no_temporary_file(tag22, media_root):
    project = factories.ProjectFactory(structure=tag22)

    assert tasks.build_project_fiche(project.pk) == "built"

    fiche = ProjectFiche.objects.get(project=project)
    stored = media_root / fiche.file.name
    assert stored.parent == media_root / FICHE_FOLDER
    assert len(PdfReader(stored, strict=True).pages) == 1
    assert list((media_root / PARTIAL_FOLDER).iterdir()) == []
    assert stored.stat().st_mode & 0o777 == 0o644


def test_the_sweep_removes_only_partial_files_older_than_any_build(media_root):
    folder = media_root / PARTIAL_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    old, recent = folder / "fiche-old.part", folder / "fiche-recent.part"
    old.write_bytes(b"%PDF-1.7 half")
    recent.write_bytes(b"%PDF-1.7 half")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    assert fiches.sweep_partial_fiches(FileSystemStorage(location=media_root)) == 1

    assert not old.exists()
    assert recent.exists()
