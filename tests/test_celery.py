"""Celery: tasks round-trip through a real worker on Redis; without a broker they run eagerly."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from fabrique import tasks
from tests import factories

TIMEOUT = 30


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_ping_task_round_trips_through_the_real_worker_on_redis():
    result = tasks.ping.delay()

    assert result.get(timeout=TIMEOUT) == "pong"
    # Not computed in this process: a worker took it from the broker and stored the result in Redis.
    assert result.backend.__class__.__name__ == "RedisBackend"
    assert result.successful()


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_reads_the_test_database():
    factories.UserFactory.create_batch(3)

    assert tasks.count_users.delay().get(timeout=TIMEOUT) == 3


@pytest.mark.redis
def test_tasks_sent_outside_worker_tests_run_in_the_test_process():
    # Ordinary tests see a task's effect at once, even with a broker configured (see tests/conftest.py).
    result = tasks.ping.delay()

    assert result.__class__.__name__ == "EagerResult"
    assert result.get() == "pong"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_tasks_run_eagerly_when_no_broker_is_configured():
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "REDIS_URL", "DATABASE_URL"}}
    code = (
        "import django; django.setup()\n"
        "from fabrique.celery import app\n"
        "from fabrique.tasks import ping\n"
        "result = ping.delay()\n"
        "print(app.conf.task_always_eager, type(result).__name__, result.get(timeout=5))\n"
    )
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "fabrique.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "EagerResult", "pong"]
