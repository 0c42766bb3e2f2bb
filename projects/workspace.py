"""Reads of the coordinators' workspace `/espace/`: whose projects it shows, the board by stage and the
sortable list. Every function runs a fixed number of queries whatever the number of projects."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Value, When, prefetch_related_objects
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff, partner_ids
from network.models import Structure
from programmes.models import Programme
from projects.access import visible_projects
from projects.models import HolderAssignment, Project, ProjectQuerySet, Stage
from projects.selectors import current_holder

# A column shows the most recently updated projects of its stage, then links to the full list: at the
# network's scale (100,000 projects) staff would otherwise get 20,000 cards per column.
BOARD_LIMIT = 20
PAGE_SIZE = 25
# Issue 3: a project nobody has updated for 90 days is flagged, unless it left the pipeline (launched or
# abandoned projects have nothing left to update).
STALE_AFTER = dt.timedelta(days=90)
ACTIVE_STAGES = (Stage.DETECTION, Stage.INVENTION, Stage.LAUNCH)

STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(position)) for position, stage in enumerate(Stage.values)),
    output_field=IntegerField(),
)


class Role(StrEnum):
    STAFF = "staff"
    COORDINATOR = "coordinator"
    PARTNER = "partner"
    NONE = "none"


@dataclass(frozen=True)
class Scope:
    """Whose projects the workspace shows to one user, and what they may do there."""

    role: Role
    projects: ProjectQuerySet
    # The structures offered by the structure filter (none for partners: their scope is programmes).
    structures: list[Structure]
    can_create: bool

    def narrowed_to(self, structure: Structure | None) -> ProjectQuerySet:
        return self.projects if structure is None else self.projects.filter(structure=structure)


def workspace_scope(user: AnyUser) -> Scope:
    """Staff: every project. Coordinator: their structures' projects. Partner: the projects of the
    programmes their organisation supports (read-only). Anyone else: nothing.

    Always narrows `visible_projects(user)`, so the workspace never shows more than the access rules
    allow. Queries: the user's structures (cached on the user) then those structures' rows; for staff
    every structure (a few dozen); for a partner their organisations (cached on the user)."""
    visible = visible_projects(user)
    if is_avise_staff(user):
        return Scope(
            Role.STAFF,
            visible,
            list(Structure.objects.only("name", "slug").order_by("name")),
            can_create=True,
        )
    structure_ids = coordinated_structure_ids(user)
    if structure_ids:
        structures = list(
            Structure.objects.filter(pk__in=structure_ids).only("name", "slug").order_by("name")
        )
        return Scope(
            Role.COORDINATOR, visible.filter(structure_id__in=structure_ids), structures, can_create=True
        )
    partners = partner_ids(user)
    if partners:
        # Through the programme ids: a partner funding a programme in two roles must not see it twice.
        programmes = Programme.objects.filter(fundings__partner_id__in=partners).values("pk")
        return Scope(Role.PARTNER, visible.filter(programme_id__in=programmes), [], can_create=False)
    return Scope(Role.NONE, Project.objects.none(), [], can_create=False)


@dataclass(frozen=True)
class Card:
    """One project as the workspace shows it (board card or list row)."""

    project: Project
    # "3 mois": how long the project has been at its stage; "" when it arrived there today.
    in_stage_for: str
    stale: bool
    holder: HolderAssignment | None


def in_stage_for(since: dt.datetime, now: dt.datetime) -> str:
    # Less than a day reads "0 minutes" with timesince: the template says "today" instead.
    if now - since < dt.timedelta(days=1):
        return ""
    return timesince(since, now, depth=1)


def is_stale(project: Project, now: dt.datetime) -> bool:
    return project.stage in ACTIVE_STAGES and project.updated_at < now - STALE_AFTER


def cards(projects: list[Project], now: dt.datetime | None = None) -> list[Card]:
    """Cards for already loaded projects. One query: their holders, all at once."""
    now = now or timezone.now()
    prefetch_related_objects(projects, "holder_assignments")
    return [
        Card(
            project,
            in_stage_for(project.stage_changed_at, now),
            is_stale(project, now),
            current_holder(project),
        )
        for project in projects
    ]


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    count: int
    cards: list[Card]

    @property
    def hidden_count(self) -> int:
        return self.count - len(self.cards)


def board(projects: ProjectQuerySet, now: dt.datetime | None = None) -> list[Column]:
    """The five stage columns, each with its count and its BOARD_LIMIT most recently updated projects.

    Seven queries whatever the number of projects: the counts (one GROUP BY), one LIMITed query per
    stage (each stops after BOARD_LIMIT rows, where a single windowed query would number every project
    of the network), then the holders of the shown cards."""
    counts = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    shown = {
        stage: list(projects.for_list().filter(stage=stage).order_by("-updated_at", "-pk")[:BOARD_LIMIT])
        for stage in Stage.values
    }
    every_card = cards([project for rows in shown.values() for project in rows], now)
    by_project = {card.project.pk: card for card in every_card}
    return [
        Column(
            stage.value,
            str(stage.label),
            counts.get(stage.value, 0),
            [by_project[project.pk] for project in shown[stage.value]],
        )
        for stage in Stage
    ]


# --- The list view ------------------------------------------------------------------------------------

# `tri` → ORDER BY, each ending on a unique key so that pages never overlap. "duree" is the time spent
# in the stage: ascending means the shortest first, i.e. the most recent `stage_changed_at`.
SORTS: dict[str, tuple] = {
    "titre": ("title", "pk"),
    "-titre": ("-title", "-pk"),
    "etape": (STAGE_ORDER.asc(), "title", "pk"),
    "-etape": (STAGE_ORDER.desc(), "title", "pk"),
    "duree": ("-stage_changed_at", "-pk"),
    "-duree": ("stage_changed_at", "pk"),
    "maj": ("updated_at", "pk"),
    "-maj": ("-updated_at", "-pk"),
}
DEFAULT_SORT = "etape"


@dataclass(frozen=True)
class SortHeader:
    """A sortable column header: the sort its link asks for, and its state for `aria-sort`."""

    label: str
    key: str
    link_sort: str
    aria_sort: str  # "ascending", "descending" or "none"


SORTABLE_COLUMNS = (
    ("titre", _("Titre")),
    ("etape", _("Étape")),
    ("duree", _("Temps dans l'étape")),
    ("maj", _("Dernière mise à jour")),
)


def sort_headers(current: str) -> list[SortHeader]:
    """A click on the sorted column reverses it; on another column it sorts ascending."""
    headers = []
    for key, label in SORTABLE_COLUMNS:
        if current == key:
            headers.append(SortHeader(str(label), key, f"-{key}", "ascending"))
        elif current == f"-{key}":
            headers.append(SortHeader(str(label), key, key, "descending"))
        else:
            headers.append(SortHeader(str(label), key, key, "none"))
    return headers


def project_page(projects: ProjectQuerySet, sort: str, number: int, now: dt.datetime | None = None) -> Page:
    """One page (PAGE_SIZE rows) of the sorted list, its objects turned into cards.

    Four queries whatever the page: the count, the page's ids (narrow rows, so a deep page stays cheap),
    those projects with their structure, territory and programme, then their holders."""
    ids = projects.order_by(*SORTS[sort]).values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(number)
    page_ids = list(page.object_list)
    rows = Project.objects.for_list().in_bulk(page_ids)
    page.object_list = cards([rows[pk] for pk in page_ids if pk in rows], now)
    return page
