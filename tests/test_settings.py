"""Settings read from the environment: production refuses unsafe starts, defaults suit development.

Each case runs in a subprocess so that fabrique.settings is imported afresh with the environment under test.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

# Variables the settings (or the deployment checks) read: removed from each subprocess's environment unless
# a test sets them. DJANGO_ALLOW_ASYNC_UNSAFE comes from the browser tests' conftest.
SETTINGS_VARIABLES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "FABRIQUE_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "SQLITE_PATH",
}

# Reads the settings module only (no django.setup(): loading every app would only slow each case down).
DUMP_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
    "health_checks": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "fabrique.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_with(**env: str) -> dict:
    done = run_python(["-c", DUMP_SETTINGS], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def production_key() -> str:
    return secrets.token_urlsafe(50)


def test_production_refuses_to_start_without_secret_key():
    done = run_python(["manage.py", "check"], FABRIQUE_ENV="production", ALLOWED_HOSTS="fabrique.avise.org")

    assert done.returncode != 0
    assert "SECRET_KEY est obligatoire en production" in done.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    done = run_python(["manage.py", "check"], FABRIQUE_ENV="production", SECRET_KEY=production_key())

    assert done.returncode != 0
    assert "ALLOWED_HOSTS est obligatoire en production" in done.stderr


def test_production_refuses_debug():
    done = run_python(
        ["manage.py", "check"],
        FABRIQUE_ENV="production",
        SECRET_KEY=production_key(),
        ALLOWED_HOSTS="fabrique.avise.org",
        DEBUG="true",
    )

    assert done.returncode != 0
    assert "DEBUG ne peut pas être activé en production" in done.stderr


def test_production_settings_pass_the_deployment_checks():
    done = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        FABRIQUE_ENV="production",
        SECRET_KEY=production_key(),
        ALLOWED_HOSTS="fabrique.avise.org",
    )

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_nothing_set_means_sqlite_and_eager_tasks():
    dumped = settings_with()

    assert dumped["engine"] == "django.db.backends.sqlite3"
    assert dumped["name"].endswith("db.sqlite3")
    assert dumped["eager"] is True
    assert dumped["broker"] == ""
    assert dumped["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert dumped["debug"] is False


def test_database_url_switches_to_postgresql():
    dumped = settings_with(DATABASE_URL="postgres://fabrique:secret@db.example.org:5432/fabrique")

    assert dumped["engine"] == "django.db.backends.postgresql"
    assert dumped["name"] == "fabrique"
    # A restarted server: connections checked before reuse; one that does not answer: 5 s, not a hang.
    assert dumped["health_checks"] is True
    assert dumped["options"]["connect_timeout"] == 5


def test_broker_url_switches_tasks_and_cache_to_redis():
    dumped = settings_with(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    assert dumped["eager"] is False
    assert dumped["broker"] == "redis://127.0.0.1:6379/0"
    assert dumped["cache"] == "fabrique.cache.TolerantRedisCache"


def test_debug_true_turns_debug_on_outside_production():
    assert settings_with(DEBUG="true")["debug"] is True


def test_platform_speaks_french_on_paris_time():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_database_url_is_set():
    # Under `make test` (and so in CI) this proves the whole suite ran on PostgreSQL, not on SQLite.
    assert connection.vendor == "postgresql"


@pytest.mark.redis
def test_cache_is_redis_when_redis_is_configured():
    cache.set("fabrique-probe", "ok", timeout=10)

    assert settings.CACHES["default"]["BACKEND"] == "fabrique.cache.TolerantRedisCache"
    assert cache.get("fabrique-probe") == "ok"
