"""Load test of the public pages (issue 8, point 5): gunicorn with the production settings on PostgreSQL
and Redis, 100,000 projects, 50 concurrent clients (locust, headless, on 127.0.0.1) for 60 seconds over
the directory, the project pages, the map and its GeoJSON, and the programme pages.

    export FABRIQUE_RUN_DIR=/tmp/run-E FABRIQUE_PG_PORT=55505 FABRIQUE_REDIS_PORT=63855
    bash scripts/services.sh start && set -a && source $FABRIQUE_RUN_DIR/env && set +a
    .venv/bin/python -m benchmarks.load [--projects 100000] [--users 50] [--run-time 60] [--output load.md]
    bash scripts/services.sh stop

One run:
1. The database `<name of DATABASE_URL>_load_<N>` on the same server, a throwaway one: created, migrated
   and filled by `load_demo --projects N` (timed) the first time; reused by the next runs once the load
   finished (the database's comment records it, with its time), so a rerun starts in seconds.
2. `migrate` (nothing to do), `collectstatic` (the manifest production templates need), VACUUM ANALYZE
   (as benchmarks/stack.py does), the Redis cache emptied (every run starts cold; the broker's database
   is left alone).
3. The targets file for locust: published project slugs (a fixed sample), published programmes, the
   directory's filter values found in the data (benchmarks/locustfile.py).
4. gunicorn with `fabrique.settings` as production runs it (FABRIQUE_ENV=production, DEBUG off, a
   throwaway SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT off: no TLS here) on 127.0.0.1:PORT,
   then each page type asked alone, timed (the pages' own speed at this size, before any load).
5. locust --headless (-u users, -r spawn rate, --run-time, --stop-timeout), its final statistics (JSON)
   and failures (CSV) in a temporary folder; gunicorn stopped afterwards whatever happens.
6. The Markdown report: per page type and in total, requests, failures, requests per second,
   p50/p95/p99; the load average before and after; the CPU time of gunicorn, PostgreSQL, Redis, locust
   and of the machine's other jobs during the run; the command's options and the git revision.

Bounded: locust stops itself after --run-time; every subprocess has a hard timeout (load_demo, migrate,
collectstatic, VACUUM, locust's run plus a margin, gunicorn's start and stop). Exit status 1 when a
request failed (a status other than 2xx/3xx, an unexpected body, a connection error or timeout) or
locust failed.
"""

import argparse
import contextlib
import csv
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
import redis
from psycopg import sql

from benchmarks import mix
from benchmarks.stack import BIN, MANAGE_TIMEOUT, ROOT, Gunicorn, get, manage, prepare, production_env

LOAD_DEMO_TIMEOUT = 1800  # seconds: a 100,000-project load takes about a minute alone, more when shared
PROJECT_SAMPLE = 5000  # published project slugs handed to locust (a fixed sample: two runs ask the same)
MARK = "load_demo --projects {projects} --seed {seed}"  # the database comment once the load is complete
DIRECTORY_PAGE_SIZE = 25  # projects.filters.PAGE_SIZE (Django is not loaded in this process)
SORTS = ("-maj", "maj", "titre", "etape", "structure")
PROBES = {  # one URL per page type, asked alone before the load (path from the targets)
    "annuaire /projets/ (pages, tris)": lambda t: "/projets/?page=2",
    "annuaire /projets/ (filtres, recherche)": lambda t: "/projets/?q=solidaire&stage=launched",
    "page projet /projets/<slug>/": lambda t: f"/projets/{t['projects'][0]}/",
    "liste /programmes/": lambda t: "/programmes/",
    "page programme /programmes/<slug>/": lambda t: f"/programmes/{t['published_programmes'][0]}/",
    "carte /reseau/carte/": lambda t: "/reseau/carte/",
    "GeoJSON /reseau/structures.geojson": lambda t: "/reseau/structures.geojson",
}


# --- The database ---------------------------------------------------------------------------------------


def load_database(url: str, projects: int, seed: int) -> tuple[str, float | None, str]:
    """The URL of the load test's database, the seconds of its load_demo when this run loaded it (None when
    reused), and its comment. A database whose load did not finish has no comment: it is loaded again."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_load_{projects}"
    load_url = urlunsplit(parts._replace(path=f"/{name}"))
    mark = MARK.format(projects=projects, seed=seed)
    with psycopg.connect(url, autocommit=True) as connection:
        comment = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if comment and (comment[0] or "").startswith(mark):
            return load_url, None, comment[0]
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {**os.environ, "DATABASE_URL": load_url, "FABRIQUE_ENV": "development"}
    manage(env, ["migrate", "--verbosity", "0"], MANAGE_TIMEOUT)
    print(f"load_demo --projects {projects} dans {name}…", flush=True)
    started = time.monotonic()
    manage(env, ["load_demo", "--projects", str(projects), "--seed", str(seed)], LOAD_DEMO_TIMEOUT)
    seconds = time.monotonic() - started
    comment = f"{mark}: {seconds:.1f} s on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), comment))
    return load_url, seconds, comment


def write_targets(url: str, path: Path) -> dict:
    """What locust may ask: only URLs that exist for an anonymous visitor and filter values in the data."""
    values = mix.read_values(url)
    with psycopg.connect(url) as connection:
        (published,) = connection.execute(
            "SELECT count(*) FROM projects_project WHERE is_published"
        ).fetchone()
        # md5 of the slug: a fixed, well-spread sample, the same in every run on the same data.
        projects = connection.execute(
            "SELECT slug FROM projects_project WHERE is_published ORDER BY md5(slug) LIMIT %s",
            [PROJECT_SAMPLE],
        ).fetchall()
        programmes = connection.execute(
            "SELECT slug FROM programmes_programme WHERE is_published ORDER BY slug"
        ).fetchall()
    targets = {
        "projects": [slug for (slug,) in projects],
        "published_programmes": [slug for (slug,) in programmes],
        "programmes": sorted(values.programmes),
        "structures": sorted(values.structures),
        "departements": values.departements,
        "stages": list(mix.STAGES),
        "sectors": list(mix.SECTORS),
        "search_words": list(mix.SEARCH_WORDS),
        "sorts": list(SORTS),
        "directory_pages": max(1, math.ceil(published / DIRECTORY_PAGE_SIZE)),
        "published": published,
    }
    if not targets["projects"] or not targets["published_programmes"]:
        sys.exit("Aucun projet ou programme publié : load_demo n'a pas chargé les données.")
    path.write_text(json.dumps(targets), encoding="utf-8")
    return targets


# --- gunicorn -------------------------------------------------------------------------------------------


def service_cpu_seconds(database_url: str, redis_url: str) -> dict[str, float]:
    """CPU time so far of the PostgreSQL server (postmaster and backends) and of Redis serving this run,
    found by the port on their command line (scripts/services.sh starts them with it)."""
    ports = {"PostgreSQL": f"-p {urlsplit(database_url).port}", "Redis": f":{urlsplit(redis_url).port}"}
    found = dict.fromkeys(ports, 0.0)
    for process in psutil.process_iter(["name", "cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        for service, port in ports.items():
            if port in command and process.info["name"] in ("postgres", "redis-server"):
                with contextlib.suppress(psutil.NoSuchProcess):
                    family = [process, *process.children(recursive=True)]
                    found[service] += sum(sum(p.cpu_times()[:2]) for p in family)
    return found


def machine_busy_seconds() -> float:
    """CPU time all cores spent on anything (every job of the machine), so far."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def probe(port: int, targets: dict, workers: int, rounds: int = 5) -> dict[str, float]:
    """Median milliseconds of each page type asked alone (one request in flight), the page's own speed at
    this size, to tell a slow page from a loaded server. Each worker's first request of a page costs far
    more (imports, templates compiled, catalogues read): two rounds per worker are not counted."""
    medians = {}
    for group, path_of in PROBES.items():
        path = path_of(targets)
        seconds = []
        for _round in range(2 * workers + rounds):
            answer = get(port, path)
            if answer.status != 200:
                sys.exit(f"{path} répond HTTP {answer.status} avant la charge : voir le journal de gunicorn.")
            seconds.append(answer.seconds)
        medians[group] = 1000 * sorted(seconds[2 * workers :])[rounds // 2]
    return medians


# --- locust ---------------------------------------------------------------------------------------------


def run_locust(options: argparse.Namespace, targets_path: Path, out: Path) -> tuple[int, float]:
    """locust's exit status and the CPU seconds it used. Bounded twice: --run-time stops it, and the
    hard timeout kills it if it hangs (its statistics are then missing, which fails the run)."""
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless",
        f"--host=http://127.0.0.1:{options.port}",
        f"--users={options.users}",
        f"--spawn-rate={options.spawn_rate}",
        f"--run-time={options.run_time}s",
        "--stop-timeout=10",
        f"--csv={out / 'load'}",  # the failures' messages
        f"--json-file={out / 'load'}",  # the final statistics, with each page type's response times
        "--only-summary",
        "--loglevel=WARNING",
    ]
    env = {**os.environ, "LOAD_TARGETS": str(targets_path), "LOAD_THINK_SECONDS": str(options.think)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    tracked = psutil.Process(process.pid)
    cpu = 0.0
    deadline = time.monotonic() + options.run_time + 90
    while process.poll() is None:
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            sys.exit(f"locust ne s'est pas arrêté de lui-même après {options.run_time + 90} s : tué.")
        try:
            cpu = sum(tracked.cpu_times()[:2])  # read while it lives: a finished process has no stats
        except psutil.NoSuchProcess:
            break
        time.sleep(0.5)
    return process.wait(), cpu


@dataclass
class Group:
    """One line of the report: locust's final statistics of a page type (or of all of them)."""

    name: str
    requests: int
    failures: int
    seconds: float  # from its first request to its last one
    histogram: dict[int, int]  # response time in ms (rounded by locust: 2 significant digits) → count
    max_ms: float

    @classmethod
    def of(cls, entry: dict) -> "Group":
        return cls(
            name=entry["name"],
            requests=entry["num_requests"],
            failures=entry["num_failures"],
            seconds=(entry["last_request_timestamp"] or entry["start_time"]) - entry["start_time"],
            histogram={int(ms): count for ms, count in entry["response_times"].items()},
            max_ms=entry["max_response_time"],
        )

    @classmethod
    def total(cls, groups: list["Group"], seconds: float) -> "Group":
        histogram: dict[int, int] = {}
        for group in groups:
            for ms, count in group.histogram.items():
                histogram[ms] = histogram.get(ms, 0) + count
        requests, failures = sum(g.requests for g in groups), sum(g.failures for g in groups)
        return cls("total", requests, failures, seconds, histogram, max(g.max_ms for g in groups))

    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> int:
        """The smallest response time that `share` of the requests did not exceed."""
        rank, seen = math.ceil(share * sum(self.histogram.values())), 0
        for ms in sorted(self.histogram):
            seen += self.histogram[ms]
            if seen >= rank:
                return ms
        return 0


def read_stats(out: Path) -> list[Group]:
    """The page types, then the total, from locust's final JSON (written once it stopped: complete)."""
    path = out / "load.json"
    if not path.exists():
        sys.exit("locust n'a pas écrit ses statistiques : la mesure a échoué.")
    entries = json.loads(path.read_text(encoding="utf-8"))
    if not entries:
        sys.exit("locust n'a envoyé aucune requête : la mesure a échoué.")
    groups = sorted((Group.of(entry) for entry in entries), key=lambda group: group.name)
    first = min(entry["start_time"] for entry in entries)
    last = max(entry["last_request_timestamp"] or first for entry in entries)
    return [*groups, Group.total(groups, last - first)]


def failures(out: Path) -> list[dict[str, str]]:
    """The failures by kind, from locust's CSV (for their messages; the counts above are the JSON's)."""
    path = out / "load_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


# --- Report ---------------------------------------------------------------------------------------------


def git_revision() -> str:
    """`git describe` of the checkout; LOAD_REVISION names the code when the run is made from a copy of
    it (e.g. `git archive HEAD` unpacked elsewhere, so that files being edited meanwhile are not served)."""
    if os.environ.get("LOAD_REVISION"):
        return os.environ["LOAD_REVISION"]
    return subprocess.run(  # noqa: S603 (a fixed command)
        [shutil.which("git") or "/usr/bin/git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout.strip()


def ms(value: str) -> str:
    return f"{float(value):,.0f} ms" if value not in ("", "N/A") else "—"


def cpu_line(facts: dict, requests: int) -> str:
    """Where the cores went during the run: on a shared machine, the other jobs' share explains a slow run."""
    cores, wall, services = os.cpu_count() or 1, facts["wall"], facts["services"]
    ours = facts["server_cpu"] + facts["client_cpu"] + sum(services.values())
    return (
        f"CPU time during the run, of {cores * wall:.0f} core-seconds ({cores} cores × {wall:.0f} s): "
        f"gunicorn {facts['server_cpu']:.0f} s ({1000 * facts['server_cpu'] / max(requests, 1):.1f} ms per "
        f"request), PostgreSQL {services['PostgreSQL']:.0f} s, Redis "
        f"{services['Redis']:.0f} s, locust {facts['client_cpu']:.0f} s; the machine's other jobs "
        f"{facts['busy'] - ours:.0f} s."
    )


def report(groups: list[Group], failed: list[dict[str, str]], facts: dict) -> str:
    options = facts["options"]
    loaded = (
        f"loaded by this run in **{facts['load_seconds']:.0f} s** "
        f"(`load_demo --projects {options.projects}`, whole command)"
        if facts["load_seconds"] is not None
        else f"reused ({facts['comment']})"
    )
    lines = [
        f"Run of {facts['started']}, code `{facts['revision']}`: {os.cpu_count()} cores shared with other "
        f"jobs; gunicorn {options.workers} sync workers on 127.0.0.1:{options.port} (`fabrique.settings`, "
        f"FABRIQUE_ENV=production), PostgreSQL and Redis, locust {options.users} users (spawn rate "
        f"{options.spawn_rate}/s) for {options.run_time} s, "
        + (f"0–{options.think:g} s between pages" if options.think else "no pause between pages")
        + f", on the same machine. Database: {facts['projects']:,} projects ({facts['published']:,} "
        f"published), {loaded}. Load average (1 min) {facts['load_before']:.2f} before the run, "
        f"{facts['load_after']:.2f} at its end. {cpu_line(facts, groups[-1].requests)}",
        "",
        "| page type | alone (median) | requests | failures | req/s | p50 | p95 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for group in groups:
        total = group.name == "total"
        alone = facts["alone"].get(group.name)
        cells = [
            "**total**" if total else group.name.replace("<", "&lt;").replace(">", "&gt;"),
            f"{alone:,.0f} ms" if alone is not None else "—",
            f"{group.requests:,}",
            f"**{group.failures:,}**" if total else f"{group.failures:,}",
            f"{group.per_second():,.1f}",
            *(f"{group.percentile(share):,} ms" for share in (0.5, 0.95, 0.99)),
            f"{group.max_ms:,.0f} ms",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if facts["status"]:
        lines += [
            "",
            f"locust exited with status {facts['status']}: failures, or errors of the locustfile "
            "itself (their traceback is in its output above).",
        ]
    if failed:
        lines += ["", "Failures:", ""]
        lines += [f"- {row['Name']}: {row['Error']} ({row['Occurrences']}×)" for row in failed]
    lines += ["", f"Command: `{facts['command']}`."]
    return "\n".join(lines) + "\n"


# --- Main -----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000, help="load_demo --projects (100000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--users", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--spawn-rate", type=int, default=10, help="clients started per second (10)")
    parser.add_argument("--run-time", type=int, default=60, help="seconds of load (60)")
    parser.add_argument("--think", type=float, default=0.0, help="max seconds between two pages (0)")
    parser.add_argument("--port", type=int, default=8805, help="gunicorn's port on 127.0.0.1 (8805)")
    # Pages are rendered in Python (CPU-bound) with short waits on PostgreSQL and Redis: gunicorn's
    # 2 × cores + 1 keeps both cores busy while a worker waits, without more memory or switching.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--output", type=Path, help="also write the Markdown report to this file")
    options = parser.parse_args()
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("DATABASE_URL (PostgreSQL) et REDIS_URL sont nécessaires : source $FABRIQUE_RUN_DIR/env.")

    load_url, load_seconds, comment = load_database(url, options.projects, options.seed)
    run_dir = Path(os.environ.get("FABRIQUE_RUN_DIR") or ROOT / ".run")
    env = {
        **production_env(run_dir),
        "DJANGO_SETTINGS_MODULE": "fabrique.settings",  # the site as production serves it
        "DATABASE_URL": load_url,
        "MEDIA_ROOT": str(run_dir / "load-media"),
    }
    prepare(env)
    redis.Redis.from_url(
        redis_url, socket_timeout=10
    ).flushdb()  # the cache database only: every run starts cold
    with tempfile.TemporaryDirectory(prefix="fabrique-load-") as folder:
        out = Path(folder)
        targets = write_targets(load_url, out / "targets.json")
        with psycopg.connect(load_url) as connection:
            projects = connection.execute("SELECT count(*) FROM projects_project").fetchone()[0]
        facts = {
            "options": options,
            "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "revision": git_revision(),
            "command": " ".join([".venv/bin/python -m benchmarks.load", *sys.argv[1:]]),
            "load_seconds": load_seconds,
            "comment": comment,
            "projects": projects,
            "published": targets["published"],
        }
        with Gunicorn(
            env,
            options.workers,
            run_dir / "load-gunicorn.log",
            port=options.port,
            ready_path="/",
            request_timeout=60,
        ) as server:
            facts["alone"] = probe(options.port, targets, options.workers)
            facts["load_before"] = os.getloadavg()[0]
            cpu_before, busy_before = server.cpu_seconds(), machine_busy_seconds()
            services_before, started = service_cpu_seconds(load_url, redis_url), time.monotonic()
            facts["status"], facts["client_cpu"] = run_locust(options, out / "targets.json", out)
            facts["wall"], facts["busy"] = time.monotonic() - started, machine_busy_seconds() - busy_before
            services_after = service_cpu_seconds(load_url, redis_url)
            facts["services"] = {
                name: services_after[name] - services_before[name] for name in services_after
            }
            facts["load_after"] = os.getloadavg()[0]
            facts["server_cpu"] = server.cpu_seconds() - cpu_before
        groups, failed = read_stats(out), failures(out)
    text = report(groups, failed, facts)
    print(text)
    if options.output:
        options.output.write_text(text, encoding="utf-8")
    total = groups[-1]
    if facts["status"] or total.failures or not total.requests:
        sys.exit(1)


if __name__ == "__main__":
    main()
