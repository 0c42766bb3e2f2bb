"""Admin of the Québec–France partnerships, their agreements and missions, and the know-how transfers.

Mission times are entered and shown in the site's time zone (Paris), whatever the mission's own; the staff
pages (/partenariats/gestion/) and the spreadsheets use the mission's own zone. Missions and transfers are
imported and exported through partnerships.resources."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from network.admin import CHECKED_FILE_FIELDS, HistoryAdmin, SpreadsheetAdmin
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
from partnerships.resources import KnowHowTransferResource, MissionResource


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ("name", "kind", "country", "city")
    list_filter = ("kind", "country")
    search_fields = ("name", "slug", "city")
    prepopulated_fields = {"slug": ("name",)}


class PartyInline(admin.TabularInline):
    model = Party
    fields = ("organisation", "side", "description")
    autocomplete_fields = ("organisation",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("organisation")


class SupportInline(admin.TabularInline):
    model = Support
    fields = ("partner", "scheme")
    autocomplete_fields = ("partner",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("partner")


class AgreementInline(admin.StackedInline):
    model = Agreement
    formfield_overrides = CHECKED_FILE_FIELDS
    fields = ("title", "status", "signed_on", "parties", "document")
    autocomplete_fields = ("parties",)
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(HistoryAdmin):
    list_display = ("title", "start_date", "end_date", "is_published")
    list_filter = ("is_published",)
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "start_date"
    inlines = (PartyInline, SupportInline, AgreementInline)


@admin.register(Party)
class PartyAdmin(HistoryAdmin):
    list_display = ("organisation", "partnership", "side", "description")
    list_filter = ("side",)
    list_select_related = ("organisation", "partnership")
    search_fields = ("organisation__name", "partnership__title")
    autocomplete_fields = ("partnership", "organisation")


@admin.register(Support)
class SupportAdmin(HistoryAdmin):
    list_display = ("partner", "partnership", "scheme")
    list_select_related = ("partner", "partnership")
    search_fields = ("partner__name", "partnership__title", "scheme")
    autocomplete_fields = ("partnership", "partner")


@admin.register(Agreement)
class AgreementAdmin(HistoryAdmin):
    list_display = ("title", "partnership", "status", "signed_on")
    list_filter = ("status",)
    list_select_related = ("partnership",)
    search_fields = ("title", "partnership__title")
    autocomplete_fields = ("partnership", "parties")


class VisitInline(admin.TabularInline):
    model = Visit
    fields = ("structure", "organisation", "city", "visited_on", "note")
    autocomplete_fields = ("structure", "organisation")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("structure", "organisation")


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ("name", "role", "structure", "organisation")
    autocomplete_fields = ("structure", "organisation")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("structure", "organisation")


class ObjectiveInline(admin.TabularInline):
    model = Objective
    fields = ("position", "text", "outcome", "outcome_note")
    extra = 0


@admin.register(Mission)
class MissionAdmin(SpreadsheetAdmin):
    resource_classes = [MissionResource]
    list_display = ("title", "kind", "direction", "starts_at", "partnership", "is_published")
    list_filter = ("kind", "direction", "is_published")
    list_select_related = ("partnership",)
    search_fields = ("title", "slug", "cities")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("partnership", "projects")
    date_hierarchy = "starts_at"
    inlines = (VisitInline, ParticipantInline, ObjectiveInline)


@admin.register(Visit)
class VisitAdmin(HistoryAdmin):
    list_display = ("__str__", "mission", "city", "visited_on")
    list_select_related = ("mission", "structure", "organisation")
    search_fields = ("city", "mission__title", "structure__name", "organisation__name")
    autocomplete_fields = ("mission", "structure", "organisation")


@admin.register(Participant)
class ParticipantAdmin(HistoryAdmin):
    list_display = ("name", "role", "mission", "structure", "organisation")
    list_select_related = ("mission", "structure", "organisation")
    search_fields = ("name", "role", "mission__title")
    autocomplete_fields = ("mission", "structure", "organisation")


@admin.register(Objective)
class ObjectiveAdmin(HistoryAdmin):
    list_display = ("__str__", "mission", "outcome", "position")
    list_filter = ("outcome",)
    list_select_related = ("mission",)
    search_fields = ("text", "mission__title")
    autocomplete_fields = ("mission",)


class BeneficiaryInline(admin.TabularInline):
    model = Beneficiary
    fields = ("structure", "organisation")
    autocomplete_fields = ("structure", "organisation")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("structure", "organisation")


@admin.register(KnowHowTransfer)
class KnowHowTransferAdmin(SpreadsheetAdmin):
    resource_classes = [KnowHowTransferResource]
    list_display = ("title", "provider", "topic", "format", "status", "started_on", "is_published")
    list_filter = ("topic", "format", "status", "is_published")
    list_select_related = ("provider",)
    search_fields = ("title", "slug", "provider__name", "city")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("provider", "programme", "projects", "proposed_by")
    date_hierarchy = "started_on"
    inlines = (BeneficiaryInline,)


@admin.register(Beneficiary)
class BeneficiaryAdmin(HistoryAdmin):
    list_display = ("__str__", "transfer")
    list_select_related = ("transfer", "structure", "organisation")
    search_fields = ("transfer__title", "structure__name", "organisation__name")
    autocomplete_fields = ("transfer", "structure", "organisation")
