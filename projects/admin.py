"""Admin of the emergent projects. The pipeline owns a project's stage: it is chosen when the project is
created, then moved only by the project services, which keep the history shown here read-only."""

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from network.admin import (
    CHECKED_FILE_FIELDS,
    HistoryAdmin,
    ReadOnlyAdmin,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    SpreadsheetAdmin,
)
from projects.models import Document, HolderAssignment, Indicator, Project, ProjectFiche, StageChange
from projects.resources import ProjectResource


class ProjectForm(forms.ModelForm):
    """The admin builds the fields (editable ones, minus those read-only on a change)."""

    def clean(self) -> dict:
        cleaned = super().clean()
        # A published project carries its publication date (a check constraint): the first one is kept.
        if cleaned.get("is_published") and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
        return cleaned


class DocumentForm(forms.ModelForm):
    """Type and size are read from the uploaded file, not typed by hand: the type is the one its content
    showed (CheckedFileField), never the name's or the browser's."""

    class Meta:
        model = Document
        fields = ("title", "kind", "file")

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if isinstance(upload, UploadedFile):
            self.instance.content_type = upload.content_type
            self.instance.size = upload.size
        return cleaned


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ("changed_at", "from_stage", "to_stage", "changed_by", "note")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("changed_by")


class HolderAssignmentInline(admin.TabularInline):
    model = HolderAssignment
    fields = ("holder_name", "holder_organisation", "assigned_on", "note", "recorded_by")
    readonly_fields = ("recorded_by",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("kind", "value", "measured_on", "note")
    extra = 0


class DocumentInline(admin.TabularInline):
    model = Document
    form = DocumentForm
    formfield_overrides = CHECKED_FILE_FIELDS
    fields = ("title", "kind", "file", "content_type", "size", "uploaded_by")
    readonly_fields = ("content_type", "size", "uploaded_by")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Project)
class ProjectAdmin(SpreadsheetAdmin):
    resource_classes = [ProjectResource]
    form = ProjectForm
    list_display = ("title", "structure", "territory", "programme", "stage", "sector", "is_published")
    list_filter = ("stage", "sector", "is_published", "programme")
    list_select_related = ("structure", "territory", "programme")
    search_fields = ("title", "slug", "structure__name", "territory__name")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("structure", "territory", "programme", "partners")
    date_hierarchy = "created_at"
    inlines = (StageChangeInline, HolderAssignmentInline, IndicatorInline, DocumentInline)

    def get_exclude(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        # Set on save: a new project enters its stage now, and its author is the one saving it.
        return ("stage_changed_at", "created_by") if obj is None else ()

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        return ("stage", "stage_changed_at", "created_by") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Project, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.stage_changed_at = timezone.now()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        # Who recorded a holder and who uploaded a document: the staff member saving the page.
        for instance in formset.save(commit=False):
            if isinstance(instance, HolderAssignment) and instance.recorded_by_id is None:
                instance.recorded_by = request.user
            if isinstance(instance, Document) and instance.uploaded_by_id is None:
                instance.uploaded_by = request.user
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
        formset.save_m2m()


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("project", "from_stage", "to_stage", "changed_at", "changed_by")
    list_filter = ("to_stage",)
    list_select_related = ("project", "changed_by")
    search_fields = ("project__title", "note")
    date_hierarchy = "changed_at"


@admin.register(ProjectFiche)
class ProjectFicheAdmin(ReadOnlyAdmin):
    """Built by the Celery task only; here the staff see the status and the error of a failed build."""

    list_display = ("project", "status", "built_at", "attempts")
    list_filter = ("status",)
    list_select_related = ("project",)
    search_fields = ("project__title", "error")


@admin.register(HolderAssignment)
class HolderAssignmentAdmin(HistoryAdmin):
    list_display = ("holder_name", "holder_organisation", "project", "assigned_on")
    list_select_related = ("project",)
    search_fields = ("holder_name", "holder_organisation", "project__title")
    autocomplete_fields = ("project",)
    exclude = ("recorded_by",)

    def save_model(self, request: HttpRequest, obj: HolderAssignment, form, change: bool) -> None:
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    list_display = ("project", "kind", "value", "measured_on")
    list_filter = ("kind",)
    list_select_related = ("project",)
    search_fields = ("project__title", "note")
    autocomplete_fields = ("project",)
    date_hierarchy = "measured_on"


@admin.register(Document)
class DocumentAdmin(HistoryAdmin):
    form = DocumentForm
    fields = ("project", "title", "kind", "file", "content_type", "size", "uploaded_by")
    readonly_fields = ("content_type", "size", "uploaded_by")
    list_display = ("title", "project", "kind", "size", "created_at")
    list_filter = ("kind",)
    list_select_related = ("project",)
    search_fields = ("title", "project__title")
    autocomplete_fields = ("project",)

    def save_model(self, request: HttpRequest, obj: Document, form, change: bool) -> None:
        if obj.uploaded_by_id is None:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
