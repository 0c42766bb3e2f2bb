"""Writes the synthetic projects in bulk: one query for the existing slugs, then `bulk_create` in batches
for the projects and their history, holders, indicators and partners. No query per project."""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import OuterRef, QuerySet, Subquery

from fabrique.demo.load_seeds import SeedIndex
from fabrique.demo.seeds import network as network_seeds
from fabrique.demo.seeds import programmes as programme_seeds
from fabrique.demo.store import day
from fabrique.demo.synthetic import (
    EARLIEST_CREATION_DAY,
    LAST_CREATION_DAY,
    PlannedProject,
    Slot,
    plan_projects,
)
from projects.models import HolderAssignment, Indicator, Project, Sector, StageChange

BATCH_SIZE = 2000
# Projects planned, built and written together: bounds the memory for 100,000 projects.
CHUNK_SIZE = 10000
FUNDER_ROLES = {"funder", "lead"}


def build_slots(index: SeedIndex) -> list[Slot]:
    """Every place a synthetic project may sit, in the seeds' order (so the same draws pick the same slot):
    the programme participations whose programme names sectors, then each structure on each territory."""
    places = {row["slug"]: tuple(row["places"]) for row in network_seeds.TERRITORIES}
    slots = []
    for row in programme_seeds.PROGRAMMES:
        if not row["synthetic_sectors"]:
            continue
        partner_ids = tuple(index.partners[slug].pk for slug, role in row["fundings"] if role in FUNDER_ROLES)
        for structure, territory, *period in row["participations"]:
            first = day(period[0]) if period else day(row["start"])
            last = day(row["end"]) or LAST_CREATION_DAY
            slots.append(
                Slot(
                    structure_id=index.structures[structure].pk,
                    territory_id=index.territories[territory].pk,
                    places=places[territory],
                    programme_id=index.programmes[row["slug"]].pk,
                    sectors=tuple(row["synthetic_sectors"]),
                    first_day=first,
                    last_day=min(last, LAST_CREATION_DAY),
                    partner_ids=partner_ids,
                )
            )
    every_sector = tuple(Sector.values)
    for row in network_seeds.STRUCTURES:
        structure = index.structures[row["slug"]]
        first = max(structure.joined_on or EARLIEST_CREATION_DAY, EARLIEST_CREATION_DAY)
        for territory in row["territories"]:
            slots.append(
                Slot(
                    structure_id=structure.pk,
                    territory_id=index.territories[territory].pk,
                    places=places[territory],
                    programme_id=None,
                    sectors=every_sector,
                    first_day=first,
                    last_day=LAST_CREATION_DAY,
                )
            )
    return slots


def _chunks(plans: Iterable[PlannedProject], size: int) -> Iterator[list[PlannedProject]]:
    iterator = iter(plans)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _project(plan: PlannedProject, recorder_id: int | None) -> Project:
    return Project(
        slug=plan.slug,
        title=plan.title,
        structure_id=plan.slot.structure_id,
        territory_id=plan.slot.territory_id,
        programme_id=plan.slot.programme_id,
        sector=plan.sector,
        stage=plan.stage,
        stage_changed_at=plan.moves[-1][2],
        need=plan.need,
        solution=plan.solution,
        study_started_on=plan.study_started_on,
        study_completed_on=plan.study_completed_on,
        study_conclusion=plan.study_conclusion,
        study_summary=plan.study_summary,
        started_on=plan.started_on,
        abandon_reason=plan.abandon_reason,
        is_published=plan.published_at is not None,
        published_at=plan.published_at,
        created_by_id=recorder_id,
    )


def _write_chunk(plans: list[PlannedProject], recorders: dict[int, int]) -> None:
    projects = [_project(plan, recorders.get(plan.slot.structure_id)) for plan in plans]
    Project.objects.bulk_create(projects, batch_size=BATCH_SIZE)
    if any(project.pk is None for project in projects):
        # Backends that cannot return ids from a bulk insert: one query per chunk.
        ids = dict(Project.objects.filter(slug__in=[p.slug for p in projects]).values_list("slug", "id"))
        for project in projects:
            project.pk = ids[project.slug]

    changes, holders, indicators, links = [], [], [], []
    for plan, project in zip(plans, projects, strict=True):
        recorder = recorders.get(plan.slot.structure_id)
        for from_stage, to_stage, when in plan.moves:
            changes.append(
                StageChange(
                    project_id=project.pk,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    changed_at=when,
                    changed_by_id=recorder,
                )
            )
        if plan.holder:
            name, organisation, assigned_on = plan.holder
            holders.append(
                HolderAssignment(
                    project_id=project.pk,
                    holder_name=name,
                    holder_organisation=organisation,
                    assigned_on=assigned_on,
                    recorded_by_id=recorder,
                )
            )
        for kind, value, measured_on in plan.indicators:
            indicators.append(
                Indicator(project_id=project.pk, kind=kind, value=value, measured_on=measured_on)
            )
        for partner_id in plan.slot.partner_ids:
            links.append(Project.partners.through(project_id=project.pk, partner_id=partner_id))
    StageChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    HolderAssignment.objects.bulk_create(holders, batch_size=BATCH_SIZE)
    Indicator.objects.bulk_create(indicators, batch_size=BATCH_SIZE)
    Project.partners.through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    date_by_history(Project.objects.filter(pk__in=[project.pk for project in projects]))


def date_by_history(projects: QuerySet[Project]) -> int:
    """Dates `projects` by their history: created on their first stage change, updated on their last.

    Rows written in bulk (or re-saved by the loader) carry the load's date, which would put every demo project
    in the current year and none among the projects without news for 90 days. One UPDATE."""
    history = StageChange.objects.filter(project=OuterRef("pk")).values("changed_at")
    return projects.update(
        created_at=Subquery(history.order_by("changed_at")[:1]),
        updated_at=Subquery(history.order_by("-changed_at")[:1]),
    )


def load_synthetic(index: SeedIndex, *, count: int, seed: int) -> int:
    """Creates the synthetic projects `demo-1`…`demo-<count>` that do not exist yet; returns how many."""
    if count <= 0:
        return 0
    existing = set(Project.objects.filter(slug__startswith="demo-").values_list("slug", flat=True))
    recorders = {structure_id: user.pk for structure_id, user in index.recorder_by_structure.items()}
    plans = plan_projects(count, seed, build_slots(index))
    created = 0
    for chunk in _chunks((plan for plan in plans if plan.slug not in existing), CHUNK_SIZE):
        _write_chunk(chunk, recorders)
        created += len(chunk)
    return created
