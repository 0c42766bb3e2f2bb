"""A throwaway copy of the production stack for the fault tests: its own PostgreSQL cluster and Redis
(scripts/services.sh with another run folder and other ports), gunicorn, and a Celery worker with its
embedded beat, all separate processes talking over TCP like in production.

The fault tests stop, restart and kill these, never the services the rest of the suite uses. Every wait
is bounded and says what it waited for when it gives up.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

from tests.faults.browser import Response, form_fields

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "scripts" / "services.sh"
# Ports kept for these tests, away from those of `make test` (55433, 63790) and of other local runs.
PG_PORTS = range(55514, 55517)
WEB_PORTS = range(55517, 55520)
REDIS_PORTS = range(63864, 63870)
# Environment variables of the test run that must not leak into the stack's processes.
LEAKING = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "FABRIQUE_ENV", "DEBUG", "MEDIA_ROOT")


def free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1} for the fault tests")


def wait_for(what: str, check: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    """Polls `check` until it returns something true, and returns that; AssertionError naming `what` and
    the last error seen if `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            result = check()
        except Exception as error:  # any failure means "not yet"
            result, last_error = None, error
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}; last error: {last_error!r}")
        time.sleep(interval)


@dataclass
class Stack:
    root: Path
    pg_port: int = field(default_factory=lambda: free_port(PG_PORTS))
    redis_port: int = field(default_factory=lambda: free_port(REDIS_PORTS))
    web_port: int = field(default_factory=lambda: free_port(WEB_PORTS))
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    seeded: dict[str, Any] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    # --- Paths and environment --------------------------------------------------------------------------
    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def media_root(self) -> Path:
        return self.root / "media"

    @property
    def hold_file(self) -> Path:
        """While it exists, the stack's worker pauses halfway through writing a fiche (projects/fiches.py)."""
        return self.root / "hold-fiche-write"

    @property
    def database_url(self) -> str:
        return f"postgres://fabrique:fabrique@127.0.0.1:{self.pg_port}/fabrique"

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def django_env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in LEAKING}
        env.update(
            DJANGO_SETTINGS_MODULE="fabrique.settings",
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/1",
            MEDIA_ROOT=str(self.media_root),
            ALLOWED_HOSTS="127.0.0.1",
            # Persistent connections, as in production: the PostgreSQL restart test is about them.
            CONN_MAX_AGE="60",
            PYTHONUNBUFFERED="1",
        )
        return env

    # --- PostgreSQL and Redis (scripts/services.sh) -----------------------------------------------------
    def services(self, command: str) -> None:
        env = {
            **os.environ,
            "FABRIQUE_RUN_DIR": str(self.run_dir),
            "FABRIQUE_PG_PORT": str(self.pg_port),
            "FABRIQUE_REDIS_PORT": str(self.redis_port),
        }
        done = subprocess.run(  # noqa: S603 (fixed arguments)
            ["/bin/bash", str(SERVICES), command],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"services.sh {command} failed:\n{done.stdout}\n{done.stderr}")

    def stop_services(self) -> None:
        self.services("stop")
        pointer = self.run_dir / "postgres-data-dir"
        if pointer.exists():  # the cluster may live under /tmp (see services.sh): remove it too
            shutil.rmtree(pointer.read_text().strip(), ignore_errors=True)

    def python(self, *args: str) -> str:
        """Runs `python ARGS` with the stack's settings; returns what it printed."""
        command = [sys.executable, *args]
        done = subprocess.run(  # noqa: S603 (fixed arguments)
            command, cwd=ROOT, env=self.django_env(), capture_output=True, text=True, timeout=180, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def sql(self, query: str, *params: Any) -> list[tuple]:
        with psycopg.connect(self.database_url, connect_timeout=5, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    # --- gunicorn and the Celery worker -----------------------------------------------------------------
    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        with self.log(name).open("ab") as log:
            # A session of its own: teardown can kill the process and all its children at once.
            return subprocess.Popen(  # noqa: S603 (fixed arguments)
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def start_web(self) -> None:
        # One sync worker: every request goes through the same persistent database connection.
        self.web = self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "fabrique.wsgi:application",
                f"--bind=127.0.0.1:{self.web_port}",
                "--workers=1",
                "--timeout=60",
                "--graceful-timeout=2",
                "--access-logfile=-",
            ],
            self.django_env(),
        )
        self._wait_for_process(
            "web",
            "gunicorn to answer",
            lambda: self.request("GET", "/sante/", timeout=5, signed_in=False).status,
            30,
            interval=0.2,
        )

    def start_worker(self) -> None:
        """The worker with one pool process (prefork: a killed child is replaced, its task handed back), and
        beat embedded, re-queuing pending fiches every second instead of every minute."""
        env = {
            **self.django_env(),
            "FICHE_REQUEUE_SECONDS": "1",
            "FABRIQUE_TEST_FICHE_HOLD_FILE": str(self.hold_file),
        }
        before = (
            self.log("worker").read_text(errors="replace").count(" ready.")
            if self.log("worker").exists()
            else 0
        )
        self.worker = self._spawn(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "--app=fabrique",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--beat",
                f"--schedule={self.root / 'beat-schedule'}",
                "--loglevel=INFO",
                f"--hostname=faults-{os.getpid()}@localhost",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env,
        )
        self._wait_for_process(
            "worker",
            "the Celery worker to be ready",
            lambda: (
                self.worker.poll() is None
                and self.log("worker").read_text(errors="replace").count(" ready.") > before
            ),
            30,
            interval=0.2,
        )

    def _wait_for_process(
        self, name: str, what: str, check: Callable[[], Any], timeout: float, interval: float
    ):
        try:
            wait_for(what, check, timeout, interval)
        except AssertionError as error:
            tail = self.log(name).read_text(errors="replace")[-3000:] if self.log(name).exists() else ""
            raise AssertionError(f"{error}\n--- end of {self.log(name)}:\n{tail}") from None

    def stop_worker(self) -> None:
        if self.worker is not None:
            stop_process_group(self.worker)
            self.worker = None

    def stop_all(self) -> None:
        for process in (self.worker, self.web):
            if process is not None:
                stop_process_group(process)
        self.worker = self.web = None
        self.stop_services()

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.media_root.mkdir(exist_ok=True)
        self.services("start")
        self.python("manage.py", "migrate", "--noinput")
        self.seeded = json.loads(self.python("-m", "tests.faults.seed").strip().splitlines()[-1])
        self.cookies["sessionid"] = self.seeded["session"]
        self.start_web()
        self.start_worker()

    # --- HTTP ------------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        timeout: float = 15,
        signed_in: bool = True,
        **headers: str,
    ) -> Response:
        """One HTTP request to gunicorn, as the seeded coordinator unless `signed_in` is false (no cookie at
        all, as a load balancer's health probe)."""
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items()) if signed_in else ""
        conn = HTTPConnection("127.0.0.1", self.web_port, timeout=timeout)
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", "Cookie": cookie, **headers})
            answer: HTTPResponse = conn.getresponse()
            content = answer.read()
        finally:
            conn.close()
        if signed_in:
            for header, value in answer.getheaders():
                if header.lower() == "set-cookie":
                    name, _sep, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(answer.status, dict(answer.getheaders()), content, time.monotonic() - started)

    def get(self, path: str, timeout: float = 15) -> Response:
        return self.request("GET", path, timeout=timeout)

    def probe(self) -> Response:
        """/sante/ as a monitoring probe asks for it: without cookies."""
        return self.request("GET", "/sante/", signed_in=False)

    def edit_project(self, slug: str, **changes: str) -> Response:
        """What the coordinator's browser does: open the project's edit form, change fields, send it."""
        page = self.get(f"/projets/{slug}/modifier/")
        assert page.status == 200, f"edit form answered {page.status}"
        fields = [
            (name, value) for name, value in form_fields(page.body.decode(), "need") if name not in changes
        ]
        fields += list(changes.items())
        return self.request(
            "POST",
            f"/projets/{slug}/modifier/",
            body=urlencode(fields).encode(),
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.web_port}/",
            },
        )

    def wait_until_healthy(self, timeout: float = 30) -> dict:
        """/sante/ at 200: database, cache, broker and a worker answer (after a fault, the worker takes a
        few seconds to reconnect to Redis)."""
        return wait_for(
            "/sante/ to answer 200",
            lambda: (r := self.probe()).status == 200 and r.json(),
            timeout,
            0.3,
        )

    # --- The fiche, as stored ---------------------------------------------------------------------------
    def fiche(self, project_id: int) -> dict[str, Any] | None:
        rows = self.sql(
            "SELECT status, file, built_at FROM projects_projectfiche WHERE project_id = %s", project_id
        )
        return dict(zip(("status", "file", "built_at"), rows[0], strict=True)) if rows else None

    def wait_for_fiche_built_after(self, project_id: int, moment, timeout: float) -> dict[str, Any]:
        def built() -> dict[str, Any] | None:
            fiche = self.fiche(project_id)
            if fiche and fiche["status"] == "ready" and fiche["built_at"] and fiche["built_at"] > moment:
                return fiche
            return None

        return wait_for(f"the fiche of project {project_id} to be built again", built, timeout, 0.2)


def stop_process_group(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM to the process's own session (it and its children), SIGKILL if still there after `timeout`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):  # children left behind (a pool process, beat) go too
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


def processes_with_open(folder: Path) -> dict[int, Path]:
    """The processes holding a file of `folder` open, with that file: found through /proc (Linux)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                target = Path(os.readlink(fd))
                if target.parent == folder:
                    found[int(entry.name)] = target
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
    return found
