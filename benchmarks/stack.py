"""The served stack of the directory benchmark: gunicorn on the benchmark database with production
settings, and a plain HTTP client (one connection per request, as a browser meeting a sync worker)."""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    seconds: float
    cookies: dict[str, str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(run_dir: Path) -> dict[str, str]:
    """The environment of a production server (FABRIQUE_ENV=production: DEBUG off, manifest static files,
    secure cookies), but plain HTTP on 127.0.0.1 and the benchmark's URLconf."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "FABRIQUE_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # no TLS in front of gunicorn here
        "STATIC_ROOT": str(run_dir / "static"),
        "LOG_LEVEL": "WARNING",
    }


MANAGE_TIMEOUT = 600  # seconds each step of `prepare` may take at most
START_TIMEOUT = 60  # seconds gunicorn has to answer


def manage(env: dict[str, str], args: list[str], timeout: int = MANAGE_TIMEOUT) -> None:
    command = [sys.executable, "manage.py", *args]  # our own arguments, no shell
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=timeout)  # noqa: S603


def prepare(env: dict[str, str]) -> None:
    """Apply the migrations (the indexes the code expects), collect the static files (the manifest that
    production templates need), then VACUUM ANALYZE the database as autovacuum does on a live one: a table
    just loaded in bulk has no visibility map yet, so its index-only scans would still read the table.
    Each step has a hard timeout: a benchmark stops by itself."""
    manage(env, ["migrate", "--verbosity", "0"])
    manage(env, ["collectstatic", "--noinput", "--verbosity", "0"])
    with psycopg.connect(env["DATABASE_URL"], autocommit=True, connect_timeout=10) as connection:
        connection.execute(f"SET statement_timeout = '{MANAGE_TIMEOUT}s'")
        connection.execute("VACUUM ANALYZE")


class Gunicorn:
    """gunicorn in its own process group, stopped (with its workers) on exit, even on an error (SIGTERM:
    a graceful stop, then SIGKILL after 30 s). On a free port unless `port` is given; ready once
    `ready_path` answers 200."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        log: Path,
        *,
        port: int | None = None,
        ready_path: str = "/bench/bare/",
        request_timeout: int = 120,
    ) -> None:
        self.port = port or free_port()
        self.env, self.workers, self.log = env, workers, log
        self.ready_path, self.request_timeout = ready_path, request_timeout
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        with socket.socket() as probe:  # another server there would be measured instead of ours
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                sys.exit(f"Le port {self.port} est déjà pris : choisissez-en un autre.")
        command = [
            str(BIN / "gunicorn"),
            "fabrique.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=sync",
            f"--timeout={self.request_timeout}",
            f"--error-logfile={self.log}",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn s'est arrêté au démarrage : voir {self.log}")
            try:
                if get(self.port, self.ready_path).status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        sys.exit(f"gunicorn ne répond pas après {START_TIMEOUT} s sur le port {self.port}.")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the arbiter and its workers so far."""
        import psutil  # a development dependency (locust's): only the load benchmark asks

        arbiter = psutil.Process(self.process.pid)
        return sum(sum(p.cpu_times()[:2]) for p in [arbiter, *arbiter.children(recursive=True)])

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the arbiter and its workers, nothing else
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def request(port: int, method: str, path: str, headers: dict[str, str], body: str | None = None) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers={"Accept-Encoding": "identity", **headers})
        answer = connection.getresponse()
        content = answer.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    cookies = {}
    for header in answer.headers.get_all("Set-Cookie") or []:
        cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
    return Response(answer.status, answer.headers.get("Content-Type", ""), content, seconds, cookies)


def get(port: int, path: str, cookie: str = "") -> Response:
    return request(port, "GET", path, {"Cookie": cookie} if cookie else {})


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the real login form (allauth); return the Cookie header of the session."""
    page = get(port, "/comptes/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or not token or "csrftoken" not in page.cookies:
        sys.exit(f"Page de connexion inattendue (HTTP {page.status}).")
    csrf = page.cookies["csrftoken"]
    form = urlencode({"login": email, "password": password, "csrfmiddlewaretoken": token.group(1).decode()})
    headers = {"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"}
    answer = request(port, "POST", "/comptes/login/", headers, form)
    if answer.status != 302 or "sessionid" not in answer.cookies:
        sys.exit(f"Connexion de {email} refusée (HTTP {answer.status}) : lancer load_demo sur cette base.")
    return f"csrftoken={csrf}; sessionid={answer.cookies['sessionid']}"


@dataclass(frozen=True)
class Goal:
    """A benchmark target shared by the reports: met when the measure is at least (or at most) the limit."""

    label: str
    measured: float
    limit: float
    at_least: bool  # True: measured must be >= limit

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit
