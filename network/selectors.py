"""Read functions of the network app. Each runs a known, small number of queries."""

from typing import NamedTuple

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from network.models import Departement, Structure, Territory
from programmes.models import Participation, Programme
from projects.models import Project


class PhaseCount(NamedTuple):
    phase: str
    label: str
    count: int


def structure_counts_by_phase() -> list[PhaseCount]:
    """Structures per appellation phase, in the path's order, phases without structures left out.

    One aggregate query."""
    counts = dict(Structure.objects.order_by().values_list("phase").annotate(count=Count("id")))
    return [
        PhaseCount(phase=phase.value, label=str(phase.label), count=counts[phase.value])
        for phase in Structure.Phase
        if counts.get(phase.value)
    ]


# What the public directory shows: the structures that run a Fabrique today. A candidate has not joined
# yet, a suspended or withdrawn structure no longer runs one; they exist for the staff only.
PUBLIC_PHASES = (Structure.Phase.EXPERIMENTATION, Structure.Phase.APPLICATION, Structure.Phase.LABELLED)


def public_structures() -> QuerySet[Structure]:
    """The structures anyone may see: those in experimentation, applying for or holding the appellation."""
    return Structure.objects.filter(phase__in=PUBLIC_PHASES)


def directory_structures(queryset: QuerySet[Structure]) -> QuerySet[Structure]:
    """`queryset` ready for the directory's list: one query for the page (the structure, the département
    and région of its seat, its published projects counted in a subquery), one for the territories' names.
    The count subquery keeps the page query free of joins that would multiply rows."""
    published = (
        Project.objects.filter(structure=OuterRef("pk"), is_published=True)
        .order_by()
        .values("structure")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        queryset.select_related("departement__region")
        .prefetch_related(Prefetch("territories", queryset=Territory.objects.only("pk", "name")))
        .annotate(published_projects=Coalesce(Subquery(published), 0))
        # Case-insensitive, as readers expect (« Adress » before « ATIS »); the pk keeps pages stable.
        .order_by(Lower("name"), "pk")
    )


def get_public_structure(slug: str) -> Structure:
    """The public structure `slug` with its seat's département and région, else 404 (one query)."""
    return get_object_or_404(public_structures().select_related("departement__region"), slug=slug)


def structure_territories(structure: Structure) -> list[Territory]:
    """The structure's territories with their départements: two queries."""
    return list(structure.territories.prefetch_related("departements"))


class ProgrammeTakePart(NamedTuple):
    programme: Programme
    participations: list[Participation]


def structure_programmes(structure: Structure) -> list[ProgrammeTakePart]:
    """The published programmes the structure takes part in, each with its participations (territory and
    period), newest programme first: one query."""
    participations = (
        Participation.objects.filter(structure=structure, programme__is_published=True)
        .select_related("programme", "territory")
        .order_by(
            "-programme__start_date", "programme__name", "programme_id", "start_date", "territory__name"
        )
    )
    grouped: dict[int, ProgrammeTakePart] = {}
    for participation in participations:
        entry = grouped.setdefault(participation.programme_id, ProgrammeTakePart(participation.programme, []))
        entry.participations.append(participation)
    return list(grouped.values())


def structure_published_projects(structure: Structure) -> QuerySet[Project]:
    """The structure's published projects, latest published first, with their territory and programme.
    Only the published ones, whoever reads: this is the structure's public page."""
    return (
        Project.objects.filter(structure=structure)
        .published()
        .select_related("territory", "programme")
        .order_by("-published_at", "-pk")
    )


class MapStructure(NamedTuple):
    structure: Structure
    # (latitude, longitude) of the structure's first territory that has a point; None: not on the map.
    point: tuple[float, float] | None
    departement_codes: list[str]


def map_structures() -> list[MapStructure]:
    """The public structures for the network map, by name, each with where to put its marker and the
    départements its territories cover: three queries (structures, their territories, those territories'
    départements), whatever the number of structures.

    A structure has no point of its own (its seat is only a département): its marker goes on its first
    territory, by name, that has one."""
    territories = Territory.objects.only("pk", "name", "latitude", "longitude").order_by(Lower("name"), "pk")
    structures = (
        public_structures()
        .only("pk", "name", "slug", "phase")
        .prefetch_related(
            Prefetch("territories", queryset=territories),
            Prefetch("territories__departements", queryset=Departement.objects.only("pk", "code")),
        )
        .order_by(Lower("name"), "pk")
    )
    result = []
    for structure in structures:
        located = [t for t in structure.territories.all() if t.latitude is not None]
        point = (float(located[0].latitude), float(located[0].longitude)) if located else None
        codes = {d.code for t in structure.territories.all() for d in t.departements.all()}
        result.append(MapStructure(structure, point, sorted(codes)))
    return result
