"""Spreadsheet import and export (CSV, XLSX) of the missions and the know-how transfers.

Rows are matched by slug, relations by slug or name (written as slugs), choices by French label or code.
A mission's start and end are written as the wall-clock time where it takes place (« 2025-06-02 09:00 »)
next to its « Fuseau horaire » column, never as UTC. The rows a spreadsheet user edits inside one cell:
- « Objectifs »: one objective a line, « objectif | résultat | note » (résultat: Atteint, Partiellement
  atteint, Pas encore atteint — or achieved / partly / not_yet; the note may be left out);
- « Visites »: one place visited a line, « lieu | ville | date | note » (lieu: « s:tag22 » for a member
  structure, an organisation's slug otherwise; date AAAA-MM-JJ, and date and note may be left out);
- « Participants »: one person a line, « nom | fonction | structure ou organisation » (the last two may be
  left out);
- « Bénéficiaires »: keys separated by `|`, « s:tag22 » for a member structure, an organisation's slug
  otherwise.
A bad cell refuses the whole file (network.resources.NaturalKeyResource), with its row and column."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from import_export import fields, widgets

from fabrique.audit import record_versions
from fabrique.spreadsheets.matching import KeyIndex, cell_text, choice_value
from network.models import Structure
from network.resources import SEPARATOR, KeyListWidget, KeyWidget, NaturalKeyResource
from partnerships.models import (
    Beneficiary,
    KnowHowTransfer,
    Mission,
    Objective,
    Organisation,
    Participant,
    Partnership,
    Visit,
)
from partnerships.spreadsheet_cells import (
    STRUCTURE_PREFIX,
    parse_beneficiaries,
    parse_objectives,
    parse_participants,
    parse_visits,
    visit_order,
)
from partnerships.staff_forms import local_to_utc, utc_to_local
from programmes.models import Programme
from projects.models import Project

TIMEZONE_COLUMN = "Fuseau horaire"
LOCAL_FORMAT = "%Y-%m-%d %H:%M"


class LocalDateTimeWidget(widgets.Widget):
    """A date-time read in the zone given by the row's « Fuseau horaire » cell."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.datetime | None:
        if value is None or str(value).strip() == "":
            return None
        # The zone cell may give the zone's code (Europe/Paris) or its label (Heure de Paris).
        zone_cell = cell_text((row or {}).get(TIMEZONE_COLUMN))
        zone = choice_value(zone_cell, Mission.TimeZone.choices) or zone_cell
        if zone not in Mission.TimeZone.values:
            raise ValueError(
                _("Fuseau horaire « %(zone)s » inconnu : Europe/Paris ou America/Toronto.") % {"zone": zone}
            )
        local = value if isinstance(value, dt.datetime) else parse_datetime(str(value).strip())
        if local is None:
            raise ValueError(
                _("« %(value)s » n'est pas une date et heure (AAAA-MM-JJ HH:MM).") % {"value": value}
            )
        try:
            return local_to_utc(local.replace(tzinfo=None), zone)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None


OBJECTIVES, VISITS, PARTICIPANTS, BENEFICIARIES = "Objectifs", "Visites", "Participants", "Bénéficiaires"


def place_key(row: Visit | Participant | Beneficiary) -> str:
    """The structure (« s:slug ») or the organisation (slug) of a child row, "" for neither."""
    if row.structure_id:
        return f"{STRUCTURE_PREFIX}{row.structure.slug}"
    return row.organisation.slug if row.organisation_id else ""


class ChildRowsResource(NaturalKeyResource):
    """A resource with cells holding the rows of child models (objectives, visits, participants,
    beneficiaries), named by `child_columns`.

    Each cell is parsed while the row is checked (an error names its column), compared with what is stored
    (an unchanged row is skipped) and written after the parent, inside the file's transaction. Places
    (structures, organisations) are looked up once per import, by slug or name."""

    child_columns: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.structures = KeyIndex(Structure, "slug", only=True)
        self.organisations = KeyIndex(Organisation, "slug", only=True)

    def prepare_file(self, dataset: Any) -> None:
        super().prepare_file(dataset)
        self.structures.reset()
        self.organisations.reset()

    def parse_children(self, column: str, cell: Any) -> list:
        raise NotImplementedError

    def stored_children(self, column: str, instance: models.Model) -> list:
        raise NotImplementedError

    def write_children(self, column: str, instance: models.Model, children: list) -> None:
        raise NotImplementedError

    def import_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        errors: dict[str, ValidationError] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = {name: ValidationError(messages) for name, messages in exc.message_dict.items()}
        instance._imported_children = {}
        for column in self.child_columns:
            if column in row:
                try:
                    instance._imported_children[column] = self.parse_children(column, row[column])
                except ValueError as exc:
                    errors[column] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)

    def changed_children(self, instance: Any, original: Any) -> dict[str, list]:
        """The parsed cells that differ from what is stored (all of them for a new row)."""
        imported = getattr(instance, "_imported_children", None) or {}
        if original.pk is None:
            return imported
        return {
            column: children
            for column, children in imported.items()
            if children != self.stored_children(column, original)
        }

    def skip_row(self, instance: Any, original: Any, row: dict, import_validation_errors: Any = None) -> bool:
        if self.changed_children(instance, original):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        if not instance.pk:
            return
        for column, children in (getattr(instance, "_imported_children", None) or {}).items():
            if children != self.stored_children(column, instance):
                self.write_children(column, instance, children)


class MissionResource(ChildRowsResource):
    partnership = fields.Field(
        attribute="partnership", column_name="Partenariat", widget=KeyWidget(Partnership, field="slug")
    )
    starts_at = fields.Field(
        attribute="starts_at", column_name="Début (heure locale)", widget=LocalDateTimeWidget()
    )
    ends_at = fields.Field(
        attribute="ends_at", column_name="Fin (heure locale)", widget=LocalDateTimeWidget()
    )
    objectives = fields.Field(column_name=OBJECTIVES, readonly=True)
    visits = fields.Field(column_name=VISITS, readonly=True)
    participants = fields.Field(column_name=PARTICIPANTS, readonly=True)
    projects = fields.Field(
        attribute="projects", column_name="Projets", widget=KeyListWidget(Project, field="slug")
    )

    headers = {
        "title": "Intitulé",
        "slug": "Slug",
        "kind": "Type",
        "direction": "Sens",
        "timezone": TIMEZONE_COLUMN,
        "cities": "Villes",
        "summary": "Résumé",
        "is_published": "Publiée",
    }
    child_columns = (OBJECTIVES, VISITS, PARTICIPANTS)
    # Written as « Europe/Paris », a zone's unambiguous name (the label « Heure de Montréal » is read too).
    code_columns = ("timezone",)
    export_related = ("partnership",)
    export_prefetched = (
        "objectives",
        "visits__structure",
        "visits__organisation",
        "participants__structure",
        "participants__organisation",
        "projects",
    )

    class Meta:
        model = Mission
        fields = (
            "title",
            "slug",
            "partnership",
            "kind",
            "direction",
            "timezone",
            "starts_at",
            "ends_at",
            "cities",
            "summary",
            "is_published",
            "objectives",
            "visits",
            "participants",
            "projects",
        )
        import_id_fields = ["slug"]

    def dehydrate_starts_at(self, mission: Mission) -> str:
        return utc_to_local(mission.starts_at, mission.timezone).strftime(LOCAL_FORMAT)

    def dehydrate_ends_at(self, mission: Mission) -> str:
        return utc_to_local(mission.ends_at, mission.timezone).strftime(LOCAL_FORMAT)

    def dehydrate_objectives(self, mission: Mission) -> str:
        return "\n".join(
            " | ".join(part for part in (o.text, str(o.get_outcome_display()), o.outcome_note) if part)
            for o in mission.objectives.all()
        )

    def dehydrate_visits(self, mission: Mission) -> str:
        return "\n".join(
            " | ".join(
                (
                    place_key(visit),
                    visit.city,
                    visit.visited_on.isoformat() if visit.visited_on else "",
                    visit.note,
                )
            ).rstrip(" |")
            for visit in mission.visits.all()
        )

    def dehydrate_participants(self, mission: Mission) -> str:
        return "\n".join(
            " | ".join((person.name, person.role, place_key(person))).rstrip(" |")
            for person in mission.participants.all()
        )

    def parse_children(self, column: str, cell: Any) -> list:
        if column == OBJECTIVES:
            return parse_objectives(cell)
        parse = parse_visits if column == VISITS else parse_participants
        return parse(cell, self.structures, self.organisations)

    def stored_children(self, column: str, mission: Mission) -> list:
        if column == OBJECTIVES:
            return [(o.text, o.outcome, o.outcome_note) for o in mission.objectives.all()]
        if column == VISITS:
            rows = [
                (v.structure_id, v.organisation_id, v.city, v.visited_on, v.note)
                for v in mission.visits.all()
            ]
            return sorted(rows, key=visit_order)
        return sorted(
            ((p.name, p.role, p.structure_id, p.organisation_id) for p in mission.participants.all()),
            key=repr,
        )

    def write_children(self, column: str, mission: Mission, children: list) -> None:
        if column == OBJECTIVES:
            mission.objectives.all().delete()
            created = Objective.objects.bulk_create(
                Objective(mission=mission, text=text, outcome=outcome, outcome_note=note, position=position)
                for position, (text, outcome, note) in enumerate(children)
            )
        elif column == VISITS:
            mission.visits.all().delete()
            created = Visit.objects.bulk_create(
                Visit(
                    mission=mission,
                    structure_id=structure_id,
                    organisation_id=organisation_id,
                    city=city,
                    visited_on=visited_on,
                    note=note,
                )
                for structure_id, organisation_id, city, visited_on, note in children
            )
        else:
            mission.participants.all().delete()
            created = Participant.objects.bulk_create(
                Participant(
                    mission=mission,
                    name=name,
                    role=role,
                    structure_id=structure_id,
                    organisation_id=organisation_id,
                )
                for name, role, structure_id, organisation_id in children
            )
        record_versions(created, change="+")  # bulk_create sends no signal to the audit trail


class KnowHowTransferResource(ChildRowsResource):
    provider = fields.Field(
        attribute="provider", column_name="Structure apporteuse", widget=KeyWidget(Organisation, field="slug")
    )
    programme = fields.Field(
        attribute="programme", column_name="Programme", widget=KeyWidget(Programme, field="slug")
    )
    beneficiaries = fields.Field(column_name=BENEFICIARIES, readonly=True)
    projects = fields.Field(
        attribute="projects", column_name="Projets", widget=KeyListWidget(Project, field="slug")
    )

    headers = {
        "title": "Intitulé",
        "slug": "Slug",
        "topic": "Thème",
        "format": "Format",
        "status": "Statut",
        "started_on": "Début",
        "ended_on": "Fin",
        "city": "Lieu",
        "description": "Description",
        "testimonial": "Témoignage",
        "outcome": "Résultat",
        "is_published": "Publié",
    }
    child_columns = (BENEFICIARIES,)
    export_related = ("provider", "programme")
    export_prefetched = ("beneficiaries__structure", "beneficiaries__organisation", "projects")

    class Meta:
        model = KnowHowTransfer
        fields = (
            "title",
            "slug",
            "provider",
            "topic",
            "format",
            "status",
            "started_on",
            "ended_on",
            "city",
            "programme",
            "beneficiaries",
            "description",
            "testimonial",
            "outcome",
            "is_published",
            "projects",
        )
        import_id_fields = ["slug"]

    def dehydrate_beneficiaries(self, transfer: KnowHowTransfer) -> str:
        return SEPARATOR.join(place_key(b) for b in transfer.beneficiaries.all())

    def parse_children(self, column: str, cell: Any) -> list:
        return parse_beneficiaries(cell, self.structures, self.organisations)

    def stored_children(self, column: str, transfer: KnowHowTransfer) -> list:
        return sorted(((b.structure_id, b.organisation_id) for b in transfer.beneficiaries.all()), key=repr)

    def write_children(self, column: str, transfer: KnowHowTransfer, children: list) -> None:
        transfer.beneficiaries.all().delete()
        created = Beneficiary.objects.bulk_create(
            Beneficiary(transfer=transfer, structure_id=structure_id, organisation_id=organisation_id)
            for structure_id, organisation_id in children
        )
        record_versions(created, change="+")  # bulk_create sends no signal to the audit trail
