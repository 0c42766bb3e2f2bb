"""`/sante/` reports the state of the database, cache, broker and workers honestly, and answers fast.

Here in the test process, faults simulated; tests/test_faults.py asks a real gunicorn the same questions
while its own PostgreSQL, Redis or worker is really stopped."""

import time

import pytest
from django.db import connection

from fabrique import health

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def test_health_is_ok_with_a_working_database_and_no_broker(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/sante/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    # SQLite by default; PostgreSQL when `make test` sets DATABASE_URL.
    assert body["checks"]["database"] == {"status": "ok", "vendor": connection.vendor}
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["broker"] == {"status": "eager"}
    assert body["checks"]["workers"] == {"status": "eager"}


def test_health_is_never_cached(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/sante/")

    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_failing_database_gives_503_and_database_error(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("connexion perdue vers db.interne:5432 avec mot-de-passe-secret")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/sante/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["database"]["error"] == "RuntimeError"
    # The exception's message (which may name hosts or credentials) stays out of the page.
    assert "mot-de-passe-secret" not in response.content.decode()


def test_unreachable_broker_gives_503_within_a_few_seconds(client, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER

    started = time.monotonic()
    response = client.get("/sante/")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["workers"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    assert elapsed < 3
    assert "127.0.0.1:1" not in response.content.decode()


def test_a_hung_check_is_abandoned_at_the_deadline(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""
    monkeypatch.setattr(health, "DEADLINE_SECONDS", 0.3)

    def hung_cache():
        time.sleep(2)
        return {"status": "ok"}

    monkeypatch.setattr(health, "check_cache", hung_cache)

    started = time.monotonic()
    response = client.get("/sante/")

    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"status": "error", "error": "délai dépassé"}


def test_no_worker_answering_is_an_error(settings, monkeypatch):
    """With a reachable broker and nobody answering the ping, the workers check fails."""

    class FakeConnection:
        transport_cls = "redis"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            return self

    class SilentInspect:
        def ping(self):
            return None

    settings.CELERY_BROKER_URL = "redis://broker.example:6379/0"
    monkeypatch.setattr(health.celery_app, "connection_for_write", lambda **kwargs: FakeConnection())
    monkeypatch.setattr(health.celery_app.control, "inspect", lambda **kwargs: SilentInspect())

    broker, workers = health.check_broker_and_workers()

    assert broker == {"status": "ok", "transport": "redis"}
    assert workers == {"status": "error", "count": 0}


def test_only_safe_methods_are_allowed(client):
    assert client.post("/sante/").status_code == 405
