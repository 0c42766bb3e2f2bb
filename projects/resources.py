"""Spreadsheet import and export (CSV, XLSX) of emergent projects, matched by slug; structure, territory,
programme and partners by slug or name (written as slugs); the stage as its French label (« Inventer ») or
code.

The pipeline owns a project's stage: a new row may give its stage, an existing row may not change it
(moves go through the project services, which check them and keep the history)."""

import copy
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields
from import_export.resources import Diff

from fabrique.audit import record_created_versions_in_sql
from network.models import Structure, Territory
from network.resources import KeyListWidget, KeyWidget, NaturalKeyResource
from programmes.models import Partner, Programme
from projects.models import Project


class Unsupported(Exception):
    """A condition `holds` cannot evaluate in Python: the constraint is checked by its query instead."""


COMPARISONS = {
    "exact": lambda actual, expected: actual == expected,
    "in": lambda actual, expected: actual in expected,
    "gt": lambda actual, expected: actual > expected,
    "gte": lambda actual, expected: actual >= expected,
    "lt": lambda actual, expected: actual < expected,
    "lte": lambda actual, expected: actual <= expected,
}


def holds(condition: Any, instance: models.Model) -> bool | None:
    """A check constraint's condition evaluated on an unsaved instance, as SQL would: None is SQL's
    unknown (a comparison with NULL), which a CHECK accepts. Raises Unsupported for anything beyond
    AND / OR / NOT of field lookups (exact, in, isnull, comparisons) against values or other fields."""
    if isinstance(condition, Q):
        if condition.connector not in (Q.AND, Q.OR):
            raise Unsupported(condition)
        values = [holds(child, instance) for child in condition.children]
        decisive = condition.connector == Q.OR  # True decides an OR, False an AND
        if decisive in values:
            value = decisive
        elif None in values:
            value = None
        else:
            value = not decisive
        return (None if value is None else not value) if condition.negated else value
    lookup, expected = condition
    name, _separator, operator = lookup.partition("__")
    operator = operator or "exact"
    actual = getattr(instance, instance._meta.get_field(name).attname)
    if operator == "isnull":
        return (actual is None) == bool(expected)
    if isinstance(expected, F):
        expected = getattr(instance, instance._meta.get_field(expected.name).attname)
    elif hasattr(expected, "resolve_expression") or operator not in COMPARISONS:
        raise Unsupported(lookup)
    if operator == "exact" and expected is None:  # Q(field=None) is IS NULL
        return actual is None
    if actual is None or expected is None:
        return None
    return COMPARISONS[operator](actual, expected)


class ShownOnlyDiff(Diff):
    """A row's before / after, built only for a preview (a dry run), the one import that shows it: a
    confirmed import reports counts, and rendering every column of every row twice is a third of its
    time."""

    def __init__(self, resource: "ProjectResource", instance: Project, new: bool) -> None:
        self.shown = resource.previewing
        self.new, self.left, self.right = new, [], []
        if self.shown:
            super().__init__(resource, instance, new)

    def compare_with(self, resource: "ProjectResource", instance: Project) -> None:
        if self.shown:
            super().compare_with(resource, instance)


class ProjectResource(NaturalKeyResource):
    structure = fields.Field(
        attribute="structure", column_name="Structure", widget=KeyWidget(Structure, field="slug")
    )
    territory = fields.Field(
        attribute="territory", column_name="Territoire", widget=KeyWidget(Territory, field="slug")
    )
    programme = fields.Field(
        attribute="programme", column_name="Programme", widget=KeyWidget(Programme, field="slug")
    )
    partners = fields.Field(
        attribute="partners", column_name="Partenaires", widget=KeyListWidget(Partner, field="slug")
    )

    headers = {
        "title": "Titre",
        "slug": "Slug",
        "sector": "Secteur",
        "stage": "Étape",
        "need": "Besoin détecté",
        "solution": "Solution",
        "study_started_on": "Début de l'étude",
        "study_completed_on": "Fin de l'étude",
        "study_summary": "Synthèse de l'étude",
        "study_conclusion": "Conclusion de l'étude",
        "started_on": "Date de démarrage",
        "abandon_reason": "Motif d'abandon",
        "key_lessons": "Enseignements clés",
        "is_published": "Publié",
    }
    creation_only = ("stage",)
    export_related = ("structure", "territory", "programme")
    export_prefetched = ("partners",)

    class Meta:
        model = Project
        fields = (
            "title",
            "slug",
            "structure",
            "territory",
            "programme",
            "sector",
            "stage",
            "need",
            "solution",
            "study_started_on",
            "study_completed_on",
            "study_summary",
            "study_conclusion",
            "started_on",
            "abandon_reason",
            "key_lessons",
            "partners",
            "is_published",
        )
        # New rows are validated in Python and inserted in batches (see `validate_instance`); existing
        # rows are still saved one by one, their partners too.
        use_bulk = True
        batch_size = 1000

    def after_init_instance(self, instance: Project, new: bool, row: dict, **kwargs: Any) -> None:
        if new:
            # Set before validation, which requires it: a new project enters its stage now.
            instance.stage_changed_at = timezone.now()
            user = kwargs.get("user")
            if user is not None and user.is_authenticated:
                # By id: the instance is copied for the preview's diff, and a user object would be too.
                instance.created_by_id = user.pk

    def import_instance(self, instance: Project, row: dict, **kwargs: Any) -> None:
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # A published project has a publication date (a check constraint); keep the first one.
            if instance.is_published and instance.published_at is None:
                instance.published_at = timezone.now()

    # --- Fast path for new rows ------------------------------------------------------------------------
    # A file of new projects is the common large import. Django's model validation of a new project runs
    # about thirty queries (three per check constraint, one per foreign key, one for the unique slug);
    # here every one of them is answered in Python from what the import already loaded, and the rows are
    # inserted `batch_size` at a time. The whole file stays in one transaction, rolled back on any error.

    previewing = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._meta = copy.copy(
            type(self)._meta
        )  # options switched row by row (import_row): this import's own

    def import_data(self, dataset, dry_run: bool = False, *args: Any, **kwargs: Any):
        self.previewing = dry_run
        return super().import_data(dataset, dry_run, *args, **kwargs)

    def import_row(self, row, instance_loader, **kwargs: Any):
        # Outside the preview a new row needs no diff and is never « unchanged », yet import-export would
        # deep-copy its blank instance for both: a sixth of the time of 10,000 new rows. The options are
        # this resource's own copy (see __init__), so the switch never leaks to another import.
        try:
            new = not self.previewing and instance_loader.get_instance(row) is None
        except Exception:  # a bad key: import_row reports it on its row
            new = False
        if not new:
            return super().import_row(row, instance_loader, **kwargs)
        self._meta.skip_diff = True
        try:
            return super().import_row(row, instance_loader, **kwargs)
        finally:
            self._meta.skip_diff = False

    def get_import_fields(self) -> list:
        # Asked four times a row (fields, diff, unchanged check); the resource's fields never change.
        if "_import_fields" not in self.__dict__:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def get_diff_class(self) -> type[Diff]:
        return ShownOnlyDiff

    def validate_instance(
        self,
        instance: Project,
        import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        if instance.pk is not None:
            return super().validate_instance(instance, import_validation_errors, validate_unique)
        errors = dict(import_validation_errors or {})
        # The related rows come from the import's lookups (KeyIndex) or are the importing user: they exist.
        known = {
            field.name
            for field in instance._meta.concrete_fields
            if field.is_relation and field.is_cached(instance)
        } | ({"created_by"} if instance.created_by_id is not None else set())
        # The slug is new: the instance loader found no row with it, and a slug repeated in the file is
        # refused by `import_instance`. A concurrent import inserting it fails the INSERT (bulk_create).
        try:
            instance.full_clean(exclude={*errors, *known}, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        messages = self.constraint_errors(instance, exclude=set(errors))
        if messages:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(messages)
        if errors:
            raise ValidationError(self.by_column(ValidationError(errors).message_dict))

    @staticmethod
    def constraint_errors(instance: Project, exclude: set[str]) -> list[str]:
        """The messages of the check constraints a new row breaks (those on an invalid field skipped, as
        Django does); a condition too complex for `holds` is checked by Django's query."""
        messages = []
        for constraint in instance._meta.constraints:
            if not isinstance(constraint, models.CheckConstraint):
                continue
            if exclude & constraint.condition.referenced_base_fields:
                continue
            try:
                broken = holds(constraint.condition, instance) is False
            except Unsupported:
                try:
                    constraint.validate(type(instance), instance, exclude=exclude)
                    broken = False
                except ValidationError:
                    broken = True
            if broken:
                messages.append(str(constraint.get_violation_error_message()))
        return messages

    def save_instance(self, instance: Project, is_create: bool, row: dict, **kwargs: Any) -> None:
        if is_create:
            return super().save_instance(instance, is_create, row, **kwargs)  # queued for bulk_create
        # An existing row is saved now, as without bulk mode (bulk_update would write every column).
        self.before_save_instance(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            self.do_instance_save(instance, is_create)
        self.after_save_instance(instance, row, **kwargs)

    def save_m2m(self, instance: Project, row: dict, **kwargs: Any) -> None:
        partners = self.fields["partners"]
        if partners.column_name not in row:
            return
        if instance.pk is None:  # queued: linked once bulk_create has given it an id
            self.pending_partners.append((instance, partners.clean(row, **kwargs)))
        elif self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            self.import_field(partners, instance, row, True)

    def import_data_inner(self, *args: Any, **kwargs: Any):
        self.pending_partners: list[tuple[Project, list]] = []
        return super().import_data_inner(*args, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None) -> None:
        if not self.create_instances or not (using_transactions or not dry_run):
            self.create_instances.clear()
            return
        try:
            Project.objects.bulk_create(self.create_instances, batch_size=batch_size)
            # bulk_create sends no signal: each new project's first version, by the importing user, here,
            # copied by the database (the fast path's speed: see fabrique/audit.py).
            record_created_versions_in_sql(
                Project,
                [project.pk for project in self.create_instances],
                user_id=self.create_instances[0].created_by_id,
            )
            Link = Project.partners.through
            Link.objects.bulk_create(
                [
                    Link(project_id=project.pk, partner_id=partner.pk)
                    for project, chosen in self.pending_partners
                    for partner in chosen
                ],
                batch_size=batch_size,
            )
        except IntegrityError as exc:
            # Validation checked every row: only a concurrent import (the same new slug) gets here.
            refused = ValueError(
                _("La base de données a refusé les nouvelles lignes, rien n'a été enregistré : %(error)s")
                % {"error": str(exc).splitlines()[0]}
            )
            self.handle_import_error(result, refused, raise_errors)
        finally:
            self.create_instances.clear()
            self.pending_partners.clear()
