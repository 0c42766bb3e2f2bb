"""Benchmarks the project directory `/projets/` served by gunicorn on PostgreSQL, beside the Django admin's
changelist of projects, the staff dashboard `/pilotage/` and a bare view (the floor of the stack).

    bash scripts/services.sh start && set -a && source $FABRIQUE_RUN_DIR/env && set +a
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo --projects 100000
    .venv/bin/python -m benchmarks.directory [--rounds 150] [--output results.md] [--report-only]

One run: gunicorn with production settings (FABRIQUE_ENV=production, DEBUG off, the Redis cache) on the
database of DATABASE_URL, a staff member logged in through the login form, a warm-up, then the endpoints
alternate request by request (their order shuffled in every round), so that a noisy, shared machine slows
them all alike: the ratios are measured side by side. The directory and the admin cycle through the same
50 filter-and-search combinations (each in its own query parameters), the dashboard through 50 of its
filter combinations, so that no cache is flattered by one URL repeated; page 1 and page 2,000 of the
unfiltered directory alternate under its five sorts, beside pages near 2,000 each asked only once. Every
response is checked (HTTP 200 and the page's own content) during the warm-up and the measure: an error
page stops the run.

Exit status 1 when a goal of the issue fails (unless --report-only), 2 when a response is wrong.
"""

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from benchmarks import mix
from benchmarks.stack import ROOT, Goal, Gunicorn, Response, get, log_in, prepare, production_env

STAFF = ("avise@example.org", "fabrique-demo")  # the demo staff account of load_demo
WARM_UP = 10  # combinations per filtered endpoint used only to warm up
Checker = Callable[
    [str, Response], str
]  # (path, response) → "" if it is the expected page, else what is wrong


@dataclass
class Endpoint:
    key: str
    label: str
    paths: list[str]
    check: Checker
    staff: bool = True  # sent with the staff member's session cookie
    warm_up: list[str] = field(default_factory=list)  # other URLs, for the warm-up; none: `paths`
    seconds: list[float] = field(default_factory=list)
    first_visits: list[float] = field(default_factory=list)  # the first request of each URL measured
    by_path: dict[str, list[float]] = field(default_factory=dict)

    def median_ms(self) -> float:
        return median_ms(self.seconds)

    def first_visit_ms(self) -> str:
        """Median of the first request of each URL (its caches cold), when the warm-up did not see it."""
        return f"{number(1000 * statistics.median(self.first_visits))} ms" if self.first_visits else "—"

    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return 1000 * ordered[math.ceil(0.95 * len(ordered)) - 1]

    def per_second(self) -> float:
        """Requests per second with one request in flight: requests ÷ the time spent on them."""
        return len(self.seconds) / sum(self.seconds)


def html_with(*markers: str, absent: tuple[str, ...] = ()) -> Checker:
    def check(path: str, response: Response) -> str:
        if response.status != 200:
            return f"HTTP {response.status}"
        if not response.content_type.startswith("text/html"):
            return f"Content-Type {response.content_type}"
        text = response.body.decode()
        missing = [marker for marker in markers if marker not in text]
        present = [marker for marker in absent if marker in text]
        return (f"absent : {missing}" if missing else "") + (f" présent : {present}" if present else "")

    return check


def bare_check(path: str, response: Response) -> str:
    return "" if response.status == 200 and response.body == b"ok" else f"HTTP {response.status}"


DIRECTORY = html_with("Annuaire des projets", absent=("ne sont pas valides",))


def deep_check(path: str, response: Response) -> str:
    # The page asked for, not the last one (a number past the end shows the last page): its neighbours'
    # links are there, whatever the markup of the pagination.
    page = int(path.rsplit("page=", 1)[1])
    neighbours = html_with(f"page={page - 1}", f"page={page + 1}")
    return DIRECTORY(path, response) or neighbours(path, response)


def fresh_pages(sorted_paths: list[str], around: int, count: int) -> list[str]:
    """`count` different pages around page `around`, two apart, the sorts in turn. The directory may
    remember where a deep page it served starts, and where the next one does (a keyset anchor): two apart,
    no page was the next one of another, so each is a page the directory never served."""
    first = around - count
    return [sorted_paths[n % len(sorted_paths)] + f"page={first + 2 * n}" for n in range(count)]


def endpoints(values: mix.Values, options: argparse.Namespace) -> list[Endpoint]:
    """The measured endpoints. Those with a filter mix cycle through `--combos` combinations that the
    warm-up did not see (it uses WARM_UP other ones): the first visit of each finds the per-combination
    caches of the directory (counts and facets) and of the dashboard (figures) cold, later visits may find
    them warm, as in real use; both are reported. Page 1 and page 2,000 share the count of the unfiltered
    list."""
    combos = mix.combinations(values, options.combos + WARM_UP, options.seed)
    boards = mix.dashboard_queries(values, options.combos + WARM_UP, options.seed)
    directory = [f"/projets/?{c.directory}" for c in combos]
    admin = [f"/admin/projects/project/?{c.admin}" for c in combos]
    dashboard = [f"/pilotage/?{query}" for query in boards]
    deep = options.deep_page
    sorted_paths = [f"/projets/?{'tri=' + sort + '&' if sort else ''}" for sort in mix.DEEP_SORTS]

    def mixed(key: str, label: str, paths: list[str], check: Checker, staff: bool = True) -> Endpoint:
        return Endpoint(key, label, paths[WARM_UP:], check, staff, warm_up=paths[:WARM_UP])

    return [
        Endpoint("bare", "bare Django view (floor)", ["/bench/bare/"], bare_check, staff=False),
        mixed("directory", "directory, page 1, filters + search (staff)", directory, DIRECTORY),
        mixed("anonymous", "directory, page 1, filters + search (anonymous)", directory, DIRECTORY, False),
        Endpoint(
            "first",
            "directory, page 1, unfiltered, 5 sorts (staff)",
            [p + "page=1" for p in sorted_paths],
            DIRECTORY,
        ),
        Endpoint(
            "deep",
            f"directory, page {deep:,}, unfiltered, 5 sorts (staff)",
            [p + f"page={deep}" for p in sorted_paths],
            deep_check,
        ),
        Endpoint(
            "fresh_deep",
            f"directory, a page near {deep:,} never asked before, 5 sorts (staff)",
            fresh_pages(sorted_paths, deep, options.rounds),
            deep_check,
            warm_up=fresh_pages(sorted_paths, deep // 2, len(sorted_paths)),
        ),
        mixed("admin", "admin changelist, same filters (staff)", admin, html_with('id="changelist"')),
        mixed(
            "dashboard", "dashboard /pilotage/, filters (staff)", dashboard, html_with("Pilotage du réseau")
        ),
    ]


def fetch(port: int, endpoint: Endpoint, path: str, cookie: str) -> Response:
    response = get(port, path, cookie if endpoint.staff else "")
    problem = endpoint.check(path, response)
    if problem:
        print(f"Réponse inattendue pour {path} ({endpoint.label}) : {problem}", file=sys.stderr)
        sys.exit(2)  # never benchmark an error page
    return response


def run(port: int, points: list[Endpoint], cookie: str, rounds: int, seed: int) -> float:
    """Warm up (the workers, their database connections, PostgreSQL's buffers), then `rounds` rounds: each
    endpoint's next URL, the endpoints in a shuffled order."""
    for endpoint in points:
        for path in endpoint.warm_up or endpoint.paths:
            fetch(port, endpoint, path, cookie)
    print(f"warm-up done: {sum(len(e.warm_up or e.paths) for e in points)} URLs checked", flush=True)
    rng = random.Random(seed)
    started = time.monotonic()
    for index in range(rounds):
        for endpoint in rng.sample(points, len(points)):
            path = endpoint.paths[index % len(endpoint.paths)]
            seconds = fetch(port, endpoint, path, cookie).seconds
            endpoint.seconds.append(seconds)
            endpoint.by_path.setdefault(path, []).append(seconds)
            if endpoint.warm_up and index < len(endpoint.paths):
                endpoint.first_visits.append(seconds)
        if (index + 1) % 10 == 0:
            print(f"round {index + 1}/{rounds}", flush=True)
    return time.monotonic() - started


def sort_ratios(first: Endpoint, deep: Endpoint) -> list[tuple[str, float, float]]:
    """(sort, page 1 median ms, deep page median ms), sort by sort: both endpoints list their paths in the
    order of mix.DEEP_SORTS."""
    return [
        (sort or "-maj (default)", median_ms(first.by_path[shallow]), median_ms(deep.by_path[far]))
        for sort, shallow, far in zip(mix.DEEP_SORTS, first.paths, deep.paths, strict=True)
    ]


def goals(by_key: dict[str, Endpoint]) -> list[Goal]:
    directory, admin = by_key["directory"].median_ms(), by_key["admin"].median_ms()
    # Each sort separately: a fast default sort must not hide a slow one in an overall median.
    worst, shallow, far = max(sort_ratios(by_key["first"], by_key["deep"]), key=lambda row: row[2] / row[1])
    return [
        Goal("admin ÷ directory (medians, same filters)", admin / directory, 5, at_least=True),
        Goal(
            f"directory deep page ÷ page 1 (medians, worst sort: {worst})", far / shallow, 1.2, at_least=False
        ),
        Goal(
            "directory deep page never asked before ÷ page 1 (medians)",
            by_key["fresh_deep"].median_ms() / by_key["first"].median_ms(),
            1.2,
            at_least=False,
        ),
        Goal(
            "dashboard ÷ directory (medians)", by_key["dashboard"].median_ms() / directory, 2, at_least=False
        ),
    ]


def median_ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)


def number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def per_sort(first: Endpoint, deep: Endpoint) -> list[str]:
    lines = ["", "| sort | page 1 | deep page | ratio |", "| --- | ---: | ---: | ---: |"]
    for sort, shallow, far in sort_ratios(first, deep):
        lines.append(f"| {sort} | {number(shallow)} ms | {number(far)} ms | {number(far / shallow, 2)} |")
    return lines


def side_ratios(by_key: dict[str, Endpoint]) -> list[str]:
    """Ratios beside the goals: throughput, and the first visits of a combination (caches cold)."""
    directory, admin = by_key["directory"], by_key["admin"]
    cold = statistics.median(admin.first_visits) / statistics.median(directory.first_visits)
    return [
        "",
        f"Directory req/s ÷ admin req/s: {number(directory.per_second() / admin.per_second(), 2)}. "
        f"Admin ÷ directory on the first visit of each combination (caches cold): {number(cold, 2)}.",
    ]


def report(points: list[Endpoint], results: list[Goal], options: argparse.Namespace, elapsed: float) -> str:
    commit = subprocess.run(  # noqa: S603 (a fixed command)
        [shutil.which("git") or "/usr/bin/git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    lines = [
        f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, code `{commit}`: gunicorn "
        f"{options.workers} sync workers, {options.rounds} rounds in {elapsed:.0f} s, one request in flight.",
        "",
        "| endpoint | distinct URLs | requests | median | p95 | req/s | median, 1st visit of a URL |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint in points:
        lines.append(
            f"| {endpoint.label} | {len(endpoint.paths)} | {len(endpoint.seconds)} | "
            f"{number(endpoint.median_ms())} ms | {number(endpoint.p95_ms())} ms | "
            f"{number(endpoint.per_second())} | {endpoint.first_visit_ms()} |"
        )
    lines += ["", "| goal | measured | target | met |", "| --- | ---: | ---: | --- |"]
    for goal in results:
        target = ("≥ " if goal.at_least else "≤ ") + number(goal.limit)
        lines.append(
            f"| {goal.label} | {number(goal.measured, 2)} | {target} | {'yes' if goal.met else '**no**'} |"
        )
    by_key = {endpoint.key: endpoint for endpoint in points}
    lines += side_ratios(by_key) + per_sort(by_key["first"], by_key["deep"])
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=150, help="requests per endpoint (default 150)")
    parser.add_argument(
        "--combos", type=int, default=50, help="filter combinations, at least 50 (default 50)"
    )
    parser.add_argument("--deep-page", type=int, default=2000)
    # Two sync workers: one per core of the machine. The client keeps one request in flight, so the second
    # worker changes no latency; it is there because production runs more than one.
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, help="also write the markdown tables to this file")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a goal fails")
    options = parser.parse_args()
    if options.combos < 50:
        parser.error("--combos : au moins 50 combinaisons.")
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("DATABASE_URL (PostgreSQL) et REDIS_URL sont nécessaires : source $FABRIQUE_RUN_DIR/env.")

    run_dir = Path(os.environ.get("FABRIQUE_RUN_DIR") or ROOT / ".run")
    env = production_env(run_dir)
    prepare(env)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")  # fresh planner statistics after load_demo's bulk inserts
    redis.Redis.from_url(redis_url).flushdb()  # the cache database only: every run starts cold
    points = endpoints(mix.read_values(url), options)
    with Gunicorn(env, options.workers, run_dir / "bench-gunicorn.log") as server:
        cookie = log_in(server.port, *STAFF)
        elapsed = run(server.port, points, cookie, options.rounds, options.seed)
    results = goals({endpoint.key: endpoint for endpoint in points})
    text = report(points, results, options, elapsed)
    print(text)
    if options.output:
        options.output.write_text(text, encoding="utf-8")
    if not options.report_only and not all(goal.met for goal in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
