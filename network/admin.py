"""Admin of the network: reference geography (read-only), territories, structures, peer committees and
appellation applications. Also the admin base classes the other apps share."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from import_export.resources import ModelResource
from simple_history.admin import SimpleHistoryAdmin

from fabrique.uploads import CheckedFileField
from network.models import (
    AppellationApplication,
    ApplicationDocument,
    CommitteeMember,
    ConflictOfInterest,
    Contact,
    Coordinator,
    Departement,
    Opinion,
    PeerCommittee,
    PhaseChange,
    Region,
    Structure,
    Territory,
)
from network.resources import StructureResource, TerritoryResource


class ColumnExportForm(SelectableFieldsExportForm):
    """Columns to export, named as in the file (the stock labels are English field names)."""

    def _get_field_label(self, resource: type[ModelResource], field_name: str) -> str:
        field = resource.fields.get(field_name)
        return field.column_name if field is not None else field_name


# Files uploaded through the admin are checked by their content and size, as on the site.
CHECKED_FILE_FIELDS = {models.FileField: {"form_class": CheckedFileField, "widget": AdminFileWidget}}


class HistoryAdmin(SimpleHistoryAdmin):
    """The audit trail: « Historique » lists every version (who, when, which fields changed from what to
    what), for the staff who may view the model; read-only (SIMPLE_HISTORY_REVERT_DISABLED)."""

    formfield_overrides = CHECKED_FILE_FIELDS

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context=None):
        # A version is shown, never saved back: revert_disabled only hides the button, a POST would revert.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view_title(self, request: HttpRequest, obj: Model) -> str:
        return gettext("Historique de « %s »") % obj


class SpreadsheetAdmin(ImportExportModelAdmin, HistoryAdmin):
    """Import and export buttons, limited to the two formats the network uses."""

    formats = [CSV, XLSX]
    export_form_class = ColumnExportForm


class ReadOnlyPermissions:
    """Viewable and searchable (autocompletes need it), never written through the admin: reference data
    loaded by migration, or records written by the services and tasks."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    """Read-only, for models without an audit trail (build status, import runs)."""


class ReadOnlyHistoryAdmin(ReadOnlyPermissions, HistoryAdmin):
    """Read-only, with its audit trail."""


class ReadOnlyInline(admin.TabularInline):
    """History shown under its parent, as it was written."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Departement)
class DepartementAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("code", "name")


@admin.register(Territory)
class TerritoryAdmin(SpreadsheetAdmin):
    resource_classes = [TerritoryResource]
    list_display = ("name", "kind", "country", "qpv_code")
    list_filter = ("kind", "country")
    search_fields = ("name", "slug", "qpv_code")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("departements",)


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "role", "email", "phone")
    extra = 0


class CoordinatorInline(admin.TabularInline):
    model = Coordinator
    fields = ("user", "title")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")


class PhaseChangeInline(ReadOnlyInline):
    model = PhaseChange
    fields = ("changed_on", "from_phase", "to_phase", "changed_by", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("changed_by")


@admin.register(Structure)
class StructureAdmin(SpreadsheetAdmin):
    resource_classes = [StructureResource]
    list_display = ("name", "phase", "legal_form", "departement", "city", "labelled_on")
    list_filter = ("phase", "legal_form", "departement__region")
    list_select_related = ("departement",)
    search_fields = ("name", "slug", "city")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("departement", "territories")
    inlines = (CoordinatorInline, ContactInline, PhaseChangeInline)
    # The appellation path owns the phase and keeps its history: given when a structure is created, then
    # changed only through it.
    phase_fields = ("phase", "phase_since", "labelled_on")

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        return self.phase_fields if obj is not None else ()

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Only labelled structures sit on peer committees: offer no other in that autocomplete.
        if request.GET.get("model_name") == "committeemember":
            queryset = queryset.filter(phase=Structure.Phase.LABELLED)
        return queryset, may_have_duplicates


@admin.register(PhaseChange)
class PhaseChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("structure", "from_phase", "to_phase", "changed_on", "changed_by")
    list_filter = ("to_phase",)
    list_select_related = ("structure", "changed_by")
    search_fields = ("structure__name", "reason")
    date_hierarchy = "changed_on"


@admin.register(Contact)
class ContactAdmin(HistoryAdmin):
    list_display = ("name", "structure", "role", "email", "phone")
    list_select_related = ("structure",)
    search_fields = ("name", "email", "structure__name")
    autocomplete_fields = ("structure",)


@admin.register(Coordinator)
class CoordinatorAdmin(HistoryAdmin):
    list_display = ("user", "structure", "title")
    list_select_related = ("user", "structure")
    search_fields = ("user__email", "user__first_name", "user__last_name", "structure__name")
    autocomplete_fields = ("user", "structure")


# The appellation path (committees, seats, applications, opinions, conflicts, dossier documents) is run in
# the site's own pages (/pilotage/appellation/, /reseau/<slug>/appellation/), whose services enforce its
# rules (members labelled on the session date, never the applicant, quorum…) and keep the phase history.
# The admin shows it, searchable, and never writes it: a write here would skip those rules.


class CommitteeMemberInline(ReadOnlyInline):
    model = CommitteeMember
    fields = ("structure", "added_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("structure")


@admin.register(PeerCommittee)
class PeerCommitteeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "status", "place")
    list_filter = ("status",)
    search_fields = ("place", "notes")
    date_hierarchy = "held_on"
    inlines = (CommitteeMemberInline,)


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ReadOnlyHistoryAdmin):
    list_display = ("structure", "committee", "added_at")
    list_select_related = ("structure", "committee")
    search_fields = ("structure__name",)


class OpinionInline(ReadOnlyInline):
    model = Opinion
    fields = ("member", "author", "verdict", "comment")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("member", "author")


class ConflictOfInterestInline(ReadOnlyInline):
    model = ConflictOfInterest
    fields = ("structure", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("structure")


class ApplicationDocumentInline(ReadOnlyInline):
    model = ApplicationDocument
    fields = ("title", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(AppellationApplication)
class AppellationApplicationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("structure", "status", "committee", "decision", "submitted_at", "decided_on")
    list_filter = ("status", "decision")
    list_select_related = ("structure", "committee")
    search_fields = ("structure__name",)
    date_hierarchy = "created_at"
    exclude = ("letter",)  # downloaded through the dossier page, which checks who may read it
    inlines = (ApplicationDocumentInline, OpinionInline, ConflictOfInterestInline)


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "application", "content_type", "size", "created_at")
    list_select_related = ("application__structure",)
    search_fields = ("title", "application__structure__name")
    exclude = ("file",)  # downloaded through the dossier page, which checks who may read it


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("member", "application", "verdict", "author", "created_at")
    list_filter = ("verdict",)
    list_select_related = ("member", "application__structure", "author")
    search_fields = ("member__name", "application__structure__name")


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyHistoryAdmin):
    list_display = ("structure", "application", "reason")
    list_select_related = ("structure", "application__structure")
    search_fields = ("structure__name", "application__structure__name")
