"""Spreadsheet import and export (CSV, XLSX) of territories and structures, and the pieces every app's
resources share: natural-key widgets that name a bad value, and a base resource that validates a whole
file before anything is written.

Columns carry French headers and rows are matched by slug; départements by INSEE code. An export
re-imports unchanged (every row is reported as skipped)."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from tablib import Dataset

from network.models import Departement, Structure, Territory

# Between the keys of a many-to-many column ("tag22|atis"): never found inside a slug or an INSEE code.
SEPARATOR = "|"


def key_text(value: Any) -> str:
    """A cell as a key: spreadsheets turn "22" into the number 22.0, which must still find code "22"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class KeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by natural key (slug, INSEE code). An unknown key is an error on its column, not an
    exception that hides which value was wrong."""

    def __init__(self, model: type[models.Model], field: str) -> None:
        super().__init__(model, field=field)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> models.Model | None:
        if value is None or key_text(value) == "":
            return None
        key = key_text(value)
        try:
            return self.get_queryset(key, row, **kwargs).get(**{self.field: key})
        except self.model.DoesNotExist:
            raise ValueError(unknown_keys_message(self.model, self.field, [key])) from None


class KeyListWidget(widgets.ManyToManyWidget):
    """A many-to-many relation as natural keys separated by `|`. The stock widget silently drops unknown
    keys; this one refuses the row and names them."""

    def __init__(self, model: type[models.Model], field: str) -> None:
        super().__init__(model, separator=SEPARATOR, field=field)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> models.QuerySet:
        if value is None:
            return self.model.objects.none()
        keys = [key for key in (key_text(part) for part in key_text(value).split(self.separator)) if key]
        found = self.model.objects.filter(**{f"{self.field}__in": keys})
        missing = sorted(set(keys) - {getattr(obj, self.field) for obj in found})
        if missing:
            raise ValueError(unknown_keys_message(self.model, self.field, missing))
        return found


def unknown_keys_message(model: type[models.Model], field: str, keys: list[str]) -> str:
    return _("%(keys)s : introuvable parmi les %(models)s (%(field)s).") % {
        "keys": ", ".join(f"« {key} »" for key in keys),
        "models": model._meta.verbose_name_plural,
        "field": model._meta.get_field(field).verbose_name,
    }


class NaturalKeyResource(resources.ModelResource):
    """Base of the platform's resources.

    - `headers` gives the French column of every model field listed in `Meta.fields` (relations are
      declared as fields with a `KeyWidget` / `KeyListWidget` and their own column name).
    - A file is imported in one transaction, rolled back if any row is invalid: nothing is half-imported.
    - Errors are keyed by column header, so "row 3, Code département: « 99 » introuvable…" reads alone.
    - `creation_only` fields may be given for a new row but never change an existing one: a service
      owns them and keeps their history (appellation path, project pipeline).
    - `export_related` / `export_prefetched` keep an export at a constant number of queries.
    """

    headers: dict[str, str] = {}
    creation_only: tuple[str, ...] = ()
    export_related: tuple[str, ...] = ()
    export_prefetched: tuple[str, ...] = ()

    class Meta:
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: models.Field, readonly: bool):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if isinstance(django_field, models.TextField) and not django_field.null:
            # An empty spreadsheet cell reads as None; a text column stores "" (as CharFields do).
            field.widget = widgets.CharWidget(allow_blank=True)
        # A KeyError here means a column without a French header: fail at import time, loudly.
        field.column_name = cls.headers[field_name]
        return field

    def import_data(
        self,
        dataset: Dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = True,
        **kwargs: Any,
    ):
        # An invalid row rolls the whole file back (the stock default keeps the valid rows).
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=rollback_on_validation_errors,
            **kwargs,
        )

    def filter_export(self, queryset: models.QuerySet, **kwargs: Any) -> models.QuerySet:
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related(*self.export_related).prefetch_related(*self.export_prefetched)

    def import_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        stored = {name: getattr(instance, name) for name in self.creation_only} if instance.pk else {}
        errors: dict[str, ValidationError] = {}
        for field in self.get_import_fields():
            try:
                if not isinstance(field.widget, widgets.ManyToManyWidget):
                    self.import_field(field, instance, row, **kwargs)
                elif field.column_name in row:
                    # Checked now so an unknown key is a field error; saved once the row has an id.
                    field.clean(row, **kwargs)
            except ValueError as exc:
                errors[field.attribute] = ValidationError(str(exc), code="invalid")
        for name, value in stored.items():
            if name not in errors and getattr(instance, name) != value:
                errors[name] = ValidationError(
                    _("Ne se modifie pas par import pour une ligne existante (historique tenu ailleurs)."),
                    code="creation_only",
                )
        if errors:
            raise ValidationError(errors)

    def validate_instance(
        self,
        instance: models.Model,
        import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            raise ValidationError(self.by_column(exc.message_dict)) from exc

    def by_column(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Re-key model-field errors by the column a person sees in their spreadsheet."""
        columns = {field.attribute: field.column_name for field in self.fields.values()}
        keyed: dict[str, list[str]] = {}
        for name, messages in errors.items():
            column = NON_FIELD_ERRORS if name == NON_FIELD_ERRORS else columns.get(name, name)
            keyed.setdefault(column, []).extend(messages)
        return keyed


class TerritoryResource(NaturalKeyResource):
    departements = fields.Field(
        attribute="departements",
        column_name="Codes départements",
        widget=KeyListWidget(Departement, field="code"),
    )

    headers = {
        "name": "Nom",
        "slug": "Slug",
        "kind": "Type",
        "country": "Pays",
        "qpv_code": "Code QPV",
        "latitude": "Latitude",
        "longitude": "Longitude",
    }
    export_prefetched = ("departements",)

    class Meta:
        model = Territory
        fields = ("name", "slug", "kind", "country", "departements", "qpv_code", "latitude", "longitude")


class StructureResource(NaturalKeyResource):
    departement = fields.Field(
        attribute="departement", column_name="Code département", widget=KeyWidget(Departement, field="code")
    )
    territories = fields.Field(
        attribute="territories", column_name="Territoires", widget=KeyListWidget(Territory, field="slug")
    )

    headers = {
        "name": "Nom",
        "slug": "Slug",
        "legal_form": "Forme juridique",
        "phase": "Phase",
        "phase_since": "Phase depuis le",
        "joined_on": "Entrée dans le réseau",
        "labelled_on": "Date d'appellation",
        "city": "Ville",
        "description": "Présentation",
        "website": "Site web",
        "email": "E-mail",
        "phone": "Téléphone",
    }
    # The appellation path (PhaseChange history and the peer committee) owns the phase.
    creation_only = ("phase", "phase_since", "labelled_on")
    export_related = ("departement",)
    export_prefetched = ("territories",)

    class Meta:
        model = Structure
        fields = (
            "name",
            "slug",
            "legal_form",
            "phase",
            "phase_since",
            "joined_on",
            "labelled_on",
            "departement",
            "city",
            "territories",
            "description",
            "website",
            "email",
            "phone",
        )
