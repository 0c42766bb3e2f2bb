"""Shared fixtures: one user per role, with the seeds' names; the real services (PostgreSQL, Redis, a Celery
worker, Chromium) for the tests marked as needing them."""

import functools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from fabrique.celery import app as celery_app
from network.models import Structure
from tests import factories


@pytest.fixture
def staff(db):
    return factories.StaffFactory(email="avise@example.org")


@pytest.fixture
def tag22(db):
    return factories.StructureFactory(name="TAg22", slug="tag22", phase=Structure.Phase.EXPERIMENTATION)


@pytest.fixture
def atis(db):
    return factories.StructureFactory(name="ATIS", slug="atis", labelled=True)


@pytest.fixture
def coordinator(tag22):
    """Coordinator of TAg22 (the owner of TAg22's projects)."""
    return factories.CoordinatorFactory(user__email="coordination@tag22.example.org", structure=tag22).user


@pytest.fixture
def outsider(atis):
    """Coordinator of another structure (ATIS, labelled): may sit on committees, owns nothing of TAg22."""
    return factories.CoordinatorFactory(user__email="coordination@atis.example.org", structure=atis).user


@pytest.fixture
def partner_user(db):
    """A member of Fondation PSA (read-only on the programmes it funds)."""
    membership = factories.PartnerMemberFactory(
        user__email="partenaire@fondation-psa.example.org",
        partner__name="Fondation PSA",
        partner__slug="fondation-psa",
    )
    return membership.user


# --- Real services ---------------------------------------------------------------------------------------
# A test marked `postgres`, `redis`, `worker` or `browser` needs that service. `make test` starts them all
# (scripts/services.sh). When one is missing the test *fails* under CI=true, because CI must prove the
# platform works on the real services and a skip there would hide that; on a developer's machine it
# *skips*, so `pytest` still runs without PostgreSQL, Redis or Chromium installed.

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SERVICE_MARKERS = ("postgres", "redis", "worker", "browser")


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@functools.cache
def missing_service(name: str) -> str | None:
    """Why the service is unavailable, or None when it is there (asked once per run)."""
    if name == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "PostgreSQL is not configured (DATABASE_URL is unset); `make test` provides it"
        return None
    if name in {"redis", "worker"}:
        if not settings.CELERY_BROKER_URL:
            return "Redis is not configured (CELERY_BROKER_URL is unset); `make test` provides it"
        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            return f"Redis does not answer at {settings.CELERY_BROKER_URL}: {exc}"
        if name == "worker":
            return missing_service("postgres")
        return None
    if name == "browser":
        if not os.access(CHROMIUM, os.X_OK):
            return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        return None
    raise ValueError(name)


def require_service(name: str) -> None:
    reason = missing_service(name)
    if reason is None:
        return
    if running_in_ci():
        pytest.fail(f"CI needs this service: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/e2e drives Chromium: mark it once here rather than in every file.
    e2e = Path(__file__).parent / "e2e"
    for item in items:
        if e2e in item.path.parents:
            item.add_marker(pytest.mark.browser)
        elif "browser_name" in getattr(item, "fixturenames", ()) or "browser_name" in getattr(
            getattr(item, "callspec", None), "params", {}
        ):
            # A parameter named `page` pulls in pytest-playwright's fixtures and their session-scoped
            # browser parameter: pytest then runs that test among the browser tests, after a live_server
            # test has flushed the régions and départements that every later test needs.
            raise pytest.UsageError(f"{item.nodeid}: only tests/e2e may use Playwright; rename `page`.")


@pytest.fixture(autouse=True)
def _services(request: pytest.FixtureRequest) -> Iterator[None]:
    """Checks the services a test is marked with; runs Celery tasks eagerly unless it is a `worker` test.

    Outside `worker` tests, tasks run in the test process, inside the test's transaction, whatever the
    broker: a test then sees the task's effect at once, on SQLite as on PostgreSQL + Redis. `worker` tests
    go through Redis to the real worker started by `celery_worker`.
    """
    for name in SERVICE_MARKERS:
        if request.node.get_closest_marker(name):
            require_service(name)
    worker_test = request.node.get_closest_marker("worker") is not None
    if worker_test:
        django_db = request.node.get_closest_marker("django_db")
        transactional = (django_db is not None and django_db.kwargs.get("transaction")) or (
            "transactional_db" in request.fixturenames
        )
        if not transactional:
            # The worker reads the database through its own connection: it only sees committed rows.
            pytest.fail("a `worker` test must use @pytest.mark.django_db(transaction=True)", pytrace=False)
        request.getfixturevalue("celery_worker")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = not worker_test
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The cache is Redis under `make test`, shared by the whole run: login rate limits and cached pages
    # must not leak from one test into the next.
    cache.clear()


def worker_database_url() -> str:
    """A DATABASE_URL naming the test database (the one pytest-django created), for the worker process."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory, media_root: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker process on the run's Redis, reading and writing the *test* database.

    Started once per run, on first use (mark a test `worker`), and stopped before the test database is
    dropped. Tests using it must be transactional, since the worker sees only committed rows.
    """
    require_service("worker")
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    nodename = f"fabrique-test-{os.getpid()}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fabrique.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "REDIS_URL": settings.REDIS_URL,
        # No persistent connection: the test database is dropped at the end of the run.
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(media_root),
    }
    # Tasks left over from an interrupted run would be run against this run's database: drop them.
    celery_app.control.purge()
    with log_path.open("wb") as log:
        # --pool=solo: one task at a time in the worker's own process, enough for tests on 2 cores.
        # No -Q: the worker consumes the default queue, whatever the settings name it.
        worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "--app=fabrique",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname={nodename}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[nodename], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the Celery worker did not start:\n{log_path.read_text(errors='replace')[-3000:]}",
                    pytrace=False,
                )
        yield worker
    finally:
        # Warm shutdown (SIGTERM) lets the worker finish its task and close its database connection.
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.fixture(scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where uploads and built fiches go during the run: a temporary folder, shared with the worker."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, media_root: Path) -> None:
    # Services queue fiche builds after commit: without this, tests would write PDFs into the real media/.
    settings.MEDIA_ROOT = media_root


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    """Hashing a password with PBKDF2 costs ~0.3 s: every factory-made user would pay it. MD5 is enough for
    tests, which never store a real password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's language: a request made in English leaves English active in the
    thread (LocaleMiddleware does not switch back), which would leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
