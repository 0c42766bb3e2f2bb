"""Read functions of the programmes app. Each runs a known, small number of queries."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from programmes.models import Funding, Participation, Programme
from projects import stats
from projects.models import Indicator, Project, Stage


def published_programmes() -> list[Programme]:
    """Published programmes, most recent first. One query; no related rows are loaded."""
    return list(Programme.objects.filter(is_published=True).order_by("-start_date", "name"))


# --- The public programme page (/programmes/<slug>/) ------------------------------------------------------


def programme_list() -> list[Programme]:
    """Published programmes for /programmes/, most recent first, each with `structure_count` (distinct
    participating structures) and `published_count` (its published projects): one query. Subqueries keep
    the two counts from multiplying each other's rows."""
    structures = (
        Participation.objects.filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(count=Count("structure", distinct=True))
        .values("count")
    )
    published = (
        Project.objects.filter(programme=OuterRef("pk"), is_published=True)
        .order_by()
        .values("programme")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Programme.objects.filter(is_published=True)
        .annotate(
            structure_count=Coalesce(Subquery(structures), 0),
            published_count=Coalesce(Subquery(published), 0),
        )
        .order_by("-start_date", "name")
    )


def get_published_programme(slug: str) -> Programme:
    """The published programme `slug`, else 404 (one query). An unpublished programme is a draft: it has no
    public page, whoever asks (the staff read it in the admin)."""
    return get_object_or_404(Programme, slug=slug, is_published=True)


# The order a reader expects partners in: who leads the programme, then who pays, then who helps.
ROLE_ORDER = (
    Funding.Role.LEAD,
    Funding.Role.MANAGING_AUTHORITY,
    Funding.Role.FUNDER,
    Funding.Role.CO_OPERATOR,
    Funding.Role.HOST,
)


def programme_fundings(programme: Programme) -> list[Funding]:
    """The programme's partners and their roles (ROLE_ORDER, then the largest amount, then by name): one
    query."""
    rank = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(ROLE_ORDER)), default=len(ROLE_ORDER)
    )
    return list(
        programme.fundings.select_related("partner").order_by(
            rank, F("amount").desc(nulls_last=True), Lower("partner__name"), "pk"
        )
    )


def programme_participations(programme: Programme) -> list[Participation]:
    """The structures taking part, with territory and period, by structure's name: one query."""
    return list(
        programme.participations.select_related("structure", "territory").order_by(
            Lower("structure__name"), "start_date", "territory__name", "pk"
        )
    )


@dataclass(frozen=True)
class ProgrammeFigures:
    funnel: tuple[int, ...]  # projects that reached each step of stats.FUNNEL
    abandoned: int
    jobs: Decimal  # full-time equivalents: the latest `jobs_fte` measure of each project, summed


def programme_figures(programme: Programme) -> ProgrammeFigures:
    """The funnel and the jobs of ALL the programme's projects, published or not: an aggregate number
    reveals no project (as `projects.selectors.project_counts_by_stage`). Two queries whatever the number
    of projects: one aggregate for the steps (the dashboard's `stats.reached` definition, so both pages
    agree), one for the jobs."""
    projects = Project.objects.filter(programme=programme).order_by()
    counts = projects.aggregate(
        **{stage: Count("pk", filter=stats.reached(stage)) for stage in stats.FUNNEL},
        abandoned=Count("pk", filter=Q(stage=Stage.ABANDONED)),
    )
    later = Indicator.objects.filter(
        project=OuterRef("project"), kind=Indicator.Kind.JOBS_FTE, measured_on__gt=OuterRef("measured_on")
    )
    jobs = (
        Indicator.objects.filter(kind=Indicator.Kind.JOBS_FTE, project__programme=programme)
        .filter(~Exists(later))
        .aggregate(total=Sum("value"))["total"]
    )
    return ProgrammeFigures(
        funnel=tuple(counts[stage] for stage in stats.FUNNEL),
        abandoned=counts["abandoned"],
        jobs=jobs or Decimal(0),
    )


def programme_published_projects(programme: Programme) -> QuerySet[Project]:
    """The programme's published projects by title, with their structure and territory (to paginate).
    Only the published ones, whoever reads: this is a public page."""
    return (
        Project.objects.filter(programme=programme)
        .published()
        .select_related("structure", "territory")
        .order_by(Lower("title"), "pk")
    )
