"""Figures of the staff dashboard (`/pilotage/`): the pipeline's funnel (overall, by programme, by région,
by year of creation), conversion rates, median time per stage, jobs created and the structures whose
projects are stalled, for any combination of the directory's filters.

The database aggregates. Everything but the medians comes from one "cube" (`build_cube`): the projects
counted per cell (stage, sector, programme, structure, territory, year of creation), the cells of the
directory's facet cube, a few thousand rows for 100,000 projects. It is cached; each filter combination
then adds up the cells it keeps, chosen by the directory's own matching (`projects.filters.accepted_values`)
so that both pages agree. Medians do not add up: they cost one query per filter combination
(`median_stage_times`). Python never iterates over projects, only over cells. The figures hold no
translated text, so one cached copy serves every language (`build_dashboard` labels them, no query)."""

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from network.models import Structure
from programmes.models import Programme
from projects import filters as directory
from projects.models import Indicator, Stage, StageChange

# The method's steps in order; `abandoned` is an outcome off the funnel, not a step.
FUNNEL: tuple[str, ...] = (Stage.DETECTION, Stage.INVENTION, Stage.LAUNCH, Stage.LAUNCHED)
# The stages a project spends time in before it is launched.
TIMED_STAGES: tuple[str, ...] = (Stage.DETECTION, Stage.INVENTION, Stage.LAUNCH)
STALLED_AFTER = dt.timedelta(days=180)
# The cube takes 0.5 to 1 s on 100,000 projects (PostgreSQL): rebuilt at most this often. The page says
# when its figures were computed.
CACHE_SECONDS = 300

Counts = tuple[int, ...]  # one number per step of FUNNEL
# A cube row: the cell, in the column order of the directory's cube rows (projects.filters.CubeRow), then
# the four funnel counts, the stalled projects, the oldest stage date among them and the jobs created.
CELL = ("stage", "sector", "programme_id", "structure_id", "territory_id", "year")
PROGRAMME, STRUCTURE, TERRITORY, YEAR = 2, 3, 4, 5
FUNNEL_COUNTS, STALLED, OLDEST, JOBS = slice(6, 10), 10, 11, 12


# --- Queries --------------------------------------------------------------------------------------------


def reached(stage: str) -> Q:
    """The projects that reached `stage`: their current stage is `stage` or a later step, or their history
    holds a move into `stage` (so an abandoned project counts for every step it went through). Every
    project was detected. The history test is an uncorrelated IN, which PostgreSQL hashes once (a hashed
    SubPlan) instead of probing the history once per project."""
    if stage == Stage.DETECTION:
        return Q(pk__isnull=False)
    moved_in = StageChange.objects.filter(to_stage=stage).values("project_id")
    return Q(stage__in=FUNNEL[FUNNEL.index(stage) :]) | Q(pk__in=moved_in)


def build_cube(projects: QuerySet, now: dt.datetime | None = None) -> directory.Cube:
    """The figures of `projects` per cell, in five queries whatever the number of projects: the cells
    (GROUP BY), the jobs per cell (GROUP BY, each project's latest `jobs_fte` measure), then the
    programmes, the structures and the territories' régions, départements and kind (small tables).
    Stalled projects: in detection, invention or launch, and in that stage for STALLED_AFTER."""
    stalled = Q(stage__in=TIMED_STAGES, stage_changed_at__lt=(now or timezone.now()) - STALLED_AFTER)
    cells = (
        projects.order_by()
        .annotate(year=ExtractYear("created_at"))
        .values_list(*CELL)
        .annotate(
            **{f"reached_{stage}": Count("pk", filter=reached(stage)) for stage in FUNNEL},
            stalled=Count("pk", filter=stalled),
            oldest=Min("stage_changed_at", filter=stalled),
        )
    )
    later = Indicator.objects.filter(
        project=OuterRef("project"), kind=Indicator.Kind.JOBS_FTE, measured_on__gt=OuterRef("measured_on")
    )
    latest_jobs = (
        Indicator.objects.filter(kind=Indicator.Kind.JOBS_FTE, project__in=projects.order_by().values("pk"))
        .filter(~Exists(later))
        .annotate(year=ExtractYear("project__created_at"))
        .values_list(*(f"project__{column.removesuffix('_id')}" for column in CELL[:-1]), "year")
        .annotate(total=Sum("value"))
        .order_by()
    )
    jobs = {row[:-1]: row[-1] for row in latest_jobs}
    return directory.Cube(
        rows=[(*cell, jobs.get(cell[:6], Decimal(0))) for cell in cells],
        programmes={
            pk: [(slug, name)] for pk, slug, name in Programme.objects.values_list("pk", "slug", "name")
        },
        structures={
            pk: [(slug, name)] for pk, slug, name in Structure.objects.values_list("pk", "slug", "name")
        },
        territories=directory.territory_options(),
    )


@dataclass(frozen=True)
class StageTime:
    stage: str
    median_days: float | None  # None: no stay in this stage has ended yet
    count: int  # how many finished stays the median is taken over


def _stays_sql(projects: QuerySet) -> tuple[str, tuple]:
    """SQL of every finished stay in a stage (stage, days) of `projects`. A stay ends with a move out of
    the stage (its `from_stage`) and began with the project's previous move (LAG), or at the project's
    creation when no earlier move was recorded (imported projects). EmptyResultSet when `projects` is
    known to be empty (`.none()`)."""
    ids_sql, params = projects.order_by().values(pid=F("pk"), created=F("created_at")).query.sql_with_params()
    began = (
        "COALESCE(LAG(m.changed_at) OVER (PARTITION BY m.project_id ORDER BY m.changed_at, m.id), p.created)"
    )
    if connection.vendor == "postgresql":
        days = f"EXTRACT(EPOCH FROM (m.changed_at - {began})) / 86400.0"
    else:  # SQLite stores datetimes as ISO text: julianday() reads them, fractions of a day included
        days = f"julianday(m.changed_at) - julianday({began})"
    table = connection.ops.quote_name(StageChange._meta.db_table)
    sql = (
        f"SELECT m.from_stage AS stage, {days} AS days"  # noqa: S608 (no user input in the SQL text)
        f" FROM {table} m INNER JOIN ({ids_sql}) p ON p.pid = m.project_id"
    )
    return sql, params


def median_stage_times(projects: QuerySet) -> list[StageTime]:
    """Median days of the finished stays in detection, invention and launch: one query. PostgreSQL has
    percentile_cont; SQLite, which lacks it, takes the mean of the one or two middle stays numbered by a
    ROW_NUMBER window (the same definition of the median)."""
    try:
        stays, params = _stays_sql(projects)
    except EmptyResultSet:
        return [StageTime(stage, None, 0) for stage in TIMED_STAGES]
    timed = ", ".join(["%s"] * len(TIMED_STAGES))
    if connection.vendor == "postgresql":
        sql = f"""SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY days), COUNT(*)
            FROM ({stays}) stays WHERE stage IN ({timed}) GROUP BY stage"""  # noqa: S608
    else:
        sql = f"""SELECT stage, AVG(days), MAX(n) FROM (
                SELECT stage, days, ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) AS position,
                       COUNT(*) OVER (PARTITION BY stage) AS n
                FROM ({stays}) stays WHERE stage IN ({timed})
            ) ranked WHERE position IN ((n + 1) / 2, (n + 2) / 2) GROUP BY stage"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *TIMED_STAGES])
        found = {stage: (round(float(days), 1), int(n)) for stage, days, n in cursor.fetchall()}
    return [StageTime(stage, *found.get(stage, (None, 0))) for stage in TIMED_STAGES]


@dataclass(frozen=True)
class Group:
    """How many projects of a group (a programme, a région, a year) reached each step. `key` and `name`
    are empty for the projects outside any programme or any French région."""

    key: str
    name: str
    counts: Counts


@dataclass(frozen=True)
class StalledStructure:
    name: str
    slug: str
    count: int
    oldest: dt.datetime  # the longest-waiting project has been in its stage since then


@dataclass(frozen=True)
class Figures:
    """Every number of the dashboard, language-neutral and picklable (it is cached)."""

    total: Counts
    by_programme: tuple[Group, ...]
    by_region: tuple[Group, ...]
    by_year: tuple[Group, ...]
    stage_times: tuple[StageTime, ...]
    jobs: Decimal
    stalled: tuple[StalledStructure, ...]
    computed_at: dt.datetime


def _add(totals: dict, key: tuple[str, str], counts: Counts) -> None:
    totals[key] = tuple(a + b for a, b in zip(totals.get(key, (0,) * len(counts)), counts, strict=True))


def alphabetical(name: str) -> str:
    """A sort key putting « Émergence » among the E, as a French reader expects."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def _groups(totals: dict, sort_key: Callable[[tuple[str, str]], object]) -> tuple[Group, ...]:
    """Groups in `sort_key` order, the unnamed group (no programme, no French région) last."""
    keys = sorted((k for k in totals if k[0]), key=sort_key) + [k for k in totals if not k[0]]
    return tuple(Group(key, name, totals[key, name]) for key, name in keys)


def figures_from_cube(
    cube: directory.Cube, active: dict[str, str], stage_times: list[StageTime], computed_at: dt.datetime
) -> Figures:
    """The figures of the cells that pass the `active` filters (no query)."""
    accepted = [
        (directory.FACET_COLUMNS[name], directory.accepted_values(cube, name, value))
        for name, value in active.items()
    ]
    total: dict = {}
    programmes: dict = {}
    regions: dict = {}
    years: dict = {}
    stalled: dict = {}
    jobs = Decimal(0)
    for row in cube.rows:  # one row per cell, never one per project
        if any(row[column] not in values for column, values in accepted):
            continue
        counts = tuple(row[FUNNEL_COUNTS])
        _add(total, ("", ""), counts)
        _add(programmes, (cube.programmes.get(row[PROGRAMME]) or [("", "")])[0], counts)
        # A territory over several régions counts its projects once in each.
        for region in cube.territories.get(row[TERRITORY], {}).get("region") or [("", "")]:
            _add(regions, region, counts)
        _add(years, (str(row[YEAR]), str(row[YEAR])), counts)
        if row[STALLED]:
            structure = cube.structures[row[STRUCTURE]][0]  # (slug, name)
            count, oldest = stalled.get(structure, (0, row[OLDEST]))
            stalled[structure] = (count + row[STALLED], min(oldest, row[OLDEST]))
        jobs += row[JOBS]
    return Figures(
        total=total.get(("", ""), (0,) * len(FUNNEL)),
        by_programme=_groups(programmes, sort_key=lambda key: alphabetical(key[1])),
        by_region=_groups(regions, sort_key=lambda key: alphabetical(key[1])),
        by_year=_groups(years, sort_key=lambda key: key[0]),
        stage_times=tuple(stage_times),
        jobs=jobs,
        stalled=tuple(
            sorted(
                (
                    StalledStructure(name, slug, count, oldest)
                    for (slug, name), (count, oldest) in stalled.items()
                ),
                key=lambda structure: (-structure.count, alphabetical(structure.name)),
            )
        ),
        computed_at=computed_at,
    )


def compute_figures(projects: QuerySet) -> Figures:
    """All the figures of `projects`, without the cache: six queries."""
    return figures_from_cube(build_cube(projects), {}, median_stage_times(projects), timezone.now())


def cache_key(kind: str, scope: str, active: dict[str, str] | None = None, version: str = "") -> str:
    raw = f"v1|{scope}|{version}|{urlencode(sorted((active or {}).items()))}"
    return f"dashboard-{kind}:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_figures(*, projects: QuerySet, selection: QuerySet, active: dict[str, str], scope: str) -> Figures:
    """The figures of `selection` (`projects` narrowed by the `active` filters). The cube of `projects` is
    cached for CACHE_SECONDS per visibility `scope` and shared by every filter combination; the figures of
    a combination (its medians above all) are cached under the cube's version, its build time, so nothing
    shown is older than the `computed_at` the page gives. A cached combination does not load the cube."""
    version_key = cache_key("cube-version", scope)
    built_at = cache.get(version_key)
    figures = cache.get(cache_key("figures", scope, active, str(built_at))) if built_at else None
    if figures is not None:
        return figures
    cube = cache.get(cache_key("cube", scope, version=str(built_at))) if built_at else None
    if cube is None:
        built_at, cube = timezone.now(), build_cube(projects)
        cube_key = cache_key("cube", scope, version=str(built_at))
        cache.set_many({version_key: built_at, cube_key: cube}, CACHE_SECONDS)
    figures = figures_from_cube(cube, active, median_stage_times(selection), built_at)
    cache.set(cache_key("figures", scope, active, str(built_at)), figures, CACHE_SECONDS)
    return figures


# --- Presentation: labels, rates and chart geometry for the current language (no query) ------------------


def rate(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, None when `whole` is 0."""
    return None if not whole else 100 * part / whole


def format_count(value: int) -> str:
    return number_format(value, force_grouping=True)


def format_rate(value: float) -> str:
    return _("%(rate)s %%") % {"rate": number_format(round(value, 1), decimal_pos=1)}


@dataclass(frozen=True)
class FunnelRow:
    label: str
    counts: Counts
    key: str = ""  # the value of the dashboard's filter that narrows to this row ("" when there is none)

    @property
    def launch_rate(self) -> float | None:
        """Share of the detected projects that were launched, in %."""
        return rate(self.counts[-1], self.counts[0])


@dataclass(frozen=True)
class Step:
    label: str
    count: int
    share: float | None  # % of the detected projects
    conversion: float | None  # % of the previous step's projects that reached this one; None for the first


@dataclass(frozen=True)
class TimeRow:
    stage: str
    label: str
    median_days: float | None
    count: int


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # formatted for the reader
    width: str  # percentage of the chart's width, with a decimal point whatever the language
    text_y: int
    bar_y: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart drawn on the server: each bar under its label and value. Coordinates are
    percentages of the width, so the bars follow the page's width while the text keeps its size."""

    chart_id: str
    title: str
    description: str  # every number of the chart, its text alternative
    bars: list[Bar]
    height: int


ROW_HEIGHT = 44


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float, str]], scale: float = 0) -> BarChart:
    """`items` are (label, value, formatted value); bars are scaled to `scale`, or to the largest value."""
    largest = scale or max((value for _label, value, _text in items), default=0) or 1
    bars = [
        Bar(label, text, f"{100 * value / largest:.1f}", index * ROW_HEIGHT + 16, index * ROW_HEIGHT + 23)
        for index, (label, value, text) in enumerate(items)
    ]
    description = _(" ; ").join(
        _("%(label)s : %(value)s") % {"label": label, "value": text} for label, _value, text in items
    )
    return BarChart(chart_id, title, description, bars, height=max(len(items), 1) * ROW_HEIGHT)


def _launch_rate_chart(chart_id: str, title: str, rows: list[FunnelRow]) -> BarChart:
    items = [(row.label, row.launch_rate or 0, format_rate(row.launch_rate or 0)) for row in rows]
    return bar_chart(chart_id, title, items, scale=100)


@dataclass(frozen=True)
class Dashboard:
    figures: Figures
    stage_labels: list[str]
    steps: list[Step]
    by_programme: list[FunnelRow]
    by_region: list[FunnelRow]
    by_year: list[FunnelRow]
    stage_times: list[TimeRow]
    charts: dict[str, BarChart]

    @property
    def is_empty(self) -> bool:
        return self.figures.total[0] == 0

    @property
    def launch_rate(self) -> float | None:
        return rate(self.figures.total[-1], self.figures.total[0])


def build_dashboard(figures: Figures) -> Dashboard:
    """Labels every figure in the current language and lays out the charts. No query."""
    labels = [str(Stage(stage).label) for stage in FUNNEL]
    total = figures.total
    steps = [
        Step(label, count, rate(count, total[0]), rate(count, total[i - 1]) if i else None)
        for i, (label, count) in enumerate(zip(labels, total, strict=True))
    ]
    programmes = [FunnelRow(g.name or _("Hors programme"), g.counts, g.key) for g in figures.by_programme]
    regions = [FunnelRow(g.name or _("Hors région française"), g.counts, g.key) for g in figures.by_region]
    years = [FunnelRow(g.name, g.counts, g.key) for g in figures.by_year]
    charts = {
        "funnel": bar_chart(
            "funnel-chart",
            _("Projets ayant atteint chaque étape"),
            [(step.label, step.count, format_count(step.count)) for step in steps],
        ),
        "programme": _launch_rate_chart("programme-chart", _("Taux de lancement par programme"), programmes),
        "region": _launch_rate_chart("region-chart", _("Taux de lancement par région"), regions),
        "year": bar_chart(
            "year-chart",
            _("Projets créés par année"),
            [(row.label, row.counts[0], format_count(row.counts[0])) for row in years],
        ),
    }
    times = [TimeRow(t.stage, str(Stage(t.stage).label), t.median_days, t.count) for t in figures.stage_times]
    return Dashboard(figures, labels, steps, programmes, regions, years, times, charts)
