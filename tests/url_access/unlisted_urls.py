"""The platform's URLs with one route the access table does not know, and without one it does (/sante/):
the coverage checks must name both."""

from django.http import HttpResponse
from django.urls import path

from fabrique.urls import urlpatterns as platform_urlpatterns


def unlisted(request):
    return HttpResponse("Une page sans règle d'accès.")


urlpatterns = [
    *(pattern for pattern in platform_urlpatterns if getattr(pattern, "name", None) != "health"),
    path("sans-regle/", unlisted, name="unlisted_page"),
]
