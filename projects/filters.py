"""The project directory's filters (django-filter), its sorts and its facet counts.

Every filter narrows a queryset the caller already limited to what the user may see
(`projects.access.visible_projects`); nothing here widens it. The staff dashboard uses the same filters.

`year` is the year of `created_at`, the day the project was recorded (its need written down), as on the
dashboard; `created_at` is indexed and the filter needs no join.
"""

import hashlib
import unicodedata
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Max, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff, partner_ids
from network.models import Departement, Region, Structure, Territory
from programmes.models import Programme
from projects.models import Project
from projects.search import search_projects, uses_full_text, with_rank

PAGE_SIZE = 25
# The total and the facets are cached per visibility scope, filter combination and data version (the
# latest `updated_at`, which every create, edit, move and (un)publish sets): the exact count and the
# facets over 100,000 rows are computed once, not on every page turn, and never show stale figures after
# a change to a project made through the platform. The delay bounds what the version does not see (a
# deletion, a new partner funding, a structure or programme renamed).
COUNTS_TTL_SECONDS = 10 * 60

STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(position)) for position, stage in enumerate(Project.Stage.values)),
    output_field=IntegerField(),
)

# `tri` → (label, ORDER BY). Every order ends with the primary key, so that pages never overlap; the
# first two and the title follow an index (Project.Meta.indexes).
SORTS: dict[str, tuple[Promise, tuple]] = {
    "-maj": (_("Mis à jour récemment"), ("-updated_at", "-id")),
    "maj": (_("Mis à jour il y a longtemps"), ("updated_at", "id")),
    "titre": (_("Titre (A → Z)"), ("title", "id")),
    "etape": (_("Étape"), (STAGE_ORDER.asc(), "-updated_at", "-id")),
    "structure": (_("Structure"), ("structure__name", "title", "id")),
    "pertinence": (_("Pertinence (avec une recherche)"), ("-search_rank", "-updated_at", "-id")),
}
DEFAULT_SORT = "-maj"
# Sorts led by a facet: the directory reads their pages one stage (one structure) at a time, where the
# facet's cached counts say page N starts, on the indexes (stage, updated_at DESC, id DESC) and
# (structure, title, id). Sorting the whole list by stage or by structure name for every page would cost
# a full sort of up to 100,000 rows. sort key → (facet, lookup of one of its values, order inside it);
# the structures come in the facet's order (their names, as French readers sort them).
SEGMENTED_SORTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "etape": ("stage", "stage", ("-updated_at", "-id")),
    "structure": ("structure", "structure__slug", ("title", "id")),
}


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Recherche"),
        method="filter_search",
        max_length=200,
        widget=forms.SearchInput,
        help_text=_("Mots du titre, du besoin ou de la solution ; les accents sont facultatifs."),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Étape"), choices=Project.Stage.choices, empty_label=_("Toutes")
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Tous"),
    )
    structure = django_filters.ModelChoiceFilter(
        label=_("Structure"),
        queryset=Structure.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Toutes"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Région"),
        queryset=Region.objects.order_by("name"),
        to_field_name="code",
        method="filter_region",
        empty_label=_("Toutes"),
    )
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"),
        queryset=Departement.objects.order_by("code"),
        to_field_name="code",
        method="filter_departement",
        empty_label=_("Tous"),
    )
    territory_kind = django_filters.ChoiceFilter(
        label=_("Type de territoire"),
        field_name="territory__kind",
        choices=Territory.Kind.choices,
        empty_label=_("Tous"),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Secteur"), choices=Project.Sector.choices, empty_label=_("Tous")
    )
    year = YearFilter(label=_("Année de création"), field_name="created_at", lookup_expr="year")
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method="keep",
        empty_label=_("Par défaut"),
    )

    class Meta:
        model = Project
        fields: list[str] = []

    # A territory may cover several départements: a subquery keeps one row per project (no DISTINCT).
    def filter_region(self, queryset: QuerySet, name: str, value: Region) -> QuerySet:
        return queryset.filter(
            territory_id__in=Territory.objects.filter(departements__region=value).values("pk")
        )

    def filter_departement(self, queryset: QuerySet, name: str, value: Departement) -> QuerySet:
        return queryset.filter(territory_id__in=Territory.objects.filter(departements=value).values("pk"))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_projects(queryset, value)

    def keep(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # `tri` orders, it does not filter: see sorted_qs()

    # --- Valid values ----------------------------------------------------------------------------------
    # An invalid value (an unknown stage, a programme that does not exist, "year=abc") is left out of
    # `cleaned_data` by the form, so it is ignored by .qs and by everything below; the page says so.

    def valid_values(self) -> dict:
        """The valid, non-empty values by filter name; {} for an unbound filterset. Safe to call at any
        time (it validates the form first); worked out once, a copy returned."""
        if not hasattr(self, "_valid_values"):
            self._valid_values = {}
            if self.is_bound:
                self.is_valid()  # fills cleaned_data with the valid fields only
                cleaned = self.form.cleaned_data.items()
                self._valid_values = {name: value for name, value in cleaned if value not in (None, "")}
        return dict(self._valid_values)

    def active_filters(self) -> dict[str, str]:
        """The valid, non-empty filters as URL values (models by slug or INSEE code), `tri` left out."""
        if not hasattr(self, "_active_filters"):
            self._active_filters = {}
            for name, value in self.valid_values().items():
                if name != "tri":
                    to_field = self.filters[name].extra.get("to_field_name")
                    self._active_filters[name] = str(getattr(value, to_field)) if to_field else str(value)
        return dict(self._active_filters)

    def invalid_filters(self) -> list[tuple[str, str]]:
        """(label, message) of each filter whose value was refused."""
        if not self.is_bound or self.is_valid():
            return []
        return [
            (str(self.form.fields[name].label), " ".join(errors)) for name, errors in self.form.errors.items()
        ]

    # --- Ordering --------------------------------------------------------------------------------------

    def sort_key(self) -> str:
        """The sort in use: `tri` if valid, else by relevance when searching on PostgreSQL, else `-maj`."""
        values = self.valid_values()
        searching = bool(values.get("q")) and uses_full_text()
        key = values.get("tri") or ("pertinence" if searching else DEFAULT_SORT)
        return DEFAULT_SORT if key == "pertinence" and not searching else key

    def ordering(self) -> tuple:
        return SORTS[self.sort_key()][1]

    def sorted_qs(self) -> QuerySet:
        """`.qs` in the requested order (with the search rank when sorting by relevance)."""
        queryset = self.qs
        if self.sort_key() == "pertinence":
            queryset = with_rank(queryset, self.valid_values()["q"])
        return queryset.order_by(*self.ordering())


# --- Facets ----------------------------------------------------------------------------------------------
# Every facet of every filter combination is summed from one small "cube": the visible projects (narrowed
# by the search text, if any) counted per (stage, sector, programme, structure, territory, year). On
# 100,000 projects it holds a few thousand rows and costs one GROUP BY, cached per visibility scope,
# search text and data version; each filter combination then costs a pass over it in Python, also cached.
# A facet row is (value in the URL, label from the database or None, number of projects); labels of
# choices are translated at display time (`option_label`), so the cache holds no translated text.

FacetRow = tuple[str, str | None, int]
Option = tuple[str, str | None]  # (value in the URL, label from the database or None)


@dataclass(frozen=True)
class FacetSpec:
    name: str  # the filter it counts for
    label: Promise
    choices: tuple[tuple[str, Promise], ...] = ()  # options shown in this order, with these labels
    label_shows_value: bool = False  # « Côtes-d'Armor (22) », ordered by code

    def option_label(self, value: str, db_label: str | None) -> str:
        if self.choices:
            return str(dict(self.choices).get(value, value))
        if db_label is None:
            return value
        return f"{db_label} ({value})" if self.label_shows_value else db_label

    def ordered(self, rows: list[FacetRow]) -> list[FacetRow]:
        if self.choices:  # the pipeline's order for stages
            order = [value for value, _label in self.choices]
            return sorted(rows, key=lambda row: order.index(row[0]) if row[0] in order else len(order))
        if self.name == "year":
            return sorted(rows, reverse=True)  # the most recent first
        return sorted(
            rows, key=lambda row: row[0] if self.label_shows_value else reading_order(row[1] or row[0])
        )


def reading_order(text: str) -> str:
    """« Économie » between « Dordogne » and « Finistère », capitals or not: the order readers expect."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


# One facet per filter, in the order of the filter form.
FACETS = (
    FacetSpec("stage", _("Étape"), choices=tuple(Project.Stage.choices)),
    FacetSpec("programme", _("Programme")),
    FacetSpec("structure", _("Structure")),
    FacetSpec("region", _("Région")),
    FacetSpec("departement", _("Département"), label_shows_value=True),
    FacetSpec("territory_kind", _("Type de territoire"), choices=tuple(Territory.Kind.choices)),
    FacetSpec("sector", _("Secteur"), choices=tuple(Project.Sector.choices)),
    FacetSpec("year", _("Année de création")),
)


# A cube row: stage, sector, programme id (or None), structure id, territory id, year, number of projects.
CubeRow = tuple[str, str, int | None, int, int, int, int]
# The cube column each facet reads; the three territory facets read the territory and spread it.
FACET_COLUMNS = {
    "stage": 0, "sector": 1, "programme": 2, "structure": 3, "region": 4, "departement": 4,
    "territory_kind": 4, "year": 5,
}  # fmt: skip


@dataclass
class Cube:
    rows: list[CubeRow]
    programmes: dict[int, list[Option]]  # id → [(slug, name)]
    structures: dict[int, list[Option]]  # id → [(slug, name)]
    territories: dict[
        int, dict[str, list[Option]]
    ]  # id → options of "region", "departement", "territory_kind"

    def options(self, facet: str, raw: object) -> list[Option]:
        """The option(s) of `facet` for a value of its column; a territory may lie in several départements."""
        if facet == "programme":
            return self.programmes.get(raw, [])
        if facet == "structure":
            return self.structures.get(raw, [])
        if FACET_COLUMNS[facet] == 4:
            return self.territories.get(raw, {}).get(facet, [])
        return [(str(raw), None)]


def territory_options() -> dict[int, dict[str, list[Option]]]:
    """Régions, départements and kind of every territory: one query over small reference tables."""
    result: dict[int, dict[str, dict[str, str | None]]] = {}
    rows = Territory.objects.values_list(
        "pk", "kind", "departements__code", "departements__name", "departements__region__code",
        "departements__region__name",
    )  # fmt: skip
    for pk, kind, departement, departement_name, region, region_name in rows:
        options = result.setdefault(pk, {"region": {}, "departement": {}, "territory_kind": {kind: None}})
        if departement:
            options["departement"][departement] = departement_name
            options["region"][region] = region_name  # once, even for two départements of one région
    return {
        pk: {name: list(values.items()) for name, values in options.items()} for pk, options in result.items()
    }


def build_cube(queryset: QuerySet) -> Cube:
    """Four queries: the GROUP BY, then programmes, structures and territories (small tables)."""
    rows = (
        queryset.order_by()
        .annotate(year=ExtractYear("created_at"))
        .values_list("stage", "sector", "programme_id", "structure_id", "territory_id", "year")
        .annotate(n=Count("pk"))
    )
    return Cube(
        rows=list(rows),
        programmes={
            pk: [(slug, name)] for pk, slug, name in Programme.objects.values_list("pk", "slug", "name")
        },
        structures={
            pk: [(slug, name)] for pk, slug, name in Structure.objects.values_list("pk", "slug", "name")
        },
        territories=territory_options(),
    )


def accepted_values(cube: Cube, name: str, value: str) -> set:
    """The values of the filter's cube column that satisfy `name=value` (e.g. région → its territories)."""
    column = FACET_COLUMNS[name]
    in_cube = {row[column] for row in cube.rows}
    return {raw for raw in in_cube if any(value == option for option, _label in cube.options(name, raw))}


def counts_from_cube(cube: Cube, active: dict[str, str]) -> dict:
    """The total and every facet for the `active` filters. An option's count is what choosing it would
    give, the other filters kept: a cube row counts for facet F when it passes every filter but F's.
    Rows are summed per raw column value (ids, codes), spread over the options only at the end."""
    filters = {name: value for name, value in active.items() if name != "q"}  # the cube is already searched
    accepted = {
        name: (FACET_COLUMNS[name], accepted_values(cube, name, value)) for name, value in filters.items()
    }
    sums: dict[str, dict[object, int]] = {spec.name: {} for spec in FACETS}
    total = 0
    for row in cube.rows:
        failed = [name for name, (column, values) in accepted.items() if row[column] not in values]
        if len(failed) > 1:
            continue
        n = row[-1]
        if not failed:
            total += n
        for name in failed or sums:
            raw = row[FACET_COLUMNS[name]]
            sums[name][raw] = sums[name].get(raw, 0) + n
    facets = {}
    for spec in FACETS:
        options: dict[Option, int] = {}
        for raw, n in sums[spec.name].items():
            for option in cube.options(spec.name, raw):
                options[option] = options.get(option, 0) + n
        facets[spec.name] = spec.ordered([(value, label, n) for (value, label), n in options.items()])
    return {"total": total, "facets": facets}


def visibility_scope(user: AnyUser) -> str:
    """What `visible_projects(user)` depends on, as a cache-key part: two users with the same scope see
    the same projects, so they share the cached counts."""
    if is_avise_staff(user):
        return "staff"
    structures = ",".join(map(str, sorted(coordinated_structure_ids(user))))
    partners = ",".join(map(str, sorted(partner_ids(user))))
    return f"public|s:{structures}|p:{partners}"


def data_version() -> str:
    """Changes whenever a project is created or changed (one read of the `project_recent_id` index)."""
    latest = Project.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest.isoformat() if latest else "empty"


def cache_key(kind: str, scope: str, version: str, filters: dict[str, str]) -> str:
    raw = "|".join([scope, version, *(f"{name}={value}" for name, value in sorted(filters.items()))])
    return f"directory-{kind}:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_counts(filterset: ProjectFilterSet, base: QuerySet, user: AnyUser) -> dict:
    """The total of the filtered list and the rows of every facet (`counts_from_cube`), cached per
    visibility scope, filter combination and data version; the cube they are summed from is cached per
    visibility scope, search text and data version."""
    scope, version, active = visibility_scope(user), data_version(), filterset.active_filters()
    key = cache_key("counts", scope, version, active)
    counts = cache.get(key)
    if counts is None:
        search = active.get("q", "")
        cube_key = cache_key("cube", scope, version, {"q": search})
        cube = cache.get(cube_key)
        if cube is None:
            cube = build_cube(search_projects(base, search))
            cache.set(cube_key, cube, COUNTS_TTL_SECONDS)
        counts = counts_from_cube(cube, active) | {"key": key}  # the key also names the page anchors
        cache.set(key, counts, COUNTS_TTL_SECONDS)
    return counts
