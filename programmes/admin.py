"""Admin of the national programmes, their partners (with the roles they hold) and participations."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from network.admin import HistoryAdmin, ReadOnlyAdmin, SpreadsheetAdmin
from programmes.models import Funding, Participation, Partner, PartnerMember, Programme, ProgrammeBooklet
from programmes.resources import PartnerResource, ProgrammeResource


class PartnerMemberInline(admin.TabularInline):
    model = PartnerMember
    fields = ("user", "title")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")


@admin.register(Partner)
class PartnerAdmin(SpreadsheetAdmin):
    resource_classes = [PartnerResource]
    list_display = ("name", "kind", "is_national", "website")
    list_filter = ("kind", "is_national")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (PartnerMemberInline,)


@admin.register(PartnerMember)
class PartnerMemberAdmin(HistoryAdmin):
    list_display = ("user", "partner", "title")
    list_select_related = ("user", "partner")
    search_fields = ("user__email", "user__first_name", "user__last_name", "partner__name")
    autocomplete_fields = ("user", "partner")


class FundingInline(admin.TabularInline):
    model = Funding
    fields = ("partner", "role", "amount")
    autocomplete_fields = ("partner",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("partner")


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ("structure", "territory", "start_date", "end_date")
    autocomplete_fields = ("structure", "territory")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("structure", "territory")


@admin.register(Programme)
class ProgrammeAdmin(SpreadsheetAdmin):
    resource_classes = [ProgrammeResource]
    list_display = ("name", "theme", "start_date", "end_date", "is_published")
    list_filter = ("is_published",)
    search_fields = ("name", "slug", "theme")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "start_date"
    inlines = (FundingInline, ParticipationInline)


@admin.register(Funding)
class FundingAdmin(HistoryAdmin):
    list_display = ("partner", "programme", "role", "amount")
    list_filter = ("role",)
    list_select_related = ("partner", "programme")
    search_fields = ("partner__name", "programme__name")
    autocomplete_fields = ("partner", "programme")


@admin.register(Participation)
class ParticipationAdmin(HistoryAdmin):
    list_display = ("structure", "programme", "territory", "start_date", "end_date")
    list_filter = ("programme",)
    list_select_related = ("structure", "programme", "territory")
    search_fields = ("structure__name", "programme__name", "territory__name")
    autocomplete_fields = ("structure", "programme", "territory")


@admin.register(ProgrammeBooklet)
class ProgrammeBookletAdmin(ReadOnlyAdmin):
    """Built by the Celery tasks only (the programme page's « Relancer » forces a build); here the staff see
    the progress and the error of a failed build."""

    list_display = ("programme", "status", "fiches_done", "fiches_total", "requested_at", "built_at")
    list_filter = ("status",)
    list_select_related = ("programme",)
    search_fields = ("programme__name", "error")
    exclude = ("subscribers",)
