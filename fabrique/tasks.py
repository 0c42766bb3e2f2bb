"""Background tasks of the platform itself; the apps keep theirs in their own tasks.py."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(name="fabrique.ping")
def ping() -> str:
    """Answers "pong": proves a worker consumes the queue and the result comes back."""
    return "pong"


@shared_task(name="fabrique.count_users")
def count_users() -> int:
    """Counts the accounts: proves the worker reads the same database as the one who sent the task."""
    return get_user_model().objects.count()


def send_task(task, *args, **kwargs) -> bool:
    """Sends `task` to the workers; returns whether it was sent. It runs after a write the user has been
    told succeeded, so a broker that is down (Redis stopped) is logged, never raised: the write stands, and
    the caller decides what the lost task means (settings bound the wait: CELERY_TASK_PUBLISH_RETRY_POLICY).
    Eager tasks (no broker) run here and their errors stay the caller's, as with any eager task."""
    if task.app.conf.task_always_eager:
        task.delay(*args, **kwargs)
        return True
    try:
        task.delay(*args, **kwargs)
    except Exception as error:  # kombu and redis-py raise several kinds
        logger.error("Task %s%r not sent, the broker does not answer: %r", task.name, args, error)
        return False
    return True


def send_task_on_commit(task, *args, **kwargs) -> None:
    """`send_task` once the current transaction commits (the workers must see what it wrote)."""
    transaction.on_commit(lambda: send_task(task, *args, **kwargs))
