"""Health checks behind `/sante/`: database, cache, Celery broker and workers.

Each check returns a small dict with a `status` of "ok", "error" or "eager" (no broker configured:
tasks run in the web process, which is a normal development setup, not a failure). Errors are reported
by exception class only: messages may carry host names or URLs, so they go to the log, not the page.
The checks that talk to Redis run in daemon threads with a shared deadline, so a Redis that does not
answer costs at most `DEADLINE_SECONDS`.
"""

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import connection

from fabrique.celery import app as celery_app

logger = logging.getLogger(__name__)

Check = dict[str, Any]

OK = "ok"
ERROR = "error"
EAGER = "eager"

DEADLINE_SECONDS = 1.8
BROKER_CONNECT_TIMEOUT = 1.0
WORKERS_PING_TIMEOUT = 1.0


def _failed(name: str, exc: BaseException) -> Check:
    logger.warning("Health check %s failed: %r", name, exc)
    return {"status": ERROR, "error": type(exc).__name__}


def check_database() -> Check:
    vendor = connection.vendor
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {**_failed("database", exc), "vendor": vendor}
    return {"status": OK, "vendor": vendor}


def check_cache() -> Check:
    cache = caches[DEFAULT_CACHE_ALIAS]
    if hasattr(cache, "strict"):
        cache = cache.strict()  # the platform's cache hides Redis's errors: here they must show
    backend = type(cache).__name__
    key = f"sante:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        read = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return {**_failed("cache", exc), "backend": backend}
    if read != value:
        return {"status": ERROR, "backend": backend, "error": "valeur relue différente"}
    return {"status": OK, "backend": backend}


def check_broker_and_workers() -> tuple[Check, Check]:
    """Open a connection to the broker, then ask the workers for a ping over it."""
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url:
        return {"status": EAGER}, {"status": EAGER}
    with celery_app.connection_for_write(url=broker_url, connect_timeout=BROKER_CONNECT_TIMEOUT) as conn:
        transport = conn.transport_cls
        try:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2)
        except Exception as exc:
            broker = {**_failed("broker", exc), "transport": transport}
            return broker, {"status": ERROR, "error": "broker indisponible"}
        broker = {"status": OK, "transport": transport}
        try:
            replies = celery_app.control.inspect(timeout=WORKERS_PING_TIMEOUT, connection=conn).ping() or {}
        except Exception as exc:
            return broker, _failed("workers", exc)
    workers = {"status": OK if replies else ERROR, "count": len(replies)}
    return broker, workers


def _in_background(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `target` in a daemon thread: a hung call is abandoned without holding the response."""
    result: list[Any] = []

    def run() -> None:
        result.append(target())

    thread = threading.Thread(target=run, daemon=True, name=f"sante-{target.__name__}")
    thread.start()
    return thread, result


def _timed_out() -> Check:
    return {"status": ERROR, "error": "délai dépassé"}


def run_checks() -> dict[str, Any]:
    """All checks, with the overall status: "ok" when every check is ok or eager, "error" otherwise."""
    started = time.monotonic()
    cache_thread, cache_result = _in_background(check_cache)
    celery_thread, celery_result = _in_background(check_broker_and_workers)
    database = check_database()

    cache_thread.join(max(0.0, DEADLINE_SECONDS - (time.monotonic() - started)))
    celery_thread.join(max(0.0, DEADLINE_SECONDS - (time.monotonic() - started)))
    cache_check = cache_result[0] if cache_result else _timed_out()
    broker, workers = celery_result[0] if celery_result else (_timed_out(), _timed_out())

    checks = {"database": database, "cache": cache_check, "broker": broker, "workers": workers}
    healthy = all(check["status"] in {OK, EAGER} for check in checks.values())
    return {"status": OK if healthy else ERROR, "checks": checks}
