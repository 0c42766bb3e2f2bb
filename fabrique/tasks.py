"""Background tasks of the platform itself; the apps keep theirs in their own tasks.py."""

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="fabrique.ping")
def ping() -> str:
    """Answers "pong": proves a worker consumes the queue and the result comes back."""
    return "pong"


@shared_task(name="fabrique.count_users")
def count_users() -> int:
    """Counts the accounts: proves the worker reads the same database as the one who sent the task."""
    return get_user_model().objects.count()
