"""The cache is an accelerator, never a dependency: with Redis down, pages that cache are served from the
database, and only the health check reports the failure."""

import datetime as dt
import socket

import pytest
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError

from fabrique.cache import TolerantRedisCache
from tests import factories


def closed_port() -> int:
    # A port nothing listens on: Redis "down", refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "fabrique.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    return caches["default"]  # Django's setting_changed signal has dropped the previous cache


def test_cache_reads_miss_and_writes_are_dropped_when_redis_is_down(redis_down):
    assert isinstance(redis_down, TolerantRedisCache)
    assert redis_down.set("clé", "valeur") is None
    assert redis_down.get("clé", "défaut") == "défaut"
    assert redis_down.get_many(["clé"]) == {}
    assert redis_down.add("clé", "valeur") is False
    assert redis_down.delete("clé") is False


def test_strict_cache_raises_so_the_health_check_sees_redis_down(redis_down):
    with pytest.raises(RedisConnectionError):
        redis_down.strict().get("clé")


def test_directory_and_dashboard_are_served_when_the_cache_is_down(redis_down, client, tag22, staff):
    factories.ProjectFactory(
        title="Épicerie solidaire",
        structure=tag22,
        is_published=True,
        published_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    assert "Épicerie solidaire" in client.get("/projets/").content.decode()
    client.force_login(staff)
    assert client.get("/pilotage/").status_code == 200


def test_health_reports_the_cache_down(redis_down, client, settings):
    settings.CELERY_BROKER_URL = ""  # eager: only the database and the cache are checked
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {
        "status": "error",
        "backend": "RedisCache",
        "error": "ConnectionError",
    }
