"""Writes the seeds (the source texts' real names) idempotently, in dependency order.

A few hundred small queries: the seeds are small, so clarity wins over batching here."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from fabrique.demo.seeds import network as network_seeds
from fabrique.demo.seeds import partnerships as partnership_seeds
from fabrique.demo.seeds import programmes as programme_seeds
from fabrique.demo.seeds import projects as project_seeds
from fabrique.demo.store import day, local_time, replace_children, upsert
from fabrique.models import User
from network.models import (
    AppellationApplication,
    CommitteeMember,
    Contact,
    Departement,
    Opinion,
    PeerCommittee,
    PhaseChange,
    Structure,
    Territory,
)
from partnerships.models import (
    Agreement,
    Beneficiary,
    KnowHowTransfer,
    Mission,
    Objective,
    Organisation,
    Participant,
    Partnership,
    Party,
    Support,
    Visit,
)
from programmes.models import Funding, Participation, Partner, Programme
from projects.models import HolderAssignment, Indicator, Project, StageChange

DEMO_NOTE = "Données de démonstration"


@dataclass
class SeedIndex:
    """The loaded seed rows by slug, for the rows that point at them."""

    territories: dict[str, Territory] = field(default_factory=dict)
    structures: dict[str, Structure] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    programmes: dict[str, Programme] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    # Who records the moves of a structure's projects: its demo coordinator, when it has one.
    recorder_by_structure: dict[int, User] = field(default_factory=dict)


def _decimal(value: float) -> Decimal:
    # The column keeps 5 decimals: rounding first keeps a re-run from seeing 49.050000000000004 as a change.
    return Decimal(str(round(value, 5)))


def load_territories(index: SeedIndex) -> None:
    departements = {d.code: d for d in Departement.objects.select_related("region")}
    by_region: dict[str, list[Departement]] = {}
    for departement in departements.values():
        by_region.setdefault(departement.region.code, []).append(departement)
    for row in network_seeds.TERRITORIES:
        territory = upsert(
            Territory,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "country": row["country"],
                "latitude": _decimal(row["latitude"]),
                "longitude": _decimal(row["longitude"]),
            },
        )
        linked = [departements[code] for code in row["departements"]]
        for region in row["regions"]:
            linked.extend(by_region.get(region, []))
        territory.departements.set(linked)
        index.territories[row["slug"]] = territory


def _phase_history(structure: Structure, phases: list[tuple[str, str]], staff: User) -> list[dict]:
    rows, previous = [], ""
    for phase, date in phases:
        rows.append(
            {
                "from_phase": previous,
                "to_phase": phase,
                "changed_on": day(date),
                "changed_by_id": staff.pk,
                "reason": DEMO_NOTE,
            }
        )
        previous = phase
    return rows


def load_structures(index: SeedIndex, staff: User) -> None:
    departements = {d.code: d for d in Departement.objects.all()}
    for row in network_seeds.STRUCTURES:
        phases = row["phases"]
        phase, since = phases[-1]
        joined = next(date for name, date in phases if name == "experimentation")
        labelled = next((date for name, date in phases if name == "labelled"), None)
        structure = upsert(
            Structure,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "legal_form": row["legal_form"],
                "phase": phase,
                "phase_since": day(since),
                "joined_on": day(joined),
                "labelled_on": day(labelled),
                "departement": departements[row["departement"]],
                "city": row["city"],
                "description": row["description"],
            },
        )
        structure.territories.set([index.territories[slug] for slug in row["territories"]])
        replace_children(PhaseChange, {"structure": structure}, _phase_history(structure, phases, staff))
        index.structures[row["slug"]] = structure
    by_structure: dict[str, list[dict]] = {slug: [] for slug in index.structures}
    for contact in network_seeds.CONTACTS:
        by_structure[contact["structure"]].append({"name": contact["name"], "role": contact["role"]})
    for slug, rows in by_structure.items():
        replace_children(Contact, {"structure": index.structures[slug]}, rows)


def load_committees(index: SeedIndex, staff: User) -> None:
    for row in network_seeds.COMMITTEES:
        held_on = day(row["held_on"])
        committee = upsert(
            PeerCommittee,
            {"held_on": held_on, "place": row["place"]},
            {"status": row["status"], "notes": row["notes"]},
        )
        members = [index.structures[slug] for slug in row["members"]]
        replace_children(CommitteeMember, {"committee": committee}, [{"structure_id": m.pk} for m in members])
        for application_row in row["applications"]:
            decided = bool(application_row["decision"])
            application = upsert(
                AppellationApplication,
                {"structure": index.structures[application_row["structure"]], "committee": committee},
                {
                    "status": "decided" if decided else "submitted",
                    "decision": application_row["decision"],
                    "decided_on": held_on if decided else None,
                    "decided_by": staff if decided else None,
                    "submitted_at": local_time(f"{application_row['submitted']} 10:00"),
                    "territorial_anchoring": application_row.get("territorial_anchoring", ""),
                    "partnerships": application_row.get("partnerships", ""),
                    "know_how": application_row.get("know_how", ""),
                    "outlook": application_row.get("outlook", ""),
                },
            )
            opinions = [{"member_id": m.pk, "verdict": "favourable"} for m in members] if decided else []
            replace_children(Opinion, {"application": application}, opinions)


def load_programmes(index: SeedIndex) -> None:
    for row in programme_seeds.PARTNERS:
        index.partners[row["slug"]] = upsert(
            Partner,
            {"slug": row["slug"]},
            {k: row[k] for k in ("name", "kind", "is_national", "description")},
        )
    for row in programme_seeds.PROGRAMMES:
        start, end = day(row["start"]), day(row["end"])
        programme = upsert(
            Programme,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "theme": row["theme"],
                "summary": row["summary"],
                "description": row["description"],
                "start_date": start,
                "end_date": end,
                "is_published": True,
            },
        )
        index.programmes[row["slug"]] = programme
        replace_children(
            Funding,
            {"programme": programme},
            [{"partner_id": index.partners[slug].pk, "role": role} for slug, role in row["fundings"]],
        )
        participations = []
        for structure, territory, *period in row["participations"]:
            participations.append(
                {
                    "structure_id": index.structures[structure].pk,
                    "territory_id": index.territories[territory].pk,
                    "start_date": day(period[0]) if period else start,
                    "end_date": day(period[1]) if len(period) > 1 else end,
                }
            )
        replace_children(Participation, {"programme": programme}, participations)


def _place(index: SeedIndex, reference: str) -> dict[str, int | None]:
    """A visit's or beneficiary's target: "s:slug" is a member structure, a bare slug an organisation."""
    if reference.startswith("s:"):
        return {"structure_id": index.structures[reference[2:]].pk, "organisation_id": None}
    return {"structure_id": None, "organisation_id": index.organisations[reference].pk}


def load_partnerships(index: SeedIndex) -> None:
    for row in partnership_seeds.ORGANISATIONS:
        index.organisations[row["slug"]] = upsert(
            Organisation,
            {"slug": row["slug"]},
            {k: row[k] for k in ("name", "kind", "country", "city", "description")},
        )
    partnerships = {}
    for row in partnership_seeds.PARTNERSHIPS:
        partnership = upsert(
            Partnership,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "summary": row["summary"],
                "objectives": row["objectives"],
                "start_date": day(row["start"]),
                "end_date": day(row["end"]),
                "is_published": True,
            },
        )
        partnerships[row["slug"]] = partnership
        replace_children(
            Party,
            {"partnership": partnership},
            [
                {"organisation_id": index.organisations[slug].pk, "side": side, "description": text}
                for slug, side, text in row["parties"]
            ],
        )
        replace_children(
            Support,
            {"partnership": partnership},
            [{"partner_id": index.partners[slug].pk, "scheme": scheme} for slug, scheme in row["supports"]],
        )
        for agreement_row in row["agreements"]:
            agreement = upsert(
                Agreement,
                {"partnership": partnership, "title": agreement_row["title"]},
                {"status": agreement_row["status"], "signed_on": day(agreement_row["signed_on"])},
            )
            agreement.parties.set([index.organisations[slug] for slug in agreement_row["parties"]])
    for row in partnership_seeds.MISSIONS:
        load_mission(index, row, partnerships[row["partnership"]])
    load_transfers(index)


def load_mission(index: SeedIndex, row: dict, partnership: Partnership) -> None:
    zone = row["timezone"]
    mission = upsert(
        Mission,
        {"slug": row["slug"]},
        {
            "partnership": partnership,
            "title": row["title"],
            "kind": row["kind"],
            "direction": row["direction"],
            "starts_at": local_time(row["starts_at"], zone),
            "ends_at": local_time(row["ends_at"], zone),
            "timezone": zone,
            "cities": row["cities"],
            "summary": row["summary"],
            "is_published": True,
        },
    )
    replace_children(
        Visit,
        {"mission": mission},
        [
            {**_place(index, ref), "city": city, "visited_on": day(date), "note": ""}
            for ref, city, date in row["visits"]
        ],
    )
    replace_children(
        Participant,
        {"mission": mission},
        [
            {"name": name, "role": role, "organisation_id": index.organisations[org].pk, "structure_id": None}
            for name, role, org in row["participants"]
        ],
    )
    replace_children(
        Objective,
        {"mission": mission},
        [
            {"text": text, "outcome": outcome, "outcome_note": note, "position": position}
            for position, (text, outcome, note) in enumerate(row["objectives"], start=1)
        ],
    )
    mission.projects.set([index.projects[slug] for slug in row["projects"]])


def load_transfers(index: SeedIndex) -> None:
    programme = index.programmes["transfert-savoir-faire-territoires-french-impact"]
    for row in partnership_seeds.TRANSFERS:
        transfer = upsert(
            KnowHowTransfer,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "provider": index.organisations[row["provider"]],
                "topic": row["topic"],
                "format": row["format"],
                "status": "validated",
                "started_on": day(row["started_on"]),
                "ended_on": day(row["ended_on"]),
                "city": row["city"],
                "programme": programme,
                "description": row["description"],
                "testimonial": row["testimonial"],
                "is_published": True,
            },
        )
        replace_children(
            Beneficiary, {"transfer": transfer}, [_place(index, ref) for ref in row["beneficiaries"]]
        )
        transfer.projects.set([index.projects[slug] for slug in row["projects"]])


def _at(date: dt.date | None, hour: int = 10) -> dt.datetime | None:
    return local_time(f"{date.isoformat()} {hour:02d}:00") if date else None


def load_projects(index: SeedIndex) -> None:
    for row in project_seeds.PROJECTS:
        structure = index.structures[row["structure"]]
        recorder = index.recorder_by_structure.get(structure.pk)
        moves = [(stage, day(date)) for stage, date in row["path"]]
        study_start, study_end, conclusion, summary = row["study"] or (None, None, "pending", "")
        project = upsert(
            Project,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "structure": structure,
                "territory": index.territories[row["territory"]],
                "programme": index.programmes[row["programme"]] if row["programme"] else None,
                "sector": row["sector"],
                "stage": moves[-1][0],
                "stage_changed_at": _at(moves[-1][1]),
                "need": row["need"],
                "solution": row["solution"],
                "study_started_on": day(study_start),
                "study_completed_on": day(study_end),
                "study_conclusion": conclusion,
                "study_summary": summary,
                "started_on": day(row["started_on"]),
                "abandon_reason": row["abandon_reason"],
                "key_lessons": row["key_lessons"],
                "is_published": bool(row["published_on"]),
                "published_at": _at(day(row["published_on"])),
                "created_by": recorder,
            },
        )
        index.projects[row["slug"]] = project
        history, previous = [], ""
        for stage, date in moves:
            history.append(
                {
                    "from_stage": previous,
                    "to_stage": stage,
                    "changed_at": _at(date),
                    "changed_by_id": recorder.pk if recorder else None,
                    "note": DEMO_NOTE,
                }
            )
            previous = stage
        replace_children(StageChange, {"project": project}, history)
        holders = []
        if row["holder"]:
            name, organisation, assigned_on = row["holder"]
            holders.append(
                {
                    "holder_name": name,
                    "holder_organisation": organisation,
                    "assigned_on": day(assigned_on),
                    "note": "",
                    "recorded_by_id": recorder.pk if recorder else None,
                }
            )
        replace_children(HolderAssignment, {"project": project}, holders)
        replace_children(
            Indicator,
            {"project": project},
            [
                {"kind": kind, "value": Decimal(value), "measured_on": day(measured_on), "note": note}
                for kind, value, measured_on, note in row["indicators"]
            ],
        )
        project.partners.set([index.partners[slug] for slug in row["partners"]])
