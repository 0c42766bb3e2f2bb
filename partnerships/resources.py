"""Spreadsheet import and export (CSV, XLSX) of the missions and the know-how transfers.

Rows are matched by slug, relations by slug or name (written as slugs), choices by French label or code.
A mission's start and end are written as the wall-clock time where it takes place (« 2025-06-02 09:00 »)
next to its « Fuseau horaire » column, never as UTC. The rows a spreadsheet user edits inside one cell:
- « Objectifs »: one objective a line, « objectif | résultat | note » (résultat: Atteint, Partiellement
  atteint, Pas encore atteint — or achieved / partly / not_yet; the note may be left out);
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
    Partnership,
)
from partnerships.staff_forms import local_to_utc, utc_to_local
from programmes.models import Programme
from projects.models import Project

TIMEZONE_COLUMN = "Fuseau horaire"
LOCAL_FORMAT = "%Y-%m-%d %H:%M"
STRUCTURE_PREFIX = "s:"


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


def outcome_from_text(text: str) -> str:
    wanted = text.strip().casefold()
    for value, label in Objective.Outcome.choices:
        if wanted in (value, str(label).casefold()):
            return value
    raise ValueError(
        _("Résultat « %(text)s » inconnu : %(choices)s.")
        % {"text": text.strip(), "choices": ", ".join(str(label) for label in Objective.Outcome.labels)}
    )


def parse_objectives(cell: Any) -> list[tuple[str, str, str]]:
    """(text, outcome, note) of every non-empty line of the cell."""
    objectives = []
    for number, line in enumerate(str(cell or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(SEPARATOR, 2)]
        text, outcome, note = [*parts, "", ""][:3]
        if not text:
            raise ValueError(_("Ligne %(number)s : l'objectif est vide.") % {"number": number})
        try:
            objectives.append(
                (text, outcome_from_text(outcome) if outcome else Objective.Outcome.NOT_YET, note)
            )
        except ValueError as error:
            raise ValueError(_("Ligne %(number)s : %(error)s") % {"number": number, "error": error}) from None
    return objectives


def parse_beneficiaries(
    cell: Any, structures: KeyIndex, organisations: KeyIndex
) -> list[tuple[int | None, int | None]]:
    """(structure id, organisation id) of every key (or name) of the cell, in a stable order."""
    beneficiaries, missing = set(), []
    for key in (key.strip() for key in str(cell or "").split(SEPARATOR)):
        if not key:
            continue
        if key.startswith(STRUCTURE_PREFIX):
            structure = structures.lookup(key.removeprefix(STRUCTURE_PREFIX))
            found = None if structure is None else (structure.pk, None)
        else:
            organisation = organisations.lookup(key)
            found = None if organisation is None else (None, organisation.pk)
        if found is None:
            missing.append(key)
        else:
            beneficiaries.add(found)
    if missing:
        raise ValueError(
            _("%(keys)s : introuvable parmi les structures (s:slug, s:nom) et les organisations (slug, nom).")
            % {"keys": ", ".join(f"« {key} »" for key in missing)}
        )
    return sorted(beneficiaries, key=repr)


class ChildRowsResource(NaturalKeyResource):
    """A resource with one cell holding the rows of a child model (objectives, beneficiaries).

    The cell is parsed while the row is checked (an error names its column), compared with what is stored
    (an unchanged row is skipped) and written after the parent, inside the file's transaction."""

    child_column: str = ""

    def parse_children(self, cell: Any) -> list:
        raise NotImplementedError

    def stored_children(self, instance: models.Model) -> list:
        raise NotImplementedError

    def write_children(self, instance: models.Model, children: list) -> None:
        raise NotImplementedError

    def import_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        errors: dict[str, ValidationError] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = {name: ValidationError(messages) for name, messages in exc.message_dict.items()}
        if self.child_column in row:
            try:
                instance._imported_children = self.parse_children(row[self.child_column])
            except ValueError as exc:
                errors[self.child_column] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance: Any, original: Any, row: dict, import_validation_errors: Any = None) -> bool:
        children = getattr(instance, "_imported_children", None)
        if children is not None and (original.pk is None or children != self.stored_children(original)):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        children = getattr(instance, "_imported_children", None)
        if children is not None and instance.pk:
            self.write_children(instance, children)


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
    objectives = fields.Field(column_name="Objectifs", readonly=True)
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
    child_column = "Objectifs"
    # Written as « Europe/Paris », a zone's unambiguous name (the label « Heure de Montréal » is read too).
    code_columns = ("timezone",)
    export_related = ("partnership",)
    export_prefetched = ("objectives", "projects")

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

    def parse_children(self, cell: Any) -> list:
        return parse_objectives(cell)

    def stored_children(self, mission: Mission) -> list:
        return [(o.text, o.outcome, o.outcome_note) for o in mission.objectives.all()]

    def write_children(self, mission: Mission, children: list) -> None:
        if children == self.stored_children(mission):
            return
        mission.objectives.all().delete()
        created = Objective.objects.bulk_create(
            Objective(mission=mission, text=text, outcome=outcome, outcome_note=note, position=position)
            for position, (text, outcome, note) in enumerate(children)
        )
        record_versions(created, change="+")  # bulk_create sends no signal to the audit trail


class KnowHowTransferResource(ChildRowsResource):
    provider = fields.Field(
        attribute="provider", column_name="Structure apporteuse", widget=KeyWidget(Organisation, field="slug")
    )
    programme = fields.Field(
        attribute="programme", column_name="Programme", widget=KeyWidget(Programme, field="slug")
    )
    beneficiaries = fields.Field(column_name="Bénéficiaires", readonly=True)
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
    child_column = "Bénéficiaires"
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Looked up once per import, by slug or name (« s:TAg22 », « Les Ecossolies »).
        self.structures = KeyIndex(Structure, "slug", only=True)
        self.organisations = KeyIndex(Organisation, "slug", only=True)

    def prepare_file(self, dataset: Any) -> None:
        super().prepare_file(dataset)
        self.structures.reset()
        self.organisations.reset()

    def dehydrate_beneficiaries(self, transfer: KnowHowTransfer) -> str:
        return SEPARATOR.join(
            f"{STRUCTURE_PREFIX}{b.structure.slug}" if b.structure_id else b.organisation.slug
            for b in transfer.beneficiaries.all()
        )

    def parse_children(self, cell: Any) -> list:
        return parse_beneficiaries(cell, self.structures, self.organisations)

    def stored_children(self, transfer: KnowHowTransfer) -> list:
        return sorted(((b.structure_id, b.organisation_id) for b in transfer.beneficiaries.all()), key=repr)

    def write_children(self, transfer: KnowHowTransfer, children: list) -> None:
        if children == self.stored_children(transfer):
            return
        transfer.beneficiaries.all().delete()
        created = Beneficiary.objects.bulk_create(
            Beneficiary(transfer=transfer, structure_id=structure_id, organisation_id=organisation_id)
            for structure_id, organisation_id in children
        )
        record_versions(created, change="+")  # bulk_create sends no signal to the audit trail
