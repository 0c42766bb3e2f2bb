"""Benchmarks the spreadsheet import of projects (issue 7) on PostgreSQL: 10,000 new projects as CSV and
XLSX through django-import-export's default row-by-row path, through the platform's ProjectResource, and
as a raw `bulk_create` of the same rows; then the streaming export of 100,000 projects and its peak memory.

    bash scripts/services.sh start && set -a && source $FABRIQUE_RUN_DIR/env && set +a
    .venv/bin/python -m benchmarks.imports [--rows 10000] [--rounds 3] [--output results.md]

One run: production settings (DEBUG off), the migrations and `load_demo --projects 0` (the seeds: the
structures, territories, programmes and partners the rows name) in the database of DATABASE_URL (a
throwaway one, as for the other benchmarks). The rows are generated once (seeded): a title, a slug
`banc-import-N`, an existing structure, territory and programme (by slug), a sector and a stage, texts,
study dates, a start date for a launched project, a reason for an abandoned one, a partner for one row
in three, one in four published. Each round runs, in a shuffled order:

- default: a plain `ModelResource` with the same fields (relations by slug with the stock widgets, the
  stock file format: English field names and choice codes), django-import-export's defaults (row by
  row, one savepoint per row, no model validation), on the file read by tablib as its admin does;
- ours: `ProjectResource().import_data(dataset, user=…)` — what the import page runs once the preview is
  confirmed — on the file read by `read_table` (French headers and labels, every row validated);
- bulk_create: `Project.objects.bulk_create` of the same rows already parsed (instances built before the
  clock starts) and of their partner links, in one transaction.

Each path's time covers reading the file (not for bulk_create) and writing the rows; the imported rows
are deleted between runs, outside the timing. Export: 100,000 projects (created once, slugs
`banc-export-N`) written as CSV and XLSX by fabrique.spreadsheets.exporting, each in a fresh subprocess
whose peak resident memory (VmHWM) is read from /proc; a subprocess that only starts Django gives the floor.

Exit status 1 when a goal of the issue fails (unless --report-only), 2 when an import reports errors.
Django's modules are imported inside the functions: the settings exist only once `main` has prepared the
environment and called `django.setup()`.
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.stack import ROOT, Goal, prepare, production_env

IMPORT_PREFIX, EXPORT_PREFIX = "banc-import-", "banc-export-"
STAFF_EMAIL = "avise@example.org"  # the demo staff account of load_demo
SECTORS = ("Mobilité", "Alimentation", "Bien-vieillir", "Habitat", "Emploi et insertion", "Autre")
STAGES = ("Détecter", "Détecter", "Inventer", "Inventer", "Lancer", "Lancé", "Abandonné")
HEADERS = [
    "Titre", "Slug", "Structure", "Territoire", "Programme", "Secteur", "Étape", "Besoin détecté",
    "Solution", "Début de l'étude", "Fin de l'étude", "Date de démarrage", "Motif d'abandon",
    "Partenaires", "Publié",
]  # fmt: skip
# The stock format of the same columns: django-import-export's default resource reads field names and codes.
STOCK_HEADERS = [
    "title", "slug", "structure", "territory", "programme", "sector", "stage", "need", "solution",
    "study_started_on", "study_completed_on", "started_on", "abandon_reason", "partners", "is_published",
]  # fmt: skip


# Seconds `read_table` took in each run of ProjectResource, by format: the part of its time spent reading.
READING: dict[str, list[float]] = {}


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(2)  # never report the time of a failed import


# --- Data -------------------------------------------------------------------------------------------


def generate_rows(count: int, seed: int) -> list[list]:
    """`count` valid new projects, as the French file gives them (labels, slugs of existing rows)."""
    from network.models import Structure, Territory
    from programmes.models import Partner, Programme
    from projects.models import Project

    rng = random.Random(seed)
    structures = sorted(Structure.objects.values_list("slug", flat=True))
    territories = sorted(Territory.objects.values_list("slug", flat=True))
    programmes = [*sorted(Programme.objects.values_list("slug", flat=True)), ""]
    partners = sorted(Partner.objects.values_list("slug", flat=True))
    if not (structures and territories and partners):
        fail("Les données de démonstration manquent : load_demo --projects 0 n'a rien créé ?")
    assert not Project.objects.filter(slug__startswith=IMPORT_PREFIX).exists()
    rows = []
    for n in range(count):
        stage = rng.choice(STAGES)
        started = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(600))
        rows.append(
            [
                f"Projet d'essai n° {n} : épicerie et mobilité solidaires",
                f"{IMPORT_PREFIX}{n}",
                rng.choice(structures),
                rng.choice(territories),
                rng.choice(programmes),
                rng.choice(SECTORS),
                stage,
                "Les habitants du bourg n'ont plus de commerce ni de transport après 18 heures.",
                "Une épicerie associative itinérante, tenue par des bénévoles et un salarié.",
                started.isoformat(),
                (started + dt.timedelta(days=90)).isoformat(),
                (started + dt.timedelta(days=200)).isoformat() if stage == "Lancé" else "",
                "Le porteur de projet a déménagé." if stage == "Abandonné" else "",
                rng.choice(partners) if n % 3 == 0 else "",
                "1" if n % 4 == 0 else "0",
            ]
        )
    return rows


def stock_rows(rows: list[list]) -> list[list]:
    """The same rows in the stock format: choice codes instead of French labels."""
    from projects.models import Sector, Stage

    sectors = {str(label): value for value, label in Sector.choices}
    stages = {str(label): value for value, label in Stage.choices}
    return [[*row[:5], sectors[row[5]], stages[row[6]], *row[7:]] for row in rows]


def file_bytes(headers: list[str], rows: list[list], file_format: str) -> bytes:
    import tablib

    dataset = tablib.Dataset(*rows, headers=headers)
    if file_format == "csv":
        return ("\ufeff" + dataset.export("csv", delimiter=";")).encode()
    return dataset.export("xlsx")


def delete_imported() -> None:
    from projects.models import Project

    Project.objects.filter(slug__startswith=IMPORT_PREFIX).delete()


# --- The three paths --------------------------------------------------------------------------------


def default_resource_class():
    """A plain ModelResource of the same fields, django-import-export's defaults otherwise."""
    from import_export import fields, resources, widgets

    from network.models import Structure, Territory
    from programmes.models import Partner, Programme
    from projects.models import Project

    def key(attribute: str, model) -> fields.Field:
        return fields.Field(attribute, attribute, widgets.ForeignKeyWidget(model, field="slug"))

    class DefaultProjectResource(resources.ModelResource):
        structure = key("structure", Structure)
        territory = key("territory", Territory)
        programme = key("programme", Programme)
        partners = fields.Field("partners", "partners", widgets.ManyToManyWidget(Partner, field="slug"))

        class Meta:
            model = Project
            fields = STOCK_HEADERS
            import_id_fields = ["slug"]
            use_bulk = False

        def before_save_instance(self, instance, row, **kwargs):
            # What the database requires that the file does not give (the real resource sets them too).
            instance.stage_changed_at = dt.datetime.now(dt.UTC)
            if instance.is_published and instance.published_at is None:
                instance.published_at = instance.stage_changed_at
            # An empty XLSX cell reads as None, which a text column does not store.
            for name in ("need", "solution", "abandon_reason"):
                if getattr(instance, name) is None:
                    setattr(instance, name, "")

    return DefaultProjectResource


def check(result, rows: int, label: str) -> None:
    if result.has_errors() or result.has_validation_errors():
        errors = [error.error for row in result.row_errors() for error in row[1]][:3]
        invalid = [(row.number, row.error_dict) for row in result.invalid_rows[:3]]
        fail(f"{label} : l'import a échoué ({result.base_errors[:3]} {errors} {invalid}).")
    if result.totals["new"] != rows:
        fail(f"{label} : {result.totals['new']} lignes créées sur {rows}.")


def run_default(content: bytes, file_format: str, rows: int) -> float:
    import tablib

    resource_class = default_resource_class()
    started = time.perf_counter()
    data = content.decode("utf-8-sig") if file_format == "csv" else content
    dataset = (
        tablib.Dataset().load(data, format=file_format, delimiter=";")
        if file_format == "csv"
        else (tablib.Dataset().load(data, format=file_format))
    )
    result = resource_class().import_data(dataset)
    seconds = time.perf_counter() - started
    check(result, rows, f"default {file_format}")
    return seconds


def run_ours(content: bytes, file_format: str, rows: int, user) -> float:
    from fabrique.spreadsheets.reading import read_table
    from projects.resources import ProjectResource

    started = time.perf_counter()
    upload = io.BytesIO(content)
    upload.name = f"projets.{file_format}"
    dataset = read_table(upload, max_bytes=len(content) + 1)
    READING.setdefault(file_format, []).append(time.perf_counter() - started)
    result = ProjectResource().import_data(dataset, user=user)
    seconds = time.perf_counter() - started
    check(result, rows, f"ProjectResource {file_format}")
    return seconds


def parsed_instances(rows: list[list], user) -> tuple[list, list[list]]:
    """The rows as unsaved projects (relations resolved, dates parsed) and each one's partner ids."""
    from django.utils import timezone

    from network.models import Structure, Territory
    from programmes.models import Partner, Programme
    from projects.models import Project

    ids = {
        model: dict(model.objects.values_list("slug", "pk"))
        for model in (Structure, Territory, Programme, Partner)
    }
    sectors_and_stages = stock_rows(rows)
    now = timezone.now()
    projects, partners = [], []
    for row in sectors_and_stages:
        date = lambda text: dt.date.fromisoformat(text) if text else None  # noqa: E731
        published = row[14] == "1"
        projects.append(
            Project(
                title=row[0],
                slug=row[1],
                structure_id=ids[Structure][row[2]],
                territory_id=ids[Territory][row[3]],
                programme_id=ids[Programme].get(row[4]),
                sector=row[5],
                stage=row[6],
                stage_changed_at=now,
                need=row[7],
                solution=row[8],
                study_started_on=date(row[9]),
                study_completed_on=date(row[10]),
                started_on=date(row[11]),
                abandon_reason=row[12],
                is_published=published,
                published_at=now if published else None,
                created_by=user,
            )
        )
        partners.append([ids[Partner][row[13]]] if row[13] else [])
    return projects, partners


def run_bulk_create(rows: list[list], user) -> float:
    from django.db import transaction

    from projects.models import Project

    projects, partners = parsed_instances(rows, user)
    link = Project.partners.through
    started = time.perf_counter()
    with transaction.atomic():
        Project.objects.bulk_create(projects, batch_size=1000)
        links = [
            link(project_id=p.pk, partner_id=pk)
            for p, ids in zip(projects, partners, strict=True)
            for pk in ids
        ]
        link.objects.bulk_create(links, batch_size=1000)
    return time.perf_counter() - started


# --- Export -----------------------------------------------------------------------------------------


def create_export_projects(count: int, seed: int, user) -> None:
    """`count` projects to export, created once by bulk_create (kept between runs)."""
    from projects.models import Project

    existing = Project.objects.filter(slug__startswith=EXPORT_PREFIX).count()
    if existing >= count:
        return
    Project.objects.filter(slug__startswith=EXPORT_PREFIX).delete()
    rows = generate_rows(count, seed)
    for row in rows:
        row[1] = row[1].replace(IMPORT_PREFIX, EXPORT_PREFIX)
    projects, partners = parsed_instances(rows, user)
    Project.objects.bulk_create(projects, batch_size=5000)
    link = Project.partners.through
    links = [
        link(project_id=p.pk, partner_id=pk) for p, ids in zip(projects, partners, strict=True) for pk in ids
    ]
    link.objects.bulk_create(links, batch_size=5000)


def peak_kib() -> int:
    """This process's peak resident set (VmHWM), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def export_child(kind: str) -> None:
    """In a fresh process: export every benchmark project as `kind` (csv, xlsx, or none: Django only),
    then print the time, rows, bytes and peak memory as JSON."""
    import django

    django.setup()
    from fabrique.spreadsheets import exporting
    from projects.models import Project
    from projects.resources import ProjectResource

    started, size, count = time.perf_counter(), 0, 0
    if kind != "none":
        resource = ProjectResource()
        queryset = Project.objects.filter(slug__startswith=EXPORT_PREFIX).order_by("pk")
        lines = exporting.rows(resource, queryset)
        if kind == "csv":
            for line in exporting.csv_lines(exporting.headers(resource), lines):
                size += len(line.encode())
                count += 1
            count -= 1  # the header
        else:
            with exporting.xlsx_file(exporting.headers(resource), lines, "Projets") as output:
                size = output.seek(0, io.SEEK_END)
            count = queryset.count()
    print(
        json.dumps(
            {"seconds": time.perf_counter() - started, "rows": count, "bytes": size, "kib": peak_kib()}
        )
    )


def measure_export(kind: str, env: dict[str, str]) -> dict:
    completed = subprocess.run(  # noqa: S603 (this module, a fixed argument)
        [sys.executable, "-m", "benchmarks.imports", "--export-child", kind],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        fail(f"Export {kind} : {completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- Report -----------------------------------------------------------------------------------------


def number(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def goals(times: dict[str, list[float]], exports: dict[str, dict]) -> list[Goal]:
    median = {key: statistics.median(values) for key, values in times.items()}
    results = []
    for file_format in ("csv", "xlsx"):
        ours = median[f"ours {file_format}"]
        name = file_format.upper()
        results += [
            Goal(f"{name}: default ÷ ours (medians)", median[f"default {file_format}"] / ours, 5, True),
            Goal(f"{name}: ours ÷ bulk_create (medians)", ours / median["bulk_create"], 3, False),
        ]
    for kind in ("csv", "xlsx"):
        if kind in exports:
            results.append(
                Goal(f"export {kind.upper()}: peak memory (MiB)", exports[kind]["kib"] / 1024, 250, False)
            )
    return results  # fmt: skip


def report(
    options: argparse.Namespace,
    times: dict[str, list[float]],
    exports: dict[str, dict],
    sizes: dict[str, int],
) -> tuple[str, list[Goal]]:
    commit = subprocess.run(  # noqa: S603 (a fixed command)
        [shutil.which("git") or "/usr/bin/git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    lines = [
        f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, code `{commit}`: {options.rows:,} new "
        f"projects, {options.rounds} rounds, load average {options.load:.1f} at the start; CSV "
        f"{sizes['csv'] / 1e6:.1f} MB, XLSX {sizes['xlsx'] / 1e6:.1f} MB.",
        "",
        "| import path | file | runs | median | min | max | rows/s (median) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, values in times.items():
        path, _, file_format = key.partition(" ")
        median = statistics.median(values)
        lines.append(
            f"| {path} | {file_format.upper() or 'parsed rows'} | {len(values)} | {number(median)} s | "
            f"{number(min(values))} s | {number(max(values))} s | {options.rows / median:,.0f} |"
        )
    reading = ", ".join(
        f"{fmt.upper()} {number(statistics.median(values))} s" for fmt, values in READING.items()
    )
    bulk, median = statistics.median(times["bulk_create"]), statistics.median
    beyond = ", ".join(
        f"{fmt.upper()} {number((median(times[f'ours {fmt}']) - median(values)) / bulk)}"
        for fmt, values in READING.items()
    )
    lines += [
        "",
        f"Of which reading the file with `read_table` (ProjectResource runs, medians): {reading}. "
        f"ProjectResource without the reading ÷ bulk_create (medians): {beyond}.",
    ]
    if exports:
        lines += [
            "",
            "| export (fresh process) | rows | file | time | peak RSS (VmHWM) |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for kind, measure in exports.items():
            label = "Django started, nothing exported (floor)" if kind == "none" else f"{kind.upper()}"
            lines.append(
                f"| {label} | {measure['rows']:,} | {measure['bytes'] / 1e6:.1f} MB | "
                f"{number(measure['seconds'], 1)} s | {measure['kib'] / 1024:.0f} MiB |"
            )
    results = goals(times, exports)
    lines += ["", "| goal | measured | target | met |", "| --- | ---: | ---: | --- |"]
    for goal in results:
        target = ("≥ " if goal.at_least else "≤ ") + number(goal.limit, 0)
        lines.append(
            f"| {goal.label} | {number(goal.measured)} | {target} | {'yes' if goal.met else '**no**'} |"
        )
    return "\n".join(lines) + "\n", results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="projects per import (default 10,000)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each path, at least 3 (default 3)")
    parser.add_argument(
        "--export-rows", type=int, default=100_000, help="projects exported (default 100,000)"
    )
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, help="also write the markdown tables to this file")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a goal fails")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.export_child:
        return export_child(options.export_child)
    options.load = os.getloadavg()[0]
    if options.rounds < 3:
        parser.error("--rounds : au moins 3 tours.")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL (PostgreSQL) est nécessaire : source $FABRIQUE_RUN_DIR/env.")

    run_dir = Path(os.environ.get("FABRIQUE_RUN_DIR") or ROOT / ".run")
    env = production_env(run_dir)
    prepare(env)
    subprocess.run(  # the seeds (idempotent)
        [sys.executable, "manage.py", "load_demo", "--projects", "0"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=STAFF_EMAIL)
    delete_imported()
    rows = generate_rows(options.rows, options.seed)
    files = {fmt: file_bytes(HEADERS, rows, fmt) for fmt in ("csv", "xlsx")}
    stock = {fmt: file_bytes(STOCK_HEADERS, stock_rows(rows), fmt) for fmt in ("csv", "xlsx")}
    runs = {
        "default csv": lambda: run_default(stock["csv"], "csv", options.rows),
        "default xlsx": lambda: run_default(stock["xlsx"], "xlsx", options.rows),
        "ours csv": lambda: run_ours(files["csv"], "csv", options.rows, user),
        "ours xlsx": lambda: run_ours(files["xlsx"], "xlsx", options.rows, user),
        "bulk_create": lambda: run_bulk_create(rows, user),
    }
    times: dict[str, list[float]] = {key: [] for key in runs}
    rng = random.Random(options.seed)
    run_ours(files["csv"], "csv", options.rows, user)  # warm-up: imports, lookups, PostgreSQL's buffers
    delete_imported()
    READING.clear()
    for number_ in range(options.rounds):
        for key in rng.sample(list(runs), len(runs)):
            times[key].append(runs[key]())
            delete_imported()
            print(f"round {number_ + 1}: {key} {times[key][-1]:.2f} s", flush=True)
    exports = {}
    if not options.skip_export:
        create_export_projects(options.export_rows, options.seed, user)
        exports = {kind: measure_export(kind, env) for kind in ("none", "csv", "xlsx")}
    text, results = report(options, times, exports, {fmt: len(content) for fmt, content in files.items()})
    print(text)
    if options.output:
        options.output.write_text(text, encoding="utf-8")
    if not options.report_only and not all(goal.met for goal in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
