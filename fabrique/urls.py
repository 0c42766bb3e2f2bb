from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from fabrique import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("", include("fabrique.accounts.urls")),
    path("comptes/", include("allauth.urls")),
    path("", include("projects.urls")),
    path("", include("network.urls")),
    path("", include("programmes.urls")),
    path("", include("partnerships.urls")),
    path("", include("fabrique.spreadsheets.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login form would skip allauth's checks (verified address, TOTP, rate limits).
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
]

# No route serves MEDIA_ROOT, not even with DEBUG: uploaded files are private by default and reach users
# only through views that check permissions (e.g. projects:document).
