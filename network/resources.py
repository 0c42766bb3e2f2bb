"""Spreadsheet import and export (CSV, XLSX) of territories and structures, and the pieces every app's
resources share: natural-key widgets that name a bad value, and a base resource that validates a whole
file before anything is written.

Columns carry French headers (the English field names are accepted too) and rows are matched by slug;
départements by INSEE code or name, territories by slug or name; choices are written as their French label
and read as label or code (fabrique.spreadsheets.matching). An export re-imports unchanged (every row is
reported as skipped)."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from tablib import Dataset

from fabrique.spreadsheets.matching import (
    ChoiceWidget,
    FileRefused,
    FrenchBooleanWidget,
    HeaderMatcher,
    KeyIndex,
    cell_text,
    duplicate_rows,
    missing_columns_message,
    spreadsheet_row,
)
from network.models import Departement, Structure, Territory

# Between the keys of a many-to-many column ("tag22|atis"): never found inside a slug or an INSEE code.
SEPARATOR = "|"

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): an export writes such
# a cell behind an apostrophe (fabrique.spreadsheets.exporting), which the import drops again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """`text` as an export writes it: behind an apostrophe when a spreadsheet would run it as a formula.
    Text already made of apostrophes then a formula start gets one more, so that the import, which drops
    exactly one, gives it back as it was."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unescape_formula(value: Any) -> Any:
    """The cell an export escaped, as it was stored: one leading apostrophe dropped when what follows
    (after any further apostrophes) starts like a formula. Any other cell is left alone."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value


def key_text(value: Any) -> str:
    """A cell as a key: spreadsheets turn "22" into the number 22.0, which must still find code "22"."""
    return cell_text(value)


class KeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by natural key (slug, INSEE code) or by name, accents and case ignored; written as
    the natural key. An unknown key is an error on its column, not an exception that hides which value
    was wrong; a name shared by two rows asks for the key. Rows are looked up once per import."""

    def __init__(self, model: type[models.Model], field: str) -> None:
        super().__init__(model, field=field)
        self.index = KeyIndex(model, field)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> models.Model | None:
        if key_text(value) == "":
            return None
        return self.index.find(value)


class KeyListWidget(widgets.ManyToManyWidget):
    """A many-to-many relation as natural keys (or names) separated by `|`. The stock widget silently
    drops unknown keys; this one refuses the row and names them."""

    def __init__(self, model: type[models.Model], field: str) -> None:
        super().__init__(model, separator=SEPARATOR, field=field)
        self.index = KeyIndex(model, field, only=True)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[models.Model]:
        keys = [key for key in (key_text(part) for part in key_text(value).split(self.separator)) if key]
        return self.index.find_all(keys)


class NaturalKeyLoader(CachedInstanceLoader):
    """The rows a file names, in one query with the relations an unchanged row is compared on."""

    def get_queryset(self):
        resource = self.resource
        return (
            super()
            .get_queryset()
            .select_related(*resource.export_related)
            .prefetch_related(*resource.export_prefetched)
        )


class NaturalKeyResource(resources.ModelResource):
    """Base of the platform's resources.

    - `headers` gives the French column of every model field listed in `Meta.fields` (relations are
      declared as fields with a `KeyWidget` / `KeyListWidget` and their own column name). A file's
      columns are matched by that French header or by the field's English name, accents, case, spaces
      and « _ » ignored, and renamed to the French header before the rows are read. An unknown or
      repeated column refuses the file (`FileRefused`, reported as the result's base error).
    - Required columns: the slug always (rows are matched by it); and, when the file holds a slug not in
      the database yet, every column a new row cannot do without (a model field with neither a default
      nor `blank=True`, e.g. « Nom », « Titre », « Structure »). A file that only updates existing rows
      may therefore carry the slug and the columns it changes.
    - Choices are read as their French label or their code and written as their label (except
      `code_columns`); related rows by natural key or name (see fabrique.spreadsheets.matching).
    - The same slug on two rows refuses the second one, naming both spreadsheet rows.
    - A file is imported in one transaction, rolled back if any row is invalid: nothing is half-imported.
    - Errors are keyed by column header, so "row 3, Code département: « 99 » introuvable…" reads alone.
    - `creation_only` fields may be given for a new row but never change an existing one: a service
      owns them and keeps their history (appellation path, project pipeline).
    - `export_related` / `export_prefetched` keep an export at a constant number of queries, and an
      import too: the rows a file names are loaded in one query with them, and the related rows once
      per import (`KeyIndex`).
    """

    headers: dict[str, str] = {}
    creation_only: tuple[str, ...] = ()
    code_columns: tuple[str, ...] = ()
    export_related: tuple[str, ...] = ()
    export_prefetched: tuple[str, ...] = ()

    class Meta:
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True
        instance_loader_class = NaturalKeyLoader

    def before_save_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        # The audit trail names the importer, also when the import runs as a Celery task (no request).
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            instance._history_user = user
        super().before_save_instance(instance, row, **kwargs)

    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: models.Field, readonly: bool):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if django_field.choices:
            field.widget = ChoiceWidget(django_field.choices, labels=field_name not in cls.code_columns)
        elif isinstance(django_field, models.BooleanField):
            field.widget = FrenchBooleanWidget()
        elif isinstance(django_field, models.TextField) and not django_field.null:
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
        try:
            self.prepare_file(dataset)
        except FileRefused as refused:
            # No row is read when the columns are wrong: every row would fail for the same reason.
            if raise_errors:
                raise
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            result.append_base_error(self.get_error_result_class()(refused))
            return result
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

    # --- The file's columns ---------------------------------------------------------------------------

    def header_matcher(self) -> HeaderMatcher:
        """Built once per resource class, its columns in the export's order (as the message lists them)."""
        cls = type(self)
        if "_header_matcher" not in cls.__dict__:
            order = {field.column_name: n for n, field in enumerate(self.get_export_fields())}
            columns: dict[str, list[str]] = {}
            for name, field in sorted(
                self.fields.items(), key=lambda item: order.get(item[1].column_name, len(order))
            ):
                aliases = [name, field.attribute or name]
                if isinstance(field.widget, widgets.ForeignKeyWidget | widgets.ManyToManyWidget):
                    aliases.append(f"{name}_{field.widget.field}")
                columns[field.column_name] = aliases
            cls._header_matcher = HeaderMatcher(columns)
        return cls._header_matcher

    def creation_columns(self) -> list[str]:
        """The columns a new row cannot do without: its model fields with no default that may not be
        blank (the slug is required in every file)."""
        model = self._meta.model
        required = []
        for field in self.get_import_fields():
            try:
                model_field = model._meta.get_field(field.attribute or "")
            except FieldDoesNotExist:  # A column the resource computes (« Objectifs »).
                continue
            if model_field.many_to_many or model_field.blank or model_field.has_default():
                continue
            required.append(field.column_name)
        return required

    def prepare_file(self, dataset: Dataset) -> None:
        """Rename the columns to their French headers, check the required ones, note repeated slugs and
        forget the lookups of a previous import. Raises FileRefused."""
        if not dataset.headers:
            raise FileRefused([_("Le fichier n'a pas de ligne d'en-tête.")])
        self.drop_blank_columns(dataset)
        dataset.headers = self.header_matcher().match(dataset.headers)
        slug_column = self.fields["slug"].column_name
        if slug_column not in dataset.headers:
            raise FileRefused([missing_columns_message([slug_column])])
        missing = [column for column in self.creation_columns() if column not in dataset.headers]
        if missing:
            slugs = [cell_text(value) for value in dataset[slug_column]]
            existing = set(
                self._meta.model._default_manager.filter(slug__in=slugs).values_list("slug", flat=True)
            )
            new_rows = [spreadsheet_row(n) for n, slug in enumerate(slugs, start=1) if slug not in existing]
            if new_rows:
                raise FileRefused([missing_columns_message(missing, new_rows)])
        self.duplicate_of = duplicate_rows(dataset[slug_column])
        for field in self.fields.values():
            if isinstance(getattr(field.widget, "index", None), KeyIndex):
                field.widget.index.reset()

    @staticmethod
    def drop_blank_columns(dataset: Dataset) -> None:
        """Columns with neither header nor values (a spreadsheet's stray formatting) are left out; a
        column with values but no header is refused."""
        for position in reversed(range(len(dataset.headers))):
            if cell_text(dataset.headers[position]):
                continue
            if any(cell_text(row[position]) for row in dataset):
                raise FileRefused(
                    [
                        _("La colonne n° %(number)s n'a pas d'en-tête mais contient des valeurs.")
                        % {"number": position + 1}
                    ]
                )
            headers = list(dataset.headers)
            del headers[position]
            rows = [row[:position] + row[position + 1 :] for row in dataset]
            dataset.wipe()
            dataset.headers = headers
            for row in rows:
                dataset.append(row)

    # --- Rows -----------------------------------------------------------------------------------------

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        # An exported file re-imports unchanged: the apostrophe the export put before a cell starting
        # like a formula (« '=1+1 », « '-20 % ») is not part of the value. Done here, before any column
        # reads the row, so that every resource and every column share it.
        super().before_import_row(row, **kwargs)
        for column, value in row.items():
            row[column] = unescape_formula(value)

    def export_field(self, field: fields.Field, instance: models.Model, **kwargs: Any) -> Any:
        # Every export, the admin's as the staff pages', writes formula-like cells behind an apostrophe;
        # before_import_row drops it again.
        value = super().export_field(field, instance, **kwargs)
        return escape_formula(value) if isinstance(value, str) else value

    def filter_export(self, queryset: models.QuerySet, **kwargs: Any) -> models.QuerySet:
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related(*self.export_related).prefetch_related(*self.export_prefetched)

    def import_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        stored = {name: getattr(instance, name) for name in self.creation_only} if instance.pk else {}
        errors: dict[str, ValidationError] = {}
        first = getattr(self, "duplicate_of", {}).get(kwargs.get("row_number"))
        if first is not None:
            errors["slug"] = ValidationError(
                _("Slug « %(slug)s » en double : lignes %(first)s et %(row)s du fichier (une par slug).")
                % {
                    "slug": key_text(row.get(self.fields["slug"].column_name)),
                    "first": spreadsheet_row(first),
                    "row": spreadsheet_row(kwargs["row_number"]),
                },
                code="duplicate",
            )
        for field in self.get_import_fields():
            try:
                if not isinstance(field.widget, widgets.ManyToManyWidget):
                    self.import_field(field, instance, row, **kwargs)
                elif field.column_name in row:
                    # Checked now so an unknown key is a field error; saved once the row has an id.
                    field.clean(row, **kwargs)
            except ValueError as exc:
                errors.setdefault(field.attribute, ValidationError(str(exc), code="invalid"))
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
