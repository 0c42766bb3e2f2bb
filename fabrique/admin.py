"""The admin site's titles and the user admin: people log in by e-mail, there is no username."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.translation import gettext_lazy as _

from fabrique.models import ImportRun, Invitation, User
from network.admin import ReadOnlyAdmin
from network.models import Coordinator
from programmes.models import PartnerMember

admin.site.site_header = _("Fabrique à initiatives — administration")
admin.site.site_title = _("Fabrique à initiatives")
admin.site.index_title = _("Administration de la plateforme")


def normalize_email(email: str) -> str:
    # Addresses are stored lower-case (see UserManager): "Avise@…" and "avise@…" are one person.
    return User.objects.normalize_email(email).lower()


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class CoordinationInline(admin.TabularInline):
    model = Coordinator
    fields = ("structure", "title")
    autocomplete_fields = ("structure",)
    extra = 0
    verbose_name = _("structure coordonnée")
    verbose_name_plural = _("structures coordonnées")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("structure")


class PartnerMembershipInline(admin.TabularInline):
    model = PartnerMember
    fields = ("partner", "title")
    autocomplete_fields = ("partner",)
    extra = 0
    verbose_name = _("appartenance à un partenaire")
    verbose_name_plural = _("appartenances à des partenaires")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates importantes"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    inlines = (CoordinationInline, PartnerMembershipInline)

    def get_inlines(self, request, obj):
        # The add page only creates the account; roles are given on the next page.
        return self.inlines if obj is not None else ()


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """The spreadsheet import history, as the import pages wrote it (never edited)."""

    list_display = ("file_name", "kind", "created_by", "created_at", "status", "total_rows", "error_count")
    list_filter = ("status", "kind")
    search_fields = ("file_name", "created_by__email")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    # The per-row preview is long and the file stays private: the platform never links to stored files.
    exclude = ("preview", "file")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """The invitations, read-only: they are sent, resent and revoked from /pilotage/invitations/, which send
    the e-mails and keep the links single-use."""

    list_display = ("email", "invited_by", "sent_at", "accepted_at", "revoked_at", "existing_account")
    list_filter = ("existing_account",)
    search_fields = ("email", "first_name", "last_name")
    list_select_related = ("invited_by",)
    date_hierarchy = "sent_at"
    # The key is what the e-mailed link signs: nobody needs to read it.
    exclude = ("key",)
