"""Benchmarks the PDF builds of issue 4 on PostgreSQL and Redis: the project fiche built by its Celery task
beside WeasyPrint rendering the same HTML alone, and the programme booklet of 100 fiches built by two real
Celery workers beside one WeasyPrint call rendering the same pages in one process.

    bash scripts/services.sh start && set -a && source $FABRIQUE_RUN_DIR/env && set +a
    .venv/bin/python -m benchmarks.fiches [--rounds 60] [--booklet-rounds 5] [--output results.md]

One run: production settings (DEBUG off, the Redis cache and broker), the migrations, the static files and
`load_demo --projects 0` (the seeds), then the benchmark's own projects, created once in the database of
DATABASE_URL (a throwaway one, as for the other benchmarks; slugs `banc-fiche-N`): with the seed project,
100 published fiches in the programme « Fabrique à initiatives en territoires fragiles », each with texts
of a real fiche's length, a stage history, a holder, four indicators and three partners.

- Fiche: each round rebuilds one fiche (its content hash cleared first) through the whole task
  `build_project_fiche.apply()` (load, hash, render, store) and renders the same HTML with `render_pdf`
  alone (the template rendered beforehand), in a shuffled order; the rounds cycle through the projects.
- Booklet: two worker processes `celery worker --pool=solo` (one task at a time each, as in the tests);
  each round clears the hashes of the booklet and of its fiches (every fiche is rendered again, as in the
  one-call render) and times `request_booklet` until the booklet is ready, beside
  `render_pdf(single_document_html(programme))` in this process (the HTML built beforehand).
- Peak memory: VmHWM (peak resident set) of each worker process, read in /proc after the rounds; with
  --pool=solo the tasks run in the worker's own process (no child processes).

Exit status 1 when a goal of the issue fails (unless --report-only), 2 when a build fails.

Django's modules are imported inside the functions: the settings exist only once `main` has prepared the
environment (production settings, the run's media folder) and called `django.setup()`.
"""

import argparse
import datetime as dt
import io
import itertools
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.stack import ROOT, prepare, production_env

PROGRAMME = "fabrique-territoires-fragiles"
SLUG_PREFIX = "banc-fiche-"
PIPELINE = ("detection", "invention", "launch", "launched")
CHUNK_TASK, ASSEMBLY_TASK = "programmes.build_booklet_chunk", "programmes.assemble_booklet"
BOOKLET_TIMEOUT = 900  # seconds: a booklet still pending after this is a failure
FICHE_WARM_UP = 3  # rounds not counted: the first ones load WeasyPrint, its fonts and the templates


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(2)  # never report the time of a failed build


def percentile(seconds: list[float], share: float) -> float:
    ordered = sorted(seconds)
    return ordered[math.ceil(share * len(ordered)) - 1]


def sentences(rng: random.Random, pool: list[str], count: int) -> str:
    """A paragraph of `count` different sentences of `pool` (the seeds repeat some texts)."""
    unique = list(dict.fromkeys(pool))
    return " ".join(rng.sample(unique, min(count, len(unique))))


def create_projects(programme, count: int, seed: int) -> None:
    """The benchmark's published projects of `programme`, created once: on the programme's participations,
    with texts composed from the demo data's sentences (a real fiche's paragraphs, not one line)."""
    from fabrique.demo import words
    from fabrique.demo.seeds import network
    from fabrique.demo.seeds import projects as seed_projects
    from fabrique.demo.synthetic import at_place, of_place
    from programmes.models import Partner
    from projects.models import Indicator, Project, StageChange

    existing = set(Project.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True))
    places = {row["slug"]: row["places"] for row in network.TERRITORIES}
    seats = list(programme.participations.select_related("structure", "territory").order_by("pk"))
    partners = list(Partner.objects.order_by("slug"))
    seeds = seed_projects.PROJECTS
    lessons = [row["key_lessons"] for row in seeds if row["key_lessons"]]
    summaries = [row["study"][3] for row in seeds if row["study"] and row["study"][3]]
    for number in range(1, count + 1):
        rng = random.Random(seed * 1000 + number)  # project N is the same whatever the count
        if f"{SLUG_PREFIX}{number}" in existing:
            continue
        seat = seats[number % len(seats)]
        commune = rng.choice(places.get(seat.territory.slug) or [seat.territory.name])
        sector = rng.choice([sector for sector in words.NEEDS if sector != "other"])
        needs = [text.format(place=of_place(commune), at=at_place(commune)) for text in words.NEEDS[sector]]
        activity = rng.choice(words.ACTIVITIES[sector])
        day = programme.start_date + dt.timedelta(days=rng.randint(0, 120))
        path = []
        for stage in PIPELINE:
            path.append((stage, dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)))
            day += dt.timedelta(days=rng.randint(40, 160))
        launched = path[-1][1]
        project = Project.objects.create(
            slug=f"{SLUG_PREFIX}{number}",
            title=f"{activity} {of_place(commune)}",
            structure=seat.structure,
            territory=seat.territory,
            programme=programme,
            sector=sector,
            stage="launched",
            stage_changed_at=launched,
            need=sentences(rng, needs + [row["need"] for row in seeds if row["need"]], 4),
            solution=sentences(rng, words.SOLUTIONS[sector] + [row["solution"] for row in seeds], 5),
            study_started_on=path[1][1].date(),
            study_completed_on=path[2][1].date(),
            study_conclusion="favourable",
            study_summary=sentences(rng, words.STUDY_SUMMARIES + summaries, 4),
            started_on=launched.date(),
            key_lessons=sentences(rng, lessons, 3),
            is_published=True,
            published_at=launched + dt.timedelta(days=60),
        )
        StageChange.objects.bulk_create(
            StageChange(project=project, from_stage=before, to_stage=stage, changed_at=when)
            for before, (stage, when) in zip(["", *PIPELINE], path, strict=False)
        )
        holder = f"{rng.choice(words.HOLDER_FIRST_NAMES)} {rng.choice(words.HOLDER_LAST_NAMES)}"
        organisation = f"{rng.choice(words.HOLDER_KINDS)} {activity} {of_place(commune)}"
        project.holder_assignments.create(
            holder_name=holder, holder_organisation=organisation, assigned_on=path[2][1].date()
        )
        measured = launched.date() + dt.timedelta(days=180)
        Indicator.objects.bulk_create(
            Indicator(project=project, kind=kind, value=value, measured_on=on, note=note)
            for kind, value, on, note in (
                ("creativity_sessions", rng.randint(2, 8), path[1][1].date(), "Groupe-projet et habitants"),
                ("jobs_fte", rng.randint(2, 16) / 2, measured, "Dont des salariés en insertion"),
                ("people_reached", rng.randint(40, 900), measured, "La première année d'activité"),
                ("funds_raised", rng.randint(20, 400) * 500, measured, "Subventions et prêts d'honneur"),
            )
        )
        project.partners.set(rng.sample(partners, 3))


def booklet_programme(fiches: int, seed: int):
    """The programme, its booklet holding exactly `fiches` published projects (the seeds' own included)."""
    from django.db import transaction

    from programmes.booklets import booklet_projects
    from programmes.models import Programme

    programme = Programme.objects.filter(slug=PROGRAMME).first()
    if programme is None:
        sys.exit(f"Programme {PROGRAMME} absent : load_demo n'a pas chargé les données de démonstration.")
    others = booklet_projects(programme).exclude(slug__startswith=SLUG_PREFIX).count()
    with transaction.atomic():
        create_projects(programme, fiches - others, seed)
    held = booklet_projects(programme).count()
    if held != fiches:
        sys.exit(f"Le carnet compterait {held} fiches, pas {fiches} : --fiches {held}, ou une base neuve.")
    return programme


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def pages(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def fiche_task(project_id: int) -> float:
    """Seconds of the whole task `build_project_fiche`, its rebuild forced beforehand (outside the timing)."""
    from projects.models import ProjectFiche
    from projects.tasks import build_project_fiche

    ProjectFiche.objects.filter(project_id=project_id).update(content_hash="")
    seconds, result = timed(lambda: build_project_fiche.apply(args=[project_id]))
    if result.get() != "built":
        fail(f"La tâche n'a pas reconstruit la fiche du projet {project_id} : {result.result!r}")
    return seconds


def fiche_alone(project_id: int) -> tuple[float, int, int]:
    """Seconds of `render_pdf` alone on the fiche's HTML (rendered beforehand), its size and pages."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    from fabrique.pdf import render_pdf
    from projects.fiches import FICHE_TEMPLATE, fiche_context, fiche_project, render_context

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(FICHE_TEMPLATE, render_context(fiche_context(fiche_project(project_id))))
    seconds, pdf = timed(lambda: render_pdf(html))
    return seconds, len(html), pages(pdf)


def fiche_rounds(project_ids: list[int], rounds: int, seed: int) -> dict:
    """Interleaved rounds on the same project: the task, then WeasyPrint alone, or the other way round."""
    rng = random.Random(seed)
    task, alone, sizes = [], [], []
    for index in range(FICHE_WARM_UP + rounds):
        project_id = project_ids[index % len(project_ids)]
        measured = {}
        for side in rng.sample(["task", "alone"], 2):
            measured[side] = fiche_task(project_id) if side == "task" else fiche_alone(project_id)
        if index >= FICHE_WARM_UP:
            task.append(measured["task"])
            alone.append(measured["alone"][0])
            sizes.append(measured["alone"][1:])
    return {"task": task, "alone": alone, "sizes": sizes}


class Workers:
    """Celery worker processes on the benchmark's broker and database, each in its own process group,
    stopped on exit even on an error (warm shutdown first, as the tests do)."""

    def __init__(self, env: dict[str, str], count: int, log_dir: Path) -> None:
        self.env, self.count, self.log_dir = env, count, log_dir
        self.names = [f"fichebench-{n}-{os.getpid()}@localhost" for n in range(1, count + 1)]
        self.processes: list[subprocess.Popen] = []

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name.split('@')[0]}.log"

    def __enter__(self) -> "Workers":
        from fabrique.celery import app

        app.control.purge()  # tasks left by an interrupted run must not run against this one
        for name in self.names:
            command = [sys.executable, "-m", "celery", "--app=fabrique", "worker", "--pool=solo"]
            command += ["--loglevel=INFO", f"--hostname={name}", "--without-gossip", "--without-mingle"]
            with self.log(name).open("wb") as log:
                self.processes.append(
                    subprocess.Popen(  # noqa: S603 (fixed arguments)
                        [*command, "--without-heartbeat"],
                        cwd=ROOT,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 90
        while len(app.control.ping(destination=self.names, timeout=1)) < self.count:
            if time.monotonic() > deadline or any(process.poll() is not None for process in self.processes):
                self.__exit__()
                sys.exit(f"Les workers Celery n'ont pas démarré : voir {self.log_dir}/fichebench-*.log")
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def succeeded(self, task: str) -> list[list[float]]:
        """Seconds of each run of `task` every worker finished so far, read from Celery's INFO lines."""
        pattern = re.compile(rf"Task {re.escape(task)}\[[^]]+\] succeeded in ([0-9.]+)s")
        return [
            [float(found) for found in pattern.findall(self.log(name).read_text())] for name in self.names
        ]

    def cpu_seconds(self) -> list[float]:
        """CPU time (user + system) each worker process has used so far, from /proc/<pid>/stat."""
        ticks = os.sysconf("SC_CLK_TCK")
        fields = [
            Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            for process in self.processes
        ]
        return [(int(stat[11]) + int(stat[12])) / ticks for stat in fields]  # utime, stime

    def peak_kib(self) -> list[int]:
        """Peak resident memory (VmHWM) of each worker; with --pool=solo the tasks run in that process."""
        return [vm_hwm_kib(process.pid) for process in self.processes]


def vm_hwm_kib(pid: int | str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def build_booklet(programme) -> tuple[float, bytes]:
    """Seconds from `request_booklet` to a ready booklet, and its PDF; every fiche rebuilt."""
    from programmes.booklets import booklet_projects, request_booklet
    from programmes.models import BookletStatus, ProgrammeBooklet
    from projects.models import ProjectFiche

    ProjectFiche.objects.filter(project__in=booklet_projects(programme)).update(content_hash="")
    ProgrammeBooklet.objects.filter(programme=programme).update(content_hash="")
    started = time.perf_counter()
    booklet = request_booklet(programme)
    while True:
        status, error = ProgrammeBooklet.objects.filter(pk=booklet.pk).values_list("status", "error").get()
        if status == BookletStatus.READY:
            seconds = time.perf_counter() - started
            break
        if status == BookletStatus.FAILED or time.perf_counter() - started > BOOKLET_TIMEOUT:
            fail(f"Le carnet n'a pas été construit ({status}) : {error}")
        time.sleep(0.05)
    booklet.refresh_from_db()
    with booklet.file.open("rb") as handle:
        return seconds, handle.read()


def booklet_rounds(programme, workers: Workers, rounds: int, seed: int) -> dict:
    from fabrique.pdf import render_pdf
    from programmes.booklets import single_document_html

    rng = random.Random(seed)
    built, alone, worker_cpu, alone_cpu, info = [], [], [], [], {}
    warm_up = {task: list(map(len, workers.succeeded(task))) for task in (CHUNK_TASK, ASSEMBLY_TASK)}

    def run_workers() -> None:
        cpu = workers.cpu_seconds()
        seconds, pdf = build_booklet(programme)
        built.append(seconds)
        worker_cpu.append([after - before for after, before in zip(workers.cpu_seconds(), cpu, strict=True)])
        info["booklet_pages"] = pages(pdf)

    def run_alone() -> None:
        html_seconds, html = timed(lambda: single_document_html(programme))
        cpu = time.process_time()
        seconds, pdf = timed(lambda: render_pdf(html))
        alone_cpu.append(time.process_time() - cpu)
        alone.append(seconds)
        info.update(html_seconds=html_seconds, single_pages=pages(pdf))

    for number in range(1, rounds + 1):
        for step in rng.sample([run_workers, run_alone], 2):
            step()
        print(f"booklet round {number}/{rounds}: workers {built[-1]:.1f} s, one call {alone[-1]:.1f} s")
    return {
        "built": built,
        "alone": alone,
        **measured_tasks(workers, warm_up),
        "peak": workers.peak_kib(),
        "worker_cpu": [statistics.median(per_worker) for per_worker in zip(*worker_cpu, strict=True)],
        "alone_cpu": statistics.median(alone_cpu),
        **info,
    }


def measured_tasks(workers: Workers, warm_up: dict[str, list[int]]) -> dict:
    """Chunks per worker, median seconds of a chunk and of the assembly, over the measured rounds."""
    runs = {
        task: [seconds[skip:] for seconds, skip in zip(workers.succeeded(task), warm_up[task], strict=True)]
        for task in warm_up
    }
    return {
        "chunks": list(map(len, runs[CHUNK_TASK])),
        "chunk_seconds": statistics.median(itertools.chain(*runs[CHUNK_TASK])),
        "assembly_seconds": statistics.median(itertools.chain(*runs[ASSEMBLY_TASK])),
    }


def row(label: str, seconds: list[float], unit: str = "ms") -> str:
    scale, digits = (1000, 0) if unit == "ms" else (1, 2)
    cells = [statistics.median(seconds), percentile(seconds, 0.9), min(seconds), max(seconds)]
    values = " | ".join(f"{scale * value:,.{digits}f} {unit}" for value in cells)
    return f"| {label} | {len(seconds)} | {values} |"


def git_commit() -> str:
    return subprocess.run(  # noqa: S603 (a fixed command)
        [shutil.which("git") or "/usr/bin/git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def booklet_lines(booklet: dict, options: argparse.Namespace) -> list[str]:
    from django.conf import settings

    peaks = [kib / 1024 for kib in booklet["peak"]]
    workers = options.workers
    return [
        "",
        f"Booklet: {options.fiches} fiches in chunks of {settings.BOOKLET_CHUNK_SIZE}, {workers} worker "
        f"processes `celery worker --pool=solo`, {options.booklet_rounds} rounds after one warm-up build; "
        f"booklet PDF {booklet['booklet_pages']} pages, one-call PDF {booklet['single_pages']} pages.",
        "",
        HEADER,
        row(f"{workers} workers: `request_booklet` → ready (every fiche rebuilt)", booklet["built"], "s"),
        row("one call `render_pdf(single_document_html(programme))`", booklet["alone"], "s"),
        "",
        f"Chunks per worker over the measured rounds: {' / '.join(map(str, booklet['chunks']))}, "
        f"{booklet['chunk_seconds']:.2f} s per chunk (median); the assembly after the last chunk (cover and "
        "contents rendered, the fiches' PDFs merged, the booklet's page numbers stamped): "
        f"{booklet['assembly_seconds']:.2f} s (median). "
        f"CPU time per round (medians): {' + '.join(f'{cpu:.1f} s' for cpu in booklet['worker_cpu'])} in "
        f"the workers, {booklet['alone_cpu']:.1f} s for the one call; the workers' wall time also waits for "
        "cores on this shared machine. "
        f"Building the one-document HTML (not timed above): {booklet['html_seconds']:.2f} s. "
        f"Peak memory (VmHWM) of the workers: {' / '.join(f'{mib:.0f} MiB' for mib in peaks)}, "
        f"max **{max(peaks):.0f} MiB**; of this process, after the one-call renders: "
        f"{vm_hwm_kib('self') / 1024:.0f} MiB.",
    ]


HEADER = "| measure | runs | median | p90 | min | max |\n| --- | ---: | ---: | ---: | ---: | ---: |"


def report(fiche: dict, booklet: dict | None, options: argparse.Namespace) -> tuple[str, list[tuple]]:
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    html_kb = statistics.median(size for size, _pages in fiche["sizes"]) / 1000
    fiche_pages = "–".join(map(str, sorted({count for _size, count in fiche["sizes"]})))
    lines = [
        f"Run of {now}, code `{git_commit()}`: {os.cpu_count()} cores shared with other jobs (load average "
        f"{options.load:.1f} at the start); the two "
        "sides of each comparison alternate round by round (order shuffled), medians compared.",
        "",
        f"Fiche: {options.rounds} rounds over {min(options.rounds, options.fiches)} projects, after "
        f"{FICHE_WARM_UP} warm-up rounds (HTML {html_kb:.0f} kB median, PDF of {fiche_pages} page(s)).",
        "",
        HEADER,
        row("task `build_project_fiche` (rebuild forced: load, hash, render, store)", fiche["task"]),
        row("`render_pdf` of the same HTML alone", fiche["alone"]),
    ]
    fiche_ratio = statistics.median(fiche["task"]) / statistics.median(fiche["alone"])
    goals = [("fiche task ÷ WeasyPrint alone (medians)", fiche_ratio, "≤ 1.3", fiche_ratio <= 1.3)]
    if booklet:
        ratio = statistics.median(booklet["built"]) / statistics.median(booklet["alone"])
        goals.append(
            (f"booklet, {options.workers} workers ÷ one WeasyPrint call (medians)", ratio, "< 1", ratio < 1)
        )
        lines += booklet_lines(booklet, options)
    lines += ["", "| goal | measured | target | met |", "| --- | ---: | ---: | --- |"]
    lines += [
        f"| {label} | {value:.2f} | {target} | {'yes' if met else '**no**'} |"
        for label, value, target, met in goals
    ]
    return "\n".join(lines) + "\n", goals


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=60, help="fiche rounds (default 60)")
    parser.add_argument(
        "--booklet-rounds", type=int, default=5, help="booklet rounds, at least 3 (default 5)"
    )
    parser.add_argument("--fiches", type=int, default=100, help="fiches in the booklet (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (default 2)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-booklet", action="store_true", help="the fiche only")
    parser.add_argument("--output", type=Path, help="also write the markdown tables to this file")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a goal fails")
    options = parser.parse_args()
    options.load = os.getloadavg()[0]
    if options.booklet_rounds < 3:
        parser.error("--booklet-rounds : au moins 3 tours.")
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("DATABASE_URL (PostgreSQL) et REDIS_URL sont nécessaires : source $FABRIQUE_RUN_DIR/env.")

    run_dir = Path(os.environ.get("FABRIQUE_RUN_DIR") or ROOT / ".run")
    # The fiches and booklets go to the run's folder, never the project's media/; workers share it.
    env = {**production_env(run_dir), "MEDIA_ROOT": str(run_dir / "bench-media")}
    prepare(env)
    subprocess.run(  # the seeds (idempotent)
        [sys.executable, "manage.py", "load_demo", "--projects", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    os.environ.update(env)
    import django

    django.setup()

    programme = booklet_programme(options.fiches, options.seed)
    from programmes.booklets import booklet_projects

    project_ids = list(booklet_projects(programme).values_list("pk", flat=True))
    fiche = fiche_rounds(project_ids, options.rounds, options.seed)
    print(f"fiche rounds done: task {statistics.median(fiche['task']):.3f} s median", flush=True)
    booklet = None
    if not options.skip_booklet:
        with Workers(env, options.workers, run_dir) as workers:
            build_booklet(programme)  # warm-up: the workers load WeasyPrint and their fonts once
            booklet = booklet_rounds(programme, workers, options.booklet_rounds, options.seed)
    text, goals = report(fiche, booklet, options)
    print(text)
    if options.output:
        options.output.write_text(text, encoding="utf-8")
    if not options.report_only and not all(met for *_rest, met in goals):
        sys.exit(1)


if __name__ == "__main__":
    main()
